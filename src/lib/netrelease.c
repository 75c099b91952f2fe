/* The end of a container's network: withdrawing, undoing, reclaiming what
 * a killed run left, and the detached process that does the slow part. */
#include "netsetup.h"
#include "netsetup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lease.h"
#include "log.h"
#include "netlink.h"
#include "network.h"
#include "nft.h"
#include "state.h"
#include "util.h"

/* How long the nftables table outlives the last container: deleting it
 * costs the kernel some 10-20 ms (each base chain's hook waits for an RCU
 * grace period), which a run right after another should not pay. */
#define TABLE_LINGER_SECONDS 2

/* ---- the record a reclaimer reads ------------------------------------ */

int iso_netsetup_write_record(const struct iso_netsetup *ns, struct iso_error *err)
{
	char ip[ISO_IPV4_STRLEN], host_ip[ISO_IPV4_STRLEN];
	json_t *ports = json_array(), *root;
	char *text;
	int r;

	iso_ipv4_format(ns->ip, ip);
	for (size_t i = 0; ns->nft_ports && i < ns->cfg->n_ports; i++) {
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
	iso_keep_only_fd(keep_fd);
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

void iso_netsetup_restore(const char *id)
{
	struct iso_network net = { 0 };
	struct iso_error err;
	struct record rec;

	if (read_record(id, &rec) < 0)
		return;
	if (iso_network_load(rec.network, &net, &err) < 0 ||
	    iso_nft_attach(net.bridge, &net.subnet, rec.ip, rec.ports, rec.n_ports, &err) < 0)
		iso_log(ISO_LOG_WARN, "restore the network of container %s: %s", id, err.msg);
	iso_network_clear(&net);
	free(rec.ports);
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
		/* withdrawn: a reclaimer must not withdraw them again, when a
		 * newer container may have published the same ports */
		ns->nft_ports = false;
		iso_netsetup_write_record(ns, &err);
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
