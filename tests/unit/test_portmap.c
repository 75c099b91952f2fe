/* portmap.h: -p [HOSTIP:][HOSTPORT:]CTRPORT[/tcp|/udp]. */
#include "helpers.h"

#include <netinet/in.h>

#include "portmap.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* TEXT parses to exactly PROTO, HOST_IP, HOST_PORT and CTR_PORT. */
#define assert_port(...) check_port(__FILE__, __LINE__, __VA_ARGS__)

static void check_port(const char *file, int line, const char *text, int proto,
		       uint32_t host_ip, unsigned host_port, unsigned ctr_port)
{
	struct iso_error err = { 0 };
	struct iso_port p;

	memset(&p, 0xaa, sizeof(p));
	_assert_int_equal(iso_port_parse(text, &p, &err), 0, file, line);
	_assert_int_equal(p.proto, proto, file, line);
	_assert_int_equal(p.host_ip, host_ip, file, line);
	_assert_int_equal(p.host_port, host_port, file, line);
	_assert_int_equal(p.ctr_port, ctr_port, file, line);
}

/* TEXT is refused with exactly "invalid port TEXT: REASON" and the port
 * is left alone. */
#define assert_port_fails(...) check_port_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_port_fails(const char *file, int line, const char *text, const char *reason)
{
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("invalid port %s: %s", text, reason);
	struct iso_port p = { .proto = 99, .host_ip = 1, .host_port = 2, .ctr_port = 3 };

	_assert_int_equal(iso_port_parse(text, &p, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.errnum, 0, file, line);
	_assert_int_equal(p.proto, 99, file, line);
	_assert_int_equal(p.host_ip, 1, file, line);
	_assert_int_equal(p.host_port, 2, file, line);
	_assert_int_equal(p.ctr_port, 3, file, line);
}

static void container_port_alone_leaves_the_host_side_open(void **state)
{
	(void)state;
	assert_port("80", IPPROTO_TCP, 0, 0, 80);
	assert_port("1", IPPROTO_TCP, 0, 0, 1);
	assert_port("65535", IPPROTO_TCP, 0, 0, 65535);
}

static void host_port_and_container_port(void **state)
{
	(void)state;
	assert_port("8080:80", IPPROTO_TCP, 0, 8080, 80);
	assert_port("65535:1", IPPROTO_TCP, 0, 65535, 1);
}

static void host_ip_host_port_and_container_port(void **state)
{
	(void)state;
	assert_port("127.0.0.1:8080:80", IPPROTO_TCP, IP(127, 0, 0, 1), 8080, 80);
	assert_port("0.0.0.0:8080:80", IPPROTO_TCP, 0, 8080, 80);
	assert_port("192.168.1.10:53:53/udp", IPPROTO_UDP, IP(192, 168, 1, 10), 53, 53);
}

static void host_ip_without_host_port_picks_a_free_one(void **state)
{
	(void)state;
	assert_port("127.0.0.1::80", IPPROTO_TCP, IP(127, 0, 0, 1), 0, 80);
	assert_port("127.0.0.1::80/udp", IPPROTO_UDP, IP(127, 0, 0, 1), 0, 80);
}

static void protocol_suffix_is_tcp_or_udp_in_either_case(void **state)
{
	(void)state;
	assert_port("80/tcp", IPPROTO_TCP, 0, 0, 80);
	assert_port("80/udp", IPPROTO_UDP, 0, 0, 80);
	assert_port("8080:80/udp", IPPROTO_UDP, 0, 8080, 80);
	assert_port("80/TCP", IPPROTO_TCP, 0, 0, 80);
	assert_port("80/Udp", IPPROTO_UDP, 0, 0, 80);
}

#define NOT_A_PORT(what, s) what " port " s " is not a number from 1 to 65535"

static void out_of_range_and_non_numeric_ports_are_refused(void **state)
{
	(void)state;
	assert_port_fails("0", NOT_A_PORT("container", "0"));
	assert_port_fails("65536", NOT_A_PORT("container", "65536"));
	assert_port_fails("4294967296", NOT_A_PORT("container", "4294967296"));
	assert_port_fails("abc", NOT_A_PORT("container", "abc"));
	assert_port_fails("-1", NOT_A_PORT("container", "-1"));
	assert_port_fails("+80", NOT_A_PORT("container", "+80"));
	assert_port_fails(" 80", NOT_A_PORT("container", " 80"));
	assert_port_fails("80x", NOT_A_PORT("container", "80x"));
	assert_port_fails("0:80", NOT_A_PORT("host", "0"));
	assert_port_fails("70000:80", NOT_A_PORT("host", "70000"));
	assert_port_fails("http:80", NOT_A_PORT("host", "http"));
	assert_port_fails("127.0.0.1:8080:0", NOT_A_PORT("container", "0"));
	assert_port_fails("127.0.0.1:0:80", NOT_A_PORT("host", "0"));
}

static void port_ranges_are_not_supported(void **state)
{
	(void)state;
	assert_port_fails("80-90", "port ranges (80-90) are not supported");
	assert_port_fails("8080-8090:80-90", "port ranges (80-90) are not supported");
	assert_port_fails("8080-8090:80", "port ranges (8080-8090) are not supported");
	assert_port_fails("127.0.0.1:8080-8090:80/udp", "port ranges (8080-8090) are not supported");
}

static void ipv6_host_addresses_are_not_supported(void **state)
{
	(void)state;
	assert_port_fails("[::1]:80:80", "IPv6 host addresses are not supported");
	assert_port_fails("[::]::80", "IPv6 host addresses are not supported");
	assert_port_fails("[fd00::1]:8080:80/udp", "IPv6 host addresses are not supported");
	assert_port_fails("::1:80:80", "IPv6 host addresses are not supported");
	assert_port_fails("fe80::1::80", "IPv6 host addresses are not supported");
}

static void too_many_colons_without_ipv6_is_a_usage_error(void **state)
{
	(void)state;
	assert_port_fails("1:2:3:4",
			  "expected [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]");
	assert_port_fails(":::80",
			  "expected [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]");
}

static void host_address_must_be_ipv4(void **state)
{
	(void)state;
	assert_port_fails("localhost:8080:80", "host address localhost is not an IPv4 address");
	assert_port_fails("127.0.0:8080:80", "host address 127.0.0 is not an IPv4 address");
	assert_port_fails("[127.0.0.1]:8080:80",
			  "host address [127.0.0.1] is not an IPv4 address");
}

static void empty_parts_are_refused_with_a_suggestion(void **state)
{
	(void)state;
	assert_port_fails("", "empty container port");
	assert_port_fails("8080:", "empty container port");
	assert_port_fails("127.0.0.1:8080:", "empty container port");
	assert_port_fails("/udp", "empty container port");
	assert_port_fails(":80", "empty host port; did you mean 80?");
	assert_port_fails(":80/udp", "empty host port; did you mean 80/udp?");
	assert_port_fails(":8080:80", "empty host address; did you mean 8080:80?");
	assert_port_fails("::80", "empty host address; did you mean 80?");
}

static void host_address_in_the_host_port_place_is_pointed_out(void **state)
{
	(void)state;
	assert_port_fails("127.0.0.1:80",
			  "127.0.0.1 is a host address, not a host port; did you mean 127.0.0.1::80?");
	assert_port_fails("10.0.0.1:53/udp",
			  "10.0.0.1 is a host address, not a host port; did you mean 10.0.0.1::53/udp?");
}

static void only_tcp_and_udp_are_supported(void **state)
{
	(void)state;
	assert_port_fails("80/sctp", "protocol sctp is not supported (only tcp and udp)");
	assert_port_fails("8080:80/icmp", "protocol icmp is not supported (only tcp and udp)");
	assert_port_fails("80/tcp/udp", "protocol tcp/udp is not supported (only tcp and udp)");
	assert_port_fails("80/", "empty protocol after '/' (expected tcp or udp)");
}

/* P formats as WANT. */
#define assert_format(...) check_format(__FILE__, __LINE__, __VA_ARGS__)

static void check_format(const char *file, int line, const struct iso_port *p, const char *want)
{
	char buf[ISO_PORT_STRLEN];

	iso_port_format(p, buf);
	_assert_string_equal(buf, want, file, line);
}

static void format_shows_it_as_docker_ps_does(void **state)
{
	struct iso_port any = { IPPROTO_TCP, 0, 8080, 80 };
	struct iso_port local = { IPPROTO_UDP, IP(127, 0, 0, 1), 5353, 53 };
	struct iso_port widest = { IPPROTO_UDP, UINT32_MAX, 65535, 65535 };

	(void)state;
	assert_format(&any, "0.0.0.0:8080->80/tcp");
	assert_format(&local, "127.0.0.1:5353->53/udp");
	assert_format(&widest, "255.255.255.255:65535->65535/udp");
}

/* Before the container starts, a free host port has not been chosen. */
static void format_shows_an_unchosen_host_port_as_zero(void **state)
{
	struct iso_port p = { IPPROTO_TCP, 0, 0, 80 };

	(void)state;
	assert_format(&p, "0.0.0.0:0->80/tcp");
}

static void parse_then_format(void **state)
{
	struct iso_error err = { 0 };
	struct iso_port p;

	(void)state;
	assert_int_equal(iso_port_parse("127.0.0.1:8080:80/udp", &p, &err), 0);
	assert_format(&p, "127.0.0.1:8080->80/udp");
	assert_int_equal(iso_port_parse("8080:80", &p, &err), 0);
	assert_format(&p, "0.0.0.0:8080->80/tcp");
}

static void proto_names(void **state)
{
	(void)state;
	assert_string_equal(iso_port_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(iso_port_proto_name(IPPROTO_UDP), "udp");
	assert_string_equal(iso_port_proto_name(IPPROTO_SCTP), "unknown");
	assert_string_equal(iso_port_proto_name(-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_port_alone_leaves_the_host_side_open),
		cmocka_unit_test(host_port_and_container_port),
		cmocka_unit_test(host_ip_host_port_and_container_port),
		cmocka_unit_test(host_ip_without_host_port_picks_a_free_one),
		cmocka_unit_test(protocol_suffix_is_tcp_or_udp_in_either_case),
		cmocka_unit_test(out_of_range_and_non_numeric_ports_are_refused),
		cmocka_unit_test(port_ranges_are_not_supported),
		cmocka_unit_test(ipv6_host_addresses_are_not_supported),
		cmocka_unit_test(too_many_colons_without_ipv6_is_a_usage_error),
		cmocka_unit_test(host_address_must_be_ipv4),
		cmocka_unit_test(empty_parts_are_refused_with_a_suggestion),
		cmocka_unit_test(host_address_in_the_host_port_place_is_pointed_out),
		cmocka_unit_test(only_tcp_and_udp_are_supported),
		cmocka_unit_test(format_shows_it_as_docker_ps_does),
		cmocka_unit_test(format_shows_an_unchosen_host_port_as_zero),
		cmocka_unit_test(parse_then_format),
		cmocka_unit_test(proto_names),
	};

	return cmocka_run_group_tests_name("portmap", tests, NULL, NULL);
}
