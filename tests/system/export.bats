#!/usr/bin/env bats
# nsnet export: a topology file for what exists now. The round trip is the
# test: build by hand, export, delete everything, up the file, and compare
# what real pings and TCP connections see, and what status says.
load helpers

# Until the kernel has torn down the veths of deleted namespaces (bounded):
# only the sandbox's loopback and uplink are left in the host.
wait_host_clean() {
	local i
	for i in $(seq 50); do
		[ "$(ip -j link | jq '[.[] | select(.ifname != "lo" and .ifname != "eth0")] | length')" = 0 ] &&
			return 0
		sleep 0.1
	done
	fail "links left in the host: $(ip -br link)"
}
export -f wait_host_clean

# Impairments in namespace $1, whatever its link is called: the rate of
# its token bucket (bytes/s) and the share its loss rule keeps (per million).
impair_of() {
	ip netns exec "$1" tc -j qdisc show | jq -r '[.[] | select(.root and .kind == "tbf") | .options.rate] | join(",")'
	ip netns exec "$1" nft -j list ruleset |
		jq -r '[.nftables[] | select(.rule) | .rule.expr[] | select(.match.left.numgen) | .match.right] | join(",")'
}
export -f impair_of

@test "export round trip: seed 002 built by hand, exported, deleted, brought up: same reachability, impairments kept" {
	sandbox <<'EOF'
	# seed 002 exactly as tests/system/seeds.bats builds it
	nsnet ns add red blue
	nsnet cable red:veth-red blue:veth-blue --addr 192.168.15.1/24 --peer-addr 192.168.15.2/24
	nsnet link del red veth-red
	nsnet bridge add v-net-0
	i=1
	for ns in red blue orange green; do
		[ "$ns" = orange ] && nsnet ns add orange green
		nsnet attach $ns v-net-0 --ifname veth-$ns --addr 192.168.15.$i/24
		i=$((i + 1))
	done
	nsnet addr add host v-net-0 192.168.15.5/24
	nsnet route add blue 198.51.100.0/24 via 192.168.15.5
	nsnet forward on
	nsnet nat add v-net-0
	nsnet route add blue default via 192.168.15.5
	nsnet publish blue 8080:80/tcp
	# an impairment on green's link (a loss too small to lose a ping here)
	nsnet link set green veth-green rate 10mbit loss 0.001%
	assert_eq "$(impair_of green)" "1250000
10"

	# what real pings and connections see; the outside only from blue,
	# the one namespace the seed gives a default route
	reach() {
		local s d
		for s in red blue orange green; do
			for d in 192.168.15.1 192.168.15.2 192.168.15.3 192.168.15.4 192.168.15.5; do
				can_ping $s $d && echo "$s -> $d: reach" || echo "$s -> $d: blocked"
			done
		done
		for d in 192.168.15.1 192.168.15.2 192.168.15.3 192.168.15.4; do
			ping -c1 -W2 $d > /dev/null && echo "host -> $d: reach" || echo "host -> $d: blocked"
		done
		for d in 198.51.100.1 203.0.113.10; do
			can_ping blue $d && echo "blue -> $d: reach" || echo "blue -> $d: blocked"
		done
		serve_once blue 80 blue-web
		local server=$!
		echo "upstream -> host:8080 -> $(tcp_read upstream 198.51.100.2 8080 | cut -d' ' -f1)"
		# a process inside would keep blue alive after ns del
		kill $server
		wait $server 2>/dev/null || true
	}
	reach > before.txt
	assert_eq "$(grep -c ': reach' before.txt)" "26"

	nsnet export --name seed002 -o seed002.yaml
	cat seed002.yaml >&2
	y=$(cat seed002.yaml)
	assert_contains "$y" "name: seed002"
	assert_contains "$y" "  v-net-0:
    subnet: 192.168.15.0/24
    gateway: 192.168.15.5
    nat: true"
	assert_contains "$y" "      v-net-0: 192.168.15.2
    routes:
      - 198.51.100.0/24 via 192.168.15.5
    publish:
      - \"8080:80/tcp\""
	# what a file cannot say is said as a comment: red, orange and green
	# had no default route and get one from up
	assert_eq "$(grep -c 'no IPv4 default route here: up adds one via 192.168.15.5' seed002.yaml)" "3"
	assert_contains "$y" "# veth-red on v-net-0 is called eth0 here"
	assert_contains "$y" "      v-net-0: {address: 192.168.15.4, rate: 10mbit, loss: 0.001%}"
	# delete everything, with nsnet
	nsnet unpublish blue 8080:80/tcp
	nsnet nat del v-net-0
	nsnet ns del red blue orange green
	nsnet bridge del v-net-0
	nsnet forward off
	wait_host_clean
	assert_eq "$(ip netns list | grep -cE 'red|blue|orange|green' || true)" "0"
	cannot_ping upstream 192.168.15.5
	# a file nsnet reads: plan works on it
	assert_contains "$(nsnet plan seed002.yaml)" "ip link add v-net-0 type bridge"

	nsnet up seed002.yaml > /dev/null
	nsnet status seed002 > status.txt
	assert_contains "$(cat status.txt)" "matches the file"
	assert_eq "$(nsnet status seed002 --json | jq -r .in_sync)" "true"
	reach > after.txt
	assert_eq "$(cat after.txt)" "$(cat before.txt)"
	# the impairment came back on both ends: green's, and the host's
	assert_eq "$(impair_of green)" "1250000
10"
	assert_eq "$(tc -j qdisc show | jq -r '[.[] | select(.root and .kind == "tbf") | .options.rate] | join(",")')" "1250000"
	assert_eq "$(impair_of red)" ""
	# the one difference the comments announced
	can_ping red 203.0.113.10
EOF
}

@test "export: cables between namespaces and to the host, routes, sysctls; what a file cannot say" {
	sandbox <<'EOF'
	# seed 001 and seed 003, side by side
	nsnet ns add ns1 ns2 ns3
	nsnet cable ns1:ns1-veth0 ns2:ns2-veth0 --addr 192.168.0.1/24 --peer-addr 192.168.0.2/24 --mtu 1400
	nsnet link set ns2 ns2-veth0 rate 1500kbit
	nsnet cable host:v-eth1 ns3:v-peer1 --addr 10.200.1.1/24 --peer-addr 10.200.1.2/24
	nsnet route add ns3 default via 10.200.1.1
	nsnet forward on
	nsnet nat add v-eth1 --out eth0
	# routes added by hand with ip (protocol boot) are the user's too
	ip -n ns2 route add 10.9.0.0/16 via 192.168.0.1
	ip -n ns1 route add 10.8.0.0/16 dev ns1-veth0
	nsnet forward on ns1
	can_ping ns1 192.168.0.2
	can_ping ns3 203.0.113.10

	nsnet export -o wired.yaml
	cat wired.yaml >&2
	y=$(cat wired.yaml)
	assert_contains "$y" "name: exported"
	assert_contains "$y" "  - a: ns1
    a_if: ns1-veth0
    a_addr: 192.168.0.1/24
    b: ns2
    b_if: ns2-veth0
    b_addr: 192.168.0.2/24
    mtu: 1400
    rate: 1500kbit"
	assert_contains "$y" "  - a: host
    a_if: v-eth1
    a_addr: 10.200.1.1/24
    a_nat: {out: eth0}
    b: ns3
    b_if: v-peer1
    b_addr: 10.200.1.2/24"
	assert_contains "$y" "      - 10.9.0.0/16 via 192.168.0.1"
	assert_contains "$y" "      - 10.8.0.0/16 dev ns1-veth0"
	assert_contains "$y" "      - default via 10.200.1.1"
	assert_contains "$y" "      net.ipv4.ip_forward: 1"
	assert_not_contains "$y" "# forwarding is on in the host"
	# the sandbox's upstream is not one of the user's namespaces
	assert_not_contains "$y" "upstream:"
	# only what is named
	y=$(nsnet export ns1 ns2)
	assert_not_contains "$y" "ns3"
	assert_contains "$y" "b: ns2"
	expect_status 1 nsnet export nosuchns
	expect_status 2 nsnet export ns1 ns1

	nsnet nat del v-eth1
	nsnet ns del ns1 ns2 ns3
	nsnet forward off
	wait_host_clean
	nsnet up wired.yaml > /dev/null
	assert_eq "$(nsnet status exported --json | jq -r .in_sync)" "true"
	can_ping ns1 192.168.0.2
	can_ping ns3 10.200.1.1
	# the way out came back with the file: leaving by eth0
	can_ping ns3 203.0.113.10
	assert_eq "$(nft -j list ruleset | jq -r '.nftables[] | select(.rule) | .rule |
		select(.chain | startswith("nat_")) | .expr[0].match | "\(.op) \(.right)"')" "== eth0"
	assert_eq "$(impair_of ns1)" "187500"
	assert_eq "$(impair_of ns2)" "187500"
	ping -c1 -W2 10.200.1.2 > /dev/null
	assert_eq "$(ip -n ns1 -j link show ns1-veth0 | jq -r '.[0].mtu')" "1400"
	assert_eq "$(ip -n ns2 -j route show 10.9.0.0/16 | jq -r '.[0].gateway')" "192.168.0.1"
	assert_eq "$(ip netns exec ns1 cat /proc/sys/net/ipv4/ip_forward)" "1"
EOF
}

@test "export of a topology that is up is that topology: status of the exported file matches" {
	sandbox <<'EOF'
	nsnet up "$NSNET_ROOT"/examples/docker-style.yaml > /dev/null
	nsnet export -o again.yaml
	cat again.yaml >&2
	assert_contains "$(cat again.yaml)" "name: shopfront"
	assert_contains "$(cat again.yaml)" "internal: true"
	# same names, same interfaces, same order, same state: nothing to do
	nsnet status again.yaml
	assert_contains "$(nsnet up again.yaml)" "shopfront: up to date, nothing to do"
EOF
}
