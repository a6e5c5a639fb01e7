# cni.bash - what the nsnet-cni system tests (cni*.bats) share: the
# plugin driven with CNI_* variables, the reference plugins next to it,
# cnitool and cnigc, Podman and containerd in a world of the sandbox's
# own, and the observers that say nothing is left. Loaded after helpers.

NSNET_CNI="$(dirname "$NSNET")/nsnet-cni"
# ../shared/cni-clients next to the checkout; from a git worktree, next to
# the main checkout the worktree belongs to
CNI_CLIENTS_SRC="${NSNET_CNI_CLIENTS:-$NSNET_ROOT/../shared/cni-clients}"
if [ -z "${NSNET_CNI_CLIENTS:-}" ] && [ ! -d "$CNI_CLIENTS_SRC" ]; then
	_common=$(git -C "$NSNET_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	[ -z "$_common" ] || [ ! -d "$_common/../../shared/cni-clients" ] ||
		CNI_CLIENTS_SRC=$(cd "$_common/../../shared/cni-clients" && pwd)
fi
CNI_CLIENTS_BIN="${XDG_CACHE_HOME:-$HOME/.cache}/nsnet/cni-clients"
export NSNET_CNI CNI_CLIENTS_SRC CNI_CLIENTS_BIN

MIN='{"cniVersion":"1.0.0","name":"net1","type":"nsnet-cni","bridge":"nsc0","subnet":"10.98.0.0/24","ipMasq":true,"capabilities":{"portMappings":true}}'
export MIN

# A plugin directory with nsnet-cni and Debian's reference plugins.
cni_plugins() {
	mkdir -p plugins
	ln -sf "$NSNET_CNI" plugins/nsnet-cni
	local p
	for p in /usr/lib/cni/*; do [ -e "$p" ] && ln -sf "$p" plugins/; done
	echo "$PWD/plugins"
}
# cni CMD CONTAINERID NETNS IFNAME CONFIG [CNI_ARGS]: one request; stdout
# is the plugin's, the exit status too.
cni() {
	local out rc=0
	out=$(printf '%s' "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=$3 \
		CNI_IFNAME=$4 CNI_ARGS=${6:-} CNI_PATH=${CNI_PATH:-$PWD/plugins} "$NSNET_CNI") || rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	# a failure says why even when stdout goes to /dev/null
	[ "$rc" = 0 ] || [ -n "${CNI_QUIET:-}" ] || echo "nsnet-cni $1 $2 $4: exit $rc: $out" >&2
	return "$rc"
}
# A request expected to fail (expect_status keeps its stdout and stderr).
cni_quiet() { CNI_QUIET=1 cni "$@"; }
# The config with a runtimeConfig (JSON) merged in.
with_rt() { jq -c --argjson rt "$2" '. + {runtimeConfig: $rt}' <<<"$1"; }
# What nsnet-cni may leave behind once every attachment is gone: nothing.
cni_nothing_left() {
	assert_eq "$(ip -j link show type bridge | jq -r '.[].ifname' | tr '\n' ' ')" "" "bridges left"
	assert_eq "$(ip -j link show type veth | jq -r '.[].ifname | select(startswith("nsc"))' | tr '\n' ' ')" "" "veths left"
	assert_eq "$(nft -j list tables | jq -r '[.nftables[] | select(.table) | .table.name] | join(" ")')" "" "nft tables left"
	assert_eq "$(find /run/nsnet/cni -mindepth 1 2>/dev/null | tr '\n' ' ')" "" "records left"
}
# The simulated upstream answering TCP on 203.0.113.10:80.
upstream_web() {
	ip -n upstream addr add 203.0.113.10/32 dev lo 2>/dev/null || true
	serve_once upstream 80 upstream 203.0.113.10
}
# ping_ok NS ADDR: an answer to one of three echoes (a loaded machine can
# lose the first to neighbour resolution).
ping_ok() {
	ip netns exec "$1" ping -c3 -i0.2 -W2 "$2" >/dev/null 2>&1 ||
		fail "no answer from $2 in $1 (3 echoes)"
}
# read_from NS ADDR PORT: one line from a TCP server at ADDR:PORT, from
# namespace NS ("host": the sandbox itself). Three tries of 4 s: on a
# loaded machine a first SYN can go unanswered for a second or more.
read_from() {
	local i out run=()
	[ "$1" = host ] || run=(ip netns exec "$1")
	for i in 1 2 3; do
		out=$("${run[@]}" timeout 6 python3 -c '
import socket,sys
s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=4)
print(s.recv(200).decode().strip())' "$2" "$3" 2>/dev/null) && { echo "$out"; return 0; }
	done
	return 1
}
# cnitool and cnigc (libcni 1.2.3), built once into a cache directory.
cni_clients() {
	if [ ! -x "$CNI_CLIENTS_BIN/cnitool" ] || [ ! -x "$CNI_CLIENTS_BIN/cnigc" ]; then
		[ -x "$CNI_CLIENTS_SRC/build.sh" ] || return 1
		"$CNI_CLIENTS_SRC/build.sh" "$CNI_CLIENTS_BIN" >/dev/null 2>&1 || return 1
	fi
}
# runc needs the cgroup mounts that the sandbox's fresh /sys hid.
cgroup_mounts() {
	mountpoint -q /sys/fs/cgroup && return 0
	# every controller in hierarchy 0: the host runs cgroup v2 only
	if ! awk 'NR > 1 && $2 != 0 {found=1} END {exit !found}' /proc/cgroups; then
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		return 0
	fi
	mount -t tmpfs tmpfs /sys/fs/cgroup
	local c
	for c in $(awk 'NR > 1 && $4 == 1 {print $1}' /proc/cgroups); do
		mkdir -p /sys/fs/cgroup/$c
		mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c 2>/dev/null || rmdir /sys/fs/cgroup/$c
	done
	mkdir -p /sys/fs/cgroup/systemd
	mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
}
# Podman 4.3 (CNI backend) and containerd 1.6 in this sandbox, the way
# ../shared/cni-clients/clients.sh sets them up, but with their state in
# the scratch directory: $P is podman, $C is ctr, image localhost/bb.
runtime_world() {
	local conflist=$1 W=$PWD/rt
	cgroup_mounts
	mkdir -p "$W"/rootfs/{bin,etc,var/www,tmp,proc,sys,dev} /var/lib/cni /etc/cni/net.d
	# the CNI cache, the configuration and the plugins runtimes look at,
	# on tmpfs in this sandbox's mounts only (/opt whole when the host
	# has no /opt/cni: nothing is created outside)
	mount -t tmpfs tmpfs /var/lib/cni
	mount -t tmpfs tmpfs /etc/cni/net.d
	if [ -d /opt/cni ]; then mount -t tmpfs tmpfs /opt/cni; else mount -t tmpfs tmpfs /opt; fi
	# containerd's shims and fifos, and runc (under containerd and under
	# Podman), keep their state in /run/containerd and /run/runc whatever
	# the configuration says: this sandbox's own, or tests running at the
	# same time (and the host's runtimes) see each other's containers
	# (on a host without them, tests/run removes the empty directories
	# mkdir leaves when every sandbox is gone)
	local d
	for d in /run/containerd /run/runc; do
		mkdir -p "$d"
		mount -t tmpfs -o mode=0700 tmpfs "$d"
	done
	mkdir -p /opt/cni/bin
	cp -P plugins/* /opt/cni/bin/
	cp "$conflist" /etc/cni/net.d/10-test.conflist
	cp /bin/busybox "$W/rootfs/bin/busybox"
	local c
	for c in sh ip ping wget httpd sleep cat ls nc; do ln -s busybox "$W/rootfs/bin/$c"; done
	echo hello-from-container > "$W/rootfs/var/www/index.html"
	tar -C "$W/rootfs" -cf "$W/bb.tar" .
	cat > "$W/containers.conf" <<J
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
[network]
network_backend = "cni"
cni_plugin_dirs = ["/opt/cni/bin"]
network_config_dir = "/etc/cni/net.d"
J
	export CONTAINERS_CONF=$W/containers.conf
	P="podman --root $W/storage --runroot $W/prun --tmpdir $W/ptmp --storage-driver vfs"
	$P import -q "$W/bb.tar" localhost/bb:latest </dev/null >/dev/null
	$P save -q --format docker-archive -o "$W/bb-docker.tar" localhost/bb:latest </dev/null
	cat > "$W/ctd.toml" <<J
version = 2
root = "$W/ctd/root"
state = "$W/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$W/ctd/containerd.sock"
J
	containerd --config "$W/ctd.toml" > "$W/ctd.log" 2>&1 &
	local i
	for i in $(seq 100); do [ -S "$W/ctd/containerd.sock" ] && break; sleep 0.1; done
	C="ctr --address $W/ctd/containerd.sock"
	$C image import "$W/bb-docker.tar" </dev/null >/dev/null
	export P C
}
# expect_drift WORDS CID NETNS IFNAME CONFIG: CHECK fails with code 102 and
# a message that contains WORDS (the field or object that drifted).
expect_drift() {
	local want=$1; shift
	expect_status 1 cni_quiet CHECK "$@"
	assert_eq "$(jq -r .code <<<"$out")" 102 "code of: $out"
	assert_contains "$(jq -r .msg <<<"$out")" "$want"
}
# cni_gone NETWORK CID IFNAME ADDRESS HOSTIF [PORT]: nothing of one
# attachment is left while its network lives on: no record, no
# reservation, no host end, nothing in nsnet's table that names it, not
# its port.
cni_gone() {
	local t
	[ ! -e "/run/nsnet/cni/$1/att/$2:$3.json" ] || fail "record of $2:$3 left"
	[ ! -e "/run/nsnet/cni/$1/ips/$4" ] || fail "reservation of $4 left"
	! ip link show "$5" >/dev/null 2>&1 || fail "host end $5 left"
	t=$(nft list table inet nsnet 2>/dev/null || true)
	assert_not_contains "$t" "cni:$1:$2:$3"
	[ -z "${6:-}" ] || assert_not_contains "$t" " $6 "
}
# The host end of an attachment, from its record.
host_end() { jq -r .hostIfname "/run/nsnet/cni/$1/att/$2:$3.json"; }
# libcni (cnitool, cnigc) keeps its cache in /var/lib/cni: this sandbox's
# own, on tmpfs, so that nothing is written on the host.
cni_cache_private() {
	if [ -d /var/lib/cni ]; then
		mount -t tmpfs tmpfs /var/lib/cni
	else
		# nothing made on the host: /var/lib of this sandbox only
		mount -t tmpfs tmpfs /var/lib
		mkdir /var/lib/cni
	fi
}
export -f cni_plugins cni cni_quiet with_rt cni_nothing_left upstream_web read_from ping_ok \
	cni_clients cgroup_mounts runtime_world expect_drift cni_gone host_end cni_cache_private

need_clients() {
	cni_clients || skip "cnitool/cnigc: no $CNI_CLIENTS_SRC/build.sh or Go (golang-go) is not installable"
}
need_runtimes() {
	[ -x "$CNI_CLIENTS_SRC/clients.sh" ] || skip "no $CNI_CLIENTS_SRC/clients.sh"
	command -v podman >/dev/null && command -v ctr >/dev/null && command -v runc >/dev/null ||
		skip "podman, containerd and runc are not installed (scripts/bootstrap installs them)"
}
