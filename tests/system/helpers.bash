# helpers.bash - shared by every system test.
#
# Each @test runs its commands in its own throwaway sandbox:
#
#   @test "two namespaces on a cable" {
#       sandbox <<'EOF'
#       nsnet ns add a b
#       nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
#       ping -c1 -W2 10.0.0.2 -I ... ; assert_eq "$(...)" "..."
#   EOF
#   }
#
# The script runs under `bash -euo pipefail` inside `nsnet sandbox`, a
# private network, mount and PID namespace with tmpfs over /run/netns,
# /run/nsnet and /etc/netns, plus the simulated upstream (namespace
# "upstream", 203.0.113.0/24 and 198.51.100.0/24). Nothing leaks to the host
# and tests can run in parallel. The functions below are exported into it.

NSNET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${NSNET:=$NSNET_ROOT/build/nsnet}"
export NSNET NSNET_ROOT

# nsnet itself, for use inside sandbox scripts.
nsnet() { "$NSNET" "$@"; }

fail() { echo "FAIL: $*" >&2; return 1; }
assert_eq() { [ "$1" == "$2" ] || fail "expected '$2', got '$1'${3:+ ($3)}"; }
assert_contains() { [[ "$1" == *"$2"* ]] || fail "expected to find '$2' in: $1"; }
assert_not_contains() { [[ "$1" != *"$2"* ]] || fail "did not expect '$2' in: $1"; }
# Run a command that must fail with the given exit status; its combined
# output is left in $out.
expect_status() {
	local want=$1; shift
	set +e; out=$("$@" 2>&1); local got=$?; set -e
	[ "$got" == "$want" ] || fail "'$*' exited $got, expected $want; output: $out"
}
# An independent observer: iputils ping from inside a namespace.
can_ping() { ip netns exec "$1" ping -c1 -W2 "$2" >/dev/null 2>&1; }
cannot_ping() { ! ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
# A TCP connection from ns to addr:port, bounded in time (bash's /dev/tcp).
can_connect() {
	ip netns exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
}
# A TCP server in ns on port that answers its name: started in the
# background, it ends after 20 s.
serve_once() {
	ip netns exec "$1" timeout 20 python3 -c '
import socket,sys
s=socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c,a=s.accept()
    try: c.sendall((sys.argv[3]+" "+a[0]+"\n").encode())
    except OSError: pass  # a client that reset at once (a probe of nsnet check)
    c.close()
' "${4:-0.0.0.0}" "$2" "$3" &
	wait_listen "$1" "$2"
}
# Wait (at most 5 s) until something listens on TCP port $2 in namespace $1
# ("host" for the sandbox's own): a loaded machine starts python slowly.
wait_listen() {
	local i run=()
	[ "$1" = host ] || run=(ip netns exec "$1")
	for i in $(seq 50); do
		"${run[@]}" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on port $2 in $1"
}
# Hold TCP port $1 of the host (a socket listening on it, for 30 s), so
# that publishing it fails; $holder is the holder's pid, to kill.
hold_port() {
	python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$1" &
	holder=$!
	wait_listen host "$1"
}
# Read one line from a TCP server (see serve_once): "<name> <client addr>".
tcp_read() {
	ip netns exec "$1" timeout 3 python3 -c '
import socket,sys
s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print(s.recv(200).decode().strip())' "$2" "$3"
}
# Everything nsnet could leave behind in the host, in a form to compare:
# links with their marks, namespaces, nft tables, nsnet's files and the
# host sysctls it changes.
world() {
	{
		ip -j link | jq -c '[.[] | [.ifname, (.ifalias // "")]] | sort'
		ip netns list | awk '{print $1}' | sort | tr '\n' ' '; echo
		nft -j list ruleset | jq -c '[.nftables[] | select(.table) | .table.name]'
		find /run/nsnet /etc/netns -mindepth 1 -not -path '/run/nsnet/scratch*' \
			-not -path /run/nsnet/lock -type f | sort
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding \
			/proc/sys/net/ipv4/conf/all/route_localnet
	} 2>&1
}
export -f nsnet fail assert_eq assert_contains assert_not_contains expect_status \
	can_ping cannot_ping can_connect serve_once tcp_read wait_listen world hold_port

# Runs stdin as a bash script inside a fresh sandbox.
sandbox() {
	if [ -z "${NSNET_SANDBOX_FALLBACK:-}" ] && "$NSNET" sandbox -- true 2>/dev/null; then
		# in a scratch directory on the sandbox's own tmpfs, gone with it
		# (not a tmpfs over /tmp: the checkout itself may live there)
		"$NSNET" sandbox -- bash -c 'mkdir -p /run/nsnet/scratch && cd /run/nsnet/scratch &&
			TMPDIR=$PWD exec bash -euo pipefail -s'
	else
		# Until `nsnet sandbox` works: the same isolation by hand.
		unshare --net --mount --pid --fork --mount-proc bash -c '
			mount --make-rprivate /
			for d in /run/netns /run/nsnet /etc/netns; do
				mkdir -p $d; mount -t tmpfs tmpfs $d; done
			ip link set lo up
			mkdir -p /run/nsnet/scratch && cd /run/nsnet/scratch
			TMPDIR=$PWD exec bash -euo pipefail -s'
	fi
}
