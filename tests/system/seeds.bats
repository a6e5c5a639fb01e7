#!/usr/bin/env bats
# Every walkthrough of ../shared/seeds replayed with nsnet commands, each in
# its own sandbox, checked with nsnet and with independent observers
# (iproute2's ip -j, iputils ping, real TCP connections).
load helpers

@test "seed 000: web and database on app_br, then the host, then the internet" {
	sandbox <<'EOF'
	nsnet ns add web database
	nsnet bridge add app_br
	nsnet attach web app_br --ifname web_veth --addr 10.10.0.10/16
	nsnet attach database app_br --ifname db_veth --addr 10.10.0.20/16
	# observer: the veth ends are where the seed puts them
	assert_eq "$(ip -n web -j link show web_veth | jq -r '.[0].operstate')" "UP"
	assert_eq "$(ip -j link show master app_br | jq length)" "2"
	can_ping web 10.10.0.20
	nsnet ping web 10.10.0.20 -c 2 -i 0.2
	# "we didn't add any route tables but still ping is working"
	assert_eq "$(ip -n web -j route | jq -r '.[] | "\(.dst) \(.dev)"')" "10.10.0.0/16 web_veth"
	assert_eq "$(ip -n web -j neigh show 10.10.0.20 | jq -r '.[0].dev')" "web_veth"
	assert_contains "$(nsnet show web)" "10.10.0.20"
	# the host is not reachable yet: no route
	expect_status 1 nsnet ping web 198.51.100.2 -c 1
	assert_contains "$out" "Network is unreachable"
	! ip netns exec web ping -c1 -W1 198.51.100.2 2>err.txt
	assert_contains "$(cat err.txt)" "Network is unreachable"
	# a default gateway on the bridge
	nsnet addr add host app_br 10.10.0.1/16
	nsnet route add web default via 10.10.0.1
	nsnet route add database default via 10.10.0.1
	assert_eq "$(ip -n web -j route show default | jq -r '.[0].gateway')" "10.10.0.1"
	can_ping web 198.51.100.2
	nsnet ping database 10.10.0.1 -c 1
	# the internet: stuck without forwarding, stuck without NAT, then fine
	cannot_ping web 203.0.113.10
	nsnet forward on
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "1"
	cannot_ping web 203.0.113.10
	nsnet nat add app_br
	can_ping web 203.0.113.10
	serve_once upstream 8000 up 203.0.113.10
	assert_eq "$(tcp_read web 203.0.113.10 8000)" "up 198.51.100.2"
EOF
}

@test "seed 001: ns1 and ns2 joined by a cable" {
	sandbox <<'EOF'
	nsnet ns add ns1 ns2
	nsnet cable ns1:ns1-veth0 ns2:ns2-veth0 --addr 192.168.0.1/24 --peer-addr 192.168.0.2/24
	assert_eq "$(ip -n ns1 -j addr show ns1-veth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "192.168.0.1"
	assert_eq "$(ip -n ns2 -j link show ns2-veth0 | jq -r '.[0].link_netnsid != null')" "true"
	can_ping ns1 192.168.0.2
	nsnet ping ns1 192.168.0.2 -c 3 -i 0.2 > out.txt
	assert_contains "$(cat out.txt)" "3 packets transmitted, 3 received, 0% packet loss"
	# the host sees none of it
	assert_eq "$(ip -j link | jq -r '.[].ifname' | grep -c veth0 || true)" "0"
EOF
}

@test "seed 002: red and blue by a cable, then four namespaces on v-net-0 and a way out" {
	sandbox <<'EOF'
	nsnet ns add red blue
	assert_eq "$(ip -n red -j link | jq -r '.[].ifname')" "lo"
	nsnet cable red:veth-red blue:veth-blue --addr 192.168.15.1/24 --peer-addr 192.168.15.2/24
	can_ping red 192.168.15.2
	assert_eq "$(ip -n red -j neigh | jq -r '.[0].dst')" "192.168.15.2"
	assert_eq "$(ip -n blue -j neigh | jq -r '.[0].dst')" "192.168.15.1"
	assert_eq "$(ip -j neigh | jq -r '.[] | select(.dst | startswith("192.168.15")) | .dst')" ""
	# a process inside sees itself as PID 1 with --pid
	assert_eq "$(nsnet exec --pid red -- sh -c 'echo $$')" "1"
	# deleting one end deletes the cable
	nsnet link del red veth-red
	assert_eq "$(ip -n blue -j link | jq -r '.[].ifname')" "lo"
	# the virtual switch
	nsnet bridge add v-net-0
	i=1
	for ns in red blue orange green; do
		[ "$ns" = orange ] && nsnet ns add orange green
		nsnet attach $ns v-net-0 --ifname veth-$ns --addr 192.168.15.$i/24
		i=$((i + 1))
	done
	assert_eq "$(ip -j link show master v-net-0 | jq length)" "4"
	can_ping red 192.168.15.4
	can_ping green 192.168.15.2
	# the host is on another network until the bridge has an address
	! ping -c1 -W1 192.168.15.1 >/dev/null 2>&1
	nsnet addr add host v-net-0 192.168.15.5/24
	ping -c1 -W2 192.168.15.1 >/dev/null
	# the LAN behind the host (the sandbox uplink, 198.51.100.0/24)
	expect_status 1 nsnet ping blue 198.51.100.1 -c 1
	assert_contains "$out" "Network is unreachable"
	nsnet route add blue 198.51.100.0/24 via 192.168.15.5
	nsnet forward on
	cannot_ping blue 198.51.100.1      # no NAT: the LAN cannot answer
	nsnet nat add v-net-0
	can_ping blue 198.51.100.1
	# the internet needs a default route
	expect_status 1 nsnet ping blue 203.0.113.10 -c 1
	nsnet route add blue default via 192.168.15.5
	can_ping blue 203.0.113.10
	# a port of the host forwarded to blue's web server
	serve_once blue 80 blue-web
	nsnet publish blue 8080:80/tcp
	assert_eq "$(tcp_read upstream 198.51.100.2 8080 | cut -d' ' -f1)" "blue-web"
EOF
}

@test "seed 003: ns1 with v-eth1 kept in the host, default route, way out, shell" {
	sandbox <<'EOF'
	nsnet ns add ns1
	nsnet cable host:v-eth1 ns1:v-peer1 --addr 10.200.1.1/24 --peer-addr 10.200.1.2/24
	assert_eq "$(ip -j addr show v-eth1 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "10.200.1.1"
	assert_eq "$(ip -n ns1 -j link show lo | jq -r '.[0].flags | index("UP") != null')" "true"
	nsnet route add ns1 default via 10.200.1.1
	assert_eq "$(ip -n ns1 -j route show default | jq -r '.[0].gateway')" "10.200.1.1"
	can_ping ns1 10.200.1.1
	cannot_ping ns1 203.0.113.10
	nsnet forward on
	nsnet nat add v-eth1 --out eth0
	can_ping ns1 203.0.113.10
	# a shell that says where it is
	assert_eq "$(echo 'echo $NSNET_NS; ip -j link show v-peer1 | jq -r ".[0].ifname"' | nsnet shell ns1 2>/dev/null)" "ns1
v-peer1"
EOF
}

# The way out of the topology's NAT as nftables has it: the interface the
# natfwd map sends to a NAT chain, the subnets natpost4 masquerades, and the
# match of each masquerade rule ("!= v-eth1": any other interface).
nat_state() {
	nft -j list map inet nsnet natfwd | jq -r '.nftables[] | select(.map) | .map.elem[]?[0].elem.val'
	nft -j list map inet nsnet natpost4 |
		jq -r '.nftables[] | select(.map) | .map.elem[]?[0].prefix | "\(.addr)/\(.len)"'
	nft -j list ruleset | jq -r '.nftables[] | select(.rule) | .rule |
		select(.chain | startswith("nat_")) | .expr[0].match | "\(.op) \(.right)"'
}
export -f nat_state

@test "seed 003 from a file: a_nat: true reaches the simulated upstream, check meets the expectations, drift repaired, down puts it back" {
	sandbox <<'EOF'
	f=$NSNET_ROOT/examples/seed003.yaml
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	assert_contains "$(nsnet plan "$f")" "add rule inet nsnet nat_"
	nsnet up "$f" > /dev/null
	# the way out as nftables has it, and forwarding on
	assert_eq "$(nat_state)" "v-eth1
10.200.1.0/24
!= v-eth1"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "1"
	out=$(nsnet check seed003)
	assert_contains "$out" "3 expectations: 3 met, 0 broken"
	assert_contains "$out" "met     ns1 -> 203.0.113.10: reach"
	assert_contains "$out" "met     ns1 -> 198.51.100.1: reach"
	# independent observers: ping, and a TCP connection that the upstream
	# sees coming from the host's uplink address (masqueraded)
	can_ping ns1 203.0.113.10
	serve_once upstream 8080 upstream-web 203.0.113.10
	assert_eq "$(tcp_read ns1 203.0.113.10 8080)" "upstream-web 198.51.100.2"
	# the picture shows the way out
	dot=$(nsnet graph seed003 --format dot)
	assert_contains "$dot" "host:v-eth1 10.200.1.1/24 NAT"
	assert_contains "$dot" "forwarding on (NAT)"
	assert_contains "$(nsnet graph seed003)" "NAT v-eth1 → the way out"
	# NAT removed by hand: drift, repaired by up
	nsnet nat del v-eth1
	cannot_ping ns1 203.0.113.10
	expect_status 1 nsnet status seed003
	assert_contains "$out" "drifted: NAT for cable end v-eth1"
	assert_contains "$(nsnet up "$f")" "repair: NAT for cable end v-eth1"
	assert_eq "$(nsnet status seed003 --json | jq -r .in_sync)" "true"
	can_ping ns1 203.0.113.10
	# down: the NAT goes with the topology, forwarding as it was, even
	# when somebody deleted the cable's host end first (the NAT of a name
	# the file gives a_nat: would keep the host forwarding)
	ip link del v-eth1
	nsnet down seed003
	assert_eq "$(nft -j list ruleset | jq '[.nftables[] | select(.table.name == "nsnet")] | length')" "0"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
	assert_eq "$(ip -j link show v-eth1 2>/dev/null | jq length || echo 0)" "0"
EOF
}

@test "seed 003 from a file: a_nat: {out: IF} leaves by IF only; a missing IF is refused before any change" {
	sandbox <<'EOF'
	sed 's/a_nat: true/a_nat: {out: eth0}/' "$NSNET_ROOT"/examples/seed003.yaml > out.yaml
	assert_contains "$(nsnet plan out.yaml)" "oifname \"eth0\" masquerade"
	nsnet up out.yaml > /dev/null
	assert_eq "$(nat_state)" "v-eth1
10.200.1.0/24
== eth0"
	nsnet check seed003 > /dev/null
	can_ping ns1 203.0.113.10
	# the file changed to any interface: the NAT is replaced
	expect_status 1 nsnet status "$NSNET_ROOT"/examples/seed003.yaml
	assert_contains "$(nsnet up "$NSNET_ROOT"/examples/seed003.yaml)" "repair: NAT for cable end v-eth1"
	assert_eq "$(nat_state | tail -1)" "!= v-eth1"
	nsnet down seed003
	# an interface the host does not have: nothing is made
	sed 's/a_nat: true/a_nat: {out: eth9}/' "$NSNET_ROOT"/examples/seed003.yaml > bad.yaml
	expect_status 1 nsnet up bad.yaml
	assert_contains "$out" "NAT for cable end v-eth1: the host has no interface eth9 to leave by"
	assert_eq "$(ip netns list | grep -c ns1 || true)" "0"
	assert_eq "$(ip -j link show v-eth1 2>/dev/null | jq length || echo 0)" "0"
	# mistakes at their line and column, exit 2
	sed 's/a_nat: true/a_nat: {via: eth0}/' "$NSNET_ROOT"/examples/seed003.yaml > key.yaml
	expect_status 2 nsnet up key.yaml
	assert_contains "$out" "key.yaml:11:60: unknown key \"via\" in a cable end's nat (known: out)"
	sed 's/a: host, a_if: v-eth1, a_addr: 10.200.1.1\/24/a: ns1, a_if: v-peer1, a_addr: 10.200.1.2\/24/; s/b: ns1, b_if: v-peer1, b_addr: 10.200.1.2\/24/b: host, b_if: v-eth1, b_addr: 10.200.1.1\/24/' \
		"$NSNET_ROOT"/examples/seed003.yaml > end.yaml
	expect_status 2 nsnet up end.yaml
	assert_contains "$out" "end.yaml:11:"
	assert_contains "$out" "a_nat: NAT is the host's, and end a is ns1, not host"
	sed 's/a_nat: true/a_nat: {out: "eth0;x"}/' "$NSNET_ROOT"/examples/seed003.yaml > if.yaml
	expect_status 2 nsnet up if.yaml
	assert_contains "$out" "if.yaml:11:65: nat: out: "
EOF
}

@test "seed 004: Blue and Yellow created, listed, deleted; vetha/vethb" {
	sandbox <<'EOF'
	nsnet ns add Blue
	assert_contains "$(nsnet ns list)" "Blue"
	assert_eq "$(nsnet exec Blue -- ip -j addr list | jq -r '.[].ifname')" "lo"
	nsnet ns add Yellow
	assert_eq "$(nsnet ns list --json | jq -r '[.[].name | select(. != "upstream")] | join(" ")')" "Blue Yellow"
	nsnet ns del Yellow
	assert_eq "$(nsnet ns list --json | jq -r '[.[].name | select(. != "upstream")] | join(" ")')" "Blue"
	assert_eq "$(ip netns list | grep -c Yellow || true)" "0"
	nsnet cable host:vetha Blue:vethb --addr 192.168.100.1/24 --peer-addr 192.168.100.2/24
	ping -c1 -W2 192.168.100.2 >/dev/null
	can_ping Blue 192.168.100.1
	# completely separate routing: the host's uplink network is unreachable
	expect_status 1 nsnet ping Blue 198.51.100.1 -c 1
	assert_contains "$out" "Network is unreachable"
EOF
}
