#!/usr/bin/env bats
# Ownership: nsnet deletes only what it created (its record, its link group
# or mark, its protocol 245), unless told --force, and says whose the
# thing is; nsnet's own objects are repaired when they drift; a failed up
# leaves nothing behind. What an independent observer (ip -j, nft -j) sees.
load helpers

# Elements of nsnet's port sets and maps (what publish adds), and the
# bridges with NAT, as nft itself lists them.
nft_ports() {
	nft -j list ruleset 2>/dev/null | jq '[.nftables[] | (.map // .set) |
		select(. != null and .table == "nsnet" and
		       (.name | test("^(pub4|pub4any|rng4|ports|owners)$"))) |
		(.elem // []) | length] | add // 0'
}
nft_nat() {
	nft -j list ruleset 2>/dev/null | jq -r '.nftables[] | .map? |
		select(. != null and .table == "nsnet" and .name == "natfwd") |
		(.elem // [])[] | .[0] | if type == "object" then .elem.val else . end'
}
export -f nft_ports nft_nat

@test "ns del: a namespace nsnet did not create needs --force; its own goes" {
	sandbox <<'EOF'
	ip netns add theirs
	expect_status 1 nsnet ns del theirs
	assert_contains "$out" "namespace theirs was not created by nsnet (no record); use --force to delete it anyway"
	assert_contains "$(ip netns list)" "theirs"
	nsnet ns del --force theirs
	assert_not_contains "$(ip netns list)" "theirs"
	nsnet ns add mine
	nsnet ns del mine
	assert_not_contains "$(ip netns list)" "mine"
	expect_status 1 nsnet ns del mine
	assert_contains "$out" "namespace mine does not exist"
EOF
}

@test "ns del removes the namespace's published ports, says so, and returns with its veths gone" {
	sandbox <<'EOF'
	nsnet bridge add br0 --addr 10.30.0.1/24
	nsnet ns add web
	nsnet attach web br0 --addr 10.30.0.2/24 --gateway 10.30.0.1
	nsnet publish web 8080:80
	nsnet publish web 9000-9001:9000-9001/udp
	port=$(ip -j link show master br0 | jq -r '.[0].ifname')
	nsnet ns del web 2> err
	assert_contains "$(cat err)" "namespace web deleted with its published ports 8080:80/tcp, 9000-9001:9000-9001/udp"
	# right away: no port of it, no mapping to it, nothing in the way
	assert_eq "$(ip -j link show master br0 | jq length)" "0"
	expect_status 1 ip link show "$port"
	assert_eq "$(nft_ports)" "0"
	nsnet ns add web
	nsnet attach web br0 --addr 10.30.0.2/24
	nsnet publish web 8080:80
EOF
}

@test "bridge del: a foreign bridge (docker0) needs --force; nsnet's takes its attachments; attach and detach agree after" {
	sandbox <<'EOF'
	ip link add docker0 type bridge
	ip link set docker0 alias "docker's"
	expect_status 1 nsnet bridge del docker0
	assert_contains "$out" "bridge docker0 was not created by nsnet (no mark, alias \"docker's\"); use --force to delete it anyway"
	ip link show docker0 > /dev/null
	nsnet bridge del --force docker0
	expect_status 1 ip link show docker0

	nsnet ns add a b
	nsnet bridge add br0 --addr 10.31.0.1/24
	nsnet attach a br0 --addr 10.31.0.2/24
	ip link add foreignport type veth peer name fp2
	ip link set foreignport master br0
	nsnet bridge del br0
	# a's attachment went with it (both ends); the foreign port stays
	assert_eq "$(ip -n a -j link | jq -r '[.[].ifname] | join(" ")')" "lo"
	assert_eq "$(ip -j link show foreignport | jq -r '.[0].master // "none"')" "none"

	# the bridge deleted behind nsnet's back: the old port is left over
	nsnet bridge add br0
	nsnet attach b br0
	ip link del br0
	nsnet bridge add br0
	expect_status 1 nsnet attach b br0
	assert_contains "$out" "is left from an earlier attachment to a bridge br0 that was deleted; 'nsnet detach b br0' removes it"
	nsnet detach b br0
	nsnet attach b br0
	assert_eq "$(ip -j link show master br0 | jq length)" "1"
	nsnet detach b br0
	expect_status 1 nsnet detach b br0
	assert_contains "$out" "b is not attached to br0"
EOF
}

@test "route del: a route of another protocol (dhcp, boot) needs --force and says whose it is" {
	sandbox <<'EOF'
	nsnet ns add a
	nsnet cable a host --addr 10.32.0.2/24 --peer-addr 10.32.0.1/24
	nsnet cable a:v6 host:v6h --addr fd00:32::2/64 --peer-addr fd00:32::1/64
	ip -n a route add 10.9.0.0/24 via 10.32.0.1 proto dhcp
	ip -n a route add 10.8.0.0/24 via 10.32.0.1
	ip -n a -6 route add fd00:9::/64 via fd00:32::1 proto ra
	nsnet route add a 10.7.0.0/24 via 10.32.0.1
	nsnet route add a fd00:7::/64 via fd00:32::1
	expect_status 1 nsnet route del a 10.9.0.0/24 via 10.32.0.1
	assert_contains "$out" "route 10.9.0.0/24 via 10.32.0.1 in a is protocol dhcp, not nsnet's (245); use --force to delete it anyway"
	expect_status 1 nsnet route del a 10.8.0.0/24 dev veth-host
	assert_contains "$out" "is protocol boot, not nsnet's (245)"
	expect_status 1 nsnet route del a fd00:9::/64 via fd00:32::1
	assert_contains "$out" "is protocol ra, not nsnet's (245)"
	assert_eq "$(ip -n a -j route show 10.9.0.0/24 | jq -r '.[0].protocol')" "dhcp"
	# nsnet's own go without a word
	nsnet route del a 10.7.0.0/24 via 10.32.0.1
	nsnet route del a fd00:7::/64 via fd00:32::1
	assert_eq "$(ip -n a -j route show 10.7.0.0/24 | jq length)" "0"
	# and a route that is not there at all says so
	expect_status 1 nsnet route del a 10.6.0.0/24 via 10.32.0.1
	assert_contains "$out" "No such process"
	nsnet route del --force a 10.9.0.0/24 via 10.32.0.1
	nsnet route del a 10.8.0.0/24 dev veth-host --force
	nsnet route del --force a fd00:9::/64 via fd00:32::1
	assert_eq "$(ip -n a -j route show 10.9.0.0/24 | jq length)$(ip -n a -j route show 10.8.0.0/24 | jq length)" "00"
	assert_eq "$(ip -n a -6 -j route show fd00:9::/64 | jq length)" "0"
EOF
}

@test "addr del and link del: what nsnet did not add needs --force" {
	sandbox <<'EOF'
	nsnet ns add a
	ip -n a link add d0 type veth peer name d1
	expect_status 1 nsnet link del a d0
	assert_contains "$out" "d0 in a was not created by nsnet (no mark); use --force to delete it anyway"
	expect_status 1 nsnet link del a lo
	nsnet link del --force a d0
	expect_status 1 ip -n a link show d1
	nsnet cable a host --addr 10.33.0.2/24 --peer-addr 10.33.0.1/24
	nsnet link del a veth-host
	expect_status 1 ip link show veth-a

	ip -n a addr add 10.1.1.1/24 dev lo
	nsnet addr add a lo 10.2.2.2/24
	nsnet addr add a lo fd00:2::2/64
	# (iproute2 6.1 does not show an address's protocol: nsnet's own
	# answer below is the observer)
	expect_status 1 nsnet addr del a lo 10.1.1.1/24
	assert_contains "$out" "address 10.1.1.1/24 on lo in a was not added by nsnet (protocol unspec, not nsnet's 245); use --force to delete it anyway"
	expect_status 1 nsnet addr del a lo 127.0.0.1/8
	nsnet addr del a lo 10.2.2.2/24
	nsnet addr del a lo fd00:2::2/64
	nsnet addr del --force a lo 10.1.1.1/24
	assert_eq "$(ip -n a -j addr show lo | jq -c '[.[0].addr_info[].local]')" '["127.0.0.1","::1"]'
EOF
}

@test "down of an empty or dotted name is bad input and deletes nothing; option words are not names" {
	sandbox <<'EOF'
	nsnet ns add plain1 plain2
	before=$(world)
	for bad in "" "." ".." "-x"; do
		expect_status 2 nsnet down "$bad"
		assert_eq "$(world)" "$before" "down '$bad'"
	done
	# a name nothing carries: idempotent, said, nothing deleted
	expect_status 0 nsnet down nosuch
	assert_contains "$out" "there is no topology nosuch"
	assert_eq "$(world)" "$before"
	# ns add --help is help or bad input, never a namespace called --help
	set +e; nsnet ns add --help > /dev/null 2>&1; st=$?; set -e
	[ "$st" = 0 ] || [ "$st" = 2 ] || fail "ns add --help exited $st"
	expect_status 2 nsnet ns add -x
	expect_status 2 nsnet ns add -- --help
	assert_eq "$(world)" "$before"
	assert_eq "$(ls /run/netns | grep -c -- '^-' || true)" "0"
EOF
}

@test "up: a foreign bridge with the file's bridge name fails clearly and changes nothing; another topology's is left alone" {
	sandbox <<'EOF'
	ip link add app_br type bridge
	before=$(world)
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "network app: the host already has an interface app_br that is not part of topology shop: nsnet did not create it"
	assert_eq "$(world)" "$before"
	ip link del app_br

	sed '/^expect:/,$d; s/^name: shop/name: other/; s/web:/w2:/; s/database:/d2:/' \
		"$NSNET_ROOT/examples/seed000.yaml" > other.yaml
	nsnet up "$NSNET_ROOT/examples/seed000.yaml" > /dev/null
	before=$(world)
	expect_status 1 nsnet up other.yaml
	assert_contains "$out" "app_br that is not part of topology other: it belongs to topology shop"
	assert_eq "$(world)" "$before"
	expect_status 0 nsnet down other
	assert_contains "$out" "nothing to do"
	assert_eq "$(ip -j link show app_br | jq -r '.[0].ifalias')" "nsnet:shop"
	assert_eq "$(world)" "$before"
	nsnet down shop
	nsnet up other.yaml > /dev/null
	nsnet down other
EOF
}

@test "a foreign bridge (docker0) made between up's plan and its creation of the bridge is never marked" {
	command -v strace > /dev/null || skip "needs strace"
	sandbox <<'EOF'
	printf 'name: big\nnetworks:\n  lan: {bridge: docker0, subnet: 10.35.0.0/24}\nnodes:\n  n1: {networks: {lan: }}\n' > big.yaml
	before=$(world)
	# up writes its record first (its first rename, or renameat), then creates the
	# bridge: held there for half a second, it finds docker0 taken
	strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:delay_enter=500000:when=1 \
		"$NSNET" up big.yaml > out.txt 2>&1 &
	up=$!
	for i in $(seq 300); do ls /run/nsnet/topo/big/file.* > /dev/null 2>&1 && break; sleep 0.01; done
	ip link add docker0 type bridge
	st=0; wait $up || st=$?
	assert_eq "$st" "1" "$(cat out.txt)"
	assert_contains "$(cat out.txt)" "create bridge docker0: File exists"
	assert_eq "$(ip -j link show docker0 | jq -r '.[0].ifalias // "none"')" "none"
	ip link del docker0
	assert_eq "$(world)" "$before"
EOF
}

@test "a link born in nsnet's group without its mark (its creator killed) is adopted by up and removed by down" {
	sandbox <<'EOF'
	before=$(world)
	group=$(printf '%d' 0x6e736e74)
	# what a kill between creation and mark leaves: the bridge in the
	# group, no alias
	ip link add app_br type bridge
	ip link set app_br group "$group"
	nsnet up "$NSNET_ROOT/examples/seed000.yaml" > out.txt
	assert_contains "$(cat out.txt)" "repair: bridge app_br up"
	assert_eq "$(ip -j link show app_br | jq -r '.[0].ifalias')" "nsnet:shop"
	assert_eq "$(nsnet status shop --json | jq .in_sync)" "true"
	can_ping web 10.10.0.20
	nsnet down shop
	assert_eq "$(world)" "$before"
	# down by the file's name removes an orphan the file names
	mkdir -p /run/nsnet/topo/shop
	printf %s "$NSNET_ROOT/examples/seed000.yaml" > /run/nsnet/topo/shop/file
	ip link add app_br type bridge
	ip link set app_br group "$group"
	nsnet down shop
	assert_eq "$(world)" "$before"
	# and bridge del takes it as nsnet's
	ip link add br9 type bridge
	ip link set br9 group "$group"
	nsnet bridge del br9
EOF
}

@test "up repairs nsnet's own drift: loopback down, a NAT bridge deleted behind its back" {
	sandbox <<'EOF'
	f=$NSNET_ROOT/examples/seed000.yaml
	nsnet up "$f" > /dev/null
	ip -n web link set lo down
	assert_eq "$(nsnet status shop --json | jq -r '.differences[].object')" "web lo up"
	assert_contains "$(nsnet up "$f")" "repair: web lo up"
	assert_eq "$(ip -n web -j link show lo | jq -r '.[0].flags | index("UP") != null')" "true"
	ip netns exec web ping -c1 -W1 127.0.0.1 > /dev/null

	ip link del app_br
	nsnet up "$f" > out.txt
	assert_contains "$(cat out.txt)" "repair: isolation of bridge app_br"
	assert_eq "$(nsnet status shop --json | jq .in_sync)" "true"
	assert_eq "$(nft_nat)" "app_br"
	nsnet check > /dev/null
	nsnet down shop
EOF
}

@test "a failed up undoes everything it did: namespaces, links, NAT, published ports, host sysctls, files" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: fails
networks:
  app: {bridge: fail_br, subnet: 10.34.0.0/24, nat: true}
nodes:
  a:
    networks: {app: }
    publish: ["8081:80"]
    run: ["sleep 30"]
  b:
    networks: {app: }
    publish: ["8082:80"]
Y
	before=$(world)
	# a host socket holds b's port: its publish fails, after the bridge,
	# the namespaces, the NAT and a's port were made
	hold_port 8082
	before=$(world)
	expect_status 1 nsnet up t.yaml
	assert_contains "$out" "host port 8082/tcp is in use"
	assert_eq "$(world)" "$before"
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
	kill $holder; wait $holder 2>/dev/null || true
	nsnet up t.yaml > /dev/null
	assert_eq "$(nsnet status fails --json | jq .in_sync)" "true"
	nsnet down fails
EOF
}
