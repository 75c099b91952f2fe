/* network.h: network definitions, DATA/networks/NAME.json, and the default
 * network "bridge" defined on first use.
 *
 * The library keeps its run and data directories from the first call on,
 * so main() points ISOLATE_RUN_DIR and ISOLATE_DATA_DIR at a fresh
 * directory once, and every test starts and ends with both emptied.
 *
 * A new network must not overlap what the host routes, so main() also
 * moves the binary into a network namespace of its own (root only): there
 * the host has no routes but those a test makes, on the bridge HOST_LINK,
 * which the teardown deletes.  Without one, the tests whose outcome
 * depends on the host's routes are skipped. */
#include "helpers.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>

#include "netlink.h"
#include "network.h"
#include "state.h"

#define HOST_LINK "utest0"

static char top[] = "/tmp/isolate-unit-XXXXXX";
static char *run_dir, *data_dir;
static bool private_netns;

static int remove_below(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int empty_state_dirs(void **state)
{
	(void)state;
	if (nftw(run_dir, remove_below, 16, FTW_DEPTH | FTW_PHYS) < 0 ||
	    nftw(data_dir, remove_below, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct iso_nl nl = { 0 };
	struct iso_error err = { 0 };
	int r = 0;

	if (private_netns) {
		if (iso_nl_open(&nl, &err) < 0)
			return -1;
		r = iso_nl_link_delete(&nl, HOST_LINK, &err);
		iso_nl_close(&nl);
	}
	return empty_state_dirs(state) < 0 ? -1 : r;
}

/* The outcome depends on the host's routes: only in our own namespace. */
static void need_private_netns(void)
{
	if (!private_netns)
		skip();
}

static uint32_t ip(const char *text)
{
	struct iso_error err = { 0 };
	uint32_t a = 0;

	assert_int_equal(iso_ipv4_parse(text, &a, &err), 0);
	return a;
}

/* Gives the host ADDRESS/PREFIX, on HOST_LINK. */
static void host_address(const char *address, unsigned prefix)
{
	struct iso_nl nl = { 0 };
	struct iso_error err = { 0 };
	int index;

	need_private_netns();
	assert_int_equal(iso_nl_open(&nl, &err), 0);
	index = iso_nl_link_find(&nl, HOST_LINK, NULL, &err);
	if (index == 0) {
		assert_int_equal(iso_nl_bridge_create(&nl, HOST_LINK, 0, &err), 0);
		index = iso_nl_link_find(&nl, HOST_LINK, NULL, &err);
	}
	assert_true(index > 0);
	assert_int_equal(iso_nl_addr_add(&nl, index, HOST_LINK, ip(address), prefix, &err), 0);
	iso_nl_close(&nl);
}

static char *definition_path(const char *name)
{
	return xasprintf("%s/networks/%s.json", data_dir, name);
}

static bool defined(const char *name)
{
	cleanup_free char *path = definition_path(name);

	return access(path, F_OK) == 0;
}

/* NET is NAME on SUBNET with GATEWAY and BRIDGE. */
#define assert_network(...) check_network(__FILE__, __LINE__, __VA_ARGS__)

static void check_network(const char *file, int line, const struct iso_network *net,
			  const char *name, const char *subnet, const char *gateway,
			  const char *bridge)
{
	char s[ISO_CIDR_STRLEN], g[ISO_IPV4_STRLEN];

	iso_subnet_format(&net->subnet, s);
	iso_ipv4_format(net->gateway, g);
	_assert_string_equal(net->name, name, file, line);
	_assert_string_equal(s, subnet, file, line);
	_assert_string_equal(g, gateway, file, line);
	_assert_string_equal(net->bridge, bridge, file, line);
}

/* The file on disk says the same, and iso_network_load reads it back. */
#define assert_defined(...) check_defined(__FILE__, __LINE__, __VA_ARGS__)

static void check_defined(const char *file, int line, const char *name, const char *subnet,
			  const char *gateway, const char *bridge)
{
	cleanup_free char *path = definition_path(name);
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);

	_assert_true(root != NULL, "the definition is JSON", file, line);
	_assert_string_equal(json_string_value(json_object_get(root, "name")), name, file, line);
	_assert_string_equal(json_string_value(json_object_get(root, "subnet")), subnet, file, line);
	_assert_string_equal(json_string_value(json_object_get(root, "gateway")), gateway, file, line);
	_assert_string_equal(json_string_value(json_object_get(root, "bridge")), bridge, file, line);
	json_decref(root);
	_assert_int_equal(iso_network_load(name, &net, &err), 0, file, line);
	check_network(file, line, &net, name, subnet, gateway, bridge);
	iso_network_clear(&net);
}

static void create(const char *name, const char *subnet, const char *gateway)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	if (iso_network_create(name, subnet, gateway, &net, &err) < 0)
		fail_msg("create %s: %s", name, err.msg);
	iso_network_clear(&net);
}

/* Creating NAME on SUBNET with GATEWAY fails with exactly WANT, and
 * defines nothing. */
#define assert_create_fails(...) check_create_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_create_fails(const char *file, int line, const char *name, const char *subnet,
			       const char *gateway, const char *want)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };
	struct iso_network *nets;
	size_t before, after;

	_assert_int_equal(iso_network_list(&nets, &before, &err), 0, file, line);
	iso_network_list_free(nets, before);
	_assert_int_equal(iso_network_create(name, subnet, gateway, &net, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_true(net.name == NULL, "nothing to free after a failure", file, line);
	_assert_int_equal(iso_network_list(&nets, &after, &err), 0, file, line);
	iso_network_list_free(nets, after);
	_assert_int_equal(after, before, file, line);
}

/* ---- the default network ------------------------------------------------ */

static void default_network_is_defined_on_first_use(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	assert_false(defined("bridge"));
	assert_int_equal(iso_network_get("bridge", &net, &err), 0);
	assert_network(&net, "bridge", "10.66.0.0/16", "10.66.0.1", "isolate0");
	iso_network_clear(&net);
	assert_defined("bridge", "10.66.0.0/16", "10.66.0.1", "isolate0");
}

static void default_network_stays_as_defined(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	assert_int_equal(iso_network_get(ISO_NETWORK_DEFAULT, &net, &err), 0);
	iso_network_clear(&net);
	/* the host now routes it itself, as it does once the bridge is up */
	host_address("10.66.0.1", 16);
	assert_int_equal(iso_network_get(ISO_NETWORK_DEFAULT, &net, &err), 0);
	assert_network(&net, "bridge", "10.66.0.0/16", "10.66.0.1", "isolate0");
	iso_network_clear(&net);
}

static void default_network_avoids_the_hosts_subnets(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	host_address("10.66.5.1", 16);
	host_address("10.67.200.9", 24);         /* a smaller one inside the next */
	assert_int_equal(iso_network_get("bridge", &net, &err), 0);
	assert_network(&net, "bridge", "10.68.0.0/16", "10.68.0.1", "isolate0");
	iso_network_clear(&net);
	assert_defined("bridge", "10.68.0.0/16", "10.68.0.1", "isolate0");
}

static void default_network_avoids_other_networks(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	create("a", "10.66.0.0/16", NULL);
	create("b", "10.67.0.0/17", NULL);
	assert_int_equal(iso_network_get("bridge", &net, &err), 0);
	assert_network(&net, "bridge", "10.68.0.0/16", "10.68.0.1", "isolate0");
	iso_network_clear(&net);
	/* and one without --subnet takes the next */
	create("c", NULL, NULL);
	assert_defined("c", "10.69.0.0/16", "10.69.0.1", "isolate3");
}

static void default_network_when_the_pool_is_taken(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	host_address("10.64.0.1", 10);           /* 10.64.0.0 - 10.127.255.255 */
	assert_int_equal(iso_network_get("bridge", &net, &err), -1);
	assert_string_equal(err.msg, "no free subnet left in 10.66.0.0/16 to 10.99.0.0/16; pass --subnet");
	assert_false(defined("bridge"));
	/* nor for a network created without --subnet */
	assert_create_fails("x", NULL, NULL,
			    "no free subnet left in 10.66.0.0/16 to 10.99.0.0/16; pass --subnet");
}

static void default_network_takes_the_last_of_the_pool(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };
	char subnet[ISO_IPV4_STRLEN];

	(void)state;
	need_private_netns();
	for (unsigned b = 66; b < 99; b++) {
		snprintf(subnet, sizeof(subnet), "10.%u.0.1", b);
		host_address(subnet, 16);
	}
	assert_int_equal(iso_network_get("bridge", &net, &err), 0);
	assert_network(&net, "bridge", "10.99.0.0/16", "10.99.0.1", "isolate0");
	iso_network_clear(&net);
}

static void only_the_default_network_is_defined_on_use(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_network_get("other", &net, &err), -1);
	assert_string_equal(err.msg, "network other not found");
	assert_false(defined("other"));
	/* load never defines, not even the default */
	assert_int_equal(iso_network_load("bridge", &net, &err), -1);
	assert_string_equal(err.msg, "network bridge not found");
	assert_false(defined("bridge"));
}

/* ---- creating networks -------------------------------------------------- */

static void create_with_a_subnet_takes_its_first_address(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	assert_int_equal(iso_network_create("web", "172.30.0.0/24", NULL, &net, &err), 0);
	assert_network(&net, "web", "172.30.0.0/24", "172.30.0.1", "isolate1");
	iso_network_clear(&net);
	assert_defined("web", "172.30.0.0/24", "172.30.0.1", "isolate1");
}

static void create_with_a_gateway_keeps_it(void **state)
{
	(void)state;
	need_private_netns();
	create("web", "172.30.0.0/24", "172.30.0.254");
	assert_defined("web", "172.30.0.0/24", "172.30.0.254", "isolate1");
}

static void create_takes_a_30_but_nothing_smaller(void **state)
{
	(void)state;
	need_private_netns();
	create("p2p", "192.168.7.0/30", NULL);
	assert_defined("p2p", "192.168.7.0/30", "192.168.7.1", "isolate1");
	assert_create_fails("x", "192.168.8.0/31", NULL,
			    "subnet 192.168.8.0/31 is too small: a network needs at least a /30");
	assert_create_fails("x", "192.168.8.1/32", NULL,
			    "subnet 192.168.8.1/32 is too small: a network needs at least a /30");
}

static void bridges_take_the_lowest_free_number(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	create("a", "172.30.1.0/24", NULL);
	create("b", "172.30.2.0/24", NULL);
	create("bridge", "172.30.3.0/24", NULL);
	assert_defined("a", "172.30.1.0/24", "172.30.1.1", "isolate1");
	assert_defined("b", "172.30.2.0/24", "172.30.2.1", "isolate2");
	assert_defined("bridge", "172.30.3.0/24", "172.30.3.1", "isolate0");
	assert_int_equal(iso_network_forget("a", &err), 0);
	create("c", "172.30.4.0/24", NULL);
	assert_defined("c", "172.30.4.0/24", "172.30.4.1", "isolate1");
	create("d", "172.30.5.0/24", NULL);
	assert_defined("d", "172.30.5.0/24", "172.30.5.1", "isolate3");
}

static void create_refuses_a_bad_gateway(void **state)
{
	(void)state;
	need_private_netns();
	assert_create_fails("x", NULL, "10.1.0.1", "--gateway needs --subnet");
	assert_create_fails("x", "172.30.0.0/24", "172.31.0.1",
			    "gateway 172.31.0.1 is not a host address of subnet 172.30.0.0/24");
	assert_create_fails("x", "172.30.0.0/24", "172.30.0.0",
			    "gateway 172.30.0.0 is not a host address of subnet 172.30.0.0/24");
	assert_create_fails("x", "172.30.0.0/24", "172.30.0.255",
			    "gateway 172.30.0.255 is not a host address of subnet 172.30.0.0/24");
	assert_create_fails("x", "172.30.0.0/24", "172.30.0",
			    "invalid IPv4 address 172.30.0: expected four numbers 0-255 separated by dots, such as 10.66.0.1");
}

static void create_refuses_a_bad_subnet(void **state)
{
	(void)state;
	need_private_netns();
	assert_create_fails("x", "172.30.0.5/24", NULL,
			    "invalid subnet 172.30.0.5/24: host bits set; did you mean 172.30.0.0/24?");
	assert_create_fails("x", "172.30.0.0", NULL,
			    "invalid subnet 172.30.0.0: expected ADDRESS/PREFIX, such as 10.66.0.0/16");
	assert_create_fails("x", "172.30.0.0/33", NULL,
			    "invalid subnet 172.30.0.0/33: prefix length 33 is not a number from 0 to 32");
	assert_create_fails("x", "bridge/16", NULL,
			    "invalid subnet bridge/16: bridge is not an IPv4 address");
}

static void create_refuses_an_overlap_with_a_network(void **state)
{
	(void)state;
	need_private_netns();
	create("a", "172.30.0.0/16", NULL);
	assert_create_fails("b", "172.30.5.0/24", NULL,
			    "subnet 172.30.5.0/24 overlaps network a (172.30.0.0/16)");
	assert_create_fails("b", "172.0.0.0/8", NULL,
			    "subnet 172.0.0.0/8 overlaps network a (172.30.0.0/16)");
	assert_create_fails("b", "172.30.0.0/16", NULL,
			    "subnet 172.30.0.0/16 overlaps network a (172.30.0.0/16)");
	/* next door is fine */
	create("b", "172.31.0.0/16", NULL);
	assert_defined("b", "172.31.0.0/16", "172.31.0.1", "isolate2");
}

static void create_refuses_an_overlap_with_the_host(void **state)
{
	(void)state;
	host_address("10.50.0.1", 16);
	assert_create_fails("x", "10.50.128.0/17", NULL,
			    "subnet 10.50.128.0/17 overlaps the host's 10.50.0.0/16");
	assert_create_fails("x", "10.0.0.0/8", NULL,
			    "subnet 10.0.0.0/8 overlaps the host's 10.50.0.0/16");
	create("x", "10.51.0.0/16", NULL);
	assert_defined("x", "10.51.0.0/16", "10.51.0.1", "isolate1");
}

#define assert_bad_name(name) \
	check_create_fails(__FILE__, __LINE__, name, "172.30.0.0/24", NULL, \
			   "invalid network name " name ": letters, digits, '_', '.' and '-', starting with a letter or digit; not none or host")

static void create_refuses_invalid_names(void **state)
{
	char name[66];
	cleanup_free char *want = NULL;

	(void)state;
	assert_bad_name("");
	assert_bad_name("none");
	assert_bad_name("host");
	assert_bad_name("-net");
	assert_bad_name(".net");
	assert_bad_name("_net");
	assert_bad_name("my net");
	assert_bad_name("a/b");
	assert_bad_name("../escape");
	assert_bad_name("container:x");
	memset(name, 'n', 65);
	name[65] = '\0';
	want = xasprintf("invalid network name %s: letters, digits, '_', '.' and '-', starting with a letter or digit; not none or host",
			 name);
	check_create_fails(__FILE__, __LINE__, name, "172.30.0.0/24", NULL, want);
	need_private_netns();
	name[64] = '\0';
	create(name, "172.30.0.0/24", NULL);
	assert_true(defined(name));
	create("Net-1.b_2", "172.30.1.0/24", NULL);
	assert_true(defined("Net-1.b_2"));
}

static void create_refuses_an_existing_name(void **state)
{
	(void)state;
	need_private_netns();
	create("a", "172.30.0.0/24", NULL);
	assert_create_fails("a", "172.31.0.0/24", NULL, "network a already exists");
	assert_defined("a", "172.30.0.0/24", "172.30.0.1", "isolate1");
}

/* ---- listing, loading and forgetting ------------------------------------ */

static void list_is_sorted_by_name(void **state)
{
	struct iso_network *nets = (struct iso_network *)1;
	struct iso_error err = { 0 };
	size_t n = 99;

	(void)state;
	assert_int_equal(iso_network_list(&nets, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(nets);
	need_private_netns();
	create("zeta", "172.30.1.0/24", NULL);
	create("alpha", "172.30.2.0/24", NULL);
	create("mid", "172.30.3.0/24", "172.30.3.9");
	create("bridge", NULL, NULL);
	assert_int_equal(iso_network_list(&nets, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_network(&nets[0], "alpha", "172.30.2.0/24", "172.30.2.1", "isolate2");
	assert_network(&nets[1], "bridge", "10.66.0.0/16", "10.66.0.1", "isolate0");
	assert_network(&nets[2], "mid", "172.30.3.0/24", "172.30.3.9", "isolate3");
	assert_network(&nets[3], "zeta", "172.30.1.0/24", "172.30.1.1", "isolate1");
	iso_network_list_free(nets, n);
}

static void list_skips_what_is_not_a_definition(void **state)
{
	cleanup_free char *dir = xasprintf("%s/networks", data_dir);
	cleanup_free char *notes = xasprintf("%s/notes.txt", dir);
	cleanup_free char *tmp = xasprintf("%s/half.json.tmp", dir);
	cleanup_free char *broken = xasprintf("%s/broken.json", dir);
	cleanup_free char *bare = xasprintf("%s/.json", dir);
	struct iso_network *nets;
	struct iso_error err = { 0 };
	size_t n;

	(void)state;
	need_private_netns();
	create("a", "172.30.1.0/24", NULL);
	write_file(notes, "not a network\n");
	write_file(tmp, "{\"name\":\"half\"}");
	write_file(broken, "{");
	write_file(bare, "{}");
	assert_int_equal(iso_network_list(&nets, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_network(&nets[0], "a", "172.30.1.0/24", "172.30.1.1", "isolate1");
	iso_network_list_free(nets, n);
}

/* Loading NAME, defined by TEXT, fails with WANT (in which %s stands for
 * the file's path), or with a message that starts with it when jansson
 * has the last word. */
#define assert_load_fails(...) check_load_fails(__FILE__, __LINE__, true, __VA_ARGS__)
#define assert_load_fails_with_prefix(...) check_load_fails(__FILE__, __LINE__, false, __VA_ARGS__)

static void check_load_fails(const char *file, int line, bool exact, const char *name,
			     const char *text, const char *want)
{
	cleanup_free char *dir = xasprintf("%s/networks", data_dir);
	cleanup_free char *path = definition_path(name);
	cleanup_free char *expected = xasprintf(want, path);
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	mkdir(dir, 0700);
	write_file(path, text);
	_assert_int_equal(iso_network_load(name, &net, &err), -1, file, line);
	if (exact)
		_assert_string_equal(err.msg, expected, file, line);
	else if (strncmp(err.msg, expected, strlen(expected)) != 0)
		fail_msg("%s:%d: \"%s\" does not start with \"%s\"", file, line, err.msg, expected);
	_assert_true(net.name == NULL, "nothing to free after a failure", file, line);
}

static void load_refuses_a_broken_definition(void **state)
{
	(void)state;
	/* jansson's own position: FILE:LINE:COLUMN: TEXT */
	assert_load_fails_with_prefix("a", "{", "network definition %s:1:");
	assert_load_fails_with_prefix("a", "[]", "network definition %s: ");
	assert_load_fails("a", "{\"name\":\"a\",\"gateway\":\"10.1.0.1\",\"bridge\":\"isolate1\"}",
			  "network definition %s: Object item not found: subnet");
	assert_load_fails("a", "{\"name\":\"a\",\"subnet\":\"10.1.0.0/16\",\"gateway\":\"10.1.0.1\"}",
			  "network definition %s: Object item not found: bridge");
	assert_load_fails_with_prefix("a", "{\"name\":\"a\",\"subnet\":16,\"gateway\":\"10.1.0.1\",\"bridge\":\"isolate1\"}",
				      "network definition %s: Expected string");
	assert_load_fails("a", "{\"name\":\"a\",\"subnet\":\"10.1.0.0/16\",\"gateway\":\"10.1.0.1\",\"bridge\":\"isolate123456789\"}",
			  "network definition %s: bridge name isolate123456789 is too long");
	/* fields that reach /proc/sys paths, nftables text and lease paths */
	assert_load_fails("a", "{\"name\":\"a\",\"subnet\":\"10.1.0.0/16\",\"gateway\":\"10.1.0.1\",\"bridge\":\"all\"}",
			  "network definition %s: bridge name all: expected isolate and a number");
	assert_load_fails("a", "{\"name\":\"a\",\"subnet\":\"10.1.0.0/16\",\"gateway\":\"10.1.0.1\",\"bridge\":\"isolate1\\\" }\"}",
			  "network definition %s: bridge name isolate1\" }: expected isolate and a number");
	assert_load_fails("a", "{\"name\":\"../b\",\"subnet\":\"10.1.0.0/16\",\"gateway\":\"10.1.0.1\",\"bridge\":\"isolate1\"}",
			  "network definition %s: name ../b does not match the file");
}

/* The file's values are checked too, and the message names the file. */
static void load_refuses_bad_addresses_in_a_definition(void **state)
{
	(void)state;
	assert_load_fails("a", "{\"name\":\"a\",\"subnet\":\"10.1.0.1/16\",\"gateway\":\"10.1.0.1\",\"bridge\":\"isolate1\"}",
			  "network definition %s: invalid subnet 10.1.0.1/16: host bits set; did you mean 10.1.0.0/16?");
	assert_load_fails("a", "{\"name\":\"a\",\"subnet\":\"10.1.0.0/16\",\"gateway\":\"10.1.0\",\"bridge\":\"isolate1\"}",
			  "network definition %s: invalid IPv4 address 10.1.0: expected four numbers 0-255 separated by dots, such as 10.66.0.1");
}

static void load_reads_a_definition_written_by_hand(void **state)
{
	cleanup_free char *dir = xasprintf("%s/networks", data_dir);
	cleanup_free char *path = definition_path("lab");
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	/* 15 characters is the longest a link name may be */
	write_file(path, "{\"name\": \"lab\", \"subnet\": \"192.168.50.0/23\", "
			 "\"gateway\": \"192.168.51.254\", \"bridge\": \"isolate12345678\"}");
	assert_int_equal(iso_network_load("lab", &net, &err), 0);
	assert_network(&net, "lab", "192.168.50.0/23", "192.168.51.254", "isolate12345678");
	iso_network_clear(&net);
}

static void forget_removes_the_definition(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	create("a", "172.30.1.0/24", NULL);
	create("b", "172.30.2.0/24", NULL);
	assert_int_equal(iso_network_forget("a", &err), 0);
	assert_false(defined("a"));
	assert_true(defined("b"));
	assert_int_equal(iso_network_load("a", &net, &err), -1);
	assert_string_equal(err.msg, "network a not found");
	assert_int_equal(iso_network_forget("a", &err), -1);
	assert_string_equal(err.msg, "network a not found");
	assert_int_equal(err.errnum, 0);
	/* the subnet is free again */
	create("c", "172.30.1.0/24", NULL);
}

static void forgotten_default_network_is_defined_again(void **state)
{
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	need_private_netns();
	assert_int_equal(iso_network_get("bridge", &net, &err), 0);
	iso_network_clear(&net);
	assert_int_equal(iso_network_forget("bridge", &err), 0);
	create("a", "10.66.0.0/16", NULL);
	assert_int_equal(iso_network_get("bridge", &net, &err), 0);
	assert_network(&net, "bridge", "10.67.0.0/16", "10.67.0.1", "isolate0");
	iso_network_clear(&net);
}

/* A name is a file name under DATA/networks: one that climbs out of it
 * must not load or forget a file elsewhere (isolate network rm passes
 * the user's word straight to iso_network_load and iso_network_forget). */
static void load_and_forget_refuse_a_name_that_climbs(void **state)
{
	char outside[256], dir[256];
	struct iso_network net = { 0 };
	struct iso_error err = { 0 };
	int loaded, got, forgot;

	(void)state;
	snprintf(outside, sizeof(outside), "%s/escape.json", data_dir);
	snprintf(dir, sizeof(dir), "%s/networks", data_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file(outside, "{\"name\": \"escape\", \"subnet\": \"10.1.0.0/16\", "
			    "\"gateway\": \"10.1.0.1\", \"bridge\": \"isolate7\"}");
	/* all three tried before the first assertion, which leaves nothing
	 * behind when it fails */
	loaded = iso_network_load("../escape", &net, &err);
	iso_network_clear(&net);
	got = iso_network_get("../escape", &net, &err);
	iso_network_clear(&net);
	forgot = iso_network_forget("../escape", &err);
	assert_int_equal(loaded, -1);
	assert_int_equal(got, -1);
	assert_int_equal(forgot, -1);
	assert_int_equal(access(outside, F_OK), 0);
}

#define NET_TEST(f) cmocka_unit_test_setup_teardown(f, empty_state_dirs, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		NET_TEST(default_network_is_defined_on_first_use),
		NET_TEST(default_network_stays_as_defined),
		NET_TEST(default_network_avoids_the_hosts_subnets),
		NET_TEST(default_network_avoids_other_networks),
		NET_TEST(default_network_when_the_pool_is_taken),
		NET_TEST(default_network_takes_the_last_of_the_pool),
		NET_TEST(only_the_default_network_is_defined_on_use),
		NET_TEST(create_with_a_subnet_takes_its_first_address),
		NET_TEST(create_with_a_gateway_keeps_it),
		NET_TEST(create_takes_a_30_but_nothing_smaller),
		NET_TEST(bridges_take_the_lowest_free_number),
		NET_TEST(create_refuses_a_bad_gateway),
		NET_TEST(create_refuses_a_bad_subnet),
		NET_TEST(create_refuses_an_overlap_with_a_network),
		NET_TEST(create_refuses_an_overlap_with_the_host),
		NET_TEST(create_refuses_invalid_names),
		NET_TEST(create_refuses_an_existing_name),
		NET_TEST(list_is_sorted_by_name),
		NET_TEST(list_skips_what_is_not_a_definition),
		NET_TEST(load_refuses_a_broken_definition),
		NET_TEST(load_refuses_bad_addresses_in_a_definition),
		NET_TEST(load_reads_a_definition_written_by_hand),
		NET_TEST(forget_removes_the_definition),
		NET_TEST(forgotten_default_network_is_defined_again),
		NET_TEST(load_and_forget_refuse_a_name_that_climbs),
	};
	int r;

	if (mkdtemp(top) == NULL)
		return 1;
	run_dir = xasprintf("%s/run", top);
	data_dir = xasprintf("%s/data", top);
	if (mkdir(run_dir, 0700) < 0 || mkdir(data_dir, 0700) < 0 ||
	    setenv("ISOLATE_RUN_DIR", run_dir, 1) < 0 || setenv("ISOLATE_DATA_DIR", data_dir, 1) < 0)
		return 1;
	/* never a real installation's state */
	if (strcmp(iso_run_dir(), run_dir) != 0 || strcmp(iso_data_dir(), data_dir) != 0) {
		fprintf(stderr, "the library ignores ISOLATE_RUN_DIR/ISOLATE_DATA_DIR\n");
		return 1;
	}
	private_netns = unshare(CLONE_NEWNET) == 0;
	if (!private_netns)
		fprintf(stderr, "# no network namespace of our own (%s): host-dependent tests skipped\n",
			strerror(errno));
	r = cmocka_run_group_tests_name("network", tests, NULL, NULL);
	nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(run_dir);
	free(data_dir);
	return r;
}
