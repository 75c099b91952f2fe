/* IPv4 addresses, subnets and MAC addresses: parsing, formatting and the
 * arithmetic an address allocator needs.  Addresses are uint32_t in host
 * byte order, so that "next address" is +1. */
#ifndef ISOLATE_NETADDR_H
#define ISOLATE_NETADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define ISO_IPV4_STRLEN 16      /* "255.255.255.255" and its NUL */
#define ISO_CIDR_STRLEN 19      /* "255.255.255.255/32" and its NUL */
#define ISO_MAC_STRLEN 18       /* "02:42:0a:42:00:02" and its NUL */

struct iso_subnet {
	uint32_t addr;          /* the network address: host bits all zero */
	unsigned prefix;        /* 0..32 */
};

/* A dotted quad, all four parts, each 0..255, no leading junk or trailing
 * characters ("10.66.0.1").  The error names the text. */
int iso_ipv4_parse(const char *text, uint32_t *addr, struct iso_error *err);
void iso_ipv4_format(uint32_t addr, char buf[ISO_IPV4_STRLEN]);

/* "A.B.C.D/N".  Host bits set ("10.66.0.5/16") are an error that names the
 * network meant ("10.66.0.0/16"). */
int iso_subnet_parse(const char *text, struct iso_subnet *net, struct iso_error *err);
void iso_subnet_format(const struct iso_subnet *net, char buf[ISO_CIDR_STRLEN]);

uint32_t iso_subnet_mask(unsigned prefix);
uint32_t iso_subnet_broadcast(const struct iso_subnet *net);
bool iso_subnet_contains(const struct iso_subnet *net, uint32_t addr);
bool iso_subnet_overlap(const struct iso_subnet *a, const struct iso_subnet *b);
/* An address a host on NET may have: inside it, and neither the network
 * address nor the broadcast address. */
bool iso_subnet_host_usable(const struct iso_subnet *net, uint32_t addr);

/* docker's scheme: 02:42 and then the four bytes of the address, so an
 * address always comes back with the same MAC and no neighbour cache on
 * the bridge holds a stale one. */
void iso_mac_from_ipv4(uint32_t addr, uint8_t mac[6]);
/* "xx:xx:xx:xx:xx:xx" (hex, either case); a multicast or all-zero address
 * is an error. */
int iso_mac_parse(const char *text, uint8_t mac[6], struct iso_error *err);
void iso_mac_format(const uint8_t mac[6], char buf[ISO_MAC_STRLEN]);

#endif
