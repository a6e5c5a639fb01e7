#!/usr/bin/env bats
# The installed library: `meson install` of the build under test into a
# scratch root, then a program built only from the installed nsnet.h and
# `pkg-config nsnet` (tests/install/example.c) makes namespaces with it.
load helpers

setup() {
	build=$(dirname "$NSNET")
	[ -f "$build/meson-info/intro-buildoptions.json" ] ||
		skip "$build is not a meson build directory"
	root=$BATS_TEST_TMPDIR/root
	# --no-rebuild: other test files are running this build right now.
	meson install -C "$build" --no-rebuild --quiet --destdir "$root" >/dev/null
	pc=$(find "$root" -name nsnet.pc)
	[ -n "$pc" ] || fail "meson install put no nsnet.pc under $root"
	libdir=$(dirname "$(dirname "$pc")")
	bin=$(find "$root" -path '*/bin/nsnet')
}

@test "install: header, versioned library exporting only nsnet_*, pkg-config file" {
	[ -n "$(find "$root" -path '*/include/nsnet.h')" ] || fail "no include/nsnet.h"
	assert_eq "$(readlink "$libdir/libnsnet.so")" "libnsnet.so.0"
	assert_eq "$(readlink "$libdir/libnsnet.so.0")" "libnsnet.so.0.1.0"
	assert_eq "$(objdump -p "$libdir/libnsnet.so.0.1.0" | awk '/SONAME/ {print $2}')" \
		"libnsnet.so.0"
	# Defined dynamic symbols: nsnet_* and the version nodes, nothing else.
	assert_eq "$(nm -D --defined-only "$libdir/libnsnet.so" |
		awk '$3 !~ /^nsnet_/ && $3 !~ /^NSNET_0\.[0-9]+$/')" ""
	assert_contains "$(nm -D --defined-only "$libdir/libnsnet.so")" "nsnet_new@@NSNET_0.1"
	# what 0.2 added is in its own node
	assert_contains "$(nm -D --defined-only "$libdir/libnsnet.so")" "nsnet_check_run@@NSNET_0.2"
	# The installed CLI is linked to it and looks for it where it went.
	assert_contains "$(readelf -d "$bin")" "[libnsnet.so.0]"
	assert_contains "$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --libs nsnet)" "-lnsnet"
}

@test "install: the man pages and the bash and zsh completion" {
	[ -n "$(find "$root" -path '*/share/man/man8/nsnet.8')" ] || fail "no nsnet.8"
	[ -n "$(find "$root" -path '*/share/man/man5/nsnet-topology.5')" ] || fail "no nsnet-topology.5"
	[ -n "$(find "$root" -path '*/share/bash-completion/completions/nsnet')" ] ||
		fail "no bash completion"
	[ -n "$(find "$root" -path '*/share/zsh/site-functions/_nsnet')" ] || fail "no zsh completion"
}

@test "install: a program built against the installed header and library makes namespaces" {
	flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root" \
		pkg-config --cflags --libs nsnet)
	# A library built with ASan/UBSan needs the sanitizer runtime in the program.
	sanitize=$(jq -r '.[] | select(.name == "b_sanitize") | .value' \
		"$build/meson-info/intro-buildoptions.json")
	[ "$sanitize" = none ] || flags="-fsanitize=$sanitize $flags"
	cc -std=c11 -Wall -Wextra -Werror "$NSNET_ROOT/tests/install/example.c" $flags \
		-o "$BATS_TEST_TMPDIR/example"
	export EXAMPLE=$BATS_TEST_TMPDIR/example LIBDIR=$libdir INSTALLED_NSNET=$bin
	sandbox <<'EOF'
	listed=$(LD_LIBRARY_PATH=$LIBDIR "$EXAMPLE" left right | grep -v upstream)
	assert_eq "$(echo $listed)" "left right"
	assert_eq "$(ip -j netns list | jq -r '.[].name' | grep -v upstream | sort | tr '\n' ' ')" \
		"left right "
	assert_eq "$(ip -n left -j addr show veth-right |
		jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" "10.99.0.1"
	can_ping left 10.99.0.2
	# The installed CLI runs on the installed library as well.
	assert_contains "$(LD_LIBRARY_PATH=$LIBDIR "$INSTALLED_NSNET" ns list)" "right"
EOF
}
