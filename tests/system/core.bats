#!/usr/bin/env bats
# Core commands: namespaces, cables, bridges, attachments, addresses, routes.
load helpers

@test "ns add creates namespaces that ip netns sees, with loopback up" {
	sandbox <<'EOF'
	nsnet ns add red blue
	assert_eq "$(ip netns list | awk '{print $1}' | grep -v upstream | sort | tr '\n' ' ')" "blue red "
	assert_contains "$(ip -n red -j link show lo | jq -r '.[0].flags[]')" "UP"
	nsnet ns del blue
	assert_eq "$(ip netns list | awk '{print $1}' | grep -v upstream)" "red"
EOF
}
