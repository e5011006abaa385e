#!/usr/bin/env bash
# Runs inside a private D-Bus session (dbus-run-session): starts a virtual
# display and the accessibility bus, runs the test suites of each build
# directory given, and ends with the line "N passed, N failed".
#   test-session.sh BUILD_DIR [SANITIZER_BUILD_DIR]
#   test-session.sh --benchmark BUILD_DIR
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=test
if [ "${1:-}" = --benchmark ]; then
  mode=benchmark
  shift
fi

cleanup() {
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null
  [ -n "${atspi_pid:-}" ] && kill "$atspi_pid" 2>/dev/null
  [ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null
  true
}
trap cleanup EXIT

# A display of our own, whatever else runs on the machine.
exec 5<> <(:)
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
read -r -t 20 display_number <&5 || { echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$display_number"
unset WAYLAND_DISPLAY

if [ -x /usr/libexec/at-spi-bus-launcher ]; then
  /usr/libexec/at-spi-bus-launcher --launch-immediately >/dev/null 2>&1 &
  atspi_pid=$!
fi

if command -v gnome-keyring-daemon >/dev/null; then
  # An unlocked login keyring, private to this session (an empty password would prompt).
  export XDG_DATA_HOME=$(mktemp -d)
  keyring_out=$(printf 'starling-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null) || true
  eval "$keyring_out"
  keyring_pid=${GNOME_KEYRING_PID:-}
  export GNOME_KEYRING_CONTROL
fi

passed=0
failed=0
count_results() {
  local log=$1/meson-logs/testlog.json
  [ -f "$log" ] || return 0
  local counts
  counts=$(python3 - "$log" <<'PY'
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    result = json.loads(line).get('result')
    if result in ('OK', 'EXPECTEDFAIL'):
        ok += 1
    else:
        bad += 1
        print(f"failed: {json.loads(line).get('name')} ({result})", file=sys.stderr)
print(ok, bad)
PY
)
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
}

status=0
if [ "$mode" = benchmark ]; then
  meson test -C "$1" --benchmark --verbose || status=$?
  exit $status
fi

main_build=$1
meson test -C "$main_build" --print-errorlogs --num-processes 2 || status=$?
count_results "$main_build"

if [ -n "${2:-}" ]; then
  sanitizer_build=$2
  # Leak checking is off: LeakSanitizer's tracer itself crashes (SIGSEGV) at
  # exit in the multi-threaded libsoup tests on this platform. The SIGKILL
  # crash test and the corrupt-database test time real I/O and are run in the
  # main build only: ASan's slowdown breaks their timing, not their logic.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  meson test -C "$sanitizer_build" --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
    sse-decoder response request citations client cli fake-server store store-migrations export || status=$?
  count_results "$sanitizer_build"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
