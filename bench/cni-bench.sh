#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cni-bench.sh - nsnet-cni against Debian's reference chain (bridge +
# host-local + portmap), side by side in one run inside one sandbox: the
# time of one ADD with a published port, per container, while a network
# fills up to 10 and to N (default 500) containers, and of one DEL when it
# is full; and one VERSION (what Podman asks ~8 times per container). Both
# are driven by the same client, cnitool on libcni 1.2.3. See
# docs/performance.md (CNI).
#
#   sudo bench/cni-bench.sh [-n CONTAINERS (20-1000, default 500)]
#
# NSNET_CNI names the plugin (default: next to the nsnet binary);
# NSNET_CNI_CLIENTS the directory of ../shared/cni-clients (cnitool is
# built from it once into ~/.cache/nsnet/cni-clients).

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=500
usage() {
	echo "usage: $0 [-n CONTAINERS (20-1000, default 500)]" >&2
	exit 2
}
while getopts "n:h" opt; do
	case $opt in
	n) N=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 20 ] && [ "$N" -le 1000 ] || usage
if [ "$(id -u)" != 0 ]; then
	echo "cni-bench: needs root (it builds namespaces in a sandbox)" >&2
	exit 1
fi
bench_find_nsnet
NSNET_CNI=$(readlink -f "${NSNET_CNI:-$(dirname "$NSNET")/nsnet-cni}")
[ -x "$NSNET_CNI" ] || { echo "cni-bench: no $NSNET_CNI" >&2; exit 1; }
[ -x /usr/lib/cni/portmap ] || { echo "cni-bench: needs containernetworking-plugins (/usr/lib/cni)" >&2; exit 1; }
clients=${NSNET_CNI_CLIENTS:-$BENCH_ROOT/../shared/cni-clients}
CNITOOL_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/nsnet/cni-clients
if [ ! -x "$CNITOOL_DIR/cnitool" ]; then
	"$clients/build.sh" "$CNITOOL_DIR" >/dev/null ||
		{ echo "cni-bench: cannot build cnitool from $clients" >&2; exit 1; }
fi
export N NSNET_CNI CNITOOL_DIR
export -f bench_now_us bench_median bench_ms

echo "## Machine"
bench_machine
echo "nsnet-cni: $NSNET_CNI"
echo "reference: containernetworking-plugins $(dpkg-query -W -f='${Version}' containernetworking-plugins 2>/dev/null || echo '?')"
echo "client: cnitool (libcni 1.2.3)"
echo "sandbox: $(bench_sandbox_kind)"
echo

bench_sandbox <<'EOF'
W=$(mktemp -d /run/nsnet/cni-bench.XXXXXX)
mkdir -p "$W/bin" "$W/net.d"
for p in /usr/lib/cni/*; do ln -s "$p" "$W/bin/"; done
ln -s "$NSNET_CNI" "$W/bin/nsnet-cni"
export CNI_PATH=$W/bin NETCONFPATH=$W/net.d
cat > "$W/net.d/10-nsnet.conflist" <<J
{"cniVersion":"1.0.0","name":"nsnet","plugins":[{"type":"nsnet-cni","bridge":"nsc0",
 "subnet":"10.98.0.0/20","ipMasq":true,"capabilities":{"portMappings":true}}]}
J
cat > "$W/net.d/20-ref.conflist" <<J
{"cniVersion":"1.0.0","name":"ref","plugins":[
 {"type":"bridge","bridge":"cni-ref0","isGateway":true,"ipMasq":true,
  "ipam":{"type":"host-local","dataDir":"$W/hl","routes":[{"dst":"0.0.0.0/0"}],"ranges":[[{"subnet":"10.99.0.0/20"}]]}},
 {"type":"portmap","capabilities":{"portMappings":true}}]}
J
T=$CNITOOL_DIR/cnitool
for i in $(seq "$N"); do ip netns add "b$i"; done

# fill NET: one ADD per container with its own host port; microseconds of
# each ADD into add_<NET>[i], then the DEL of the last 10, timed.
fill() {
	local net=$1 base=$2 i t0 t1
	local -n adds=add_$net dels=del_$net
	for i in $(seq "$N"); do
		bench_now_us t0
		CAP_ARGS="{\"portMappings\":[{\"hostPort\":$((base + i)),\"containerPort\":80,\"protocol\":\"tcp\"}]}" \
			"$T" add "$net" "/run/netns/b$i" >/dev/null
		bench_now_us t1
		adds[i]=$((t1 - t0))
	done
	for i in $(seq "$N" -1 1); do
		bench_now_us t0
		CAP_ARGS="{\"portMappings\":[{\"hostPort\":$((base + i)),\"containerPort\":80,\"protocol\":\"tcp\"}]}" \
			"$T" del "$net" "/run/netns/b$i" >/dev/null
		bench_now_us t1
		[ "$i" -gt $((N - 10)) ] && dels+=($((t1 - t0)))
	done
	return 0
}
declare -a add_nsnet add_ref del_nsnet=() del_ref=()
fill nsnet 20000
fill ref 30000

version_us() {
	local plugin=$1 i t0 t1
	local -a v=()
	for i in $(seq 50); do
		bench_now_us t0
		echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION CNI_NETNS=dummy "$W/bin/$plugin" >/dev/null
		bench_now_us t1
		v+=($((t1 - t0)))
	done
	bench_median "${v[@]}"
}

row() {
	printf '| %-44s | %10s | %10s |\n' "$1" "$2" "$3"
}
med() { local -n a=$1; bench_median "${a[@]:$2:$3}"; }
echo "## nsnet-cni vs bridge + host-local + portmap (median ms, cnitool, one port per container)"
echo
row "" "nsnet-cni" "reference"
row "---" "---:" "---:"
row "ADD with a port, containers 1-10" "$(bench_ms "$(med add_nsnet 1 10)")" "$(bench_ms "$(med add_ref 1 10)")"
row "ADD with a port, containers $((N - 9))-$N" "$(bench_ms "$(med add_nsnet $((N - 9)) 10)")" "$(bench_ms "$(med add_ref $((N - 9)) 10)")"
row "DEL with $N on the network (last 10)" "$(bench_ms "$(bench_median "${del_nsnet[@]}")")" "$(bench_ms "$(bench_median "${del_ref[@]}")")"
row "VERSION (median of 50)" "$(bench_ms "$(version_us nsnet-cni)")" "$(bench_ms "$(version_us bridge)")"
echo
echo "left after every DEL: nsnet-cni records $(find /run/nsnet/cni -mindepth 1 2>/dev/null | wc -l), nft tables: $(nft list tables | tr '\n' ' ')"
rm -rf "$W"
EOF
