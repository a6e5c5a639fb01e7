#!/usr/bin/env bats
# The command line as users of ip, ping, tcpdump and docker expect it
# (issue 11): getopt_long options everywhere, help, typos, exit statuses,
# status/down/up -, names as destinations, Ctrl-C, --brief, colour, JSON.
load helpers

@test "options: attached values, long forms, --, options after operands" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet cable a b --addr=10.0.0.1/24 --peer-addr 10.0.0.2/24
	# -c3 -W2 (attached), --count=3 (long, =), options after the operands;
	# three packets: on a loaded machine the first may wait for ARP
	assert_contains "$(nsnet ping -c3 -W2 -i0.2 a 10.0.0.2)" "3 packets transmitted"
	assert_contains "$(nsnet ping a 10.0.0.2 --count=3 --timeout 2 --interval=0.2)" \
		"3 packets transmitted"
	out=$(nsnet ping --count 2 -qW2 -i 0.2 a 10.0.0.2)
	assert_contains "$out" "2 packets transmitted"
	assert_not_contains "$out" "bytes from"
	# check -W1 (said "unknown option" before)
	printf 'name: t\nnodes:\n  a: {}\n' > t.yaml
	expect_status 0 nsnet check -W1 t.yaml
	# -- ends the options: what follows is an operand, even with a dash
	expect_status 2 nsnet ns add -- -x
	assert_contains "$out" "starts with '-'"
	[ ! -e /run/netns/-x ] || fail "a namespace called -x"
	# exec's options come before NS: the command's own options are its own
	assert_eq "$(nsnet exec a -- echo -n hi)" "hi"
	assert_eq "$(nsnet exec a echo -e 'x')" "x"
EOF
}

@test "options: unknown ones are named, with the nearest as a suggestion" {
	sandbox <<'EOF'
	expect_status 2 nsnet ping --cuont 1 a b
	assert_contains "$out" "unknown option '--cuont'; did you mean '--count'?"
	expect_status 2 nsnet ping -Z 3 a b
	assert_contains "$out" "unknown option '-Z'"
	assert_not_contains "$out" "needs a value"
	expect_status 2 nsnet ping a b -c
	assert_contains "$out" "option '-c/--count' needs a value (N)"
	expect_status 2 nsnet ping -c x a b
	assert_contains "$out" "bad value 'x' for -c/--count"
	expect_status 2 nsnet bridge add br0 --internl
	assert_contains "$out" "did you mean '--internal'?"
	# the hint is short: the error, the synopsis, where the help is
	[ "$(wc -l <<<"$out")" -le 3 ] || fail "a long usage text: $out"
EOF
}

@test "help: -h and --help on every command and subcommand, before or after operands, say the usage on stdout and touch nothing" {
	sandbox <<'EOF'
	# what any command could touch: links, namespaces, nft tables, files
	touched() {
		world
		nft -j list ruleset | jq -c '[.nftables[] | select(.table)]'
		find /run/nsnet /etc/netns -mindepth 1 -not -path '/run/nsnet/scratch*' | sort
		ls -A
	}
	# $1 the words before the option, $2 the command's name in the usage
	help_is() {
		local words=$1 name=$2 opt out err st
		for opt in -h --help; do
			st=0
			out=$(nsnet $words $opt 2> err.txt) || st=$?
			err=$(cat err.txt)
			[ "$st" = 0 ] || fail "nsnet $words $opt exited $st: $err"
			assert_eq "$err" "" "nsnet $words $opt wrote to stderr"
			assert_contains "$out" "usage: nsnet $name"
		done
	}
	: > err.txt
	before=$(touched)
	cmds=$(nsnet help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}')
	[ "$(wc -w <<<"$cmds")" -ge 30 ] || fail "few commands listed: $cmds"
	n=0
	for c in $cmds; do
		help_is "$c" "$c"
		subs=$(nsnet "$c" --help | awk '/^Commands:/ {on=1; next} on && /^  nsnet/ {print $3}')
		for s in $subs; do
			help_is "$c $s" "$c $s"
			# after operands too (x0 x1: names that must not come to be),
			# but where the words after the first operand are another
			# program's (exec, sandbox) or values (link set)
			case "$c $s" in "link set") ;; *) help_is "$c $s x0 x1" "$c $s" ;; esac
			n=$((n + 1))
		done
		if [ -z "$subs" ]; then
			case $c in exec|sandbox) ;; *) help_is "$c x0 x1" "$c" ;; esac
			n=$((n + 1))
		fi
	done
	[ "$n" -ge 35 ] || fail "only $n commands and subcommands"
	assert_eq "$(touched)" "$before"
	# ns add --help made a namespace called --help once
	assert_eq "$(ls /run/netns | grep -v upstream || true)" ""
	assert_eq "$(ip -o link show type bridge)" ""
EOF
}

@test "help: help CMD has the options and examples; typos get a suggestion, not the list" {
	sandbox <<'EOF'
	out=$(nsnet help ping)
	assert_contains "$out" "-W, --timeout SECONDS"
	assert_contains "$out" "Examples:"
	assert_eq "$(nsnet ping --help)" "$out"
	assert_contains "$(nsnet help check)" "-W, --timeout SECONDS"
	assert_contains "$(nsnet help up)" "--dry-run"
	assert_contains "$(nsnet help nat add)" "--out IF"
	assert_contains "$(nsnet help bridge add)" "--internal"
	assert_contains "$(nsnet help publish)" "--list"
	assert_contains "$(nsnet help)" "version"
	assert_eq "$(nsnet version)" "$(nsnet --version)"
	expect_status 2 nsnet stauts
	assert_contains "$out" "unknown command 'stauts'; did you mean 'status'?"
	[ "$(wc -l <<<"$out")" -le 2 ] || fail "the whole help on a typo: $out"
	expect_status 2 nsnet ns ad x
	assert_contains "$out" "unknown subcommand 'ad'; did you mean 'add'?"
	expect_status 2 nsnet help pnig
	assert_contains "$out" "did you mean 'ping'?"
EOF
}

@test "status lists the topologies that are up; down of one that is not is done" {
	sandbox <<'EOF'
	assert_eq "$(nsnet status)" "no topology is up"
	assert_eq "$(nsnet status --json)" "[]"
	printf 'name: one\nnetworks:\n  n: {bridge: one_br, subnet: 10.31.0.0/24}\nnodes:\n  a:\n    networks: {n: }\n' > one.yaml
	printf 'name: two\nnodes:\n  b: {}\n  c: {}\n' > two.yaml
	nsnet up one.yaml >/dev/null
	nsnet up two.yaml >/dev/null
	out=$(nsnet status)
	assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "NAME NODES STATE FILE"
	assert_eq "$(sed -n 2p <<<"$out" | tr -s ' ')" "one 1 up $PWD/one.yaml"
	assert_eq "$(sed -n 3p <<<"$out" | tr -s ' ')" "two 2 up $PWD/two.yaml"
	ip netns del c
	assert_eq "$(nsnet status --json | jq -c '[.[] | [.name, .nodes, .state]]')" \
		'[["one",1,"up"],["two",2,"drifted"]]'
	# one shape: nodes the list, node_count the count
	assert_eq "$(nsnet status two --json | jq -c '[.node_count, [.nodes[].name]]')" '[2,["b","c"]]'
	nsnet down two >/dev/null
	expect_status 0 nsnet down two
	assert_contains "$out" "there is no topology two"
	assert_contains "$out" "nothing to do"
	# a file that is not there is bad usage
	expect_status 2 nsnet up nosuch.yaml
	assert_contains "$out" "nosuch.yaml: no such file"
	expect_status 2 nsnet status nosuch.yaml
	expect_status 2 nsnet plan nosuch.yaml
EOF
}

@test "up - reads the topology from standard input; status finds it afterwards" {
	sandbox <<'EOF'
	printf 'name: piped\nnodes:\n  p1: {}\n' | nsnet up - >/dev/null
	[ -e /run/netns/p1 ] || fail "no p1"
	assert_contains "$(nsnet status piped)" "matches the file"
	assert_eq "$(nsnet status --json | jq -r '.[0].state')" "up"
	printf 'name: piped\nnodes:\n  p1: {}\n' | nsnet plan - >/dev/null
	printf 'name: x\nnodes:\n  a:\n    colour: red\n' > bad.yaml
	expect_status 2 nsnet up - < bad.yaml
	assert_contains "$out" '<stdin>:4:5: unknown key "colour"'
	nsnet down piped >/dev/null
EOF
}

@test "--json for up, plan, ping and traceroute" {
	sandbox <<'EOF'
	printf 'name: j\nnetworks:\n  n: {bridge: j_br, subnet: 10.32.0.0/24}\nnodes:\n  a:\n    networks: {n: 10.32.0.10}\n  b:\n    networks: {n: 10.32.0.20}\n' > j.yaml
	assert_eq "$(nsnet plan --json j.yaml | jq -r '.actions[0].kind')" "bridge"
	[ "$(nsnet plan --json j.yaml | jq '.actions | length')" -gt 5 ]
	out=$(nsnet up --json j.yaml)
	assert_eq "$(jq -c '[.name, .changed, .ok, .nodes]' <<<"$out")" '["j",true,true,2]'
	assert_eq "$(nsnet up --json j.yaml | jq -c '[.changed, .actions]')" '[false,[]]'
	# the shape, whatever a loaded machine lets through in time
	out=$(nsnet ping --json -c2 -i0.2 -W3 a b) || true
	assert_eq "$(jq -c '[.ns, .dest, .sent]' <<<"$out")" '["a","b",2]'
	jq -e '(.received > 0 and .rtt_ms.avg > 0) or (.received == 0 and .rtt_ms == null)' \
		<<<"$out" >/dev/null
	out=$(nsnet traceroute --json -q1 -W3 a b) || true
	assert_eq "$(jq -c '[.max_hops, .hops[0].hop]' <<<"$out")" '[30,1]'
	jq -e '.reached == false or .hops[0].probes[0].address == "10.32.0.20"' <<<"$out" >/dev/null
	nsnet down j >/dev/null
EOF
}

@test "ping, traceroute and trace take namespace names as doctor does" {
	sandbox <<'EOF'
	nsnet ns add web database
	nsnet bridge add app_br --addr 10.10.0.1/16
	nsnet attach web app_br --addr 10.10.0.10/16 >/dev/null
	nsnet attach database app_br --addr 10.10.0.20/16 >/dev/null
	# the name resolved (exit 2 otherwise), whatever a loaded machine
	# lets through in time
	out=$(nsnet ping web database -c3 -i0.2 -W2) || true
	assert_contains "$out" "PING database (10.10.0.20)"
	out=$(nsnet traceroute -n web database -q1 -W2) || true
	assert_contains "$out" "traceroute to database"
	set +e; nsnet trace web database -W3 >/dev/null 2>&1; rc=$?; set -e
	[ $rc -ne 2 ] || fail "trace web database: bad usage"
	expect_status 2 nsnet ping web nosuchname -c1
	assert_contains "$out" '"nosuchname" is neither an address, nor a namespace, nor a name'
	# capture and traceroute take tcpdump's and traceroute's -n
	expect_status 0 nsnet capture web any -n -t 0.2 icmp
EOF
}

@test "ping: -c 0 pings until interrupted, Ctrl-C prints the statistics" {
	sandbox <<'EOF'
	nsnet ns add a b
	nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	"$NSNET" ping -c 0 -i 0.1 a b > ping.out 2>&1 &
	pid=$!
	sleep 1.5
	kill -INT $pid
	wait $pid || true
	# more than the default 3, and the statistics of what was sent
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' ping.out)
	[ "${sent:-0}" -ge 5 ] || fail "only ${sent:-no} packets in 1.5 s at 0.1 s: $(cat ping.out)"
	n=$(grep -c 'bytes from 10.0.0.2' ping.out || true)
	assert_contains "$(cat ping.out)" "--- b ping statistics ---"
	assert_contains "$(cat ping.out)" "$sent packets transmitted, $n received"
EOF
}

@test "show --brief (one line per interface) and show NS..." {
	sandbox <<'EOF'
	nsnet ns add a b c
	nsnet cable a b --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	out=$(nsnet show --brief a b)
	assert_eq "$(wc -l <<<"$out")" "4"
	assert_eq "$(grep veth-b <<<"$out" | tr -s ' ')" "a veth-b UP 10.0.0.1/24"
	assert_eq "$(nsnet show a c --json | jq -r '[.namespaces[].name] | join(" ")')" "a c"
	assert_not_contains "$(nsnet show a b)" "firewall"
	assert_eq "$(nsnet show -b | awk '{print $1}' | sort -u | tr '\n' ' ')" "a b c host upstream "
EOF
}

@test "colour on a terminal only, never with NO_COLOR; a verdict said once there" {
	sandbox <<'EOF'
	nsnet ns add a
	# no address at all: doctor fails at its first check
	esc=$(printf '\033[')
	out=$(script -qec "$NSNET doctor a 10.9.9.9" /dev/null) || true
	assert_contains "$out" "${esc}1;31mFAIL"
	# on a terminal the cause is not said a second time on stderr
	assert_eq "$(grep -c 'nsnet:' <<<"$out")" "0"
	out=$(NO_COLOR=1 script -qec "$NSNET doctor a 10.9.9.9" /dev/null) || true
	assert_not_contains "$out" "$esc"
	expect_status 1 nsnet doctor a 10.9.9.9
	assert_not_contains "$out" "$esc"
	assert_contains "$out" "nsnet: "
EOF
}

@test "plurals: 1 network, 1 node" {
	sandbox <<'EOF'
	printf 'name: p\nnetworks:\n  n: {bridge: p_br, subnet: 10.33.0.0/24}\nnodes:\n  a:\n    networks: {n: }\n' > p.yaml
	assert_contains "$(nsnet up p.yaml)" "p: 1 node, 1 network, 0 cables up"
	nsnet down p >/dev/null
EOF
}

@test "attach: --host-ifname names the bridge's end; detach finds it" {
	sandbox <<'EOF'
	nsnet ns add red
	nsnet bridge add br0 --addr 10.40.0.1/24
	nsnet attach red br0 --ifname eth0 --host-ifname veth-red-br --addr 10.40.0.11/24
	assert_eq "$(ip -j link show veth-red-br | jq -r '.[0].master')" "br0"
	nsnet detach red br0
	expect_status 1 ip link show veth-red-br
EOF
}

@test "attach: without --addr a free address of the bridge's subnet, distinct when concurrent" {
	sandbox <<'EOF'
	# /28: 14 addresses, the bridge's, m's and 12 for 12 namespaces, so that
	# two attaches that do not see each other would collide
	nsnet bridge add br0 --addr 10.41.0.1/28
	# an address without a prefix takes the bridge's, and says so
	nsnet ns add m
	out=$(nsnet attach m br0 --addr 10.41.0.14)
	assert_contains "$out" "10.41.0.14/28"
	assert_eq "$(ip -n m -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .prefixlen')" "28"
	for i in $(seq 1 12); do nsnet ns add n$i; done
	for i in $(seq 1 12); do nsnet attach n$i br0 > att$i.out & done
	wait
	for i in $(seq 1 12); do
		ip -n n$i -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"'
	done > addrs
	assert_eq "$(wc -l < addrs)" "12"
	echo 10.41.0.14/28 >> addrs
	assert_eq "$(sort -u addrs | wc -l)" "13"
	assert_eq "$(grep -c '^10\.41\.0\.[0-9]*/28$' addrs)" "13"
	grep -q '^10.41.0.1/' addrs && fail "the bridge's own address given out"
	assert_contains "$(cat att1.out)" "n1: 10.41.0."
	assert_contains "$(cat att1.out)" "a free address of br0's subnet"
	can_ping n1 "$(sed -n 2p addrs | cut -d/ -f1)"
	# the subnet is full now
	nsnet ns add full
	expect_status 1 nsnet attach full br0
	assert_contains "$out" "no free IPv4 address left"
EOF
}

@test "setup: runs once at creation, is not drift; run: keeps running; logs tag and follow" {
	sandbox <<'EOF'
	cat > s.yaml <<'Y'
name: s
nodes:
  a:
    setup: ["echo ran >> /run/nsnet/scratch/setup.count; echo configured"]
    run: ["echo serving; sleep 60"]
Y
	nsnet up s.yaml >/dev/null
	out=$(nsnet up s.yaml)
	assert_contains "$out" "up to date, nothing to do"
	assert_eq "$(wc -l < setup.count)" "1"
	expect_status 0 nsnet status s
	assert_eq "$(nsnet status s --json | jq -c '.nodes[0].setup[0].done')" "true"
	for i in $(seq 50); do nsnet logs a | grep -q serving && break; sleep 0.1; done
	assert_eq "$(nsnet logs a)" "$(printf '[a:setup0] configured\n[a:0] serving')"
	# a failing setup command fails up, naming it
	printf 'name: f\nnodes:\n  b:\n    setup: ["exit 3"]\n' > f.yaml
	expect_status 1 nsnet up f.yaml
	assert_contains "$out" 'setup "exit 3" exited 3'
	# logs -f follows until interrupted
	"$NSNET" logs -f a > follow.out &
	pid=$!
	sleep 0.5
	echo "later" >> /run/nsnet/topo/s/run-a-0.log
	sleep 0.6
	kill -INT $pid
	wait $pid
	assert_contains "$(cat follow.out)" "[a:0] later"
	nsnet down s >/dev/null
EOF
}
