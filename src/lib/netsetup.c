#include "netsetup.h"
#include "netsetup_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conntrack.h"
#include "lease.h"
#include "log.h"
#include "netlink.h"
#include "nft.h"
#include "state.h"
#include "util.h"

#define DEFAULT_MTU 1500

void iso_netsetup_init(struct iso_netsetup *ns, const struct iso_netcfg *cfg, const char *id)
{
	memset(ns, 0, sizeof(*ns));
	ns->cfg = cfg;
	ns->id = id;
	ns->join_fd = -1;
	ns->host_mntns = -1;
}

/* ---- the host's side of a bridge network -------------------------------- */

static int write_sysctl(const char *path, struct iso_error *err)
{
	cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC);
	char now = 0;

	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	if (pread(fd, &now, 1, 0) == 1 && now == '1')
		return 0;
	if (pwrite(fd, "1\n", 2, 0) != 2)
		return iso_error_set(err, errno, "write 1 to %s", path);
	return 0;
}

/* The bridge, made on first use with the gateway address; forwarding on.
 * route_localnet lets the DNAT of a port published on 127.0.0.1 leave
 * through the bridge (see nft.c for the guard that goes with it). */
static int ensure_bridge(struct iso_nl *nl, const struct iso_network *net, unsigned *mtu,
			 int *index, struct iso_error *err)
{
	cleanup_free char *localnet = NULL;

	if (iso_nl_default_route_mtu(nl, mtu, err) < 0)
		return -1;
	if (*mtu == 0)
		*mtu = DEFAULT_MTU;
	*index = iso_nl_bridge_find(nl, net->bridge, err);
	if (*index < 0)
		return -1;
	if (*index == 0) {
		if (iso_nl_bridge_create(nl, net->bridge, *mtu, err) < 0)
			return -1;
		*index = iso_nl_link_find(nl, net->bridge, NULL, err);
		if (*index <= 0)
			return *index < 0 ? -1 : iso_error_set(err, ENODEV, "bridge %s", net->bridge);
	}
	if (iso_nl_addr_add(nl, *index, net->bridge, net->gateway, net->subnet.prefix, err) < 0 ||
	    iso_nl_link_up(nl, *index, net->bridge, err) < 0)
		return -1;
	localnet = xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", net->bridge);
	if (write_sysctl(localnet, err) < 0 ||
	    write_sysctl("/proc/sys/net/ipv4/ip_forward", err) < 0)
		return -1;
	return 0;
}

/* Binding the host port, and keeping it bound while the container runs,
 * is how a port in use is found, how a free one is chosen, and how no
 * host service can take it meanwhile. */
static int reserve_port(struct iso_port *p, int *fd, struct iso_error *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port),
				  .sin_addr.s_addr = htonl(p->host_ip) };
	socklen_t len = sizeof(sa);
	char text[ISO_PORT_STRLEN];

	*fd = socket(AF_INET, (p->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return iso_error_set(err, errno, "socket");
	iso_port_format(p, text);
	if (bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EADDRINUSE)
			return iso_error_set(err, 0, "publish %s: the host's port is already in use", text);
		return iso_error_set(err, errno, "publish %s", text);
	}
	if (p->host_port == 0) {
		if (getsockname(*fd, (struct sockaddr *)&sa, &len) < 0)
			return iso_error_set(err, errno, "getsockname");
		p->host_port = ntohs(sa.sin_port);
	}
	return 0;
}

static int reserve_ports(struct iso_netsetup *ns, struct iso_error *err)
{
	size_t n = ns->cfg->n_ports;

	ns->ports = xcalloc(n + 1, sizeof(*ns->ports));
	ns->port_fds = xcalloc(n + 1, sizeof(*ns->port_fds));
	if (n > 0)
		memcpy(ns->ports, ns->cfg->ports, n * sizeof(*ns->ports));
	for (size_t i = 0; i < n; i++)
		ns->port_fds[i] = -1;
	for (size_t i = 0; i < n; i++)
		if (reserve_port(&ns->ports[i], &ns->port_fds[i], err) < 0)
			return -1;
	return 0;
}

static int prepare_bridge(struct iso_netsetup *ns, unsigned *mtu, struct iso_error *err)
{
	struct iso_nl nl = { 0 };
	uint32_t want = 0;
	int index, r;

	if (geteuid() != 0)
		return iso_error_set(err, 0, "--network %s needs root: without root, use --network none, host, ns:PATH or container:NAME",
				     ns->cfg->network);
	if (ns->cfg->ip != NULL && iso_ipv4_parse(ns->cfg->ip, &want, err) < 0)
		return iso_error_prefix(err, "--ip");
	if (ns->cfg->mac != NULL && iso_mac_parse(ns->cfg->mac, ns->mac, err) < 0)
		return iso_error_prefix(err, "--mac-address");
	if (iso_network_get(ns->cfg->network, &ns->net, err) < 0 || reserve_ports(ns, err) < 0 ||
	    iso_lease_take(&ns->net, ns->id, want, &ns->ip, err) < 0)
		return -1;
	ns->leased = true;
	snprintf(ns->veth, sizeof(ns->veth), "veth%.11s", ns->id);
	if (ns->cfg->mac == NULL)
		iso_mac_from_ipv4(ns->ip, ns->mac);
	/* before anything is published: a reclaimer may undo what the
	 * record lists, and a port we failed to publish may be another's */
	ns->nft_ports = true;
	if (iso_netsetup_write_record(ns, err) < 0 || iso_nl_open(&nl, err) < 0)
		return -1;
	r = ensure_bridge(&nl, &ns->net, mtu, &index, err);
	iso_nl_close(&nl);
	if (r < 0)
		return -1;
	/* one transaction: when it fails, nothing of ours is in the table
	 * (and what is there may be another container's) */
	if (iso_nft_attach(ns->net.bridge, &ns->net.subnet, ns->ip, ns->ports,
			   ns->cfg->n_ports, err) < 0)
		return -1;
	ns->nft = true;
	for (size_t i = 0; i < ns->cfg->n_ports; i++)
		if (ns->ports[i].proto == IPPROTO_UDP &&
		    iso_conntrack_forget_udp_port(ns->ports[i].host_ip, ns->ports[i].host_port,
						  err) < 0)
			return -1;
	return 0;
}

/* ---- joining a namespace ------------------------------------------------ */

static int open_join(struct iso_netsetup *ns, struct iso_error *err)
{
	const char *what = ns->cfg->join;
	cleanup_free char *path = NULL;
	char id[ISO_ID_LEN + 1];
	pid_t pid;
	int fd;

	if (ns->cfg->mode == ISO_NET_CONTAINER) {
		if (iso_state_find(what, &pid, id, err) < 0)
			return iso_error_prefix(err, "--network container:%s", what);
		path = xasprintf("/proc/%d/ns/net", (int)pid);
	} else {
		path = xstrdup(what);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(err, errno, "open network namespace %s", path);
	ns->join_fd = fd;
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return iso_error_set(err, 0, "%s is not a network namespace", path);
	return 0;
}

int iso_netsetup_join(struct iso_netsetup *ns, struct iso_error *err)
{
	if (ns->join_fd < 0)
		return 0;
	if (setns(ns->join_fd, CLONE_NEWNET) < 0)
		return iso_error_set(err, errno, "join network namespace %s", ns->cfg->join);
	return 0;
}

int iso_netsetup_prepare(struct iso_netsetup *ns, struct iso_spec *spec, struct iso_error *err)
{
	unsigned mtu = 0;

	switch (ns->cfg->mode) {
	case ISO_NET_BRIDGE:
		if (prepare_bridge(ns, &mtu, err) < 0)
			return -1;
		ns->mtu = mtu;
		break;
	case ISO_NET_CONTAINER:
	case ISO_NET_NS:
		if (open_join(ns, err) < 0)
			return -1;
		break;
	case ISO_NET_NONE:
	case ISO_NET_HOST:
		break;
	}
	return iso_netsetup_add_etc_files(ns, spec, err);
}

/* ---- after the clone ------------------------------------------------------ */

static int configure_eth0(const struct iso_netsetup *ns, int netns, struct iso_error *err)
{
	struct iso_nl nl = { 0 };
	int index, r = -1;

	if (iso_nl_open_in(&nl, netns, err) < 0)
		return -1;
	index = iso_nl_link_find(&nl, "eth0", NULL, err);
	if (index == 0)
		iso_error_set(err, ENODEV, "eth0 in the container");
	else if (index > 0 &&
		 iso_nl_addr_add(&nl, index, "eth0", ns->ip, ns->net.subnet.prefix, err) == 0 &&
		 iso_nl_link_up(&nl, index, "eth0", err) == 0 &&
		 iso_nl_route_add_default(&nl, index, ns->net.gateway, err) == 0)
		r = 0;
	iso_nl_close(&nl);
	return r;
}

int iso_netsetup_attach(struct iso_netsetup *ns, pid_t pid, struct iso_error *err)
{
	cleanup_close int netns = -1;
	struct iso_nl nl = { 0 };
	struct iso_veth veth = { .host_name = ns->veth, .mtu = ns->mtu, .peer_name = "eth0",
				 .peer_mac = ns->mac };
	char path[64];
	int r = -1;

	if (ns->cfg->mode != ISO_NET_BRIDGE)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return iso_error_set(err, errno, "open %s", path);
	veth.peer_netns = netns;
	if (iso_nl_open(&nl, err) < 0)
		return -1;
	veth.master = iso_nl_link_find(&nl, ns->net.bridge, NULL, err);
	if (veth.master == 0)
		iso_error_set(err, ENODEV, "bridge %s", ns->net.bridge);
	else if (veth.master > 0 && iso_nl_veth_create(&nl, &veth, err) == 0)
		r = 0;
	iso_nl_close(&nl);
	if (r < 0)
		return -1;
	return configure_eth0(ns, netns, err);
}

void iso_netsetup_report_ports(const struct iso_netsetup *ns)
{
	char text[ISO_PORT_STRLEN];

	for (size_t i = 0; i < ns->cfg->n_ports; i++) {
		if (ns->cfg->ports[i].host_port != 0)
			continue;
		iso_port_format(&ns->ports[i], text);
		iso_log(ISO_LOG_NOTE, "published %s", text);
	}
}
