#!/usr/bin/env bats
# scale.bats - a network larger than one bridge's share spans its bridge
# and leaf bridges joined by veth trunks, invisibly: one segment, one
# gateway, NAT, published ports and isolation as for any network, and down
# leaves nothing. A Linux bridge takes at most 1,023 ports and nsnet gives
# each bridge 1,000; NSNET_BRIDGE_PORTS makes the share small so that a
# test can afford it: 50 per bridge, 120 nodes, three bridges. Pings stay a
# sample: the kernel's neighbour table is one for the whole machine
# (gc_thresh3, 1,024 entries).

load helpers

@test "a network of 120 nodes over bridges of 50: root and leaves, one segment, NAT, a published port, isolation, down leaves nothing" {
	sandbox <<'EOF'
	export NSNET_BRIDGE_PORTS=50
	cat > big.sh <<'SH'
big_file() {
	local n=$1 i
	echo "name: big"
	echo "networks:"
	echo "  lan: {bridge: br0, subnet: [10.9.0.0/16, 'fd00:9::/64'], nat: true}"
	echo "  other: {bridge: br1, subnet: 10.8.0.0/24}"
	echo "nodes:"
	for ((i = 0; i < n; i++)); do
		if [ "$i" = 110 ]; then
			echo "  n$i: {networks: {lan: }, publish: ['8080:80']}"
		else
			echo "  n$i: {networks: {lan: }}"
		fi
	done
	echo "  o: {networks: {other: }}"
}
master_of() {
	local peer
	peer=$(ip -n "$1" -j link show eth0 | jq -r '.[0].link_index')
	ip -j link show | jq -r --argjson i "$peer" '.[] | select(.ifindex == $i) | .master'
}
addr4() { ip -n "$1" -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local'; }
addr6() { ip -n "$1" -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .local'; }
SH
	. ./big.sh
	big_file 120 > big.yaml
	links_before=$(ip -j link show | jq -c '[.[].ifname] | sort')

	# what will be built, said before anything is
	out=$(nsnet plan big.yaml)
	assert_contains "$out" "# network lan: 120 nodes over 3 bridges (br0 + 2 leaves)"
	assert_eq "$(ip -j link show type bridge | jq length)" "0" "plan changes nothing"
	out=$(nsnet up big.yaml)
	assert_contains "$out" "network lan: 120 nodes over 3 bridges (br0 + 2 leaves)"

	# the root, two leaves and their trunks, marked; no bridge over 50 ports
	assert_eq "$(ip -j link show type bridge | jq -c '[.[].ifname] | sort')" \
		'["br0","br0-l1","br0-l2","br1"]'
	for l in br0-l1 br0-l2 br0-t1 br0-u1 br0-t2 br0-u2; do
		assert_eq "$(ip -j -d link show "$l" | jq -r '.[0].ifalias')" "nsnet:big" "$l"
	done
	assert_eq "$(ip -j link show br0-t1 | jq -r '.[0].master')" "br0"
	assert_eq "$(ip -j link show br0-u1 | jq -r '.[0].master')" "br0-l1"
	assert_eq "$(ip -j link show br0-u2 | jq -r '.[0].master')" "br0-l2"
	total=0
	for b in br0 br0-l1 br0-l2; do
		n=$(ip -j link show master "$b" | jq length)
		[ "$n" -le 50 ] || fail "$b has $n ports"
		total=$((total + n))
	done
	assert_eq "$total" "124" "120 nodes and both ends of 2 trunks"
	# the layout: spread evenly, n110 (it publishes a port) on the root,
	# the others in file order
	assert_eq "$(master_of n0) $(master_of n45) $(master_of n119) $(master_of n110)" \
		"br0 br0-l1 br0-l2 br0"
	# a leaf answers no ARP: the host's gateway address is the root's alone
	assert_eq "$(sysctl -n net.ipv4.conf.br0-l1.arp_ignore)" "8"
	# the nodes of a network this large make no multicast of their own:
	# no IPv6 link-local address (their global one is there)
	assert_eq "$(ip -n n45 -j addr show eth0 | jq -c '[.[0].addr_info[] | .scope]')" '["global","global"]'

	assert_eq "$(nft -j list set inet nsnet leaves | jq -c '[.nftables[1].set.elem[]] | sort')" \
		'["br0-l1","br0-l2"]'

	# one segment: nodes on the root and on both leaves reach each other
	# (IPv4 and IPv6), the gateway and, through NAT, the upstream
	can_ping n0 "$(addr4 n119)"
	can_ping n45 "$(addr4 n119)"
	can_ping n119 "$(addr4 n45)"
	can_ping n119 "$(addr6 n0)"
	can_ping n45 "$(addr6 n119)"
	for n in n0 n45 n119; do
		can_ping "$n" 10.9.0.1
		can_ping "$n" fd00:9::1
		can_ping "$n" 198.51.100.1
	done
	ip netns exec upstream timeout 5 tcpdump -ni eth0 -c 1 icmp > nat.txt 2>/dev/null &
	sleep 0.5
	can_ping n119 198.51.100.1
	wait
	assert_contains "$(cat nat.txt)" "198.51.100.2 > 198.51.100.1"

	# a published port: from outside, from the root and from both leaves,
	# through the host's address
	serve_once n110 80 n110
	assert_contains "$(tcp_read upstream 198.51.100.2 8080)" "n110 198.51.100.1"
	assert_contains "$(tcp_read n0 10.9.0.1 8080)" "n110"
	assert_contains "$(tcp_read n45 10.9.0.1 8080)" "n110"
	assert_contains "$(tcp_read n119 10.9.0.1 8080)" "n110"

	# isolation from the other network holds for nodes on leaves
	cannot_ping n119 "$(addr4 o)"
	cannot_ping o "$(addr4 n45)"
	out=$(nsnet doctor n119 o 2>&1 || true)
	assert_contains "$out" "nsnet isolates bridge br0 from bridge br1"
	out=$(nsnet doctor n119 n0 2>&1)
	assert_contains "$out" "answers ping from n119"

	# status and a second up see one network, in sync
	assert_eq "$(nsnet status big --json | jq -c '[.in_sync, (.differences | length)]')" '[true,0]'
	assert_contains "$(nsnet up big.yaml)" "up to date, nothing to do"
	# a leaf deleted behind nsnet's back: status says so, up repairs it
	ip link del br0-l2
	out=$( (nsnet status big --json || true) | jq -r '.differences[].object')
	assert_contains "$out" "leaf bridge br0-l2 of network lan"
	nsnet up big.yaml >/dev/null
	can_ping n119 "$(addr4 n0)"
	assert_eq "$(nsnet status big --json | jq .in_sync)" "true"

	# down leaves nothing: links, namespaces, the firewall's table
	nsnet down big
	assert_eq "$(ip -j link show | jq -c '[.[].ifname] | sort')" "$links_before"
	assert_eq "$(ip netns list | grep -vc '^upstream' || true)" "0"
	assert_eq "$(nft -j list ruleset | jq '[.nftables[] | select(.table.name == "nsnet")] | length')" "0"
EOF
}

@test "spanning: its limits and name clashes are found before anything is made and named" {
	sandbox <<'EOF'
	gen() {  # N [extra network lines]
		echo "name: lim"
		echo "networks:"
		echo "  lan: {bridge: br0, subnet: 10.9.0.0/16}"
		[ -z "${2:-}" ] || echo "$2"
		echo "nodes:"
		for ((i = 0; i < $1; i++)); do echo "  n$i: {networks: {lan: }}"; done
	}
	# 4 ports a bridge: the root joins at most 4 leaves of 3 nodes
	gen 13 > big.yaml
	NSNET_BRIDGE_PORTS=4 expect_status 2 nsnet up big.yaml
	assert_contains "$out" "big.yaml:3:3: network lan has 13 nodes: one network holds at most 12"
	assert_eq "$(ip netns list | grep -vc '^upstream' || true)" "0"
	# a leaf's name is another network's bridge
	gen 6 "  dmz: {bridge: br0-l1, subnet: 10.7.0.0/24}" > clash.yaml
	NSNET_BRIDGE_PORTS=4 expect_status 2 nsnet plan clash.yaml
	assert_contains "$out" "the name br0-l1 it needs for a leaf bridge or trunk is taken by the bridge or a leaf of network dmz"
	# the same file with the default share: one bridge, nothing to clash
	nsnet plan clash.yaml > /dev/null
	# a bad share is bad usage
	NSNET_BRIDGE_PORTS=2 expect_status 2 nsnet plan big.yaml
	assert_contains "$out" "NSNET_BRIDGE_PORTS=2: give 4 to 1000"
	assert_eq "$(ip -j link show type bridge | jq length)" "0"
EOF
}
