#!/usr/bin/env bats
# Regression tests for defects found in review of the core library (h6).
load helpers

@test "programs nsnet starts do not inherit its netlink sockets" {
	sandbox <<'EOF'
	cd "$(mktemp -d)"
	cat > t.yaml <<'Y'
name: fdt
networks:
  n:
    bridge: fdt_br
    subnet: 10.77.0.0/24
nodes:
  a:
    networks:
      n: 10.77.0.10
    run:
      - "ls -l /proc/self/fd/; sleep 20"
Y
	nsnet up t.yaml >/dev/null
	for i in $(seq 1 50); do
		[ -s /run/nsnet/topo/fdt/run-a-0.log ] && break
		sleep 0.1
	done
	fds=$(nsnet logs a)
	assert_contains "$fds" "/dev/null"
	assert_not_contains "$fds" "socket:"
	nsnet down fdt >/dev/null
EOF
}

@test "ns add and show handle 600 namespaces within 1,024 descriptors" {
	sandbox <<'EOF'
	ulimit -n 1024
	seq -f 'n%g' 1 600 | xargs "$NSNET" ns add
	assert_eq "$(ip netns list | grep -c '^n[0-9]')" "600"
	nsnet bridge add br0
	nsnet attach n1 br0
	nsnet cable n4 n5
	doc=$(nsnet show --json)
	assert_eq "$(jq '[.namespaces[] | select(.name | test("^n[0-9]"))] | length' <<<"$doc")" "600"
	assert_eq "$(jq -r '.namespaces[] | select(.name=="n4") | .links[] | select(.ifname=="veth-n5") | .peer.namespace + ":" + .peer.ifname' <<<"$doc")" "n5:veth-n4"
	assert_eq "$(jq -r '.namespaces[] | select(.name=="host") | .links[] | select(.master=="br0") | .peer.namespace' <<<"$doc")" "n1"
EOF
}

@test "an out-of-range --mtu for cable and attach is bad usage and creates nothing" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet bridge add br0
	before=$(ip -j link | jq -c '[.[].ifname]')
	expect_status 2 nsnet cable a b --mtu 10
	assert_contains "$out" "mtu 10 is out of range"
	expect_status 2 nsnet cable a b --mtu 70000
	expect_status 2 nsnet attach a br0 --mtu 67
	assert_contains "$out" "attach a to br0: mtu 67"
	assert_eq "$(ip -j link | jq -c '[.[].ifname]')" "$before"
	assert_eq "$(ip -n a -j link | jq -r '.[].ifname')" "lo"
	nsnet cable a b --mtu 1400
	assert_eq "$(ip -n b -j link show veth-a | jq '.[0].mtu')" "1400"
EOF
}

@test "ns add replaces a stale record: the namespace is not left owned by an old topology" {
	sandbox <<'EOF'
	mkdir -p /run/nsnet/ns
	printf 'oldtopology' > /run/nsnet/ns/x
	nsnet ns add x
	assert_eq "$(cat /run/nsnet/ns/x)" ""
EOF
}
