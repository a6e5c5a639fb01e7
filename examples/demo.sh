#!/usr/bin/env bash
# The README's demo: seed 000 (web and database behind app_br, with a way
# out) rebuilt with nsnet inside `nsnet sandbox`, whose simulated internet
# answers on 203.0.113.0/24. Nothing here touches the real host.
set -euo pipefail
nsnet=${1:-nsnet}
run() { printf '\n$ nsnet %s\n' "$*"; "$nsnet" "$@"; }

run ns add web database
run bridge add app_br --addr 10.10.0.1/16
run attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1
run attach database app_br --addr 10.10.0.20/16 --gateway 10.10.0.1
run ping web 10.10.0.20 -c 2 -i 0.2
run forward on
run nat add app_br
run ping web 203.0.113.10 -c 2 -i 0.2
run show
