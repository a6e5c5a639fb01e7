#!/usr/bin/env bats
# nsnet exec and nsnet shell: programs inside a namespace.
load helpers

@test "exec runs inside the namespace with its /etc/netns files and sysfs" {
	sandbox <<'EOF'
	nsnet ns add red blue
	nsnet cable red blue --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	mkdir -p /etc/netns/red
	echo "10.0.0.2 bluebox" > /etc/netns/red/hosts
	assert_contains "$(nsnet exec red -- cat /etc/hosts)" "10.0.0.2 bluebox"
	# Only red sees the file.
	assert_not_contains "$(nsnet exec blue -- cat /etc/hosts)" "bluebox"
	assert_not_contains "$(cat /etc/hosts)" "bluebox"
	assert_eq "$(nsnet exec red -- ip -j link | jq -r '[.[].ifname] | sort | join(" ")')" "lo veth-blue"
	assert_eq "$(nsnet exec red -- ls /sys/class/net | sort | tr '\n' ' ')" "lo veth-blue "
	# The namespace really is red's: it reaches blue by address.
	nsnet exec red -- ping -c1 -W2 10.0.0.2 >/dev/null
	# host means where nsnet runs.
	assert_eq "$(nsnet exec host -- ip -j link | jq -r '[.[].ifname] | sort | join(" ")')" "eth0 lo"
EOF
}

@test "exec --pid makes the command PID 1 with its own /proc" {
	sandbox <<'EOF'
	nsnet ns add red
	assert_eq "$(nsnet exec --pid red -- ps -o pid=,comm= | awk '{print $1, $2}')" "1 ps"
	assert_eq "$(nsnet exec --pid red -- sh -c 'echo $$')" "1"
	# Without --pid the PID namespace is the caller's.
	[ "$(nsnet exec red -- sh -c 'echo $$')" != "1" ]
	# The caller's /proc is untouched afterwards.
	[ "$(ps -e --no-headers | wc -l)" -gt 1 ]
EOF
}

@test "exec passes the exit status through; 127 for a missing program" {
	sandbox <<'EOF'
	nsnet ns add red
	expect_status 3 nsnet exec red -- sh -c 'exit 3'
	expect_status 5 nsnet exec --pid red -- sh -c 'exit 5'
	expect_status 127 nsnet exec red -- no-such-program-here
	assert_contains "$out" "no-such-program-here"
	assert_contains "$out" "No such file or directory"
	expect_status 137 nsnet exec red -- sh -c 'kill -KILL $$'
	expect_status 1 nsnet exec nosuchns -- true
	assert_contains "$out" "nosuchns does not exist"
	expect_status 2 nsnet exec red
	expect_status 2 nsnet exec --bogus red -- true
	expect_status 2 nsnet exec 'bad/name' -- true
EOF
}

@test "shell runs the user's shell in the namespace with NSNET_NS and a prompt" {
	sandbox <<'EOF'
	nsnet ns add red
	nsnet cable red host --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	assert_eq "$(echo 'echo $NSNET_NS' | SHELL=/bin/bash nsnet shell red)" "red"
	assert_eq "$(echo 'ip -j link | jq -r "[.[].ifname] | sort | join(\" \")"' | SHELL=/bin/bash nsnet shell red)" "lo veth-host"
	# Other shells get the prompt through PS1.
	assert_eq "$(echo 'echo "$PS1"' | SHELL=/bin/sh PS1='$ ' nsnet shell red)" '(ns:red) $ '
	# bash reads the prompt from nsnet's rc file.
	assert_contains "$(cat /run/nsnet/bashrc)" '(ns:${NSNET_NS//'
	out=$(printf 'echo "PROMPT=$PS1"\nexit\n' | NSNET_NS=red HOME=/nonexistent bash --rcfile /run/nsnet/bashrc -i 2>/dev/null)
	assert_contains "$out" "PROMPT=(ns:red) "
	expect_status 1 nsnet shell nosuchns
	expect_status 2 nsnet shell
EOF
}

@test "exec --pid: SIGTERM ends a command that, as PID 1, would ignore it" {
	sandbox <<'EOF'
	nsnet ns add a
	"$NSNET" exec --pid a -- sleep 30 &
	p=$!
	sleep 0.5
	kill -TERM $p
	set +e; wait $p; rc=$?; set -e
	assert_eq "$rc" "137"
EOF
}
