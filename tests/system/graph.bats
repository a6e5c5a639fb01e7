#!/usr/bin/env bats
# nsnet graph: a picture of a topology file (no kernel, no root) or of a
# topology that is up (with each object's state), checked by independent
# readers: Python's XML parser, Graphviz, headless Chromium.
load helpers

# The text an SVG shows, one line per <text> element (entities resolved).
svg_texts() {
	python3 -c 'import sys, xml.dom.minidom as m
for t in m.parse(sys.argv[1]).getElementsByTagName("text"):
    print("".join(c.data for c in t.childNodes if c.nodeType == c.TEXT_NODE))' "$1"
}
export -f svg_texts

@test "graph FILE: valid SVG with the nodes and addresses, without root or the kernel" {
	sandbox <<'EOF'
	cp "$NSNET_ROOT"/examples/docker-style.yaml "$NSNET_ROOT"/examples/seed000.yaml .
	chmod 755 .
	# as nobody, with no capability: a file is drawn without touching the kernel
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NSNET" graph docker-style.yaml > ds.svg
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NSNET" graph seed000.yaml --format svg > s0.svg
	for f in ds.svg s0.svg; do
		python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' $f
	done
	# the nodes, their addresses, networks, bridges, the way out
	svg=$(cat ds.svg)
	for s in 'data-node="web"' 'data-node="api"' 'data-node="db"' 172.30.1.10 172.30.1.20 \
		172.30.2.20 172.30.2.30 'network frontend' 'network backend' 'bridge fe_br' \
		'bridge be_br' '>NAT<' '>internal<' '>upstream<' '>host<' '8080:80/tcp'; do
		assert_contains "$svg" "$s"
	done
	# api is on both networks: a card in each box
	assert_eq "$(grep -c 'data-node="api"' ds.svg)" "2"
	svg=$(cat s0.svg)
	for s in 'data-node="web"' 'data-node="database"' 10.10.0.10 10.10.0.20 'bridge app_br' \
		'gateway 10.10.0.1'; do
		assert_contains "$svg" "$s"
	done
	# no state from a file
	assert_contains "$svg" 'class="card file" data-node="web"'
	assert_not_contains "$svg" 'class="card up"'
	# nothing was created
	assert_eq "$(ip -j link | jq '[.[] | select(.ifname == "app_br")] | length')" "0"
	# -o with the file's extension chooses the format
	nsnet graph seed000.yaml -o s0.mmd
	assert_eq "$(head -1 s0.mmd)" "graph LR"
	expect_status 2 nsnet graph seed000.yaml --format png
	assert_contains "$out" 'format "png"'
	expect_status 2 nsnet graph
EOF
}

@test "graph --format dot renders with Graphviz; mermaid has the edges" {
	sandbox <<'EOF'
	nsnet graph "$NSNET_ROOT"/examples/docker-style.yaml --format dot > ds.dot
	dot -Tsvg ds.dot > rendered.svg
	texts=$(svg_texts rendered.svg)
	for s in web api db 'eth0 172.30.1.10' 'eth1 172.30.2.20' 'bridge fe_br' 'bridge be_br' \
		'network frontend' 'publish 8080:80/tcp' NAT internal upstream host; do
		assert_contains "$texts" "$s"
	done
	# a cable and a cable to the host (the name rule keeps names free of
	# anything that needs quoting: a quote in a name is refused)
	cat > cables.yaml <<'YAML'
name: wired
nodes:
  red: {}
  blue.x: {}
  ns1: {}
cables:
  - {a: red, a_if: veth-red, a_addr: 192.168.15.1/24, b: blue.x, b_if: veth-blue, b_addr: 192.168.15.2/24}
  - {a: host, a_if: v-eth1, a_addr: 10.200.1.1/24, b: ns1, b_if: v-peer1, b_addr: 10.200.1.2/24}
YAML
	nsnet graph cables.yaml --format dot | dot -Tsvg > cables.svg
	assert_contains "$(svg_texts cables.svg)" "host:v-eth1 10.200.1.1/24"
	assert_contains "$(svg_texts cables.svg)" 'blue.x:veth-blue 192.168.15.2/24'
	nsnet graph cables.yaml > own.svg
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' own.svg
	assert_contains "$(cat own.svg)" 'data-node="blue.x"'
	sed 's/blue\.x/"blue\\"x"/g' cables.yaml > quoted.yaml
	expect_status 2 nsnet graph quoted.yaml
	assert_contains "$out" "contains '\"'"

	nsnet graph "$NSNET_ROOT"/examples/docker-style.yaml --format mermaid > ds.mmd
	assert_eq "$(head -1 ds.mmd)" "graph LR"
	m=$(cat ds.mmd)
	assert_contains "$m" 'n_web ---|"eth0 172.30.1.10"| bridge_fe_br'
	assert_contains "$m" 'n_api ---|"eth0 172.30.1.20"| bridge_fe_br'
	assert_contains "$m" 'n_api ---|"eth1 172.30.2.20"| bridge_be_br'
	assert_contains "$m" 'n_db ---|"eth0 172.30.2.30"| bridge_be_br'
	assert_contains "$m" 'host ---|"NAT"| bridge_fe_br'
	assert_contains "$m" 'host ---|"internal"| bridge_be_br'
	assert_contains "$m" 'host -.-|"publish 8080:80/tcp"| n_web'
	m=$(nsnet graph cables.yaml --format mermaid)
	assert_contains "$m" 'n_red ===|"cable red:veth-red 192.168.15.1/24'
	assert_contains "$m" 'host ===|"cable host:v-eth1 10.200.1.1/24'
EOF
}

@test "graph --format html: one page that headless Chromium shows without a server" {
	sandbox <<'EOF'
	nsnet graph "$NSNET_ROOT"/examples/docker-style.yaml --format html -o ds.html
	# self-contained: no URL but the SVG namespace
	assert_eq "$(grep -oE '(src|href)=|https?://[^"]*' ds.html | sort -u)" "http://www.w3.org/2000/svg"
	# inside the sandbox Chromium has no network to reach anyway
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$(mktemp -d)" --dump-dom "file://$PWD/ds.html" > dom.html 2>/dev/null
	# the list is built by the page's script: it ran
	list=$(grep -o '<ul id="node-list">.*</ul>' dom.html)
	assert_contains "$list" '<li data-node="web" class="state-file">web — 172.30.1.10</li>'
	assert_contains "$list" '<li data-node="api" class="state-file">api — 172.30.1.20, 172.30.2.20</li>'
	assert_contains "$list" '<li data-node="db" class="state-file">db — 172.30.2.30</li>'
	assert_contains "$(cat dom.html)" '<span id="count">3 nodes, 2 networks</span>'
	assert_contains "$(cat dom.html)" '<svg xmlns="http://www.w3.org/2000/svg" id="topology"'
EOF
}

@test "graph NAME: each object's state from the kernel: up, drifted, missing" {
	sandbox <<'EOF'
	nsnet up "$NSNET_ROOT"/examples/docker-style.yaml > /dev/null
	nsnet graph shopfront > up.svg
	assert_eq "$(grep -o 'class="card [a-z]*" data-node="[a-z]*"' up.svg | sort -u)" \
'class="card up" data-node="api"
class="card up" data-node="db"
class="card up" data-node="web"'
	assert_contains "$(cat up.svg)" "state from the kernel: matches the file"
	# one veth deleted, one set down, by hand
	ip -n db link del eth0
	ip link set "$(ip -j link show master fe_br | jq -r '.[] | select(.ifname | startswith("web")) | .ifname')" down
	nsnet graph shopfront > drift.svg
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' drift.svg
	assert_eq "$(grep -o 'class="card [a-z]*" data-node="[a-z]*"' drift.svg | sort -u)" \
'class="card drifted" data-node="web"
class="card missing" data-node="db"
class="card up" data-node="api"'
	assert_contains "$(cat drift.svg)" "db eth0 on be_br"
	assert_contains "$(cat drift.svg)" ">missing</text>"
	assert_contains "$(cat drift.svg)" ">drifted</text>"
	m=$(nsnet graph shopfront --format mermaid)
	assert_contains "$m" "class n_db missing"
	assert_contains "$m" "class n_web drifted"
	nsnet graph shopfront --format dot | dot -Tsvg > /dev/null
	nsnet graph shopfront --format html -o live.html
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$(mktemp -d)" --dump-dom "file://$PWD/live.html" > dom.html 2>/dev/null
	assert_contains "$(cat dom.html)" '<li data-node="db" class="state-missing"'
	assert_contains "$(cat dom.html)" '<li data-node="web" class="state-drifted"'
	# up repairs: all up again
	nsnet up "$NSNET_ROOT"/examples/docker-style.yaml > /dev/null
	assert_not_contains "$(nsnet graph shopfront)" 'class="card missing"'
	expect_status 1 nsnet graph nosuchtopology
	assert_contains "$out" "is not up"
EOF
}

@test "graph of 1,000 nodes: valid, grouped per network, no card on another" {
	sandbox <<'EOF'
	{ echo "name: big"; echo "networks:"
	  echo "  lan: {bridge: br0, subnet: 10.90.0.0/16, nat: true}"
	  echo "  dmz: {bridge: br1, subnet: 10.91.0.0/16}"
	  echo "nodes:"
	  for ((i = 0; i < 1000; i++)); do
		if ((i % 10 == 0)); then
			echo "  n$i: {networks: {lan: , dmz: }, publish: [\"$((10000 + i)):80/tcp\"]}"
		else
			echo "  n$i: {networks: {lan: }}"
		fi
	  done
	  echo "cables:"
	  echo "  - {a: n1, b: n2, a_addr: 192.168.1.1/30, b_addr: 192.168.1.2/30}"
	  echo "  - {a: host, b: n3}"
	} > big.yaml
	# timing lives in docs/graph.md; here only a bound against a blow-up
	# (15 ms measured for either)
	for f in svg html; do
		timeout 60 "$NSNET" graph big.yaml --format $f > big.$f
	done
	python3 - big.svg <<'PY'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
cards = [g for g in doc.getElementsByTagName("g") if g.getAttribute("class").startswith("card ")
         and g.getAttribute("data-node")]
assert len(cards) == 1100, len(cards)          # 1,000 nodes, 100 of them on both networks
svg = doc.documentElement
w, h = float(svg.getAttribute("width")), float(svg.getAttribute("height"))
# a grid, not one row: neither side runs away
assert w < 4000 and h < 12000, (w, h)
# no two cards overlap
rects = sorted((float(r.getAttribute("x")), float(r.getAttribute("y")))
               for g in cards for r in g.getElementsByTagName("rect"))
assert len(set(rects)) == len(rects)
PY
	nsnet graph big.yaml --format dot > big.dot
	nsnet graph big.yaml --format mermaid > big.mmd
	assert_eq "$(grep -c -- '---|' big.mmd)" "$((1 + 2 + 1100))"
EOF
}

@test "the README's picture is what nsnet graph draws of examples/docker-style.yaml now" {
	# regenerate with: nsnet graph examples/docker-style.yaml -o docs/docker-style.svg
	assert_contains "$(cat "$NSNET_ROOT"/README.md)" "](docs/docker-style.svg)"
	sandbox <<'EOF'
	nsnet graph "$NSNET_ROOT"/examples/docker-style.yaml --format svg > now.svg
	diff -u "$NSNET_ROOT"/docs/docker-style.svg now.svg >&2 ||
		fail "docs/docker-style.svg is stale: nsnet graph examples/docker-style.yaml -o docs/docker-style.svg"
EOF
}

@test "graph: a cable end's NAT (seed 003) is the way out in every format" {
	sandbox <<'EOF'
	f=$NSNET_ROOT/examples/seed003.yaml
	nsnet graph "$f" > s3.svg
	texts=$(svg_texts s3.svg)
	assert_contains "$texts" "host:v-eth1 10.200.1.1/24 NAT"
	assert_contains "$texts" "NAT v-eth1 → the way out"
	assert_contains "$texts" "forwarding on (NAT)"
	nsnet graph "$f" --format dot | dot -Tsvg > s3dot.svg
	assert_contains "$(svg_texts s3dot.svg)" "host:v-eth1 10.200.1.1/24 NAT"
	assert_contains "$(svg_texts s3dot.svg)" "forwarding on (NAT)"
	assert_contains "$(nsnet graph "$f" --format mermaid)" 'host ===|"cable host:v-eth1 10.200.1.1/24 NAT'
	sed 's/a_nat: true/a_nat: {out: eth0}/' "$f" > out.yaml
	assert_contains "$(svg_texts <(nsnet graph out.yaml))" "NAT v-eth1 → eth0"
EOF
}
