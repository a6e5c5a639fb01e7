#!/usr/bin/env bats
# The man pages and the shell completion, written by nsnet-gen from the
# same option tables as --help: they render, they name what --help names,
# and the bash completion completes commands, options, namespaces,
# topologies and interfaces when driven as bash drives it.
load helpers

setup() {
	export BUILD=$(dirname "$NSNET")
	[ -f "$BUILD/man/nsnet.8" ] || skip "no man page in $BUILD (not a meson build?)"
}

@test "man: nsnet(8) and nsnet-topology(5) render with man -l, without warnings" {
	for page in "$BUILD/man/nsnet.8" "$NSNET_ROOT/man/nsnet-topology.5"; do
		warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		assert_eq "$warn" "" "$page"
	done
	out=$(MANWIDTH=200 man -l "$BUILD/man/nsnet.8" 2>/dev/null)
	for section in SYNOPSIS COMMANDS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
		assert_contains "$out" "$section"
	done
	for f in /run/netns /run/nsnet /etc/netns NO_COLOR; do
		assert_contains "$out" "$f"
	done
	# every command and every option of its --help is in the man page
	cmds=$("$NSNET" help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}')
	for c in $cmds; do
		assert_contains "$out" "nsnet $c"
		for o in $("$NSNET" "$c" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			assert_contains "$out" "$o"
		done
	done
	topo=$(MANWIDTH=200 man -l "$NSNET_ROOT/man/nsnet-topology.5" 2>/dev/null)
	for key in networks nodes cables expect setup run publish sysctls routes a_nat b_nat rate loss delay jitter; do
		assert_contains "$topo" "$key"
	done
}

@test "bash completion: commands, subcommands, options and their values" {
	source "$BUILD/completion/nsnet"
	comp() {
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		_nsnet
		[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
	}
	assert_eq "$(comp nsnet stat)" "status "
	assert_eq "$(comp nsnet tr)" "trace traceroute "
	assert_eq "$(comp nsnet ns "")" "--help add del delete list ls "
	assert_eq "$(comp nsnet ping --cou)" "--count "
	assert_eq "$(comp nsnet ping -c 3 --ti)" "--timeout "
	assert_eq "$(comp nsnet attach --host)" "--host-ifname "
	assert_eq "$(comp nsnet graph x.yaml --format m)" "mermaid "
	assert_eq "$(comp nsnet forward o)" "off on "
	assert_eq "$(comp nsnet help n)" "nat ns "
	assert_eq "$(comp nsnet help ns a)" "add "
	assert_eq "$(comp nsnet link set host lo m)" "mtu "
	assert_contains "$(comp nsnet exec host l)" "ls "
}

@test "bash completion: namespaces, topologies and interfaces from what exists" {
	sandbox <<'EOF'
	source "$(dirname "$NSNET")/completion/nsnet"
	comp() {
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		_nsnet
		[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
	}
	nsnet ns add web database
	nsnet cable web database --addr 10.0.0.1/24 --peer-addr 10.0.0.2/24
	printf 'name: shop\nnodes:\n  shopnode: {}\n' > t.yaml
	nsnet up t.yaml >/dev/null
	assert_eq "$(comp nsnet ping w)" "web "
	assert_eq "$(comp nsnet ping -c1 web d)" "database "
	assert_eq "$(comp nsnet shell s)" "shopnode "
	assert_eq "$(comp nsnet down sh)" "shop "
	assert_eq "$(comp nsnet status s)" "shop "
	assert_eq "$(comp nsnet capture web "")" "any lo veth-database "
	assert_eq "$(comp nsnet link set database v)" "veth-web "
	assert_eq "$(comp nsnet addr add web veth-d)" "veth-database "
	assert_eq "$(comp nsnet capture -c 3 web any -n i)" ""
	nsnet bridge add app_br
	assert_eq "$(comp nsnet nat add a)" "app_br "
	assert_eq "$(comp nsnet up t.)" "t.yaml "
	nsnet down shop >/dev/null
EOF
}

@test "zsh completion: parses, and completes commands, subcommands and options" {
	command -v zsh >/dev/null || skip "no zsh"
	zsh -n "$BUILD/completion/_nsnet"
	assert_eq "$(head -1 "$BUILD/completion/_nsnet")" "#compdef nsnet"
	zc() { timeout 20 zsh -f "$NSNET_ROOT/tests/system/data/zsh-complete.zsh" \
		"$BUILD/completion" "$1" | tr -d '\r'; }
	assert_eq "$(zc 'nsnet stat')" "[nsnet status]"
	assert_eq "$(zc 'nsnet ns a')" "[nsnet ns add]"
	assert_contains "$(zc 'nsnet ping --cou')" "[nsnet ping --count"
	assert_contains "$(zc 'nsnet attach --host')" "[nsnet attach --host-ifname"
}
