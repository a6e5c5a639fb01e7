#!/usr/bin/env bats
# The README's tour runs top to bottom as written: every command line of
# its "A tour" section (indented, starting with "nsnet"), in order, in one
# sandbox, from the top of the checkout.
load helpers

@test "README: the tour's commands run as written, in order" {
	sed -n '/^## A tour/,/^## Layout/p' "$NSNET_ROOT/README.md" |
		grep -E '^    nsnet ' | sed 's/^    //' > "$BATS_TEST_TMPDIR/tour"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/tour")" -ge 30 ] || fail "few commands found"
	export TOUR=$BATS_TEST_TMPDIR/tour
	# "nsnet sandbox -- nsnet ns list" runs nsnet as a program
	export PATH=$(dirname "$NSNET"):$PATH
	sandbox <<'EOF'
	cd "$NSNET_ROOT"
	export SHELL=/bin/sh
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		# a diagnosis may find a problem (exit 1): that is what it is for
		case $line in
		"nsnet doctor"*|"nsnet trace "*|"nsnet check"*|"nsnet traceroute"*) ok="0 1" ;;
		*) ok="0" ;;
		esac
		set +e
		out=$(timeout 60 bash -c "$line" </dev/null 2>&1)
		rc=$?
		set -e
		[[ " $ok " == *" $rc "* ]] || fail "tour line $n, '$line', exited $rc: $out"
		for bad in "does not exist" "unknown" "no such" "not up"; do
			[[ $out != *"$bad"* ]] || fail "tour line $n, '$line': $out"
		done
	done < "$TOUR"
	echo "$n lines" >&2
	# the tour ends with everything down again
	assert_eq "$(nsnet status)" "no topology is up"
EOF
}
