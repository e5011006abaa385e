#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A long local run of one fuzz target, for a number of executions:
#   tests/fuzz/long-run.sh BUILD_DIR TARGET RUNS [libFuzzer options...]
# e.g. nice -n 19 tests/fuzz/long-run.sh _build-fuzz response 10000000
# It keeps going past bugs that were reported but are not fixed yet: UBSan
# reports matched by known-bugs.supp, and the harness checks named in
# STARLING_FUZZ_TOLERATE (see README.md). New inputs go to the same corpus
# as the meson test's; crashes to BUILD_DIR/tests/fuzz/artifacts-fuzz-TARGET;
# the log to BUILD_DIR/tests/fuzz/long-TARGET.log. Prints the final figures.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
target=$2
runs=$3
shift 3

dir="$build/tests/fuzz"
fuzzer="$dir/fuzz-$target"
work="$dir/corpus-fuzz-$target"
artifacts="$dir/artifacts-fuzz-$target"
log="$dir/long-$target.log"
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

start=$(date +%s)
status=0
# shellcheck disable=SC2086
"$fuzzer" $dict "$@" \
  -runs="$runs" \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -error_exitcode=1 \
  -artifact_prefix="$artifacts/" \
  "$work" "$dir/seeds-$target" >"$log" 2>&1 || status=$?
end=$(date +%s)

last=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1)
echo "$target: $(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}') executions" \
     "in $((end - start)) s, last status: $last"
grep -a -E 'ERROR|SUMMARY|check failed' "$log" | head -n 5 || true
exit "$status"
