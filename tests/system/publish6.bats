#!/usr/bin/env bats
# Published ports over IPv6, like IPv4: outside through the uplink, the host
# itself, hairpin, host addresses, ranges, taken ports, removal, isolation.
# The sandbox's upstream is 2001:db8:100::1 (the uplink, 2001:db8:100::2
# here) and 198.51.100.1; nft -j is the observer of the table.
load helpers

# A dual-stack bridge br0 with web (and client) on it, default routes of
# both families.
six_net() {
	nsnet bridge add br0 --addr 10.1.0.1/24 --addr fd00:1::1/64
	for n in "$@"; do
		nsnet ns add "$n"
	done
	local i=2
	for n in "$@"; do
		nsnet attach "$n" br0 --addr 10.1.0.$i/24 --addr fd00:1::$i/64 --gateway 10.1.0.1
		nsnet route add "$n" default via fd00:1::1
		i=$((i + 1))
	done
	dad_done br0
}
# One line from a TCP server, from the host namespace itself.
host_read() {
	timeout 3 python3 -c '
import socket,sys
s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print(s.recv(200).decode().strip())' "$1" "$2"
}
# Whether a TCP connection from the host to [addr]:port is refused at once
# (nothing published there: no hang until a timeout).
host_refused() {
	timeout 3 python3 -c '
import socket,sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$1" "$2"
}
# A TCP server on several ports of both families in ns, answering
# "<name><port>"; it ends after 20 s.
serve_ports6() {
	local ns=$1 name=$2; shift 2
	ip netns exec "$ns" timeout 20 python3 -c '
import socket,sys,select
ls=[]
for p in sys.argv[2:]:
    s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", int(p))); s.listen(8); ls.append(s)
while True:
    r,_,_=select.select(ls,[],[])
    for s in r:
        c,a=s.accept(); c.sendall((sys.argv[1]+str(s.getsockname()[1])+"\n").encode()); c.close()
' "$name" "$@" &
	for p in "$@"; do wait_listen "$ns" "$p"; done
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
# Every published-port element, record and claim left in the table.
pub_left() {
	local n=0 m
	for m in ports owners pub4 pub4any rng4 pub6 pub6any rng6; do
		n=$((n + $(elems $m)))
	done
	echo $n
}
export -f dad_done six_net host_read host_refused serve_ports6 elems pub_left

@test "sandbox upstream: IPv6 on the uplink, a default route, 2001:db8:203::/64 local to upstream" {
	sandbox <<'EOF'
	assert_eq "$(ip -j -6 addr show eth0 scope global | jq -r '.[0].addr_info[0].local')" "2001:db8:100::2"
	assert_eq "$(ip -j -6 route show default | jq -r '.[0].gateway')" "2001:db8:100::1"
	ping -6 -c1 -W2 2001:db8:203::10 >/dev/null || fail "2001:db8:203::10 does not answer"
EOF
}

@test "publish over IPv6: reached from upstream, the host's own IPv6 addresses and a bridge neighbour, as over IPv4; unpublish removes both halves" {
	sandbox <<'EOF'
	six_net web client
	serve_once web 80 web ::
	nsnet publish web 8080:80
	# outside, through the uplink, both families
	assert_eq "$(tcp_read upstream 2001:db8:100::2 8080)" "web 2001:db8:100::1"
	assert_eq "$(tcp_read upstream 198.51.100.2 8080)" "web ::ffff:198.51.100.1"
	# the host itself, on its own IPv6 addresses
	assert_contains "$(host_read 2001:db8:100::2 8080)" "web "
	assert_contains "$(host_read fd00:1::1 8080)" "web "
	assert_contains "$(host_read 127.0.0.1 8080)" "web "
	# ::1 is not published (see docs/firewall.md): refused at once
	host_refused ::1 8080 || fail "::1:8080 did not refuse"
	# hairpin: the neighbour is masqueraded to the bridge's address
	assert_eq "$(tcp_read client fd00:1::1 8080)" "web fd00:1::1"
	assert_eq "$(tcp_read client 2001:db8:100::2 8080)" "web fd00:1::1"
	# one publication: one claim, one record, an element per family
	assert_eq "$(nsnet publish --list --json | jq -c '.[] | [.namespace,.host_ip,.host_port,.port,.proto,.addresses,.spec]')" \
		'["web",null,8080,80,"tcp",["10.1.0.2","fd00:1::2"],"8080:80/tcp"]'
	assert_eq "$(elems ports) $(elems owners) $(elems pub4any) $(elems pub6any)" "1 1 1 1"
	assert_contains "$(nsnet publish --list)" "10.1.0.2 fd00:1::2"
	assert_contains "$(nsnet show host)" "10.1.0.2:80 [fd00:1::2]:80"
	expect_status 1 nsnet publish client 8080:80
	assert_contains "$out" "8080/tcp is already published"
	nsnet unpublish web 8080:80
	! can_connect upstream 2001:db8:100::2 8080 || fail "upstream still reaches [2001:db8:100::2]:8080"
	! can_connect client fd00:1::1 8080 || fail "hairpin still open"
	host_refused fd00:1::1 8080 || fail "[fd00:1::1]:8080 still open"
	assert_eq "$(pub_left)" "0"
	assert_eq "$(sysctl -n net.ipv4.conf.all.route_localnet)" "0"
EOF
}

@test "publish over IPv6: [HOSTIP] limits it to that address, [::] and 0.0.0.0 to one family, a range is one element" {
	sandbox <<'EOF'
	six_net web
	serve_ports6 web p 7100 9000 9001 9002
	nsnet publish web '[2001:db8:100::2]:8100:7100'
	assert_eq "$(tcp_read upstream 2001:db8:100::2 8100)" "p7100"
	host_refused fd00:1::1 8100 || fail "8100 open on fd00:1::1"
	! can_connect upstream 198.51.100.2 8100 || fail "8100 open over IPv4"
	nsnet publish web '[::]:9000-9002:9000-9002'
	for p in 9000 9001 9002; do
		assert_eq "$(tcp_read upstream 2001:db8:100::2 $p)" "p$p"
	done
	! can_connect upstream 198.51.100.2 9001 || fail "[::] range open over IPv4"
	assert_eq "$(elems rng6) $(elems rng4)" "1 0"
	nsnet publish web 0.0.0.0:7200:7100/tcp
	assert_eq "$(tcp_read upstream 198.51.100.2 7200)" "p7100"
	! can_connect upstream 2001:db8:100::2 7200 || fail "0.0.0.0 open over IPv6"
	assert_eq "$(nsnet publish --list --json | jq -c '[.[] | [.host_ip, .spec, .addresses]]')" \
		'[["0.0.0.0","0.0.0.0:7200:7100/tcp",["10.1.0.2"]],["2001:db8:100::2","[2001:db8:100::2]:8100:7100/tcp",["fd00:1::2"]],["::","[::]:9000-9002:9000-9002/tcp",["fd00:1::2"]]]'
	# the claim is per port, whatever the family
	expect_status 1 nsnet publish web '[::]:8100:7100'
	assert_contains "$out" "[::]:8100/tcp is already published"
	expect_status 2 nsnet publish web '[::1]:8101:7100'
	assert_contains "$out" "::1 cannot be published"
	expect_status 2 nsnet publish web '[2001:db8::99]:8101:7100'
	assert_contains "$out" "not an address of the host"
	# removal: the same spec (bare IPv6 too), not another family's
	expect_status 1 nsnet unpublish web '[::]:7200:7100'
	assert_contains "$out" "web does not publish [::]:7200:7100/tcp"
	nsnet unpublish web 2001:db8:100::2:8100:7100
	nsnet unpublish web '[::]:9000-9002:9000-9002'
	nsnet unpublish web 0.0.0.0:7200:7100
	assert_eq "$(pub_left)" "0"
EOF
}

@test "publish over IPv6: a port taken on IPv6 is refused; a namespace with one family publishes on that one" {
	sandbox <<'EOF'
	six_net web
	nsnet ns add only6
	nsnet attach only6 br0 --addr fd00:1::5/64
	nsnet route add only6 default via fd00:1::1
	python3 -c 'import socket,time
s=socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("2001:db8:100::2",5001)); s.listen(1); time.sleep(20)' &
	wait_listen host 5001
	before=$(nft -j list ruleset)
	expect_status 1 nsnet publish web 5001:80
	assert_contains "$out" "host port 5001/tcp is in use: a socket in the host namespace listens on it over IPv6"
	expect_status 1 nsnet publish web '[::]:5000-5002:5000-5002'
	assert_contains "$out" "5001/tcp is in use"
	assert_eq "$(nft -j list ruleset)" "$before"
	# that socket takes no IPv4 traffic: publishing on IPv4 alone is fine
	nsnet publish web 0.0.0.0:5001:80
	nsnet unpublish web 0.0.0.0:5001:80
	# UDP too
	python3 -c 'import socket,time
s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::",5353)); time.sleep(20)' &
	for i in $(seq 50); do ss -Hlun 'sport = :5353' | grep -q . && break; sleep 0.1; done
	expect_status 1 nsnet publish web 5353:53/udp
	assert_contains "$out" "5353/udp is in use"
	# a namespace with IPv6 only: published on IPv6 only
	serve_once only6 80 only6 ::
	nsnet publish only6 8090:80
	assert_eq "$(tcp_read upstream 2001:db8:100::2 8090)" "only6 2001:db8:100::1"
	assert_eq "$(elems pub6any) $(elems pub4any)" "1 0"
	expect_status 1 nsnet publish only6 0.0.0.0:8091:80
	assert_contains "$out" "namespace only6 has no IPv4 address to publish 0.0.0.0:8091:80/tcp to"
	nsnet unpublish only6 8090:80
	assert_eq "$(pub_left)" "0"
EOF
}

@test "isolation and --internal treat IPv6 traffic to published ports as IPv4's" {
	sandbox <<'EOF'
	nsnet ns add web other c
	nsnet bridge add br0 --addr 10.1.0.1/24 --addr fd00:1::1/64
	nsnet bridge add br1 --addr 10.2.0.1/24 --addr fd00:2::1/64
	nsnet bridge add inner --addr 10.3.0.1/24 --addr fd00:3::1/64 --internal
	nsnet attach web br0 --addr 10.1.0.2/24 --addr fd00:1::2/64 --gateway 10.1.0.1
	nsnet attach other br1 --addr 10.2.0.2/24 --addr fd00:2::2/64 --gateway 10.2.0.1
	nsnet attach c inner --addr 10.3.0.2/24 --addr fd00:3::2/64 --gateway 10.3.0.1
	for n in web:1 other:2 c:3; do nsnet route add ${n%:*} default via fd00:${n#*:}::1; done
	# the upstream can answer both families' private sources directly
	ip -n upstream route add 10.0.0.0/8 via 198.51.100.2
	ip -n upstream route add fd00::/8 via 2001:db8:100::2
	serve_once web 80 web ::
	serve_once c 80 c ::
	serve_once upstream 80 up ::
	nsnet publish web 8080:80
	nsnet publish c 8081:80
	for b in br0 br1 inner; do dad_done $b; done
	# What each family gets, side by side: they must be the same.
	for fam in 4 6; do
		if [ $fam = 4 ]; then web=10.1.0.2 h1=10.2.0.1 up=198.51.100.1 hu=198.51.100.2
		else web=fd00:1::2 h1=fd00:2::1 up=2001:db8:100::1 hu=2001:db8:100::2; fi
		r() { can_connect "$@" && echo reach || echo blocked; }
		echo "other -> web directly: $(r other $web 80)"
		echo "other -> published port of web: $(r other $h1 8080)"
		echo "upstream -> published port of internal c: $(r upstream $hu 8081)"
		echo "internal c -> upstream: $(r c $up 80)"
	done > seen.txt
	assert_eq "$(head -4 seen.txt)" "$(tail -4 seen.txt)" "IPv4 and IPv6 differ: $(cat seen.txt)"
	assert_eq "$(head -4 seen.txt | tr '\n' '|')" \
		"other -> web directly: blocked|other -> published port of web: reach|upstream -> published port of internal c: reach|internal c -> upstream: blocked|"
EOF
}
