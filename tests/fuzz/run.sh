#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] - build every fuzz target with clang's
# libFuzzer, ASan and UBSan against the library sources, run each for
# SECONDS (default 15) from its seed corpus, one line per target:
# "fuzz <target>: ok (<runs> runs)" or "fuzz <target>: FAILED" with the
# reproducer. Exit 1 if any failed; "skipped" when there is no libFuzzer.
# With FUZZ_BIN_DIR set, only builds the targets there (fuzz_<target>, and
# the list in FUZZ_BIN_DIR/targets) and exits: bench/fuzz-bench.sh runs them
# longer.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-15}
targets="names ping probe fw_spec topo packet netlink route trace cni"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc=$(command -v clang || command -v clang-14 || true)
if [ -z "$cc" ] || ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long s){return 0;}' |
	"$cc" -x c -fsanitize=fuzzer - -o "$work/probe" 2>/dev/null; then
	echo "fuzz: skipped (no clang/libFuzzer)"
	exit 0
fi
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-D_GNU_SOURCE -std=c11 -Iinclude -Ilib
	$(pkg-config --cflags libmnl jansson yaml-0.1 libnftables))
libs=($(pkg-config --libs libmnl jansson yaml-0.1) -ldl -lpthread)
# The whole library: a parser may call into any of it (route_parse,
# fw_spec_parse, attach_host_ifname...); nothing here touches the kernel.
# Compiled once (in parallel) with the fuzzer's coverage, linked into each.
flags_lib=("${flags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer-no-link,address,undefined}")
mkdir -p "$work/obj"
# lib/ is grouped in folders by layer: objects are named by their path
# (kernel/bridge.c and net/bridge.c both exist).
if ! find lib -name '*.c' | sort | xargs -P "$(nproc)" -I{} sh -c \
	'"$0" "$@" -c {} -o "'"$work"'/obj/$(echo {} | tr / _ | sed "s/\.c\$//").o"' "$cc" "${flags_lib[@]}" \
	>"$work/lib.build" 2>&1; then
	echo "fuzz: FAILED (build of lib/)"; cat "$work/lib.build"; exit 1
fi
sources=("$work"/obj/*.o)
failed=0
for target in $targets; do
	src=tests/fuzz/fuzz_$target.c
	bin=${FUZZ_BIN_DIR:-$work}/fuzz_$target
	if ! "$cc" "${flags[@]}" "$src" "${sources[@]}" "${libs[@]}" -o "$bin" \
		>"$work/$target.build" 2>&1; then
		echo "fuzz $target: FAILED (build)"; cat "$work/$target.build"; failed=1; continue
	fi
	[ -z "${FUZZ_BIN_DIR:-}" ] || { echo "$target" >>"$FUZZ_BIN_DIR/targets"; continue; }
	mkdir -p "$work/corpus-$target"
	cp tests/fuzz/corpus/$target/* "$work/corpus-$target/" 2>/dev/null
	if (cd "$work" && "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 \
		-print_final_stats=1 "corpus-$target") >"$work/$target.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
		echo "fuzz $target: ok (${runs:-?} runs)"
	else
		echo "fuzz $target: FAILED"
		grep -E "ERROR|SUMMARY|#[0-9]+ |Test unit written" "$work/$target.log" | head -30
		# The work directory goes away: show the reproducer's bytes too.
		for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[ -f "$f" ] || continue
			echo "reproducer $(basename "$f") (base64): $(base64 -w0 "$f")"
			rm -f "$f"
		done
		failed=1
	fi
done
exit $failed
