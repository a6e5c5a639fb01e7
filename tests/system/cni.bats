#!/usr/bin/env bats
# nsnet-cni, nsnet as a CNI plugin: driven directly with CNI_* variables,
# with cnitool/cnigc (libcni 1.2.3), with Debian's reference plugins in
# chains, and with Podman and ctr (../shared/cni-clients). Every test looks
# with its own eyes (ip -j, nft -j, ping, TCP) and checks that nothing is
# left once the attachments are gone.
load helpers
load cni

@test "VERSION: every version answered, in the version asked, without netlink or libnftables" {
	sandbox <<'EOF'
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		out=$(echo "{\"cniVersion\":\"$v\"}" | CNI_COMMAND=VERSION CNI_NETNS=dummy "$NSNET_CNI")
		assert_eq "$(jq -r .cniVersion <<<"$out")" "$v"
		assert_eq "$(jq -c .supportedVersions <<<"$out")" '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
	done
	# Podman's way: stdin {"cniVersion":"1.0.0"}, CNI_NETNS=dummy
	# (LeakSanitizer cannot run under ptrace)
	trace=$(echo '{"cniVersion":"1.0.0"}' | ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 CNI_COMMAND=VERSION CNI_NETNS=dummy \
		strace -f -e trace=socket,openat "$NSNET_CNI" 2>&1 >/dev/null)
	assert_not_contains "$trace" "PF_NETLINK"
	assert_not_contains "$trace" "libnftables"
	assert_not_contains "$trace" "/run/nsnet"
EOF
}

@test "errors: the spec's JSON on stdout with its codes, naming the key or variable" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1
	code() { jq -r .code <<<"$out"; }
	msg() { jq -r .msg <<<"$out"; }
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 'not json'
	assert_eq "$(code)" 6
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c '.cniVersion="0.2.0"' <<<"$MIN")"
	assert_eq "$(code)" 1; assert_contains "$(msg)" "cniVersion"
	assert_eq "$(jq -r .cniVersion <<<"$out")" "0.2.0"
	expect_status 1 cni_quiet ADD "" /run/netns/c1 eth0 "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_CONTAINERID"
	expect_status 1 cni_quiet ADD c1 "" eth0 "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_NETNS"
	expect_status 1 cni_quiet ADD c1 /run/netns/nope eth0 "$MIN"
	assert_eq "$(code)" 3; assert_contains "$(msg)" "CNI_NETNS: network namespace /run/netns/nope"
	expect_status 1 cni_quiet ADD c1 /etc/hostname eth0 "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_NETNS: /etc/hostname is not a network namespace"
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 "" "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_IFNAME is not set"
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 "a/b" "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_IFNAME"
	expect_status 1 cni_quiet ADD "c/1" /run/netns/c1 eth0 "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_CONTAINERID"
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$MIN" "IgnoreUnknown"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_ARGS"
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$MIN" "MAC=zz"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_ARGS MAC"
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c 'del(.subnet, .ipMasq) | .ipam={"type":"no-such-ipam"}' <<<"$MIN")"
	assert_eq "$(code)" 103; assert_contains "$(msg)" '"ipam"."type" no-such-ipam: no such plugin in CNI_PATH'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c '.name="a b"' <<<"$MIN")"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"name"'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c '.bridge="eth0/1"' <<<"$MIN")"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"bridge"'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c 'del(.subnet)' <<<"$MIN")"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"subnet" or "ranges"'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" '{"portMappings":[{"hostPort":80,"containerPort":80,"hostIP":"x"}]}')"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"hostIP"'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" '{"ips":["10.99.0.5"]}')"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"ips" or CNI_ARGS IP'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c '.ipMasq="yes"' <<<"$MIN")"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"ipMasq"'
	expect_status 1 cni_quiet CHECK c1 /run/netns/c1 eth0 "$(jq -c '.cniVersion="0.3.1"' <<<"$MIN")"
	assert_eq "$(code)" 1; assert_contains "$(msg)" "cniVersion 0.4.0"
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c '.subnet="10.98.0.0/33"' <<<"$MIN")"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"subnet"'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(jq -c '.mtu="big"' <<<"$MIN")"
	assert_eq "$(code)" 7; assert_contains "$(msg)" '"mtu"'
	expect_status 1 cni_quiet ADD c1 /run/netns/c1 eth0 "$(with_rt "$MIN" '{"portMappings":[{"hostPort":80,"containerPort":80,"protocol":"sctp"}]}')"
	assert_eq "$(code)" 2; assert_contains "$(msg)" '"protocol"'
	expect_status 1 cni_quiet FROB c1 /run/netns/c1 eth0 "$MIN"
	assert_eq "$(code)" 4; assert_contains "$(msg)" "CNI_COMMAND"
	expect_status 1 cni_quiet GC "" "" "" "$MIN"
	assert_eq "$(code)" 1; assert_contains "$(msg)" "1.1.0"
	# only JSON on stdout, even for errors
	jq -e . <<<"$out" >/dev/null
	cni_nothing_left
EOF
}

@test "an unsupported cniVersion (0.1.0, 0.2.0, 9.9.9) gets code 1 from every command, in its own version, listing the supported ones" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1
	for v in 0.1.0 0.2.0 9.9.9; do
		conf=$(jq -c --arg v "$v" '.cniVersion=$v' <<<"$MIN")
		for cmd in ADD DEL CHECK GC STATUS; do
			expect_status 1 cni_quiet $cmd c1 /run/netns/c1 eth0 "$conf"
			assert_eq "$(jq -r .code <<<"$out")" 1 "$cmd in $v"
			assert_eq "$(jq -r .cniVersion <<<"$out")" "$v"
			assert_eq "$(jq -r .msg <<<"$out")" "\"cniVersion\": $v is not supported (nsnet-cni speaks 0.3.0, 0.3.1, 0.4.0, 1.0.0 and 1.1.0)"
		done
		# VERSION is how a runtime finds out: it answers all the same
		assert_eq "$(cni VERSION "" "" "" "$conf" | jq -c .supportedVersions)" '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
	done
	assert_eq "$(ip -n c1 -j link show | jq length)" 1
	cni_nothing_left
EOF
}

@test "-Dcni_static=true: meson setup names the static archive it lacks (no libmnl.a on Debian), and goes on once one is found" {
	command -v meson >/dev/null && command -v pkg-config >/dev/null || skip "meson and pkg-config are needed"
	d=$BATS_TEST_TMPDIR
	if [ -e "$(pkg-config --variable=libdir libmnl)/libmnl.a" ]; then
		echo "# this machine has a libmnl.a: only the second half runs" >&3
	else
		run meson setup "$d/b1" "$NSNET_ROOT" -Dcni_static=true
		[ "$status" -ne 0 ] || fail "meson setup -Dcni_static=true passed without libmnl.a"
		assert_contains "$output" "-Dcni_static=true: no static archive for libmnl.a"
	fi
	# a libmnl.a (a stub: only meson setup runs) where pkg-config says
	mkdir -p "$d/mnl"
	echo 'int nsnet_stub(void) { return 0; }' > "$d/mnl/stub.c"
	cc -c -o "$d/mnl/stub.o" "$d/mnl/stub.c"
	ar rcs "$d/mnl/libmnl.a" "$d/mnl/stub.o"
	printf '%s\n' "libdir=$d/mnl" 'Name: libmnl' 'Description: stub' 'Version: 1.0.4' \
		'Libs: -L${libdir} -lmnl' 'Cflags:' > "$d/mnl/libmnl.pc"
	PKG_CONFIG_PATH=$d/mnl run meson setup "$d/b2" "$NSNET_ROOT" -Dcni_static=true
	[ "$status" -eq 0 ] || fail "meson setup with a libmnl.a: $output"
}

@test "ADD, CHECK, DEL in every version: result shape, addresses, routes, a way out, nothing left" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		ip netns add c1
		conf=$(jq -c --arg v "$v" '.cniVersion=$v | .mtu=1400' <<<"$MIN")
		out=$(cni ADD c1 /run/netns/c1 eth0 "$conf")
		assert_eq "$(jq -r .cniVersion <<<"$out")" "$v"
		assert_eq "$(jq -r '.ips[0].address' <<<"$out")" "10.98.0.2/24"
		assert_eq "$(jq -r '.ips[0].gateway' <<<"$out")" "10.98.0.1"
		assert_eq "$(jq -r '.interfaces[.ips[0].interface].name' <<<"$out")" "eth0"
		assert_eq "$(jq -r '.interfaces[.ips[0].interface].sandbox' <<<"$out")" "/run/netns/c1"
		assert_eq "$(jq -c '.routes' <<<"$out")" '[{"dst":"0.0.0.0/0","gw":"10.98.0.1"}]'
		case $v in
		0.*) assert_eq "$(jq -r '.ips[0].version' <<<"$out")" "4" ;;
		*) assert_eq "$(jq -r '.ips[0] | has("version")' <<<"$out")" "false" ;;
		esac
		case $v in
		1.1.0) assert_eq "$(jq -r '.interfaces[2].mtu' <<<"$out")" "1400" ;;
		*) assert_eq "$(jq -r '[.interfaces[] | has("mtu")] | any' <<<"$out")" "false" ;;
		esac
		# what the kernel says
		assert_eq "$(ip -n c1 -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "10.98.0.2"
		assert_eq "$(ip -n c1 -j link show eth0 | jq -r '.[0].mtu')" "1400"
		assert_eq "$(ip -n c1 -j route show default | jq -r '.[0].gateway')" "10.98.0.1"
		assert_eq "$(ip -j link show nsc0 | jq -r '.[0].ifalias')" "nsnet:cni:net1"
		ping_ok c1 10.98.0.1
		ping_ok c1 203.0.113.1          # ipMasq: upstream routes no 10.x
		[ "$v" = 0.3.0 ] || [ "$v" = 0.3.1 ] || cni CHECK c1 /run/netns/c1 eth0 "$conf"
		cni DEL c1 /run/netns/c1 eth0 "$conf"
		ip netns del c1
		cni_nothing_left
	done
EOF
}

@test "IPv4 and IPv6 ranges, routes, DNS passed through, mac, ips, ipRanges, CNI_ARGS IP" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add c1; ip netns add c2; ip netns add c3
	conf='{"cniVersion":"1.0.0","name":"dual","type":"nsnet-cni","bridge":"nsd0",
	  "ranges":[[{"subnet":"10.97.0.0/24","rangeStart":"10.97.0.10","rangeEnd":"10.97.0.20"}],[{"subnet":"fd97::/64"}]],
	  "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"},{"dst":"192.0.2.0/24","gw":"10.97.0.1"}],
	  "dns":{"nameservers":["10.97.0.1"],"search":["example.test"]}}'
	conf=$(jq -c . <<<"$conf")
	out=$(cni ADD c1 /run/netns/c1 eth0 "$conf")
	assert_eq "$(jq -r '[.ips[].address] | join(" ")' <<<"$out")" "10.97.0.10/24 fd97::2/64"
	assert_eq "$(jq -c .dns <<<"$out")" '{"nameservers":["10.97.0.1"],"search":["example.test"]}'
	assert_eq "$(ip -n c1 -j route show 192.0.2.0/24 | jq -r '.[0].gateway')" "10.97.0.1"
	assert_eq "$(ip -n c1 -6 -j route show default | jq -r '.[0].gateway')" "fd97::1"
	assert_eq "$(ip -n c1 -6 -j addr show eth0 scope global | jq -r '.[0].addr_info[0].local')" "fd97::2"
	# runtime config: mac, ips
	out=$(cni ADD c2 /run/netns/c2 eth0 "$(with_rt "$conf" '{"mac":"02:00:00:00:00:42","ips":["10.97.0.15","fd97::15"]}')")
	assert_eq "$(ip -n c2 -j link show eth0 | jq -r '.[0].address')" "02:00:00:00:00:42"
	assert_eq "$(jq -r '[.ips[].address] | join(" ")' <<<"$out")" "10.97.0.15/24 fd97::15/64"
	# CNI_ARGS IP=, and ipRanges replacing the configured ranges
	out=$(cni ADD c3 /run/netns/c3 eth0 "$conf" "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.97.0.18")
	assert_eq "$(jq -r '.ips[0].address' <<<"$out")" "10.97.0.18/24"
	ping_ok c1 10.97.0.15
	ping_ok c1 fd97::15
	ping_ok c2 fd97::1
	# the same address twice is refused, and says why
	ip netns add c4
	expect_status 1 cni_quiet ADD c4 /run/netns/c4 eth0 "$(with_rt "$conf" '{"ips":["10.97.0.15"]}')"
	assert_eq "$(jq -r .code <<<"$out")" 101
	out=$(cni ADD c4 /run/netns/c4 eth0 "$(with_rt "$conf" '{"ipRanges":[[{"subnet":"10.97.0.0/24","rangeStart":"10.97.0.30","rangeEnd":"10.97.0.30"}]]}')")
	assert_eq "$(jq -r '[.ips[].address] | join(" ")' <<<"$out")" "10.97.0.30/24"
	for c in c1 c2 c3 c4; do cni DEL $c /run/netns/$c eth0 "$conf"; done
	cni_nothing_left
EOF
}

@test "IPAM: a full range says so (code 101), and addresses come back after DEL" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	conf='{"cniVersion":"1.0.0","name":"tiny","type":"nsnet-cni","bridge":"nst0","subnet":"10.96.0.0/30"}'
	ip netns add a; ip netns add b
	assert_eq "$(cni ADD a /run/netns/a eth0 "$conf" | jq -r '.ips[0].address')" "10.96.0.2/30"
	expect_status 1 cni_quiet ADD b /run/netns/b eth0 "$conf"
	assert_eq "$(jq -r .code <<<"$out")" 101
	assert_contains "$(jq -r .msg <<<"$out")" "no free address"
	# the failed ADD left nothing of b behind
	assert_eq "$(ip -n b -j link show | jq length)" 1
	cni DEL a /run/netns/a eth0 "$conf"
	assert_eq "$(cni ADD b /run/netns/b eth0 "$conf" | jq -r '.ips[0].address')" "10.96.0.2/30"
	cni DEL b /run/netns/b eth0 "$conf"
	cni_nothing_left
EOF
}

@test "isolation: two nsnet-cni networks cannot talk unless one allows the other's bridge" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	red='{"cniVersion":"1.0.0","name":"red","type":"nsnet-cni","bridge":"nsred","subnet":"10.91.0.0/24","ipMasq":true}'
	blue='{"cniVersion":"1.0.0","name":"blue","type":"nsnet-cni","bridge":"nsblue","subnet":"10.92.0.0/24","ipMasq":true}'
	ip netns add r; ip netns add b
	cni ADD r /run/netns/r eth0 "$red" >/dev/null
	cni ADD b /run/netns/b eth0 "$blue" >/dev/null
	cannot_ping r 10.92.0.2
	ping_ok r 203.0.113.1
	cni DEL b /run/netns/b eth0 "$blue"
	cni ADD b /run/netns/b eth0 "$(jq -c '.allow=["nsred"]' <<<"$blue")" >/dev/null
	ping_ok r 10.92.0.2
	ping_ok b 10.91.0.2
	cni DEL r /run/netns/r eth0 "$red"
	cni DEL b /run/netns/b eth0 "$blue"
	cni_nothing_left
EOF
}

@test "portMappings: from outside, from the host's 127.0.0.1, hairpin; hairpinMode on the port" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add web; ip netns add client
	conf=$(jq -c '.hairpinMode=true' <<<"$MIN")
	rt='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}'
	out=$(cni ADD web /run/netns/web eth0 "$(with_rt "$conf" "$rt")")
	cni ADD client /run/netns/client eth0 "$conf" >/dev/null
	serve_once web 80 web
	assert_contains "$(read_from upstream 198.51.100.2 8080)" "web"
	assert_contains "$(read_from host 127.0.0.1 8080)" "web"
	assert_contains "$(read_from host 198.51.100.2 8080)" "web"
	assert_contains "$(read_from client 198.51.100.2 8080)" "web"     # neighbour hairpin
	assert_contains "$(read_from web 198.51.100.2 8080)" "web"        # to itself: hairpinMode
	hif=$(jq -r '.interfaces[1].name' <<<"$out")
	# nsnet show lists the attachments from the records
	assert_eq "$(nsnet show host --json | jq -c '[.cni[] | select(.container_id=="web") | .ports, .addresses, .host_ifname]')" \
		"[[\"8080:80/tcp\"],[\"10.98.0.2/24\"],\"$hif\"]"
	assert_contains "$(nsnet show)" "CNI attachments"
	assert_eq "$(bridge -d -j link show dev "$hif" | jq -r '.[0].hairpin')" "true"
	assert_eq "$(nft -j list map inet nsnet pub4any | jq -r '.nftables[1].map.elem[0][0].elem.comment')" "cni:net1:web:eth0"
	# CHECK sees a mapping that went away
	nft delete element inet nsnet pub4any '{ tcp . 8080 }'
	expect_status 1 cni_quiet CHECK web /run/netns/web eth0 "$(with_rt "$conf" "$rt")"
	assert_eq "$(jq -r .code <<<"$out")" 102
	assert_contains "$(jq -r .msg <<<"$out")" "8080"
	cni DEL web /run/netns/web eth0 "$conf"
	cni DEL client /run/netns/client eth0 "$conf"
	cni_nothing_left
EOF
}

@test "portMappings on both families: IPv6 from the upstream and the host, IPv4 too, one owner" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	conf='{"cniVersion":"1.0.0","name":"six","type":"nsnet-cni","bridge":"nss0","ipMasq":true,
	  "ranges":[[{"subnet":"10.89.0.0/24"}],[{"subnet":"fd89::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}'
	conf=$(jq -c . <<<"$conf")
	ip netns add web
	rt='{"portMappings":[{"hostPort":8086,"containerPort":80,"protocol":"tcp","hostIP":""},{"hostPort":8087,"containerPort":81,"hostIP":"::"}]}'
	cni ADD web /run/netns/web eth0 "$(with_rt "$conf" "$rt")" >/dev/null
	ip netns exec web timeout 20 python3 -c '
import socket,select
ls=[]
for p in (80, 81):
    s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", p)); s.listen(8); ls.append(s)
while True:
    r,_,_=select.select(ls,[],[])
    for s in r:
        c,a=s.accept(); c.sendall(("web%d %s\n" % (s.getsockname()[1], a[0])).encode()); c.close()
' &
	wait_listen web 80; wait_listen web 81
	up6=$(ip -6 -j addr show dev eth0 scope global | jq -r '.[0].addr_info[0].local')
	get() { read_from upstream "$1" "$2"; }
	assert_contains "$(get "$up6" 8086)" "web80"
	assert_contains "$(get 198.51.100.2 8086)" "web80"
	assert_contains "$(get "$up6" 8087)" "web81"
	expect_status 1 get 198.51.100.2 8087       # [::] is IPv6 only
	assert_contains "$(read_from host "$up6" 8086)" "web80"
	assert_eq "$(nsnet show host --json | jq -c '[.cni[] | .ports]')" '[["8086:80/tcp","[::]:8087:81/tcp"]]'
	cni CHECK web /run/netns/web eth0 "$conf"
	cni DEL web /run/netns/web eth0 "$conf"
	cni_nothing_left
EOF
}

@test "64 parallel ADDs give 64 distinct working addresses, while the previous 64 are DELeted in parallel; three rounds" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	conf=$(jq -c '.subnet="10.90.0.0/22"' <<<"$MIN")
	for i in $(seq 64); do
		ip netns add p$i
		for r in 1 2 3; do
			with_rt "$conf" "{\"portMappings\":[{\"hostPort\":$((9000 + 100 * r + i)),\"containerPort\":80}]}" > c$r-$i.json
		done
	done
	for round in 1 2 3; do
		# round r's ADDs (eth<r>) and round r-1's DELs, all at once
		for i in $(seq 64); do
			cni ADD p$i /run/netns/p$i eth$round "$(cat c$round-$i.json)" > r$i.json &
			[ "$round" = 1 ] || cni DEL p$i /run/netns/p$i eth$((round - 1)) "$conf" &
		done
		wait
		given=$(for i in $(seq 64); do jq -r '.ips[0].address' r$i.json; done | sort)
		assert_eq "$(sort -u <<<"$given" | wc -l)" 64 "distinct addresses in round $round"
		seen=$(for i in $(seq 64); do ip -n p$i -o -4 addr show | awk '$2 != "lo" {print $4}'; done | sort)
		assert_eq "$seen" "$given" "the kernel's addresses in round $round"
		assert_eq "$(ls /run/nsnet/cni/net1/ips | grep -vc last-)" 64
		assert_eq "$(nft -j list map inet nsnet pub4any | jq -r '[.nftables[1].map.elem[][1].concat[0]] | sort | join(" ")')" \
			"$(sed 's|/22||' <<<"$given" | sort | tr '\n' ' ' | sed 's/ $//')" "published to exactly the current containers"
		for i in 1 32 64; do ping_ok p$i 10.90.0.1; done
	done
	for i in $(seq 64); do cni DEL p$i /run/netns/p$i eth3 "$conf" & done
	wait
	cni_nothing_left
EOF
}

@test "GC: cni.dev/valid-attachments keeps what it names; without a list, what lost its namespace goes" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	conf=$(jq -c '.cniVersion="1.1.0"' <<<"$MIN")
	rt='{"portMappings":[{"hostPort":8083,"containerPort":80}]}'
	for c in a b c; do ip netns add $c; done
	cni ADD a /run/netns/a eth0 "$conf" >/dev/null
	cni ADD b /run/netns/b eth0 "$(with_rt "$conf" "$rt")" >/dev/null
	cni ADD c /run/netns/c eth0 "$conf" >/dev/null
	# a reservation left by a killed ADD (no record) goes too
	echo -e "ghost\neth0" > /run/nsnet/cni/net1/ips/10.98.0.200
	cni GC "" "" "" "$(jq -c '. + {"cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"},{"containerID":"c","ifname":"eth0"}]}' <<<"$conf")"
	assert_eq "$(ls /run/nsnet/cni/net1/att | tr '\n' ' ')" "a:eth0.json c:eth0.json "
	assert_eq "$(ls /run/nsnet/cni/net1/ips | grep -v last- | tr '\n' ' ')" "10.98.0.2 10.98.0.4 "
	assert_eq "$(nft -j list map inet nsnet pub4any | jq '.nftables[1].map.elem | length')" 0
	assert_eq "$(ip -n b -j link show | jq length)" 1
	# the older key
	cni GC "" "" "" "$(jq -c '. + {"cni.dev/attachments":[{"containerID":"a","ifname":"eth0"}]}' <<<"$conf")"
	assert_eq "$(ls /run/nsnet/cni/net1/att | tr '\n' ' ')" "a:eth0.json "
	# no list: only attachments whose namespace is gone
	ip netns add d
	cni ADD d /run/netns/d eth0 "$conf" >/dev/null
	ip netns del d
	# nsnet status (no topology) shows what GC will take
	assert_eq "$(nsnet status --cni --json | jq -r '[.[] | "\(.container_id)=\(.state)"] | join(" ")')" "a=ok d=namespace gone"
	assert_contains "$(nsnet status)" "namespace gone"
	cni GC "" "" "" "$conf"
	assert_eq "$(ls /run/nsnet/cni/net1/att | tr '\n' ' ')" "a:eth0.json "
	ping_ok a 10.98.0.1
	cni GC "" "" "" "$(jq -c '. + {"cni.dev/valid-attachments":[]}' <<<"$conf")"
	cni_nothing_left
EOF
}

@test "STATUS: ready, or 50 with the reason (not a bridge, no free address)" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	conf=$(jq -c '.cniVersion="1.1.0"' <<<"$MIN")
	out=$(cni STATUS "" "" "" "$conf")
	assert_eq "$out" ""
	ip link add nsc0 type veth peer name nsc0p
	expect_status 1 cni_quiet STATUS "" "" "" "$conf"
	assert_eq "$(jq -r .code <<<"$out")" 50
	assert_contains "$(jq -r .msg <<<"$out")" "not a bridge"
	ip link del nsc0
	tiny='{"cniVersion":"1.1.0","name":"tiny","type":"nsnet-cni","bridge":"nst0","subnet":"10.96.0.0/30"}'
	ip netns add a
	cni ADD a /run/netns/a eth0 "$tiny" >/dev/null
	expect_status 1 cni_quiet STATUS "" "" "" "$tiny"
	assert_eq "$(jq -r .code <<<"$out")" 50
	assert_contains "$(jq -r .msg <<<"$out")" "no free address"
	cni DEL a /run/netns/a eth0 "$tiny"
	cni_nothing_left
EOF
}

@test "cnitool (libcni 1.2.3): add, check, status, gc, del on a 1.1.0 conflist; cnigc takes back what no runtime named" {
	need_clients
	sandbox <<'EOF'
	export CNI_PATH=$(cni_plugins) NETCONFPATH=$PWD/net.d
	cni_cache_private
	mkdir -p net.d
	jq -c '{cniVersion:"1.1.0", name, plugins:[del(.cniVersion, .name)]}' <<<"$MIN" > net.d/10-net1.conflist
	T=$CNI_CLIENTS_BIN/cnitool
	ip netns add a; ip netns add b
	out=$(CAP_ARGS='{"portMappings":[{"hostPort":8084,"containerPort":80,"protocol":"tcp"}]}' $T add net1 /run/netns/a)
	assert_eq "$(jq -r .cniVersion <<<"$out")" "1.1.0"
	a=$(jq -r '.ips[0].address' <<<"$out")
	assert_eq "$(ip -n a -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')" "$a"
	$T check net1 /run/netns/a
	$T status net1 /run/netns/a
	cid_a=$(ls /run/nsnet/cni/net1/att | cut -d: -f1)
	serve_once a 80 ay
	assert_contains "$(read_from host 127.0.0.1 8084)" "ay"
	$T add net1 /run/netns/b >/dev/null
	# cnigc names a's attachment only: b goes
	$CNI_CLIENTS_BIN/cnigc net1 "$cid_a:eth0"
	assert_eq "$(ls /run/nsnet/cni/net1/att | wc -l)" 1
	assert_eq "$(ip -n b -j link show | jq length)" 1
	$T del net1 /run/netns/a
	cni_nothing_left
EOF
}

@test "chains: first before Debian's portmap, firewall, tuning, bandwidth; after loopback with a prevResult" {
	need_clients
	sandbox <<'EOF'
	export CNI_PATH=$(cni_plugins) NETCONFPATH=$PWD/net.d
	cni_cache_private
	mkdir -p net.d
	cat > net.d/10-chain.conflist <<J
{"cniVersion":"1.0.0","name":"chain","plugins":[
 {"type":"loopback"},
 {"type":"nsnet-cni","bridge":"nsh0","subnet":"10.95.0.0/24","ipMasq":true},
 {"type":"portmap","capabilities":{"portMappings":true}},
 {"type":"firewall","backend":"iptables"},
 {"type":"tuning","sysctl":{"net.ipv4.conf.eth0.rp_filter":"2"}},
 {"type":"bandwidth","ingressRate":1000000000,"ingressBurst":100000000,"egressRate":1000000000,"egressBurst":100000000}]}
J
	T=$CNI_CLIENTS_BIN/cnitool
	ip netns add a
	out=$(CAP_ARGS='{"portMappings":[{"hostPort":8085,"containerPort":80,"protocol":"tcp"}]}' $T add chain /run/netns/a)
	# loopback's interface first, then nsnet-cni's: indices follow
	assert_eq "$(jq -r '.interfaces[0].name' <<<"$out")" "lo"
	assert_eq "$(jq -r '.interfaces[.ips[] | select(.address=="10.95.0.2/24") | .interface].name' <<<"$out")" "eth0"
	assert_eq "$(ip netns exec a cat /proc/sys/net/ipv4/conf/eth0/rp_filter)" "2"    # tuning
	tc -j qdisc show | jq -e 'map(select(.kind=="tbf")) | length > 0' >/dev/null  # bandwidth
	serve_once a 80 chained
	assert_contains "$(read_from upstream 198.51.100.2 8085)" "chained"   # portmap's DNAT
	ping_ok a 203.0.113.1
	$T check chain /run/netns/a
	$T del chain /run/netns/a
	assert_eq "$(ip -j link show type bridge | jq -r '.[].ifname' | tr '\n' ' ')" ""
	assert_eq "$(find /run/nsnet/cni -mindepth 1 | wc -l)" 0
EOF
}

@test "IPAM both ways: nsnet-cni delegating to host-local, and the bridge plugin with ipam nsnet-cni" {
	sandbox <<'EOF'
	cni_plugins >/dev/null
	ip netns add a; ip netns add b
	deleg='{"cniVersion":"1.0.0","name":"deleg","type":"nsnet-cni","bridge":"nsl0","isGateway":true,
	  "ipam":{"type":"host-local","dataDir":"'$PWD'/hl","ranges":[[{"subnet":"10.94.0.0/24","gateway":"10.94.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}'
	deleg=$(jq -c . <<<"$deleg")
	ip link add nsl0 type bridge; ip addr add 10.94.0.1/24 dev nsl0; ip link set nsl0 up
	out=$(cni ADD a /run/netns/a eth0 "$deleg")
	assert_eq "$(jq -r '.ips[0].address' <<<"$out")" "10.94.0.2/24"
	assert_eq "$(head -1 hl/deleg/10.94.0.2 | tr -d '\r')" "a"
	ping_ok a 10.94.0.1
	cni CHECK a /run/netns/a eth0 "$deleg"
	cni DEL a /run/netns/a eth0 "$deleg"
	[ ! -e hl/deleg/10.94.0.2 ]
	ip link del nsl0
	# a bridge nsnet-cni makes: the gateway host-local names goes on it
	# (isGateway), and ipMasq's NAT after it; all of it goes at the DEL
	fresh=$(jq -c '.bridge="nsl1" | .ipMasq=true | .name="deleg2"' <<<"$deleg")
	out=$(cni ADD a /run/netns/a eth0 "$fresh")
	assert_eq "$(jq -r '.ips[0].gateway' <<<"$out")" "10.94.0.1"
	assert_eq "$(ip -j addr show nsl1 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')" "10.94.0.1/24"
	ping_ok a 10.94.0.1
	ping_ok a 203.0.113.1
	cni CHECK a /run/netns/a eth0 "$fresh"
	cni DEL a /run/netns/a eth0 "$fresh"
	[ ! -e hl/deleg2/10.94.0.2 ]
	cni_nothing_left
	# the reference bridge plugin, addresses from nsnet-cni
	br='{"cniVersion":"1.0.0","name":"asipam","type":"bridge","bridge":"cni-x0","isGateway":true,
	  "ipam":{"type":"nsnet-cni","subnet":"10.93.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}'
	br=$(jq -c . <<<"$br")
	# called as IPAM directly: addresses and routes, no interface
	out=$(cni ADD b /run/netns/b eth9 "$br")
	assert_eq "$(jq -c '[.ips[0].address, .ips[0].gateway, (.interfaces // [] | length)]' <<<"$out")" '["10.93.0.2/24","10.93.0.1",0]'
	assert_eq "$(ip -n b -j link show | jq length)" 1
	out=$(printf '%s' "$br" | CNI_COMMAND=ADD CNI_CONTAINERID=b2 CNI_NETNS=/run/netns/b CNI_IFNAME=eth1 CNI_PATH=$PWD/plugins plugins/bridge)
	assert_eq "$(jq -r '.ips[0].address' <<<"$out")" "10.93.0.3/24"
	assert_eq "$(ip -n b -j addr show eth1 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "10.93.0.3"
	assert_eq "$(head -1 /run/nsnet/cni/asipam/ips/10.93.0.3)" "b2"
	printf '%s' "$br" | CNI_COMMAND=DEL CNI_CONTAINERID=b2 CNI_NETNS=/run/netns/b CNI_IFNAME=eth1 CNI_PATH=$PWD/plugins plugins/bridge
	[ ! -e /run/nsnet/cni/asipam/ips/10.93.0.3 ]
	cni DEL b /run/netns/b eth9 "$br"
	assert_eq "$(find /run/nsnet/cni -mindepth 1 | wc -l)" 0
EOF
}

@test "Podman and ctr through ../shared/cni-clients/clients.sh on the issue's minimal conflist" {
	need_runtimes
	sandbox <<'EOF'
	# clients.sh puts a tmpfs over /run: the plugins and the conflist
	# must live elsewhere while it runs
	d=$(mktemp -d /tmp/nsnet-cni-test.XXXXXX)
	cd "$d"
	cni_plugins >/dev/null
	echo "$MIN" | jq -c '{cniVersion, name, plugins:[del(.cniVersion, .name)]}' > min.conflist
	cgroup_mounts
	set +e
	# </dev/null: podman and ctr would read the rest of this script
	out=$(TMPDIR=$d unshare --mount --pid --fork --mount-proc "$CNI_CLIENTS_SRC/clients.sh" min.conflist plugins 2>&1 </dev/null)
	set -e
	cd /; rm -rf "$d" "$(sed -n 's/^clients.sh: done (\(.*\))$/\1/p' <<<"$out")"
	assert_contains "$out" "podman run: eth0 10.98.0."
	assert_contains "$out" "podman -p 8080:80: 'hello-from-container'"
	assert_contains "$out" "podman leftovers: links=0 nft-lines=0"
	assert_contains "$out" "ctr run --cni: eth0 10.98.0."
	assert_contains "$out" "ctr leftovers: links=0 nft-lines=0"
EOF
}

@test "Podman: containers reach each other and the upstream, -p 8080:80 from the host; podman rm leaves nothing" {
	need_runtimes
	sandbox <<'EOF'
	cni_plugins >/dev/null
	echo "$MIN" | jq -c '{cniVersion, name, plugins:[del(.cniVersion, .name)]}' > min.conflist
	runtime_world min.conflist
	upstream_web
	$P run -d --name a --network net1 localhost/bb httpd -f -p 80 -h /var/www </dev/null >/dev/null
	$P run -d --name b --network net1 -p 8080:80 localhost/bb httpd -f -p 80 -h /var/www </dev/null >/dev/null
	ip_a=$($P inspect -f '{{(index .NetworkSettings.Networks "net1").IPAddress}}' a </dev/null)
	assert_contains "$ip_a" "10.98.0."
	# busybox-static's wget crashes in a container: HTTP by hand
	assert_eq "$($P exec b sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc $ip_a 80" </dev/null | tail -1)" "hello-from-container"
	assert_contains "$($P exec a sh -c 'nc 203.0.113.10 80 </dev/null' </dev/null)" "upstream 198.51.100.2"
	for i in $(seq 30); do out=$(curl -s -m 2 http://127.0.0.1:8080/ || true); [ -n "$out" ] && break; sleep 0.1; done
	assert_eq "$out" "hello-from-container"
	assert_eq "$(curl -s -m 2 http://198.51.100.2:8080/)" "hello-from-container"
	assert_eq "$(ls /run/nsnet/cni/net1/att | wc -l)" 2
	$P rm -f -t 0 a b </dev/null >/dev/null
	cni_nothing_left
EOF
}

@test "ctr: run --rm (DEL with an empty CNI_NETNS) leaves nothing; run -d then task delete is taken back by GC" {
	need_runtimes
	need_clients
	sandbox <<'EOF'
	cni_plugins >/dev/null
	echo "$MIN" | jq -c '{cniVersion, name, plugins:[del(.cniVersion, .name)]}' > min.conflist
	runtime_world min.conflist
	a=$($C run --rm --cni localhost/bb:latest t1 ip -4 -o addr show eth0 </dev/null | awk '{print $4}')
	assert_contains "$a" "10.98.0."
	cni_nothing_left
	$C run -d --cni localhost/bb:latest t2 sleep 60 </dev/null >/dev/null
	for i in $(seq 50); do [ -n "$(ls /run/nsnet/cni/net1/att 2>/dev/null)" ] && break; sleep 0.1; done
	assert_contains "$(ls /run/nsnet/cni/net1/att)" "default-t2:eth0.json"
	$C task kill -s KILL t2 </dev/null
	for i in $(seq 50); do $C task delete t2 </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
	$C container delete t2 </dev/null
	# ctr never called DEL: the attachment is still recorded
	assert_contains "$(ls /run/nsnet/cni/net1/att)" "default-t2:eth0.json"
	# GC in spec 1.1 (the runtime's own cache hidden: the plugin's GC,
	# not libcni's cached DEL, has to find it)
	mkdir -p gc.d; jq -c '.cniVersion="1.1.0"' min.conflist > gc.d/10-net1.conflist
	mount -t tmpfs tmpfs /var/lib/cni
	NETCONFPATH=$PWD/gc.d CNI_PATH=/opt/cni/bin "$CNI_CLIENTS_BIN/cnitool" gc net1 /run/netns/none
	cni_nothing_left
EOF
}

@test "docs/cni.md: the Podman and containerd commands run as written, in order (the image imported, not pulled)" {
	need_runtimes
	for s in "Podman in a few commands" containerd; do
		sed -n "/^### $s/,/^##/p" "$NSNET_ROOT/docs/cni.md" | grep -E '^    [a-z]' | sed 's/^    //'
	done > "$BATS_TEST_TMPDIR/lines"
	[ "$(grep -c . "$BATS_TEST_TMPDIR/lines")" -ge 8 ] || fail "few commands found: $(cat "$BATS_TEST_TMPDIR/lines")"
	export LINES_FILE=$BATS_TEST_TMPDIR/lines
	sandbox <<'EOF'
	cni_plugins >/dev/null
	echo "$MIN" | jq -c '{cniVersion, name, plugins:[del(.cniVersion, .name)]}' > min.conflist
	runtime_world min.conflist
	rm /etc/cni/net.d/*
	# Podman's own configuration as a host has it, in this sandbox only:
	# the settings a sandbox needs, and a backend that is not CNI, so that
	# the drop-in of the docs is what makes it CNI
	mkdir ec; cp -a /etc/containers/. ec/
	mount -t tmpfs tmpfs /etc/containers
	cp -a ec/. /etc/containers/
	printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n[network]\nnetwork_backend = "netavark"\n' \
		> /etc/containers/containers.conf
	unset CONTAINERS_CONF
	# we are root already; podman and ctr keep their state in this
	# sandbox's scratch directory; a curl right after `podman run -d`
	# waits for httpd to listen
	sudo() { "$@"; }
	podman() { command $P "$@"; }
	ctr() { command $C "$@"; }
	curl() {
		local i
		for i in $(seq 30); do command curl -sf -m 2 "$@" && return 0; sleep 0.2; done
		return 1
	}
	cd "$NSNET_ROOT"
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in *"image pull"*) continue ;; esac
		line=${line//docker.io\/library\/busybox:latest/localhost/bb:latest}
		line=${line//docker.io\/library\/busybox/localhost/bb}
		set +e
		out=$(eval "$line" </dev/null 2>&1)
		rc=$?
		set -e
		[ "$rc" = 0 ] || fail "docs line $n, '$line', exited $rc: $out"
		case $line in
		curl*) assert_eq "$out" "$(podman exec web cat /etc/hostname </dev/null)" ;;
		*"nsnet show"*)
			assert_contains "$out" "CNI attachments"
			assert_contains "$out" "8080:80/tcp" ;;
		*"podman rm"*) cni_nothing_left ;;
		*"ctr run"*)
			assert_contains "$out" "inet 10.98.0."
			cni_nothing_left ;;
		esac
	done < "$LINES_FILE"
	assert_eq "$n" "$(wc -l < "$LINES_FILE")"
EOF
}
