#!/usr/bin/env bash
# Runs inside a private D-Bus session (dbus-run-session): starts a virtual
# display and the accessibility bus, runs the test suites of each build
# directory given, and ends with the line "N passed, N failed".
#   test-session.sh BUILD_DIR [SANITIZER_BUILD_DIR [FUZZ_BUILD_DIR]]
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

# A display of our own, whatever else runs on the machine. Without -noreset
# Xvfb resets when its last client leaves, and a test whose window opens in
# that moment gets "cannot open display" (17 of 300 tries, measured).
exec 5<> <(:)
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 &
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
  local log=$1/meson-logs/${2:-testlog.json}
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
sanitizer_build=${2:-}
fuzz_build=${3:-}
meson test -C "$main_build" --print-errorlogs --num-processes 2 || status=$?
count_results "$main_build"

# valgrind memcheck on the protocol library's and the store's tests: no
# invalid access, no uninitialised value used, no block definitely lost
# (build-aux/valgrind.supp holds what libsoup 3.2 and GLib keep on their own).
if command -v valgrind >/dev/null; then
  G_SLICE=always-malloc meson test -C "$main_build" --print-errorlogs --num-processes 2 \
    --timeout-multiplier 10 \
    --wrapper "valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --suppressions=$top/build-aux/valgrind.supp" \
    sse-decoder response request citations client fake-server store store-migrations export || status=$?
  count_results "$main_build" testlog-valgrind.json
fi

if [ -n "$sanitizer_build" ]; then
  # LeakSanitizer is on. build-aux/sanitizer-wrap.sh loads GnuTLS first (see
  # there why); leak stacks are unwound fully, so that the suppressions in
  # build-aux/lsan.supp can tell the libraries' one-time caches from leaks.
  # The full unwinder deadlocks inside Mesa's GL threads, so the UI tests draw
  # with the cairo renderer here. The SIGKILL crash test times its kills for
  # the normal build: STARLING_TEST_TIME_SCALE stretches them
  # (tests/starling-test-time.h), and the UI tests' waits and frame
  # deadlines, which the normal pass keeps as written.
  export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=16:abort_on_error=1
  export LSAN_OPTIONS=suppressions=$top/build-aux/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # Named tests run in the order given (the priorities in meson.build order
  # only a run of all): first the two that run alone (each waits for all
  # running ones to end), then the longest.
  STARLING_TEST_TIME_SCALE=3 GSK_RENDERER=cairo meson test -C "$sanitizer_build" --print-errorlogs \
    --num-processes 2 --timeout-multiplier 4 --wrapper "$top/build-aux/sanitizer-wrap.sh" \
    chat markdown-select markdown settings store-crash \
    sse-decoder response request citations client cli fake-server store store-migrations export \
    store-corrupt window images history sidebar gallery range-model || status=$?
  count_results "$sanitizer_build" testlog-sanitizer-wrap.sh.json

  # The fault matrix asserts that the window keeps turning (250 ms of
  # main-thread work at most). Under the full unwinder every allocation costs
  # a stack walk: one TLS connection is 8-15 ms of main-thread work normally,
  # 550-850 ms here (GnuTLS allocates a lot), so its deadlines stretch twice
  # as far as the other tests'.
  STARLING_TEST_TIME_SCALE=6 GSK_RENDERER=cairo meson test -C "$sanitizer_build" --print-errorlogs \
    --timeout-multiplier 4 --wrapper "$top/build-aux/sanitizer-wrap.sh" faults || status=$?
  count_results "$sanitizer_build" testlog-sanitizer-wrap.sh.json

  # The end-to-end tests, against the sanitizer build of the app and of the
  # fake server, and the Markdown demo read over AT-SPI (the view with its
  # accessibility code): tests/e2e/starling_atspi.py starts them through the wrapper,
  # sends their reports to files in a folder of their own and fails on any
  # (and on an app that does not quit with status 0 when asked); their waits
  # are scaled as the C tests' deadlines are. test-secrets is the whole
  # session of the secret hygiene test (set the key, chat, inspect, export
  # through the file chooser, crash, start again).
  sanitizer_logs=$(mktemp -d)
  STARLING_TEST_TIME_SCALE=3 STARLING_TEST_APP_WRAPPER="$top/build-aux/sanitizer-wrap.sh" STARLING_SANITIZER_LOG_DIR="$sanitizer_logs" \
    GSK_RENDERER=cairo meson test -C "$sanitizer_build" --print-errorlogs --timeout-multiplier 4 \
    e2e citations-e2e markdown-a11y secrets || status=$?
  count_results "$sanitizer_build"
  rm -rf "$sanitizer_logs"

fi

if [ -n "$fuzz_build" ]; then
  # The libFuzzer targets, each for a bounded time after replaying its
  # regression inputs (tests/fuzz/README.md). Not beside the end-to-end
  # tests: their waits are for an idle machine (a click on a citation marker
  # went unanswered with a fuzzer on the other core).
  STARLING_FUZZ_SECONDS=${STARLING_FUZZ_SECONDS:-30} meson test -C "$fuzz_build" --print-errorlogs \
    --num-processes 2 --suite fuzz || status=$?
  count_results "$fuzz_build"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
