#!/usr/bin/env bats
# nsnet doctor: why a packet does not get through. Each break is named
# first, with fix lines that, run as they are, make an independent observer
# (iputils ping, a TCP connection from ip netns exec) succeed.
load helpers

# Seed 000 by hand: web and database on app_br, forwarding and NAT on.
seed000() {
	nsnet ns add web database
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
	nsnet attach database app_br --addr 10.10.0.20/16 --gateway 10.10.0.1
	nsnet forward on
	nsnet nat add app_br
	wait_path web 203.0.113.10
}
# a -- r -- b on cables, routed, no NAT.
routed() {
	nsnet ns add a r b
	nsnet cable a:eth0 r:eth0 --addr 10.1.0.2/24 --peer-addr 10.1.0.1/24
	nsnet cable r:eth1 b:eth0 --addr 10.2.0.1/24 --peer-addr 10.2.0.2/24
	nsnet route add a default via 10.1.0.1
	nsnet route add b 10.1.0.0/24 via 10.2.0.1
	nsnet forward on r
	wait_path a 10.2.0.2
}
# The unbroken network works before a test breaks it. New links pass
# packets only once the kernel's link watch has run, which waits for the
# rtnl lock that other sandboxes' namespace teardown holds for seconds.
wait_path() {
	local i
	for i in $(seq 10); do
		ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1 && return 0
	done
	fail "$1 does not reach $2 before anything was broken"
}
# The lines of doctor's output ($out) that start with a word.
lines_of() { grep "^$1 " <<<"$out" || true; }
# Run every fix line of $out, in order, as a test would paste them.
apply_fixes() {
	local l n=0
	while IFS= read -r l; do
		[[ "$l" == "fix   "* ]] || continue
		eval "${l#fix   }"
		n=$((n + 1))
	done <<<"$out"
	[ "$n" -gt 0 ] || fail "no fix line in: $out"
}
# doctor must fail (exit 1) with exactly this FAIL line and these fix lines.
expect_cause() {
	local ns=$1 dest=$2 cause=$3; shift 3
	expect_status 1 nsnet doctor "$ns" "$dest"
	assert_eq "$(lines_of FAIL)" "FAIL  $cause"
	local want="" f
	for f in "$@"; do want+="${want:+$'\n'}fix   $f"; done
	assert_eq "$(lines_of fix)" "$want"
	assert_contains "$out" "nsnet: $ns does not reach $dest: $cause"
}
# After the fixes: doctor exits 0 and says the destination answers.
expect_fixed() {
	local ns=$1 dest=$2
	out=$(nsnet doctor "$ns" "$dest") || fail "doctor still fails after the fix: $out"
	assert_eq "$(lines_of FAIL)" ""
	assert_contains "$(tail -1 <<<"$out")" "ok    "
}
export -f seed000 routed wait_path lines_of apply_fixes expect_cause expect_fixed

@test "doctor: a working seed 000 path is walked and answers ok, exit 0" {
	sandbox <<'EOF'
	seed000
	out=$(nsnet doctor web 203.0.113.10)
	assert_contains "$out" "ok    web: eth0 is up with 10.10.0.10/16"
	assert_contains "$out" "ok    web: route to 203.0.113.10 via 10.10.0.1 dev eth0"
	assert_contains "$out" "ok    host: gateway 10.10.0.1 is on app_br"
	assert_contains "$out" "ok    host: forwarding is on (net.ipv4.ip_forward = 1)"
	assert_contains "$out" "ok    host: NAT for app_br masquerades 10.10.0.10 out of eth0"
	assert_contains "$out" "ok    upstream: 203.0.113.10 is an address of upstream"
	assert_eq "$(tail -1 <<<"$out")" "ok    203.0.113.10 answers ping from web"
	assert_eq "$(grep -cv '^ok    ' <<<"$out")" "0"
EOF
}

@test "doctor: --json is one object with checks, cause and fix" {
	sandbox <<'EOF'
	seed000
	nsnet doctor web 203.0.113.10 --json >ok.json
	python3 - ok.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["ns", "dest", "ok", "checks", "cause", "fix"], list(d)
assert d["ns"] == "web" and d["dest"] == "203.0.113.10" and d["ok"] is True
assert d["cause"] is None and d["fix"] == []
assert all(c["result"] == "ok" for c in d["checks"])
assert d["checks"][-1]["what"] == "203.0.113.10 answers ping from web"
PY
	nsnet forward off
	set +e; nsnet doctor web 203.0.113.10 --json >bad.json 2>err; rc=$?; set -e
	assert_eq "$rc" "1"
	python3 - bad.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False
assert d["cause"].startswith("host: forwarding is off"), d["cause"]
assert d["checks"][-1] == {"result": "fail", "what": d["cause"]}
assert d["fix"] == ["nsnet forward on"], d["fix"]
PY
EOF
}

@test "doctor: no default route is named first, and its fix works" {
	sandbox <<'EOF'
	seed000
	ip -n web route del default
	expect_cause web 203.0.113.10 \
		"web: no route to 203.0.113.10 (there is no default route)" \
		"nsnet route add web default via 10.10.0.1"
	cannot_ping web 203.0.113.10
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: the gateway's address missing on the bridge, and its fix works" {
	sandbox <<'EOF'
	seed000
	ip addr del 10.10.0.1/16 dev app_br
	expect_cause web 203.0.113.10 \
		"web: nobody has the gateway 10.10.0.1: it is not an address of app_br in host" \
		"nsnet addr add host app_br 10.10.0.1/16"
	assert_contains "$out" "ok    web: route to 203.0.113.10 via 10.10.0.1 dev eth0"
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: forwarding off in the host is named, and its fix works" {
	sandbox <<'EOF'
	seed000
	sysctl -qw net.ipv4.ip_forward=0
	expect_cause web 203.0.113.10 \
		"host: forwarding is off (net.ipv4.ip_forward = 0); host has to forward from app_br to eth0" \
		"nsnet forward on"
	cannot_ping web 203.0.113.10
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: forwarding off in a router namespace is named, and its fix works" {
	sandbox <<'EOF'
	routed
	nsnet forward off r
	expect_cause a 10.2.0.2 \
		"r: forwarding is off (net.ipv4.ip_forward = 0); r has to forward from eth0 to eth1" \
		"nsnet forward on r"
	apply_fixes
	expect_fixed a 10.2.0.2
	can_ping a 10.2.0.2
EOF
}

@test "doctor: NAT missing on the way out is named, and its fix works" {
	sandbox <<'EOF'
	seed000
	nsnet nat del app_br
	expect_cause web 203.0.113.10 \
		"host: packets to 203.0.113.10 leave by eth0 with the private source 10.10.0.10 and nothing masquerades them: replies cannot come back" \
		"nsnet nat add app_br"
	cannot_ping web 203.0.113.10
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: nsnet's table flushed behind its back is named, and the rebuild works" {
	sandbox <<'EOF'
	seed000
	nsnet publish web 8080:80
	serve_once web 80 web
	# flush table empties the chains and keeps the sets and maps, so nsnet
	# itself still shows the NAT and the port
	nft flush table inet nsnet
	expect_cause web 203.0.113.10 \
		"host: every chain of nsnet's table inet nsnet is empty (changed outside nsnet: nft flush table?); its NAT, published ports and isolation do not work" \
		"nft delete table inet nsnet" "nsnet nat add app_br" "nsnet publish web 8080:80/tcp" \
		'nft add element inet nsnet bridges { "app_br" }' \
		'nft add element inet nsnet allowed { "app_br" . "app_br" }'
	cannot_ping web 203.0.113.10
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
	assert_contains "$(tcp_read upstream 198.51.100.2 8080)" "web "
	assert_contains "$(nft list set inet nsnet bridges)" '"app_br"'
EOF
}

@test "doctor: nsnet's table deleted behind its back is named, and its fix works" {
	sandbox <<'EOF'
	seed000
	nft delete table inet nsnet
	expect_cause web 203.0.113.10 \
		"host: nsnet's nftables table inet nsnet is gone (deleted outside nsnet?), but bridge app_br is nsnet's and was registered there: its NAT, published ports and isolation went with it" \
		"nsnet nat add app_br" \
		'nft add element inet nsnet bridges { "app_br" }' \
		'nft add element inet nsnet allowed { "app_br" . "app_br" }'
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: a NAT map flushed behind nsnet's back is named, and its fix works" {
	sandbox <<'EOF'
	seed000
	nft flush map inet nsnet natpost4
	expect_cause web 203.0.113.10 \
		"host: NAT for bridge app_br is incomplete in nsnet's table inet nsnet: maps natpost4 and natpost6 have none of its subnets (changed outside nsnet?)" \
		"nsnet nat del app_br" "nsnet nat add app_br"
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: a published port's map flushed behind nsnet's back is named, and its fix works" {
	sandbox <<'EOF'
	seed000
	nsnet publish web 8080:80
	serve_once web 80 web
	expect_status 0 nsnet doctor upstream 198.51.100.2:8080
	assert_contains "$out" "ok    host: tcp/8080 is published to web (10.10.0.10)"
	nft flush map inet nsnet pub4any
	expect_status 1 nsnet doctor upstream 198.51.100.2:8080
	assert_eq "$(lines_of FAIL)" "FAIL  host: nsnet's set owners publishes tcp/8080 to web, but none of the maps pub4, pub4any, rng4 has it (flushed outside nsnet?): nothing forwards the port"
	assert_not_contains "$out" "nothing listens"
	assert_eq "$(lines_of fix | tail -1)" "fix   nsnet publish web 8080:80/tcp"
	apply_fixes
	expect_fixed upstream 198.51.100.2:8080
	assert_contains "$(tcp_read upstream 198.51.100.2 8080)" "web "
EOF
}

@test "doctor: a topology's table flushed names nsnet up FILE" {
	sandbox <<'EOF'
	nsnet up "$NSNET_ROOT/examples/seed000.yaml" >/dev/null
	wait_path web 203.0.113.10
	nft flush table inet nsnet
	expect_status 1 nsnet doctor web 203.0.113.10
	assert_eq "$(lines_of FAIL)" "FAIL  host: every chain of nsnet's table inet nsnet is empty (changed outside nsnet: nft flush table?); its NAT, published ports and isolation do not work"
	assert_eq "$(lines_of fix)" "fix   nsnet up $(realpath "$NSNET_ROOT/examples/seed000.yaml")"
	nsnet up "$NSNET_ROOT/examples/seed000.yaml" >/dev/null
	nft delete table inet nsnet
	expect_status 1 nsnet doctor web 203.0.113.10
	assert_contains "$(lines_of FAIL)" "table inet nsnet is gone"
	assert_eq "$(lines_of fix)" "fix   nsnet up $(realpath "$NSNET_ROOT/examples/seed000.yaml")"
EOF
}

@test "doctor: a foreign masquerade rule is not taken for missing NAT" {
	sandbox <<'EOF'
	seed000
	nsnet nat del app_br
	nft add table ip nat
	nft add chain ip nat POSTROUTING '{ type nat hook postrouting priority 100; }'
	# one that does not apply: doctor cannot tell, so it must not claim
	nft add rule ip nat POSTROUTING oifname "nothere" masquerade
	expect_status 1 nsnet doctor web 203.0.113.10
	assert_contains "$out" "but table ip nat chain POSTROUTING translates sources (cannot tell whether it applies)"
	assert_not_contains "$out" "nothing masquerades"
	# one that does: the probe gets through
	nft add rule ip nat POSTROUTING oifname "eth0" masquerade
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: the namespace's link down is named before routes; both fixes work" {
	sandbox <<'EOF'
	seed000
	ip -n web link set eth0 down
	expect_cause web 203.0.113.10 \
		"web: eth0 is down (the kernel removed the routes through it)" \
		"nsnet link set web eth0 up" \
		"nsnet route add web default via 10.10.0.1"
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: the far end of the cable down is no carrier, naming the host-side port" {
	sandbox <<'EOF'
	seed000
	port=$(ip -j link show master app_br | python3 -c '
import json, sys
print([l["ifname"] for l in json.load(sys.stdin) if l["ifname"].startswith("web")][0])')
	ip link set "$port" down
	expect_cause web 203.0.113.10 \
		"web: eth0 has no carrier: its other end, $port in host, is down" \
		"nsnet link set host $port up"
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: the destination's link down behind the bridge is named, and its fix works" {
	sandbox <<'EOF'
	seed000
	ip -n database link set eth0 down
	expect_cause web 10.10.0.20 \
		"database: eth0 is down (the kernel removed the routes through it)" \
		"nsnet link set database eth0 up"
	cannot_ping web 10.10.0.20
	apply_fixes
	expect_fixed web 10.10.0.20
	can_ping web 10.10.0.20
	# its default route went with it: needed from database to upstream
	ip -n database link set eth0 down
	expect_cause database 203.0.113.10 \
		"database: eth0 is down (the kernel removed the routes through it)" \
		"nsnet link set database eth0 up" \
		"nsnet route add database default via 10.10.0.1"
	apply_fixes
	expect_fixed database 203.0.113.10
	can_ping database 203.0.113.10
EOF
}

@test "doctor: a missing return route is named in the destination, with the previous hop" {
	sandbox <<'EOF'
	routed
	out=$(nsnet doctor a 10.2.0.2)
	assert_contains "$out" "ok    b: route back to 10.1.0.2 via 10.2.0.1 dev eth0"
	ip -n b route del 10.1.0.0/24
	expect_cause a 10.2.0.2 \
		"b: no route back to 10.1.0.2: replies cannot leave b" \
		"nsnet route add b 10.1.0.0/24 via 10.2.0.1"
	cannot_ping a 10.2.0.2
	apply_fixes
	expect_fixed a 10.2.0.2
	can_ping a 10.2.0.2
EOF
}

@test "doctor: a foreign forward chain with policy drop is named, and its nft fixes work" {
	sandbox <<'EOF'
	seed000
	nft add table ip filter
	nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
	expect_cause web 203.0.113.10 \
		"host: table ip filter chain FORWARD drops the packets from app_br to eth0 (policy drop); it is not nsnet's" \
		'nft insert rule ip filter FORWARD iifname "app_br" accept' \
		'nft insert rule ip filter FORWARD oifname "app_br" ct state established,related accept'
	cannot_ping web 203.0.113.10
	apply_fixes
	assert_contains "$(nft list chain ip filter FORWARD)" 'iifname "app_br" accept'
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: a foreign chain that lets packets out but drops replies names the replies" {
	sandbox <<'EOF'
	seed000
	nft add table inet fw
	nft add chain inet fw myfwd '{ type filter hook forward priority 10; policy drop; }'
	nft add rule inet fw myfwd iifname "app_br" accept
	expect_cause web 203.0.113.10 \
		"host: table inet fw chain myfwd drops the replies from eth0 to app_br (policy drop); it is not nsnet's" \
		'nft insert rule inet fw myfwd oifname "app_br" ct state established,related accept'
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
EOF
}

@test "doctor: a foreign forward chain in a router namespace gets ip netns exec fixes" {
	sandbox <<'EOF'
	routed
	ip netns exec r nft add table ip filter
	ip netns exec r nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
	expect_cause a 10.2.0.2 \
		"r: table ip filter chain FORWARD drops the packets from eth0 to eth1 (policy drop); it is not nsnet's" \
		'ip netns exec r nft insert rule ip filter FORWARD iifname "eth0" accept' \
		'ip netns exec r nft insert rule ip filter FORWARD oifname "eth0" ct state established,related accept'
	cannot_ping a 10.2.0.2
	apply_fixes
	expect_fixed a 10.2.0.2
	can_ping a 10.2.0.2
EOF
}

@test "doctor: nsnet's isolation between bridges is named, and nsnet allow fixes it" {
	sandbox <<'EOF'
	seed000
	nsnet ns add other
	nsnet bridge add b2 --addr 10.20.0.1/16
	nsnet attach other b2 --addr 10.20.0.10/16 --gateway 10.20.0.1
	expect_cause web other \
		"host: nsnet isolates bridge app_br from bridge b2 (table inet nsnet)" \
		"nsnet allow app_br b2"
	cannot_ping web 10.20.0.10
	apply_fixes
	expect_fixed web other
	can_ping web 10.20.0.10
EOF
}

@test "doctor: nothing listening on a TCP port, then a server: ok" {
	sandbox <<'EOF'
	seed000
	expect_status 1 nsnet doctor web database:5432
	assert_eq "$(lines_of FAIL)" "FAIL  database: nothing listens on tcp/5432"
	assert_eq "$(lines_of fix)" ""
	assert_contains "$out" "ok    database: route back to 10.10.0.10 dev eth0"
	! can_connect web 10.10.0.20 5432
	serve_once database 5432 db
	out=$(nsnet doctor web 10.10.0.20:5432/tcp)
	assert_contains "$out" "ok    database: a socket listens on tcp/5432"
	assert_eq "$(tail -1 <<<"$out")" "ok    10.10.0.20 accepts tcp/5432 from web"
	# outside our namespaces' sockets: the RST says it
	expect_status 1 nsnet doctor web 203.0.113.10:81
	assert_eq "$(lines_of FAIL)" "FAIL  upstream: nothing listens on tcp/81"
EOF
}

@test "doctor: nothing bound to a UDP port, then a server: ok" {
	sandbox <<'EOF'
	seed000
	expect_status 1 nsnet doctor web database:5353/udp
	assert_eq "$(lines_of FAIL)" "FAIL  database: nothing listens on udp/5353"
	ip netns exec database timeout 20 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
while True: s.recvfrom(100)' &
	for i in $(seq 50); do
		[ -n "$(ip netns exec database ss -Hlun 'sport = :5353')" ] && break
		sleep 0.1
	done
	out=$(nsnet doctor web database:5353/udp)
	assert_contains "$out" "ok    database: a socket listens on udp/5353"
	assert_eq "$(tail -1 <<<"$out")" "ok    10.10.0.20 answers ping from web and nothing refuses udp/5353"
EOF
}

@test "doctor: strict rp_filter with the route back through another link, and its fix works" {
	sandbox <<'EOF'
	routed
	nsnet cable r:eth2 b:eth1 --addr 10.3.0.1/24 --peer-addr 10.3.0.2/24
	ip -n b route replace 10.1.0.0/24 via 10.3.0.1
	ip netns exec b sysctl -qw net.ipv4.conf.all.rp_filter=1
	expect_cause a 10.2.0.2 \
		"b: rp_filter is strict on eth0 (net.ipv4.conf.all.rp_filter = 1) and the route back to 10.1.0.2 leaves by eth1: the kernel drops these packets" \
		"ip netns exec b sysctl -w net.ipv4.conf.eth0.rp_filter=2"
	cannot_ping a 10.2.0.2
	apply_fixes >/dev/null
	expect_fixed a 10.2.0.2
	can_ping a 10.2.0.2
EOF
}

@test "doctor: strict rp_filter on the replies' way back through a router is named" {
	sandbox <<'EOF'
	routed
	nsnet cable r:eth2 b:eth1 --addr 10.3.0.1/24 --peer-addr 10.3.0.2/24
	ip -n b route replace 10.1.0.0/24 via 10.3.0.1
	ip netns exec r sysctl -qw net.ipv4.conf.all.rp_filter=1
	expect_cause a 10.2.0.2 \
		"r: rp_filter is strict on eth2 (net.ipv4.conf.all.rp_filter = 1) and the route back to 10.2.0.2 leaves by eth1: the kernel drops these packets" \
		"ip netns exec r sysctl -w net.ipv4.conf.eth2.rp_filter=2"
	apply_fixes >/dev/null
	expect_fixed a 10.2.0.2
	assert_contains "$out" "ok    replies from 10.2.0.2 come back to 10.1.0.2 through r"
	can_ping a 10.2.0.2
EOF
}

@test "doctor: no IPv4 address on the namespace's link is said, with a free one of the bridge's subnet" {
	sandbox <<'EOF'
	seed000
	ip -n web addr flush dev eth0
	expect_cause web 203.0.113.10 \
		"web: eth0 has no IPv4 address, so there is no route to 203.0.113.10" \
		"nsnet addr add web eth0 10.10.0.2/16" \
		"nsnet route add web default via 10.10.0.1"
	apply_fixes
	expect_fixed web 203.0.113.10
	can_ping web 203.0.113.10
	can_ping web 10.10.0.20
EOF
}

@test "doctor: destinations by namespace name and by /etc/netns hosts name" {
	sandbox <<'EOF'
	seed000
	out=$(nsnet doctor web database)
	assert_eq "$(tail -1 <<<"$out")" "ok    10.10.0.20 answers ping from web"
	mkdir -p /etc/netns/web
	echo "203.0.113.10 internet.example" >/etc/netns/web/hosts
	out=$(nsnet doctor web internet.example)
	assert_eq "$(tail -1 <<<"$out")" "ok    203.0.113.10 answers ping from web"
	expect_status 2 nsnet doctor web nosuchname
	assert_contains "$out" "\"nosuchname\" is neither an address, nor a namespace, nor a name in /etc/netns/web/hosts"
EOF
}

@test "doctor: IPv6 takes the same walk" {
	sandbox <<'EOF'
	routed
	nsnet addr add a eth0 fd00:1::2/64
	nsnet addr add r eth0 fd00:1::1/64
	nsnet addr add r eth1 fd00:2::1/64
	nsnet addr add b eth0 fd00:2::2/64
	nsnet route add a default via fd00:1::1
	nsnet route add b fd00:1::/64 via fd00:2::1
	# DAD: addresses are usable once no longer tentative
	for i in $(seq 50); do
		[ -z "$(ip -n a -6 addr show tentative; ip -n b -6 addr show tentative; ip -n r -6 addr show tentative)" ] && break
		sleep 0.1
	done
	out=$(nsnet doctor a fd00:2::2)
	assert_contains "$out" "ok    r: forwarding is on (net.ipv6.conf.all.forwarding = 1)"
	assert_eq "$(tail -1 <<<"$out")" "ok    fd00:2::2 answers ping from a"
	ip -n b -6 route del fd00:1::/64
	expect_cause a fd00:2::2 \
		"b: no route back to fd00:1::2: replies cannot leave b" \
		"nsnet route add b fd00:1::/64 via fd00:2::1"
	apply_fixes
	expect_fixed a fd00:2::2
	ip netns exec a ping -6 -c1 -W2 fd00:2::2 >/dev/null
	ip netns exec r sysctl -qw net.ipv6.conf.all.forwarding=0
	expect_cause a fd00:2::2 \
		"r: forwarding is off (net.ipv6.conf.all.forwarding = 0); r has to forward from eth0 to eth1" \
		"nsnet forward on r"
	apply_fixes
	expect_fixed a fd00:2::2
	ip -n a -6 route del default
	expect_cause a fd00:2::2 \
		"a: no route to fd00:2::2 (there is no default route)" \
		"nsnet route add a default via fd00:1::1"
	apply_fixes
	expect_fixed a fd00:2::2
	ip netns exec a ping -6 -c1 -W2 fd00:2::2 >/dev/null
EOF
}

@test "doctor: bad input is a usage error" {
	sandbox <<'EOF'
	nsnet ns add web
	expect_status 2 nsnet doctor web 10.0.0.300
	assert_contains "$out" "bad destination \"10.0.0.300\""
	expect_status 2 nsnet doctor web 10.0.0.1:99999
	expect_status 2 nsnet doctor web 10.0.0.1:0
	expect_status 2 nsnet doctor web 10.0.0.1:80/sctp
	expect_status 2 nsnet doctor web
	expect_status 1 nsnet doctor nosuchns 10.0.0.1
	assert_contains "$out" "namespace nosuchns does not exist"
EOF
}
