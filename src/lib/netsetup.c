#include "netsetup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lease.h"
#include "log.h"
#include "netlink.h"
#include "nft.h"
#include "pathres.h"
#include "state.h"
#include "util.h"

#define DEFAULT_MTU 1500
/* How long the nftables table outlives the last container: deleting it
 * costs the kernel some 10-20 ms (each base chain's hook waits for an RCU
 * grace period), which a run right after another should not pay. */
#define TABLE_LINGER_SECONDS 2

void iso_netsetup_init(struct iso_netsetup *ns, const struct iso_netcfg *cfg, const char *id)
{
	memset(ns, 0, sizeof(*ns));
	ns->cfg = cfg;
	ns->id = id;
	ns->join_fd = -1;
	ns->host_mntns = -1;
}

/* ---- the record a reclaimer reads ------------------------------------ */

static int write_record(const struct iso_netsetup *ns, struct iso_error *err)
{
	char ip[ISO_IPV4_STRLEN], host_ip[ISO_IPV4_STRLEN];
	json_t *ports = json_array(), *root;
	char *text;
	int r;

	iso_ipv4_format(ns->ip, ip);
	for (size_t i = 0; i < ns->cfg->n_ports; i++) {
		const struct iso_port *p = &ns->ports[i];

		iso_ipv4_format(p->host_ip, host_ip);
		json_array_append_new(ports, json_pack("{s:s, s:s, s:i, s:i}", "proto",
						       iso_port_proto_name(p->proto), "host_ip", host_ip,
						       "host_port", p->host_port, "ctr_port", p->ctr_port));
	}
	root = json_pack("{s:s, s:s, s:s, s:o}", "network", ns->net.name, "ip", ip,
			 "veth", ns->veth, "ports", ports);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	r = iso_state_write(ns->id, "network.json", text, err);
	free(text);
	return r;
}

struct record {
	char network[80];
	char veth[16];
	uint32_t ip;
	struct iso_port *ports;
	size_t n_ports;
};

static int parse_port(json_t *item, struct iso_port *p)
{
	const char *proto, *host_ip;
	int host_port, ctr_port;
	struct iso_error ignored;

	if (json_unpack(item, "{s:s, s:s, s:i, s:i}", "proto", &proto, "host_ip", &host_ip,
			"host_port", &host_port, "ctr_port", &ctr_port) < 0 ||
	    iso_ipv4_parse(host_ip, &p->host_ip, &ignored) < 0)
		return -1;
	p->proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	p->host_port = (uint16_t)host_port;
	p->ctr_port = (uint16_t)ctr_port;
	return 0;
}

static int read_record(const char *id, struct record *rec)
{
	cleanup_free char *text = iso_state_read(id, "network.json");
	const char *network, *veth, *ip;
	struct iso_error ignored;
	json_t *root, *ports;
	int r = -1;

	memset(rec, 0, sizeof(*rec));
	if (text == NULL || (root = json_loads(text, 0, NULL)) == NULL)
		return -1;
	if (json_unpack(root, "{s:s, s:s, s:s, s:o}", "network", &network, "veth", &veth,
			"ip", &ip, "ports", &ports) == 0 && json_is_array(ports) &&
	    iso_ipv4_parse(ip, &rec->ip, &ignored) == 0) {
		snprintf(rec->network, sizeof(rec->network), "%s", network);
		snprintf(rec->veth, sizeof(rec->veth), "%s", veth);
		rec->ports = xcalloc(json_array_size(ports) + 1, sizeof(*rec->ports));
		for (size_t i = 0; i < json_array_size(ports); i++)
			if (parse_port(json_array_get(ports, i), &rec->ports[rec->n_ports]) == 0)
				rec->n_ports++;
		r = 0;
	}
	json_decref(root);
	return r;
}

/* ---- undoing ---------------------------------------------------------- */

/* With the state lock held: the table goes when no lease is left. */
static void remove_unused_table(void)
{
	struct iso_error err;

	if (iso_lease_count(NULL) == 0 && iso_nft_remove_table(&err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
}

/* Forks a process that outlives the caller, holding nothing of its run
 * (not a caller's pipe, nor its private mount namespace) but KEEP_FD.
 * Returns 0 in that process, 1 in the caller, -1 on failure. */
static int spawn_detached(int host_mntns, int keep_fd)
{
	sigset_t none;
	pid_t pid = fork();
	int fd;

	if (pid != 0) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return pid > 0 ? 1 : -1;
	}
	if (fork() != 0)
		_exit(0);
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((host_mntns >= 0 && setns(host_mntns, CLONE_NEWNS) < 0) || chdir("/") < 0)
		_exit(1);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (keep_fd > 3)
		close_range(3, (unsigned)keep_fd - 1, 0);
	close_range((unsigned)keep_fd + 1, ~0U, 0);
	return 0;
}

/* The linger, in a detached process: wait, then remove the table if no
 * container took a lease meanwhile.  At most one waits at a time; it lets
 * go of the reaper lock before it looks, so that a container that ends
 * while it looks starts another. */
static void __attribute__((noreturn)) linger_then_remove_table(void)
{
	cleanup_free char *path = xasprintf("%s/reaper.lock", iso_run_dir());
	int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
		_exit(0);
	sleep(TABLE_LINGER_SECONDS);
	close(lock);
	lock = iso_state_lock(&(struct iso_error){ 0 });
	if (lock >= 0)
		remove_unused_table();
	_exit(0);
}

static void delete_veth(const char *veth)
{
	struct iso_error err;
	struct iso_nl nl = { 0 };

	if (veth[0] == '\0' || iso_nl_open(&nl, &err) < 0)
		return;
	if (iso_nl_link_delete(&nl, veth, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
	iso_nl_close(&nl);
}

/* With the lock held.  Every step tolerates a part already gone. */
static void undo(const char *id, const char *network, const char *veth, uint32_t ip,
		 const struct iso_port *ports, size_t n_ports)
{
	if (n_ports > 0)
		iso_nft_detach(ports, n_ports);
	delete_veth(veth);
	if (ip != 0)
		iso_lease_drop(network, ip, id);
}

void iso_netsetup_reclaim(const char *id)
{
	struct record rec;

	if (read_record(id, &rec) < 0)
		return;
	undo(id, rec.network, rec.veth, rec.ip, rec.ports, rec.n_ports);
	free(rec.ports);
	remove_unused_table();
}

static void take_ownership(const char *id)
{
	struct iso_owner self;
	char text[64];

	if (iso_owner_of(getpid(), &self) < 0)
		return;
	snprintf(text, sizeof(text), "%d %llu\n", (int)self.pid, self.start);
	iso_state_write(id, "owner", text, &(struct iso_error){ 0 });
}

/* Deleting a veth takes the kernel 10-30 ms here (it waits for the RTNL
 * lock, which the dying network namespace's cleanup holds, and for RCU
 * grace periods); the user should not wait for it.  A detached process
 * takes the container's state over (it becomes the owner, so a sweep
 * leaves it be, or reclaims it if that process dies) and marks it
 * "releasing", deletes the veth, and only then gives the address back and
 * removes the state.  isolate network commands wait for it. */
static bool release_later(struct iso_netsetup *ns)
{
	int fds[2], lock;
	char ok = 0;
	bool last;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return false;
	switch (spawn_detached(ns->host_mntns, fds[1])) {
	case 1:
		close(fds[1]);
		/* the process owns the state once it says so */
		while (read(fds[0], &ok, 1) < 0 && errno == EINTR)
			;
		close(fds[0]);
		return ok == 1;
	case -1:
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	lock = iso_state_lock(&(struct iso_error){ 0 });
	take_ownership(ns->id);
	iso_state_write(ns->id, "releasing", "", &(struct iso_error){ 0 });
	close(lock);
	ok = 1;
	if (write(fds[1], &ok, 1) != 1)
		_exit(1);
	close(fds[1]);
	/* the slow part, without the lock: runs go on meanwhile; the lease
	 * keeps the address from being handed out again too soon */
	delete_veth(ns->veth);
	lock = iso_state_lock(&(struct iso_error){ 0 });
	iso_lease_drop(ns->net.name, ns->ip, ns->id);
	iso_state_remove(ns->id);
	last = iso_lease_count(NULL) == 0;
	close(lock);
	if (last)
		linger_then_remove_table();
	_exit(0);
}

/* Ports are withdrawn now: the next run may publish the same one at once.
 * The rest goes to release_later when it can, unless the run FAILED: the
 * user waits on an error anyway, and a failed run leaves no process. */
void iso_netsetup_release(struct iso_netsetup *ns, bool failed)
{
	struct iso_error err;
	int lock;

	if (ns->join_fd >= 0)
		close(ns->join_fd);
	ns->join_fd = -1;
	if (ns->leased) {
		lock = iso_state_lock(&err);
		if (ns->nft)
			iso_nft_detach(ns->ports, ns->cfg->n_ports);
		if (lock >= 0)
			close(lock);
	}
	if (ns->port_fds != NULL)
		for (size_t i = 0; i < ns->cfg->n_ports; i++)
			if (ns->port_fds[i] >= 0)
				close(ns->port_fds[i]);
	free(ns->port_fds);
	ns->port_fds = NULL;
	if (ns->leased && !failed && release_later(ns)) {
		ns->state_handed_over = true;
	} else if (ns->leased) {
		lock = iso_state_lock(&err);
		undo(ns->id, ns->net.name, ns->veth, ns->ip, NULL, 0);
		remove_unused_table();
		if (lock >= 0)
			close(lock);
	}
	ns->leased = false;
	if (ns->host_mntns >= 0)
		close(ns->host_mntns);
	ns->host_mntns = -1;
	free(ns->ports);
	ns->ports = NULL;
	iso_network_clear(&ns->net);
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
	*index = iso_nl_link_find(nl, net->bridge, NULL, err);
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
	if (write_record(ns, err) < 0 || iso_nl_open(&nl, err) < 0)
		return -1;
	r = ensure_bridge(&nl, &ns->net, mtu, &index, err);
	iso_nl_close(&nl);
	if (r < 0)
		return -1;
	ns->nft = true;
	return iso_nft_attach(ns->net.bridge, &ns->net.subnet, ns->ip, ns->ports,
			      ns->cfg->n_ports, err);
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

/* ---- /etc/hosts, /etc/resolv.conf, /etc/hostname ------------------------ */

static char *resolv_conf(const struct iso_netsetup *ns)
{
	cleanup_free char *host = NULL;
	struct iso_error ignored;
	size_t len;

	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &host, &len, &ignored) < 0)
		host = NULL;
	return iso_resolv_conf_build(host, &ns->cfg->dns, ns->cfg->mode == ISO_NET_HOST);
}

static int hosts_extra(const struct iso_netsetup *ns, char ***extra, struct iso_error *err)
{
	char gateway[ISO_IPV4_STRLEN];
	char **pairs = ns->cfg->add_hosts;

	for (size_t i = 0; pairs != NULL && pairs[i] != NULL; i += 2) {
		const char *ip = pairs[i + 1];

		if (strcmp(ip, "host-gateway") == 0) {
			if (ns->cfg->mode != ISO_NET_BRIDGE)
				return iso_error_set(err, 0, "--add-host %s:host-gateway needs a bridge network",
						     pairs[i]);
			iso_ipv4_format(ns->net.gateway, gateway);
			ip = gateway;
		}
		strv_push(extra, ip);
		strv_push(extra, pairs[i]);
	}
	return 0;
}

static char *hosts_file(const struct iso_netsetup *ns, const char *hostname, struct iso_error *err)
{
	cleanup_strv char **extra = NULL;
	char ip[ISO_IPV4_STRLEN];
	char *host = NULL;
	size_t len;

	if (ns->cfg->mode == ISO_NET_HOST && ns->cfg->add_hosts == NULL &&
	    read_file_at(AT_FDCWD, "/etc/hosts", &host, &len, err) == 0)
		return host;
	if (hosts_extra(ns, &extra, err) < 0)
		return NULL;
	iso_ipv4_format(ns->ip, ip);
	return iso_hosts_build(hostname, ns->ip ? ip : NULL, extra);
}

/* Whether /etc/NAME can carry a mount: in the host's root, an existing
 * regular file; in a rootfs, a regular file or nothing (a mount point is
 * made), below an /etc directory.  Never a symlink from the image. */
static bool can_mount_on(const struct iso_spec *spec, const char *name)
{
	cleanup_free char *path = xasprintf("/etc/%s", name);
	cleanup_close int root = -1, etc = -1;
	struct stat st;

	for (size_t i = 0; i < spec->n_mounts; i++)
		if (strcmp(spec->mounts[i].destination, path) == 0 ||
		    strcmp(spec->mounts[i].destination, "/etc") == 0)
			return false;
	if (spec->root.path == NULL)
		return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	root = open(spec->root.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return false;
	etc = iso_open_in_root(root, "/etc", O_PATH | O_DIRECTORY);
	if (etc < 0)
		return false;
	if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT;
	return S_ISREG(st.st_mode);
}

static int add_file(const struct iso_netsetup *ns, struct iso_spec *spec, const char *name,
		    const char *text, struct iso_error *err)
{
	cleanup_free char *source = iso_state_path(ns->id, name);
	cleanup_free char *dest = xasprintf("/etc/%s", name);

	if (text == NULL)
		return -1;
	if (iso_state_write(ns->id, name, text, err) < 0)
		return -1;
	if (can_mount_on(spec, name))
		/* in front of the user's mounts: one on /etc, or on a path
		 * that leads there, covers these as it would the image's */
		iso_spec_add_mount_first(spec, "bind", source, dest, "rbind,idmap");
	return 0;
}

static int add_files(struct iso_netsetup *ns, struct iso_spec *spec, struct iso_error *err)
{
	cleanup_free char *hosts = hosts_file(ns, spec->hostname, err);
	cleanup_free char *resolv = NULL, *hostname = NULL;

	if (hosts == NULL)
		return -1;
	resolv = resolv_conf(ns);
	hostname = xasprintf("%s\n", spec->hostname ? spec->hostname : "");
	if (add_file(ns, spec, "hosts", hosts, err) < 0 ||
	    add_file(ns, spec, "resolv.conf", resolv, err) < 0 ||
	    add_file(ns, spec, "hostname", hostname, err) < 0)
		return -1;
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
	return add_files(ns, spec, err);
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
