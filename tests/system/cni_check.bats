#!/usr/bin/env bats
# nsnet-cni's CHECK: what ADD recorded against what is there and against
# what the runtime hands back (the prevResult, field by field, and the
# runtime config's port mappings). Each drift is made by hand, CHECK must
# fail with code 102 naming it, and once it is repaired CHECK passes again
# (so the message came from that drift and nothing else).
load helpers
load cni

# Dual stack, an MTU, a port: every kind of thing CHECK looks at.
DUAL='{"cniVersion":"1.0.0","name":"chk","type":"nsnet-cni","bridge":"nsk0","mtu":1400,"ipMasq":true,
 "ranges":[[{"subnet":"10.88.0.0/24"}],[{"subnet":"fd88::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}'
PORTS='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}'
export DUAL PORTS

@test "CHECK passes on a clean attachment: without a prevResult, with the ADD's result as prevResult, in 0.4.0, 1.0.0 and 1.1.0" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1
	for v in 0.4.0 1.0.0 1.1.0; do
		conf=$(with_rt "$(jq -c --arg v "$v" '.cniVersion=$v' <<<"$DUAL")" "$PORTS")
		res=$(cni ADD c1 /run/netns/c1 eth0 "$conf")
		assert_eq "$(cni CHECK c1 /run/netns/c1 eth0 "$conf")" ""
		assert_eq "$(cni CHECK c1 /run/netns/c1 eth0 "$(jq -c --argjson p "$res" '. + {prevResult: $p}' <<<"$conf")")" ""
		# the runtime config without ports: nothing to compare them with
		cni CHECK c1 /run/netns/c1 eth0 "$(jq -c --arg v "$v" '.cniVersion=$v' <<<"$DUAL")"
		cni DEL c1 /run/netns/c1 eth0 "$conf"
	done
	cni_nothing_left
EOF
}

@test "CHECK names each drift made by hand: address, route, MAC, MTU, link down, gateway, bridge port, reservation, namespace, port, host end" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1; ip netns add other
	conf=$(with_rt "$DUAL" "$PORTS")
	res=$(cni ADD c1 /run/netns/c1 eth0 "$conf")
	pconf=$(jq -c --argjson p "$res" '. + {prevResult: $p}' <<<"$conf")
	hif=$(jq -r '.interfaces[1].name' <<<"$res")
	mac=$(jq -r '.interfaces[2].mac' <<<"$res")
	clean() { cni CHECK c1 /run/netns/c1 eth0 "$conf"; cni CHECK c1 /run/netns/c1 eth0 "$pconf"; }
	clean
	# an address deleted (its route goes with it)
	ip -n c1 addr del 10.88.0.2/24 dev eth0
	expect_drift "eth0 has lost its address 10.88.0.2/24" c1 /run/netns/c1 eth0 "$pconf"
	ip -n c1 addr add 10.88.0.2/24 dev eth0
	ip -n c1 route add default via 10.88.0.1
	clean
	# a route deleted
	ip -n c1 -6 route del default
	expect_drift "lost its route to ::/0 via fd88::1" c1 /run/netns/c1 eth0 "$conf"
	ip -n c1 -6 route add default via fd88::1
	clean
	# the MAC changed
	ip -n c1 link set eth0 address 02:00:00:00:00:99
	expect_drift "eth0 in the container has MAC 02:00:00:00:00:99, ADD gave it $mac" c1 /run/netns/c1 eth0 "$conf"
	ip -n c1 link set eth0 address "$mac"
	clean
	# the MTU changed
	ip -n c1 link set eth0 mtu 1300
	expect_drift "eth0 in the container has MTU 1300, ADD gave it 1400" c1 /run/netns/c1 eth0 "$conf"
	ip -n c1 link set eth0 mtu 1400
	clean
	# the interface down (its routes and IPv6 address go with it)
	ip -n c1 link set eth0 down
	expect_drift "eth0 in the container is down" c1 /run/netns/c1 eth0 "$conf"
	ip -n c1 link set eth0 up
	ip -n c1 addr add fd88::2/64 dev eth0 nodad
	ip -n c1 route add default via 10.88.0.1
	ip -n c1 -6 route add default via fd88::1
	clean
	# the gateway address gone from the bridge
	ip addr del 10.88.0.1/24 dev nsk0
	expect_drift "bridge nsk0 has lost the gateway address 10.88.0.1" c1 /run/netns/c1 eth0 "$conf"
	ip addr add 10.88.0.1/24 dev nsk0
	clean
	# the host end taken off the bridge
	ip link set "$hif" nomaster
	expect_drift "$hif is no longer a port of bridge nsk0" c1 /run/netns/c1 eth0 "$conf"
	ip link set "$hif" master nsk0
	clean
	# the reservation gone
	mv /run/nsnet/cni/chk/ips/fd88::2 held
	expect_drift "address fd88::2/64 is no longer reserved for container c1" c1 /run/netns/c1 eth0 "$conf"
	mv held /run/nsnet/cni/chk/ips/fd88::2
	clean
	# CNI_NETNS names another namespace than ADD attached
	expect_drift "CNI_NETNS /run/netns/other is not the namespace ADD attached eth0 to" c1 /run/netns/other eth0 "$conf"
	# a published port gone from nsnet's map (no repair by hand: last
	# but one)
	nft delete element inet nsnet pub4any '{ tcp . 8080 }'
	expect_drift "host port 8080/tcp is no longer published to the container" c1 /run/netns/c1 eth0 "$conf"
	# the host end gone (the container end with it)
	ip link del "$hif"
	expect_drift "the host end $hif of eth0's veth is gone" c1 /run/netns/c1 eth0 "$conf"
	cni DEL c1 /run/netns/c1 eth0 "$conf"
	# and no attachment at all: code 3, naming the variables
	expect_status 1 cni_quiet CHECK c1 /run/netns/c1 eth0 "$conf"
	assert_eq "$(jq -r .code <<<"$out")" 3
	assert_contains "$(jq -r .msg <<<"$out")" "CNI_CONTAINERID c1 with CNI_IFNAME eth0"
	cni_nothing_left
EOF
}

@test "CHECK with a prevResult names the field that differs from what ADD answered: interfaces, ips, routes" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1
	conf=$DUAL
	res=$(cni ADD c1 /run/netns/c1 eth0 "$conf")
	hif=$(jq -r '.interfaces[1].name' <<<"$res")
	mac=$(jq -r '.interfaces[2].mac' <<<"$res")
	# drift JQ WORDS: CHECK with the ADD's result changed by JQ
	drift() {
		expect_drift "$2" c1 /run/netns/c1 eth0 "$(jq -c --argjson p "$(jq -c "$1" <<<"$res")" '. + {prevResult: $p}' <<<"$conf")"
	}
	drift '.interfaces[2].mac="02:00:00:00:00:01"' "\"prevResult\".interfaces[2] (eth0): mac is 02:00:00:00:00:01, ADD gave $mac"
	drift 'del(.interfaces[2].mac)' "\"prevResult\".interfaces[2] (eth0): mac is missing"
	drift '.interfaces[2].sandbox="/run/netns/c9"' "\"prevResult\".interfaces[2] (eth0): sandbox is \"/run/netns/c9\", ADD made it in \"/run/netns/c1\""
	drift '.interfaces[1].name="nsc00000000"' "\"prevResult\".interfaces has no $hif (ADD made it)"
	drift 'del(.interfaces[0])' "\"prevResult\".interfaces has no nsk0"
	drift '.ips[0].address="10.88.0.7/24"' "\"prevResult\".ips has no 10.88.0.2/24 (ADD gave it to eth0)"
	drift '.ips[1].address="fd88::2/80"' "\"prevResult\".ips[1]: address is fd88::2/80, ADD gave fd88::2/64"
	drift '.ips[0].gateway="10.88.0.9"' "\"prevResult\".ips[0] (10.88.0.2/24): gateway is 10.88.0.9, ADD gave 10.88.0.1"
	drift 'del(.ips[1].gateway)' "\"prevResult\".ips[1] (fd88::2/64): gateway is none, ADD gave fd88::1"
	drift '.ips[0].interface=1' "\"prevResult\".ips[0] (10.88.0.2/24): interface is 1 ($hif), ADD put it on 2 (eth0)"
	drift 'del(.ips[1].interface)' "\"prevResult\".ips[1] (fd88::2/64): interface is missing, ADD put it on 2 (eth0)"
	drift '.ips += [{"address":"10.88.0.77/24","interface":2}]' "\"prevResult\".ips[2]: 10.88.0.77/24 is on eth0, but ADD did not give it"
	drift 'del(.routes[1])' "\"prevResult\".routes has no route to ::/0 via fd88::1 (ADD gave it)"
	drift '.routes[0].gw="10.88.0.3"' "\"prevResult\".routes[0] (0.0.0.0/0): gw is 10.88.0.3, ADD gave 10.88.0.1"
	# what is not nsnet-cni's own is not its to judge: another plugin's
	# interface and address, a route added after it, the order
	cni CHECK c1 /run/netns/c1 eth0 "$(jq -c --argjson p "$(jq -c '.interfaces = [{"name":"lo","sandbox":"/run/netns/c1"}] + .interfaces
		| .ips = [.ips[] | .interface += 1] + [{"address":"127.0.0.1/8","interface":0}]
		| .routes += [{"dst":"192.0.2.0/24"}]' <<<"$res")" '. + {prevResult: $p}' <<<"$conf")"
	# a prevResult in 0.4.0's shape (ips[].version) is read as well
	conf4=$(jq -c '.cniVersion="0.4.0"' <<<"$conf")
	cni CHECK c1 /run/netns/c1 eth0 "$(jq -c --argjson p "$(jq -c '.cniVersion="0.4.0" | .ips[0].version="4" | .ips[1].version="6"' <<<"$res")" '. + {prevResult: $p}' <<<"$conf4")"
	# a prevResult that is no result: code 6, naming it
	expect_status 1 cni_quiet CHECK c1 /run/netns/c1 eth0 "$(jq -c '. + {prevResult: {"ips":[{"address":"nope"}]}}' <<<"$conf")"
	assert_eq "$(jq -r .code <<<"$out")" 6
	assert_contains "$(jq -r .msg <<<"$out")" "\"prevResult\": ips[0].address"
	cni DEL c1 /run/netns/c1 eth0 "$conf"
	cni_nothing_left
EOF
}

@test "CHECK with the runtime config's portMappings: one more or one fewer than ADD published is named" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1
	two='{"portMappings":[{"hostPort":8080,"containerPort":80},{"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}]}'
	cni ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$two")" >/dev/null
	cni CHECK c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$two")"
	expect_drift "ADD published 127.0.0.1:5353:53/udp, which \"runtimeConfig\".\"portMappings\" does not list" \
		c1 /run/netns/c1 eth0 "$(with_rt "$MIN" '{"portMappings":[{"hostPort":8080,"containerPort":80}]}')"
	expect_drift "\"runtimeConfig\".\"portMappings\"[2] (8081:80/tcp) was not published by ADD" \
		c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$(jq -c '.portMappings += [{"hostPort":8081,"containerPort":80}]' <<<"$two")")"
	expect_drift "\"runtimeConfig\".\"portMappings\"[0] (8080:81/tcp) was not published by ADD" \
		c1 /run/netns/c1 eth0 "$(with_rt "$MIN" "$(jq -c '.portMappings[0].containerPort=81' <<<"$two")")"
	cni DEL c1 /run/netns/c1 eth0 "$MIN"
	cni_nothing_left
EOF
}

@test "CHECK as another plugin's IPAM: the reference bridge plugin's CHECK asks nsnet-cni about the reservation" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add b
	br='{"cniVersion":"1.0.0","name":"asipam","type":"bridge","bridge":"cni-x0","isGateway":true,
	  "ipam":{"type":"nsnet-cni","subnet":"10.93.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}'
	br=$(jq -c . <<<"$br")
	bridge() {
		printf '%s' "$2" | CNI_COMMAND=$1 CNI_CONTAINERID=b CNI_NETNS=/run/netns/b CNI_IFNAME=eth1 \
			CNI_PATH=$PWD/plugins plugins/bridge
	}
	res=$(bridge ADD "$br")
	assert_eq "$(jq -r '.ips[0].address' <<<"$res")" "10.93.0.2/24"
	pbr=$(jq -c --argjson p "$res" '. + {prevResult: $p}' <<<"$br")
	bridge CHECK "$pbr"
	# the reservation gone: nsnet-cni's CHECK fails, the bridge says why
	mv /run/nsnet/cni/asipam/ips/10.93.0.2 held
	set +e; out=$(bridge CHECK "$pbr"); rc=$?; set -e
	assert_eq "$rc" 1
	assert_contains "$out" "address 10.93.0.2/24 is no longer reserved for container b"
	mv held /run/nsnet/cni/asipam/ips/10.93.0.2
	bridge CHECK "$pbr"
	# called directly as IPAM with a prevResult that lost the address
	expect_drift "\"prevResult\".ips has no 10.93.0.2/24" b /run/netns/b eth1 \
		"$(jq -c --argjson p "$(jq -c '.ips[0].address="10.93.0.9/24"' <<<"$res")" '. + {prevResult: $p}' <<<"$br")"
	bridge DEL "$br"
	assert_eq "$(find /run/nsnet/cni -mindepth 1 | wc -l)" 0
EOF
}
