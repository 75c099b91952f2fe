/* rtnetlink through libmnl: the links, addresses and routes a container
 * network needs.  One socket belongs to one network namespace, the one its
 * opener was in; iso_nl_open_in() opens one in another namespace. */
#ifndef ISOLATE_NETLINK_H
#define ISOLATE_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "netaddr.h"

struct mnl_socket;

struct iso_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

int iso_nl_open(struct iso_nl *nl, struct iso_error *err);
/* A socket in the network namespace NETNS_FD; the caller stays where it was. */
int iso_nl_open_in(struct iso_nl *nl, int netns_fd, struct iso_error *err);
void iso_nl_close(struct iso_nl *nl);

/* The index of link NAME, and its MTU when MTU is not NULL; 0 when there
 * is no such link. */
int iso_nl_link_find(struct iso_nl *nl, const char *name, unsigned *mtu, struct iso_error *err);
/* As iso_nl_link_find, for a link that must be a bridge: another kind of
 * link with that name is an error. */
int iso_nl_bridge_find(struct iso_nl *nl, const char *name, struct iso_error *err);
int iso_nl_bridge_create(struct iso_nl *nl, const char *name, unsigned mtu, struct iso_error *err);
int iso_nl_link_up(struct iso_nl *nl, int ifindex, const char *name, struct iso_error *err);
/* Deletes link NAME; returns 0 also when it is already gone. */
int iso_nl_link_delete(struct iso_nl *nl, const char *name, struct iso_error *err);

struct iso_veth {
	const char *host_name;  /* the host's end, attached to MASTER */
	int master;             /* ifindex of the bridge */
	unsigned mtu;
	const char *peer_name;  /* the container's end, made in PEER_NETNS */
	int peer_netns;
	const uint8_t *peer_mac;
};

/* The host's end is created up and attached to the bridge; the peer is
 * created down, in its namespace. */
int iso_nl_veth_create(struct iso_nl *nl, const struct iso_veth *veth, struct iso_error *err);

/* Adds ADDR/PREFIX to the link; an address already there is not an error. */
int iso_nl_addr_add(struct iso_nl *nl, int ifindex, const char *name, uint32_t addr,
		    unsigned prefix, struct iso_error *err);
int iso_nl_route_add_default(struct iso_nl *nl, int ifindex, uint32_t gateway,
			     struct iso_error *err);

/* The MTU of the link that holds the IPv4 default route; 0 without one. */
int iso_nl_default_route_mtu(struct iso_nl *nl, unsigned *mtu, struct iso_error *err);

/* Every IPv4 destination the host routes (main table, default route
 * excluded) and every IPv4 address it holds, as subnets: what a new
 * network must not overlap.  *OUT is malloc'd. */
int iso_nl_host_subnets(struct iso_nl *nl, struct iso_subnet **out, size_t *n,
			struct iso_error *err);

#endif
