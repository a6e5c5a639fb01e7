#!/usr/bin/env bats
# nsnet doctor: why a packet does not get through.
load helpers

@test "doctor: a working seed 000 path answers ok, exit 0" {
	sandbox <<'EOF'
	nsnet ns add web database
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
	nsnet forward on
	nsnet nat add app_br
	out=$(nsnet doctor web 203.0.113.10)
	assert_contains "$out" "route: 203.0.113.10 via 10.10.0.1 in web"
	assert_contains "$out" "ok: 203.0.113.10 answers ping from web"
EOF
}

@test "doctor: no default route is named first, and its fix works" {
	sandbox <<'EOF'
	nsnet ns add web
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
	nsnet forward on
	nsnet nat add app_br
	ip -n web route del default
	expect_status 1 nsnet doctor web 203.0.113.10
	assert_contains "$out" "no route to 203.0.113.10 in web: add one with \`nsnet route add web default via GW\`"
	nsnet route add web default via 10.10.0.1
	nsnet doctor web 203.0.113.10 >/dev/null
	can_ping web 203.0.113.10
EOF
}

@test "doctor: bad input is a usage error" {
	sandbox <<'EOF'
	nsnet ns add web
	expect_status 2 nsnet doctor web 10.0.0.300
	assert_contains "$out" "bad destination \"10.0.0.300\""
	expect_status 2 nsnet doctor web 10.0.0.1:99999
	expect_status 2 nsnet doctor web
	expect_status 1 nsnet doctor nosuchns 10.0.0.1
EOF
}

@test "doctor: forwarding off in the host is named, and its fix works" {
	sandbox <<'EOF'
	nsnet ns add web
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
	nsnet forward on
	nsnet nat add app_br
	nsnet forward off
	expect_status 1 nsnet doctor web 203.0.113.10
	assert_contains "$out" "web does not reach 203.0.113.10: forwarding is off in the host: turn it on with \`nsnet forward on\`"
	cannot_ping web 203.0.113.10
	nsnet forward on
	nsnet doctor web 203.0.113.10 >/dev/null
	can_ping web 203.0.113.10
EOF
}
