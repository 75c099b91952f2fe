/* Address leases: LEASES/NETWORK/ADDRESS, a symlink to the id of the
 * container that holds it.  symlink(2) either makes it or fails with
 * EEXIST, so two containers can never hold one address; the state lock
 * keeps the scan and the claim together. */
#ifndef ISOLATE_LEASE_H
#define ISOLATE_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "network.h"

/* Leases ADDR (a fixed --ip), or the lowest free host address when ADDR is
 * 0; returns the address in *LEASED.  When the address (or, for a full
 * network, any) is held by an ended container still being released, the
 * error's errnum is EAGAIN: it is worth trying again in a moment. */
int iso_lease_take(const struct iso_network *net, const char *id, uint32_t addr,
		   uint32_t *leased, struct iso_error *err);
/* Gives ADDR back, if container ID still holds it. */
void iso_lease_drop(const char *network, uint32_t addr, const char *id);
/* How many leases network NAME has (every network's when NAME is NULL). */
unsigned iso_lease_count(const char *name);

#endif
