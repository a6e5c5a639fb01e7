#!/usr/bin/env bats
# Link impairments: rate (token bucket), loss (nftables), delay (netem).
# Observers: iperf3 and ping across the link, `tc -j qdisc show` and
# `nft -j list ruleset` inside each namespace.
load helpers

# Two namespaces on a cable, with static neighbour entries so that a lost
# ARP packet does not count as lost pings.
two_on_a_cable() {
	nsnet ns add a b
	nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	ip -n a neigh replace 10.0.0.2 dev veth-b nud permanent \
		lladdr "$(ip -n b -j link show veth-a | jq -r '.[0].address')"
	ip -n b neigh replace 10.0.0.1 dev veth-a nud permanent \
		lladdr "$(ip -n a -j link show veth-b | jq -r '.[0].address')"
}
# Mbit/s from a to b (reverse: b to a) over 3 s of TCP.
iperf_mbit() {
	ip netns exec b timeout 20 iperf3 -s -1 -B 10.0.0.2 >/dev/null 2>&1 &
	wait_listen b 5201
	ip netns exec a timeout 15 iperf3 -c 10.0.0.2 -t "${2:-3}" ${1:+-R} -J |
		jq '.end.sum_received.bits_per_second / 1000000 | floor'
	wait
}
# The root qdisc of IF in NS as "kind rate-in-bytes/s".
root_qdisc() {
	ip netns exec "$1" tc -j qdisc show dev "$2" |
		jq -r '.[] | select(.root) | "\(.kind) \(.options.rate // "-")"'
}
export -f two_on_a_cable iperf_mbit root_qdisc

@test "rate 10mbit: iperf3 measures 7-11 Mbit/s both ways; rate none takes it off" {
	sandbox <<'EOF'
	two_on_a_cable
	nsnet link set a veth-b rate 10mbit
	# a token bucket on both ends: what each sends
	assert_eq "$(root_qdisc a veth-b)" "tbf 1250000"
	assert_eq "$(root_qdisc b veth-a)" "tbf 1250000"
	up=$(iperf_mbit)
	down=$(iperf_mbit reverse)
	echo "a->b $up Mbit/s, b->a $down Mbit/s" >&2
	[ "$up" -ge 7 ] && [ "$up" -le 11 ] || fail "a->b measured $up Mbit/s"
	[ "$down" -ge 7 ] && [ "$down" -le 11 ] || fail "b->a measured $down Mbit/s"
	# set from the other end: the same link, changed in place
	nsnet link set b veth-a rate 20mbit
	assert_eq "$(root_qdisc a veth-b)" "tbf 2500000"
	nsnet link set b veth-a rate none
	assert_eq "$(root_qdisc a veth-b)" "noqueue -"
	assert_eq "$(root_qdisc b veth-a)" "noqueue -"
	fast=$(iperf_mbit "" 1)
	[ "$fast" -gt 50 ] || fail "without the rate: $fast Mbit/s"
	# none twice is fine
	nsnet link set a veth-b rate none
EOF
}

@test "loss 20% drops 10-30% of 300 pings one way, both ways for the round trip; loss none removes the rules" {
	sandbox <<'EOF'
	two_on_a_cable
	# the observer: echo requests that reach b's IP layer
	ip netns exec b nft add table inet observer
	ip netns exec b nft add chain inet observer in '{ type filter hook input priority 0; }'
	ip netns exec b nft add rule inet observer in icmp type echo-request counter
	nsnet link set a veth-b loss 20%
	set +e
	summary=$(ip netns exec a ping -c 300 -i 0.01 -W 1 -q 10.0.0.2 | grep transmitted)
	set -e
	arrived=$(ip netns exec b nft -j list chain inet observer in |
		jq '.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets')
	received=$(echo "$summary" | sed -E 's/.* ([0-9]+) received.*/\1/')
	echo "one way: $arrived of 300 arrived; round trip: $received of 300 came back" >&2
	lost=$((300 - arrived))
	[ "$lost" -ge 30 ] && [ "$lost" -le 90 ] || fail "one way lost $lost of 300"
	# both directions lose 20 %: 36 % of round trips, within 25-48 %
	rt_lost=$((300 - received))
	[ "$rt_lost" -ge 75 ] && [ "$rt_lost" -le 144 ] || fail "round trips lost $rt_lost of 300"
	# the sender was never told: a lossy wire, not a local error
	assert_not_contains "$summary" "errors"
	# each end drops what arrives, in its own namespace's table
	assert_eq "$(ip netns exec a nft -j list ruleset | jq -r '[.nftables[] | select(.chain) | "\(.chain.table) \(.chain.name)"] | join(",")')" \
		"nsnet_link ingress_veth-b"
	assert_eq "$(ip netns exec b nft -j list ruleset | jq -r '[.nftables[] | select(.chain) | "\(.chain.table) \(.chain.name)"] | join(",")')" \
		"observer in,nsnet_link ingress_veth-a"
	# nothing in the host
	assert_eq "$(nft -j list ruleset | jq '[.nftables[] | select(.table.name == "nsnet_link")] | length')" "0"
	nsnet link set b veth-a loss none
	assert_eq "$(ip netns exec a nft -j list ruleset | jq '[.nftables[] | select(.table)] | length')" "0"
	assert_eq "$(ip netns exec b nft -j list ruleset | jq -r '[.nftables[] | select(.table) | .table.name] | join(",")')" "observer"
	ip netns exec a ping -c 50 -i 0.01 -W 1 -q 10.0.0.2 | grep -q " 0% packet loss"
EOF
}

@test "loss with decimals, rate and loss together, shown by show on both ends of a bridge attachment" {
	sandbox <<'EOF'
	nsnet ns add web
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16
	hostif=$(nsnet show web --json | jq -r '.namespaces[0].links[] | select(.ifname=="eth0") | .peer.ifname')
	nsnet link set web eth0 rate 1.5mbit loss 0.5%
	assert_eq "$(root_qdisc web eth0)" "tbf 187500"
	assert_eq "$(tc -j qdisc show dev "$hostif" | jq -r '.[] | select(.root) | "\(.kind) \(.options.rate)"')" "tbf 187500"
	# 0.5 % is 5000 in a million, on what arrives at each end
	assert_eq "$(ip netns exec web nft -j list chain netdev nsnet_link ingress_eth0 | jq '.nftables[] | select(.rule) | .rule.expr[] | select(.match.left.numgen) | .match.right')" "5000"
	assert_eq "$(nft -j list chain netdev nsnet_link "ingress_$hostif" | jq '.nftables[] | select(.rule) | .rule.expr[] | select(.match.left.numgen) | .match.right')" "5000"
	j=$(nsnet show --json)
	assert_eq "$(echo "$j" | jq -c '.namespaces[] | select(.name=="web") | .links[] | select(.ifname=="eth0") | .impairment')" \
		'{"rate_bps":1500000,"loss_pct":0.5,"delay_us":null,"jitter_us":null}'
	assert_eq "$(echo "$j" | jq -c --arg h "$hostif" '.namespaces[] | select(.name=="host") | .links[] | select(.ifname==$h) | .impairment')" \
		'{"rate_bps":1500000,"loss_pct":0.5,"delay_us":null,"jitter_us":null}'
	assert_eq "$(echo "$j" | jq -c '.namespaces[] | select(.name=="web") | .links[] | select(.ifname=="lo") | .impairment')" "null"
	assert_contains "$(nsnet show web)" "rate 1.5mbit loss 0.5%"
	# the host keeps nsnet's inet table apart: loss never goes there
	assert_eq "$(nft -j list ruleset | jq '[.nftables[] | select(.rule.table == "nsnet")] | map(select(.rule.expr | tostring | contains("numgen"))) | length')" "0"
	nsnet link set "host" "$hostif" rate none loss none
	assert_eq "$(nsnet show web --json | jq -c '.namespaces[0].links[] | select(.ifname=="eth0") | .impairment')" "null"
	assert_not_contains "$(nsnet show web)" "IMPAIRMENT"
	assert_eq "$(nft -j list ruleset | jq '[.nftables[] | select(.table.name == "nsnet_link")] | length')" "0"
EOF
}

@test "delay: netem where the kernel has it, else a clear error that changes nothing" {
	sandbox <<'EOF'
	two_on_a_cable
	nsnet link set a veth-b loss 1%
	before_q=$(ip netns exec a tc -j qdisc show; ip netns exec b tc -j qdisc show)
	before_r=$(ip netns exec a nft -j list ruleset; ip netns exec b nft -j list ruleset)
	ip link add probe0 type veth peer name probe1
	if tc qdisc add dev probe0 root netem delay 1ms 2>/dev/null; then
		nsnet link set a veth-b delay 20ms jitter 5ms
		ip netns exec a tc -j qdisc show dev veth-b | jq -e '.[] | select(.kind=="netem")' >/dev/null
		rtt=$(ip netns exec a ping -c 3 -i 0.2 -q 10.0.0.2 | sed -nE 's|.*= [0-9.]+/([0-9.]+)/.*|\1|p')
		[ "${rtt%.*}" -ge 20 ] || fail "rtt $rtt ms with 20 ms each way"
		nsnet link set a veth-b delay none
	else
		expect_status 1 nsnet link set a veth-b rate 10mbit delay 20ms jitter 5ms mtu 1400
		assert_contains "$out" "delay needs the kernel's netem"
		assert_contains "$out" "sch_netem"
		assert_contains "$out" "rate and loss work without it"
		# the kernel's own answer is kept
		assert_contains "$out" "Specified qdisc kind is unknown"
		# nothing changed: no rate, no mtu, the loss as it was
		assert_eq "$(ip netns exec a tc -j qdisc show; ip netns exec b tc -j qdisc show)" "$before_q"
		assert_eq "$(ip netns exec a nft -j list ruleset; ip netns exec b nft -j list ruleset)" "$before_r"
		assert_eq "$(ip -n a -j link show veth-b | jq '.[0].mtu')" "1500"
		# without a delay, what works still works
		nsnet link set a veth-b delay none rate 10mbit
		assert_eq "$(root_qdisc a veth-b)" "tbf 1250000"
	fi
EOF
}

@test "bad words exit 2 naming the word, and change nothing" {
	sandbox <<'EOF'
	two_on_a_cable
	for args in "rate 10" "rate fast" "rate -1mbit" "rate 500bit" "loss 150%" "loss abc" \
		    "loss" "delay 20" "delay 2min" "jitter 5ms" "speed 1mbit" "rate 1mbit bogus"; do
		expect_status 2 nsnet link set a veth-b $args
		case $args in
		"loss") assert_contains "$out" "loss needs a value" ;;
		"jitter 5ms") assert_contains "$out" "needs a delay" ;;
		"rate 1mbit bogus") assert_contains "$out" "'bogus'" ;;
		"speed 1mbit") assert_contains "$out" "'speed'" ;;
		*) assert_contains "$out" "\"${args#* }\"" ;;
		esac
	done
	assert_eq "$(root_qdisc a veth-b)" "noqueue -"
	assert_eq "$(ip netns exec a nft -j list ruleset | jq '[.nftables[] | select(.table)] | length')" "0"
	expect_status 1 nsnet link set a nosuch rate 1mbit
	assert_contains "$out" "nosuch in a"
EOF
}

@test "a qdisc nsnet did not make is left alone; a re-created link does not inherit the old one's loss" {
	sandbox <<'EOF'
	two_on_a_cable
	ip netns exec b tc qdisc add dev veth-a root handle 1: htb
	expect_status 1 nsnet link set a veth-b rate 1mbit
	assert_contains "$out" "did not put there"
	assert_eq "$(root_qdisc a veth-b)" "noqueue -"
	ip netns exec b tc qdisc del dev veth-a root
	nsnet link set a veth-b loss 100%
	! ip netns exec a ping -c 2 -i 0.2 -W 1 -q 10.0.0.2 >/dev/null
	# the cable goes and comes back with the same names: the kernel keeps
	# the chains and hooks them to the new interfaces, the index in the
	# rule keeps them from matching
	nsnet link del a veth-b
	nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	rx=$(ip netns exec a ping -c 5 -i 0.2 -W 3 -q 10.0.0.2 | sed -nE 's/.* ([0-9]+) received.*/\1/p' || true)
	[ "${rx:-0}" -ge 3 ] || fail "the new cable lost $((5 - ${rx:-0})) of 5 pings"
	assert_eq "$(nsnet show a --json | jq -c '.namespaces[0].links[] | select(.ifname=="veth-b") | .impairment')" "null"
	# the next change of loss clears the stale chains
	nsnet link set a veth-b loss none
	assert_eq "$(ip netns exec a nft -j list ruleset | jq '[.nftables[] | select(.table)] | length')" "0"
	assert_eq "$(ip netns exec b nft -j list ruleset | jq '[.nftables[] | select(.table)] | length')" "0"
EOF
}

@test "a topology file: impairments of an attachment and a cable, applied by up, drift in status, removed by down" {
	sandbox <<'EOF2'
	cat > lab.yaml <<'YAML'
name: lab
networks:
  app:
    bridge: app_br
    subnet: 10.10.0.0/16
nodes:
  web:
    networks:
      app: {address: 10.10.0.10, rate: 10mbit, loss: 1%}
  database:
    networks:
      app: 10.10.0.20
  edge: {}
cables:
  - {a: web, b: edge, a_addr: 192.168.9.1/24, b_addr: 192.168.9.2/24, rate: 5mbit, loss: 0.5%}
YAML
	plan=$(nsnet plan lab.yaml)
	assert_contains "$plan" "nsnet link set web eth0 rate 10000000bit loss 1% delay none"
	assert_contains "$plan" "nsnet link set web veth-edge rate 5000000bit loss 0.5% delay none"
	nsnet up lab.yaml
	hostif=$(nsnet show web --json | jq -r '.namespaces[0].links[] | select(.ifname=="eth0") | .peer.ifname')
	assert_eq "$(root_qdisc web eth0)" "tbf 1250000"
	assert_eq "$(tc -j qdisc show dev "$hostif" | jq -r '.[] | select(.root) | "\(.kind) \(.options.rate)"')" "tbf 1250000"
	assert_eq "$(root_qdisc edge veth-web)" "tbf 625000"
	assert_eq "$(ip netns exec edge nft -j list chain netdev nsnet_link ingress_veth-web | jq '.nftables[] | select(.rule) | .rule.expr[] | select(.match.left.numgen) | .match.right')" "5000"
	# the short form left database alone
	assert_eq "$(root_qdisc database eth0)" "noqueue -"
	nsnet status lab >/dev/null
	# by hand: drift, repaired by up
	nsnet link set web eth0 rate 20mbit
	nsnet link set database eth0 loss 3%
	expect_status 1 nsnet status lab
	assert_contains "$out" "drifted: impairments of web eth0 (rate 10000000bit loss 1%)"
	assert_contains "$out" "drifted: impairments of database eth0 (none)"
	up=$(nsnet up lab.yaml)
	assert_contains "$up" "repair: impairments of web eth0"
	assert_eq "$(root_qdisc web eth0)" "tbf 1250000"
	assert_eq "$(ip netns exec database nft -j list ruleset | jq '[.nftables[] | select(.table)] | length')" "0"
	nsnet status lab >/dev/null
	assert_contains "$(nsnet up lab.yaml)" "lab: up to date, nothing to do"
	# down leaves nothing in the host: the veths and the loss chains kept
	# for their host ends
	nsnet down lab
	assert_eq "$(nft -j list ruleset | jq '[.nftables[] | select(.table.name == "nsnet_link")] | length')" "0"
	assert_eq "$(tc -j qdisc show | jq '[.[] | select(.kind == "tbf")] | length')" "0"
	# mistakes in the file name their line and column, before any change
	sed -i 's/rate: 5mbit/rate: 5mb/' lab.yaml
	expect_status 2 nsnet up lab.yaml
	assert_contains "$out" "lab.yaml:15:"
	assert_contains "$out" 'rate "5mb"'
	assert_eq "$(ip netns list | grep -vc upstream || true)" "0"
EOF2
}
