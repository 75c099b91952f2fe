#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

int iso_ipv4_parse(const char *text, uint32_t *addr, struct iso_error *err)
{
	struct in_addr in;

	/* inet_pton, unlike inet_aton, takes only four decimal parts: no
	 * "10.1", no hex, no octal, nothing after the last digit. */
	if (inet_pton(AF_INET, text, &in) != 1)
		return iso_error_set(err, 0, "invalid IPv4 address %s: expected four numbers 0-255 separated by dots, such as 10.66.0.1",
				     text);
	*addr = ntohl(in.s_addr);
	return 0;
}

void iso_ipv4_format(uint32_t addr, char buf[ISO_IPV4_STRLEN])
{
	snprintf(buf, ISO_IPV4_STRLEN, "%u.%u.%u.%u", (addr >> 24) & 0xff,
		 (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
}

int iso_subnet_parse(const char *text, struct iso_subnet *net, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(text);
	char *slash = strchr(copy, '/');
	struct iso_subnet want;
	char meant[ISO_CIDR_STRLEN];
	uint32_t addr = 0, prefix = 0;
	struct iso_error ignored;

	if (slash == NULL || slash == copy || slash[1] == '\0')
		return iso_error_set(err, 0, "invalid subnet %s: expected ADDRESS/PREFIX, such as 10.66.0.0/16",
				     text);
	*slash = '\0';
	if (iso_ipv4_parse(copy, &addr, &ignored) < 0)
		return iso_error_set(err, 0, "invalid subnet %s: %s is not an IPv4 address", text, copy);
	if (parse_u32(slash + 1, &prefix) < 0 || prefix > 32)
		return iso_error_set(err, 0, "invalid subnet %s: prefix length %s is not a number from 0 to 32",
				     text, slash + 1);
	want.addr = addr & iso_subnet_mask(prefix);
	want.prefix = prefix;
	if (want.addr != addr) {
		iso_subnet_format(&want, meant);
		return iso_error_set(err, 0, "invalid subnet %s: host bits set; did you mean %s?", text, meant);
	}
	*net = want;
	return 0;
}

void iso_subnet_format(const struct iso_subnet *net, char buf[ISO_CIDR_STRLEN])
{
	char ip[ISO_IPV4_STRLEN];

	iso_ipv4_format(net->addr, ip);
	snprintf(buf, ISO_CIDR_STRLEN, "%s/%u", ip, net->prefix);
}

uint32_t iso_subnet_mask(unsigned prefix)
{
	/* A shift by 32 is undefined, and /0 is a real prefix (the default
	 * route), so both ends are spelt out. */
	if (prefix == 0)
		return 0;
	if (prefix >= 32)
		return UINT32_MAX;
	return UINT32_MAX << (32 - prefix);
}

uint32_t iso_subnet_broadcast(const struct iso_subnet *net)
{
	return net->addr | ~iso_subnet_mask(net->prefix);
}

bool iso_subnet_contains(const struct iso_subnet *net, uint32_t addr)
{
	uint32_t mask = iso_subnet_mask(net->prefix);

	return (addr & mask) == (net->addr & mask);
}

bool iso_subnet_overlap(const struct iso_subnet *a, const struct iso_subnet *b)
{
	/* Two prefixes either nest or are disjoint: they overlap exactly when
	 * they agree on the bits of the shorter one. */
	unsigned prefix = a->prefix < b->prefix ? a->prefix : b->prefix;
	uint32_t mask = iso_subnet_mask(prefix);

	return (a->addr & mask) == (b->addr & mask);
}

bool iso_subnet_host_usable(const struct iso_subnet *net, uint32_t addr)
{
	uint32_t network = net->addr & iso_subnet_mask(net->prefix);

	return iso_subnet_contains(net, addr) && addr != network &&
	       addr != iso_subnet_broadcast(net);
}

void iso_mac_from_ipv4(uint32_t addr, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = (uint8_t)(addr >> 24);
	mac[3] = (uint8_t)(addr >> 16);
	mac[4] = (uint8_t)(addr >> 8);
	mac[5] = (uint8_t)addr;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly six pairs of hex digits joined by ':'; sscanf would also take
 * "2:42:...", spaces and trailing junk. */
static bool mac_scan(const char *text, uint8_t out[6])
{
	if (strlen(text) != ISO_MAC_STRLEN - 1)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = text + 3 * i;
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int iso_mac_parse(const char *text, uint8_t mac[6], struct iso_error *err)
{
	uint8_t m[6];

	if (!mac_scan(text, m))
		return iso_error_set(err, 0, "invalid MAC address %s: expected six hex bytes separated by colons, such as 02:42:0a:42:00:02",
				     text);
	if (m[0] & 0x01)
		return iso_error_set(err, 0, "invalid MAC address %s: it is a multicast address (the low bit of the first byte is set)",
				     text);
	if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0)
		return iso_error_set(err, 0, "invalid MAC address %s: all zeros", text);
	memcpy(mac, m, sizeof(m));
	return 0;
}

void iso_mac_format(const uint8_t mac[6], char buf[ISO_MAC_STRLEN])
{
	snprintf(buf, ISO_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
