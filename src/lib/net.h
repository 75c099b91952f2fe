/* Networking inside the container's own network namespace. */
#ifndef ISOLATE_NET_H
#define ISOLATE_NET_H

#include "error.h"

/* Brings the loopback interface up, so 127.0.0.1 and ::1 work. */
int iso_net_loopback_up(struct iso_error *err);

#endif
