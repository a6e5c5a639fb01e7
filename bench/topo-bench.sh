#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# topo-bench.sh - a whole topology up and down: N nodes on one bridge with
# addresses, loopback and default route, done by `nsnet up`/`nsnet down`,
# by the seeds' way (one ip process a step) and by the CNI bridge plugin
# (ip netns add + one ADD per node; DEL + ip netns del), side by side, each
# run in its own sandbox. See docs/performance.md (Topologies).
#
#   sudo NSNET=build-release/nsnet bench/topo-bench.sh [-n "50 200 1000"] [-r RUNS]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES="50 200 1000"
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
CNI_DIR=/usr/lib/cni
HAVE_CNI=; [ -x $CNI_DIR/bridge ] && [ -x $CNI_DIR/host-local ] && HAVE_CNI=1
export NSNET CNI_DIR

bench_machine
echo "sandbox: $(bench_sandbox_kind)"

# One measurement: prints "up_us down_us" (plus the step times of nsnet up
# on stderr). Every way checks its result before down.
one() {  # way N
	WAY=$1 N=$2 bench_sandbox <<'EOF'
now() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"; }
case $WAY in
nsnet)
	{ echo "name: b$N"; echo "networks:"; echo "  lan: {bridge: br0, subnet: 10.90.0.0/16}"
	  echo "nodes:"; for ((i = 0; i < N; i++)); do echo "  n$i: {networks: {lan: }}"; done
	} > /run/nsnet/t.yaml
	now t0; NSNET_TIMING=1 "$NSNET" up /run/nsnet/t.yaml >/dev/null 2>/run/nsnet/steps; now t1
	ip netns exec n$((N - 1)) ping -c1 -W2 10.90.0.1 >/dev/null || echo "check nsnet failed" >&2
	now t2; "$NSNET" up /run/nsnet/t.yaml >/dev/null; now t3
	now t4; "$NSNET" down b$N; now t5
	echo "$((t1 - t0)) $((t5 - t4)) $((t3 - t2))"
	sed 's/^nsnet: */  step /' /run/nsnet/steps >&2 ;;
ip)
	now t0
	ip link add br0 type bridge; ip addr add 10.90.0.1/16 dev br0; ip link set br0 up
	for ((i = 0; i < N; i++)); do
		ip netns add n$i
		ip link add v$i type veth peer name eth0 netns n$i
		ip link set v$i master br0
		ip -n n$i addr add 10.90.$((i / 250)).$((i % 250 + 2))/16 dev eth0
		ip -n n$i link set lo up
		ip -n n$i link set eth0 up
		ip link set v$i up
		ip -n n$i route add default via 10.90.0.1
	done
	now t1
	ip netns exec n$((N - 1)) ping -c1 -W2 10.90.0.1 >/dev/null || echo "check ip failed" >&2
	now t4
	for ((i = 0; i < N; i++)); do ip netns del n$i; done
	ip link del br0
	now t5
	echo "$((t1 - t0)) $((t5 - t4)) 0" ;;
cni)
	cat >/run/nsnet/cni.json <<JSON
{ "cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "br0",
  "isGateway": true, "ipam": { "type": "host-local", "subnet": "10.90.0.0/16",
  "dataDir": "/run/nsnet/cni-ipam" } }
JSON
	now t0
	for ((i = 0; i < N; i++)); do
		ip netns add n$i
		CNI_COMMAND=ADD CNI_CONTAINERID=c$i CNI_NETNS=/run/netns/n$i CNI_IFNAME=eth0 \
			CNI_PATH=$CNI_DIR $CNI_DIR/bridge </run/nsnet/cni.json >/dev/null
	done
	now t1
	ip netns exec n$((N - 1)) ping -c1 -W2 10.90.0.1 >/dev/null || echo "check cni failed" >&2
	now t4
	for ((i = 0; i < N; i++)); do
		CNI_COMMAND=DEL CNI_CONTAINERID=c$i CNI_NETNS=/run/netns/n$i CNI_IFNAME=eth0 \
			CNI_PATH=$CNI_DIR $CNI_DIR/bridge </run/nsnet/cni.json >/dev/null
		ip netns del n$i
	done
	ip link del br0
	now t5
	echo "$((t1 - t0)) $((t5 - t4)) 0" ;;
esac
EOF
}

printf '\n%-6s %-6s %10s %10s %12s %14s\n' N way "up ms" "down ms" "up ms/node" "2nd up ms"
for n in $SIZES; do
	for way in nsnet ip cni; do
		[ "$way" = cni ] && [ -z "$HAVE_CNI" ] && continue
		runs=$RUNS
		# the seeds' way at 1,000 nodes is 9,000 processes: once is enough
		[ "$n" -ge 1000 ] && [ "$way" != nsnet ] && runs=1
		ups=() downs=() seconds=()
		for ((r = 0; r < runs; r++)); do
			sleep 2   # the last sandbox's namespaces are torn down in the background
			read -r u d s < <(one $way $n 2>/tmp/topo-bench-steps.$$)
			ups+=("$u"); downs+=("$d"); seconds+=("$s")
		done
		u=$(bench_median "${ups[@]}"); d=$(bench_median "${downs[@]}")
		s=$(bench_median "${seconds[@]}")
		printf '%-6s %-6s %10s %10s %12s %14s   (load %s)\n' "$n" "$way" "$(bench_ms "$u")" \
			"$(bench_ms "$d")" "$(bench_ms $((u / n)))" \
			"$([ "$way" = nsnet ] && bench_ms "$s" || echo -)" "$(cut -d' ' -f1 /proc/loadavg)"
		[ "$way" = nsnet ] && [ "$n" -ge 1000 ] && cat /tmp/topo-bench-steps.$$
	done
done
rm -f /tmp/topo-bench-steps.$$
