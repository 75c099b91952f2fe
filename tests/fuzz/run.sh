#!/usr/bin/env bash
# Runs a libFuzzer target for SECS seconds on a copy of its seed corpus and
# prints one TAP line; a crash (or leak, or UB report) fails it, and the
# input that caused it is kept in the working directory.
#
#   tests/fuzz/run.sh FUZZER CORPUS_DIR SECS
set -uo pipefail

fuzzer=${1:?usage: run.sh FUZZER CORPUS_DIR SECS} seeds=${2:?} secs=${3:?}
name="fuzz: $(basename "$fuzzer") for ${secs} s"
work=$(mktemp -d "${TMPDIR:-/tmp}/isolate-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$seeds/." "$work/corpus"
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$PWD/fuzz-" "$work/corpus" >"$work/log" 2>&1
status=$?
if [ "$status" -eq 0 ]; then
	echo "ok - $name ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs)"
else
	echo "not ok - $name: status $status"
	grep -E 'ERROR|SUMMARY|artifact' "$work/log" | head -20 | sed 's/^/# /'
fi
exit "$status"
