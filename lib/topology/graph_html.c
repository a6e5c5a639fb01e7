// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * graph_html.c - the picture as one self-contained HTML page: the SVG of
 * graph_svg.c, a list of the nodes, a filter, and the topology as JSON
 * for the page's script. Nothing is loaded from elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "topology/graph.h"

/* ---- HTML ---------------------------------------------------------------------------- */

static json_t *html_data(const struct graph *g)
{
	const struct topo *t = g->t;
	json_t *nodes = json_array(), *nets = json_array();
	size_t i, k;

	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		json_t *addrs = json_array(), *on = json_array(), *pub = json_array();
		char a[200], why[2048];

		for (k = 0; k < nd->n_att; k++) {
			graph_att_addrs(&nd->att[k], a, sizeof(a));
			if (a[0])
				json_array_append_new(addrs, json_string(a));
			json_array_append_new(on, json_string(t->nets[nd->att[k].net].name));
		}
		for (k = 0; k < nd->n_publish; k++)
			json_array_append_new(pub, json_string(nd->publish[k]));
		graph_node_why(g, i, why, sizeof(why));
		json_array_append_new(nodes, json_pack("{s:s,s:s,s:o,s:o,s:o,s:s}", "name", nd->name,
			"state", graph_state_name[graph_card_state(g, i, SIZE_MAX, true)],
			"addresses", addrs, "networks", on, "published", pub, "why", why));
	}
	for (i = 0; i < t->n_nets; i++) {
		char sub[160];

		graph_net_subnets(&t->nets[i], sub, sizeof(sub));
		json_array_append_new(nets, json_pack("{s:s,s:s,s:s,s:s}", "name", t->nets[i].name,
			"bridge", t->nets[i].bridge, "subnet", sub, "state",
			graph_state_name[graph_state_worse(g->nets[i].st, g->nats[i].st)]));
	}
	return json_pack("{s:s,s:b,s:i,s:o,s:o}", "name", t->name, "live", g->live,
			 "differences", (int)g->n_diff, "nodes", nodes, "networks", nets);
}

static const char html_css[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:0;color:#1d2733}"
	"header{padding:10px 16px;border-bottom:1px solid #d0d7de;display:flex;gap:16px;align-items:center}"
	"header h1{font-size:18px;margin:0}"
	"main{display:flex;align-items:flex-start}"
	"#picture{flex:1;overflow:auto;max-height:calc(100vh - 52px)}"
	"aside{width:300px;padding:8px 12px;border-left:1px solid #d0d7de;overflow:auto;"
	"max-height:calc(100vh - 52px);font-size:13px}"
	"aside h2{font-size:14px;margin:8px 0}"
	"#node-list{list-style:none;padding:0;margin:0}"
	"#node-list li{padding:3px 6px;border-radius:4px;cursor:pointer;border-left:4px solid #4a78a8}"
	"#node-list li.state-up{border-color:#2e8b57}#node-list li.state-drifted{border-color:#d98200}"
	"#node-list li.state-missing{border-color:#c62828}"
	"#node-list li.hl,.card.hl>rect{background:#ffe9a8;fill:#ffe9a8 !important}"
	".card.dim{opacity:.25}#node-list li[hidden]{display:none}";

/* Hover highlights a node's cards and list entry together; the filter
 * dims the cards that do not match; a click scrolls to the first card. */
static const char html_js[] =
	"(function(){\n"
	"var data=JSON.parse(document.getElementById('topology-data').textContent);\n"
	"var list=document.getElementById('node-list'),byName={};\n"
	"document.querySelectorAll('[data-node]').forEach(function(e){\n"
	"  var n=e.getAttribute('data-node');(byName[n]=byName[n]||[]).push(e);});\n"
	"data.nodes.forEach(function(n){\n"
	"  var li=document.createElement('li');li.setAttribute('data-node',n.name);\n"
	"  li.className='state-'+n.state;\n"
	"  li.textContent=n.name+(n.addresses.length?' \\u2014 '+n.addresses.join(', '):'')+\n"
	"    (data.live&&n.state!=='up'?' ('+n.state+')':'');\n"
	"  if(n.why)li.title=n.why;\n"
	"  li.addEventListener('click',function(){var c=(byName[n.name]||[])[0];\n"
	"    if(c&&c.scrollIntoView)c.scrollIntoView({block:'center',inline:'center'});});\n"
	"  list.appendChild(li);(byName[n.name]=byName[n.name]||[]).push(li);});\n"
	"function mark(ev,on){var e=ev.target.closest&&ev.target.closest('[data-node]');\n"
	"  if(!e)return;(byName[e.getAttribute('data-node')]||[]).forEach(function(x){\n"
	"    x.classList.toggle('hl',on);});}\n"
	"document.addEventListener('mouseover',function(ev){mark(ev,true);});\n"
	"document.addEventListener('mouseout',function(ev){mark(ev,false);});\n"
	"document.getElementById('filter').addEventListener('input',function(){\n"
	"  var q=this.value.toLowerCase();\n"
	"  data.nodes.forEach(function(n){var hit=!q||n.name.toLowerCase().indexOf(q)>=0||\n"
	"    n.addresses.join(' ').indexOf(q)>=0;\n"
	"    (byName[n.name]||[]).forEach(function(x){if(x.tagName==='LI')x.hidden=!hit;\n"
	"      else x.classList.toggle('dim',!hit);});});});\n"
	"document.getElementById('count').textContent=data.nodes.length+' nodes, '+\n"
	"  data.networks.length+' networks'+(data.live?', '+data.differences+' differences':'');\n"
	"})();\n";

void graph_html_write(struct graph *g)
{
	FILE *f = g->f;
	json_t *data = html_data(g);
	char *js = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER), *c;

	json_decref(data);
	if (!js)
		abort();
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>nsnet: topology ", f);
	graph_xml_esc(f, g->t->name);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>topology ", html_css);
	graph_xml_esc(f, g->t->name);
	fputs("</h1><span id=\"count\"></span>"
	      "<input id=\"filter\" type=\"search\" placeholder=\"find a node or address\"></header>\n"
	      "<main>\n<section id=\"picture\">\n", f);
	graph_svg_write(g, false);
	fputs("</section>\n<aside><h2>Nodes</h2><ul id=\"node-list\"></ul></aside>\n</main>\n"
	      "<script type=\"application/json\" id=\"topology-data\">", f);
	/* '<' inside a script element could close it: \u003c is the same
	 * character to JSON.parse */
	for (c = js; *c; c++)
		if (*c == '<')
			fputs("\\u003c", f);
		else
			fputc(*c, f);
	free(js);
	fprintf(f, "</script>\n<script>\n%s</script>\n</body>\n</html>\n", html_js);
}
