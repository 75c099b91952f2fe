/* One container's network, from the docker-style flags to the links, the
 * address lease, the published ports and the /etc files, and back.
 *
 * Before the clone (iso_netsetup_prepare, with the state lock held): the
 * address is leased, the ports reserved, the bridge and the nftables table
 * made ready, and a record of all of it written to the container's state
 * directory, so that a crashed isolate's share can be reclaimed from it.
 * After the clone, while the child waits (iso_netsetup_attach): the veth
 * pair, eth0's address and the default route.  At the end
 * (iso_netsetup_release): everything undone. */
#ifndef ISOLATE_NETSETUP_H
#define ISOLATE_NETSETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "netfiles.h"
#include "network.h"
#include "portmap.h"
#include "spec.h"

enum iso_net_mode {
	ISO_NET_NONE,           /* a new namespace with only lo */
	ISO_NET_HOST,           /* the host's namespace */
	ISO_NET_BRIDGE,         /* a new namespace on network NETWORK */
	ISO_NET_CONTAINER,      /* the namespace of container JOIN */
	ISO_NET_NS,             /* the namespace at path JOIN */
};

/* What the user asked for: --network, --ip, --mac-address, --dns*,
 * --add-host and -p. */
struct iso_netcfg {
	enum iso_net_mode mode;
	char *network;
	char *join;
	char *ip;
	char *mac;
	struct iso_dns dns;
	char **add_hosts;       /* name, ip, name, ip, ..., NULL */
	struct iso_port *ports;
	size_t n_ports;
};

/* --network MODE: none, host, bridge, NAME, container:NAME_OR_PID,
 * ns:PATH; sets the spec's CLONE_NEWNET to match. */
int iso_netcfg_set_mode(struct iso_netcfg *cfg, struct iso_spec *spec, const char *arg,
			struct iso_error *err);
int iso_netcfg_add_port(struct iso_netcfg *cfg, const char *arg, struct iso_error *err);
int iso_netcfg_add_host(struct iso_netcfg *cfg, const char *arg, struct iso_error *err);
/* Checks what needs more than one flag. */
int iso_netcfg_check(const struct iso_netcfg *cfg, struct iso_error *err);
void iso_netcfg_free(struct iso_netcfg *cfg);

struct iso_netsetup {
	const struct iso_netcfg *cfg;
	const char *id;
	struct iso_network net;
	bool leased;
	uint32_t ip;
	uint8_t mac[6];
	char veth[16];
	struct iso_port *ports; /* with the host ports chosen */
	int *port_fds;          /* held for the container's life: the port is ours */
	bool nft;               /* our entries are in the table */
	bool nft_ports;         /* the record lists the ports as published */
	unsigned mtu;           /* of the host's default route's link */
	int join_fd;            /* the namespace to join, or -1 */
	int host_mntns;         /* the caller's mount namespace before it went
				 * private (owned), or -1 */
	bool state_handed_over; /* a detached process finishes the release and
				 * removes the container's state */
};

void iso_netsetup_init(struct iso_netsetup *ns, const struct iso_netcfg *cfg, const char *id);

/* With the state lock held.  Also writes hosts, resolv.conf and hostname
 * to the container's state directory and mounts them on the spec's /etc
 * where the user did not mount something else. */
int iso_netsetup_prepare(struct iso_netsetup *ns, struct iso_spec *spec,
			 struct iso_error *err);
/* Moves the caller into the namespace to join, so that the child is born
 * in it (container: and ns: modes). */
int iso_netsetup_join(struct iso_netsetup *ns, struct iso_error *err);
int iso_netsetup_attach(struct iso_netsetup *ns, pid_t pid, struct iso_error *err);
/* Says which host ports were chosen, one line each, through LOG. */
void iso_netsetup_report_ports(const struct iso_netsetup *ns);
/* Undoes it all.  The published ports go at once; the veth and the lease
 * a few milliseconds later, in a detached process (see release_later);
 * and when the last container on any network is gone, the nftables table
 * goes TABLE_LINGER_SECONDS later, so that back-to-back runs do not pay
 * for it. */
void iso_netsetup_release(struct iso_netsetup *ns, bool failed);


/* For the state sweep: undoes what the record of dead container ID says. */
void iso_netsetup_reclaim(const char *id);

/* Puts back in a new nftables table what the record of running container
 * ID lists (its network, its published ports), after the table was lost
 * to a flush of the host's ruleset.  With the lock held. */
void iso_netsetup_restore(const char *id);

#endif
