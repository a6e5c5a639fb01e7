#!/usr/bin/env bash
# bench/deb.sh - build the Debian packages (nsnet, libnsnet0, libnsnet-dev)
# from the working tree with dpkg-buildpackage -b -us -uc in a scratch
# copy, then check them with lintian, which must report no error. Installs
# what it needs (debhelper, devscripts, lintian and the build dependencies)
# when it is missing. Prints the time each step took; the .debs are left in
# the directory it names.
#
#   sudo bench/deb.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-$(mktemp -d /tmp/nsnet-deb.XXXXXX)}
mkdir -p "$out"

now() { date +%s.%N; }
took() { printf 'deb: %-8s %6.1f s\n' "$1" "$(echo "$(now) - $2" | bc)"; }

t=$(now)
need=(dpkg-dev debhelper devscripts lintian fakeroot bc meson ninja-build pkg-config
	libmnl-dev libnftables-dev libyaml-dev libjansson-dev libpcap-dev)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "deb: run as root to install ${missing[*]}" >&2; exit 2; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
took install "$t"

# A copy of the tracked files: dpkg-buildpackage builds in the source tree
# and writes the packages beside it.
t=$(now)
src=$out/nsnet-$(sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
rm -rf "$src"
mkdir -p "$src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
	(cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$src"
(cd "$src" && dpkg-buildpackage -b -us -uc > "$out/build.log" 2>&1) ||
	{ tail -40 "$out/build.log"; echo "deb: dpkg-buildpackage failed (log: $out/build.log)"; exit 1; }
took build "$t"

t=$(now)
changes=$(ls "$out"/nsnet_*.changes)
set +e
lintian --fail-on error "$changes" > "$out/lintian.log" 2>&1
rc=$?
set -e
cat "$out/lintian.log"
took lintian "$t"
ls "$out"/*.deb
[ $rc -eq 0 ] || { echo "deb: lintian found errors"; exit 1; }
echo "deb: ok: $(ls "$out"/*.deb | wc -l) packages, lintian reports no error"
