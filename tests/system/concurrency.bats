#!/usr/bin/env bats
# Many nsnet processes at once (32 to 64), as runtimes, scripts and CI call
# it: nothing lost, nothing duplicated, nothing left behind, as ip -j and
# nft -j see it. Each scenario runs rounds, each bounded in time, to catch
# a race that shows once in ten (round_more). Without the lock
# (lib/base/lock.c) the publish, shared-bridge, up/down and ns add/del
# rounds fail.
load helpers

# How many rounds: a race that shows in one round of ten is seen in n
# rounds with probability 1 - 0.9^n: 65% at 10, 88% at 20, 96% at 30 (the
# file run three times). Each scenario runs ROUNDS_MIN rounds, then more
# while it has run less than ROUNDS_SECONDS, at most ROUNDS_MAX: bounded in
# count and time on a loaded machine, more rounds on an idle one. (Each
# round is itself 8 to 64 commands at once.)
ROUNDS_MIN=10 ROUNDS_MAX=30 ROUNDS_SECONDS=30
# Whether round $1 (1, 2, ...) is to run.
round_more() {
	[ "$1" -le "$ROUNDS_MIN" ] ||
		{ [ "$1" -le "$ROUNDS_MAX" ] && [ "$SECONDS" -lt "$ROUNDS_SECONDS" ]; }
}

# Run every line of stdin as a command, all at once, each bounded to 60 s;
# afterwards $failed holds the number that failed and $errs their output.
parallel() {
	local line i=0
	rm -rf par.d; mkdir par.d
	while IFS= read -r line; do
		i=$((i + 1))
		( timeout 60 bash -c "$line" > par.d/$i.out 2>&1 || echo "$line" > par.d/$i.fail ) &
	done
	wait
	failed=$(ls par.d | grep -c fail || true)
	errs=$(for f in par.d/*.fail; do [ -e "$f" ] || continue; cat "$f" "${f%.fail}.out"; done)
}
# Elements of one set or map of nsnet's table, one a line, sorted.
nft_elems() {
	nft -j list ruleset 2>/dev/null | jq -c --arg n "$1" '.nftables[] | (.map // .set) |
		select(. != null and .table == "nsnet" and .name == $n) | (.elem // [])[]' | sort
}
export ROUNDS_MIN ROUNDS_MAX ROUNDS_SECONDS
export -f parallel nft_elems round_more

@test "32 attach and 32 detach at once on one bridge, with addresses given and chosen: every port and address once" {
	sandbox <<'EOF'
	shopt -s lastpipe  # parallel sets $failed from the end of a pipe
	nsnet bridge add br0 --addr 10.40.0.1/16
	nsnet ns add $(seq -f 'c%g' 32)
	round=0
	while round_more $((round += 1)); do
		for i in $(seq 32); do
			if [ $((i % 2)) = 1 ]; then
				echo "nsnet attach c$i br0 --addr 10.40.$round.$i/16 --gateway 10.40.0.1"
			else
				echo "nsnet attach c$i br0"
			fi
		done | parallel
		[ "$failed" = 0 ] || fail "round $round: $failed attach failed: $errs"
		ports=$(ip -j link show master br0)
		assert_eq "$(jq length <<<"$ports")" "32" "round $round"
		assert_eq "$(jq '[.[] | select(.ifalias == "nsnet")] | length' <<<"$ports")" "32"
		# each namespace: lo and one eth0, the odd ones with their address
		got=$(for i in $(seq 32); do ip -n c$i -j addr; done | jq -s -r 'to_entries[] |
			"c\(.key + 1) \([.value[].ifname] | join(",")) \([.value[] |
			select(.ifname == "eth0") | .addr_info[] | select(.family == "inet") |
			.local] | join(","))"')
		# the odd ones have theirs; the even ones one the bridge's subnet
		# had free (attach picks one under the lock): 32 addresses, none twice
		want=$(for i in $(seq 32); do
			echo "c$i lo,eth0 $([ $((i % 2)) = 1 ] && echo "10.40.$round.$i" || echo AUTO)"
		done)
		assert_eq "$(sed -E 's/ 10\.40\.[0-9]+\.[0-9]+$/ ADDR/' <<<"$got")" \
			"$(sed -E 's/ (10\.40\.[0-9]+\.[0-9]+|AUTO)$/ ADDR/' <<<"$want")" "round $round"
		assert_eq "$(awk '{print $3}' <<<"$got" | sort -u | wc -l)" "32" "round $round: distinct"
		for i in $(seq 1 2 32); do
			assert_contains "$got" "c$i lo,eth0 10.40.$round.$i"
		done
		for i in $(seq 32); do echo "nsnet detach c$i br0"; done | parallel
		[ "$failed" = 0 ] || fail "round $round: $failed detach failed: $errs"
		assert_eq "$(ip -j link show master br0 | jq length)" "0"
		assert_eq "$(ip -j link | jq '[.[] | select(.link_netnsid != null and .ifname != "eth0")] | length')" "0"
	done
EOF
}

@test "32 publish and unpublish at once: no port lost or doubled, the table and the sysctls follow" {
	sandbox <<'EOF'
	shopt -s lastpipe  # parallel sets $failed from the end of a pipe
	# a bridge nsnet does not own: the table lives exactly as long as ports
	ip link add br1 type bridge
	ip addr add 10.41.0.1/24 dev br1
	ip link set br1 up
	nsnet ns add $(seq -f 'p%g' 32)
	for i in $(seq 32); do echo "nsnet attach p$i br1 --addr 10.41.0.$((i + 1))/24"; done | parallel
	[ "$failed" = 0 ] || fail "$errs"
	before=$(world)
	# each round publishes 16 new ports while it unpublishes the 16 of the
	# round before: the table must not be deleted under the new ones
	prev=
	round=0
	while round_more $((round += 1)); do
		base=$(( (round % 2) * 16 ))
		{
			for i in $(seq 16); do echo "nsnet publish p$((base + i)) $((8000 + base + i)):80"; done
			for i in $prev; do echo "nsnet unpublish p$i $((8000 + i)):80"; done
		} | parallel
		[ "$failed" = 0 ] || fail "round $round: $failed failed: $errs"
		want=$(for i in $(seq 16); do echo "$((8000 + base + i))"; done | sort)
		assert_eq "$(nft_elems ports | jq -r '.concat[1]' | sort)" "$want" "round $round: ports"
		assert_eq "$(nft_elems pub4any | wc -l)" "16" "round $round: mappings"
		assert_eq "$(nft_elems owners | jq -r '.elem.comment' | sort -u | wc -l)" "16"
		assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "1"
		prev=$(seq $((base + 1)) $((base + 16)))
	done
	for i in $prev; do echo "nsnet unpublish p$i $((8000 + i)):80"; done | parallel
	[ "$failed" = 0 ] || fail "$errs"
	assert_eq "$(world)" "$before"
	assert_eq "$(nft list tables | grep -c nsnet || true)" "0"
EOF
}

@test "8 ups of topologies sharing a bridge at once: one wins, the others change nothing; 8 downs" {
	sandbox <<'EOF'
	shopt -s lastpipe  # parallel sets $failed from the end of a pipe
	for k in $(seq 8); do
		cat > t$k.yaml <<Y
name: t$k
networks:
  lan: {bridge: shared_br, subnet: 10.42.0.0/24, nat: true}
nodes:
  n$k: {networks: {lan: }, publish: ["$((7000 + k)):80"]}
Y
	done
	before=$(world)
	round=0
	while round_more $((round += 1)); do
		for k in $(seq 8); do echo "nsnet up t$k.yaml"; done | parallel
		assert_eq "$failed" "7" "round $round: $errs"
		winner=$(ip -j link show shared_br | jq -r '.[0].ifalias')
		w=${winner#nsnet:t}
		[ -n "$w" ] && [ -e "par.d/$w.out" ] && [ ! -e "par.d/$w.fail" ] ||
			fail "round $round: the bridge is marked $winner"
		assert_contains "$errs" "shared_br that is not part of topology"
		assert_eq "$(ip netns list | awk '{print $1}' | grep -v upstream | tr '\n' ' ')" "n$w "
		assert_eq "$(ls /run/nsnet/topo)" "t$w"
		assert_eq "$(nft_elems ports | jq -r '.concat[1]')" "$((7000 + w))"
		assert_eq "$(nsnet status t$w --json | jq .in_sync)" "true"
		# down is idempotent: the 7 that are not up say so and exit 0
		for k in $(seq 8); do echo "nsnet down t$k"; done | parallel
		assert_eq "$failed" "0" "round $round: $errs"
		assert_eq "$(cat par.d/*.out | grep -c 'nothing to do')" "7" "round $round"
		assert_eq "$(world)" "$before" "round $round"
	done
EOF
}

@test "up racing down of the same topology: always all or nothing, never half" {
	sandbox <<'EOF'
	shopt -s lastpipe  # parallel sets $failed from the end of a pipe
	cat > r.yaml <<'Y'
name: race
networks:
  lan: {bridge: race_br, subnet: 10.43.0.0/24, nat: true}
nodes:
  a: {networks: {lan: }, publish: ["7100:80"]}
Y
	for i in $(seq 2 12); do echo "  n$i: {networks: {lan: }}" >> r.yaml; done
	before=$(world)
	round=0
	while round_more $((round += 1)); do
		# downs that start at some point of an up (0 to 90 ms in)
		printf 'nsnet up r.yaml\nsleep 0.0%d; nsnet down race\nsleep 0.0%d; nsnet up r.yaml\nsleep 0.0%d; nsnet down r.yaml\n' \
			$((RANDOM % 10)) $((RANDOM % 10)) $((RANDOM % 10)) | parallel
		if [ -d /run/nsnet/topo/race ]; then
			assert_eq "$(nsnet status race --json | jq .in_sync)" "true" "round $round"
			assert_eq "$(ip -j link show master race_br | jq length)" "12"
			nsnet down race
		fi
		assert_eq "$(world)" "$before" "round $round"
	done
EOF
}

@test "64 ns add and ns del at once: every namespace has its record, no record is left without one" {
	sandbox <<'EOF'
	shopt -s lastpipe  # parallel sets $failed from the end of a pipe
	nsnet ns add $(seq -f 'm%g' 16)
	round=0
	while round_more $((round += 1)); do
		# each name added and deleted at once, twice: whatever wins, the
		# record and the namespace agree
		for i in $(seq 16); do
			echo "nsnet ns add m$i"; echo "nsnet ns del m$i"
			echo "nsnet ns del m$i"; echo "nsnet ns add m$i"
		done | parallel
		for f in par.d/*.fail; do
			[ -e "$f" ] || continue
			grep -qE 'already exists|does not exist' "${f%.fail}.out" ||
				fail "round $round: $(cat "$f" "${f%.fail}.out")"
		done
		assert_eq "$(ls /run/netns | grep -v upstream | sort)" \
			"$(ls /run/nsnet/ns | grep -v upstream | sort)" "round $round"
		for ns in $(ls /run/netns | grep -v upstream); do
			ip netns exec $ns true || fail "round $round: $ns is not a namespace"
		done
	done
	ls /run/netns | grep -v upstream | sed 's/^/nsnet ns del /' | parallel
	[ "$failed" = 0 ] || fail "$errs"
	assert_eq "$(ls /run/nsnet/ns)" "upstream"
EOF
}
