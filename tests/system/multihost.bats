#!/usr/bin/env bats
# One topology over several machines (docs/multihost.md): three machines
# simulated in one sandbox (tests/system/multihost.bash), each running
# nsnet on the same file and building its part; observed with ip -j,
# bridge -j fdb, nft and real pings.
load helpers
load multihost

# The file every machine runs: one network over three machines, its
# gateway (and NAT) on m1.
lab_yaml() {
	cat <<'Y'
name: lab
hosts:
  m1: {address: 198.51.100.11}
  m2: {address: 198.51.100.12}
  m3: {address: 198.51.100.13}
networks:
  app: {subnet: 10.20.0.0/24, nat: true}
nodes:
  a: {host: m1, networks: {app: 10.20.0.11}}
  b: {host: m2, networks: {app: 10.20.0.12}}
  c: {host: m3, networks: {app: 10.20.0.13}}
expect:
  - "a -> b: reach"
  - "b -> c: reach"
Y
}
# Three machines, each with its part of lab up (found from its address).
lab_up() {
	machines_start 3
	lab_yaml > lab.yaml
	for m in m1 m2 m3; do
		assert_contains "$(nsnet_on "$m" up - < lab.yaml)" "lab on $m: 1 node, 1 network, 0 cables up"
	done
}
# The VXLAN device of machine $1.
vx_of() { on "$1" ip -j -d link show type vxlan | jq -r '.[0].ifname'; }
# The remotes of $1's device: its all-zero forwarding entries.
remotes_of() {
	on "$1" bridge -j fdb show dev "$(vx_of "$1")" |
		jq -r '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort | join(" ")'
}
export -f lab_yaml lab_up vx_of remotes_of

@test "three machines: one network, nodes reach each other by address and by name, NAT on the gateway's machine" {
	sandbox <<'EOF'
	lab_up
	reaches m1 a 10.20.0.12
	reaches m1 a c
	reaches m2 b a
	reaches m3 c b
	# each machine: a bridge, a VXLAN port with the file's VNI, its own
	# address, port 4789, no learning, marked like every nsnet link
	vni=$(nsnet plan --host m2 lab.yaml | sed -n 's/.* type vxlan id \([0-9]*\) .*/\1/p')
	[ -n "$vni" ]
	for i in 1 2 3; do
		vx=$(vx_of m$i)
		l=$(on m$i ip -j -d link show "$vx")
		assert_eq "$(jq -r '.[0].linkinfo.info_data.id' <<<"$l")" "$vni"
		assert_eq "$(jq -r '.[0].linkinfo.info_data.local' <<<"$l")" "198.51.100.1$i"
		assert_eq "$(jq -r '.[0].linkinfo.info_data.port' <<<"$l")" 4789
		assert_eq "$(jq -r '.[0].linkinfo.info_data.learning' <<<"$l")" false
		assert_eq "$(jq -r '.[0].master' <<<"$l")" app
		assert_eq "$(jq -r '.[0].ifalias' <<<"$l")" "nsnet:lab"
		assert_eq "$(jq -r '.[0].mtu' <<<"$l")" 1450
	done
	# head-end replication: one entry per other machine
	assert_eq "$(remotes_of m1)" "198.51.100.12 198.51.100.13"
	assert_eq "$(remotes_of m2)" "198.51.100.11 198.51.100.13"
	assert_eq "$(remotes_of m3)" "198.51.100.11 198.51.100.12"
	# one gateway: only m1's bridge has an address, only m1 masquerades
	assert_eq "$(on m1 ip -j addr show dev app | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" 10.20.0.1
	assert_eq "$(on m2 ip -j addr show dev app | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" ""
	assert_contains "$(on m1 nft list ruleset)" "10.20.0.0/24"
	assert_not_contains "$(on m2 nft list ruleset)" "10.20.0.0/24"
	# the VXLAN overhead comes off the node ends
	assert_eq "$(on m2 ip -n b -j link show eth0 | jq -r '.[0].mtu')" 1450
	# b's way out is m1's NAT: m3's underlay sees m1's address
	reaches m2 b 198.51.100.13
	# every node by name on every machine
	hosts=$(on m3 cat /etc/netns/c/hosts)
	for n in "10.20.0.11	a" "10.20.0.12	b" "10.20.0.13	c"; do assert_contains "$hosts" "$n"; done
	assert_eq "$(on m1 tail -n +2 /etc/netns/a/hosts)" "$(on m2 tail -n +2 /etc/netns/b/hosts)"
	# each machine's status is of its part
	out=$(nsnet_on m2 status lab)
	assert_contains "$out" "on m2: matches the file"
	assert_contains "$out" "on other machines: a (m1), c (m3)"
	assert_eq "$(nsnet_on m2 status lab --json | jq -r '[.host, .node_count] | join(" ")')" "m2 1"
	assert_contains "$(nsnet_on m3 up - < lab.yaml)" "lab on m3: up to date"
	# check: the other machines' nodes as addresses behind the VXLAN
	out=$(nsnet_on m1 check lab --json)
	assert_eq "$(jq -r '.summary.reached' <<<"$out")" 2
	assert_eq "$(jq -r '[.targets[] | select(.host) | "\(.name)@\(.host)"] | join(" ")' <<<"$out")" "b@m2 c@m3"
	assert_eq "$(jq -r '[.expectations[].result] | join(" ")' <<<"$out")" "met elsewhere"
	out=$(nsnet_on m1 check lab)
	assert_contains "$out" "other machines' nodes, probed as addresses behind VXLAN: b on m2, c on m3"
	assert_contains "$out" "b -> c: reach  (b is on m2: nsnet check there checks it)"
EOF
}

@test "one machine's down leaves the other two working and removes everything of its own" {
	sandbox <<'EOF'
	lab_up
	reaches m1 a c
	nsnet_on m2 down lab
	assert_eq "$(on m2 ip -j link | jq -r '[.[].ifname] | sort | join(" ")')" "lo ul0"
	assert_eq "$(on m2 bridge -j fdb show | jq '[.[] | select(.dst)] | length')" 0
	assert_eq "$(on m2 ip netns list)" ""
	assert_eq "$(on m2 ls /etc/netns /run/nsnet/topo 2>/dev/null | grep -v ':$' | grep -c .)" 0
	assert_not_contains "$(on m2 nft list tables)" nsnet
	# m1 and m3 go on, and their parts are as their file says
	reaches m1 a c
	reaches m3 c 10.20.0.1
	nsnet_on m1 status lab >/dev/null
	nsnet_on m3 status lab >/dev/null
	assert_eq "$(remotes_of m1)" "198.51.100.12 198.51.100.13"
	# and m2 comes back
	nsnet_on m2 up - < lab.yaml
	reaches m2 b a
	reaches m3 c b
EOF
}

@test "doctor names a missing forwarding entry and a cut underlay; up repairs the entry" {
	sandbox <<'EOF'
	lab_up
	reaches m1 a c
	vx=$(vx_of m1)
	out=$(nsnet_on m1 doctor a c)
	assert_contains "$out" "ok    host: 10.20.0.13 is on m3, behind VXLAN $vx"
	on m1 bridge fdb del 00:00:00:00:00:00 dev "$vx" dst 198.51.100.13
	expect_status 1 nsnet_on m1 doctor a c
	assert_contains "$out" "FAIL  host: $vx has no forwarding entry for m3 (198.51.100.13)"
	assert_contains "$out" "fix   nsnet up --host m1 "
	expect_status 1 nsnet_on m1 status lab
	assert_contains "$out" "drifted: forwarding entry of $vx to m3 (198.51.100.13)"
	assert_contains "$(nsnet_on m1 up - < lab.yaml)" "repair: forwarding entry of $vx to m3 (198.51.100.13)"
	assert_eq "$(remotes_of m1)" "198.51.100.12 198.51.100.13"
	reaches m1 a c
	# the underlay: m3's end of its link goes down
	on m3 ip link set ul0 down
	expect_status 1 nsnet_on m1 doctor a c
	assert_contains "$out" "FAIL  host: the underlay does not answer: m3 (198.51.100.13) does not answer ping from host"
	# and from m3, its gateway is on m1, across the same cut
	expect_status 1 nsnet_on m3 doctor c 10.20.0.1
	assert_contains "$out" "the underlay does not answer: m1 (198.51.100.11)"
	# check ends, with a silent target among its answers
	out=$(on m1 timeout 60 "$NSNET" check lab --json || true)
	assert_eq "$(jq -r '[.matrix[] | "\(.to):\(.result)"] | join(" ")' <<<"$out")" "b:reach c:no answer"
EOF
}

@test "hosts: mistakes are named at FILE:LINE:COL and change nothing" {
	sandbox <<'EOF'
	state() { ip -j link | jq -c '[.[].ifname]'; ip netns list; nft list tables; ls /etc/netns /run/nsnet; }
	before=$(state)
	lab_yaml > lab.yaml
	bad() {  # the line to replace, its replacement, the error
		sed "s|$1|$2|" lab.yaml > bad.yaml
		expect_status 2 nsnet up --host m1 bad.yaml
		assert_contains "$out" "$3"
	}
	bad "c: {host: m3," "c: {host: m4," "bad.yaml:11:13: node c: host m4 is not in hosts: (m1, m2, m3)"
	bad "c: {host: m3, " "c: {" "bad.yaml:11:3: node c: which machine? add host: (one of m1, m2, m3)"
	bad "198.51.100.13" "198.51.100.12" "bad.yaml:5:3: host m3 has the address 198.51.100.12 of host m2"
	bad "nat: true}" "nat: true, vni: 16777216}" "bad.yaml:7:47: vni \"16777216\" is not a number from 1 to 16777215"
	bad "nat: true}" "nat: true, gateway_host: m7}" "bad.yaml:7:56: network app: gateway_host m7 is not in hosts: (m1, m2, m3)"
	bad "m3: {address:" "m3: {adress:" "bad.yaml:5:8: unknown key \"adress\" in a host"
	bad "^expect:" "cables: [{a: a, b: b}]\nexpect:" "bad.yaml:12:10: cable a - b joins nodes on two machines (m1 and m2)"
	sed '/^hosts:/,/m3:/d; s/host: m[123], //' lab.yaml > one.yaml
	sed 's/^  a: {networks/  a: {host: m1, networks/' one.yaml > bad.yaml
	expect_status 2 nsnet up bad.yaml
	assert_contains "$out" "bad.yaml:5:13: node a: host: m1, but the file has no hosts: section"
	assert_eq "$(state)" "$before"
EOF
}

@test "which machine: --host, the machine's own address, or a clear refusal" {
	sandbox <<'EOF'
	lab_yaml > lab.yaml
	# the sandbox has none of the hosts' addresses
	expect_status 2 nsnet up lab.yaml
	assert_contains "$out" "cannot tell which machine of topology lab this is: none of its addresses is one of hosts: (m1 198.51.100.11, m2 198.51.100.12, m3 198.51.100.13); give --host NAME"
	expect_status 2 nsnet status lab.yaml
	expect_status 2 nsnet up --host m9 lab.yaml
	assert_contains "$out" "--host m9: topology lab has no such machine (hosts: m1, m2, m3)"
	expect_status 2 nsnet plan --host m1 "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "(its file has no hosts: section)"
	expect_status 2 nsnet up --host -x lab.yaml
	# plan shows each machine's part as commands
	out=$(nsnet plan --host m2 lab.yaml)
	assert_contains "$out" " type vxlan id "
	assert_contains "$out" " local 198.51.100.12 dstport 4789 nolearning mtu 1450"
	assert_contains "$out" "bridge fdb append 00:00:00:00:00:00 dev vx-app-"
	assert_contains "$out" " dst 198.51.100.11"
	assert_contains "$out" " dst 198.51.100.13"
	assert_not_contains "$out" "dev app"            # no gateway address on m2
	assert_not_contains "$out" "ip_forward"         # no NAT on m2
	assert_not_contains "$out" "netns add a"
	assert_contains "$(nsnet plan --host m1 lab.yaml)" "ip addr add 10.20.0.1/24 dev app"
	# a file without hosts: plans no VXLAN
	assert_not_contains "$(nsnet plan "$NSNET_ROOT/examples/seed000.yaml")" vxlan
	# a machine with the addresses of two hosts must be told which it is
	machines_start 1
	on m1 ip addr add 198.51.100.12/24 dev ul0
	expect_status 2 nsnet_on m1 up - < lab.yaml
	assert_contains "$out" "it has the addresses of m1, m2; give --host NAME"
	nsnet_on m1 up --host m1 - < lab.yaml
	# later commands know it from the record of its up
	assert_contains "$(nsnet_on m1 status lab)" "on m1: matches the file"
	expect_status 2 nsnet_on m1 down --host m5 lab
	assert_contains "$out" "--host m5: topology lab has no such machine"
	nsnet_on m1 down lab
	assert_eq "$(on m1 ip -j link | jq -r '[.[].ifname] | sort | join(" ")')" "lo ul0"
EOF
}
