#!/usr/bin/env bash
# tests/unit/layers.sh - the shape of lib/ that docs/architecture.md
# promises, checked so it stays true:
#  - a file includes only headers of its own layer and of the layers below
#    it (base < kernel < firewall < net < run < topology < cni < diagnosis);
#  - no library code calls a public nsnet_* function (the public functions
#    are thin wrappers; the layers call each other's internal functions);
#  - no source file of lib/ is over 1,000 lines;
#  - the library prints nothing (no printf/fprintf/puts on stdout/stderr);
#  - src/ includes nothing from lib/.
# Prints one line per violation and exits 1 if there is any.
set -uo pipefail
cd "$(dirname "$0")/../.."
order=(base kernel firewall net run topology cni diagnosis)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
bad=0
for f in lib/*/*.[ch]; do
	layer=${f#lib/}; layer=${layer%%/*}
	r=$(rank "$layer")
	[ "$r" -ge 0 ] || { echo "$f: folder $layer is not a layer of docs/architecture.md"; bad=1; continue; }
	while read -r inc; do
		l=${inc%%/*}
		ri=$(rank "$l")
		if [ "$ri" -lt 0 ] || [ "$ri" -gt "$r" ]; then
			echo "$f includes $inc: $l is not below $layer"; bad=1
		fi
	done < <(sed -n 's/^#include "\([a-z_]*\/[a-z_]*\.h\)".*/\1/p' "$f")
done
# Calls of the public API from inside the library (comments excepted).
while IFS= read -r hit; do
	echo "public API called inside the library: $hit"; bad=1
done < <(grep -nE '\bnsnet_[a-z_0-9]+\(' lib/*.c lib/*/*.c |
	grep -vE ':[0-9]+:(NSNET_EXPORT|\s*/?\*)' |
	grep -vE ':[0-9]+:.*//' )
for f in lib/*.c lib/*/*.c; do
	n=$(wc -l < "$f")
	[ "$n" -le 1000 ] || { echo "$f has $n lines (more than 1,000)"; bad=1; }
done
while IFS= read -r hit; do
	echo "the library prints: $hit"; bad=1
done < <(grep -nE '\b(printf|puts|putchar)\(|fprintf\((stdout|stderr)|fputs\([^;]*(stdout|stderr)' lib/*.c lib/*/*.c)
while IFS= read -r hit; do
	echo "src/ reaches into lib/: $hit"; bad=1
done < <(grep -nE '#include "(base|kernel|firewall|net|run|topology|cni|diagnosis)/' src/*.c src/*.h 2>/dev/null)
[ "$bad" -eq 0 ] && echo "layers: lib/ keeps its shape"
exit "$bad"
