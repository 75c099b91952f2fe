#include "portmap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netaddr.h"
#include "util.h"

#define PORT_USAGE "expected [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]"

static int parse_proto(const char *text, const char *name, int *proto, struct iso_error *err)
{
	/* docker lowercases the protocol, so "80/TCP" works there too */
	if (strcasecmp(name, "tcp") == 0)
		*proto = IPPROTO_TCP;
	else if (strcasecmp(name, "udp") == 0)
		*proto = IPPROTO_UDP;
	else if (name[0] == '\0')
		return iso_error_set(err, 0, "invalid port %s: empty protocol after '/' (expected tcp or udp)",
				     text);
	else
		return iso_error_set(err, 0, "invalid port %s: protocol %s is not supported (only tcp and udp)",
				     text, name);
	return 0;
}

static bool is_ipv6(const char *s, size_t len)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/* docker writes an IPv6 host address in brackets, "[::1]:80:80", but a bare
 * one, "::1:80:80", is what a user may try next.  Either is told apart from
 * plain garbage, so that the message says what is really wrong. */
static bool has_ipv6_host(const char *spec)
{
	const char *close, *last, *prev;

	if (spec[0] == '[') {
		close = strchr(spec, ']');
		return close != NULL && is_ipv6(spec + 1, (size_t)(close - spec - 1));
	}
	last = strrchr(spec, ':');
	if (last == NULL || last == spec)
		return false;
	prev = memrchr(spec, ':', (size_t)(last - spec));
	return prev != NULL && is_ipv6(spec, (size_t)(prev - spec));
}

/* Splits at ':' into at most three parts; 0 when there are more. */
static size_t split_parts(char *spec, char *parts[3])
{
	size_t n = 0;
	char *p = spec;

	for (;;) {
		char *colon = strchr(p, ':');

		if (n == 3)
			return 0;
		parts[n++] = p;
		if (colon == NULL)
			return n;
		*colon = '\0';
		p = colon + 1;
	}
}

static int parse_port_number(const char *text, const char *what, const char *s,
			     uint16_t *port, struct iso_error *err)
{
	uint32_t v;

	if (s[0] != '-' && strchr(s, '-') != NULL)
		return iso_error_set(err, 0, "invalid port %s: port ranges (%s) are not supported",
				     text, s);
	if (parse_u32(s, &v) < 0 || v < 1 || v > 65535)
		return iso_error_set(err, 0, "invalid port %s: %s port %s is not a number from 1 to 65535",
				     text, what, s);
	*port = (uint16_t)v;
	return 0;
}

static int parse_host_ip(const char *text, const char *s, uint32_t *ip, struct iso_error *err)
{
	struct iso_error ignored;

	/* docker reads an empty address as 0.0.0.0, but a leading ':' is
	 * more likely a slip than a wish: refuse it and show the form that
	 * says "every address" plainly. */
	if (s[0] == '\0')
		return iso_error_set(err, 0, "invalid port %s: empty host address; did you mean %s?",
				     text, text + strspn(text, ":"));
	if (iso_ipv4_parse(s, ip, &ignored) < 0)
		return iso_error_set(err, 0, "invalid port %s: host address %s is not an IPv4 address",
				     text, s);
	return 0;
}

static int parse_parts(const char *text, char *parts[3], size_t n, struct iso_port *p,
		       struct iso_error *err)
{
	const char *ctr = parts[n - 1];

	if (ctr[0] == '\0')
		return iso_error_set(err, 0, "invalid port %s: empty container port", text);
	if (parse_port_number(text, "container", ctr, &p->ctr_port, err) < 0)
		return -1;
	if (n == 3 && parse_host_ip(text, parts[0], &p->host_ip, err) < 0)
		return -1;
	if (n == 2 && parts[0][0] == '\0')
		return iso_error_set(err, 0, "invalid port %s: empty host port; did you mean %s?",
				     text, text + strspn(text, ":"));
	if (n == 2 && is_ipv4(parts[0]))
		return iso_error_set(err, 0, "invalid port %s: %s is a host address, not a host port; did you mean %s:%s?",
				     text, parts[0], parts[0], text + strlen(parts[0]));
	/* "IP::CTR" leaves the host port to be chosen at start */
	if (n >= 2 && parts[n - 2][0] != '\0' &&
	    parse_port_number(text, "host", parts[n - 2], &p->host_port, err) < 0)
		return -1;
	return 0;
}

int iso_port_parse(const char *text, struct iso_port *port, struct iso_error *err)
{
	cleanup_free char *spec = xstrdup(text);
	struct iso_port p = { .proto = IPPROTO_TCP };
	char *proto = strchr(spec, '/');
	char *parts[3];
	size_t n;

	if (proto != NULL) {
		*proto++ = '\0';
		if (parse_proto(text, proto, &p.proto, err) < 0)
			return -1;
	}
	if (has_ipv6_host(spec))
		return iso_error_set(err, 0, "invalid port %s: IPv6 host addresses are not supported", text);
	n = split_parts(spec, parts);
	if (n == 0)
		return iso_error_set(err, 0, "invalid port %s: " PORT_USAGE, text);
	if (parse_parts(text, parts, n, &p, err) < 0)
		return -1;
	*port = p;
	return 0;
}

void iso_port_format(const struct iso_port *port, char buf[ISO_PORT_STRLEN])
{
	char ip[ISO_IPV4_STRLEN];

	iso_ipv4_format(port->host_ip, ip);
	snprintf(buf, ISO_PORT_STRLEN, "%s:%u->%u/%s", ip, (unsigned)port->host_port,
		 (unsigned)port->ctr_port, iso_port_proto_name(port->proto));
}

const char *iso_port_proto_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		/* never made by iso_port_parse; visible rather than a guess */
		return "unknown";
	}
}
