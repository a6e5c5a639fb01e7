#!/usr/bin/env bats
# Hostile input: names, files, processes and parsers. Each test in its own
# sandbox; each one fails without the change it guards (issue 10).
load helpers

@test "names: . and .. and shell characters are refused at file:line:col, and down/status of such names change nothing" {
	sandbox <<'EOF'
	nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	records=$(ls -R /run/nsnet/topo /run/nsnet/ns | sort)
	refused() {  # message, then the file on stdin
		cat > bad.yaml
		expect_status 2 nsnet up bad.yaml
		assert_contains "$out" "$1"
	}
	printf 'name: ..\n' | refused 'bad.yaml:1:7: topology name ".." starts with'
	printf 'name: .\n' | refused 'bad.yaml:1:7: topology name "." starts with'
	printf 'name: -x\n' | refused "bad.yaml:1:7: topology name \"-x\" starts with '-'"
	printf 'name: "a$(touch pwned)"\n' | refused "bad.yaml:1:7: topology name \"a\$(touch pwned)\" contains '\$'"
	printf 'name: t\nnodes:\n  "a`id`": {}\n' | refused "bad.yaml:3:3: node namespace name"
	printf 'name: t\nnodes:\n  "a;b": {}\n' | refused "contains ';'"
	printf "name: t\nnodes:\n  \"a'b\": {}\n" | refused "bad.yaml:3:3:"
	printf 'name: t\nnetworks:\n  "n$x": {bridge: br0, subnet: 10.0.0.0/24}\n' | refused "bad.yaml:3:3: network name \"n\$x\" contains '\$'"
	printf 'name: t\nnetworks:\n  n: {bridge: "b r", subnet: 10.0.0.0/24}\n' | refused "bad.yaml:3:15: bridge:"
	printf 'name: t\nnodes:\n  a: {}\ncables:\n  - {a: a, b: host, a_if: "x$(id)"}\n' | refused "bad.yaml:5:27: a_if:"
	printf 'name: t\nnodes:\n  "web\\0x": {}\n' | refused "bad.yaml:3:3: a key contains a NUL byte"
	# a name given on the command line names a directory: never looked up
	for name in .. . 'a b' '$(id)'; do
		expect_status 2 nsnet down "$name"
		assert_contains "$out" "topology name"
		expect_status 2 nsnet status "$name"
	done
	expect_status 2 nsnet down -x
	expect_status 2 nsnet status -x
	[ ! -e pwned ]
	assert_eq "$(ls -R /run/nsnet/topo /run/nsnet/ns | sort)" "$records"
	nsnet status shop >/dev/null
	nsnet down shop
EOF
}

@test "plan: every word is quoted, so piping the plan of any file to a shell runs nothing it does not show" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: quoting
nodes:
  web:
    sysctls: {net.ipv4.ip_forward: "1 $(touch pwned-sysctl)"}
    run: ["echo '$(touch pwned-run)' `touch pwned-tick`; x=1"]
Y
	nsnet plan t.yaml > plan.sh
	# Every program the plan names is a stub: only the shell itself could
	# run something, by misreading a word.
	mkdir stubs
	for p in ip nft sysctl mkdir nsnet; do printf '#!/bin/sh\nexit 0\n' > stubs/$p; chmod +x stubs/$p; done
	PATH=$PWD/stubs:/usr/bin:/bin sh plan.sh 2>/dev/null || true
	PATH=$PWD/stubs:/usr/bin:/bin bash plan.sh 2>/dev/null || true
	[ ! -e pwned-sysctl ] || fail "the sysctl value ran"
	[ ! -e pwned-run ] || fail "the run: command ran outside sh -c"
	[ ! -e pwned-tick ] || fail "a backquote ran"
	assert_contains "$(cat plan.sh)" "sh -c 'echo '\\''\$(touch pwned-run)'\\'' \`touch pwned-tick\`; x=1'"
EOF
}

@test "the shell prompt never expands a namespace name" {
	sandbox <<'EOF'
	nsnet ns add red
	echo exit | SHELL=/bin/bash nsnet shell red >/dev/null
	out=$(printf 'echo "PROMPT=${PS1@P}"\nexit\n' |
		NSNET_NS='r$(touch pwned)`touch pwned2`' HOME=/nonexistent bash --rcfile /run/nsnet/bashrc -i 2>/dev/null)
	assert_contains "$out" "PROMPT=(ns:r??touch?pwned??touch?pwned2?) "
	[ ! -e pwned ] && [ ! -e pwned2 ]
EOF
}

@test "files: a symbolic link planted in /etc/netns/NODE is never written through nor removed; a user's file survives down" {
	sandbox <<'EOF'
	# The sandbox's /etc/hosts, a copy: whatever happens stays in here.
	cp /etc/hosts hosts.copy
	mount --bind hosts.copy /etc/hosts
	before=$(md5sum < /etc/hosts)
	mkdir -p /etc/netns/web
	ln -s /etc/hosts /etc/netns/web/hosts
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "/etc/netns/web/hosts is a symbolic link: nsnet leaves it alone"
	assert_eq "$(ip netns list | grep -c web || true)" "0" "refused before any change"
	assert_eq "$(md5sum < /etc/hosts)" "$before"
	nsnet down shop >/dev/null 2>&1 || true
	[ -L /etc/netns/web/hosts ]
	assert_eq "$(md5sum < /etc/hosts)" "$before"

	# a directory link: nothing written where it points
	rm /etc/netns/web/hosts && rmdir /etc/netns/web
	mkdir victim && ln -s "$PWD/victim" /etc/netns/web
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "/etc/netns/web is not a directory"
	assert_eq "$(ls victim)" ""
	rm /etc/netns/web

	# a file of the user's beside nsnet's, and a link planted after up
	mkdir /etc/netns/web && echo mine > /etc/netns/web/extra.conf
	nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$(head -1 /etc/netns/web/hosts)" "# written by nsnet for topology shop"
	ln -sf /etc/hosts /etc/netns/database/hosts
	nsnet down shop
	assert_eq "$(cat /etc/netns/web/extra.conf)" "mine"
	[ ! -e /etc/netns/web/hosts ] && [ ! -e /etc/netns/web/resolv.conf ]
	[ -L /etc/netns/database/hosts ]
	assert_eq "$(md5sum < /etc/hosts)" "$before"
	rm /etc/netns/database/hosts

	# the user's own hosts: up refuses, down leaves it; edited: the user's
	printf '10.0.0.1 mine\n' > /etc/netns/web/hosts
	expect_status 1 nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	assert_contains "$out" "/etc/netns/web/hosts is not written by nsnet, or changed since"
	assert_eq "$(cat /etc/netns/web/hosts)" "10.0.0.1 mine"
	rm /etc/netns/web/hosts
	nsnet up "$NSNET_ROOT/examples/seed000.yaml"
	echo "10.9.9.9 extra" >> /etc/netns/database/hosts
	nsnet down shop
	assert_contains "$(cat /etc/netns/database/hosts)" "10.9.9.9 extra"
	[ ! -e /etc/netns/web/hosts ]
EOF
}

@test "run: processes get descriptors 0-2 only and a clean environment" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: clean
nodes:
  web:
    run: ["echo fds; ls /proc/$$/fd; echo end; env | sort; sleep 300"]
Y
	SECRET=1 nsnet up t.yaml 7</dev/null 8>/dev/null 9>>t.yaml
	for i in $(seq 50); do grep -q '^PATH=' /run/nsnet/topo/clean/run-web-0.log && break; sleep 0.1; done
	assert_contains "$(nsnet logs web)" "[web:0] NSNET_NODE=web"
	log=$(cat /run/nsnet/topo/clean/run-web-0.log)
	assert_contains "$log" "$(printf 'fds\n0\n1\n2\nend')"
	assert_not_contains "$log" "SECRET"
	assert_not_contains "$log" "ASAN_OPTIONS"
	assert_contains "$log" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_contains "$log" "NSNET_NODE=web"
	assert_contains "$log" "NSNET_TOPOLOGY=clean"
	assert_contains "$log" "HOME=/"
	nsnet down clean
EOF
}

@test "run: a pid file naming another process: down does not signal it, up does not take it for the command" {
	sandbox <<'EOF'
	cat > t.yaml <<'Y'
name: pids
nodes:
  web:
    run: ["sleep 301"]
Y
	nsnet up t.yaml
	pidfile=/run/nsnet/topo/pids/run-web-0.pid
	read -r pid start netns < "$pidfile"
	[ -n "$netns" ]
	# a stranger in its own process group, then the pid file pointed at it
	setsid sleep 1000 &
	for i in $(seq 20); do stranger=$(pgrep -x -f 'sleep 1000' || true); [ -n "$stranger" ] && break; sleep 0.1; done
	kill "$pid"
	echo "$stranger $start $netns" > "$pidfile"
	# up: not the command (wrong start time), so the command is started again
	out=$(nsnet up t.yaml)
	assert_contains "$out" "repair: process"
	assert_eq "$(nsnet status pids --json | jq -r '.nodes[0].run[0].running')" "true"
	# down: the stranger keeps running, whatever a pid file says about it
	# (the command's start time, or its own start time but another
	# namespace); the command itself ends
	read -r pid start netns < "$pidfile"
	echo "$stranger $start $netns" > /run/nsnet/topo/pids/run-web-8.pid
	echo "$stranger $(awk '{print $22}' /proc/$stranger/stat) $netns" > /run/nsnet/topo/pids/run-web-9.pid
	nsnet down pids
	kill -0 "$stranger" || fail "down signalled a process that is not the topology's"
	! kill -0 "$pid" 2>/dev/null
	! pgrep -f 'sleep 301'
	kill "$stranger"
EOF
}

@test "parsers: aliases, anchors, deep nesting and second documents refused at file:line:col; large files stay fast" {
	sandbox <<'EOF'
	refused() {
		cat > bad.yaml
		expect_status 2 nsnet plan bad.yaml
		assert_contains "$out" "$1"
	}
	printf 'name: t\nnodes:\n  a: {routes: ["10.1.0.0/16 dev eth0"]}\n  b: {routes: *r}\n' |
		refused 'bad.yaml:4:15: alias *r: YAML anchors and aliases are not accepted'
	printf 'name: t\nnodes:\n  a: {routes: &r ["10.1.0.0/16 dev eth0"]}\n' |
		refused 'bad.yaml:3:15: anchor &r'
	python3 -c 'print("name: t\nnodes: " + "[" * 20000 + "]" * 20000)' |
		refused 'bad.yaml:2:71: lists and mappings nested more than 64 deep'
	printf 'name: t\n---\nname: u\n' | refused 'bad.yaml:2:1: a second YAML document'
	# 100,000 keys: a duplicate found with a hash set, not by comparing
	# every pair (that took 45 s)
	python3 -c '
print("name: t\nnodes:\n  a:\n    sysctls:")
for i in range(100000): print(f"      net.x{i}: 1")
print("      net.x99999: 1")' > dup.yaml
	s=$(date +%s)
	expect_status 2 nsnet plan dup.yaml
	assert_contains "$out" 'dup.yaml:100005:7: sysctls entry "net.x99999" appears twice (first at line 100004)'
	[ $(( $(date +%s) - s )) -lt 15 ] || fail "took $(( $(date +%s) - s )) s"
	# 20,000 networks and 40,000 nodes with addresses chosen: linear checks
	python3 -c '
print("name: t\nnetworks:")
for i in range(20000): print(f"  n{i}: {{subnet: 10.{i // 256}.{i % 256}.0/24}}")
print("nodes:")
for i in range(40000): print(f"  h{i}: {{networks: {{n{i % 20000}: }}}}")
print("  dup: {networks: {n7: 10.0.7.1}}")' > many.yaml
	s=$(date +%s)
	expect_status 2 nsnet plan many.yaml
	assert_contains "$out" "many.yaml:60004:24:"
	assert_contains "$out" "the gateway of network n7"
	[ $(( $(date +%s) - s )) -lt 20 ] || fail "took $(( $(date +%s) - s )) s"
EOF
}
