#!/usr/bin/env bats
# Core commands: namespaces, cables, bridges, attachments, addresses, routes.
load helpers

@test "ns add creates namespaces that ip netns sees, with loopback up" {
	sandbox <<'EOF'
	nsnet ns add red blue
	assert_eq "$(ip netns list | awk '{print $1}' | grep -v upstream | sort | tr '\n' ' ')" "blue red "
	assert_contains "$(ip -n red -j link show lo | jq -r '.[0].flags[]')" "UP"
	nsnet ns del blue
	assert_eq "$(ip netns list | awk '{print $1}' | grep -v upstream)" "red"
EOF
}

@test "cable, attach and detach mark their links and clean up after themselves" {
	sandbox <<'EOF'
	nsnet ns add a
	nsnet bridge add br0 --addr 10.1.0.1/24
	nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.1.0.1
	assert_eq "$(ip -j link show master br0 | jq -r '.[0].ifalias')" "nsnet"
	assert_eq "$(ip -n a -j link show eth0 | jq -r '.[0].ifalias')" "nsnet"
	assert_eq "$(ip -j link show br0 | jq -r '.[0].ifalias')" "nsnet"
	assert_eq "$(ip -n a -j route show default | jq -r '.[0].protocol')" "245"
	ping -c1 -W2 10.1.0.2 >/dev/null
	expect_status 1 nsnet attach a br0
	assert_contains "$out" "already attached"
	nsnet detach a br0
	assert_eq "$(ip -j link show master br0 | jq length)" "0"
	assert_eq "$(ip -n a -j link | jq -r '.[].ifname')" "lo"
	expect_status 1 nsnet detach a br0
	assert_contains "$out" "not attached"
	nsnet bridge del br0
	assert_eq "$(ip -j link show br0 2>/dev/null | jq length 2>/dev/null || echo 0)" "0"
EOF
}

@test "bad names and addresses are refused with exit 2 and change nothing" {
	sandbox <<'EOF'
	before=$(ip -j link | jq -c '[.[].ifname]')
	expect_status 2 nsnet ns add "$(printf 'n%.0s' {1..65})"
	assert_contains "$out" "at most 64"
	expect_status 2 nsnet ns add a/b
	assert_contains "$out" "'/'"
	expect_status 2 nsnet ns add ..
	expect_status 2 nsnet ns add host
	assert_contains "$out" "reserved"
	expect_status 2 nsnet bridge add a_very_long_bridge_name
	assert_contains "$out" "at most 15"
	nsnet ns add a
	expect_status 2 nsnet cable a host --addr 10.0.0.300/24
	assert_contains "$out" "10.0.0.300/24"
	expect_status 2 nsnet cable a host --addr 10.0.0.1/33
	expect_status 2 nsnet cable a:this_name_is_too_long host
	expect_status 2 nsnet route add a 10.0.0.1/24 via 10.0.0.254
	assert_contains "$out" "host bits"
	expect_status 2 nsnet route add a default via banana
	expect_status 2 nsnet link set a lo mtu 12
	expect_status 2 nsnet cable a
	expect_status 2 nsnet frobnicate
	assert_eq "$(ip -j link | jq -c '[.[].ifname]')" "$before"
	assert_eq "$(ip -n a -j link | jq -r '.[].ifname')" "lo"
	expect_status 1 nsnet attach nosuch_ns app_br
	expect_status 1 nsnet ns del nosuch_ns
	assert_contains "$out" "does not exist"
EOF
}

@test "a failing attach is undone: no veth is left on either side" {
	sandbox <<'EOF'
	nsnet ns add a
	nsnet bridge add br0 --addr 10.1.0.1/24
	expect_status 1 nsnet attach a br0 --addr 10.1.0.2/24 --gateway 10.99.0.1
	assert_contains "$out" "default via 10.99.0.1"
	assert_contains "$out" "Network is unreachable"
	assert_eq "$(ip -j link show master br0 | jq length)" "0"
	assert_eq "$(ip -n a -j link | jq -r '.[].ifname')" "lo"
	# a name already taken in the namespace: nothing left in the host either
	nsnet cable a:eth0 host:x0
	expect_status 1 nsnet attach a br0 --ifname eth0
	assert_eq "$(ip -j link show master br0 | jq length)" "0"
	# ns add of several names where one exists removes the new ones again
	expect_status 1 nsnet ns add b a c
	assert_eq "$(ip netns list | awk '{print $1}' | grep -c '^b$' || true)" "0"
EOF
}

@test "links nsnet did not create are not touched unless named" {
	sandbox <<'EOF'
	nsnet ns add a
	ip link add foreign type bridge
	ip link add fv type veth peer name fv2
	ip link set fv master foreign
	expect_status 1 nsnet detach a foreign
	expect_status 1 nsnet bridge del fv
	assert_contains "$out" "not a bridge"
	assert_eq "$(ip -j link show fv | jq length)" "1"
	# named explicitly, it is the user's call
	nsnet link set host fv mtu 1400
	assert_eq "$(ip -j link show fv | jq '.[0].mtu')" "1400"
EOF
}

@test "IPv6: addresses, routes and ping over a cable" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet cable a b --addr fd00:1::1/64 --peer-addr fd00:1::2/64
	nsnet addr add b lo fd00:2::2/128
	nsnet route add a fd00:2::/64 via fd00:1::2
	assert_eq "$(ip -n a -6 -j route show fd00:2::/64 | jq -r '.[0].gateway')" "fd00:1::2"
	ip netns exec a ping -6 -c1 -W2 fd00:2::2 >/dev/null
	nsnet ping a fd00:1::2 -c 1
	nsnet addr del b lo fd00:2::2/128
	! ip netns exec a ping -6 -c1 -W1 fd00:2::2 >/dev/null 2>&1
	nsnet route del a fd00:2::/64 via fd00:1::2
	assert_eq "$(ip -n a -6 -j route show fd00:2::/64 | jq length)" "0"
EOF
}

@test "show --json names peers, masters and routes" {
	sandbox <<'EOF'
	nsnet ns add web
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
	j=$(nsnet show --json)
	assert_eq "$(echo "$j" | jq -r '.namespaces[] | select(.name=="web") | .links[] | select(.ifname=="eth0") | .peer.namespace')" "host"
	hostif=$(echo "$j" | jq -r '.namespaces[] | select(.name=="web") | .links[] | select(.ifname=="eth0") | .peer.ifname')
	assert_eq "$(ip -j link show "$hostif" | jq -r '.[0].master')" "app_br"
	assert_eq "$(echo "$j" | jq -r --arg h "$hostif" '.namespaces[] | select(.name=="host") | .links[] | select(.ifname==$h) | .master')" "app_br"
	assert_eq "$(echo "$j" | jq -r '.namespaces[] | select(.name=="web") | .routes[] | select(.dst=="default") | .gateway')" "10.10.0.1"
	assert_eq "$(echo "$j" | jq -r '.namespaces[] | select(.name=="web") | .links[] | select(.ifname=="eth0") | .addresses[0]')" "10.10.0.10/16"
EOF
}

@test "forward on|off sets both families of the named namespace" {
	sandbox <<'EOF'
	nsnet ns add r
	nsnet forward on r
	assert_eq "$(ip netns exec r cat /proc/sys/net/ipv4/ip_forward)" "1"
	assert_eq "$(ip netns exec r cat /proc/sys/net/ipv6/conf/all/forwarding)" "1"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "0"
	assert_contains "$(nsnet forward show r)" "ipv4 forwarding on"
	nsnet forward off r
	assert_eq "$(ip netns exec r cat /proc/sys/net/ipv4/ip_forward)" "0"
EOF
}

@test "attach picks the next free ethN and leaves a foreign link in its way alone" {
	sandbox <<'EOF'
	nsnet ns add a
	nsnet bridge add br0
	nsnet bridge add br1
	nsnet attach a br0
	nsnet attach a br1
	assert_eq "$(ip -n a -j link | jq -r '[.[].ifname] | join(" ")')" "lo eth0 eth1"
	hostif=$(ip -j link show master br1 | jq -r '.[0].ifname')
	nsnet detach a br1
	ip link add "$hostif" type veth peer name zz
	ip link set "$hostif" alias mine
	expect_status 1 nsnet attach a br1
	assert_contains "$out" "that nsnet did not create"
	assert_eq "$(ip -j link show "$hostif" | jq -r '.[0].ifalias')" "mine"
	assert_eq "$(ip -n a -j link | jq -r '[.[].ifname] | join(" ")')" "lo eth0"
EOF
}
