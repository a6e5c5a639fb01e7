#!/usr/bin/env bats
# nsnet capture: packets of one interface (or all) of a namespace.
load helpers

# Two namespaces on a bridge (seed 000 without NAT), and a background ping
# from web that lasts until stop_ping: capture starts at its own pace and
# must not miss the traffic it waits for.
setup_net='
nsnet ns add web database
nsnet bridge add app_br --addr 10.10.0.1/16
nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
nsnet attach database app_br --addr 10.10.0.20/16 --gateway 10.10.0.1
start_ping() { ip netns exec web ping -q -i 0.1 -w 20 "$1" >/dev/null 2>&1 & ping_pid=$!; }
stop_ping() { kill $ping_pid 2>/dev/null || true; }
'
export setup_net

@test "capture: a ping between two namespaces, one line per packet" {
	sandbox <<'EOF'
	eval "$setup_net"
	start_ping 10.10.0.20
	out=$(nsnet capture database eth0 -c 2 -t 10 icmp 2>err)
	stop_ping
	echo "$out" >&2
	line1=$(sed -n 1p <<<"$out"); line2=$(sed -n 2p <<<"$out")
	[[ "$line1" =~ ^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\ eth0\ in\ 10\.10\.0\.10\ \>\ 10\.10\.0\.20:\ ICMP\ echo\ request\ id\ ([0-9]+)\ seq\ ([0-9]+),\ length\ 84$ ]] ||
		fail "unexpected first line: $line1"
	id=${BASH_REMATCH[1]} seq=${BASH_REMATCH[2]}
	assert_contains "$line2" " eth0 out 10.10.0.20 > 10.10.0.10: ICMP echo reply id $id seq $seq, length 84"
	assert_eq "$(cat err)" "2 packets captured"
EOF
}

@test "capture: -c N stops after N packets" {
	sandbox <<'EOF'
	eval "$setup_net"
	start_ping 10.10.0.20
	start=$SECONDS
	out=$(nsnet capture web eth0 -c 3 -t 15 2>/dev/null)
	stop_ping
	assert_eq "$(wc -l <<<"$out")" 3
	[ $((SECONDS - start)) -lt 10 ] || fail "capture -c 3 did not stop by itself"
EOF
}

@test "capture: a filter lets only its packets through (icmp, tcp port 80)" {
	sandbox <<'EOF'
	eval "$setup_net"
	# ARP on the same wire: the neighbour is forgotten first.
	ip -n web neigh flush all
	start_ping 10.10.0.20
	out=$(nsnet capture host any -c 6 -t 10 icmp 2>/dev/null)
	stop_ping
	assert_eq "$(grep -c ' ICMP echo ' <<<"$out")" 6 "$out"
	assert_not_contains "$out" "ARP"

	serve_once database 80 db
	start_ping 10.10.0.20
	nsnet capture host any -c 4 -t 10 tcp port 80 >out 2>/dev/null & cap=$!
	sleep 0.5
	tcp_read web 10.10.0.20 80 >/dev/null
	wait $cap
	stop_ping
	out=$(cat out)
	assert_eq "$(grep -c ': TCP ' <<<"$out")" 4 "$out"
	assert_contains "$out" " 10.10.0.10 > 10.10.0.20: TCP "
	assert_contains "$out" " > 80 [S] seq "
	assert_not_contains "$out" "ICMP"
EOF
}

@test "capture: a bad filter exits 2 with libpcap's message" {
	sandbox <<'EOF'
	eval "$setup_net"
	expect_status 2 nsnet capture web eth0 -t 1 tcp port
	assert_contains "$out" 'filter "tcp port": '
	assert_contains "$out" "syntax error"
	expect_status 2 nsnet capture web eth0 -t 1 host no.such.name.invalid
	assert_contains "$out" 'filter "host no.such.name.invalid"'
EOF
}

@test "capture: -w writes pcap that tcpdump reads" {
	sandbox <<'EOF'
	eval "$setup_net"
	start_ping 10.10.0.20
	nsnet capture web eth0 -w x.pcap -c 4 -t 10 icmp 2>err >out
	stop_ping
	assert_eq "$(cat out)" ""
	assert_eq "$(cat err)" "4 packets captured to x.pcap"
	read_back=$(tcpdump -r x.pcap -n 2>/dev/null)
	assert_eq "$(wc -l <<<"$read_back")" 4
	assert_contains "$read_back" "IP 10.10.0.10 > 10.10.0.20: ICMP echo request"
	assert_contains "$read_back" "IP 10.10.0.20 > 10.10.0.10: ICMP echo reply"
EOF
}

@test "capture: SIGINT ends it, the pcap is complete and the count said" {
	sandbox <<'EOF'
	eval "$setup_net"
	start_ping 10.10.0.20
	# $NSNET itself, not the nsnet function: the signal must reach it.
	"$NSNET" capture web eth0 -w y.pcap icmp 2>err & cap=$!
	sleep 1
	kill -INT $cap
	rc=0; wait $cap || rc=$?
	stop_ping
	assert_eq "$rc" 0
	n=$(sed -n 's/^\([0-9]*\) packets captured to y.pcap$/\1/p' err)
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "no count: $(cat err)"
	assert_eq "$(tcpdump -r y.pcap -n 2>/dev/null | wc -l)" "$n"
EOF
}

@test "capture: unknown namespace or interface is a clear error" {
	sandbox <<'EOF'
	nsnet ns add web
	expect_status 2 nsnet capture nosuch eth0 -t 1
	assert_contains "$out" "namespace nosuch does not exist"
	expect_status 2 nsnet capture web eth7 -t 1
	assert_contains "$out" "there is no interface eth7 in namespace web"
	expect_status 2 nsnet capture web
	expect_status 2 nsnet capture web lo -c 0
	expect_status 2 nsnet capture web lo -t -1
EOF
}

@test "capture: -t 1 with no traffic ends by itself" {
	sandbox <<'EOF'
	nsnet ns add quiet
	start=$SECONDS
	out=$(nsnet capture quiet any -t 1 2>&1)
	assert_eq "$out" "0 packets captured"
	[ $((SECONDS - start)) -le 3 ] || fail "capture -t 1 took $((SECONDS - start)) s"
EOF
}
