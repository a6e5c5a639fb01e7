#!/usr/bin/env bats
# nsnet check: the reachability matrix and the file's expectations, each
# verdict compared with what iputils ping and real TCP connections see.
load helpers

@test "check: seed 000 meets its expectations; the matrix agrees with ping" {
	sandbox <<'EOF2'
	nsnet up "$NSNET_ROOT/examples/seed000.yaml" >/dev/null
	out=$(nsnet check shop)
	assert_contains "$out" "3 expectations: 3 met, 0 broken"
	assert_contains "$out" "met     web -> 203.0.113.10: reach"
	# the row of web: itself, database, the outside address
	assert_contains "$out" "$(printf '  web        .    ok        ok')"
	can_ping web 10.10.0.20
	can_ping database 203.0.113.10
	# without an argument: the one topology that is up
	json=$(nsnet check --json)
	assert_eq "$(jq -r '.summary.expectations_broken' <<<"$json")" 0
	assert_eq "$(jq -r '[.matrix[] | select(.result == "reach")] | length' <<<"$json")" 4
	assert_eq "$(jq -r '.matrix[] | select(.from == "database" and .to == "web") | .address' <<<"$json")" 10.10.0.10
EOF2
}

@test "check: a broken expectation exits 1 and names its line; isolation is an expectation too" {
	sandbox <<'EOF2'
	cp "$NSNET_ROOT/examples/docker-style.yaml" app.yaml
	nsnet up app.yaml >/dev/null
	nsnet check app.yaml >/dev/null      # the example's own expectations hold
	cannot_ping web 172.30.2.30          # web -> db: blocked, as ping sees it
	can_ping api 172.30.2.30
	echo '  - "web -> db: reach"' >> app.yaml
	expect_status 1 nsnet check app.yaml
	assert_contains "$out" "BROKEN  web -> db: reach  ($PWD/app.yaml:31:5: no answer from 172.30.2.30 in 1.5 s)"
	assert_contains "$out" "6 expectations: 5 met, 1 broken"
	# and the other way round: isolation lifted, "blocked" breaks
	nsnet allow fe_br be_br
	sed -i '$d' app.yaml
	can_ping web 172.30.2.30
	expect_status 1 nsnet check app.yaml
	assert_contains "$out" "BROKEN  web -> db: blocked"
EOF2
}

@test "check: ports the expectations name, TCP and UDP, open, refused and blocked" {
	sandbox <<'EOF2'
	cat > p.yaml <<'Y'
name: ports
networks:
  n: {bridge: p_br, subnet: 10.20.0.0/24}
nodes:
  a: {networks: {n: 10.20.0.2}}
  b: {networks: {n: 10.20.0.3}}
expect:
  - "a -> b:tcp/5432: reach"
  - "a -> b:tcp/80: blocked"
  - "a -> b:udp/5353: reach"
  - "b -> a:udp/9: blocked"
Y
	nsnet up p.yaml >/dev/null
	serve_once b 5432 db
	ip netns exec b timeout 20 python3 -c '
import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 5353))
while True:
    d,a=s.recvfrom(100); s.sendto(d,a)' &
	for i in $(seq 50); do ip netns exec b ss -Hlun 'sport = :5353' | grep -q . && break; sleep 0.1; done
	out=$(nsnet check p.yaml)
	assert_contains "$out" "open      a -> b tcp/5432 (10.20.0.3:5432 accepted the connection"
	assert_contains "$out" "refused   a -> b tcp/80 (10.20.0.3:80 refused the connection: nothing listens)"
	assert_contains "$out" "open      a -> b udp/5353 (10.20.0.3:5353 answered"
	assert_contains "$out" "4 expectations: 4 met, 0 broken"
	# independent observers agree
	can_connect a 10.20.0.3 5432
	! can_connect a 10.20.0.3 80
	# a firewall drop is "no answer", not "refused"
	nft add table inet t; nft add chain inet t in '{ type filter hook input priority 0; }'
	ip netns exec b nft add table inet t
	ip netns exec b nft add chain inet t in '{ type filter hook input priority 0; }'
	ip netns exec b nft add rule inet t in tcp dport 5432 drop
	expect_status 1 nsnet check p.yaml -W 0.6
	assert_contains "$out" "no answer a -> b tcp/5432 (no answer from 10.20.0.3:5432 in 0.6 s)"
	assert_contains "$out" "BROKEN  a -> b:tcp/5432: reach"
EOF2
}

@test "check: bad input is a usage error; a topology that is not up is named" {
	sandbox <<'EOF2'
	expect_status 2 nsnet check
	assert_contains "$out" "no topology is up"
	expect_status 1 nsnet check nosuch
	assert_contains "$out" "topology nosuch is not up"
	cp "$NSNET_ROOT/examples/seed000.yaml" s.yaml
	expect_status 2 nsnet check s.yaml -W 0
	expect_status 2 nsnet check s.yaml -W abc
	expect_status 2 nsnet check s.yaml --bogus
	expect_status 2 nsnet check s.yaml other.yaml
	# not up yet: the file parses, its namespaces are missing
	expect_status 1 nsnet check s.yaml
	assert_contains "$out" "node web has no namespace: is topology shop up?"
	echo '  - "web -> datbase: reach"' >> s.yaml
	expect_status 2 nsnet check s.yaml
	assert_contains "$out" "s.yaml:21:5: expectation to datbase: neither a node nor an IP address"
	# changed nothing
	assert_eq "$(ip netns list | grep -v "^upstream")" ""
EOF2
}

@test "check: a large topology prints one line per node, and never waits past its deadline" {
	sandbox <<'EOF2'
	{
		echo "name: big"
		echo "networks: {n: {bridge: big_br, subnet: 10.30.0.0/24}}"
		echo "nodes:"
		for i in $(seq 1 14); do echo "  n$i: {networks: {n: 10.30.0.$((i + 10))}}"; done
		echo "expect: [\"n1 -> n14: reach\"]"
	} > big.yaml
	nsnet up big.yaml >/dev/null
	can_ping n1 10.30.0.12      # an entry that was there before the check
	before=$(ip -n n1 -j neigh | jq -r '[.[].dst] | sort | join(",")')
	ip netns exec n14 nft add table inet t
	ip netns exec n14 nft add chain inet t in '{ type filter hook input priority 0; }'
	ip netns exec n14 nft add rule inet t in ip saddr 10.30.0.12 drop
	expect_status 0 timeout 10 "$NSNET" check big -W 0.5
	assert_contains "$out" "  n1        reaches 13 of 13"
	assert_contains "$out" "  n2        reaches 12 of 13; not: n14"
	# n14 drops n2's echo requests and also its replies to n14's
	assert_contains "$out" "  n14       reaches 12 of 13; not: n2"
	assert_contains "$out" "182 pairs, 180 reached"
	cannot_ping n2 10.30.0.24
	# the neighbour table is one for all namespaces of the machine: check
	# takes its entries back, and leaves the ones that were there
	assert_eq "$(ip -n n1 -j neigh | jq -r '[.[].dst] | sort | join(",")')" "$before"
	assert_eq "$(ip -n n5 -j neigh | jq length)" 0
EOF2
}
