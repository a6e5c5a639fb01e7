// SPDX-License-Identifier: GPL-2.0-or-later
/* test_cni.c - nsnet-cni's configuration parsing (what each key becomes,
 * and the code and words of each refusal) and its results in every spec
 * version, without touching the kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cni/cni.h"

#define MIN "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"nsnet-cni\"," \
	    "\"bridge\":\"nsc0\",\"subnet\":\"10.98.0.0/24\",\"ipMasq\":true," \
	    "\"capabilities\":{\"portMappings\":true}}"

static int parse(struct nsnet *nn, struct cni_conf *c, enum cni_command cmd,
		 const char *text, struct cni_error *err)
{
	memset(c, 0, sizeof(*c));
	memset(err, 0, sizeof(*err));
	c->cmd = cmd;
	c->container_id = "c1";
	c->netns = "/run/netns/c1";
	c->ifname = "eth0";
	return cni_conf_parse(nn, c, text, strlen(text), err);
}

static char *ipstr(const struct ipaddr *ip)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	return ip_str(ip, buf[k], sizeof(buf[k]));
}

static void test_minimal(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct cni_conf c;
	struct cni_error err;

	(void)state;
	assert_int_equal(parse(nn, &c, CNI_CMD_ADD, MIN, &err), 0);
	assert_int_equal(c.version, CNI_V100);
	assert_string_equal(c.name, "net1");
	assert_string_equal(c.bridge, "nsc0");
	assert_true(c.ip_masq);
	assert_true(c.is_gateway);
	assert_false(c.hairpin);
	assert_int_equal(c.n_sets, 1);
	assert_string_equal(ipstr(&c.sets[0].r[0].subnet), "10.98.0.0/24");
	assert_string_equal(ipstr(&c.sets[0].r[0].gateway), "10.98.0.1/24");
	assert_string_equal(ipstr(&c.sets[0].r[0].start), "10.98.0.1/24");
	assert_string_equal(ipstr(&c.sets[0].r[0].end), "10.98.0.254/24");
	assert_false(c.ipam_only);
	assert_string_equal(c.delegate, "");
	/* no runtime config: CHECK has no port list to compare */
	assert_false(c.ports_given);
	cni_conf_free(&c);
	nsnet_free(nn);
}

static void test_ranges_runtime_args(void **state)
{
	static const char *text =
		"{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"nsnet-cni\",\"mtu\":1400,"
		"\"hairpinMode\":true,\"ipam\":{\"type\":\"nsnet-cni\",\"ranges\":["
		"[{\"subnet\":\"10.1.0.0/16\",\"rangeStart\":\"10.1.2.10\",\"rangeEnd\":\"10.1.2.20\",\"gateway\":\"10.1.0.254\"}],"
		"[{\"subnet\":\"fd00::/64\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.0.2.0/24\",\"gw\":\"10.1.0.9\"}]},"
		"\"dns\":{\"nameservers\":[\"10.1.0.254\"]},"
		"\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"},"
		"{\"hostPort\":9090,\"containerPort\":90,\"hostIP\":\"::\"}],"
		"\"mac\":\"02:00:00:00:00:01\",\"ips\":[\"10.1.2.15/16\"]}}";
	struct nsnet *nn = nsnet_new();
	struct cni_conf c;
	struct cni_error err;

	(void)state;
	assert_int_equal(parse(nn, &c, CNI_CMD_ADD, text, &err), 0);
	assert_int_equal(c.version, CNI_V110);
	assert_int_equal(c.mtu, 1400);
	assert_true(c.hairpin);
	assert_string_equal(c.bridge, CNI_DEFAULT_BRIDGE);
	assert_int_equal(c.n_sets, 2);
	assert_string_equal(ipstr(&c.sets[0].r[0].gateway), "10.1.0.254/16");
	assert_string_equal(ipstr(&c.sets[0].r[0].start), "10.1.2.10/16");
	assert_string_equal(ipstr(&c.sets[1].r[0].gateway), "fd00::1/64");
	assert_string_equal(ipstr(&c.sets[1].r[0].end), "fd00::ffff:ffff:ffff:ffff/64");
	assert_true(c.routes_given);
	assert_int_equal(c.n_routes, 2);
	assert_int_equal(c.routes[0].gw.family, 0);
	assert_string_equal(ipstr(&c.routes[1].gw), "10.1.0.9");
	assert_non_null(c.dns);
	/* "::" is every IPv6 address of the host */
	assert_int_equal(c.n_ports, 2);
	assert_true(c.ports_given);
	assert_int_equal(c.ports[0].proto, IPPROTO_UDP);
	assert_string_equal(ipstr(&c.ports[0].host_ip), "127.0.0.1");
	assert_int_equal(c.ports[1].host_ip.family, AF_INET6);
	{
		struct fw_spec sp[2];

		cni_ports_to_specs(c.ports, 2, sp);
		assert_false(sp[0].any_ip);
		assert_int_equal(sp[0].family, AF_INET);
		assert_true(sp[1].any_ip);
		assert_int_equal(sp[1].family, AF_INET6);
		assert_int_equal(sp[1].proto, IPPROTO_TCP);
	}
	assert_true(c.has_mac);
	assert_int_equal(c.mac[5], 1);
	assert_int_equal(c.n_want_ips, 1);
	cni_conf_free(&c);

	/* CNI_ARGS: IP and MAC taken, the rest for others */
	assert_int_equal(parse(nn, &c, CNI_CMD_ADD, MIN, &err), 0);
	cni_conf_free(&c);
	memset(&c, 0, sizeof(c));
	c.cmd = CNI_CMD_ADD;
	c.container_id = "c1";
	c.netns = "/n";
	c.ifname = "eth0";
	c.args = "IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.98.0.7,10.98.0.8;MAC=02:00:00:00:00:02";
	assert_int_equal(cni_conf_parse(nn, &c, MIN, strlen(MIN), &err), 0);
	assert_int_equal(c.n_want_ips, 2);
	assert_string_equal(ipstr(&c.want_ips[1]), "10.98.0.8");
	assert_true(c.has_mac);
	cni_conf_free(&c);
	nsnet_free(nn);
}

static void test_ipam_modes(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct cni_conf c;
	struct cni_error err;

	(void)state;
	/* as another plugin's IPAM */
	assert_int_equal(parse(nn, &c, CNI_CMD_ADD,
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\","
		"\"ipam\":{\"type\":\"nsnet-cni\",\"subnet\":\"10.2.0.0/24\"}}", &err), 0);
	assert_true(c.ipam_only);
	assert_int_equal(c.n_sets, 1);
	cni_conf_free(&c);
	/* delegating to host-local: no own ranges needed */
	assert_int_equal(parse(nn, &c, CNI_CMD_ADD,
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"nsnet-cni\","
		"\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.2.0.0/24\"}}", &err), 0);
	assert_false(c.ipam_only);
	assert_string_equal(c.delegate, "host-local");
	assert_int_equal(c.n_sets, 0);
	cni_conf_free(&c);
	nsnet_free(nn);
}

/* A passing refusal of the kernel is "try again later" (11); a lasting
 * one stays nsnet's own 100. */
static void test_fail_codes(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct cni_error err = { 0 };

	(void)state;
	err_set(nn, EBUSY, "set bridge nsc0 up");
	assert_int_equal(cni_fail(nn, &err, CNI_ERR_KERNEL, -EBUSY), -EBUSY);
	assert_int_equal(err.code, CNI_ERR_AGAIN);
	assert_non_null(strstr(err.msg, "nsc0"));
	err_set(nn, EPERM, "create veth");
	cni_fail(nn, &err, CNI_ERR_KERNEL, -EPERM);
	assert_int_equal(err.code, CNI_ERR_KERNEL);
	err_set(nn, EAGAIN, "read a record");
	cni_fail(nn, &err, CNI_ERR_IO, -EAGAIN);
	assert_int_equal(err.code, CNI_ERR_IO);
	nsnet_free(nn);
}

/* Each refusal: its code and a word that names the key or variable. */
static void test_refusals(void **state)
{
	static const struct {
		enum cni_command cmd;
		const char *text, *word;
		int code;
	} cases[] = {
		{ CNI_CMD_ADD, "{nope", "JSON", CNI_ERR_DECODE },
		{ CNI_CMD_ADD, "[1]", "JSON", CNI_ERR_DECODE },
		{ CNI_CMD_ADD, "{\"name\":\"n\"}", "cniVersion", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"0.2.0\",\"name\":\"n\"}", "cniVersion", CNI_ERR_VERSION },
		{ CNI_CMD_DEL, "{\"cniVersion\":\"0.1.0\",\"name\":\"n\"}", "speaks 0.3.0, 0.3.1, 0.4.0, 1.0.0 and 1.1.0", CNI_ERR_VERSION },
		{ CNI_CMD_CHECK, "{\"cniVersion\":\"9.9.9\",\"name\":\"n\"}", "\"cniVersion\": 9.9.9 is not supported", CNI_ERR_VERSION },
		{ CNI_CMD_CHECK, "{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}", "cniVersion 0.4.0", CNI_ERR_VERSION },
		{ CNI_CMD_GC, MIN, "1.1.0", CNI_ERR_VERSION },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"type\":\"nsnet-cni\"}", "\"name\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\"}", "\"name\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/31\"}", "\"subnet\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"x\"}", "\"subnet\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "subnet", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"mtu\":20}", "\"mtu\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"ipMasq\":\"yes\"}", "\"ipMasq\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"bridge\":\"way-too-long-a-name\"}", "\"bridge\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"gateway\":\"10.9.0.1\"}]]}", "\"gateway\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.9\",\"rangeEnd\":\"10.0.0.3\"}]]}", "rangeStart", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"routes\":[{\"dst\":\"10.1.0.0/16\",\"gw\":\"fd00::1\"}]}", "\"gw\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":0,\"containerPort\":80}]}}", "\"hostPort\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":1,\"containerPort\":80,\"protocol\":\"sctp\"}]}}", "\"protocol\"", CNI_ERR_FIELD },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"runtimeConfig\":{\"mac\":\"01:00:00:00:00:01\"}}", "\"mac\"", CNI_ERR_CONFIG },
		{ CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"subnet\":\"10.0.0.0/24\",\"prevResult\":3}", "prevResult", CNI_ERR_DECODE },
		{ CNI_CMD_GC, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":[{\"containerID\":\"a\"}]}", "valid-attachments", CNI_ERR_CONFIG },
	};
	struct nsnet *nn = nsnet_new();
	struct cni_conf c;
	struct cni_error err;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = parse(nn, &c, cases[i].cmd, cases[i].text, &err);

		if (!rc || err.code != cases[i].code || !strstr(err.msg, cases[i].word))
			fail_msg("case %zu (%s): rc %d code %d msg \"%s\"", i,
				 cases[i].text, rc, err.code, err.msg);
		cni_conf_free(&c);
	}
	/* the environment, named */
	memset(&c, 0, sizeof(c));
	c.cmd = CNI_CMD_ADD;
	c.ifname = "eth0";
	c.netns = "/n";
	assert_int_not_equal(cni_conf_parse(nn, &c, MIN, strlen(MIN), &err), 0);
	assert_int_equal(err.code, CNI_ERR_ENV);
	assert_non_null(strstr(err.msg, "CNI_CONTAINERID"));
	cni_conf_free(&c);
	memset(&c, 0, sizeof(c));
	c.cmd = CNI_CMD_ADD;
	c.container_id = "c1";
	c.ifname = "a/b";
	c.netns = "/n";
	assert_int_not_equal(cni_conf_parse(nn, &c, MIN, strlen(MIN), &err), 0);
	assert_int_equal(err.code, CNI_ERR_ENV);
	assert_non_null(strstr(err.msg, "CNI_IFNAME"));
	cni_conf_free(&c);
	/* DEL needs no namespace (ctr sends an empty CNI_NETNS) */
	memset(&c, 0, sizeof(c));
	c.cmd = CNI_CMD_DEL;
	c.container_id = "c1";
	c.ifname = "eth0";
	c.netns = "";
	assert_int_equal(cni_conf_parse(nn, &c, MIN, strlen(MIN), &err), 0);
	cni_conf_free(&c);
	nsnet_free(nn);
}

static struct cni_result sample(void)
{
	struct cni_result r;

	memset(&r, 0, sizeof(r));
	r.n_ifaces = 3;
	strcpy(r.ifaces[0].name, "nsc0");
	strcpy(r.ifaces[1].name, "nsc0123abcd");
	strcpy(r.ifaces[2].name, "eth0");
	strcpy(r.ifaces[2].mac, "02:00:00:00:00:01");
	strcpy(r.ifaces[2].sandbox, "/run/netns/c1");
	r.ifaces[2].mtu = 1400;
	r.n_ips = 2;
	cidr_parse("10.98.0.2/24", &r.ips[0].addr);
	ip_parse("10.98.0.1", &r.ips[0].gateway);
	r.ips[0].iface = 2;
	cidr_parse("fd00::2/64", &r.ips[1].addr);
	r.ips[1].iface = 2;
	r.n_routes = 1;
	cidr_parse("0.0.0.0/0", &r.routes[0].dst);
	ip_parse("10.98.0.1", &r.routes[0].gw);
	return r;
}

static void test_render_versions(void **state)
{
	struct cni_result r = sample(), back;
	enum cni_version v;
	char why[128];

	(void)state;
	for (v = CNI_V030; v < CNI_VNONE; v++) {
		json_t *doc = cni_result_render(&r, v);
		json_t *ip0 = json_array_get(json_object_get(doc, "ips"), 0);
		json_t *if2 = json_array_get(json_object_get(doc, "interfaces"), 2);

		assert_string_equal(json_string_value(json_object_get(doc, "cniVersion")),
				    cni_versions[v]);
		assert_string_equal(json_string_value(json_object_get(ip0, "address")),
				    "10.98.0.2/24");
		assert_string_equal(json_string_value(json_object_get(ip0, "gateway")),
				    "10.98.0.1");
		assert_int_equal(json_integer_value(json_object_get(ip0, "interface")), 2);
		/* ips[].version before 1.0.0, not after */
		if (v < CNI_V100) {
			assert_string_equal(json_string_value(json_object_get(ip0, "version")), "4");
			assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(doc, "ips"), 1), "version")), "6");
		} else {
			assert_null(json_object_get(ip0, "version"));
		}
		/* interfaces[].mtu only in 1.1.0 */
		if (v == CNI_V110)
			assert_int_equal(json_integer_value(json_object_get(if2, "mtu")), 1400);
		else
			assert_null(json_object_get(if2, "mtu"));
		assert_string_equal(json_string_value(json_object_get(if2, "sandbox")),
				    "/run/netns/c1");
		/* and back again */
		assert_int_equal(cni_result_parse(doc, &back, why, sizeof(why)), 0);
		assert_int_equal(back.n_ips, 2);
		assert_int_equal(back.ips[1].iface, 2);
		assert_true(ip_equal(&back.ips[1].addr, &r.ips[1].addr));
		assert_int_equal(back.n_routes, 1);
		cni_result_free(&back);
		json_decref(doc);
	}
}

static void test_version_and_error(void **state)
{
	struct cni_error err = { CNI_ERR_ENV, "CNI_NETNS is not set" };
	json_t *doc;

	(void)state;
	doc = cni_version_render("0.4.0");
	assert_string_equal(json_string_value(json_object_get(doc, "cniVersion")), "0.4.0");
	assert_int_equal(json_array_size(json_object_get(doc, "supportedVersions")), 5);
	json_decref(doc);
	doc = cni_version_render("9.9.9");
	assert_string_equal(json_string_value(json_object_get(doc, "cniVersion")), "1.1.0");
	json_decref(doc);
	doc = cni_error_render(&err, "0.3.1");
	assert_string_equal(json_string_value(json_object_get(doc, "cniVersion")), "0.3.1");
	assert_int_equal(json_integer_value(json_object_get(doc, "code")), 4);
	assert_string_equal(json_string_value(json_object_get(doc, "msg")),
			    "CNI_NETNS is not set");
	json_decref(doc);
}

static void test_owner_and_steps(void **state)
{
	char buf[128];
	struct ipaddr ip;
	char long_id[201];

	(void)state;
	cni_owner_id(buf, sizeof(buf), "net1", "abc", "eth0");
	assert_string_equal(buf, "cni:net1:abc:eth0");
	assert_true(fw_name_ok(buf));
	memset(long_id, 'a', 200);
	long_id[200] = '\0';
	cni_owner_id(buf, sizeof(buf), "net1", long_id, "eth0");
	assert_true(strlen(buf) < 128);
	assert_true(fw_name_ok(buf));
	assert_int_equal(strncmp(buf, "cni:net1:", 9), 0);
	ip_parse("10.0.0.255", &ip);
	assert_true(cni_ip_step(&ip, 1));
	assert_string_equal(ipstr(&ip), "10.0.1.0");
	assert_true(cni_ip_step(&ip, -1));
	assert_string_equal(ipstr(&ip), "10.0.0.255");
	ip_parse("255.255.255.255", &ip);
	assert_false(cni_ip_step(&ip, 1));
	assert_true(cni_name_ok("default-t1", 64));
	assert_false(cni_name_ok("-x", 64));
	assert_false(cni_name_ok("a b", 64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_ranges_runtime_args),
		cmocka_unit_test(test_ipam_modes),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fail_codes),
		cmocka_unit_test(test_render_versions),
		cmocka_unit_test(test_version_and_error),
		cmocka_unit_test(test_owner_and_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
