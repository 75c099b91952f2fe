/* The network flags of isolate run, checked before anything is made. */
#include "netsetup.h"

#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int iso_netcfg_set_mode(struct iso_netcfg *cfg, struct iso_spec *spec, const char *arg,
			struct iso_error *err)
{
	const char *what = strchr(arg, ':');
	bool join = strncmp(arg, "container:", 10) == 0 || strncmp(arg, "ns:", 3) == 0;

	/* checked before anything changes: a refused value leaves CFG as it was */
	if (join && what[1] == '\0')
		return iso_error_set(err, 0, "invalid --network %s: name the %s", arg,
				     arg[0] == 'c' ? "container" : "namespace's path");
	if (!join && (arg[0] == '\0' || what != NULL || strchr(arg, '/') != NULL))
		return iso_error_set(err, 0, "invalid --network %s: expected none, host, bridge, a network's name, container:NAME_OR_PID or ns:PATH",
				     arg);
	free(cfg->network);
	free(cfg->join);
	cfg->network = cfg->join = NULL;
	spec->linux_.new_namespaces |= CLONE_NEWNET;
	if (strcmp(arg, "none") == 0 || strcmp(arg, "private") == 0) {
		cfg->mode = ISO_NET_NONE;
	} else if (strcmp(arg, "host") == 0) {
		cfg->mode = ISO_NET_HOST;
	} else if (join) {
		cfg->mode = arg[0] == 'c' ? ISO_NET_CONTAINER : ISO_NET_NS;
		cfg->join = xstrdup(what + 1);
	} else {
		cfg->mode = ISO_NET_BRIDGE;
		cfg->network = xstrdup(arg);
	}
	if (cfg->mode == ISO_NET_HOST || cfg->mode == ISO_NET_CONTAINER || cfg->mode == ISO_NET_NS)
		spec->linux_.new_namespaces &= ~CLONE_NEWNET;
	return 0;
}

int iso_netcfg_add_port(struct iso_netcfg *cfg, const char *arg, struct iso_error *err)
{
	struct iso_port port;

	if (iso_port_parse(arg, &port, err) < 0)
		return -1;
	cfg->ports = xrealloc(cfg->ports, (cfg->n_ports + 1) * sizeof(*cfg->ports));
	cfg->ports[cfg->n_ports++] = port;
	return 0;
}

int iso_netcfg_add_host(struct iso_netcfg *cfg, const char *arg, struct iso_error *err)
{
	char *name, *ip;

	if (iso_add_host_parse(arg, &name, &ip, err) < 0)
		return -1;
	strv_push_owned(&cfg->add_hosts, name);
	strv_push_owned(&cfg->add_hosts, ip);
	return 0;
}

static bool same_host_port(const struct iso_port *a, const struct iso_port *b)
{
	return a->proto == b->proto && a->host_port != 0 && a->host_port == b->host_port &&
	       (a->host_ip == 0 || b->host_ip == 0 || a->host_ip == b->host_ip);
}

int iso_netcfg_check(const struct iso_netcfg *cfg, struct iso_error *err)
{
	bool bridge = cfg->mode == ISO_NET_BRIDGE;
	char text[ISO_PORT_STRLEN];

	if (!bridge && cfg->n_ports > 0)
		return iso_error_set(err, 0, "conflicting options: -p needs a bridge network, not --network %s",
				     cfg->mode == ISO_NET_HOST ? "host" : cfg->mode == ISO_NET_NONE ? "none" : "joined");
	if (!bridge && cfg->ip != NULL)
		return iso_error_set(err, 0, "conflicting options: --ip needs a bridge network");
	if (!bridge && cfg->mac != NULL)
		return iso_error_set(err, 0, "conflicting options: --mac-address needs a bridge network");
	for (size_t i = 0; i < cfg->n_ports; i++)
		for (size_t j = 0; j < i; j++)
			if (same_host_port(&cfg->ports[i], &cfg->ports[j])) {
				iso_port_format(&cfg->ports[i], text);
				return iso_error_set(err, 0, "port %s is published twice", text);
			}
	return 0;
}

void iso_netcfg_free(struct iso_netcfg *cfg)
{
	free(cfg->network);
	free(cfg->join);
	free(cfg->ip);
	free(cfg->mac);
	strv_free(cfg->dns.servers);
	strv_free(cfg->dns.search);
	strv_free(cfg->dns.options);
	strv_free(cfg->add_hosts);
	free(cfg->ports);
	memset(cfg, 0, sizeof(*cfg));
}
