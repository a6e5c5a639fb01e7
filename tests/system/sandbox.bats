#!/usr/bin/env bats
# nsnet sandbox: the throwaway world every other system test runs in.
load helpers
bats_require_minimum_version 1.5.0

@test "sandbox passes the command's exit status through" {
	run "$NSNET" sandbox -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run "$NSNET" sandbox --no-upstream -- true
	[ "$status" -eq 0 ]
	# Killed by a signal: 128 + N, as a shell reports it.
	run "$NSNET" sandbox -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	run -127 "$NSNET" sandbox -- /nonexistent/program
	[ "$status" -eq 127 ]
	[[ "$output" == *"No such file or directory"* ]]
	run "$NSNET" sandbox
	[ "$status" -eq 2 ]
	run "$NSNET" sandbox --bogus -- true
	[ "$status" -eq 2 ]
}

@test "namespaces created in a sandbox are gone afterwards" {
	name="sbxleak$$"
	run "$NSNET" sandbox -- sh -c "\"$NSNET\" ns add $name && ip netns list"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$name"* ]]
	# Observed from outside, without changing anything.
	run ip netns list
	[[ "$output" != *"$name"* ]]
	[ ! -e "/run/netns/$name" ]
	[ ! -e "/run/nsnet/ns/$name" ]
}

@test "background processes left in a sandbox are killed when it ends" {
	secs=$((900000 + RANDOM))
	run "$NSNET" sandbox -- sh -c "sleep $secs >/dev/null 2>&1 & sleep 0.2; pgrep -xf 'sleep $secs' >/dev/null && echo started"
	[ "$status" -eq 0 ]
	[ "$output" = "started" ]
	run pgrep -xf "sleep $secs"
	[ "$status" -eq 1 ]
}

@test "a sandbox has its own network, mounts and PIDs" {
	sandbox <<'EOF'
	assert_eq "$NSNET_SANDBOX" "1"
	# sysfs and the network agree: this namespace's devices, nobody else's.
	assert_eq "$(ls /sys/class/net | sort | tr '\n' ' ')" "eth0 lo "
	assert_eq "$(ip -j link | jq -r '[.[].ifname] | sort | join(" ")')" "eth0 lo"
	assert_contains "$(ip -j link show lo | jq -r '.[0].flags[]')" "UP"
	# tmpfs over the state directories.
	for d in /run/netns /run/nsnet /etc/netns; do
		assert_eq "$(findmnt -n -o FSTYPE --mountpoint $d | tail -1)" "tmpfs" "$d"
	done
	# PID namespace: the init is PID 1 and /proc shows only the sandbox.
	assert_eq "$(ps -o comm= -p 1)" "nsnet"
	[ "$(ps -e --no-headers | wc -l)" -lt 10 ] || fail "too many processes: $(ps -e)"
EOF
}

@test "sandbox without upstream has only loopback" {
	run "$NSNET" sandbox --no-upstream -- sh -c 'ip -br link; ip netns list; ip route'
	[ "$status" -eq 0 ]
	[[ "$output" == "lo "* ]]
	[[ "$output" != *eth0* ]]
	[[ "$output" != *upstream* ]]
}

@test "the simulated upstream answers on 198.51.100.1 and all of 203.0.113.0/24" {
	sandbox <<'EOF'
	assert_eq "$(ip netns list | awk '{print $1}')" "upstream"
	assert_eq "$(ip -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')" "198.51.100.2/24"
	assert_eq "$(ip -j route show default | jq -r '.[0].gateway')" "198.51.100.1"
	assert_eq "$(ip -n upstream -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" "198.51.100.1"
	ping -c1 -W2 198.51.100.1 >/dev/null
	ping -c1 -W2 203.0.113.10 >/dev/null
	ping -c1 -W2 203.0.113.77 >/dev/null
	# A server can bind an address of 203.0.113.0/24 in upstream.
	serve_once upstream 8080 internet 203.0.113.10
	reply=$(timeout 5 python3 -c '
import socket
s=socket.create_connection(("203.0.113.10", 8080), timeout=2)
print(s.recv(200).decode().strip())')
	assert_eq "$reply" "internet 198.51.100.2"
	# No way back to private ranges except through NAT.
	if ip -n upstream route get 10.1.0.1 >/dev/null 2>&1; then
		fail "upstream has a route to 10.1.0.1"
	fi
	assert_eq "$(ip -n upstream -j link show eth0 | jq -r '.[0].ifalias')" "nsnet:sandbox"
EOF
}
