/* netaddr.h: IPv4 addresses, subnets and MAC addresses. */
#include "helpers.h"

#include "netaddr.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* TEXT parses to WANT and formats back to TEXT. */
#define assert_ipv4_roundtrip(...) check_ipv4_roundtrip(__FILE__, __LINE__, __VA_ARGS__)

static void check_ipv4_roundtrip(const char *file, int line, const char *text, uint32_t want)
{
	struct iso_error err = { 0 };
	char buf[ISO_IPV4_STRLEN];
	uint32_t got = 0;

	_assert_int_equal(iso_ipv4_parse(text, &got, &err), 0, file, line);
	_assert_int_equal(got, want, file, line);
	iso_ipv4_format(got, buf);
	_assert_string_equal(buf, text, file, line);
}

/* TEXT is refused, the message names it, and *addr is left alone. */
#define assert_ipv4_fails(...) check_ipv4_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_ipv4_fails(const char *file, int line, const char *text)
{
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("invalid IPv4 address %s: expected four numbers 0-255 separated by dots, such as 10.66.0.1",
					    text);
	uint32_t got = 0xdeadbeef;

	_assert_int_equal(iso_ipv4_parse(text, &got, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.errnum, 0, file, line);
	_assert_int_equal(got, 0xdeadbeef, file, line);
}

static void ipv4_parses_in_host_byte_order(void **state)
{
	(void)state;
	assert_ipv4_roundtrip("10.66.0.1", IP(10, 66, 0, 1));
	assert_ipv4_roundtrip("0.0.0.0", 0);
	assert_ipv4_roundtrip("255.255.255.255", UINT32_MAX);
	assert_ipv4_roundtrip("1.2.3.4", 0x01020304);
}

static void ipv4_format_fills_the_longest_address(void **state)
{
	char buf[ISO_IPV4_STRLEN];

	(void)state;
	iso_ipv4_format(UINT32_MAX, buf);
	assert_string_equal(buf, "255.255.255.255");
	assert_int_equal(strlen(buf) + 1, ISO_IPV4_STRLEN);
}

static void ipv4_refuses_anything_but_a_dotted_quad(void **state)
{
	(void)state;
	assert_ipv4_fails("");
	assert_ipv4_fails("10.66.0");
	assert_ipv4_fails("10.66.0.1.2");
	assert_ipv4_fails("10.66.0.256");
	assert_ipv4_fails("10.66.0.1 ");
	assert_ipv4_fails(" 10.66.0.1");
	assert_ipv4_fails("10.66.0.1x");
	assert_ipv4_fails("10.66..1");
	assert_ipv4_fails("0x0a.66.0.1");
	assert_ipv4_fails("167772161");
	assert_ipv4_fails("::1");
	assert_ipv4_fails("localhost");
}

/* inet_aton would read "010" as octal 8; the strict parser refuses it. */
static void ipv4_refuses_leading_zeros(void **state)
{
	(void)state;
	assert_ipv4_fails("010.66.0.1");
	assert_ipv4_fails("10.66.0.01");
}

/* TEXT parses to ADDR/PREFIX and formats back to TEXT. */
#define assert_subnet_roundtrip(...) check_subnet_roundtrip(__FILE__, __LINE__, __VA_ARGS__)

static void check_subnet_roundtrip(const char *file, int line, const char *text, uint32_t addr,
				   unsigned prefix)
{
	struct iso_error err = { 0 };
	struct iso_subnet net = { 0 };
	char buf[ISO_CIDR_STRLEN];

	_assert_int_equal(iso_subnet_parse(text, &net, &err), 0, file, line);
	_assert_int_equal(net.addr, addr, file, line);
	_assert_int_equal(net.prefix, prefix, file, line);
	iso_subnet_format(&net, buf);
	_assert_string_equal(buf, text, file, line);
}

/* TEXT is refused with exactly WANT and *net is left alone. */
#define assert_subnet_fails(...) check_subnet_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_subnet_fails(const char *file, int line, const char *text, const char *want)
{
	struct iso_error err = { 0 };
	struct iso_subnet net = { .addr = 0xdeadbeef, .prefix = 99 };

	_assert_int_equal(iso_subnet_parse(text, &net, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(net.addr, 0xdeadbeef, file, line);
	_assert_int_equal(net.prefix, 99, file, line);
}

static void subnet_parses_every_prefix_length(void **state)
{
	(void)state;
	assert_subnet_roundtrip("10.66.0.0/16", IP(10, 66, 0, 0), 16);
	assert_subnet_roundtrip("0.0.0.0/0", 0, 0);
	assert_subnet_roundtrip("10.66.0.5/32", IP(10, 66, 0, 5), 32);
	assert_subnet_roundtrip("192.168.1.128/25", IP(192, 168, 1, 128), 25);
	assert_subnet_roundtrip("255.255.255.255/32", UINT32_MAX, 32);
}

/* As Go's net.ParseCIDR, which docker uses for --subnet. */
static void subnet_prefix_may_have_leading_zeros(void **state)
{
	struct iso_error err = { 0 };
	struct iso_subnet net = { 0 };

	(void)state;
	assert_int_equal(iso_subnet_parse("10.66.0.0/016", &net, &err), 0);
	assert_int_equal(net.addr, IP(10, 66, 0, 0));
	assert_int_equal(net.prefix, 16);
}

static void subnet_format_fills_the_longest_subnet(void **state)
{
	struct iso_subnet net = { .addr = UINT32_MAX, .prefix = 32 };
	char buf[ISO_CIDR_STRLEN];

	(void)state;
	iso_subnet_format(&net, buf);
	assert_string_equal(buf, "255.255.255.255/32");
	assert_int_equal(strlen(buf) + 1, ISO_CIDR_STRLEN);
}

static void subnet_with_host_bits_names_the_network_meant(void **state)
{
	(void)state;
	assert_subnet_fails("10.66.0.5/16",
			    "invalid subnet 10.66.0.5/16: host bits set; did you mean 10.66.0.0/16?");
	assert_subnet_fails("10.66.0.1/0",
			    "invalid subnet 10.66.0.1/0: host bits set; did you mean 0.0.0.0/0?");
	assert_subnet_fails("192.168.1.130/25",
			    "invalid subnet 192.168.1.130/25: host bits set; did you mean 192.168.1.128/25?");
}

static void subnet_without_prefix_is_refused(void **state)
{
	(void)state;
	assert_subnet_fails("10.66.0.0",
			    "invalid subnet 10.66.0.0: expected ADDRESS/PREFIX, such as 10.66.0.0/16");
	assert_subnet_fails("10.66.0.0/",
			    "invalid subnet 10.66.0.0/: expected ADDRESS/PREFIX, such as 10.66.0.0/16");
	assert_subnet_fails("/16", "invalid subnet /16: expected ADDRESS/PREFIX, such as 10.66.0.0/16");
	assert_subnet_fails("", "invalid subnet : expected ADDRESS/PREFIX, such as 10.66.0.0/16");
}

static void subnet_with_bad_address_is_refused(void **state)
{
	(void)state;
	assert_subnet_fails("10.66.0/16", "invalid subnet 10.66.0/16: 10.66.0 is not an IPv4 address");
	assert_subnet_fails("10.66.0.256/24",
			    "invalid subnet 10.66.0.256/24: 10.66.0.256 is not an IPv4 address");
	assert_subnet_fails("fd00::/8", "invalid subnet fd00::/8: fd00:: is not an IPv4 address");
}

static void subnet_with_bad_prefix_is_refused(void **state)
{
	(void)state;
	assert_subnet_fails("10.0.0.0/33",
			    "invalid subnet 10.0.0.0/33: prefix length 33 is not a number from 0 to 32");
	assert_subnet_fails("10.0.0.0/-1",
			    "invalid subnet 10.0.0.0/-1: prefix length -1 is not a number from 0 to 32");
	assert_subnet_fails("10.0.0.0/8x",
			    "invalid subnet 10.0.0.0/8x: prefix length 8x is not a number from 0 to 32");
	assert_subnet_fails("10.0.0.0/8/8",
			    "invalid subnet 10.0.0.0/8/8: prefix length 8/8 is not a number from 0 to 32");
	assert_subnet_fails("10.0.0.0/255.0.0.0",
			    "invalid subnet 10.0.0.0/255.0.0.0: prefix length 255.0.0.0 is not a number from 0 to 32");
	assert_subnet_fails("10.0.0.0/ 8",
			    "invalid subnet 10.0.0.0/ 8: prefix length  8 is not a number from 0 to 32");
}

static void mask_covers_both_ends(void **state)
{
	(void)state;
	assert_int_equal(iso_subnet_mask(0), 0);
	assert_int_equal(iso_subnet_mask(1), 0x80000000);
	assert_int_equal(iso_subnet_mask(8), 0xff000000);
	assert_int_equal(iso_subnet_mask(16), 0xffff0000);
	assert_int_equal(iso_subnet_mask(30), 0xfffffffc);
	assert_int_equal(iso_subnet_mask(31), 0xfffffffe);
	assert_int_equal(iso_subnet_mask(32), 0xffffffff);
}

static void broadcast_is_the_last_address(void **state)
{
	struct iso_subnet b16 = { IP(10, 66, 0, 0), 16 };
	struct iso_subnet b30 = { IP(10, 66, 0, 4), 30 };
	struct iso_subnet b32 = { IP(10, 66, 0, 5), 32 };
	struct iso_subnet all = { 0, 0 };

	(void)state;
	assert_int_equal(iso_subnet_broadcast(&b16), IP(10, 66, 255, 255));
	assert_int_equal(iso_subnet_broadcast(&b30), IP(10, 66, 0, 7));
	assert_int_equal(iso_subnet_broadcast(&b32), IP(10, 66, 0, 5));
	assert_int_equal(iso_subnet_broadcast(&all), UINT32_MAX);
}

static void contains_holds_exactly_the_block(void **state)
{
	struct iso_subnet net = { IP(10, 66, 0, 0), 16 };
	struct iso_subnet one = { IP(10, 66, 0, 5), 32 };
	struct iso_subnet all = { 0, 0 };

	(void)state;
	assert_true(iso_subnet_contains(&net, IP(10, 66, 0, 0)));
	assert_true(iso_subnet_contains(&net, IP(10, 66, 12, 34)));
	assert_true(iso_subnet_contains(&net, IP(10, 66, 255, 255)));
	assert_false(iso_subnet_contains(&net, IP(10, 65, 255, 255)));
	assert_false(iso_subnet_contains(&net, IP(10, 67, 0, 0)));
	assert_true(iso_subnet_contains(&one, IP(10, 66, 0, 5)));
	assert_false(iso_subnet_contains(&one, IP(10, 66, 0, 4)));
	assert_false(iso_subnet_contains(&one, IP(10, 66, 0, 6)));
	assert_true(iso_subnet_contains(&all, 0));
	assert_true(iso_subnet_contains(&all, UINT32_MAX));
	assert_true(iso_subnet_contains(&all, IP(10, 66, 0, 5)));
}

static void overlap_is_true_for_nested_and_equal_subnets(void **state)
{
	struct iso_subnet b16 = { IP(10, 66, 0, 0), 16 };
	struct iso_subnet b24 = { IP(10, 66, 3, 0), 24 };
	struct iso_subnet b32 = { IP(10, 66, 3, 9), 32 };
	struct iso_subnet all = { 0, 0 };

	(void)state;
	assert_true(iso_subnet_overlap(&b16, &b24));
	assert_true(iso_subnet_overlap(&b24, &b16));
	assert_true(iso_subnet_overlap(&b16, &b16));
	assert_true(iso_subnet_overlap(&b24, &b32));
	assert_true(iso_subnet_overlap(&b32, &b32));
	assert_true(iso_subnet_overlap(&all, &b32));
	assert_true(iso_subnet_overlap(&b16, &all));
}

static void overlap_is_false_for_disjoint_subnets(void **state)
{
	struct iso_subnet a = { IP(10, 66, 0, 0), 16 };
	struct iso_subnet b = { IP(10, 67, 0, 0), 16 };
	struct iso_subnet c = { IP(10, 67, 0, 0), 24 };
	struct iso_subnet low = { IP(10, 66, 0, 0), 25 };
	struct iso_subnet high = { IP(10, 66, 0, 128), 25 };
	struct iso_subnet h1 = { IP(10, 66, 0, 1), 32 };
	struct iso_subnet h2 = { IP(10, 66, 0, 2), 32 };

	(void)state;
	assert_false(iso_subnet_overlap(&a, &b));
	assert_false(iso_subnet_overlap(&b, &a));
	assert_false(iso_subnet_overlap(&a, &c));
	assert_false(iso_subnet_overlap(&low, &high));
	assert_false(iso_subnet_overlap(&h1, &h2));
}

/* A /30 has four addresses and two hosts between network and broadcast. */
static void host_usable_leaves_out_network_and_broadcast(void **state)
{
	struct iso_subnet net = { IP(10, 66, 0, 4), 30 };

	(void)state;
	assert_false(iso_subnet_host_usable(&net, IP(10, 66, 0, 3)));
	assert_false(iso_subnet_host_usable(&net, IP(10, 66, 0, 4)));
	assert_true(iso_subnet_host_usable(&net, IP(10, 66, 0, 5)));
	assert_true(iso_subnet_host_usable(&net, IP(10, 66, 0, 6)));
	assert_false(iso_subnet_host_usable(&net, IP(10, 66, 0, 7)));
	assert_false(iso_subnet_host_usable(&net, IP(10, 66, 0, 8)));
}

static void host_usable_in_a_wide_subnet(void **state)
{
	struct iso_subnet net = { IP(10, 66, 0, 0), 16 };

	(void)state;
	assert_false(iso_subnet_host_usable(&net, IP(10, 66, 0, 0)));
	assert_true(iso_subnet_host_usable(&net, IP(10, 66, 0, 1)));
	assert_true(iso_subnet_host_usable(&net, IP(10, 66, 0, 255)));
	assert_true(iso_subnet_host_usable(&net, IP(10, 66, 1, 0)));
	assert_true(iso_subnet_host_usable(&net, IP(10, 66, 255, 254)));
	assert_false(iso_subnet_host_usable(&net, IP(10, 66, 255, 255)));
}

/* Taken literally, the header's rule leaves a /31 and a /32 no host. */
static void host_usable_leaves_nothing_in_a_31_or_32(void **state)
{
	struct iso_subnet b31 = { IP(10, 66, 0, 4), 31 };
	struct iso_subnet b32 = { IP(10, 66, 0, 4), 32 };

	(void)state;
	assert_false(iso_subnet_host_usable(&b31, IP(10, 66, 0, 4)));
	assert_false(iso_subnet_host_usable(&b31, IP(10, 66, 0, 5)));
	assert_false(iso_subnet_host_usable(&b32, IP(10, 66, 0, 4)));
}

static void host_usable_in_slash_zero(void **state)
{
	struct iso_subnet all = { 0, 0 };

	(void)state;
	assert_false(iso_subnet_host_usable(&all, 0));
	assert_true(iso_subnet_host_usable(&all, IP(10, 66, 0, 2)));
	assert_false(iso_subnet_host_usable(&all, UINT32_MAX));
}

#define assert_mac_equal(...) check_mac_equal(__FILE__, __LINE__, __VA_ARGS__)

static void check_mac_equal(const char *file, int line, const uint8_t got[6], const uint8_t want[6])
{
	_assert_memory_equal(got, want, 6, file, line);
}

static void mac_from_ipv4_is_02_42_and_the_address(void **state)
{
	const uint8_t want[6] = { 0x02, 0x42, 0x0a, 0x42, 0x00, 0x02 };
	uint8_t mac[6];
	char buf[ISO_MAC_STRLEN];

	(void)state;
	iso_mac_from_ipv4(IP(10, 66, 0, 2), mac);
	assert_mac_equal(mac, want);
	iso_mac_format(mac, buf);
	assert_string_equal(buf, "02:42:0a:42:00:02");
}

static void mac_from_ipv4_is_locally_administered_unicast(void **state)
{
	uint8_t mac[6];
	char buf[ISO_MAC_STRLEN];
	struct iso_error err = { 0 };
	uint8_t back[6];

	(void)state;
	iso_mac_from_ipv4(UINT32_MAX, mac);
	iso_mac_format(mac, buf);
	assert_string_equal(buf, "02:42:ff:ff:ff:ff");
	assert_int_equal(iso_mac_parse(buf, back, &err), 0);
	assert_mac_equal(back, mac);
	iso_mac_from_ipv4(0, mac);
	iso_mac_format(mac, buf);
	assert_string_equal(buf, "02:42:00:00:00:00");
}

static void mac_parse_takes_either_case(void **state)
{
	const uint8_t want[6] = { 0x02, 0x42, 0xab, 0xcd, 0xef, 0x09 };
	struct iso_error err = { 0 };
	uint8_t mac[6];
	char buf[ISO_MAC_STRLEN];

	(void)state;
	assert_int_equal(iso_mac_parse("02:42:ab:cd:ef:09", mac, &err), 0);
	assert_mac_equal(mac, want);
	assert_int_equal(iso_mac_parse("02:42:AB:Cd:eF:09", mac, &err), 0);
	assert_mac_equal(mac, want);
	iso_mac_format(mac, buf);
	assert_string_equal(buf, "02:42:ab:cd:ef:09");
}

/* TEXT is refused with exactly "invalid MAC address TEXT: REASON" and the
 * output is left alone. */
#define assert_mac_fails(...) check_mac_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_mac_fails(const char *file, int line, const char *text, const char *reason)
{
	const uint8_t untouched[6] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("invalid MAC address %s: %s", text, reason);
	uint8_t mac[6];

	memcpy(mac, untouched, sizeof(mac));
	_assert_int_equal(iso_mac_parse(text, mac, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_memory_equal(mac, untouched, sizeof(mac), file, line);
}

#define MAC_SYNTAX "expected six hex bytes separated by colons, such as 02:42:0a:42:00:02"
#define MAC_MULTICAST "it is a multicast address (the low bit of the first byte is set)"

static void mac_parse_refuses_malformed_text(void **state)
{
	(void)state;
	assert_mac_fails("", MAC_SYNTAX);
	assert_mac_fails("02:42:0a:42:00", MAC_SYNTAX);
	assert_mac_fails("02:42:0a:42:00:02:03", MAC_SYNTAX);
	assert_mac_fails("02:42:0a:42:00:0g", MAC_SYNTAX);
	assert_mac_fails("02-42-0a-42-00-02", MAC_SYNTAX);
	assert_mac_fails("2:42:a:42:0:2", MAC_SYNTAX);
	assert_mac_fails("02:42:0a:42:00:02 ", MAC_SYNTAX);
	assert_mac_fails(" 02:42:0a:42:00:02", MAC_SYNTAX);
	assert_mac_fails("0242.0a42.0002", MAC_SYNTAX);
	assert_mac_fails("02:42:0a:42:0:002", MAC_SYNTAX);
}

static void mac_parse_refuses_multicast_and_zero(void **state)
{
	(void)state;
	assert_mac_fails("01:00:5e:00:00:01", MAC_MULTICAST);
	assert_mac_fails("03:42:0a:42:00:02", MAC_MULTICAST);
	assert_mac_fails("ff:ff:ff:ff:ff:ff", MAC_MULTICAST);
	assert_mac_fails("33:33:00:00:00:01", MAC_MULTICAST);
	assert_mac_fails("00:00:00:00:00:00", "all zeros");
}

static void mac_parse_takes_globally_administered_unicast(void **state)
{
	const uint8_t want[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x01 };
	struct iso_error err = { 0 };
	uint8_t mac[6];

	(void)state;
	assert_int_equal(iso_mac_parse("00:1b:21:00:00:01", mac, &err), 0);
	assert_mac_equal(mac, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_parses_in_host_byte_order),
		cmocka_unit_test(ipv4_format_fills_the_longest_address),
		cmocka_unit_test(ipv4_refuses_anything_but_a_dotted_quad),
		cmocka_unit_test(ipv4_refuses_leading_zeros),
		cmocka_unit_test(subnet_parses_every_prefix_length),
		cmocka_unit_test(subnet_prefix_may_have_leading_zeros),
		cmocka_unit_test(subnet_format_fills_the_longest_subnet),
		cmocka_unit_test(subnet_with_host_bits_names_the_network_meant),
		cmocka_unit_test(subnet_without_prefix_is_refused),
		cmocka_unit_test(subnet_with_bad_address_is_refused),
		cmocka_unit_test(subnet_with_bad_prefix_is_refused),
		cmocka_unit_test(mask_covers_both_ends),
		cmocka_unit_test(broadcast_is_the_last_address),
		cmocka_unit_test(contains_holds_exactly_the_block),
		cmocka_unit_test(overlap_is_true_for_nested_and_equal_subnets),
		cmocka_unit_test(overlap_is_false_for_disjoint_subnets),
		cmocka_unit_test(host_usable_leaves_out_network_and_broadcast),
		cmocka_unit_test(host_usable_in_a_wide_subnet),
		cmocka_unit_test(host_usable_leaves_nothing_in_a_31_or_32),
		cmocka_unit_test(host_usable_in_slash_zero),
		cmocka_unit_test(mac_from_ipv4_is_02_42_and_the_address),
		cmocka_unit_test(mac_from_ipv4_is_locally_administered_unicast),
		cmocka_unit_test(mac_parse_takes_either_case),
		cmocka_unit_test(mac_parse_refuses_malformed_text),
		cmocka_unit_test(mac_parse_refuses_multicast_and_zero),
		cmocka_unit_test(mac_parse_takes_globally_administered_unicast),
	};

	return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
