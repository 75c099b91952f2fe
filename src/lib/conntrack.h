/* Connection tracking entries, through libnetfilter_conntrack. */
#ifndef ISOLATE_CONNTRACK_H
#define ISOLATE_CONNTRACK_H

#include <stdint.h>

#include "error.h"

/* Forgets the tracked UDP flows to host port PORT.  A UDP "connection"
 * lives as long as datagrams keep coming, and its NAT was decided by its
 * first one: a client that kept sending to a port while one container
 * ended and another published it would still reach the first container's
 * address.  (TCP needs nothing: a new connection is a new flow.) */
int iso_conntrack_forget_udp_port(uint16_t port, struct iso_error *err);

#endif
