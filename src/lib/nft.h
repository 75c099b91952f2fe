/* isolate's own nftables table, "ip isolate", through libnftables: NAT for
 * the bridges' subnets, published ports as map elements, and isolation
 * between networks.  Everything a container adds is an element keyed by
 * what it owns, so it can be removed by key without rule handles. */
#ifndef ISOLATE_NFT_H
#define ISOLATE_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "netaddr.h"
#include "portmap.h"

#define ISO_NFT_TABLE "isolate"

/* Creates the table when missing, registers the network (its bridge and
 * subnet) and publishes PORTS towards CTR_IP.  One transaction: a port
 * already published by another container fails the whole of it. */
int iso_nft_attach(const char *bridge, const struct iso_subnet *subnet, uint32_t ctr_ip,
		   const struct iso_port *ports, size_t n_ports, struct iso_error *err);

/* Withdraws what iso_nft_attach published for a container; elements
 * already gone are not an error. */
void iso_nft_detach(const struct iso_port *ports, size_t n_ports);

/* Withdraws a network's bridge and subnet from the table, if it is there. */
void iso_nft_forget_network(const char *bridge, const struct iso_subnet *subnet);

/* Whether the table is there; when it is not, what isolate remembered of
 * it (which networks it held) is forgotten too. */
bool iso_nft_table_present(void);

/* Deletes the whole table; a missing table is not an error. */
int iso_nft_remove_table(struct iso_error *err);

#endif
