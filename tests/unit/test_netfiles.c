/* netfiles.h: a container's /etc/resolv.conf and /etc/hosts. */
#include "helpers.h"

#include "netfiles.h"

#define DEFAULT_SERVERS "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"

/* The resolv.conf made of HOST, DNS and KEEP_LOOPBACK is exactly WANT. */
#define assert_resolv(...) check_resolv(__FILE__, __LINE__, __VA_ARGS__)

static void check_resolv(const char *file, int line, const char *host, const struct iso_dns *dns,
			 bool keep_loopback, const char *want)
{
	cleanup_free char *got = iso_resolv_conf_build(host, dns, keep_loopback);

	_assert_string_equal(got, want, file, line);
}

static void resolv_without_host_file_gets_docker_defaults(void **state)
{
	(void)state;
	assert_resolv(NULL, NULL, false, DEFAULT_SERVERS);
	assert_resolv("", NULL, false, DEFAULT_SERVERS);
	assert_resolv("\n\n", NULL, true, DEFAULT_SERVERS);
}

static void resolv_keeps_reachable_servers_in_order(void **state)
{
	(void)state;
	assert_resolv("nameserver 1.1.1.1\nnameserver 9.9.9.9\n", NULL, false,
		      "nameserver 1.1.1.1\nnameserver 9.9.9.9\n");
}

/* systemd-resolved's stub, the usual reason for this rule */
static void resolv_with_only_loopback_servers_gets_defaults(void **state)
{
	(void)state;
	assert_resolv("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n", NULL, false,
		      DEFAULT_SERVERS "search lan\noptions edns0 trust-ad\n");
	assert_resolv("nameserver 127.0.0.1\nnameserver 127.255.255.254\nnameserver ::1\n", NULL,
		      false, DEFAULT_SERVERS);
	assert_resolv("nameserver ::ffff:127.0.0.1\n", NULL, false, DEFAULT_SERVERS);
}

static void resolv_with_mixed_servers_keeps_the_reachable_ones(void **state)
{
	(void)state;
	assert_resolv("nameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\n"
		      "nameserver 2001:4860:4860::8888\nnameserver 128.0.0.1\n",
		      NULL, false,
		      "nameserver 10.0.0.1\nnameserver 2001:4860:4860::8888\nnameserver 128.0.0.1\n");
}

static void resolv_keep_loopback_keeps_every_server(void **state)
{
	(void)state;
	assert_resolv("nameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.1\n", NULL, true,
		      "nameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.1\n");
}

static void resolv_keeps_ipv6_servers(void **state)
{
	(void)state;
	assert_resolv("nameserver fd00::53\nnameserver 2606:4700:4700::1111\n", NULL, false,
		      "nameserver fd00::53\nnameserver 2606:4700:4700::1111\n");
}

/* A zone names an interface of the host, and garbage is no server. */
static void resolv_drops_servers_that_are_not_plain_addresses(void **state)
{
	(void)state;
	assert_resolv("nameserver fe80::1%eth0\nnameserver dns.example\nnameserver\n"
		      "nameserver 10.0.0.256\nnameserver 10.0.0.1\n",
		      NULL, false, "nameserver 10.0.0.1\n");
	assert_resolv("nameserver fe80::1%eth0\n", NULL, false, DEFAULT_SERVERS);
}

static void resolv_dns_flag_replaces_host_servers(void **state)
{
	char *servers[] = { "1.1.1.1", "2606:4700:4700::1111", NULL };
	struct iso_dns dns = { .servers = servers };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\nsearch lan\n", &dns, false,
		      "nameserver 1.1.1.1\nnameserver 2606:4700:4700::1111\nsearch lan\n");
	assert_resolv(NULL, &dns, false, "nameserver 1.1.1.1\nnameserver 2606:4700:4700::1111\n");
}

/* The user asked for it: even a loopback --dns is written as given. */
static void resolv_dns_flag_is_not_filtered(void **state)
{
	char *servers[] = { "127.0.0.1", NULL };
	struct iso_dns dns = { .servers = servers };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\n", &dns, false, "nameserver 127.0.0.1\n");
}

static void resolv_empty_flag_lists_count_as_not_given(void **state)
{
	char *none[] = { NULL };
	struct iso_dns dns = { .servers = none, .search = none, .options = none };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\nsearch lan\noptions ndots:2\n", &dns, false,
		      "nameserver 10.0.0.1\nsearch lan\noptions ndots:2\n");
}

static void resolv_domain_is_written_as_search(void **state)
{
	(void)state;
	assert_resolv("nameserver 10.0.0.1\ndomain corp.example\n", NULL, false,
		      "nameserver 10.0.0.1\nsearch corp.example\n");
}

/* resolv.conf(5): search and domain exclude each other; the last wins. */
static void resolv_last_search_or_domain_wins(void **state)
{
	(void)state;
	assert_resolv("search a.example b.example\ndomain corp.example\n", NULL, false,
		      DEFAULT_SERVERS "search corp.example\n");
	assert_resolv("domain corp.example\nsearch a.example  b.example\n", NULL, false,
		      DEFAULT_SERVERS "search a.example b.example\n");
	assert_resolv("search a.example\nsearch\n", NULL, false, DEFAULT_SERVERS "search a.example\n");
}

static void resolv_dns_search_replaces_search_and_domain(void **state)
{
	char *search[] = { "x.example", "y.example", NULL };
	struct iso_dns dns = { .search = search };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\nsearch a.example\ndomain b.example\n", &dns, false,
		      "nameserver 10.0.0.1\nsearch x.example y.example\n");
	assert_resolv(NULL, &dns, false, DEFAULT_SERVERS "search x.example y.example\n");
}

static void resolv_dns_search_dot_means_no_search_line(void **state)
{
	char *dot[] = { ".", NULL };
	char *mixed[] = { ".", "x.example", NULL };
	struct iso_dns only_dot = { .search = dot };
	struct iso_dns with_dot = { .search = mixed };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\nsearch a.example\n", &only_dot, false,
		      "nameserver 10.0.0.1\n");
	assert_resolv("nameserver 10.0.0.1\nsearch a.example\n", &with_dot, false,
		      "nameserver 10.0.0.1\nsearch x.example\n");
}

static void resolv_options_are_kept_and_merged(void **state)
{
	(void)state;
	assert_resolv("options ndots:2\nnameserver 10.0.0.1\noptions edns0 trust-ad\n", NULL, false,
		      "nameserver 10.0.0.1\noptions ndots:2 edns0 trust-ad\n");
}

static void resolv_dns_option_replaces_options(void **state)
{
	char *options[] = { "ndots:5", "timeout:1", NULL };
	struct iso_dns dns = { .options = options };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\noptions edns0\n", &dns, false,
		      "nameserver 10.0.0.1\noptions ndots:5 timeout:1\n");
}

static void resolv_every_flag_together(void **state)
{
	char *servers[] = { "1.1.1.1", NULL };
	char *search[] = { "x.example", NULL };
	char *options[] = { "rotate", NULL };
	struct iso_dns dns = { servers, search, options };

	(void)state;
	assert_resolv("nameserver 10.0.0.1\nsearch a\noptions edns0\n", &dns, true,
		      "nameserver 1.1.1.1\nsearch x.example\noptions rotate\n");
}

/* Whatever order the host's file has: servers, then search, then options. */
static void resolv_output_order_is_fixed(void **state)
{
	(void)state;
	assert_resolv("options edns0\nsearch lan\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n",
		      NULL, false,
		      "nameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch lan\noptions edns0\n");
}

static void resolv_drops_comments_and_unknown_lines(void **state)
{
	(void)state;
	assert_resolv("# Generated by NetworkManager\n"
		      "; old-style comment\n"
		      "sortlist 130.155.160.0/255.255.240.0\n"
		      "nameserverx 10.9.9.9\n"
		      "NAMESERVER 10.9.9.8\n"
		      "nameserver 10.0.0.1 # the router\n"
		      "search lan # local\n"
		      "options edns0;trust-ad\n",
		      NULL, false, "nameserver 10.0.0.1\nsearch lan\noptions edns0\n");
}

static void resolv_tolerates_odd_whitespace(void **state)
{
	(void)state;
	assert_resolv("  nameserver\t10.0.0.1\r\n\tsearch  a.example\tb.example \r\n"
		      "options   edns0\nnameserver 10.0.0.2", NULL, false,
		      "nameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch a.example b.example\n"
		      "options edns0\n");
}

/* ARG parses into WANT_NAME and WANT_IP. */
#define assert_add_host(...) check_add_host(__FILE__, __LINE__, __VA_ARGS__)

static void check_add_host(const char *file, int line, const char *arg, const char *want_name,
			   const char *want_ip)
{
	struct iso_error err = { 0 };
	cleanup_free char *name = NULL;
	cleanup_free char *ip = NULL;

	_assert_int_equal(iso_add_host_parse(arg, &name, &ip, &err), 0, file, line);
	_assert_string_equal(name, want_name, file, line);
	_assert_string_equal(ip, want_ip, file, line);
}

/* ARG is refused with exactly "invalid --add-host ARG: REASON" and both
 * outputs are NULL. */
#define assert_add_host_fails(...) check_add_host_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_add_host_fails(const char *file, int line, const char *arg, const char *reason)
{
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("invalid --add-host %s: %s", arg, reason);
	char *name = (char *)"untouched", *ip = (char *)"untouched";

	_assert_int_equal(iso_add_host_parse(arg, &name, &ip, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_true(name == NULL, "name == NULL", file, line);
	_assert_true(ip == NULL, "ip == NULL", file, line);
}

static void add_host_takes_ipv4_ipv6_and_host_gateway(void **state)
{
	(void)state;
	assert_add_host("db:10.0.0.5", "db", "10.0.0.5");
	assert_add_host("db.example.com:192.168.1.1", "db.example.com", "192.168.1.1");
	assert_add_host("v6:::1", "v6", "::1");
	assert_add_host("v6:2001:db8::1", "v6", "2001:db8::1");
	assert_add_host("host.docker.internal:host-gateway", "host.docker.internal", "host-gateway");
	assert_add_host("my_host-1:10.0.0.1", "my_host-1", "10.0.0.1");
}

static void add_host_name_may_be_253_characters(void **state)
{
	char arg[253 + sizeof(":10.0.0.1")];
	char name[254];

	(void)state;
	memset(name, 'a', 253);
	name[253] = '\0';
	snprintf(arg, sizeof(arg), "%s:10.0.0.1", name);
	assert_add_host(arg, name, "10.0.0.1");
}

static void add_host_name_longer_than_253_is_refused(void **state)
{
	char arg[254 + sizeof(":10.0.0.1")];

	(void)state;
	memset(arg, 'a', 254);
	snprintf(arg + 254, sizeof(arg) - 254, ":10.0.0.1");
	assert_add_host_fails(arg, "the host name is longer than 253 characters");
}

static void add_host_refuses_bad_names(void **state)
{
	(void)state;
	assert_add_host_fails("10.0.0.1", "expected NAME:IP");
	assert_add_host_fails("db", "expected NAME:IP");
	assert_add_host_fails("", "expected NAME:IP");
	assert_add_host_fails(":10.0.0.1", "empty host name (expected NAME:IP)");
	assert_add_host_fails("my host:10.0.0.1",
			      "host name my host may hold only letters, digits, '-', '.' and '_'");
	assert_add_host_fails("db/1:10.0.0.1",
			      "host name db/1 may hold only letters, digits, '-', '.' and '_'");
	assert_add_host_fails("db=10.0.0.1",
			      "expected NAME:IP");
}

static void add_host_refuses_bad_addresses(void **state)
{
	(void)state;
	assert_add_host_fails("db:", "empty address (expected NAME:IP)");
	assert_add_host_fails("db:10.0.0", "10.0.0 is not an IPv4 or IPv6 address, nor host-gateway");
	assert_add_host_fails("db:10.0.0.1 ",
			      "10.0.0.1  is not an IPv4 or IPv6 address, nor host-gateway");
	assert_add_host_fails("db:example.com",
			      "example.com is not an IPv4 or IPv6 address, nor host-gateway");
	assert_add_host_fails("db:[::1]", "[::1] is not an IPv4 or IPv6 address, nor host-gateway");
	assert_add_host_fails("db:fe80::1%eth0",
			      "fe80::1%eth0 is not an IPv4 or IPv6 address, nor host-gateway");
	assert_add_host_fails("db:Host-Gateway",
			      "Host-Gateway is not an IPv4 or IPv6 address, nor host-gateway");
}

#define LOCALHOST_LINES \
	"127.0.0.1\tlocalhost\n" \
	"::1\tlocalhost ip6-localhost ip6-loopback\n" \
	"fe00::0\tip6-localnet\n" \
	"ff00::0\tip6-mcastprefix\n" \
	"ff02::1\tip6-allnodes\n" \
	"ff02::2\tip6-allrouters\n"

#define assert_hosts(...) check_hosts(__FILE__, __LINE__, __VA_ARGS__)

static void check_hosts(const char *file, int line, const char *hostname, const char *own_ip,
			char *const *extra, const char *want)
{
	cleanup_free char *got = iso_hosts_build(hostname, own_ip, extra);

	_assert_string_equal(got, want, file, line);
}

static void hosts_without_own_ip_has_only_the_localhost_lines(void **state)
{
	(void)state;
	assert_hosts("box", NULL, NULL, LOCALHOST_LINES);
}

static void hosts_with_own_ip_names_the_container(void **state)
{
	(void)state;
	assert_hosts("box", "10.66.0.2", NULL, LOCALHOST_LINES "10.66.0.2\tbox\n");
}

static void hosts_extras_follow_own_ip_in_order(void **state)
{
	char *extra[] = { "10.0.0.5", "db", "::1", "v6", "10.0.0.1", "host.docker.internal", NULL };

	(void)state;
	assert_hosts("box", "10.66.0.2", extra,
		     LOCALHOST_LINES "10.66.0.2\tbox\n10.0.0.5\tdb\n::1\tv6\n"
		     "10.0.0.1\thost.docker.internal\n");
}

static void hosts_extras_without_own_ip(void **state)
{
	char *extra[] = { "10.0.0.5", "db", NULL };

	(void)state;
	assert_hosts("box", NULL, extra, LOCALHOST_LINES "10.0.0.5\tdb\n");
}

static void hosts_with_empty_extras(void **state)
{
	char *extra[] = { NULL };

	(void)state;
	assert_hosts("box", "10.66.0.2", extra, LOCALHOST_LINES "10.66.0.2\tbox\n");
}

/* An address left without its name is not written half. */
static void hosts_ignores_an_unpaired_trailing_address(void **state)
{
	char *extra[] = { "10.0.0.5", "db", "10.0.0.6", NULL };

	(void)state;
	assert_hosts("box", NULL, extra, LOCALHOST_LINES "10.0.0.5\tdb\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolv_without_host_file_gets_docker_defaults),
		cmocka_unit_test(resolv_keeps_reachable_servers_in_order),
		cmocka_unit_test(resolv_with_only_loopback_servers_gets_defaults),
		cmocka_unit_test(resolv_with_mixed_servers_keeps_the_reachable_ones),
		cmocka_unit_test(resolv_keep_loopback_keeps_every_server),
		cmocka_unit_test(resolv_keeps_ipv6_servers),
		cmocka_unit_test(resolv_drops_servers_that_are_not_plain_addresses),
		cmocka_unit_test(resolv_dns_flag_replaces_host_servers),
		cmocka_unit_test(resolv_dns_flag_is_not_filtered),
		cmocka_unit_test(resolv_empty_flag_lists_count_as_not_given),
		cmocka_unit_test(resolv_domain_is_written_as_search),
		cmocka_unit_test(resolv_last_search_or_domain_wins),
		cmocka_unit_test(resolv_dns_search_replaces_search_and_domain),
		cmocka_unit_test(resolv_dns_search_dot_means_no_search_line),
		cmocka_unit_test(resolv_options_are_kept_and_merged),
		cmocka_unit_test(resolv_dns_option_replaces_options),
		cmocka_unit_test(resolv_every_flag_together),
		cmocka_unit_test(resolv_output_order_is_fixed),
		cmocka_unit_test(resolv_drops_comments_and_unknown_lines),
		cmocka_unit_test(resolv_tolerates_odd_whitespace),
		cmocka_unit_test(add_host_takes_ipv4_ipv6_and_host_gateway),
		cmocka_unit_test(add_host_name_may_be_253_characters),
		cmocka_unit_test(add_host_name_longer_than_253_is_refused),
		cmocka_unit_test(add_host_refuses_bad_names),
		cmocka_unit_test(add_host_refuses_bad_addresses),
		cmocka_unit_test(hosts_without_own_ip_has_only_the_localhost_lines),
		cmocka_unit_test(hosts_with_own_ip_names_the_container),
		cmocka_unit_test(hosts_extras_follow_own_ip_in_order),
		cmocka_unit_test(hosts_extras_without_own_ip),
		cmocka_unit_test(hosts_with_empty_extras),
		cmocka_unit_test(hosts_ignores_an_unpaired_trailing_address),
	};

	return cmocka_run_group_tests_name("netfiles", tests, NULL, NULL);
}
