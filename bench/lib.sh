# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers shared by the bench/ scripts; source it, do not run it.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_find_nsnet              # sets NSNET (env, build-release/, build/)
#   bench_sandbox <<'EOF' ... EOF # stdin as a bash script in a throwaway net
#   bench_now_us T0               # T0=wall clock in microseconds, no fork
#   bench_median 5 3 9            # -> 5
#   bench_ms 1234                 # microseconds -> "1.23"
#   bench_machine                 # "key: value" lines describing the machine
#
# Timing uses bash's $EPOCHREALTIME so the clock itself costs no process;
# every measured step is a loop of real process starts, like a user's script.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The nsnet binary: $NSNET if set, else a release build, else the default one.
bench_find_nsnet() {
	local c

	if [ -z "${NSNET:-}" ]; then
		for c in "$BENCH_ROOT/build-release/nsnet" "$BENCH_ROOT/build/nsnet"; do
			if [ -x "$c" ]; then
				NSNET=$c
				break
			fi
		done
	fi
	if [ -z "${NSNET:-}" ] || [ ! -x "$NSNET" ]; then
		echo "bench: no nsnet binary; build one and pass NSNET=/path/to/nsnet" >&2
		return 1
	fi
	NSNET=$(readlink -f "$NSNET")
	export NSNET
}

# Sets the named variable rather than printing: $(...) would fork, and a
# fork costs about as much as what some of the benchmarks measure.
bench_now_us() {
	printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"
}

# Median of integers; the mean of the two middle values for an even count.
bench_median() {
	local -a v
	local n

	mapfile -t v < <(printf '%s\n' "$@" | sort -n)
	n=${#v[@]}
	if [ "$n" -eq 0 ]; then
		echo 0
	elif [ $((n % 2)) -eq 1 ]; then
		echo "${v[n / 2]}"
	else
		echo $(((v[n / 2 - 1] + v[n / 2]) / 2))
	fi
}

# Microseconds as milliseconds with two decimals (integer arithmetic only).
bench_ms() {
	local us=$1 sign=""

	if [ "$us" -lt 0 ]; then
		sign=-
		us=$((-us))
	fi
	printf '%s%d.%02d' "$sign" $((us / 1000)) $(((us % 1000 + 5) / 10 % 100))
}

bench_machine() {
	local cpu mem

	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "cpus: $(nproc) x ${cpu:-unknown}"
	echo "memory: $mem"
	echo "kernel: $(uname -r) ($(uname -m))"
	if [ -r /etc/os-release ]; then
		echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
	fi
	echo "virtualization: $(systemd-detect-virt 2>/dev/null || echo unknown)"
	echo "iproute2: $(ip -V 2>/dev/null | sed 's/.*iproute2-//')"
}

# Runs stdin as a bash script in a fresh network and mount namespace with
# tmpfs over /run/netns, /run/nsnet and /etc/netns, so nothing a benchmark
# creates reaches the host. `nsnet sandbox` when it works, else the same
# isolation by hand. The script's environment is inherited.
bench_sandbox() {
	if [ -z "${BENCH_SANDBOX_FALLBACK:-}" ] && "$NSNET" sandbox -- true 2>/dev/null; then
		"$NSNET" sandbox -- bash -euo pipefail -s
	else
		unshare --net --mount --pid --fork --mount-proc bash -c '
			mount --make-rprivate /
			for d in /run/netns /run/nsnet /etc/netns; do
				mkdir -p $d
				mount -t tmpfs tmpfs $d
			done
			ip link set lo up
			exec bash -euo pipefail -s'
	fi
}

# Which sandbox bench_sandbox uses, for the report.
bench_sandbox_kind() {
	if [ -z "${BENCH_SANDBOX_FALLBACK:-}" ] && "$NSNET" sandbox -- true 2>/dev/null; then
		echo "nsnet sandbox"
	else
		echo "unshare --net --mount --pid (nsnet sandbox not available)"
	fi
}
