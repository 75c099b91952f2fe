/* Published ports: -p [HOSTIP:][HOSTPORT:]CTRPORT[/tcp|/udp]. */
#ifndef ISOLATE_PORTMAP_H
#define ISOLATE_PORTMAP_H

#include <stdint.h>

#include "error.h"

#define ISO_PORT_STRLEN 48

struct iso_port {
	int proto;              /* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t host_ip;       /* host byte order; 0: every address of the host */
	uint16_t host_port;     /* 0: a free port, chosen when the container starts */
	uint16_t ctr_port;
};

/* Accepts docker's forms: "80", "8080:80", "127.0.0.1:8080:80",
 * "127.0.0.1::80" (any free host port on that address), each with an
 * optional "/tcp" or "/udp" (default tcp).  Ports are 1..65535.  Port
 * ranges and IPv6 host addresses are errors that say they are not
 * supported. */
int iso_port_parse(const char *text, struct iso_port *port, struct iso_error *err);

/* "0.0.0.0:8080->80/tcp", as docker ps shows it. */
void iso_port_format(const struct iso_port *port, char buf[ISO_PORT_STRLEN]);

/* "tcp" or "udp". */
const char *iso_port_proto_name(int proto);

#endif
