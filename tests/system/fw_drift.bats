#!/usr/bin/env bats
# The firewall when its objects lose their owner or the kernel loses its
# rules: orphans can still be removed, host sysctls go back only when
# right, and drift is seen by status and repaired by up. nft -j observes.
load helpers

# A dual-stack topology with NAT and a published port.
shop_file() {
	cat > shop.yaml <<'Y'
name: shop
networks:
  app:
    bridge: app_br
    subnet: [10.10.0.0/24, "fd00:10::/64"]
    nat: true
nodes:
  web:
    networks:
      app: [10.10.0.10, "fd00:10::10"]
    publish: ["8080:80"]
  database:
    networks:
      app: [10.10.0.20, "fd00:10::20"]
Y
}
# A fresh bridge's IPv6 link-local address is tentative for about a second
# (DAD), and the host's first neighbour solicitation on it waits for it:
# wait (bounded) so that a first connection does not time out.
dad_done() {
	local i
	for i in $(seq 50); do
		[ -z "$(ip -6 addr show dev "$1" tentative)" ] && return 0
		sleep 0.1
	done
}
# Elements of one set or map of nsnet's table (0 when it or the table is gone).
elems() {
	nft -j list table inet nsnet 2>/dev/null |
		jq --arg n "$1" '[.nftables[] | (.set // .map) | select(.name? == $n) | .elem // [] | length] | add // 0'
}
# Rules per chain of nsnet's table, one "chain:count" a line.
rules() {
	nft -j list table inet nsnet 2>/dev/null |
		jq -r '[.nftables[] | .rule? | select(.) | .chain] | group_by(.) | map("\(.[0]):\(length)") | .[]'
}
# status exits 1 when the kernel differs from the file: the first line says so
status_line() { nsnet status shop | head -1 || true; }
export -f dad_done shop_file elems rules status_line

@test "orphans: ports of a namespace deleted behind nsnet's back still go with unpublish" {
	sandbox <<'EOF'
	nsnet ns add web
	nsnet bridge add br0 --addr 10.1.0.1/24 --addr fd00:1::1/64
	nsnet attach web br0 --addr 10.1.0.2/24 --addr fd00:1::2/64 --gateway 10.1.0.1
	nsnet publish web 8080:80
	nsnet publish web 127.0.0.1:9000-9001:9000-9001/udp
	ip netns del web
	assert_eq "$(nsnet publish --list --json | jq -c '[.[].spec]')" \
		'["8080:80/tcp","127.0.0.1:9000-9001:9000-9001/udp"]'
	nsnet unpublish web 8080:80
	nsnet unpublish web 127.0.0.1:9000-9001:9000-9001/udp
	for m in ports owners pub4any pub6any rng4; do assert_eq "$(elems $m)" "0" "$m"; done
	nsnet bridge del br0
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
EOF
}

@test "host sysctls: nat del keeps route_localnet for another network's ports; a later forward on is the user's" {
	sandbox <<'EOF'
	sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.route_localnet=0
	nsnet ns add a web
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet bridge add br1 --addr 10.2.0.1/24
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	nsnet attach web br1 --addr 10.2.0.2/24 --gateway 10.2.0.1
	# both networks have NAT: one NAT is left after the first nat del
	nsnet nat add br0
	nsnet nat add br1
	serve_once web 80 web
	nsnet publish web 127.0.0.1:8080:80
	assert_eq "$(sysctl -n net.ipv4.conf.all.route_localnet)" "1"
	nsnet nat del br0
	assert_eq "$(sysctl -n net.ipv4.conf.all.route_localnet)" "1" "route_localnet after nat del of another bridge"
	assert_eq "$(timeout 3 python3 -c '
import socket; s=socket.create_connection(("127.0.0.1",8080),timeout=2); print(s.recv(200).decode().strip())')" "web 10.2.0.1"
	nsnet unpublish web 127.0.0.1:8080:80
	assert_eq "$(sysctl -n net.ipv4.conf.all.route_localnet)" "0"
	nsnet nat del br1
	assert_eq "$(sysctl -n net.ipv4.ip_forward)" "0"
	# forwarding: the user's forward on after nat add stays after nat del
	nsnet nat add br0
	assert_eq "$(sysctl -n net.ipv4.ip_forward)" "1"
	nsnet forward on
	nsnet nat del br0
	assert_eq "$(sysctl -n net.ipv4.ip_forward) $(sysctl -n net.ipv6.conf.all.forwarding)" "1 1"
	# and a value changed by hand since is not overwritten either
	sysctl -qw net.ipv4.ip_forward=0
	nsnet nat add br0
	sysctl -qw net.ipv6.conf.all.forwarding=0
	nsnet nat del br0
	assert_eq "$(sysctl -n net.ipv4.ip_forward) $(sysctl -n net.ipv6.conf.all.forwarding)" "0 0"
	assert_eq "$(ls /run/nsnet/fw 2>/dev/null | wc -l)" "0"
EOF
}

@test "drift: after nft flush table inet nsnet, status sees it and up puts every rule back" {
	sandbox <<'EOF'
	shop_file
	nsnet up shop.yaml
	dad_done app_br
	serve_once web 80 web ::
	assert_eq "$(tcp_read upstream 2001:db8:100::2 8080)" "web 2001:db8:100::1"
	want=$(rules)
	assert_contains "$(status_line)" "matches the file"
	nft flush table inet nsnet
	assert_eq "$(rules)" ""
	out=$(nsnet status shop || true)
	assert_contains "$out" "differs from the file"
	assert_contains "$out" "drifted: published port 8080:80 of web"
	assert_contains "$out" "drifted: NAT for bridge app_br"
	nsnet up shop.yaml
	assert_eq "$(rules)" "$want"
	assert_contains "$(status_line)" "matches the file"
	assert_eq "$(tcp_read upstream 2001:db8:100::2 8080)" "web 2001:db8:100::1"
	assert_eq "$(tcp_read upstream 198.51.100.2 8080)" "web ::ffff:198.51.100.1"
	can_ping web 203.0.113.10 || fail "NAT not back"
	assert_contains "$(nsnet up shop.yaml)" "nothing to do"
EOF
}

@test "drift: a flushed map or a deleted table is seen and repaired" {
	sandbox <<'EOF'
	shop_file
	nsnet up shop.yaml
	for m in pub6any owners natfwd natpost4 allowed; do
		nft flush set inet nsnet $m 2>/dev/null || nft flush map inet nsnet $m
		assert_eq "$(elems $m)" "0"
		assert_contains "$(status_line)" "differs from the file" "after flushing $m"
		nsnet up shop.yaml >/dev/null
		assert_contains "$(status_line)" "matches the file" "up after flushing $m"
	done
	assert_eq "$(elems pub6any) $(elems owners) $(elems natfwd) $(elems natpost4) $(elems allowed)" "1 1 1 1 1"
	assert_eq "$(elems ports) $(elems pub4any)" "1 1"
	nft delete table inet nsnet
	assert_contains "$(status_line)" "differs from the file"
	nsnet up shop.yaml
	assert_contains "$(status_line)" "matches the file"
	assert_eq "$(elems pub4any) $(elems pub6any) $(elems natfwd) $(elems bridges)" "1 1 1 1"
	dad_done app_br
	serve_once web 80 web ::
	assert_eq "$(tcp_read upstream 2001:db8:100::2 8080)" "web 2001:db8:100::1"
	nsnet down shop
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
EOF
}

@test "drift: the NAT of a deleted bridge is stale: up and nat add put it back instead of 'already on'" {
	sandbox <<'EOF'
	shop_file
	nsnet up shop.yaml
	ip link del app_br
	nsnet up shop.yaml
	idx=$(ip -j link show app_br | jq '.[0].ifindex')
	assert_eq "$(nft -j list map inet nsnet natfwd | jq -r '.nftables[1].map.elem[0][0].elem.comment')" "ifindex $idx"
	assert_eq "$(elems natfwd)" "1"
	nsnet down shop
	# the same by hand
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet nat add br0
	ip link del br0
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet nat add br0
	idx=$(ip -j link show br0 | jq '.[0].ifindex')
	assert_eq "$(nft -j list map inet nsnet natfwd | jq -r '.nftables[1].map.elem[0][0].elem.comment')" "ifindex $idx"
	expect_status 1 nsnet nat add br0
	assert_contains "$out" "NAT for bridge br0 is already on"
	# a NAT whose bridge is gone goes with nat del
	ip link del br0
	nsnet nat del br0
	assert_eq "$(elems natfwd) $(elems natpost4)" "0 0"
EOF
}

# The table as nsnet made it before IPv6 ports (its IPv4 rules only), with
# web's 8080:80.
old_table() {
	local mark
	mark=$(printf '0x%08x' "$(python3 -c '
h=2166136261
for c in b"owner": h=((h^c)*16777619)&0xffffffff
h=((h^0xff)*16777619)&0xffffffff
for c in b"web": h=((h^c)*16777619)&0xffffffff
print(h)')")
	nft -f - <<NFT
table inet nsnet {
  set bridges { type ifname; }
  set internal { type ifname; }
  set allowed { type ifname . ifname; }
  set ports { type inet_proto . inet_service; elements = { tcp . 8080 } }
  set owners { type mark . inet_proto . inet_service . inet_service . inet_service; elements = { $mark . tcp . 8080 . 8080 . 80 comment "web" } }
  map pub4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
  map pub4any { type inet_proto . inet_service : ipv4_addr . inet_service; elements = { tcp . 8080 comment "web" : 10.1.0.2 . 80 } }
  map rng4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr; flags interval; }
  chain published {
    meta nfproto ipv4 meta l4proto { tcp, udp } fib daddr type local dnat ip to meta l4proto . th dport map @pub4any
  }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump published; }
}
NFT
}
export -f old_table

@test "a table of an older nsnet (records without their family, no IPv6 maps) is brought up to date, its ports kept" {
	sandbox <<'EOF2'
	old_table
	nsnet ns add web
	nsnet bridge add br0 --addr 10.1.0.1/24 --addr fd00:1::1/64
	nsnet attach web br0 --addr 10.1.0.2/24 --addr fd00:1::2/64 --gateway 10.1.0.1
	assert_eq "$(nsnet publish --list --json | jq -c '[.[] | [.namespace, .spec, .addresses]]')" \
		'[["web","8080:80/tcp",["10.1.0.2"]]]'
	assert_eq "$(nft -j list set inet nsnet owners | jq -c '.nftables[1].set.type')" \
		'["nf_proto","mark","inet_proto","inet_service","inet_service","inet_service"]'
	nsnet publish web 8081:80
	assert_eq "$(elems pub6any)" "1"
	nsnet unpublish web 8080:80
	nsnet unpublish web 8081:80
	assert_eq "$(elems ports) $(elems owners) $(elems pub4any) $(elems pub6any)" "0 0 0 0"
	# unpublish first, nothing added before it
	nsnet bridge del br0
	old_table
	nsnet unpublish web 8080:80
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
EOF2
}
