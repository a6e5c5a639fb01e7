#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fw-bench.sh - published ports stay flat: the time to add the 11th and the
# 10,001st mapping, and the TCP connect latency through a published port
# with 10 and with 10,000 mappings in force, side by side, in one run inside
# one throwaway sandbox. See docs/performance.md (Firewall).
#
#   sudo NSNET=build-release/nsnet bench/fw-bench.sh [-r RUNS] [-c CONNECTS]
#
# The first 10 mappings are made with `nsnet publish`; the 9,990 that take
# the table to 10,000 are loaded with one `nft -f` of the same elements
# nsnet writes (ports, owners, pub4any), because 9,990 process starts
# would only measure process starts. Every timed add is a real
# `nsnet publish`, undone with a (timed) `nsnet unpublish`.

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=9
CONNECTS=200
usage() {
	echo "usage: $0 [-r RUNS (1-51, default 9)] [-c CONNECTS (10-2000, default 200)]" >&2
	exit 2
}
while getopts "r:c:h" opt; do
	case $opt in
	r) RUNS=$OPTARG ;;
	c) CONNECTS=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 51 ] || usage
[[ $CONNECTS =~ ^[0-9]+$ ]] && [ "$CONNECTS" -ge 10 ] && [ "$CONNECTS" -le 2000 ] || usage
if [ "$(id -u)" != 0 ]; then
	echo "fw-bench: needs root (it builds namespaces in a sandbox)" >&2
	exit 1
fi
bench_find_nsnet
export RUNS CONNECTS BENCH_ROOT
export -f bench_now_us bench_median bench_ms

echo "## Machine"
bench_machine
echo "nsnet: $NSNET"
echo "sandbox: $(bench_sandbox_kind)"
echo

bench_sandbox <<'EOF'
nsnet() { "$NSNET" "$@"; }
# The simulated upstream when the sandbox did not make one.
if ! ip netns list | grep -qw upstream; then
	ip netns add upstream
	ip link add eth0 type veth peer name eth0 netns upstream
	ip addr add 198.51.100.2/24 dev eth0
	ip link set eth0 up
	ip -n upstream addr add 198.51.100.1/24 dev eth0
	ip -n upstream link set eth0 up
	ip -n upstream link set lo up
	ip route add default via 198.51.100.1
fi
nsnet ns add web
nsnet bridge add br0 --addr 10.1.0.1/16
nsnet attach web br0 --addr 10.1.0.2/16 --gateway 10.1.0.1
# A server that accepts and closes, for 10 minutes at most.
ip netns exec web timeout 600 python3 -c '
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(512)
while True:
    c,_=s.accept(); c.close()' &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.3

# Median microseconds of one `nsnet publish` of a fresh port and of the
# `nsnet unpublish` that undoes it: "ADD DEL".
time_add() {
	local -a t=() u=()
	local i t0 t1 t2

	for ((i = 0; i < RUNS; i++)); do
		bench_now_us t0
		nsnet publish web 60000:80
		bench_now_us t1
		nsnet unpublish web 60000:80
		bench_now_us t2
		t+=($((t1 - t0)))
		u+=($((t2 - t1)))
	done
	echo "$(bench_median "${t[@]}") $(bench_median "${u[@]}")"
}
# Median microseconds of a TCP connect from upstream to 198.51.100.2:8080.
time_connect() {
	ip netns exec upstream python3 -c '
import socket,sys,time
n=int(sys.argv[1]); t=[]
for i in range(n):
    s=socket.socket(); a=time.perf_counter()
    s.connect(("198.51.100.2", 8080)); b=time.perf_counter(); s.close()
    t.append(int((b-a)*1e6))
t.sort(); print(t[n//2])' "$CONNECTS"
}
count() { nft -j list map inet nsnet pub4any | jq '.nftables[1].map.elem | length'; }

nsnet publish web 8080:80
for p in $(seq 10001 10009); do nsnet publish web "$p:80"; done
[ "$(count)" = 10 ] || { echo "fw-bench: expected 10 mappings, have $(count)" >&2; exit 1; }
read -r add10 del10 < <(time_add)
conn10=$(time_connect)

# 9,990 more, exactly as nsnet writes them.
python3 - >/tmp/fw-bench.nft <<'PY'
def fnv(a, b):
    h = 2166136261
    for c in a.encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    h = ((h ^ 0xff) * 16777619) & 0xffffffff
    for c in b.encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h
mark = fnv("owner", "web")
ports = range(20000, 29990)
print("add element inet nsnet ports { " + ", ".join(f"tcp . {p}" for p in ports) + " }")
print("add element inet nsnet owners { " + ", ".join(
    f'0 . 0x{mark:08x} . tcp . {p} . {p} . 80 comment "web"' for p in ports) + " }")
print("add element inet nsnet pub4any { " + ", ".join(
    f'tcp . {p} comment "web" : 10.1.0.2 . 80' for p in ports) + " }")
PY
nft -f /tmp/fw-bench.nft
[ "$(count)" = 10000 ] || { echo "fw-bench: expected 10000 mappings, have $(count)" >&2; exit 1; }
read -r add10k del10k < <(time_add)
conn10k=$(time_connect)
[ "$(count)" = 10000 ] || { echo "fw-bench: lost mappings" >&2; exit 1; }

echo "## Published ports (median of $RUNS adds, $CONNECTS connects)"
printf '%-40s %14s %17s\n' "" "10 mappings" "10,000 mappings"
printf '%-40s %14s %17s\n' "add one more (nsnet publish), ms" "$(bench_ms "$add10")" "$(bench_ms "$add10k")"
printf '%-40s %14s %17s\n' "remove it (nsnet unpublish), ms" "$(bench_ms "$del10")" "$(bench_ms "$del10k")"
printf '%-40s %14s %17s\n' "TCP connect via 198.51.100.2:8080, us" "$conn10" "$conn10k"
EOF
