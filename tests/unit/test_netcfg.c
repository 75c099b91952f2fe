/* netsetup.h, the flags half (netcfg.c): --network, -p, --add-host and
 * the checks that need more than one flag. */
#include "helpers.h"

#include <netinet/in.h>
#include <sched.h>

#include "netsetup.h"
#include "spec.h"

struct fixture {
	struct iso_netcfg cfg;
	struct iso_spec *spec;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->spec = iso_spec_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iso_netcfg_free(&f->cfg);
	iso_spec_free(f->spec);
	free(f);
	return 0;
}

static bool new_netns(const struct fixture *f)
{
	return (f->spec->linux_.new_namespaces & CLONE_NEWNET) != 0;
}

static void set_mode(struct fixture *f, const char *arg)
{
	struct iso_error err = { 0 };

	if (iso_netcfg_set_mode(&f->cfg, f->spec, arg, &err) < 0)
		fail_msg("--network %s: %s", arg, err.msg);
}

/* ---- --network ------------------------------------------------------------ */

static void none_is_a_new_namespace(void **state)
{
	struct fixture *f = *state;

	set_mode(f, "none");
	assert_int_equal(f->cfg.mode, ISO_NET_NONE);
	assert_true(new_netns(f));
	assert_null(f->cfg.network);
	assert_null(f->cfg.join);
}

static void private_is_none(void **state)
{
	struct fixture *f = *state;

	set_mode(f, "private");
	assert_int_equal(f->cfg.mode, ISO_NET_NONE);
	assert_true(new_netns(f));
}

static void host_keeps_the_hosts_namespace(void **state)
{
	struct fixture *f = *state;

	f->spec->linux_.new_namespaces = CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS;
	set_mode(f, "host");
	assert_int_equal(f->cfg.mode, ISO_NET_HOST);
	assert_false(new_netns(f));
	/* the other namespaces are not its business */
	assert_int_equal(f->spec->linux_.new_namespaces, CLONE_NEWPID | CLONE_NEWNS);
	assert_null(f->cfg.network);
	assert_null(f->cfg.join);
}

static void bridge_is_the_default_network(void **state)
{
	struct fixture *f = *state;

	f->spec->linux_.new_namespaces = CLONE_NEWPID;
	set_mode(f, "bridge");
	assert_int_equal(f->cfg.mode, ISO_NET_BRIDGE);
	assert_string_equal(f->cfg.network, ISO_NETWORK_DEFAULT);
	assert_int_equal(f->spec->linux_.new_namespaces, CLONE_NEWPID | CLONE_NEWNET);
	assert_null(f->cfg.join);
}

static void a_name_is_a_bridge_network(void **state)
{
	struct fixture *f = *state;

	set_mode(f, "backend-1.db_2");
	assert_int_equal(f->cfg.mode, ISO_NET_BRIDGE);
	assert_string_equal(f->cfg.network, "backend-1.db_2");
	assert_true(new_netns(f));
}

static void container_joins_its_namespace(void **state)
{
	struct fixture *f = *state;

	f->spec->linux_.new_namespaces = CLONE_NEWNET | CLONE_NEWPID;
	set_mode(f, "container:web");
	assert_int_equal(f->cfg.mode, ISO_NET_CONTAINER);
	assert_string_equal(f->cfg.join, "web");
	assert_null(f->cfg.network);
	assert_int_equal(f->spec->linux_.new_namespaces, CLONE_NEWPID);
	/* a pid is the caller's to tell from a name */
	set_mode(f, "container:1234");
	assert_int_equal(f->cfg.mode, ISO_NET_CONTAINER);
	assert_string_equal(f->cfg.join, "1234");
}

static void ns_joins_a_namespace_by_path(void **state)
{
	struct fixture *f = *state;

	f->spec->linux_.new_namespaces = CLONE_NEWNET;
	set_mode(f, "ns:/run/netns/blue");
	assert_int_equal(f->cfg.mode, ISO_NET_NS);
	assert_string_equal(f->cfg.join, "/run/netns/blue");
	assert_null(f->cfg.network);
	assert_false(new_netns(f));
}

static void the_last_network_flag_wins(void **state)
{
	struct fixture *f = *state;

	set_mode(f, "container:web");
	set_mode(f, "mynet");
	assert_int_equal(f->cfg.mode, ISO_NET_BRIDGE);
	assert_string_equal(f->cfg.network, "mynet");
	assert_null(f->cfg.join);
	assert_true(new_netns(f));
	set_mode(f, "host");
	assert_int_equal(f->cfg.mode, ISO_NET_HOST);
	assert_null(f->cfg.network);
	assert_false(new_netns(f));
	set_mode(f, "ns:/proc/1/ns/net");
	set_mode(f, "none");
	assert_int_equal(f->cfg.mode, ISO_NET_NONE);
	assert_null(f->cfg.join);
	assert_true(new_netns(f));
}

#define assert_mode_fails(f, arg, want) check_mode_fails(__FILE__, __LINE__, f, arg, want)

static void check_mode_fails(const char *file, int line, struct fixture *f, const char *arg,
			     const char *want)
{
	struct iso_error err = { 0 };

	_assert_int_equal(iso_netcfg_set_mode(&f->cfg, f->spec, arg, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
}

#define USAGE "expected none, host, bridge, a network's name, container:NAME_OR_PID or ns:PATH"

static void network_values_that_are_refused(void **state)
{
	struct fixture *f = *state;

	assert_mode_fails(f, "", "invalid --network : " USAGE);
	assert_mode_fails(f, "foo:bar", "invalid --network foo:bar: " USAGE);
	assert_mode_fails(f, "a/b", "invalid --network a/b: " USAGE);
	assert_mode_fails(f, "../net", "invalid --network ../net: " USAGE);
	assert_mode_fails(f, "container:", "invalid --network container:: name the container");
	assert_mode_fails(f, "ns:", "invalid --network ns:: name the namespace's path");
}

/* "container" and "ns" without their ':' are networks of that name, and
 * the prefixes are lower case. */
static void near_misses_of_the_prefixes(void **state)
{
	struct fixture *f = *state;

	set_mode(f, "ns");
	assert_int_equal(f->cfg.mode, ISO_NET_BRIDGE);
	assert_string_equal(f->cfg.network, "ns");
	set_mode(f, "container");
	assert_int_equal(f->cfg.mode, ISO_NET_BRIDGE);
	assert_string_equal(f->cfg.network, "container");
	assert_mode_fails(f, "Container:web", "invalid --network Container:web: " USAGE);
	assert_mode_fails(f, "NS:/x", "invalid --network NS:/x: " USAGE);
}

/* ---- -p and --add-host --------------------------------------------------- */

#define assert_port(...) check_port(__FILE__, __LINE__, __VA_ARGS__)

static void check_port(const char *file, int line, const struct iso_port *p, int proto,
		       const char *host_ip, unsigned host_port, unsigned ctr_port)
{
	char ip[ISO_IPV4_STRLEN];

	iso_ipv4_format(p->host_ip, ip);
	_assert_int_equal(p->proto, proto, file, line);
	_assert_string_equal(ip, host_ip, file, line);
	_assert_int_equal(p->host_port, host_port, file, line);
	_assert_int_equal(p->ctr_port, ctr_port, file, line);
}

static void ports_are_added_in_order(void **state)
{
	struct fixture *f = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_netcfg_add_port(&f->cfg, "80", &err), 0);
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "8080:80", &err), 0);
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "127.0.0.1::53/udp", &err), 0);
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "10.0.0.1:443:8443/tcp", &err), 0);
	assert_int_equal(f->cfg.n_ports, 4);
	assert_port(&f->cfg.ports[0], IPPROTO_TCP, "0.0.0.0", 0, 80);
	assert_port(&f->cfg.ports[1], IPPROTO_TCP, "0.0.0.0", 8080, 80);
	assert_port(&f->cfg.ports[2], IPPROTO_UDP, "127.0.0.1", 0, 53);
	assert_port(&f->cfg.ports[3], IPPROTO_TCP, "10.0.0.1", 443, 8443);
}

static void a_bad_port_is_not_added(void **state)
{
	struct fixture *f = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_netcfg_add_port(&f->cfg, "80", &err), 0);
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "http", &err), -1);
	assert_string_equal(err.msg, "invalid port http: container port http is not a number from 1 to 65535");
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "8080-8081:80", &err), -1);
	assert_string_equal(err.msg, "invalid port 8080-8081:80: port ranges (8080-8081) are not supported");
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "80/sctp", &err), -1);
	assert_string_equal(err.msg, "invalid port 80/sctp: protocol sctp is not supported (only tcp and udp)");
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "1:2:3:4", &err), -1);
	assert_string_equal(err.msg, "invalid port 1:2:3:4: expected [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]");
	assert_int_equal(f->cfg.n_ports, 1);
	assert_port(&f->cfg.ports[0], IPPROTO_TCP, "0.0.0.0", 0, 80);
}

static void hosts_are_added_as_name_then_address(void **state)
{
	struct fixture *f = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_netcfg_add_host(&f->cfg, "db:10.0.0.5", &err), 0);
	assert_int_equal(iso_netcfg_add_host(&f->cfg, "v6.example:2001:db8::1", &err), 0);
	assert_int_equal(iso_netcfg_add_host(&f->cfg, "gw:host-gateway", &err), 0);
	assert_int_equal(strv_len(f->cfg.add_hosts), 6);
	assert_string_equal(f->cfg.add_hosts[0], "db");
	assert_string_equal(f->cfg.add_hosts[1], "10.0.0.5");
	assert_string_equal(f->cfg.add_hosts[2], "v6.example");
	assert_string_equal(f->cfg.add_hosts[3], "2001:db8::1");
	assert_string_equal(f->cfg.add_hosts[4], "gw");
	assert_string_equal(f->cfg.add_hosts[5], "host-gateway");
	assert_null(f->cfg.add_hosts[6]);
}

static void a_bad_host_is_not_added(void **state)
{
	struct fixture *f = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_netcfg_add_host(&f->cfg, "db", &err), -1);
	assert_string_equal(err.msg, "invalid --add-host db: expected NAME:IP");
	assert_int_equal(iso_netcfg_add_host(&f->cfg, "db:", &err), -1);
	assert_string_equal(err.msg, "invalid --add-host db:: empty address (expected NAME:IP)");
	assert_int_equal(iso_netcfg_add_host(&f->cfg, "db:10.0.0", &err), -1);
	assert_string_equal(err.msg, "invalid --add-host db:10.0.0: 10.0.0 is not an IPv4 or IPv6 address, nor host-gateway");
	assert_int_equal(iso_netcfg_add_host(&f->cfg, ":10.0.0.5", &err), -1);
	assert_non_null(strstr(err.msg, "invalid --add-host :10.0.0.5"));
	assert_null(f->cfg.add_hosts);
}

/* ---- iso_netcfg_check ---------------------------------------------------- */

static void add_ports(struct fixture *f, const char *const *args)
{
	struct iso_error err = { 0 };

	for (size_t i = 0; args[i] != NULL; i++)
		if (iso_netcfg_add_port(&f->cfg, args[i], &err) < 0)
			fail_msg("-p %s: %s", args[i], err.msg);
}

#define assert_check_fails(f, want) check_check_fails(__FILE__, __LINE__, f, want)

static void check_check_fails(const char *file, int line, struct fixture *f, const char *want)
{
	struct iso_error err = { 0 };

	_assert_int_equal(iso_netcfg_check(&f->cfg, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
}

static void check_passes(struct fixture *f)
{
	struct iso_error err = { 0 };

	if (iso_netcfg_check(&f->cfg, &err) < 0)
		fail_msg("%s", err.msg);
}

static void a_bridge_takes_every_flag(void **state)
{
	struct fixture *f = *state;
	const char *ports[] = { "80", "8080:80", "127.0.0.1:9090:90", "53:53/udp", NULL };

	set_mode(f, "bridge");
	add_ports(f, ports);
	f->cfg.ip = xstrdup("10.66.0.9");
	f->cfg.mac = xstrdup("02:42:0a:42:00:09");
	check_passes(f);
}

static void nothing_asked_passes_in_every_mode(void **state)
{
	struct fixture *f = *state;
	const char *modes[] = { "none", "host", "bridge", "net1", "container:web", "ns:/x", NULL };

	for (size_t i = 0; modes[i] != NULL; i++) {
		set_mode(f, modes[i]);
		check_passes(f);
	}
}

static void ports_need_a_bridge(void **state)
{
	struct fixture *f = *state;
	const char *ports[] = { "8080:80", NULL };

	add_ports(f, ports);
	set_mode(f, "none");
	assert_check_fails(f, "conflicting options: -p needs a bridge network, not --network none");
	set_mode(f, "host");
	assert_check_fails(f, "conflicting options: -p needs a bridge network, not --network host");
	set_mode(f, "container:web");
	assert_check_fails(f, "conflicting options: -p needs a bridge network, not --network joined");
	set_mode(f, "ns:/run/netns/blue");
	assert_check_fails(f, "conflicting options: -p needs a bridge network, not --network joined");
	set_mode(f, "mynet");
	check_passes(f);
}

static void ip_needs_a_bridge(void **state)
{
	struct fixture *f = *state;
	const char *modes[] = { "host", "none", "container:web", "ns:/x", NULL };

	f->cfg.ip = xstrdup("10.66.0.9");
	for (size_t i = 0; modes[i] != NULL; i++) {
		set_mode(f, modes[i]);
		assert_check_fails(f, "conflicting options: --ip needs a bridge network");
	}
	set_mode(f, "bridge");
	check_passes(f);
}

static void mac_needs_a_bridge(void **state)
{
	struct fixture *f = *state;
	const char *modes[] = { "host", "none", "container:web", "ns:/x", NULL };

	f->cfg.mac = xstrdup("02:42:0a:42:00:09");
	for (size_t i = 0; modes[i] != NULL; i++) {
		set_mode(f, modes[i]);
		assert_check_fails(f, "conflicting options: --mac-address needs a bridge network");
	}
	set_mode(f, "net1");
	check_passes(f);
}

/* -p is reported before --ip, which is reported before --mac-address. */
static void the_first_conflict_is_reported(void **state)
{
	struct fixture *f = *state;
	const char *ports[] = { "80", NULL };

	set_mode(f, "host");
	f->cfg.mac = xstrdup("02:42:0a:42:00:09");
	f->cfg.ip = xstrdup("10.66.0.9");
	assert_check_fails(f, "conflicting options: --ip needs a bridge network");
	add_ports(f, ports);
	assert_check_fails(f, "conflicting options: -p needs a bridge network, not --network host");
}

#define assert_ports_conflict(f, a, b, want) \
	check_ports_conflict(__FILE__, __LINE__, f, a, b, want)

/* -p A and -p B on the default network: WANT, or NULL for no conflict. */
static void check_ports_conflict(const char *file, int line, struct fixture *f, const char *a,
				 const char *b, const char *want)
{
	const char *ports[] = { a, b, NULL };
	struct iso_error err = { 0 };
	int r;

	iso_netcfg_free(&f->cfg);
	set_mode(f, "bridge");
	add_ports(f, ports);
	r = iso_netcfg_check(&f->cfg, &err);
	if (want == NULL) {
		if (r != 0)
			fail_msg("%s:%d: -p %s -p %s: %s", file, line, a, b, err.msg);
		return;
	}
	_assert_int_equal(r, -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
}

static void a_host_port_is_published_once(void **state)
{
	struct fixture *f = *state;

	assert_ports_conflict(f, "8080:80", "8080:81", "port 0.0.0.0:8080->81/tcp is published twice");
	assert_ports_conflict(f, "8080:80", "8080:80", "port 0.0.0.0:8080->80/tcp is published twice");
	assert_ports_conflict(f, "53:53/udp", "53:5353/udp", "port 0.0.0.0:53->5353/udp is published twice");
	/* every address of the host includes the one named */
	assert_ports_conflict(f, "8080:80", "127.0.0.1:8080:81",
			      "port 127.0.0.1:8080->81/tcp is published twice");
	assert_ports_conflict(f, "127.0.0.1:8080:81", "8080:80",
			      "port 0.0.0.0:8080->80/tcp is published twice");
	assert_ports_conflict(f, "127.0.0.1:8080:81", "127.0.0.1:8080:80",
			      "port 127.0.0.1:8080->80/tcp is published twice");
}

static void host_ports_that_do_not_collide(void **state)
{
	struct fixture *f = *state;

	assert_ports_conflict(f, "8080:80", "8081:80", NULL);
	assert_ports_conflict(f, "8080:80", "8080:80/udp", NULL);
	assert_ports_conflict(f, "127.0.0.1:8080:80", "127.0.0.2:8080:80", NULL);
	/* chosen at start: never the same */
	assert_ports_conflict(f, "80", "80", NULL);
	assert_ports_conflict(f, "127.0.0.1::80", "127.0.0.1::80", NULL);
}

static void a_third_port_is_checked_against_both(void **state)
{
	struct fixture *f = *state;
	const char *ports[] = { "8080:80", "9090:90", "7070:70", "9090:91", NULL };

	set_mode(f, "bridge");
	add_ports(f, ports);
	assert_check_fails(f, "port 0.0.0.0:9090->91/tcp is published twice");
}

static void free_leaves_an_empty_config(void **state)
{
	struct fixture *f = *state;
	struct iso_error err = { 0 };

	set_mode(f, "container:web");
	assert_int_equal(iso_netcfg_add_port(&f->cfg, "80", &err), 0);
	assert_int_equal(iso_netcfg_add_host(&f->cfg, "db:10.0.0.5", &err), 0);
	f->cfg.ip = xstrdup("10.66.0.9");
	iso_netcfg_free(&f->cfg);
	assert_int_equal(f->cfg.mode, ISO_NET_NONE);
	assert_null(f->cfg.join);
	assert_null(f->cfg.ip);
	assert_null(f->cfg.ports);
	assert_int_equal(f->cfg.n_ports, 0);
	assert_null(f->cfg.add_hosts);
	/* and may be used again */
	set_mode(f, "mynet");
	assert_string_equal(f->cfg.network, "mynet");
}

#define CFG_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CFG_TEST(none_is_a_new_namespace),
		CFG_TEST(private_is_none),
		CFG_TEST(host_keeps_the_hosts_namespace),
		CFG_TEST(bridge_is_the_default_network),
		CFG_TEST(a_name_is_a_bridge_network),
		CFG_TEST(container_joins_its_namespace),
		CFG_TEST(ns_joins_a_namespace_by_path),
		CFG_TEST(the_last_network_flag_wins),
		CFG_TEST(network_values_that_are_refused),
		CFG_TEST(near_misses_of_the_prefixes),
		CFG_TEST(ports_are_added_in_order),
		CFG_TEST(a_bad_port_is_not_added),
		CFG_TEST(hosts_are_added_as_name_then_address),
		CFG_TEST(a_bad_host_is_not_added),
		CFG_TEST(a_bridge_takes_every_flag),
		CFG_TEST(nothing_asked_passes_in_every_mode),
		CFG_TEST(ports_need_a_bridge),
		CFG_TEST(ip_needs_a_bridge),
		CFG_TEST(mac_needs_a_bridge),
		CFG_TEST(the_first_conflict_is_reported),
		CFG_TEST(a_host_port_is_published_once),
		CFG_TEST(host_ports_that_do_not_collide),
		CFG_TEST(a_third_port_is_checked_against_both),
		CFG_TEST(free_leaves_an_empty_config),
	};

	return cmocka_run_group_tests_name("netcfg", tests, NULL, NULL);
}
