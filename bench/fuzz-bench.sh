#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/fuzz-bench.sh [SECONDS] - every fuzz target of tests/fuzz, built as
# tests/fuzz/run.sh builds them (libFuzzer, ASan, UBSan), run SECONDS each
# (default 60) from its seed corpus, one line per target:
#
#   fuzz netlink: 5938399 executions, 0 crashes (60 s, corpus 8 -> 188)
#
# A crash does not end a target's time: it is counted, its reproducer kept
# in build-fuzz-out/ (with its first lines of report), and the target
# starts again from the grown corpus until its time is up (at most 20
# crashes a target). Nothing here touches the network: the targets are
# pure functions. Like every bench script it prints numbers and does not
# judge them; the numbers go in the closing note of the work they measure.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
case $secs in ''|*[!0-9]*) echo "usage: bench/fuzz-bench.sh [SECONDS]" >&2; exit 2;; esac
out=$PWD/build-fuzz-out
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

if ! FUZZ_BIN_DIR="$work" tests/fuzz/run.sh >"$work/build.log" 2>&1; then
	cat "$work/build.log"
	exit 1
fi
if [ ! -s "$work/targets" ]; then
	cat "$work/build.log"   # "skipped (no clang/libFuzzer)"
	exit 0
fi

total_crashes=0
while read -r target; do
	corpus=$work/corpus-$target
	mkdir -p "$corpus"
	cp tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null
	seeds=$(ls "$corpus" | wc -l)
	end=$((SECONDS + secs))
	execs=0 crashes=0
	while [ $((left = end - SECONDS)) -gt 0 ] && [ "$crashes" -lt 20 ]; do
		log=$work/$target.log
		(cd "$work" && timeout $((left + 30)) ./fuzz_"$target" -max_total_time="$left" \
			-timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix="$out/$target-" "$corpus") >"$log" 2>&1
		rc=$?
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		# A crashing run prints no final stats: its last status line has
		# the count.
		[ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
		execs=$((execs + ${n:-0}))
		[ "$rc" -eq 0 ] && break
		crashes=$((crashes + 1))
		grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 \
			>>"$out/$target-report.txt"
	done
	total_crashes=$((total_crashes + crashes))
	echo "fuzz $target: $execs executions, $crashes crashes (${secs} s, corpus $seeds -> $(ls "$corpus" | wc -l))"
done <"$work/targets"
[ "$total_crashes" -eq 0 ] || echo "reproducers and reports: $out"
