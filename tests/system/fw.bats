#!/usr/bin/env bats
# Firewall: NAT, published ports, isolation, in nsnet's own nftables table.
load helpers

# The simulated upstream, built by hand when `nsnet sandbox` did not make
# it: namespace upstream behind the sandbox's eth0 (198.51.100.2/24), with
# 203.0.113.0/24 local to it.
fw_upstream() {
	if ! ip netns list | grep -qw upstream; then
		ip netns add upstream
		ip link add eth0 type veth peer name eth0 netns upstream
		ip addr add 198.51.100.2/24 dev eth0
		ip link set eth0 up
		ip -n upstream addr add 198.51.100.1/24 dev eth0
		ip -n upstream link set eth0 up
		ip -n upstream link set lo up
		ip -n upstream addr add 203.0.113.1/24 dev lo
		ip route add default via 198.51.100.1
	fi
	ip -n upstream addr add 203.0.113.10/32 dev lo 2>/dev/null || true
}
# Every nftables object that is not in nsnet's table, as compact JSON.
fw_foreign() {
	nft -j list ruleset | jq -c '[.nftables[] | to_entries[0]
		| select(.key != "metainfo")
		| select((.value.family == "inet" and
			  ((if .key == "table" then .value.name else .value.table end) == "nsnet")) | not)]'
}
# One line from a TCP server, connecting from the host namespace itself.
host_read() {
	timeout 3 python3 -c '
import socket,sys
s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print(s.recv(200).decode().strip())' "$1" "$2"
}
host_can_connect() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
# A TCP server on several ports in ns, answering "<name><port>".
serve_ports() {
	local ns=$1 name=$2; shift 2
	ip netns exec "$ns" timeout 20 python3 -c '
import socket,sys,select
ls=[]
for p in sys.argv[2:]:
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p))); s.listen(8); ls.append(s)
while True:
    r,_,_=select.select(ls,[],[])
    for s in r:
        c,a=s.accept(); c.sendall((sys.argv[1]+str(s.getsockname()[1])+"\n").encode()); c.close()
' "$name" "$@" &
	sleep 0.3
}
export -f fw_upstream fw_foreign host_read host_can_connect serve_ports

@test "nat: a namespace behind NAT reaches the upstream as the uplink's address, not without it" {
	sandbox <<'EOF'
	fw_upstream
	sysctl -qw net.ipv4.ip_forward=0
	nsnet ns add a
	nsnet bridge add br0 --addr 10.1.0.1/24 --addr fd00:1::1/64
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	serve_once upstream 80 up 203.0.113.10
	! tcp_read a 203.0.113.10 80 2>/dev/null || fail "reached upstream without NAT"
	nsnet nat add br0
	assert_eq "$(sysctl -n net.ipv4.ip_forward)" "1"
	assert_eq "$(tcp_read a 203.0.113.10 80)" "up 198.51.100.2"
	# IPv6 is masqueraded too
	assert_contains "$(nft list map inet nsnet natpost6)" "fd00:1::/64"
	expect_status 1 nsnet nat add br0
	assert_contains "$out" "already on"
	nsnet nat del br0
	assert_eq "$(sysctl -n net.ipv4.ip_forward)" "0"
	! tcp_read a 203.0.113.10 80 2>/dev/null || fail "reached upstream after nat del"
	expect_status 1 nsnet nat del br0
	assert_contains "$out" "has no NAT"
EOF
}

@test "nat --out: masquerade only through the given interface" {
	sandbox <<'EOF'
	fw_upstream
	nsnet ns add a
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	ip link add side0 type veth peer name side1; ip link set side0 up; ip link set side1 up
	nsnet nat add br0 --out side0
	serve_once upstream 80 up 203.0.113.10
	! tcp_read a 203.0.113.10 80 2>/dev/null || fail "left through eth0"
	nsnet nat del br0
	nsnet nat add br0 --out eth0
	assert_eq "$(tcp_read a 203.0.113.10 80)" "up 198.51.100.2"
	expect_status 1 nsnet nat add br1
	assert_contains "$out" "no bridge br1"
	nsnet nat del br0
	expect_status 1 nsnet nat add br0 --out nosuch0
	assert_contains "$out" "no interface nosuch0"
EOF
}

@test "publish: reached from upstream, the host (127.0.0.1 and its addresses) and the same bridge; unpublish closes all" {
	sandbox <<'EOF'
	fw_upstream
	nsnet ns add web client
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet attach web br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	nsnet attach client br0 --addr 10.1.0.3/24 --gateway 10.1.0.1
	serve_once web 80 web
	nsnet publish web 8080:80
	assert_eq "$(tcp_read upstream 198.51.100.2 8080)" "web 198.51.100.1"
	assert_contains "$(host_read 127.0.0.1 8080)" "web "
	assert_contains "$(host_read 10.1.0.1 8080)" "web "
	assert_contains "$(host_read 198.51.100.2 8080)" "web "
	# hairpin: the neighbour goes through the host and is masqueraded
	assert_eq "$(tcp_read client 10.1.0.1 8080)" "web 10.1.0.1"
	assert_eq "$(nsnet publish --list --json | jq -c '.[0] | [.namespace,.host_port,.port,.proto,.address]')" \
		'["web",8080,80,"tcp","10.1.0.2"]'
	expect_status 1 nsnet publish client 8080:80
	assert_contains "$out" "8080/tcp is already published"
	expect_status 1 nsnet unpublish client 8080:80
	assert_contains "$out" "client does not publish 8080:80/tcp"
	nsnet unpublish web 8080:80
	! can_connect upstream 198.51.100.2 8080 || fail "upstream still reaches 8080"
	! host_can_connect 127.0.0.1 8080 || fail "127.0.0.1:8080 still open"
	! host_can_connect 10.1.0.1 8080 || fail "10.1.0.1:8080 still open"
	! can_connect client 10.1.0.1 8080 || fail "hairpin still open"
	assert_eq "$(sysctl -n net.ipv4.conf.all.route_localnet)" "0"
EOF
}

@test "publish: ranges map each port, equal or shifted; HOSTIP limits the address" {
	sandbox <<'EOF'
	fw_upstream
	nsnet ns add web
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet attach web br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	serve_ports web p 9000 9001 9002 7100 7101
	nsnet publish web 9000-9002:9000-9002
	nsnet publish web 198.51.100.2:8100-8101:7100-7101
	for p in 9000 9001 9002; do
		assert_eq "$(tcp_read upstream 198.51.100.2 $p)" "p$p"
	done
	assert_eq "$(tcp_read upstream 198.51.100.2 8100)" "p7100"
	assert_eq "$(tcp_read upstream 198.51.100.2 8101)" "p7101"
	# 8100 is published on 198.51.100.2 only
	! host_can_connect 10.1.0.1 8100 || fail "8100 open on 10.1.0.1"
	# one interval element for the equal range, one per port for the shifted one
	assert_eq "$(nft -j list map inet nsnet rng4 | jq '[.nftables[1].map.elem[]] | length')" "1"
	assert_eq "$(nft -j list map inet nsnet pub4 | jq '[.nftables[1].map.elem[]] | length')" "2"
	expect_status 1 nsnet unpublish web 9000-9001:9000-9001
	nsnet unpublish web 9000-9002:9000-9002
	nsnet unpublish web 198.51.100.2:8100-8101:7100-7101
	! can_connect upstream 198.51.100.2 9001 || fail "9001 still open"
	assert_eq "$(nft list tables | grep -c nsnet || true)" "1"
EOF
}

@test "publish: bad specs exit 2, missing objects and taken ports exit 1, nothing changes" {
	sandbox <<'EOF'
	fw_upstream
	nsnet ns add web
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet attach web br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	before=$(nft -j list ruleset)
	expect_status 2 nsnet publish web 0:80
	assert_contains "$out" "1 to 65535"
	expect_status 2 nsnet publish web 8080:65536
	expect_status 2 nsnet publish web 90-80:90-80
	assert_contains "$out" "below its start"
	expect_status 2 nsnet publish web 80-82:80-81
	assert_contains "$out" "same length"
	expect_status 2 nsnet publish web 80:80/sctp
	assert_contains "$out" "unknown protocol"
	expect_status 2 nsnet publish web 192.0.2.1:80:80
	assert_contains "$out" "not an address of the host"
	expect_status 2 nsnet publish web banana
	expect_status 1 nsnet publish nosuch 80:80
	assert_contains "$out" "does not exist"
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",5001)); s.listen(1); time.sleep(20)' &
	wait_listen host 5001
	expect_status 1 nsnet publish web 5001:80
	assert_contains "$out" "5001/tcp is in use"
	expect_status 1 nsnet publish web 5000-5002:5000-5002
	assert_eq "$(nft -j list ruleset)" "$before"
	expect_status 1 nsnet unpublish web 80:80
	assert_eq "$(nft -j list ruleset)" "$before"
EOF
}

@test "isolation: two bridges cannot talk either way until allow, and again after deny" {
	sandbox <<'EOF'
	fw_upstream
	nsnet ns add a b
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet bridge add br1 --addr 10.2.0.1/24
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	nsnet attach b br1 --addr 10.2.0.2/24 --gateway 10.2.0.1
	# forwarding on, as it is as soon as any bridge has NAT
	nsnet nat add br0
	nsnet nat add br1
	cannot_ping a 10.2.0.2 || fail "br0 reaches br1"
	cannot_ping b 10.1.0.2 || fail "br1 reaches br0"
	nsnet allow br0 br1
	can_ping a 10.2.0.2 || fail "allow: br0 does not reach br1"
	can_ping b 10.1.0.2 || fail "allow: br1 does not reach br0"
	assert_eq "$(nsnet show --json | jq -c '.firewall.isolation.allowed')" '[["br0","br1"]]'
	nsnet deny br1 br0
	cannot_ping a 10.2.0.2 || fail "deny: br0 still reaches br1"
	cannot_ping b 10.1.0.2 || fail "deny: br1 still reaches br0"
	expect_status 1 nsnet deny br0 br1
	assert_contains "$out" "nothing to deny"
	expect_status 2 nsnet allow br0 br0
	expect_status 1 nsnet allow br0 nosuch
	ip link add hand0 type bridge
	expect_status 1 nsnet allow br0 hand0
	assert_contains "$out" "not an nsnet bridge"
EOF
}

@test "internal bridge: its namespaces cannot leave the host" {
	sandbox <<'EOF'
	fw_upstream
	nsnet ns add a c
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet bridge add inner --addr 10.3.0.1/24 --internal
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	nsnet attach c inner --addr 10.3.0.2/24 --gateway 10.3.0.1
	nsnet nat add br0
	# give upstream a way back, so only nsnet's rule stands in the way
	ip -n upstream route add 10.3.0.0/24 via 198.51.100.2
	ip -n upstream route add 10.1.0.0/24 via 198.51.100.2
	can_ping a 198.51.100.1 || fail "br0 cannot leave"
	cannot_ping c 198.51.100.1 || fail "internal bridge left the host"
	can_ping c 10.3.0.1 || fail "internal namespace cannot reach its gateway"
	expect_status 1 nsnet nat add inner
	assert_contains "$out" "internal"
	assert_eq "$(nsnet show --json | jq -c '.firewall.isolation.internal')" '["inner"]'
EOF
}

@test "foreign firewalls: a drop policy is warned about, and no foreign table ever changes" {
	sandbox <<'EOF'
	fw_upstream
	nft add table ip filter
	nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
	nft add rule ip filter FORWARD iifname eth0 counter accept
	nft add table inet mine
	nft add chain inet mine input '{ type filter hook input priority 0; policy accept; }'
	nft add rule inet mine input tcp dport 22 accept
	snap=$(fw_foreign)
	nsnet ns add a b
	nsnet bridge add br0 --addr 10.1.0.1/24
	[ "$(fw_foreign)" == "$snap" ] || fail "bridge add changed a foreign table"
	nsnet bridge add br1 --addr 10.2.0.1/24
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	nsnet attach b br1 --addr 10.2.0.2/24 --gateway 10.2.0.1
	out=$(nsnet nat add br0 2>&1)
	assert_contains "$out" "warning: table ip filter, chain FORWARD drops forwarded packets"
	[ "$(fw_foreign)" == "$snap" ] || fail "nat add changed a foreign table"
	out=$(nsnet publish a 8080:80 2>&1)
	assert_contains "$out" "chain FORWARD"
	[ "$(fw_foreign)" == "$snap" ] || fail "publish changed a foreign table"
	nsnet allow br0 br1 2>/dev/null
	[ "$(fw_foreign)" == "$snap" ] || fail "allow changed a foreign table"
	nsnet deny br0 br1
	nsnet unpublish a 8080:80
	[ "$(fw_foreign)" == "$snap" ] || fail "unpublish changed a foreign table"
	nsnet nat del br0
	[ "$(fw_foreign)" == "$snap" ] || fail "nat del changed a foreign table"
	nsnet bridge del br0
	nsnet bridge del br1
	[ "$(fw_foreign)" == "$snap" ] || fail "bridge del changed a foreign table"
	# removing everything leaves no nsnet table behind
	assert_eq "$(nft list tables | grep -c 'inet nsnet' || true)" "0"
	assert_eq "$(nft list tables | sort | tr '\n' ' ')" "table inet mine table ip filter "
EOF
}

@test "show lists NAT, published ports and isolation; bridge del takes its NAT along" {
	sandbox <<'EOF'
	fw_upstream
	sysctl -qw net.ipv4.ip_forward=0
	nsnet ns add a
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	nsnet nat add br0 --out eth0
	nsnet publish a 127.0.0.1:8080:80/udp
	fw=$(nsnet show --json | jq -c .firewall)
	assert_eq "$(jq -c '.nat' <<<"$fw")" '[{"bridge":"br0","out":"eth0","subnets":["10.1.0.0/24"]}]'
	assert_eq "$(jq -c '.published[0] | [.namespace,.host_ip,.host_port,.port,.proto]' <<<"$fw")" \
		'["a","127.0.0.1",8080,80,"udp"]'
	assert_eq "$(jq -c '.isolation.bridges' <<<"$fw")" '["br0"]'
	nsnet unpublish a 127.0.0.1:8080:80/udp
	nsnet bridge del br0
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
	assert_eq "$(sysctl -n net.ipv4.ip_forward)" "0"
EOF
}

@test "nat through a host-side veth, with no nsnet bridge: the table comes and goes with it" {
	sandbox <<'EOF2'
	fw_upstream
	nsnet ns add ns1
	nsnet cable host:v-eth1 ns1:v-peer1 --addr 10.200.1.1/24 --peer-addr 10.200.1.2/24
	nsnet route add ns1 default via 10.200.1.1
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
	nsnet nat add v-eth1 --out eth0
	serve_once upstream 80 up 203.0.113.10
	assert_eq "$(tcp_read ns1 203.0.113.10 80)" "up 198.51.100.2"
	nsnet nat del v-eth1
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
EOF2
}
