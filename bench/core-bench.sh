#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# core-bench.sh - what it costs to put a namespace on a bridge: nsnet against
# the seeds' one-ip-process-a-step way and the CNI bridge plugin, next to the
# bare cost of starting a process. See bench/README.md and docs/performance.md.
#
#   sudo NSNET=build-release/nsnet bench/core-bench.sh [-n NAMESPACES] [-r RUNS]
#
# Every run of every method happens in its own throwaway sandbox (fresh
# network and mount namespace), so nothing reaches the host and each run
# starts from an empty kernel. Runs of the methods are interleaved so that a
# slow moment of a shared machine spreads over all of them. Results are
# medians over the runs of the wall time per namespace (or per command).

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N_NS=50
RUNS=5
# Tearing down a sandbox's namespaces happens in the kernel after the
# sandbox exits and takes the rtnl lock; a short pause keeps that work out
# of the next run's numbers.
SETTLE=0.5

usage() {
	echo "usage: $0 [-n NAMESPACES (1-1000, default 50)] [-r RUNS (1-21, default 5)]" >&2
	exit 2
}

while getopts "n:r:h" opt; do
	case $opt in
	n) N_NS=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $N_NS =~ ^[0-9]+$ ]] && [ "$N_NS" -ge 1 ] && [ "$N_NS" -le 1000 ] || usage
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 21 ] || usage

if [ "$(id -u)" != 0 ]; then
	echo "core-bench: needs root (it creates namespaces inside a sandbox)" >&2
	exit 1
fi
bench_find_nsnet || exit 1
for tool in ip unshare; do
	command -v $tool >/dev/null || { echo "core-bench: $tool is missing" >&2; exit 1; }
done

CNI_DIR=/usr/lib/cni
HAVE_CNI=
if [ -x $CNI_DIR/bridge ] && [ -x $CNI_DIR/host-local ]; then
	HAVE_CNI=1
fi
HAVE_TIME=
[ -x /usr/bin/time ] && HAVE_TIME=1
HAVE_STRACE=
command -v strace >/dev/null && HAVE_STRACE=1
HAVE_PERF=
perf trace -s -o /dev/null true >/dev/null 2>&1 && HAVE_PERF=1
export N_NS NSNET CNI_DIR HAVE_TIME HAVE_STRACE HAVE_PERF

# Prepended to every sandbox script: the clock and the addresses.
PRELUDE='
now() { printf -v "$1" "%s" "${EPOCHREALTIME/[.,]/}"; }
# host i of 10.P.0.0/16, skipping .0 and the gateway .1
addr() { echo "10.$1.$(($2 / 250)).$(($2 % 250 + 2))"; }
per() { echo "$1 $((($3 - $2) / N_NS))"; }
'

# The bare cost of starting a process, measured the same way as the rest:
# a shell loop of fork+exec+wait.
SCRIPT_START='
now t0; for ((i = 0; i < N_NS; i++)); do /bin/true; done
now t1; for ((i = 0; i < N_NS; i++)); do "$NSNET" --version >/dev/null; done
now t2; for ((i = 0; i < N_NS; i++)); do ip -V >/dev/null; done
now t3
per start_true $t0 $t1
per start_nsnet $t1 $t2
per start_ip $t2 $t3
'

SCRIPT_NSNET='
"$NSNET" bridge add br --addr 10.30.0.1/16
now t0
for ((i = 0; i < N_NS; i++)); do "$NSNET" ns add n$i; done
now t1
for ((i = 0; i < N_NS; i++)); do
	"$NSNET" attach n$i br --addr $(addr 30 $i)/16 --gateway 10.30.0.1
done
now t2
names=(); for ((i = 0; i < N_NS; i++)); do names+=(m$i); done
now t3
"$NSNET" ns add "${names[@]}"
now t4
per nsnet_ns_add $t0 $t1
per nsnet_attach $t1 $t2
per nsnet_total $t0 $t2
per nsnet_ns_add_one_process $t3 $t4
# What was built must work, or the numbers mean nothing.
last=n$((N_NS - 1))
[[ "$(ip -n $last route show default)" == *"via 10.30.0.1 "* ]] || echo "check nsnet: no default route in $last"
[ "$(ip -o link show master br | wc -l)" = "$N_NS" ] || echo "check nsnet: bridge has the wrong number of ports"
ip netns exec $last ping -c1 -W2 10.30.0.1 >/dev/null || echo "check nsnet: $last cannot ping its gateway"
'

# The seeds way: one ip process a step, nine a namespace.
SCRIPT_IP='
ip link add name br type bridge
ip addr add 10.31.0.1/16 dev br
ip link set dev br up
now t0
for ((i = 0; i < N_NS; i++)); do
	ip netns add n$i
	ip link add v$i type veth peer name h$i
	ip link set v$i netns n$i
	ip link set h$i master br
	ip -n n$i addr add $(addr 31 $i)/16 dev v$i
	ip -n n$i link set lo up
	ip -n n$i link set v$i up
	ip link set h$i up
	ip -n n$i route add default via 10.31.0.1
done
now t1
per ip_total $t0 $t1
last=n$((N_NS - 1))
ip netns exec $last ping -c1 -W2 10.31.0.1 >/dev/null || echo "check ip: $last cannot ping its gateway"
'

# The CNI bridge plugin, one ADD a namespace, host-local IPAM keeping its
# state on the sandbox tmpfs. The namespaces are made with ip netns add
# first, timed apart, because CNI expects them to exist.
SCRIPT_CNI='
cat >/run/nsnet/cni.json <<JSON
{ "cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "cni0",
  "isGateway": true, "ipMasq": $MASQ,
  "ipam": { "type": "host-local", "subnet": "10.32.0.0/16",
            "dataDir": "/run/nsnet/cni-ipam" } }
JSON
now t0
for ((i = 0; i < N_NS; i++)); do ip netns add n$i; done
now t1
for ((i = 0; i < N_NS; i++)); do
	CNI_COMMAND=ADD CNI_CONTAINERID=bench$i CNI_NETNS=/run/netns/n$i \
	CNI_IFNAME=eth0 CNI_PATH=$CNI_DIR $CNI_DIR/bridge </run/nsnet/cni.json >/dev/null
done
now t2
per cni${MASQ_TAG}_netns_add $t0 $t1
per cni${MASQ_TAG}_add $t1 $t2
last=n$((N_NS - 1))
ip netns exec $last ping -c1 -W2 10.32.0.1 >/dev/null || echo "check cni: $last cannot ping its gateway"
'

# One command of each kind under /usr/bin/time and strace: peak memory and
# how many netlink round trips a command makes.
SCRIPT_PROBE='
sc() {
	local tag=$1; shift
	strace -f -c -o /run/nsnet/sc "$@" >/dev/null 2>&1 || return 0
	awk -v tag=$tag "
		\$NF == \"sendto\" || \$NF == \"sendmsg\" { s += \$4 }
		\$NF == \"recvmsg\" || \$NF == \"recvfrom\" { r += \$4 }
		\$NF == \"execve\" { e += \$4 }
		\$NF == \"total\" { t += \$4 }
		END { print \"sc\", tag, s + 0, r + 0, t + 0, e + 0 }" /run/nsnet/sc
}
rss() {
	local tag=$1; shift
	/usr/bin/time -f "rss $tag %M" -o /run/nsnet/rss "$@" >/dev/null 2>&1 || return 0
	cat /run/nsnet/rss
}
# Time spent inside the netlink and namespace syscalls, which is the kernel
# own work for the command (perf trace adds some 20 us to each call, so
# this is an upper bound).
pt() {
	local tag=$1; shift
	perf trace -s -o /run/nsnet/pt "$@" >/dev/null 2>&1 || return 0
	awk -v tag=$tag "
		\$2 ~ /^[0-9]+\$/ && \$4 ~ /^[0-9.]+\$/ {
			us = int(\$4 * 1000 + 0.5); all += us
			if (\$1 == \"sendto\" || \$1 == \"sendmsg\" || \$1 == \"recvmsg\") nl += us
			if (\$1 == \"unshare\" || \$1 == \"mount\" || \$1 == \"setns\") ns += us
		}
		END { print \"pt\", tag, nl + 0, ns + 0, all + 0 }" /run/nsnet/pt
}
"$NSNET" bridge add br --addr 10.33.0.1/16
if [ -n "$HAVE_PERF" ]; then
	for ((i = 0; i < 5; i++)); do
		pt nsnet_ns_add "$NSNET" ns add p$i
		pt nsnet_attach "$NSNET" attach p$i br --addr 10.33.1.$((i + 2))/16 --gateway 10.33.0.1
	done
fi
ip link add name br2 type bridge
ip link set dev br2 up
if [ -n "$HAVE_TIME" ]; then
	rss true /bin/true
	rss nsnet_version "$NSNET" --version
	rss nsnet_ns_add "$NSNET" ns add r0
	rss nsnet_attach "$NSNET" attach r0 br --addr 10.33.0.2/16 --gateway 10.33.0.1
	rss ip_netns_add ip netns add r1
	rss ip_link_add ip link add rv1 type veth peer name rh1
fi
if [ -n "$HAVE_STRACE" ]; then
	sc nsnet_ns_add "$NSNET" ns add s0
	sc nsnet_attach "$NSNET" attach s0 br --addr 10.33.0.3/16 --gateway 10.33.0.1
	# the nine ip steps of one namespace, summed
	steps=(
		"ip netns add s1"
		"ip link add v1 type veth peer name h1"
		"ip link set v1 netns s1"
		"ip link set h1 master br2"
		"ip -n s1 addr add 10.34.0.2/16 dev v1"
		"ip -n s1 link set lo up"
		"ip -n s1 link set v1 up"
		"ip link set h1 up"
		"ip -n s1 route add default via 10.34.0.1"
	)
	ip addr add 10.34.0.1/16 dev br2
	for st in "${steps[@]}"; do sc ip_step $st; done
	if [ -x "$CNI_DIR/bridge" ]; then
		ip netns add s2
		echo "{\"cniVersion\":\"1.0.0\",\"name\":\"p\",\"type\":\"bridge\",\"bridge\":\"cni0\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.35.0.0/16\",\"dataDir\":\"/run/nsnet/cni-ipam\"}}" >/run/nsnet/p.json
		CNI_COMMAND=ADD CNI_CONTAINERID=probe CNI_NETNS=/run/netns/s2 CNI_IFNAME=eth0 \
			CNI_PATH=$CNI_DIR sc cni_add $CNI_DIR/bridge </run/nsnet/p.json
	fi
fi
'

ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT
declare -A RES # key -> space-separated per-run values (microseconds)
CHECKS=()

# run_in_sandbox NAME SCRIPT [VAR=VALUE...]: one sandbox, results into RES.
run_in_sandbox() {
	local name=$1 script=$2 out rc key val rest
	shift 2

	rc=0
	out=$(printf '%s\n%s\n' "$PRELUDE" "$script" | env "$@" bash -c '
		. "$0"; bench_sandbox' "$BENCH_ROOT/bench/lib.sh" 2>"$ERR") || rc=$?
	if [ $rc != 0 ]; then
		echo "core-bench: $name failed (exit $rc): $(tail -3 "$ERR")" >&2
		CHECKS+=("$name failed: $(tail -1 "$ERR")")
	fi
	while read -r key val rest; do
		case $key in
		check) CHECKS+=("$val $rest") ;;
		sc | rss | pt) RES[$key:$val]+="$rest;" ;;
		*) [ -n "$key" ] && RES[$key]+="$val " ;;
		esac
	done <<<"$out"
	sleep $SETTLE
}

echo "core-bench: $RUNS runs of $N_NS namespaces, nsnet $NSNET" >&2
echo "core-bench: sandbox: $(bench_sandbox_kind)" >&2
t_start=$SECONDS
for ((run = 1; run <= RUNS; run++)); do
	echo "core-bench: run $run/$RUNS" >&2
	run_in_sandbox start "$SCRIPT_START"
	run_in_sandbox nsnet "$SCRIPT_NSNET"
	run_in_sandbox ip "$SCRIPT_IP"
	if [ -n "$HAVE_CNI" ]; then
		run_in_sandbox cni "$SCRIPT_CNI" MASQ=false MASQ_TAG=
		run_in_sandbox cni-masq "$SCRIPT_CNI" MASQ=true MASQ_TAG=_masq
	fi
done
run_in_sandbox probe "$SCRIPT_PROBE"

med() {
	# shellcheck disable=SC2086
	bench_median ${RES[$1]:-}
}
row() {
	local label=$1 key=$2 note=${3:-} v

	if [ -z "${RES[$key]:-}" ]; then
		printf '%-44s %9s  %s\n' "$label" "n/a" "$note"
		return
	fi
	v=$(med "$key")
	printf '%-44s %9s  %s\n' "$label" "$(bench_ms "$v")" "$note"
}
row_value() {
	printf '%-44s %9s  %s\n' "$1" "$(bench_ms "$2")" "${3:-}"
}

echo
echo "## Machine"
bench_machine
echo "sandbox: $(bench_sandbox_kind)"
echo "cni plugins: $(if [ -n "$HAVE_CNI" ]; then
	dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null || echo present
else
	echo "not installed (apt-get install -y containernetworking-plugins); CNI rows skipped"
fi)"
echo
echo "## Wall time, median of $RUNS runs of $N_NS namespaces (ms)"
printf '%-44s %9s  %s\n' "what" "ms" ""
row "process start: /bin/true" start_true "per process"
row "process start: nsnet --version" start_nsnet "per process"
row "process start: ip -V" start_ip "per process"
row "nsnet ns add NS" nsnet_ns_add "per command"
row "nsnet attach NS br --addr --gateway" nsnet_attach "per command"
row "nsnet, ns add + attach" nsnet_total "per namespace, 2 processes"
row "nsnet ns add of all names in one process" nsnet_ns_add_one_process "per namespace"
row "ip, one process a step" ip_total "per namespace, 9 processes"
if [ -n "$HAVE_CNI" ]; then
	row "CNI: ip netns add" cni_netns_add "per namespace"
	row "CNI bridge ADD" cni_add "per namespace"
	row "CNI bridge ADD, ipMasq" cni_masq_add "per namespace"
	row_value "CNI: ip netns add + bridge ADD" \
		$(($(med cni_netns_add) + $(med cni_add))) "per namespace"
	row_value "CNI: ip netns add + bridge ADD, ipMasq" \
		$(($(med cni_masq_netns_add) + $(med cni_masq_add))) "per namespace"
else
	echo "CNI bridge plugin not installed: apt-get install -y containernetworking-plugins"
fi
echo
echo "## nsnet above the bare start of its own binary (medians, ms)"
if [ -n "${RES[start_nsnet]:-}" ] && [ -n "${RES[nsnet_attach]:-}" ]; then
	sv=$(med start_nsnet)
	row_value "nsnet --version above /bin/true" $((sv - $(med start_true)))
	row_value "nsnet ns add above nsnet --version" $(($(med nsnet_ns_add) - sv))
	row_value "nsnet attach above nsnet --version" $(($(med nsnet_attach) - sv))
fi

echo
echo "## One command under strace -f -c and /usr/bin/time"
printf '%-22s %10s %10s %9s %7s %9s\n' "command" "send calls" "recv calls" "syscalls" "execs" "peak KiB"
probe_row() {
	local label=$1 sc=${RES[sc:$2]:-} rss=${RES[rss:$3]:-} s=0 r=0 t=0 e=0 line a b c d
	local -a lines

	[ -z "$sc$rss" ] && return
	if [ -z "$sc" ]; then
		s=- r=- t=- e=-
	fi
	IFS=';' read -ra lines <<<"$sc"
	for line in "${lines[@]}"; do
		read -r a b c d <<<"$line"
		s=$((s + a)) r=$((r + b)) t=$((t + c)) e=$((e + d))
	done
	[ -z "$rss" ] && rss=-
	printf '%-22s %10s %10s %9s %7s %9s\n' "$label" "$s" "$r" "$t" "$e" "${rss%;}"
}
probe_row "/bin/true" none true
probe_row "nsnet --version" none nsnet_version
probe_row "nsnet ns add" nsnet_ns_add nsnet_ns_add
probe_row "nsnet attach" nsnet_attach nsnet_attach
probe_row "ip, 9 steps of one ns" ip_step none
probe_row "ip netns add" none ip_netns_add
probe_row "ip link add veth" none ip_link_add
probe_row "CNI bridge ADD" cni_add none

echo
echo "## Time inside syscalls of one nsnet command (perf trace -s, median of 5, ms)"
pt_row() {
	local label=$1 data=${RES[pt:$2]:-} line a b c
	local -a lines nl=() ns=() all=()

	if [ -z "$data" ]; then
		echo "$label: n/a (perf trace not available)"
		return
	fi
	IFS=';' read -ra lines <<<"$data"
	for line in "${lines[@]}"; do
		read -r a b c <<<"$line"
		nl+=("$a") ns+=("$b") all+=($((a + b)))
	done
	printf '%-22s %10s %10s %10s\n' "$label" "$(bench_ms "$(bench_median "${nl[@]}")")" \
		"$(bench_ms "$(bench_median "${ns[@]}")")" "$(bench_ms "$(bench_median "${all[@]}")")"
}
printf '%-22s %10s %10s %10s\n' "command" "netlink" "namespace" "both"
pt_row "nsnet ns add" nsnet_ns_add
pt_row "nsnet attach" nsnet_attach

echo
echo "## Raw per-run values (microseconds)"
for k in $(printf '%s\n' "${!RES[@]}" | grep -v : | sort); do
	echo "$k: ${RES[$k]}"
done
echo
if [ ${#CHECKS[@]} -gt 0 ]; then
	echo "## Problems"
	printf '%s\n' "${CHECKS[@]}"
	echo "core-bench: finished in $((SECONDS - t_start)) s with problems" >&2
	exit 1
fi
echo "core-bench: finished in $((SECONDS - t_start)) s; every run's network was checked by ping" >&2
