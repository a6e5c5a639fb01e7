#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-bench.sh - nsnet check on N nodes of one bridge (N*(N-1) pairs)
# against the way the seeds and Mininet's pingall do it: one
# `ip netns exec A ping -c1 -W1 B` per pair, one after the other. Each run
# in its own sandbox. See docs/performance.md (check).
#
#   sudo NSNET=build-release/nsnet bench/check-bench.sh [-n "20 50 100"] [-r RUNS]
#
# Rows:
#   nsnet         every pair reachable: ends when the last answer is in
#   nsnet-half    the nodes on two isolated bridges: half the pairs never
#                 answer, so the run ends at the deadline (-W 1.5)
#   ping-per-pair sequential pings (one run; at 100 nodes it takes minutes)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES="20 50 100"
RUNS=3
while getopts "n:r:h" opt; do
	case $opt in
	n) SIZES=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	*) echo "usage: $0 [-n \"SIZES\"] [-r RUNS (1-9)]" >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[1-9]$ ]] || { echo "RUNS must be 1-9" >&2; exit 2; }
bench_find_nsnet
HAVE_TIME=; [ -x /usr/bin/time ] && HAVE_TIME=1
export NSNET HAVE_TIME

bench_machine
echo "sandbox: $(bench_sandbox_kind)"

# One measurement: prints "wall_us pairs reached max_rss_kib".
one() {  # way N
	WAY=$1 N=$2 bench_sandbox <<'EOF2'
now() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"; }
{
	echo "name: c$N"
	echo "networks:"
	echo "  a: {bridge: br_a, subnet: 10.91.0.0/16}"
	echo "  b: {bridge: br_b, subnet: 10.92.0.0/16}"
	echo "nodes:"
	for ((i = 0; i < N; i++)); do
		net=a; [ "$WAY" = nsnet-half ] && [ $((i % 2)) -eq 1 ] && net=b
		echo "  n$i: {networks: {$net: }}"
	done
} > /run/nsnet/t.yaml
"$NSNET" up /run/nsnet/t.yaml >/dev/null
case $WAY in
nsnet|nsnet-half)
	rss=0
	now t0
	if [ -n "$HAVE_TIME" ]; then
		/usr/bin/time -f '%M' -o /run/nsnet/rss "$NSNET" check c$N --json >/run/nsnet/out || true
		rss=$(cat /run/nsnet/rss)
	else
		"$NSNET" check c$N --json >/run/nsnet/out || true
	fi
	now t1
	read -r pairs reached < <(jq -r '"\(.summary.pairs) \(.summary.reached)"' /run/nsnet/out)
	echo "$((t1 - t0)) $pairs $reached $rss" ;;
ping-per-pair)
	mapfile -t addrs < <("$NSNET" status c$N --json | jq -r '.nodes[].addresses[0] | sub("/.*"; "")')
	pairs=0 reached=0
	now t0
	for ((i = 0; i < N; i++)); do
		for ((j = 0; j < N; j++)); do
			[ $i -eq $j ] && continue
			pairs=$((pairs + 1))
			ip netns exec n$i ping -c1 -W1 -q "${addrs[j]}" >/dev/null 2>&1 && reached=$((reached + 1))
		done
	done
	now t1
	echo "$((t1 - t0)) $pairs $reached 0" ;;
esac
EOF2
}

printf '\n%-5s %-14s %7s %8s %10s %12s %10s\n' N way pairs reached "wall ms" "us per pair" "max RSS"
for n in $SIZES; do
	for way in nsnet nsnet-half ping-per-pair; do
		runs=$RUNS
		[ "$way" = ping-per-pair ] && runs=1
		walls=() rss=()
		for ((r = 0; r < runs; r++)); do
			sleep 2   # the last sandbox's namespaces are torn down in the background
			read -r w p reached m < <(one $way "$n")
			walls+=("$w"); rss+=("$m")
		done
		w=$(bench_median "${walls[@]}"); m=$(bench_median "${rss[@]}")
		printf '%-5s %-14s %7s %8s %10s %12s %10s   (load %s)\n' "$n" "$way" "$p" "$reached" \
			"$(bench_ms "$w")" "$((w / p))" "$([ "$m" -gt 0 ] && echo "${m} KiB" || echo -)" \
			"$(cut -d' ' -f1 /proc/loadavg)"
	done
done
