/* The contents of a container's /etc/hosts and /etc/resolv.conf, made
 * from the host's files and the user's flags.  Text in, text out: writing
 * and mounting them is the caller's job. */
#ifndef ISOLATE_NETFILES_H
#define ISOLATE_NETFILES_H

#include <stdbool.h>

#include "error.h"

struct iso_dns {
	char **servers;         /* --dns: replaces the host's nameservers */
	char **search;          /* --dns-search: replaces search/domain */
	char **options;         /* --dns-option: replaces options */
};

/* resolv.conf for a container, from the host's resolv.conf text (NULL or
 * "" when the host has none).  Without --dns, the host's nameservers are
 * kept except loopback ones (127.0.0.0/8, ::1), which cannot be reached
 * from another network namespace (KEEP_LOOPBACK, for --network host, keeps
 * them); when none is left, docker's defaults 8.8.8.8 and 8.8.4.4 are used.
 * Comments and unknown lines of the host's file are dropped.  Returns a
 * malloc'd string ending with a newline. */
char *iso_resolv_conf_build(const char *host_text, const struct iso_dns *dns,
			    bool keep_loopback);

/* --add-host NAME:IP.  IP may be an IPv4 or IPv6 address (split at the
 * first ':'), or the word "host-gateway" (resolved later by the caller).
 * NAME is a hostname: letters, digits, '-', '.', '_'; neither empty nor
 * longer than 253.  *NAME and *IP are malloc'd. */
int iso_add_host_parse(const char *arg, char **name, char **ip, struct iso_error *err);

/* /etc/hosts: the localhost lines docker writes (127.0.0.1 localhost; ::1
 * localhost ip6-localhost ip6-loopback; fe00::0 ip6-localnet; ff00::0
 * ip6-mcastprefix; ff02::1 ip6-allnodes; ff02::2 ip6-allrouters), then
 * "OWN_IP\tHOSTNAME" when OWN_IP is not NULL, then one line per extra
 * entry, EXTRA being pairs: { ip0, name0, ip1, name1, ..., NULL }. 
 * Returns a malloc'd string. */
char *iso_hosts_build(const char *hostname, const char *own_ip, char *const *extra);

#endif
