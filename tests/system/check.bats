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

@test "check: 200 nodes on one bridge, every pair reached, without ARP; every neighbour table as it was" {
	sandbox <<'EOF2'
	{
		echo "name: many"
		echo "networks: {n: {bridge: many_br, subnet: 10.31.0.0/16}}"
		echo "nodes:"
		for i in $(seq 0 199); do echo "  n$i: {networks: {n: }}"; done
	} > many.yaml
	nsnet up many.yaml >/dev/null
	a0=$(ip -n n0 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
	a1=$(ip -n n1 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
	can_ping n0 "$a1"
	# a permanent entry of the user's: kept as it is
	ip -n n3 neigh add 10.31.255.254 lladdr 02:00:00:00:00:fe dev eth0 nud permanent
	# the entries (a used one goes from DELAY to REACHABLE: that is traffic)
	entries='[.[] | [.dst, .dev, .lladdr, (.state | index("PERMANENT") != null)]] | sort'
	for i in $(seq 0 199); do ip -n n$i -j neigh | jq -c "$entries"; done > before
	# an independent observer: no ARP crosses the bridge while check runs
	# (but between n0 and n1, whose entries the ping made: the kernel
	# checks a used entry that went stale with a unicast ARP probe)
	timeout 120 tcpdump -i many_br -nn -l "arp and not host $a0 and not host $a1" \
		2>tcpdump.err > arp.txt &
	for i in $(seq 50); do grep -q listening tcpdump.err && break; sleep 0.1; done
	SECONDS=0
	json=$(nsnet check many --json)
	echo "check of 39,800 pairs: $SECONDS s" >&3
	sleep 0.5; kill %1 || true
	assert_eq "$(jq -r '.summary | "\(.pairs) \(.reached) \(.not_probed)"' <<<"$json")" "39800 39800 0"
	# n0 and n1 had each other's entry (the ping): used, not made
	assert_eq "$(jq -r '.kernel.neighbour_entries' <<<"$json")" "39798"
	assert_eq "$(grep -c . arp.txt || true)" "0"
	for i in $(seq 0 199); do ip -n n$i -j neigh | jq -c "$entries"; done > after
	assert_eq "$(diff before after)" ""
	# too few descriptors to keep 200 namespaces and their netlink sockets
	# open (10,000 nodes meet a container's 20,000): each is opened when
	# needed and closed after, with the same answers
	json=$(ulimit -n 300; ulimit -Hn 300; nsnet check many --json)
	assert_eq "$(jq -r '.summary | "\(.pairs) \(.reached) \(.not_probed)"' <<<"$json")" "39800 39800 0"
	# nothing of check's is left (protocol 245 marks its entries)
	assert_eq "$(for i in $(seq 0 199); do ip -n n$i -j neigh show nud permanent; done | jq -s 'add | length')" "1"
	assert_eq "$(ip -j neigh show dev many_br nud permanent | jq length)" "0"
EOF2
}

@test "check: a probe the local kernel will not send is 'not probed', never unreached" {
	sandbox <<'EOF2'
	cat > q.yaml <<'Y'
name: q
networks:
  n: {bridge: q_br, subnet: 10.50.0.0/24, nat: true}
nodes:
  a: {networks: {n: 10.50.0.2}}
  b: {networks: {n: 10.50.0.3}}
  c: {networks: {n: 10.50.0.4}}
upstream: 203.0.113.10
expect:
  - "b -> c: reach"
  - "a -> c: reach"
Y
	nsnet up q.yaml >/dev/null
	# b's transmit queue takes nothing: every send fails with ENOBUFS
	# in b's own kernel, as when a queue is full (the network is fine)
	ip netns exec b tc qdisc add dev eth0 root pfifo limit 0
	expect_status 1 nsnet check q -W 0.5
	assert_contains "$out" "3 pairs not probed: the local kernel did not send the probe"
	assert_contains "$out" "$(printf '  b          np   .    np   np')"
	assert_contains "$out" "UNKNOWN b -> c: reach  ($PWD/q.yaml:10:5: not probed (kernel: No buffer space available))"
	assert_contains "$out" "2 expectations: 1 met, 0 broken, 1 not probed"
	json=$(nsnet check q -W 0.5 --json) || true
	assert_eq "$(jq -r '[.matrix[] | select(.result == "not probed") | .from] | unique | join(",")' <<<"$json")" "b"
	assert_eq "$(jq -r '.matrix[] | select(.from == "b" and .to == "203.0.113.10") | .detail' <<<"$json")" \
		"not probed (kernel: No buffer space available)"
	assert_eq "$(jq -r '.summary.expectations_not_probed' <<<"$json")" 1
	# the observer: b's queue dropped what b sent
	[ "$(ip netns exec b tc -j -s qdisc show dev eth0 | jq '.[0].drops')" -gt 0 ]
	# the queue back to normal: every pair reached
	ip netns exec b tc qdisc del dev eth0 root
	nsnet check q >/dev/null
EOF2
}

@test "check: --sample N probes N nodes from each and says what it left out; a killed check's entries go" {
	sandbox <<'EOF2'
	{
		echo "name: big"
		echo "networks: {n: {bridge: big_br, subnet: 10.30.0.0/24}}"
		echo "nodes:"
		for i in $(seq 1 14); do echo "  n$i: {networks: {n: 10.30.0.$((i + 10))}}"; done
		echo "expect: [\"n1 -> n2: reach\"]"
	} > big.yaml
	nsnet up big.yaml >/dev/null
	out=$(nsnet check big --sample 3)
	assert_contains "$out" "sampled: each node probed 3 other nodes (stride 4 in file order, wrapping around) and every address; 139 of 182 pairs not probed"
	assert_contains "$out" "43 pairs, 43 reached"
	# n1 (row 0): n5, n9, n13, and n2 for its expectation
	assert_contains "$out" "  n1        reaches 4 of 4"
	json=$(nsnet check big --sample 3 --json)
	assert_eq "$(jq -r '[.matrix[] | select(.from == "n1") | .to] | join(",")' <<<"$json")" "n5,n9,n13,n2"
	assert_eq "$(jq -c '.summary.sample' <<<"$json")" \
		'{"per_node":3,"stride":4,"pairs_total":182,"pairs_not_probed":139}'
	expect_status 2 nsnet check big --sample 0
	expect_status 2 nsnet check big --sample x
	# a check killed before its end leaves its entries (permanent,
	# protocol 245): the next check removes them; the user's stay
	ip -n n1 neigh add 10.30.0.98 lladdr 02:00:00:00:00:98 dev eth0 nud permanent
	ip netns exec n14 nft add table inet t
	ip netns exec n14 nft add chain inet t in '{ type filter hook input priority 0; }'
	ip netns exec n14 nft add rule inet t in icmp type echo-request drop
	"$NSNET" check big -W 30 >/dev/null &
	for i in $(seq 100); do
		ip -n n14 neigh show nud permanent | grep -q 'proto 245' && break
		sleep 0.1
	done
	kill -9 $!; wait $! || true
	[ "$(ip -n n14 neigh show nud permanent | grep -c 'proto 245')" -gt 0 ]
	ip netns exec n14 nft delete table inet t
	nsnet check big >/dev/null
	for i in $(seq 1 14); do ip -n n$i neigh show nud permanent; done > left
	assert_eq "$(grep -c 'proto 245' left || true)" "0"
	assert_eq "$(cat left)" "10.30.0.98 dev eth0 lladdr 02:00:00:00:00:98 PERMANENT "
EOF2
}
