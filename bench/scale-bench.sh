#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scale-bench.sh - thousands of nodes: nsnet up, a no-op re-up, status,
# check and down, with the peak memory of each, side by side with the
# kernel floor (the same topology by `ip -batch`) and with Mininet 2.3
# (Debian's package, Linux bridge, no controller). Every run in its own
# sandbox. See docs/performance.md (Scale).
#
#   sudo NSNET=build-release/nsnet bench/scale-bench.sh [-n 1000,2000,5000,10000]
#        [-w PER_NETWORK] [-r RUNS] [-s SAMPLE] [-m MININET_SIZES]
#        [-p PINGALL_SIZES] [-t SECONDS] [-f FLOOR_SIZES] [-S SECONDS]
#
#   -n  node counts                              default 1000,2000,5000,10000
#   -w  nodes per network (each with NAT, a /16); 0: all of them on one
#       network, which spans a bridge and leaf bridges past 1,000 nodes
#                                                               default 1000
#   -r  runs of each nsnet and floor measurement (medians)         default 1
#   -s  check --sample SAMPLE (0: every pair, N*(N-1) probes)      default 20
#   -m  sizes at which Mininet builds its topology (--test none)
#                                                    default 100,1000,2000
#   -p  sizes at which Mininet runs pingall (one ping per pair, in turn)
#                                                    default 20,50
#   -t  the longest one Mininet run may take (timeout), seconds    default 300
#   -f  sizes at which the ip -batch floor runs              default: all of -n
#   -S  seconds to wait after up before the settled re-up and status
#       (five of each, medians): the kernel's own IPv6 start-up of N new
#       interfaces (DAD, router solicitations, MLD reports, flooded by the
#       bridge to every port) keeps the CPUs busy for ~15 s at 1,000 nodes;
#       0 leaves them out                                           default 20
#
# A quick run: bench/scale-bench.sh -n 1000,2000 -m 100 -p 20
#
# Rows:
#   nsnet       up, second up (nothing to do), status --json, check --json
#               (sampled), down: wall ms, peak RSS (/usr/bin/time -f %M) and
#               the CPU time (user + system) of up, re-up, status and down;
#               the re-up and status right after up, and settled (-S);
#               the last node then reaches its gateway and, through NAT, the
#               upstream
#   ip -batch   the kernel floor (networks of 1,000 whatever -w says: a
#               bridge takes no more): one `ip -batch` for the host side
#               (namespaces, bridges, veths) and one `ip -n NODE -batch` per
#               node (loopback, address, link up, default route), then one
#               `ip -batch` of netns del; the least a script can do
#   mininet     `mn --switch lxbr --controller none --topo single,N
#               --test none` (build, then stop) and `--test pingall`, whole
#               command wall time; Mininet puts every host on one bridge
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES=1000,2000,5000,10000
PER=1000
RUNS=1
SAMPLE=20
MN_SIZES=100,1000,2000
PING_SIZES=20,50
MN_TIMEOUT=300
SETTLE=20
FLOOR_SIZES=
while getopts "n:w:r:s:m:p:t:f:S:h" opt; do
	case $opt in
	n) SIZES=$OPTARG ;;
	w) PER=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	s) SAMPLE=$OPTARG ;;
	m) MN_SIZES=$OPTARG ;;
	p) PING_SIZES=$OPTARG ;;
	t) MN_TIMEOUT=$OPTARG ;;
	S) SETTLE=$OPTARG ;;
	f) FLOOR_SIZES=$OPTARG ;;
	*) sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[1-9]$ ]] || { echo "RUNS must be 1-9" >&2; exit 2; }
[[ $SAMPLE =~ ^[0-9]+$ ]] || { echo "SAMPLE must be a number" >&2; exit 2; }
[[ $PER =~ ^[0-9]+$ ]] || { echo "-w: nodes per network, 0 for one network" >&2; exit 2; }
[[ $MN_TIMEOUT =~ ^[0-9]+$ ]] || { echo "-t: seconds" >&2; exit 2; }
[[ $SETTLE =~ ^[0-9]+$ ]] || { echo "-S: seconds" >&2; exit 2; }
FLOOR_SIZES=${FLOOR_SIZES:-$SIZES}
for list in "$SIZES" "$MN_SIZES" "$PING_SIZES" "$FLOOR_SIZES"; do
	[[ -z $list || $list =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "sizes: N,N,..." >&2; exit 2; }
done
bench_find_nsnet
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
# Mininet is for this comparison only: installed here, not by the project.
if ! command -v mn >/dev/null || ! command -v brctl >/dev/null; then
	if [ -n "$MN_SIZES$PING_SIZES" ] && [ "$(id -u)" = 0 ]; then
		echo "installing mininet and bridge-utils (Debian) for the comparison rows" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			mininet bridge-utils >/dev/null 2>&1 || true
	fi
fi
HAVE_MN=; command -v mn >/dev/null && command -v brctl >/dev/null && HAVE_MN=1
export NSNET SAMPLE MN_TIMEOUT PER SETTLE

bench_machine
echo "sandbox: $(bench_sandbox_kind)"
echo "mininet: $([ -n "$HAVE_MN" ] && dpkg-query -W -f '${Version}' mininet 2>/dev/null || echo "not installed: rows left out")"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: other work runs beside this)"

in_list() {  # N LIST
	[[ ",$2," == *",$1,"* ]]
}

# The topology of N nodes: networks of PER nodes (0: one network), each a
# /16 with its gateway on its bridge and NAT.
gen_topology() {  # N NAME
	local n=$1 i k per=$PER
	[ "$per" -gt 0 ] || per=$n
	echo "name: $2"
	echo "networks:"
	for ((k = 0; k * per < n; k++)); do
		echo "  net$k: {bridge: sb$k, subnet: 10.$((100 + k)).0.0/16, nat: true}"
	done
	echo "nodes:"
	for ((i = 0; i < n; i++)); do
		echo "  n$i: {networks: {net$((i / per)): }}"
	done
}
export -f gen_topology

# One nsnet run: prints "up reup status check down" in µs, then the five
# peak RSS in KiB, then "pairs reached not_probed", then the CPU time (user
# + system) of up, re-up, status and down in ms, then the medians of five
# settled re-ups and statuses in µs (0 0 with -S 0).
one_nsnet() {  # N
	N=$1 bench_sandbox <<'EOF'
now() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"; }
# the last line: "peak-RSS-KiB user-s system-s" (time notes a failed exit first)
rss() { tail -1 /run/nsnet/rss | cut -d' ' -f1; }
cpu() { tail -1 /run/nsnet/rss | awk '{ printf "%d", ($2 + $3) * 1000 }'; }
gen_topology "$N" s$N > /run/nsnet/t.yaml
per=$PER; [ "$per" -gt 0 ] || per=$N
T=(/usr/bin/time -f "%M %U %S" -o /run/nsnet/rss)
now t0; "${T[@]}" "$NSNET" up /run/nsnet/t.yaml >/dev/null; now t1; m_up=$(rss); c_up=$(cpu)
# (-w10: a node just put on a bridge of 1,000 ports, on a loaded machine)
ip netns exec n$((N - 1)) ping -c1 -w10 10.$((100 + (N - 1) / per)).0.1 >/dev/null ||
	echo "scale-bench: n$((N - 1)) does not reach its gateway" >&2
ip netns exec n$((N - 1)) ping -c1 -w10 198.51.100.1 >/dev/null ||
	echo "scale-bench: n$((N - 1)) does not reach the upstream through NAT" >&2
now t2; "${T[@]}" "$NSNET" up /run/nsnet/t.yaml >/dev/null; now t3; m_reup=$(rss); c_reup=$(cpu)
now t4; "${T[@]}" "$NSNET" status s$N --json >/dev/null || true; now t5
m_status=$(rss); c_status=$(cpu)
settled_reup=0 settled_status=0
if [ "$SETTLE" -gt 0 ]; then
	sleep "$SETTLE"
	ru=() st=()
	for k in 1 2 3 4 5; do
		now a; "$NSNET" up /run/nsnet/t.yaml >/dev/null; now b; ru+=($((b - a)))
		now a; "$NSNET" status s$N --json >/dev/null || true; now b; st+=($((b - a)))
	done
	settled_reup=$(printf '%s\n' "${ru[@]}" | sort -n | sed -n 3p)
	settled_status=$(printf '%s\n' "${st[@]}" | sort -n | sed -n 3p)
fi
args=(--json); [ "$SAMPLE" -gt 0 ] && args+=(--sample "$SAMPLE")
now t6; "${T[@]}" "$NSNET" check s$N "${args[@]}" >/run/nsnet/check.json || true; now t7
[ -s /run/nsnet/check.json ] || echo '{"summary":{}}' >/run/nsnet/check.json
m_check=$(rss)
read -r pairs reached np < <(jq -r '.summary | "\(.pairs) \(.reached) \(.not_probed)"' /run/nsnet/check.json)
now t8; "${T[@]}" "$NSNET" down s$N; now t9; m_down=$(rss); c_down=$(cpu)
left=$(ip netns list | grep -vc '^upstream' || true)
[ "$left" = 0 ] || echo "scale-bench: $left namespaces left after down" >&2
left=$(ip -j link show | jq '[.[] | select(.ifname | test("^sb"))] | length')
[ "$left" = 0 ] || echo "scale-bench: $left bridges left after down" >&2
echo "$((t1 - t0)) $((t3 - t2)) $((t5 - t4)) $((t7 - t6)) $((t9 - t8)) $m_up $m_reup $m_status $m_check $m_down $pairs $reached $np $c_up $c_reup $c_status $c_down $settled_reup $settled_status"
EOF
}

# The kernel floor: the same namespaces, bridges, veths, addresses and
# routes by `ip -batch`. Prints "up down" in µs, the host batch's RSS, and
# the host batch's own time (one process: the kernel's work for the
# namespaces, bridges and veths; the rest is N processes, one per node).
one_floor() {  # N
	N=$1 bench_sandbox <<'EOF'
now() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"; }
mkdir -p /run/nsnet/b
{
	for ((k = 0; k * 1000 < N; k++)); do
		echo "link add sb$k type bridge"
		echo "addr add 10.$((100 + k)).0.1/16 dev sb$k"
	done
	for ((i = 0; i < N; i++)); do
		echo "netns add n$i"
		echo "link add v$i type veth peer name eth0 netns n$i"
		echo "link set v$i master sb$((i / 1000)) up"
	done
	for ((k = 0; k * 1000 < N; k++)); do echo "link set sb$k up"; done
} > /run/nsnet/b/host
for ((i = 0; i < N; i++)); do
	k=$((i / 1000))
	printf 'link set lo up\naddr add 10.%d.%d.%d/16 dev eth0\nlink set eth0 up\nroute add default via 10.%d.0.1\n' \
		$((100 + k)) $(((i % 1000) / 250)) $((i % 250 + 2)) $((100 + k)) > /run/nsnet/b/n$i
done
{ for ((i = 0; i < N; i++)); do echo "netns del n$i"; done; } > /run/nsnet/b/down
now t0
/usr/bin/time -f %M -o /run/nsnet/rss ip -batch /run/nsnet/b/host
now th
for ((i = 0; i < N; i++)); do ip -n n$i -batch /run/nsnet/b/n$i; done
now t1
# (-w10: a node just put on a bridge of 1,000 ports, on a loaded machine)
ip netns exec n$((N - 1)) ping -c1 -w10 10.$((100 + (N - 1) / 1000)).0.1 >/dev/null ||
	echo "scale-bench: floor: n$((N - 1)) does not reach its gateway" >&2
now t2
ip -batch /run/nsnet/b/down
for ((k = 0; k * 1000 < N; k++)); do ip link del sb$k; done
now t3
echo "$((t1 - t0)) $((t3 - t2)) $(cat /run/nsnet/rss) $((th - t0))"
EOF
}

# Mininet: build and stop (--test none) or pingall, bounded. Prints the
# wall µs (0 when it did not finish in time) and, for pingall, its result.
one_mininet() {  # N none|pingall
	N=$1 TEST=$2 bench_sandbox <<'EOF'
now() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"; }
cd /run/nsnet
now t0
if timeout "$MN_TIMEOUT" mn --switch lxbr --controller none --topo "single,$N" \
	--test "$TEST" >/run/nsnet/mn.log 2>&1; then
	now t1
	res=$(sed -n 's/.*Results: \([0-9.]*%\) dropped (\([0-9]*\/[0-9]*\) received).*/\2/p' /run/nsnet/mn.log | head -1)
	echo "$((t1 - t0)) ${res:--}"
else
	echo "0 -"
fi
EOF
}

fmt_ms() {  # µs or 0
	if [ "$1" = 0 ]; then echo "timeout"; else bench_ms "$1"; fi
}
fmt_settled() {  # µs or 0 (-S 0)
	if [ "$1" = 0 ]; then echo "-"; else bench_ms "$1"; fi
}
fmt_mib() {  # KiB
	awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'
}

printf '\n%-6s %-10s %10s %10s %10s %10s %10s  %s\n' N way "up ms" "re-up ms" "status ms" \
	"check ms" "down ms" "peak RSS up/re-up/status/check/down, check; CPU (user+sys) up/re-up/status/down"
IFS=, read -r -a sizes <<<"$SIZES"
for n in "${sizes[@]}"; do
	cols=() rows=()
	for ((r = 0; r < RUNS; r++)); do
		sleep 2  # the last sandbox's namespaces are torn down in the background
		rows+=("$(one_nsnet "$n")")
	done
	for c in 0 1 2 3 4 5 6 7 8 9 13 14 15 16 17 18; do
		vals=()
		for row in "${rows[@]}"; do read -r -a f <<<"$row"; vals+=("${f[c]}"); done
		cols+=("$(bench_median "${vals[@]}")")
	done
	read -r -a last <<<"${rows[-1]}"
	printf '%-6s %-10s %10s %10s %10s %10s %10s  %s / %s / %s / %s / %s; %s pairs%s, %s reached, %s not probed; CPU %s / %s / %s / %s ms; settled re-up/status %s / %s ms   (load %s)\n' \
		"$n" "$([ "$PER" = 0 ] && echo "nsnet 1net" || echo nsnet)" \
		"$(bench_ms "${cols[0]}")" "$(bench_ms "${cols[1]}")" \
		"$(bench_ms "${cols[2]}")" "$(bench_ms "${cols[3]}")" "$(bench_ms "${cols[4]}")" \
		"$(fmt_mib "${cols[5]}")" "$(fmt_mib "${cols[6]}")" "$(fmt_mib "${cols[7]}")" \
		"$(fmt_mib "${cols[8]}")" "$(fmt_mib "${cols[9]}")" "${last[10]}" \
		"$([ "$SAMPLE" -gt 0 ] && echo " (--sample $SAMPLE)")" "${last[11]}" "${last[12]}" \
		"${cols[10]}" "${cols[11]}" "${cols[12]}" "${cols[13]}" \
		"$(fmt_settled "${cols[14]}")" "$(fmt_settled "${cols[15]}")" \
		"$(cut -d' ' -f1 /proc/loadavg)"
	in_list "$n" "$FLOOR_SIZES" || continue
	ups=() downs=() mems=() hosts=()
	for ((r = 0; r < RUNS; r++)); do
		sleep 2
		read -r u d m h < <(one_floor "$n")
		ups+=("$u"); downs+=("$d"); mems+=("$m"); hosts+=("$h")
	done
	printf '%-6s %-10s %10s %10s %10s %10s %10s  %s (the host-side ip -batch); up = host batch %s ms + %s node batches   (load %s)\n' \
		"$n" "ip -batch" "$(bench_ms "$(bench_median "${ups[@]}")")" - - - \
		"$(bench_ms "$(bench_median "${downs[@]}")")" "$(fmt_mib "$(bench_median "${mems[@]}")")" \
		"$(bench_ms "$(bench_median "${hosts[@]}")")" "$n" "$(cut -d' ' -f1 /proc/loadavg)"
done
if [ -n "$HAVE_MN" ]; then
	IFS=, read -r -a mn_sizes <<<"$MN_SIZES"
	for n in "${mn_sizes[@]}"; do
		[ -n "$n" ] || continue
		sleep 2
		read -r w _ < <(one_mininet "$n" none)
		printf '%-6s %-10s %10s %10s %10s %10s %10s  %s   (load %s)\n' "$n" mininet - - - - - \
			"build + stop: $(fmt_ms "$w") ms (timeout ${MN_TIMEOUT} s)" \
			"$(cut -d' ' -f1 /proc/loadavg)"
	done
	IFS=, read -r -a ping_sizes <<<"$PING_SIZES"
	for n in "${ping_sizes[@]}"; do
		[ -n "$n" ] || continue
		sleep 2
		read -r w res < <(one_mininet "$n" pingall)
		printf '%-6s %-10s %10s %10s %10s %10s %10s  %s   (load %s)\n' "$n" mininet - - - - - \
			"pingall (build, $((n * (n - 1))) pings, stop): $(fmt_ms "$w") ms, $res received" \
			"$(cut -d' ' -f1 /proc/loadavg)"
	done
fi
