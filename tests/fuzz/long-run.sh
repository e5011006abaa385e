#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A long local run of one fuzz target, for a number of executions:
#   tests/fuzz/long-run.sh BUILD_DIR TARGET RUNS [libFuzzer options...]
# e.g. nice -n 19 tests/fuzz/long-run.sh _build-fuzz response 10000000
# With STARLING_FUZZ_WORKERS=N (default 1), N processes share the corpus and
# the runs (RUNS / N each), one per core. It keeps going past bugs that were
# reported but are not fixed yet: UBSan reports matched by known-bugs.supp,
# and the harness checks named in STARLING_FUZZ_TOLERATE (see README.md).
# New inputs go to the same corpus as the meson test's; crashes to
# BUILD_DIR/tests/fuzz/artifacts-fuzz-TARGET; the logs to
# BUILD_DIR/tests/fuzz/long-TARGET[-wN].log. Prints the final figures.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
target=$2
runs=$3
shift 3
workers=${STARLING_FUZZ_WORKERS:-1}

dir="$build/tests/fuzz"
fuzzer="$dir/fuzz-$target"
work="$dir/corpus-fuzz-$target"
artifacts="$dir/artifacts-fuzz-$target"
mkdir -p "$work" "$artifacts"

dict=
case "$target" in
  sse-decoder|response|import) dict="-dict=$here/gemini.dict" ;;
  markdown) dict="-dict=$here/markdown.dict" ;;
esac

export LSAN_OPTIONS="suppressions=$here/../../build-aux/lsan.supp:print_suppressions=0"
if [ -f "$here/known-bugs.supp" ]; then
  export UBSAN_OPTIONS="suppressions=$here/known-bugs.supp"
fi

log_of() {
  if [ "$workers" -gt 1 ]; then echo "$dir/long-$target-w$1.log"; else echo "$dir/long-$target.log"; fi
}

start=$(date +%s)
pids=
i=1
while [ "$i" -le "$workers" ]; do
  # shellcheck disable=SC2086
  "$fuzzer" $dict "$@" \
    -runs=$((runs / workers)) \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -error_exitcode=1 \
    -artifact_prefix="$artifacts/" \
    "$work" "$dir/seeds-$target" >"$(log_of "$i")" 2>&1 &
  pids="$pids $!"
  i=$((i + 1))
done

status=0
for pid in $pids; do
  wait "$pid" || status=$?
done
end=$(date +%s)

total=0
i=1
while [ "$i" -le "$workers" ]; do
  log=$(log_of "$i")
  executed=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  total=$((total + ${executed:-0}))
  echo "$target worker $i: ${executed:-?} executions, last status:" \
       "$(grep -a -E '^#[0-9]+' "$log" | tail -n 1)"
  grep -a -E 'ERROR|SUMMARY|check failed' "$log" | head -n 5 || true
  i=$((i + 1))
done
echo "$target: $total executions in $((end - start)) s"
exit "$status"
