#!/usr/bin/env bash
# The README's demo, run inside `nsnet sandbox` (a throwaway network whose
# simulated internet answers on 203.0.113.0/24; nothing here touches the
# real host): seed walkthrough 000 — web and database behind app_br, with a
# way out — from examples/seed000.yaml.
set -euo pipefail
nsnet=${1:-nsnet}
cd "$(dirname "$0")"
run() { printf '\n\033[1m$ nsnet %s\033[0m\n' "$*"; "$nsnet" "$@"; }

run plan seed000.yaml          # what up will do, as ip/nft commands
run up seed000.yaml
run ping web database -c 2 -i 0.2
run ping web 203.0.113.10 -c 2 -i 0.2
run check shop                 # every pair, and the file's expectations
run trace web 203.0.113.10     # one probe, seen at every hop (NAT included)
run show web
run up seed000.yaml            # converged: nothing to do
run status shop
run down shop
printf '\nThe same network by hand: see the tour in README.md.\n'
