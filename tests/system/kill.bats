#!/usr/bin/env bats
# SIGKILL at any point: nsnet killed in the middle of up, down, publish or
# nat add leaves nothing that the next command cannot take over: down then
# up converge, and after the last down nothing of nsnet's is left (ip -j,
# nft -j, /run/nsnet, ps). The lock of a killed process goes with it.
load helpers

# Run nsnet and SIGKILL it after $1 ms, if it still runs then.
killed_at() {
	local ms=$1; shift
	timeout -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" "$NSNET" "$@" \
		> /dev/null 2>&1 || true
}
# The processes of the topology kproc below (its setup: and run: commands,
# and what they started), one a line.
kproc_procs() { pgrep -a -f 'sleep 73[0-9][0-9]' || true; }
export -f killed_at kproc_procs

@test "SIGKILL at random points of up, down, publish and nat add: down and up converge, nothing is left" {
	sandbox <<'EOF'
	cat > k.yaml <<'Y'
name: kill
networks:
  lan: {bridge: kill_br, subnet: 10.90.0.0/24, nat: true}
  back: {bridge: kill_b2, subnet: 10.90.1.0/24, internal: true}
nodes:
  n1: {networks: {lan: , back: }, publish: ["7201:80"]}
Y
	for i in $(seq 2 6); do echo "  n$i: {networks: {lan: }, publish: [\"$((7200 + i)):80\"]}" >> k.yaml; done
	before=$(world)
	# what a person builds by hand, for publish and nat add
	nsnet bridge add mbr --addr 10.91.0.1/24
	nsnet ns add mx
	nsnet attach mx mbr --addr 10.91.0.2/24 --gateway 10.91.0.1
	for round in $(seq 10); do
		ms=$((RANDOM % 300 + 1))
		case $((round % 4)) in
		0) killed_at $ms up k.yaml ;;
		1) nsnet up k.yaml > /dev/null; killed_at $ms down kill ;;
		2) killed_at $ms publish mx 7300:80 ;;
		3) killed_at $ms nat add mbr ;;
		esac
		# converge: down what is there, up, in sync
		nsnet down k.yaml > /dev/null 2>&1 || true
		assert_eq "$(ip netns list | grep -c '^n[0-9]' || true)" "0" "round $round ($ms ms): down left nodes"
		assert_eq "$(ip -j link | jq -r '.[] | select(.ifname | startswith("kill_")) | .ifname')" "" \
			"round $round ($ms ms): down left bridges"
		nsnet up k.yaml > /dev/null || fail "round $round ($ms ms): up after down failed"
		assert_eq "$(nsnet status kill --json | jq .in_sync)" "true" "round $round ($ms ms)"
		assert_eq "$(ip -j link show master kill_br | jq length)" "6"
		nsnet unpublish mx 7300:80 > /dev/null 2>&1 || true
		nsnet publish mx 7300:80
		nsnet nat del mbr > /dev/null 2>&1 || true
		nsnet nat add mbr
		nsnet down kill
	done
	nsnet up k.yaml > /dev/null
	nsnet check > /dev/null || { nsnet check; fail "the topology does not work after the rounds"; }
	nsnet down kill
	nsnet unpublish mx 7300:80
	nsnet nat del mbr
	nsnet ns del mx
	nsnet bridge del mbr
	assert_eq "$(world)" "$before"
EOF
}

@test "SIGKILL at random points of up and down of a topology with run: and setup: commands: after down no process of it is left" {
	sandbox <<'EOF'
	printf 'name: kproc\nnetworks:\n  lan: {bridge: kproc_br, subnet: 10.92.0.0/24}\nnodes:\n' > p.yaml
	# each setup takes a moment (an up killed while it waits) and leaves a
	# process in its group; two run: commands each
	for i in 1 2 3; do
		printf '  n%s:\n    networks: {lan: }\n    setup: ["sleep 0.1; sleep 730%s & true"]\n    run: ["sleep 731%s", "sleep 732%s"]\n' \
			$i $i $i $i >> p.yaml
	done
	before=$(world)
	for round in $(seq 12); do
		ms=$((RANDOM % 900 + 1))
		killed_at $ms up p.yaml
		# now and then a second up, on what the first left, killed too
		[ $((round % 3)) != 0 ] || killed_at $((RANDOM % 600 + 1)) up p.yaml
		nsnet down kproc > /dev/null 2>&1 || true
		assert_eq "$(kproc_procs)" "" "round $round ($ms ms): processes left after down"
		assert_eq "$(world)" "$before" "round $round ($ms ms)"
	done
	# down killed while it ends them, then down again
	for round in $(seq 4); do
		nsnet up p.yaml > /dev/null
		[ "$(kproc_procs | wc -l)" -ge 9 ] || fail "up started $(kproc_procs)"
		killed_at $((RANDOM % 300 + 1)) down kproc
		nsnet down kproc > /dev/null 2>&1 || true
		assert_eq "$(kproc_procs)" "" "down round $round: processes left after down"
		assert_eq "$(world)" "$before" "down round $round"
	done
EOF
}
