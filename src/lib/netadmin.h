/* isolate network create, ls, rm and prune: the definitions together
 * with what they own on the host (the bridge, the nftables entries). */
#ifndef ISOLATE_NETADMIN_H
#define ISOLATE_NETADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "network.h"

struct iso_network_info {
	struct iso_network net;
	unsigned containers;    /* addresses leased on it */
};

int iso_netadmin_create(const char *name, const char *subnet, const char *gateway,
			struct iso_network *net, struct iso_error *err);
int iso_netadmin_list(struct iso_network_info **infos, size_t *n, struct iso_error *err);
void iso_netadmin_list_free(struct iso_network_info *infos, size_t n);
/* Refuses a network a running container uses. */
int iso_netadmin_remove(const char *name, struct iso_error *err);
/* Reclaims what dead containers held; removes the table if unused, or
 * rebuilds it from the running containers' records if it was lost (a
 * flush of the host's ruleset).
 * With ALL_UNUSED, also removes every network no container uses (docker's
 * network prune); the names removed go to *REMOVED. */
int iso_netadmin_prune(bool all_unused, char ***removed, struct iso_error *err);

#endif
