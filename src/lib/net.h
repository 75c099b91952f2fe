/* Networking inside the container's own network namespace. */
#ifndef ISOLATE_NET_H
#define ISOLATE_NET_H

#include "error.h"
#include "spec.h"

/* Brings the loopback interface up, so 127.0.0.1 and ::1 work. */
int iso_net_loopback_up(struct iso_error *err);

/* docker's defaults for a container's own network namespace: any user may
 * bind any port (net.ipv4.ip_unprivileged_port_start=0) and use ICMP echo
 * sockets (net.ipv4.ping_group_range: every gid, which the kernel takes
 * only within the user namespace's mapping).  Privilege over a
 * network namespace belongs to the user namespace that owns it; without
 * these, a container that joins another's namespace (--network
 * container:X, from a user namespace of its own) could not serve port 80
 * or ping.  Needs the container's /proc. */
int iso_net_namespace_defaults(const struct iso_spec *spec, struct iso_error *err);

#endif
