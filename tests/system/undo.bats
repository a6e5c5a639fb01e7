#!/usr/bin/env bats
# A failed up of a topology that is up already (a re-up after drift, with
# new nodes, networks and cables) puts back everything it changed: what it
# repaired, what it added to nodes and bridges that stay, the firewall, the
# hosts files, the record and the processes. The failure comes late (a
# setup: that fails, a run: that cannot start, a host port in use, a name
# taken between the plan and the veths), and an observer (ip -j, tc -j,
# nft -j, ps) sees the same before and after. Each test fails without the
# undo of what it names (lib/topology/apply.c).
load helpers

# All an observer sees of the host and of every namespace: links (up, bridge,
# mark, MTU), addresses and routes of every table (not the link-local ones,
# which the kernel adds in its own time), qdiscs, the forwarding
# sysctls, nsnet's table (without handles), nsnet's files with what they
# hold (pid files by name: a process stopped is gone either way; not the
# logs, which stay to say why an up failed), the processes.
deep_state() {
	local ns f run
	for ns in host $(ip netns list | awk '{print $1}' | sort); do
		run=()
		[ "$ns" = host ] || run=(ip netns exec "$ns")
		echo "== $ns"
		"${run[@]}" ip -j link | jq -c '.[] | {ifname, up: (.flags | index("UP") != null),
			master, ifalias, mtu}' | sort
		"${run[@]}" ip -j addr | jq -c '[.[] | .ifname as $i | .addr_info[] |
			select(.scope != "link") | "\($i) \(.local)/\(.prefixlen)"] | sort'
		for f in -4 -6; do
			"${run[@]}" ip -j $f route show table all | jq -c '[.[] |
				select((.table // "main") != "local" and .type != "multicast" and
				       .dst != "fe80::/64") |
				"\(.dst) \(.gateway // "-") \(.dev // "-") \(.protocol // "-") \(.metric // 0) \(.table // "main")"] | sort'
		done
		"${run[@]}" tc -j qdisc | jq -c '[.[] | "\(.dev) \(.kind) \(.handle) \(.options.rate // "") \(.options.delay // "")"] | sort'
		"${run[@]}" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding \
			net.ipv4.conf.all.route_localnet | tr '\n' ' '; echo
	done
	nft -j list ruleset | jq -c 'walk(if type == "object" then del(.handle) else . end) |
		.nftables[] | select(.metainfo | not)'
	find /run/nsnet /etc/netns -mindepth 1 -not -path '/run/nsnet/scratch*' -not -name lock \
		-type f -name '*.pid' | sort
	find /run/nsnet /etc/netns -mindepth 1 -not -path '/run/nsnet/scratch*' -not -name lock \
		-type f -not -name '*.log' -not -name '*.pid' | sort | xargs -r md5sum
	ps -eo args --no-headers | grep -E '^sleep 10[0-9][0-9]' | sort || true
}
# Wait (at most 5 s) until a process runs exactly $1.
wait_proc() {
	local i
	for i in $(seq 50); do pgrep -f -x "$1" > /dev/null && return 0; sleep 0.1; done
	fail "no process $1"
}
export -f deep_state wait_proc

@test "a failed re-up after drift puts back addresses, routes, the default route it replaced, sysctls, impairments, links, isolation, hosts files and the record" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: rep
networks:
  lan: {bridge: rep_br, subnet: 10.60.0.0/24, nat: true}
  back: {bridge: rep_b2, subnet: 10.62.0.0/24}
nodes:
  a:
    networks: {lan: {rate: 10mbit}, back: }
    routes: ["10.61.0.0/24 via 10.60.0.1"]
    sysctls: {net.ipv4.ip_forward: "1"}
    publish: ["8091:80"]
  c:
    networks: {back: }
Y
	nsnet up t.yaml > /dev/null
	# the next version: another rate, back internal, a new network, a new
	# node on it whose setup fails (the last action), a cable between the
	# two nodes that stay
	sed -e 's/rate: 10mbit/rate: 20mbit/' -e 's/10.62.0.0\/24}/10.62.0.0\/24, internal: true}/' \
		-e 's/^nodes:/  new: {bridge: rep_b3, subnet: 10.63.0.0\/24, nat: true}\nnodes:/' t.yaml > t2.yaml
	cat >> t2.yaml <<'Y'
  b:
    networks: {lan: , new: }
    setup: ["exit 3"]
cables:
  - {a: a, b: c, a_addr: 10.64.0.1/30, b_addr: 10.64.0.2/30}
Y
	# drift: an address, the routes, the bridge's address, a sysctl, the
	# loopback of c, the default route of a replaced by a user's
	addr=$(ip -n a -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
	ip -n a addr del "$addr/24" dev eth0
	ip -n a route replace default via 10.62.0.1 dev eth1 proto static
	ip addr flush dev rep_br
	ip netns exec a sysctl -qw net.ipv4.ip_forward=0
	ip -n c link set lo down
	before=$(deep_state)
	expect_status 1 nsnet up t2.yaml
	assert_contains "$out" "repair: address 10.60.0.1/24 on bridge rep_br"
	assert_contains "$out" "repair: default route of a via 10.60.0.1"
	assert_contains "$out" "repair: impairments of a eth0"
	assert_contains "$out" "repair: isolation of bridge rep_b2"
	assert_contains "$out" "node b: setup \"exit 3\" exited 3"
	assert_eq "$(deep_state)" "$before"
	assert_eq "$(cat /run/nsnet/topo/rep/file)" "$PWD/t.yaml"
	[ -e /run/nsnet/topo/rep/setup-b-0.log ] || fail "the log of the setup that failed is gone"
	assert_eq "$(ip -n a -j route show default | jq -r '.[0].gateway + " " + .[0].protocol')" "10.62.0.1 static"
	# and from there: the old file repairs, the new one (fixed) comes up
	nsnet up t.yaml > /dev/null
	assert_eq "$(nsnet status rep --json | jq .in_sync)" "true"
	sed -i 's/exit 3/true/' t2.yaml
	nsnet up t2.yaml > /dev/null
	assert_eq "$(nsnet status rep --json | jq .in_sync)" "true"
	nsnet down rep
	assert_eq "$(ip netns list | grep -v upstream || true)" ""
EOF
}

@test "a failed re-up stops the processes it started (a run: restarted, a new node's run: and what its setup: left) and leaves those that ran" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: procs
nodes:
  a: {run: ["sleep 1001"]}
  d: {run: ["sleep 1004"]}
Y
	nsnet up t.yaml > /dev/null
	wait_proc "sleep 1001"
	wait_proc "sleep 1004"
	a_pid=$(pgrep -f -x "sleep 1001")
	# drift: d's process ended
	pkill -f -x "sleep 1004"
	for i in $(seq 50); do pgrep -f -x "sleep 1004" > /dev/null || break; sleep 0.1; done
	cat > t2.yaml <<'Y'
name: procs
nodes:
  a: {run: ["sleep 1001"]}
  d: {run: ["sleep 1004"]}
  b: {setup: ["sleep 1003 & true"], run: ["sleep 1002"]}
  c: {run: ["sleep 1005"]}
Y
	# c's log cannot be opened (a directory holds its name): its run:, the
	# last action, fails after d's and b's started
	mkdir /run/nsnet/topo/procs/run-c-0.log
	before=$(deep_state)
	expect_status 1 nsnet up t2.yaml
	assert_contains "$out" "repair: process \"sleep 1004\" in d"
	assert_contains "$out" "node c: run \"sleep 1005\""
	assert_eq "$(deep_state)" "$before"
	assert_eq "$(pgrep -f -x 'sleep 1001')" "$a_pid"
	for p in 1002 1003 1004 1005; do
		! pgrep -f -x "sleep $p" > /dev/null || fail "sleep $p was left running"
	done
	rmdir /run/nsnet/topo/procs/run-c-0.log
	nsnet up t2.yaml > /dev/null
	wait_proc "sleep 1003"
	wait_proc "sleep 1005"
	nsnet down procs
	assert_eq "$(ps -eo args --no-headers | grep -cE '^sleep 10[0-9][0-9]' || true)" "0"
EOF
}

@test "a failed re-up takes back the NAT, isolation and ports it added, puts back a cable's NAT it changed, and leaves a port it repaired" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: fw
networks:
  lan: {bridge: fw_br, subnet: 10.65.0.0/24, nat: true}
  back: {bridge: fw_b2, subnet: 10.68.0.0/24}
nodes:
  a: {networks: {lan: , back: }, publish: ["8091:80"]}
cables:
  - {a: host, a_if: v-fw, a_addr: 10.69.0.1/24, b: a, b_if: eth9, b_addr: 10.69.0.2/24, a_nat: true}
Y
	nsnet up t.yaml > /dev/null
	cat > t2.yaml <<'Y'
name: fw
networks:
  lan: {bridge: fw_br, subnet: 10.65.0.0/24, nat: true}
  back: {bridge: fw_b2, subnet: 10.68.0.0/24}
  new: {bridge: fw_b3, subnet: 10.66.0.0/24, nat: true}
nodes:
  a: {networks: {lan: , back: }, publish: ["8091:80", "8093:80"]}
  b: {networks: {new: }, publish: ["8092:80"]}
cables:
  - {a: host, a_if: v-fw, a_addr: 10.69.0.1/24, b: a, b_if: eth9, b_addr: 10.69.0.2/24, a_nat: {out: eth0}}
Y
	# drift: a's address on lan, so its port 8091 leads nowhere (repaired)
	addr=$(ip -n a -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
	ip -n a addr del "$addr/24" dev eth0
	# a host socket holds b's port: its publish fails, after fw_b3's
	# isolation and NAT and a's new port 8093
	hold_port 8092
	before=$(deep_state)
	expect_status 1 nsnet up t2.yaml
	assert_contains "$out" "repair: published port 8091:80 of a"
	assert_contains "$out" "repair: NAT for cable end v-fw out eth0"
	assert_contains "$out" "host port 8092/tcp is in use"
	assert_eq "$(deep_state)" "$before"
	kill $holder; wait $holder 2>/dev/null || true
	nsnet up t2.yaml > /dev/null
	assert_eq "$(nsnet status fw --json | jq .in_sync)" "true"
	nsnet down fw
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
EOF
}

@test "a name taken between a re-up's plan and its veths: nothing of the re-up is left, the foreign link is untouched" {
	command -v strace > /dev/null || skip "needs strace"
	sandbox <<'EOF'
	printf 'name: col\nnetworks:\n  lan: {bridge: col_br, subnet: 10.67.0.0/24}\nnodes:\n  a: {networks: {lan: }}\n' > t.yaml
	nsnet up t.yaml > /dev/null
	cp t.yaml t2.yaml
	echo "  b: {networks: {lan: }}" >> t2.yaml
	port=$(nsnet plan t2.yaml | grep -oE 'ip link add [^ ]+ master col_br type veth' | awk '{print $4}')
	[ -n "$port" ] || fail "no veth in the plan"
	# drift: the bridge's address (repaired first, in the host)
	ip addr flush dev col_br
	before=$(deep_state)
	# up rewrites its record first (its first rename), then makes the
	# veths: held there for half a second, it finds b's port name taken
	strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:delay_enter=500000:when=1 \
		"$NSNET" up t2.yaml > out.txt 2>&1 &
	up=$!
	for i in $(seq 300); do ls /run/nsnet/topo/col/file.* > /dev/null 2>&1 && break; sleep 0.01; done
	ip link add "$port" type bridge
	st=0; wait $up || st=$?
	assert_eq "$st" "1" "$(cat out.txt)"
	assert_contains "$(cat out.txt)" "$port"
	assert_eq "$(ip -j link show "$port" | jq -r '.[0].ifalias // "none"')" "none"
	ip link del "$port"
	assert_eq "$(deep_state)" "$before"
	nsnet up t2.yaml > /dev/null
	nsnet down col
EOF
}

@test "a failed re-up of 300 nodes (one hosts file, hard-linked into every node) puts every node's hosts back" {
	sandbox <<'EOF'
	gen() {  # N [EXTRA-NODE-LINE]
		echo "name: big"
		echo "networks: {n: {subnet: 10.70.0.0/16}}"
		echo "nodes:"
		for ((i = 0; i < $1; i++)); do echo "  h$i: {networks: {n: }}"; done
		[ -z "${2:-}" ] || echo "$2"
	}
	gen 300 > /tmp/a.yaml
	gen 300 '  late: {networks: {n: }, setup: ["exit 3"]}' > /tmp/b.yaml
	nsnet up /tmp/a.yaml >/dev/null
	# one file: the nodes share it (docs/performance.md, Scale)
	assert_eq "$(stat -c %h /etc/netns/h0/hosts)" 300
	before=$(find /etc/netns -type f | sort | xargs md5sum)
	expect_status 1 nsnet up /tmp/b.yaml
	assert_contains "$out" "late"
	assert_eq "$(find /etc/netns -type f | sort | xargs md5sum)" "$before"
	assert_not_contains "$(cat /etc/netns/h299/hosts)" "late"
	[ ! -e /run/netns/late ]
	nsnet down big
EOF
}
