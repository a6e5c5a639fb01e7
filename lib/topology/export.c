// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export.c - a topology file (docs/topology.md) for what exists now, so
 * that a network built command by command can be kept, diffed and rebuilt
 * with `nsnet up`.
 *
 * export_read.c reads the kernel and the firewall, export_model.c turns
 * what it read into networks, nodes and cables; this file writes them as
 * YAML. What a file cannot say (a node without a default route, NAT on a
 * cable end, a second address on an interface, ...) is written as a
 * comment at the place it concerns, so that the difference is visible,
 * and the text is parsed again before it is returned: what export writes,
 * up reads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/export.h"

/* ---- helpers the pieces share ------------------------------------------------ */

void export_note(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	ARRAY_GROW(n->v, n->n);
	n->v[n->n++] = s;
}

static void notes_free(struct notes *n)
{
	strv_free(n->v, n->n);
	memset(n, 0, sizeof(*n));
}

const char *export_bridge_name(const struct xport *X, const struct xnet *n)
{
	return X->ns[0].links[n->link].l.name;
}

const char *export_ipstr(const struct ipaddr *ip, bool prefix, char *buf, size_t len)
{
	struct ipaddr x = *ip;

	if (!prefix)
		x.prefix = -1;
	return ip_str(&x, buf, len);
}

/* ---- writing YAML --------------------------------------------------------------- */

/* A scalar as it is when plain YAML reads it back the same, else quoted. */
static void yq(FILE *f, const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off",
		"null", "y", "n" };
	size_t i, len = strlen(s);
	bool plain = len && *s != '-' && *s != '.' && *s != ' ' && s[len - 1] != ' ';
	const char *c;

	/* letters, digits, "_-./", single inner spaces ("10.0.0.0/8 via
	 * 10.1.0.1") and an inner '%' ("0.5%"): nothing YAML gives a
	 * meaning to */
	for (c = s; *c && plain; c++)
		plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			(*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.' ||
			*c == '/' || (*c == ' ' && c[1] != ' ') || (*c == '%' && c != s);
	for (i = 0; plain && i < ARRAY_SIZE(words); i++)
		plain = strcasecmp(s, words[i]) != 0;
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

/* One key of write_impair: in a flow mapping after what *first says was
 * written before it, or as a line of a block mapping. */
static void impair_key(FILE *f, bool block, bool *first, const char *key,
		       const char *value)
{
	fprintf(f, "%s%s: ", block ? "    " : *first ? "" : ", ", key);
	yq(f, value);
	if (block)
		fputc('\n', f);
	*first = false;
}

/* A time in µs as the file writes it: "20ms", "1500us". */
static const char *impair_time(unsigned int us, char *buf, size_t len)
{
	snprintf(buf, len, "%u%s", us % 1000 ? us : us / 1000, us % 1000 ? "us" : "ms");
	return buf;
}

/* rate:, loss:, delay:, jitter: of a link, in units that read back as the
 * kernel keeps them (10mbit, 0.5%, 20ms); nothing for a link without.
 * block: lines of a cable; else keys of an attachment's flow mapping,
 * after an address when first is false. */
static void write_impair(FILE *f, const struct nsnet_link_impair *imp, bool block,
			 bool first)
{
	static const struct { const char *unit; uint64_t f; } rates[] = {
		{ "gbit", 1000000000 }, { "mbit", 1000000 }, { "kbit", 1000 }, { "bit", 1 },
	};
	char v[48];
	size_t i;

	for (i = 0; imp->rate_bps && i < ARRAY_SIZE(rates); i++)
		if (imp->rate_bps % rates[i].f == 0) {
			snprintf(v, sizeof(v), "%llu%s",
				 (unsigned long long)(imp->rate_bps / rates[i].f), rates[i].unit);
			impair_key(f, block, &first, "rate", v);
			break;
		}
	if (imp->loss_pct > 0) {
		snprintf(v, sizeof(v), "%.7g%%", imp->loss_pct);
		impair_key(f, block, &first, "loss", v);
	}
	if (imp->delay_us) {
		impair_key(f, block, &first, "delay", impair_time(imp->delay_us, v, sizeof(v)));
		if (imp->jitter_us)
			impair_key(f, block, &first, "jitter",
				   impair_time(imp->jitter_us, v, sizeof(v)));
	}
}

static void write_notes(FILE *f, const struct notes *n, const char *indent)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		fprintf(f, "%s# %s\n", indent, n->v[i]);
}

static void write_yaml(struct xport *X, FILE *f, const char *name)
{
	size_t i, k;
	char s[64];
	int fam;

	fputs("# Written by nsnet export from what exists now; nsnet up rebuilds it.\n", f);
	write_notes(f, &X->top, "");
	fputs("name: ", f);
	yq(f, name);
	fputc('\n', f);
	if (X->n_nets)
		fputs("networks:\n", f);
	for (i = 0; i < X->n_nets; i++) {
		struct xnet *net = &X->nets[i];

		if (net->skip)
			continue;
		write_notes(f, &net->notes, "  ");
		fputs("  ", f);
		yq(f, export_bridge_name(X, net));
		fputs(":\n", f);
		for (k = 0; k < 2; k++) {
			const char *key = k ? "gateway" : "subnet";
			int n = 0;

			for (fam = 0; fam < 2; fam++)
				n += net->subnet[fam].family != 0;
			fprintf(f, "    %s: %s", key, n > 1 ? "[" : "");
			for (fam = 0, n = 0; fam < 2; fam++) {
				if (!net->subnet[fam].family)
					continue;
				fputs(n++ ? ", " : "", f);
				yq(f, k ? export_ipstr(&net->gw[fam], false, s, sizeof(s)) :
					   export_ipstr(&net->subnet[fam], true, s, sizeof(s)));
			}
			fprintf(f, "%s\n", n > 1 ? "]" : "");
		}
		if (net->nat)
			fputs("    nat: true\n", f);
		if (net->internal)
			fputs("    internal: true\n", f);
	}
	if (X->n_ns > 1)
		fputs("nodes:\n", f);
	for (i = 0; i + 1 < X->n_ns; i++) {
		struct xnode *nd = &X->nodes[X->order[i]];
		struct xns *x = &X->ns[X->order[i] + 1];

		for (k = 0; k < nd->n_att; k++) {
			char want[32];

			snprintf(want, sizeof(want), "eth%zu", k);
			if (strcmp(x->links[nd->att[k].link].l.name, want))
				export_note(&nd->notes, "%s on %s is called %s here (a file names them eth0, eth1, ...)",
					    x->links[nd->att[k].link].l.name,
					    export_bridge_name(X, &X->nets[nd->att[k].net]), want);
		}
		fputs("  ", f);
		yq(f, x->name);
		fputs(":\n", f);
		write_notes(f, &nd->notes, "    ");
		if (nd->n_att)
			fputs("    networks:\n", f);
		for (k = 0; k < nd->n_att; k++) {
			struct xatt *a = &nd->att[k];
			int n = (a->addr[0].family != 0) + (a->addr[1].family != 0);
			bool lng = !impair_none(&a->impair);  /* the long form */

			fputs("      ", f);
			yq(f, export_bridge_name(X, &X->nets[a->net]));
			fprintf(f, ":%s%s", lng ? " {" : "", lng && n ? "address:" : "");
			fprintf(f, "%s", n > 1 ? " [" : n ? " " : "");
			for (fam = 0, n = 0; fam < 2; fam++) {
				if (!a->addr[fam].family)
					continue;
				fputs(n++ ? ", " : "", f);
				yq(f, export_ipstr(&a->addr[fam], false, s, sizeof(s)));
			}
			fprintf(f, "%s", n > 1 ? "]" : "");
			if (lng) {
				write_impair(f, &a->impair, false, !n);
				fputc('}', f);
			}
			fputc('\n', f);
		}
		if (nd->n_routes)
			fputs("    routes:\n", f);
		for (k = 0; k < nd->n_routes; k++) {
			fputs("      - ", f);
			yq(f, nd->routes[k]);
			fputc('\n', f);
		}
		if (nd->n_publish)
			fputs("    publish:\n", f);
		for (k = 0; k < nd->n_publish; k++) {
			fputs("      - ", f);
			yq(f, nd->publish[k]);
			fputc('\n', f);
		}
		if (x->fwd4 || x->fwd6)
			fputs("    sysctls:\n", f);
		if (x->fwd4)
			fputs("      net.ipv4.ip_forward: 1\n", f);
		if (x->fwd6)
			fputs("      net.ipv6.conf.all.forwarding: 1\n", f);
	}
	if (X->n_cables || X->cable_notes.n)
		fputs("cables:\n", f);
	write_notes(f, &X->cable_notes, "  ");
	for (i = 0; i < X->n_cables; i++) {
		const struct xcable *c = &X->cables[i];
		int end;

		for (end = 0; end < 2; end++) {
			struct xns *x = &X->ns[end ? c->b_ns : c->a_ns];
			const struct ipaddr *ip = end ? &c->b_addr : &c->a_addr;
			char p = end ? 'b' : 'a';

			fprintf(f, "  %s %c: ", end ? " " : "-", p);
			yq(f, x->name);
			fprintf(f, "\n    %c_if: ", p);
			yq(f, x->links[end ? c->b_link : c->a_link].l.name);
			fputc('\n', f);
			if (ip->family) {
				fprintf(f, "    %c_addr: ", p);
				yq(f, export_ipstr(ip, true, s, sizeof(s)));
				fputc('\n', f);
			}
			if (!end && c->a_nat && c->a_nat_out[0]) {
				fputs("    a_nat: {out: ", f);
				yq(f, c->a_nat_out);
				fputs("}\n", f);
			} else if (!end && c->a_nat) {
				fputs("    a_nat: true\n", f);
			}
		}
		if (c->mtu)
			fprintf(f, "    mtu: %u\n", c->mtu);
		write_impair(f, &c->impair, true, true);
	}
}

/* ---- the whole ----------------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every namespace nsnet has a record of, but the sandbox's upstream. */
static int recorded_namespaces(struct nsnet *nn, char ***names, size_t *n)
{
	json_t *list, *e;
	size_t i;
	int rc;

	*names = NULL;
	*n = 0;
	if ((rc = ns_list(nn, &list)) < 0)
		return rc;
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		if (!json_is_true(json_object_get(e, "nsnet")) || !strcmp(name, "upstream"))
			continue;
		ARRAY_GROW(*names, *n);
		if (!((*names)[(*n)++] = strdup(name)))
			abort();
	}
	json_decref(list);
	return 0;
}

/* The topology all namespaces belong to, if one; else "exported". */
static void default_name(const struct xport *X, char *buf, size_t len)
{
	char owner[256];
	size_t i;

	snprintf(buf, len, "exported");
	for (i = 1; i < X->n_ns; i++) {
		if (ns_record_owner(X->ns[i].name, owner, sizeof(owner)) || !owner[0] ||
		    (i > 1 && strcmp(owner, buf)))
			break;
		snprintf(buf, len, "%.*s", TOPO_NAME_MAX, owner);
	}
	if (i < X->n_ns)
		snprintf(buf, len, "exported");
}

static void xport_free(struct xport *X)
{
	size_t i;

	for (i = 0; i < X->n_ns; i++) {
		export_ns_clear(&X->ns[i]);
		free(X->ns[i].name);
	}
	free(X->ns);
	for (i = 0; i < X->n_nets; i++)
		notes_free(&X->nets[i].notes);
	free(X->nets);
	for (i = 0; X->nodes && i + 1 < X->n_ns; i++) {
		free(X->nodes[i].att);
		strv_free(X->nodes[i].routes, X->nodes[i].n_routes);
		strv_free(X->nodes[i].publish, X->nodes[i].n_publish);
		notes_free(&X->nodes[i].notes);
	}
	free(X->nodes);
	free(X->cables);
	free(X->order);
	notes_free(&X->top);
	notes_free(&X->cable_notes);
	json_decref(X->fw);
}

int topo_export(struct nsnet *nn, const char *name, const char *const *ns,
		size_t n, char **yaml)
{
	struct xport X = { .nn = nn };
	char **names = NULL, topo_name[TOPO_NAME_MAX + 1];
	size_t n_names = 0, i;
	struct topo *check = NULL;
	size_t len = 0;
	char *buf = NULL;
	FILE *f;
	int rc;

	*yaml = NULL;
	for (i = 0; i < n; i++) {
		if ((rc = check_ns_name(nn, ns[i], false)))
			return rc;
		if (!strcmp(ns[i], "upstream"))
			return err_usage(nn, "namespace upstream is nsnet sandbox's simulated internet, not a node");
		if (!ns_exists(ns[i]))
			return err_set(nn, 0, "namespace %s does not exist (see 'nsnet ns list')", ns[i]);
	}
	if (n) {
		names = calloc(n, sizeof(*names));
		if (!names)
			abort();
		for (i = 0; i < n; i++)
			if (!(names[i] = strdup(ns[i])))
				abort();
		n_names = n;
		qsort(names, n_names, sizeof(*names), name_cmp);
		for (i = 1; i < n_names; i++)
			if (!strcmp(names[i], names[i - 1])) {
				rc = err_usage(nn, "namespace %s is named twice", names[i]);
				strv_free(names, n_names);
				return rc;
			}
	} else if ((rc = recorded_namespaces(nn, &names, &n_names))) {
		return rc;
	}
	X.n_ns = n_names + 1;
	X.ns = calloc(X.n_ns, sizeof(*X.ns));
	X.nodes = calloc(X.n_ns, sizeof(*X.nodes));
	if (!X.ns || !X.nodes)
		abort();
	X.ns[0].name = strdup(NSNET_HOST);
	for (i = 0; i < n_names; i++) {
		X.ns[i + 1].name = names[i];
		X.nodes[i].ns = i + 1;
	}
	free(names);
	if ((rc = export_read(&X)))
		goto out;
	export_model(&X, !n);
	if (name) {
		snprintf(topo_name, sizeof(topo_name), "%s", name);
		if (strlen(name) > TOPO_NAME_MAX) {
			rc = err_usage(nn, "topology name %s is longer than %d characters", name,
				       TOPO_NAME_MAX);
			goto out;
		}
	} else {
		default_name(&X, topo_name, sizeof(topo_name));
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		rc = err_set(nn, errno, "export");
		goto out;
	}
	write_yaml(&X, f, topo_name);
	if (fclose(f)) {
		free(buf);
		rc = err_set(nn, ENOMEM, "export");
		goto out;
	}
	/* what export writes, up must read */
	rc = topo_parse_buffer(nn, "exported file", buf, len, &check);
	if (rc) {
		err_prefix(nn, "export wrote a file nsnet cannot read (please report it)");
		free(buf);
		goto out;
	}
	topo_free(check);
	*yaml = buf;
out:
	xport_free(&X);
	return rc;
}

NSNET_EXPORT int nsnet_topo_export(struct nsnet *nn, const char *name,
				   const char *const *ns, size_t n, char **yaml)
{
	return topo_export(nn, name, ns, n, yaml);
}
