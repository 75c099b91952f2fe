/* Connection tracking entries, through libnetfilter_conntrack. */
#ifndef ISOLATE_CONNTRACK_H
#define ISOLATE_CONNTRACK_H

#include <stdint.h>

#include "error.h"

/* Forgets the tracked UDP flows to port PORT of HOST_IP (host byte order;
 * 0: of any of the host's own addresses).  Flows to other hosts' ports,
 * such as the host's own DNS queries when PORT is 53, are left alone.  A UDP "connection"
 * lives as long as datagrams keep coming, and its NAT was decided by its
 * first one: a client that kept sending to a port while one container
 * ended and another published it would still reach the first container's
 * address.  (TCP needs nothing: a new connection is a new flow.) */
int iso_conntrack_forget_udp_port(uint32_t host_ip, uint16_t port, struct iso_error *err);

#endif
