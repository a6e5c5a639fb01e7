#!/usr/bin/env bats
# nsnet ping and nsnet traceroute: probes sent by nsnet itself.
load helpers

@test "ping a cabled peer: replies, statistics and exit 0" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	out=$(nsnet ping a 10.0.0.2 -c 3 -i 0.2)
	assert_contains "$out" "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data."
	assert_eq "$(grep -c '^64 bytes from 10.0.0.2: icmp_seq=[123] ttl=64 time=' <<<"$out")" "3"
	assert_contains "$out" "--- 10.0.0.2 ping statistics ---"
	assert_contains "$out" "3 packets transmitted, 3 received, 0% packet loss"
	grep -Eq '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$' <<<"$out" ||
		fail "no rtt line in: $out"
	# -c counts, -s sizes, -q keeps only the summary.
	out=$(nsnet ping a 10.0.0.2 -c 2 -i 0.2 -s 1000 -q)
	assert_contains "$out" "1000(1028) bytes of data."
	assert_contains "$out" "2 packets transmitted, 2 received"
	assert_not_contains "$out" "bytes from"
	out=$(nsnet ping -c 1 a 10.0.0.2)
	assert_contains "$out" "1 packets transmitted, 1 received"
	# The reply really came from b: with b's address gone, nothing does.
	ip -n b addr del 10.0.0.2/24 dev veth-a
	expect_status 1 nsnet ping a 10.0.0.2 -c 2 -i 0.2 -W 1
	assert_contains "$out" "2 packets transmitted, 0 received"
	assert_contains "$out" "100% packet loss"
EOF
}

@test "ping without a route says Network is unreachable and exits 1" {
	sandbox <<'EOF'
	nsnet ns add a
	expect_status 1 nsnet ping a 192.0.2.1 -c 1
	assert_contains "$out" "ping: connect: Network is unreachable"
	assert_not_contains "$out" "PING"
	expect_status 1 nsnet ping a fd00::9 -c 1
	assert_contains "$out" "Network is unreachable"
	expect_status 1 nsnet ping nosuchns 10.0.0.1
	assert_contains "$out" "nosuchns does not exist"
	expect_status 2 nsnet ping a not-an-address
	assert_contains "$out" "not-an-address"
	expect_status 2 nsnet ping a 10.0.0.1 -c -1
	expect_status 2 nsnet ping a 10.0.0.1 -c x
	expect_status 2 nsnet ping a 10.0.0.1 -Z 3
	expect_status 2 nsnet ping a
EOF
}

@test "IPv6 ping over a cable, and through the sandbox's upstream" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet cable a b --addr fd00::1/64 --peer-addr fd00::2/64
	out=$(nsnet ping a fd00::2 -c 2 -i 0.2)
	assert_contains "$out" "PING fd00::2 (fd00::2) 56 data bytes"
	assert_eq "$(grep -c '^64 bytes from fd00::2: icmp_seq=[12] ttl=64 time=' <<<"$out")" "2"
	assert_contains "$out" "2 packets transmitted, 2 received, 0% packet loss"
	# host is the sandbox itself; upstream answers for all of 203.0.113.0/24.
	assert_contains "$(nsnet ping host 203.0.113.10 -c 1)" "1 received"
EOF
}

@test "ping finds names in /etc/netns/NS/hosts, and nowhere else" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	mkdir -p /etc/netns/a
	echo "10.0.0.2 bee bee.test  # b" > /etc/netns/a/hosts
	out=$(nsnet ping a bee.test -c 1)
	assert_contains "$out" "PING bee.test (10.0.0.2)"
	assert_contains "$out" "1 received"
	expect_status 2 nsnet ping b bee.test -c 1
EOF
}

@test "traceroute through a namespace acting as router shows two hops" {
	sandbox <<'EOF'
	nsnet ns add left mid right
	nsnet cable left mid --addr 10.1.0.2/24 --peer-addr 10.1.0.1/24
	nsnet cable mid right --addr 10.2.0.1/24 --peer-addr 10.2.0.2/24
	nsnet route add left default via 10.1.0.1
	nsnet route add right default via 10.2.0.1
	nsnet forward on mid
	out=$(nsnet traceroute left 10.2.0.2)
	assert_eq "$(head -1 <<<"$out")" "traceroute to 10.2.0.2, 30 hops max"
	assert_eq "$(wc -l <<<"$out")" "3"
	assert_eq "$(sed -n 2p <<<"$out" | awk '{print $1, $2}')" "1 10.1.0.1"
	assert_eq "$(sed -n 3p <<<"$out" | awk '{print $1, $2}')" "2 10.2.0.2"
	assert_contains "$(sed -n 3p <<<"$out")" " ms"
	# -q sets the probes per hop.
	out=$(nsnet traceroute left 10.2.0.2 -q 1)
	assert_eq "$(sed -n 3p <<<"$out" | grep -o ' ms' | wc -l)" "1"
	# Without forwarding the destination never answers: stars, exit 1.
	nsnet forward off mid
	expect_status 1 nsnet traceroute left 10.2.0.2 -m 3 -W 0.3 -q 1
	assert_eq "$(tail -1 <<<"$out")" " 3  *"
	expect_status 1 nsnet traceroute right 192.0.2.1 -m 2 -W 0.3
	expect_status 2 nsnet traceroute left 10.2.0.2 -m 0
EOF
}

@test "ping reports ICMP errors from a router on the way" {
	sandbox <<'EOF'
	nsnet ns add left mid
	nsnet cable left mid --addr 10.1.0.2/24 --peer-addr 10.1.0.1/24
	nsnet addr add left veth-mid fd01::2/64
	nsnet addr add mid veth-left fd01::1/64
	nsnet route add left default via 10.1.0.1
	nsnet route add left default via fd01::1
	nsnet forward on mid
	# mid has no route to 10.9.0.0/16: it answers net unreachable.
	expect_status 1 nsnet ping left 10.9.0.1 -c 2 -i 0.2
	assert_contains "$out" "From 10.1.0.1 icmp_seq=1 Destination Net Unreachable"
	assert_contains "$out" "2 packets transmitted, 0 received, +2 errors, 100% packet loss"
	expect_status 1 nsnet ping left fd09::1 -c 1
	assert_contains "$out" "From fd01::1 icmp_seq=1 Destination unreachable: No route"
EOF
}
