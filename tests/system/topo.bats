#!/usr/bin/env bats
# Topologies: nsnet up/down/status/plan/logs, each test in its own sandbox.
load helpers

# The host's state an up/down must leave as it found it.
host_state() {
	{
		ip -j link | jq -c '[.[].ifname] | sort'
		ip netns list | awk '{print $1}' | sort | tr '\n' ' '
		nft -j list ruleset | jq -c '[.nftables[] | select(.table) | .table.name]'
		ls /etc/netns
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding
	} 2>&1
}
# What nodes are configured with (not their volatile state).
config_of_all() {
	for ns in $(ip netns list | awk '{print $1}' | sort); do
		echo "$ns"
		ip -n "$ns" -j addr | jq -c '[.[] | {ifname, a: [.addr_info[] | select(.local | startswith("fe80") | not) | "\(.local)/\(.prefixlen)"]}]'
		ip -n "$ns" -j route | jq -c '[.[] | {dst, gateway, dev}]'
	done
}
export -f host_state config_of_all

@test "every example: up, its connectivity, a second up changes nothing, down leaves the host as it was" {
	sandbox <<'EOF'
	for f in "$NSNET_ROOT"/examples/*.yaml; do
		before=$(host_state)
		nsnet up "$f"
		name=$(sed -n 's/^name: *//p' "$f")
		case $name in
		shop)     can_ping web 10.10.0.20; can_ping web 203.0.113.10
		          nsnet ping web database -c 1 >/dev/null ;;
		seed001)  can_ping ns1 192.168.0.2 ;;
		seed002)  can_ping red 192.168.15.4; can_ping blue 203.0.113.10
		          serve_once blue 80 blue-web
		          assert_eq "$(tcp_read upstream 198.51.100.2 8080 | cut -d' ' -f1)" "blue-web" ;;
		seed003)  can_ping ns1 10.200.1.1; can_ping ns1 203.0.113.10 ;;
		seed004)  can_ping Blue 192.168.100.1; ping -c1 -W2 192.168.100.2 >/dev/null ;;
		shopfront) can_ping web 172.30.1.20; can_ping api 172.30.2.30
		          cannot_ping web 172.30.2.30; cannot_ping db 203.0.113.10
		          can_ping web 203.0.113.10 ;;
		*)        fail "no connectivity check for $name" ;;
		esac
		snap=$(config_of_all)
		assert_contains "$(nsnet up "$f")" "nothing to do"
		assert_eq "$(config_of_all)" "$snap"
		nsnet status "$name" >/dev/null
		nsnet down "$name"
		assert_eq "$(host_state)" "$before" "after down of $name"
	done
EOF
}

@test "names resolve between nodes through /etc/netns/NODE/hosts" {
	sandbox <<'EOF'
	nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$(cat /etc/netns/web/hosts)" "10.10.0.20	database"
	nsnet exec web -- ping -c1 -W2 database >/dev/null
	nsnet ping web database -c 1 >/dev/null
	nsnet down shop
	[ ! -e /etc/netns/web ]
EOF
}

@test "a node on an IPv4-only network has no IPv6 link-local address (also below 1,280 bytes of MTU); one on a dual-stack network has" {
	sandbox <<'EOF'
	cat > /tmp/ll.yaml <<'YAML'
name: ll
networks:
  v4: {subnet: 10.61.0.0/24}
  ds: {subnet: [10.62.0.0/24, "fd00:62::/64"]}
  small: {subnet: 10.63.0.0/24, mtu: 1000}
nodes:
  a: {networks: {v4: }}
  b: {networks: {v4: , ds: }}
  c: {networks: {small: }}
YAML
	# (below IPv6's 1,280-byte MTU a link has no IPv6 to turn off: fine)
	nsnet up /tmp/ll.yaml
	ll() { ip -n "$1" -j addr show dev "$2" | jq -r '[.[0].addr_info[] | select(.scope == "link" and .family == "inet6")] | length'; }
	assert_eq "$(ll a eth0)" 0 "a's eth0 (v4 only)"
	assert_eq "$(ll b eth0)" 0 "b's eth0 (v4 only)"
	assert_eq "$(ll b eth1)" 1 "b's eth1 (dual stack)"
	can_ping a 10.61.0.1
	can_ping c 10.63.0.1
	ip netns exec b ping -6 -c1 -W2 fd00:62::1 >/dev/null
	assert_contains "$(nsnet up /tmp/ll.yaml)" "nothing to do"
	nsnet down ll
EOF
}

@test "drift is repaired: address removed, link down, route deleted, process killed" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: drift
networks:
  n: {subnet: 10.60.0.0/24}
nodes:
  a:
    networks: {n: 10.60.0.10}
    routes: ["192.168.77.0/24 via 10.60.0.1"]
    run: ["sleep 300"]
  b:
    networks: {n: }
Y
	nsnet up t.yaml
	assert_eq "$(nsnet status drift --json | jq -r '.nodes[] | select(.name=="a") | .run[0].running')" "true"
	ip -n a addr del 10.60.0.10/24 dev eth0
	ip -n b link set eth0 down
	ip -n a route del 192.168.77.0/24 2>/dev/null || true
	pkill -f "sleep 300"
	sleep 0.2
	expect_status 1 nsnet status drift
	assert_contains "$out" "address 10.60.0.10/24 on a eth0"
	out=$(nsnet up t.yaml)
	assert_contains "$out" "repair: address 10.60.0.10/24 on a eth0"
	assert_contains "$out" "repair: b eth0 up"
	assert_contains "$out" "repair: process"
	assert_eq "$(ip -n a -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "10.60.0.10"
	assert_eq "$(ip -n b -j link show eth0 | jq -r '.[0].operstate')" "UP"
	assert_eq "$(ip -n a -j route show 192.168.77.0/24 | jq -r '.[0].gateway')" "10.60.0.1"
	assert_eq "$(nsnet status drift --json | jq -r '.in_sync')" "true"
	assert_eq "$(nsnet status drift --json | jq -r '.nodes[] | select(.name=="a") | .run[0].running')" "true"
	nsnet down drift
	! pgrep -f "sleep 300"
EOF
}

@test "a failure in the middle of up is rolled back completely" {
	sandbox <<'EOF'
	before=$(host_state)
	# a foreign interface holds the name of database's bridge port
	hostif=$(nsnet plan "$NSNET_ROOT/examples/seed000.yaml" | sed -n 's/^ip link add \(database-[0-9a-f]*\) .*/\1/p')
	[ -n "$hostif" ]
	ip link add "$hostif" type veth peer name x9
	before=$(host_state)
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "$hostif"
	assert_eq "$(host_state)" "$before"
	assert_eq "$(ls /run/nsnet/ns | grep -v upstream || true)" ""
	ip link del "$hostif"
	nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	can_ping web 10.10.0.20
EOF
}

@test "a namespace or bridge that is not the topology's is refused before anything changes" {
	sandbox <<'EOF'
	ip netns add web
	before=$(host_state)
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "namespace web exists and is not part of topology shop"
	assert_eq "$(host_state)" "$before"
	ip netns del web
	ip link add app_br type bridge
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "app_br that is not part of topology shop"
	assert_eq "$(ip -j link show app_br | jq -r '.[0].ifalias // "none"')" "none"
EOF
}

@test "validation errors name file:line:column, exit 2 and change nothing" {
	sandbox <<'EOF'
	before=$(host_state)
	check() {  # expected-message, then the file on stdin
		cat > bad.yaml
		expect_status 2 nsnet up bad.yaml
		assert_contains "$out" "bad.yaml:"
		assert_contains "$out" "$1"
		assert_eq "$(host_state)" "$before"
	}
	printf 'name: x\nnodes:\n  a:\n    colour: red\n' | check 'bad.yaml:4:5: unknown key "colour"'
	printf 'name: x\nnodes: [a, b]\n' | check "bad.yaml:2:8: node must be a mapping"
	printf 'name: x\nnodes:\n  a:\n  a:\n' | check 'bad.yaml:4:3: node "a" appears twice'
	printf 'name: x\nnetworks:\n  n: {subnet: 10.0.0.0/24}\nnodes:\n  a: {networks: {n: 10.0.1.5}}\n' | check "outside the subnet"
	printf 'name: x\nnetworks:\n  n: {subnet: 10.0.0.0/24}\nnodes:\n  a: {networks: {n: 10.0.0.5}}\n  b: {networks: {n: 10.0.0.5}}\n' | check "used by a too"
	printf 'name: x\nnetworks:\n  n: {subnet: 10.0.0.0/24, gateway: 10.9.0.1}\n' | check "gateway 10.9.0.1 is outside its subnet"
	printf 'name: x\nnetworks:\n  n: {subnet: 10.0.0.0/16}\n  m: {subnet: 10.0.5.0/24}\n' | check "overlaps"
	printf 'name: x\nnetworks:\n  a_network_name_too_long: {subnet: 10.0.0.0/24}\n' | check "at most 15"
	printf 'name: x\nnodes:\n  a: {networks: {nope: }}\n' | check 'network "nope", which is not in networks:'
	printf 'name: x\nnodes:\n  a: {publish: ["70000:80"]}\n' | check 'publish "70000:80"'
	printf 'name: x\nnodes:\n  a:\nexpect: ["a to b"]\n' | check "expectation"
	printf 'name: x\nnodes:\n  a:\n    routes: ["10.1.2.3/16 via 10.0.0.1"]\n' | check "host bits"
	printf 'nodes:\n  a:\n' | check "no name"
	printf 'name: x\nnodes: {a: [\n' | check "bad.yaml:"
EOF
}

@test "addresses left empty are stable across down/up and avoid the gateway and explicit ones" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: ipam
networks:
  n: {subnet: 10.70.0.0/29, gateway: 10.70.0.1}
nodes:
  a: {networks: {n: }}
  b: {networks: {n: }}
  c: {networks: {n: 10.70.0.4}}
  d: {networks: {n: }}
Y
	nsnet up t.yaml
	first=$(for n in a b c d; do ip -n $n -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local'; done)
	assert_eq "$(echo "$first" | sort -u | wc -l)" "4"
	assert_not_contains "$first" "10.70.0.1
"
	nsnet down ipam
	nsnet up t.yaml
	assert_eq "$(for n in a b c d; do ip -n $n -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local'; done)" "$first"
	printf '  e: {networks: {n: }}\n  f: {networks: {n: }}\n  g: {networks: {n: }}\n' >> t.yaml
	expect_status 2 nsnet up t.yaml
	# the position is in the file, not in the topology's name
	assert_contains "$out" "t.yaml:10:18: network n has no free IPv4 address left for f"
EOF
}

@test "plan prints ip and nft commands and changes nothing; logs show a run: command's output" {
	sandbox <<'EOF'
	before=$(host_state)
	out=$(nsnet plan "$NSNET_ROOT/examples/docker-style.yaml")
	assert_contains "$out" "ip netns add web"
	assert_contains "$out" "ip link add fe_br type bridge"
	assert_contains "$out" "masquerade"
	assert_eq "$(nsnet up --dry-run "$NSNET_ROOT/examples/docker-style.yaml")" "$out"
	assert_eq "$(host_state)" "$before"
	cat > t.yaml <<'Y'
name: talk
nodes:
  a:
    run: ["echo hello from $(cat /proc/sys/kernel/hostname >/dev/null; ip -o link show lo | cut -d: -f2)"]
Y
	nsnet up t.yaml
	sleep 0.3
	assert_contains "$(nsnet logs a)" "hello from lo"
	nsnet down talk
	expect_status 1 nsnet logs a
EOF
}

@test "up killed with SIGKILL at any point: down leaves nothing, up then gives the full topology" {
	sandbox <<'EOF'
	python3 -c '
print("name: big\nnetworks:\n  lan: {bridge: br-big, subnet: 10.80.0.0/16, nat: true}\nnodes:")
for i in range(150): print(f"  n{i}: {{networks: {{lan: }}}}")' > big.yaml
	before=$(host_state)
	for at in 0.05 0.15 0.3; do
		timeout -s KILL $at "$NSNET" up big.yaml >/dev/null || true
		nsnet down big >/dev/null 2>&1 || true
		assert_eq "$(host_state)" "$before" "killed at $at s"
		assert_eq "$(ip -j link | jq '[.[] | select((.ifalias // "") | startswith("nsnet:big"))] | length')" "0"
		assert_eq "$(ls /run/nsnet/ns | grep -vc upstream || true)" "0"
	done
	nsnet up big.yaml
	assert_eq "$(ip netns list | grep -vc upstream)" "150"
	assert_eq "$(ip -j link show master br-big | jq length)" "150"
	can_ping n77 10.80.0.1
	nsnet down big
	assert_eq "$(host_state)" "$before"
EOF
}
