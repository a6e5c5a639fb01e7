# multihost.bash - machines simulated inside one sandbox, for multihost.bats.
#
# Each machine is a network namespace with its own mount namespace (own
# tmpfs /run/netns, /run/nsnet and /etc/netns), held by a sleep; they are
# joined by an underlay bridge "ul" in the sandbox, machine mN having
# 198.51.100.1N/24 on its end "ul0". A machine sees none of the sandbox's
# files under those directories (the script's scratch directory is one):
# topology files go to nsnet on its standard input.
#
#   machines_start 3
#   nsnet_on m1 up - < lab.yaml
#   on m2 ip netns exec b ping -c1 10.20.0.13

machines_start() {
	local i pid n
	export MACHINES=$PWD
	ip link add ul type bridge
	ip link set ul up
	for i in $(seq "$1"); do
		unshare --net --mount --propagation private bash -c '
			for d in /run/netns /run/nsnet /etc/netns; do
				mkdir -p $d; mount -t tmpfs tmpfs $d; done
			ip link set lo up
			touch /run/nsnet/.machine
			exec sleep 900' &
		pid=$!
		echo "$pid" > "$MACHINES/m$i.pid"
		for n in $(seq 100); do
			nsenter -t "$pid" -m -- test -e /run/nsnet/.machine 2>/dev/null && break
			sleep 0.05
		done
		ip link add "m$i-ul" type veth peer name ul0 netns "/proc/$pid/ns/net"
		ip link set "m$i-ul" master ul up
		on "m$i" ip addr add "198.51.100.1$i/24" dev ul0
		on "m$i" ip link set ul0 up
	done
	# A loaded machine's link watch takes seconds to give a new veth its
	# carrier: the underlay is ready when every end is up.
	for i in $(seq "$1"); do
		for n in $(seq 100); do
			on "m$i" ip -br link show ul0 | grep -q ' UP ' &&
				ip -br link show "m$i-ul" | grep -q ' UP ' && break
			sleep 0.1
		done
	done
}

# Whether node $2 on machine $1 reaches $3 (an address or a name): a few
# tries over at most 10 s, for links the kernel has not activated yet.
reaches() {
	local i
	for i in $(seq 5); do
		on "$1" ip netns exec "$2" ping -c1 -W2 "$3" >/dev/null 2>&1 && return 0
	done
	return 1
}

# Run a command on machine $1 (m1, m2, ...).
on() {
	local m=$1
	shift
	nsenter -t "$(cat "$MACHINES/$m.pid")" -n -m --wd=/ -- "$@"
}

# nsnet on a machine.
nsnet_on() {
	local m=$1
	shift
	on "$m" "$NSNET" "$@"
}
export -f machines_start on nsnet_on reaches
