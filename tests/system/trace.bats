#!/usr/bin/env bats
# nsnet trace: one probe watched at every hop at once. Every test builds
# seed 000 in its own sandbox; the destination 203.0.113.10 lives in the
# sandbox's simulated upstream.
load helpers

seed000='
nsnet ns add web database
nsnet bridge add app_br --addr 10.10.0.1/16
nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
nsnet attach database app_br --addr 10.10.0.20/16 --gateway 10.10.0.1
nsnet forward on
nsnet nat add app_br
# host-side names of the two attachments
web_port=$(ip -o link show master app_br | grep -o "web-[0-9a-f]*" | head -1)
db_port=$(ip -o link show master app_br | grep -o "database-[0-9a-f]*" | head -1)
# "ns if dir" of each sighting of one section (request or reply), one per
# line, from the text output in $out
hops() { awk -v s="$1:" '"'"'$1 == s { on = 1; next } /^[^ ]/ { on = 0 } on { print $1, $2, $3 }'"'"' <<<"$out"; }
# the text output with runs of spaces squeezed
flat() { tr -s " " <<<"$out"; }
'
export seed000

@test "trace: the working path, NAT shown, reply back at web" {
	sandbox <<'EOF'
	eval "$seed000"
	expect_status 0 nsnet trace web 203.0.113.10
	echo "$out" >&2
	assert_eq "$(hops request | tr '\n' '|')" \
		"web eth0 out|host $web_port in|host app_br in|host eth0 out|upstream eth0 in|"
	assert_eq "$(hops reply | tr '\n' '|')" \
		"upstream eth0 out|host eth0 in|host app_br out|host $web_port out|web eth0 in|"
	assert_contains "$(flat)" " web eth0 out 10.10.0.10 > 203.0.113.10 ICMP echo request id "
	assert_contains "$(flat)" " host eth0 out 198.51.100.2 > 203.0.113.10 ICMP echo request id "
	assert_contains "$(flat)" " upstream eth0 in 198.51.100.2 > 203.0.113.10 ICMP echo request"
	assert_contains "$(flat)" " web eth0 in 203.0.113.10 > 10.10.0.10 ICMP echo reply id "
	assert_contains "$out" "NAT: source 10.10.0.10 -> 198.51.100.2 (request, in host)"
	assert_eq "$(tail -1 <<<"$out")" "reply back at web eth0: echo reply"
EOF
}

@test "trace: --json has the path, the NAT and the verdict" {
	sandbox <<'EOF'
	eval "$seed000"
	nsnet trace web 203.0.113.10 --json >t.json
	python3 - <<'PY'
import json
d = json.load(open("t.json"))
assert d["ns"] == "web" and d["dest"] == "203.0.113.10", d
assert d["proto"] == "icmp" and d["port"] is None, d
assert d["reply_received"] is True, d
r = d["request"]
assert (r[0]["ns"], r[0]["if"], r[0]["dir"], r[0]["src"]) == ("web", "eth0", "out", "10.10.0.10"), r[0]
assert (r[-1]["ns"], r[-1]["src"], r[-1]["dst"]) == ("upstream", "198.51.100.2", "203.0.113.10"), r[-1]
times = [s["time_us"] for s in r + d["reply"]]
assert times == sorted(times), times
assert d["last_seen"] == {"ns": "web", "if": "eth0", "dir": "in"}, d["last_seen"]
assert {"path": "request", "ns": "host", "field": "source", "from": "10.10.0.10",
        "to": "198.51.100.2"} in d["nat"], d["nat"]
assert d["arp_unanswered"] == [], d["arp_unanswered"]
PY
EOF
}

@test "trace: the demo's NAT is the host's masquerade, never the upstream's" {
	sandbox <<'EOF'
	nsnet up "$NSNET_ROOT/examples/seed000.yaml" >/dev/null
	# The copies leaving a namespace are often stamped late; five traces
	# give a wrong order (and a NAT made up from it) five chances.
	for i in 1 2 3 4 5; do
		expect_status 0 nsnet trace web 203.0.113.10
		echo "$out" >&2
		assert_eq "$(grep '^NAT:' <<<"$out")" "NAT: source 10.10.0.10 -> 198.51.100.2 (request, in host)
NAT: destination 198.51.100.2 -> 10.10.0.10 (reply, in host)"
		assert_not_contains "$out" "in upstream)"
	done
	nsnet trace web 203.0.113.10 --json >t.json
	python3 - <<'PY'
import json
d = json.load(open("t.json"))
assert [n["ns"] for n in d["nat"]] == ["host", "host"], d["nat"]
assert [(s["ns"], s["dir"]) for s in d["reply"]][:2] == [("upstream", "out"), ("host", "in")], d["reply"]
PY
EOF
}

@test "trace: web to database on the bridge, seen on both veth ends" {
	sandbox <<'EOF'
	eval "$seed000"
	expect_status 0 nsnet trace web 10.10.0.20
	echo "$out" >&2
	assert_eq "$(hops request | tr '\n' '|')" \
		"web eth0 out|host $web_port in|host $db_port out|database eth0 in|"
	assert_eq "$(hops reply | tr '\n' '|')" \
		"database eth0 out|host $db_port in|host $web_port out|web eth0 in|"
	assert_not_contains "$out" "NAT:"
EOF
}

@test "trace: --tcp to a closed port gets RST, to a listener SYN-ACK" {
	sandbox <<'EOF'
	eval "$seed000"
	expect_status 0 nsnet trace web 10.10.0.20 --tcp 5432
	assert_contains "$(flat)" " database eth0 in 10.10.0.10 > 10.10.0.20 TCP "
	assert_contains "$(flat)" " > 5432 [S] seq "
	assert_contains "$(flat)" " web eth0 in 10.10.0.20 > 10.10.0.10 TCP 5432 > "
	assert_contains "$(flat)" " [R.] seq 0 ack "
	assert_eq "$(tail -1 <<<"$out")" "reply back at web eth0: RST: connection refused on port 5432"

	serve_once database 5432 db
	expect_status 0 nsnet trace web 10.10.0.20 --tcp 5432
	assert_contains "$(flat)" " database eth0 out 10.10.0.20 > 10.10.0.10 TCP 5432 > "
	assert_contains "$(flat)" " [S.] seq "
	assert_eq "$(tail -1 <<<"$out")" "reply back at web eth0: SYN-ACK: port 5432 accepts connections"
EOF
}

@test "trace: --udp through NAT, the ICMP error comes back" {
	sandbox <<'EOF'
	eval "$seed000"
	expect_status 0 nsnet trace web 203.0.113.10 --udp 5353
	assert_contains "$(flat)" " upstream eth0 in 198.51.100.2 > 203.0.113.10 UDP "
	assert_contains "$(flat)" " web eth0 in 203.0.113.10 > 10.10.0.10 ICMP port unreachable (code 3) for UDP 10.10.0.10."
	assert_contains "$out" "NAT: source 10.10.0.10 -> 198.51.100.2 (request, in host)"
EOF
}

@test "trace: forwarding off, last seen entering the host" {
	sandbox <<'EOF'
	eval "$seed000"
	sysctl -qw net.ipv4.ip_forward=0
	expect_status 1 nsnet trace web 203.0.113.10
	echo "$out" >&2
	assert_eq "$(hops request | tail -1)" "host app_br in"
	assert_not_contains "$(hops request)" "host eth0"
	assert_not_contains "$out" "reply:"
	assert_contains "$out" "nsnet: trace web -> 203.0.113.10: request last seen: host app_br (in); no reply"
EOF
}

@test "trace: NAT missing, upstream sees the private source and never answers" {
	sandbox <<'EOF'
	eval "$seed000"
	nsnet nat del app_br
	expect_status 1 nsnet trace web 203.0.113.10
	assert_contains "$(flat)" " upstream eth0 in 10.10.0.10 > 203.0.113.10 ICMP echo request"
	assert_not_contains "$out" "NAT:"
	assert_contains "$out" "request last seen: upstream eth0 (in); no reply"
EOF
}

@test "trace: gateway address missing, only unanswered ARP from web" {
	sandbox <<'EOF'
	eval "$seed000"
	ip addr del 10.10.0.1/16 dev app_br
	ip -n web neigh flush all
	expect_status 1 nsnet trace web 203.0.113.10
	assert_contains "$out" "request: not seen on any interface"
	assert_contains "$out" "ARP: who-has 10.10.0.1 tell 10.10.0.10 (web eth0): no answer"
	assert_contains "$out" "the request never left web; ARP who-has 10.10.0.1 from web eth0 got no answer"
EOF
}

@test "trace: a foreign forward chain with policy drop stops it in the host" {
	sandbox <<'EOF'
	eval "$seed000"
	nft add table ip filter
	nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
	expect_status 1 nsnet trace web 203.0.113.10
	echo "$out" >&2
	assert_eq "$(hops request | tail -1)" "host app_br in"
	assert_not_contains "$(hops request)" "host eth0 out"
	assert_contains "$out" "request last seen: host app_br (in); no reply"
EOF
}

@test "trace: link down or no route, the probe cannot be sent" {
	sandbox <<'EOF'
	eval "$seed000"
	ip -n web route del default
	expect_status 1 nsnet trace web 203.0.113.10
	assert_eq "$out" "nsnet: trace web -> 203.0.113.10: the probe could not be sent: Network is unreachable"
	nsnet route add web default via 10.10.0.1
	nsnet link set web eth0 down
	expect_status 1 nsnet trace web 203.0.113.10 --tcp 80
	assert_eq "$out" "nsnet: trace web -> 203.0.113.10: the probe could not be sent: Network is unreachable"
EOF
}

@test "trace: bad input exits 2" {
	sandbox <<'EOF'
	nsnet ns add web
	expect_status 2 nsnet trace nosuch 203.0.113.10
	assert_contains "$out" "namespace nosuch does not exist"
	expect_status 2 nsnet trace web 203.0.113.300
	assert_contains "$out" 'bad destination "203.0.113.300"'
	expect_status 2 nsnet trace web 203.0.113.10 --tcp 0
	expect_status 2 nsnet trace web 203.0.113.10 --tcp 70000
	expect_status 2 nsnet trace web 203.0.113.10 --tcp 80 --udp 53
	assert_contains "$out" "either --tcp or --udp"
	expect_status 2 nsnet trace web 203.0.113.10 -W 0
	expect_status 2 nsnet trace web
EOF
}
