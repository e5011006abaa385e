#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one libFuzzer target for the meson test: first every saved crash of
# tests/fuzz/regressions/NAME once, then fuzzing from the seeds for a bounded
# time (STARLING_FUZZ_SECONDS, 15 by default).
#   run-fuzz.sh FUZZER SEEDS_DIR REGRESSIONS_DIR LSAN_SUPPRESSIONS [libFuzzer options...]
set -eu

fuzzer=$1
seeds=$2
regressions=$3
suppressions=$4
shift 4

seconds=${STARLING_FUZZ_SECONDS:-15}
name=$(basename "$fuzzer")
build_dir=$(dirname "$fuzzer")
# New inputs found go here, kept between runs in the build directory.
work="$build_dir/corpus-$name"
artifacts="$build_dir/artifacts-$name"
mkdir -p "$work" "$artifacts"

# (the targets set halt_on_error and detect_leaks themselves)
# A test tolerates no known bug: only long local runs do (long-run.sh).
unset STARLING_FUZZ_TOLERATE
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$suppressions:print_suppressions=0"

if [ -d "$regressions" ]; then
  # Every file but notes: each is one input that crashed once.
  replay=$(find "$regressions" -type f ! -name '*.md' | sort)
  if [ -n "$replay" ]; then
    echo "# replaying $(echo "$replay" | wc -l) regression inputs"
    # shellcheck disable=SC2086
    "$fuzzer" -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 -timeout=10 $replay
  fi
fi

echo "# fuzzing $name for $seconds s from $seeds"
status=0
"$fuzzer" "$@" \
  -max_total_time="$seconds" \
  -error_exitcode=1 \
  -timeout_exitcode=1 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$artifacts/" \
  "$work" "$seeds" || status=$?

if [ "$status" -ne 0 ]; then
  echo "# $name failed; the input that did it is in $artifacts/" >&2
  ls -l "$artifacts" >&2
fi
exit "$status"
