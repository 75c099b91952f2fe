/* Networks: a bridge, a subnet and a gateway, kept as a small JSON file
 * per network under the data directory.  "bridge" is the default network,
 * defined on first use on a subnet the host does not already route. */
#ifndef ISOLATE_NETWORK_H
#define ISOLATE_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "netaddr.h"

#define ISO_NETWORK_DEFAULT "bridge"

struct iso_network {
	char *name;
	struct iso_subnet subnet;
	uint32_t gateway;
	char bridge[16];        /* the host's bridge device */
};

void iso_network_clear(struct iso_network *net);

/* Loads network NAME, which must exist. */
int iso_network_load(const char *name, struct iso_network *net, struct iso_error *err);

/* Loads network NAME; the default network is defined when missing. */
int iso_network_get(const char *name, struct iso_network *net, struct iso_error *err);

/* Defines a network.  SUBNET and GATEWAY may be NULL: a free /16 from
 * isolate's pool and its first address.  The subnet must not overlap
 * another network's or one the host routes. */
int iso_network_create(const char *name, const char *subnet, const char *gateway,
		       struct iso_network *net, struct iso_error *err);

/* Every defined network, sorted by name. */
int iso_network_list(struct iso_network **nets, size_t *n, struct iso_error *err);
void iso_network_list_free(struct iso_network *nets, size_t n);

/* Forgets a network's definition (the caller removes the bridge). */
int iso_network_forget(const char *name, struct iso_error *err);

#endif
