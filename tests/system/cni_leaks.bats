#!/usr/bin/env bats
# nsnet-cni: nothing leaks where the reference plugins did (issue 12,
# "Nothing leaks"). One test per reported case. In each, another container
# ("keep", port 8090) stays on the network, so that what the DEL itself
# takes back is seen (its record, reservation, host end, port and the
# owner's entries in nsnet's table) rather than what goes with the
# network's last attachment, and so that the DEL is seen not to touch
# what is not its own.
load helpers
load cni

RT='{"portMappings":[{"hostPort":8081,"containerPort":80}]}'
KEEP_RT='{"portMappings":[{"hostPort":8090,"containerPort":80}]}'
export RT KEEP_RT

# The container that stays: 10.98.0.2, port 8090.
keep_add() {
	ip netns add keep
	cni ADD keep /run/netns/keep eth0 "$(with_rt "$MIN" "$KEEP_RT")" >/dev/null
}
# It is whole (CHECK looks at its veth, address, route, reservation and
# port), then it goes and nothing at all is left.
keep_whole_then_gone() {
	cni CHECK keep /run/netns/keep eth0 "$(with_rt "$MIN" "$KEEP_RT")"
	cni DEL keep /run/netns/keep eth0 "$MIN"
	cni_nothing_left
}
export -f keep_add keep_whole_then_gone

@test "nothing leaks: DEL with an empty CNI_NETNS (ctr) takes back veth, address, port and record" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add c1
	out=$(cni ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")")
	assert_eq "$(jq -r '.ips[0].address' <<<"$out")" "10.98.0.3/24"
	hif=$(host_end net1 c1 eth0)
	cni DEL c1 "" eth0 "$(with_rt "$MIN" "$RT")"
	cni_gone net1 c1 eth0 10.98.0.3 "$hif" 8081
	# the container end went with the host end
	assert_eq "$(ip -n c1 -j link show | jq -r '[.[].ifname] | join(" ")')" "lo"
	keep_whole_then_gone
EOF
}

@test "nothing leaks: DEL after the namespace is gone, and when its path names another namespace now" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add c2
	cni ADD c2 /run/netns/c2 eth0 "$(with_rt "$MIN" "$RT")" >/dev/null
	hif=$(host_end net1 c2 eth0)
	ip netns del c2
	cni DEL c2 /run/netns/c2 eth0 "$(with_rt "$MIN" "$RT")"
	cni_gone net1 c2 eth0 10.98.0.3 "$hif" 8081
	# the path is a new namespace now (a reused pid's /proc/PID/ns/net is
	# the same case), with an eth0 that is not nsnet's: DEL works from
	# the record and leaves it alone
	ip netns add c3
	cni ADD c3 /run/netns/c3 eth0 "$(with_rt "$MIN" "$RT")" >/dev/null
	hif=$(host_end net1 c3 eth0)
	ip netns del c3
	ip netns add c3
	ip -n c3 link add eth0 type veth peer name other0
	cni DEL c3 /run/netns/c3 eth0 "$(with_rt "$MIN" "$RT")"
	cni_gone net1 c3 eth0 10.98.0.3 "$hif" 8081
	assert_eq "$(ip -n c3 -j link show eth0 | jq -r '.[0].link_type')" "ether"
	keep_whole_then_gone
EOF
}

@test "nothing leaks: DEL with the container's address flushed" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add c1
	cni ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")" >/dev/null
	hif=$(host_end net1 c1 eth0)
	ip -n c1 addr flush dev eth0
	assert_eq "$(ip -n c1 -j addr show eth0 | jq '[.[0].addr_info[] | select(.family=="inet")] | length')" 0
	cni DEL c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")"
	cni_gone net1 c1 eth0 10.98.0.3 "$hif" 8081
	assert_eq "$(ip -n c1 -j link show | jq -r '[.[].ifname] | join(" ")')" "lo"
	keep_whole_then_gone
EOF
}

@test "nothing leaks: DEL without portMappings in the runtime config" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add c1
	cni ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")" >/dev/null
	hif=$(host_end net1 c1 eth0)
	assert_contains "$(nft list table inet nsnet)" " 8081 "
	cni DEL c1 /run/netns/c1 eth0 "$MIN"
	cni_gone net1 c1 eth0 10.98.0.3 "$hif" 8081
	keep_whole_then_gone
EOF
}

@test "nothing leaks: DEL repeated, DEL of what was never added, DEL once the network is gone" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add c1
	cni ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")" >/dev/null
	hif=$(host_end net1 c1 eth0)
	for i in 1 2 3; do
		assert_eq "$(cni DEL c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")")" ""
		cni_gone net1 c1 eth0 10.98.0.3 "$hif" 8081
	done
	assert_eq "$(cni DEL never /run/netns/c1 eth9 "$MIN")" ""
	keep_whole_then_gone
	# with no network left, a late DEL is still fine and makes nothing
	cni DEL c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$RT")"
	cni DEL keep "" eth0 "$MIN"
	cni_nothing_left
EOF
}

@test "nothing leaks: ADD failing early (interface name taken) undoes itself; the DEL after it touches nothing" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add bad
	ip -n bad link add eth0 type veth peer name other0
	expect_status 1 cni_quiet ADD bad /run/netns/bad eth0 "$(with_rt "$MIN" "$RT")"
	assert_contains "$(jq -r .msg <<<"$out")" "CNI_IFNAME eth0"
	hif=$(jq -r '.msg | capture("veth (?<h>nsc[0-9a-f]+)").h' <<<"$out")
	cni_gone net1 bad eth0 10.98.0.3 "$hif" 8081
	cni DEL bad /run/netns/bad eth0 "$MIN"
	cni_gone net1 bad eth0 10.98.0.3 "$hif" 8081
	# the container's own eth0 was not nsnet's: still there
	assert_eq "$(ip -n bad -j link show eth0 | jq -r '.[0].link_type')" "ether"
	keep_whole_then_gone
EOF
}

@test "nothing leaks: ADD failing late (host port taken, code 104) undoes its veth and address; the DEL after it spares the port's owner" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	ip netns add late
	expect_status 1 cni_quiet ADD late /run/netns/late eth0 "$(with_rt "$MIN" "$KEEP_RT")"
	assert_eq "$(jq -r .code <<<"$out")" 104
	assert_contains "$(jq -r .msg <<<"$out")" "8090"
	assert_eq "$(ip -n late -j link show | jq -r '[.[].ifname] | join(" ")')" "lo"
	[ ! -e /run/nsnet/cni/net1/ips/10.98.0.3 ]
	[ ! -e /run/nsnet/cni/net1/att/late:eth0.json ]
	cni DEL late /run/netns/late eth0 "$(with_rt "$MIN" "$KEEP_RT")"
	serve_once keep 80 kept
	assert_contains "$(read_from host 127.0.0.1 8090)" "kept"
	keep_whole_then_gone
EOF
}

@test "nothing leaks: ADD killed half-way (SIGKILL before its record is complete) is taken back by DEL" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	with_rt "$MIN" "$RT" > conf.json
	add() {
		CNI_COMMAND=ADD CNI_CONTAINERID=$1 CNI_NETNS=/run/netns/$1 CNI_IFNAME=eth0 \
			ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -qq "${@:2}" "$NSNET_CNI" < conf.json
	}
	# a dry run counts the renames an ADD makes: the last one puts its
	# record, marked complete, in place
	ip netns add dry
	add dry -e trace=rename,renameat,renameat2 -o trace.log >/dev/null
	cni DEL dry /run/netns/dry eth0 "$MIN"
	call=$(sed -n '$s/(.*//p' trace.log)
	n=$(grep -c "^$call(" trace.log)
	[ "$n" -ge 2 ] || fail "renames of an ADD: $(cat trace.log)"
	ip netns add c1
	set +e; add c1 -e trace="$call" -e inject="$call":error=EIO:signal=KILL:when="$n" -o /dev/null >/dev/null 2>&1; set -e
	# killed: everything made, the record says it did not finish
	assert_eq "$(jq -r .complete /run/nsnet/cni/net1/att/c1:eth0.json)" "false"
	hif=$(host_end net1 c1 eth0)
	addr=$(jq -r '.result.ips[0].address | sub("/.*"; "")' /run/nsnet/cni/net1/att/c1:eth0.json)
	assert_eq "$(ip -n c1 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "$addr"
	[ -e "/run/nsnet/cni/net1/ips/$addr" ]
	assert_contains "$(nft list table inet nsnet)" "cni:net1:c1:eth0"
	assert_eq "$(nsnet status --cni --json | jq -r '.[] | select(.container_id=="c1") | .state')" "incomplete"
	expect_drift "did not finish" c1 /run/netns/c1 eth0 "$MIN"
	cni DEL c1 /run/netns/c1 eth0 "$MIN"
	cni_gone net1 c1 eth0 "$addr" "$hif" 8081
	assert_eq "$(ip -n c1 -j link show | jq -r '[.[].ifname] | join(" ")')" "lo"
	keep_whole_then_gone
EOF
}

@test "nothing leaks: two containers given the same address one after the other; a late DEL of the first spares the second" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	keep_add
	# A gets 10.98.0.50 and port 8082; A is deleted; B gets the same
	# address and port; a late DEL of A must not touch B's mapping
	ip netns add a; ip netns add b
	rt='{"ips":["10.98.0.50"],"portMappings":[{"hostPort":8082,"containerPort":80}]}'
	cni ADD a /run/netns/a eth0 "$(with_rt "$MIN" "$rt")" >/dev/null
	cni DEL a /run/netns/a eth0 "$MIN"
	cni ADD b /run/netns/b eth0 "$(with_rt "$MIN" "$rt")" >/dev/null
	cni DEL a /run/netns/a eth0 "$(with_rt "$MIN" "$rt")"
	serve_once b 80 bee
	assert_contains "$(read_from host 127.0.0.1 8082)" "bee"
	assert_eq "$(head -1 /run/nsnet/cni/net1/ips/10.98.0.50)" "b"
	assert_contains "$(nft list table inet nsnet)" "cni:net1:b:eth0"
	assert_not_contains "$(nft list table inet nsnet)" "cni:net1:a:eth0"
	cni CHECK b /run/netns/b eth0 "$(with_rt "$MIN" "$rt")"
	hif=$(host_end net1 b eth0)
	cni DEL b /run/netns/b eth0 "$MIN"
	cni_gone net1 b eth0 10.98.0.50 "$hif" 8082
	keep_whole_then_gone
EOF
}
