#include "nft.h"

#include <errno.h>
#include <stdbool.h>
#include <dirent.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

/* Published ports are DNAT map lookups: tcp_any/udp_any are keyed by port
 * alone (every host address), tcp_addr/udp_addr by address and port.  The
 * nat output chain makes them work from the host itself, 127.0.0.1 included
 * (with route_localnet on the bridge, and a masquerade so the container can
 * answer).  The raw guard drops whatever arrives on any device but lo for
 * 127/8: route_localnet would let a container reach the host's loopback
 * services through the bridge (CVE-2020-8558), and the prerouting DNAT
 * would let a neighbour on the LAN reach a port published on 127.0.0.1
 * only (moby#45610), both before the kernel's own martian check.  The
 * forward chain lets in from outside, towards a bridge, only replies and
 * published ports: ip_forward alone would route a neighbour to any port of
 * any container.
 *
 * The chains are declared empty, flushed, and filled in one transaction:
 * declaring them with their rules again would add a second copy. */
static const char table_skeleton[] =
	"table ip " ISO_NFT_TABLE " {\n"
	"  set bridges { type ifname; }\n"
	"  set same_bridge { type ifname . ifname; }\n"
	"  set subnets { type ipv4_addr; flags interval; }\n"
	"  map tcp_any { type inet_service : ipv4_addr . inet_service; }\n"
	"  map udp_any { type inet_service : ipv4_addr . inet_service; }\n"
	"  map tcp_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
	"  map udp_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
	"  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
	"  chain output { type nat hook output priority -100; policy accept; }\n"
	"  chain publish { }\n"
	"  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	"  chain forward { type filter hook forward priority filter; policy accept; }\n"
	"  chain guard { type filter hook prerouting priority raw; policy accept; }\n"
	"}\n"
	"flush chain ip " ISO_NFT_TABLE " prerouting\n"
	"flush chain ip " ISO_NFT_TABLE " output\n"
	"flush chain ip " ISO_NFT_TABLE " publish\n"
	"flush chain ip " ISO_NFT_TABLE " postrouting\n"
	"flush chain ip " ISO_NFT_TABLE " forward\n"
	"flush chain ip " ISO_NFT_TABLE " guard\n"
	"table ip " ISO_NFT_TABLE " {\n"
	"  chain prerouting { fib daddr type local jump publish; }\n"
	"  chain output { fib daddr type local jump publish; }\n"
	"  chain publish {\n"
	"    dnat ip addr . port to ip daddr . tcp dport map @tcp_addr\n"
	"    dnat ip addr . port to ip daddr . udp dport map @udp_addr\n"
	"    dnat ip addr . port to tcp dport map @tcp_any\n"
	"    dnat ip addr . port to udp dport map @udp_any\n"
	"  }\n"
	"  chain postrouting {\n"
	"    ip saddr @subnets oifname != @bridges masquerade\n"
	"    ip saddr 127.0.0.0/8 oifname @bridges masquerade\n"
	"    ct status dnat ip saddr @subnets oifname @bridges masquerade\n"
	"  }\n"
	"  chain forward {\n"
	"    iifname @bridges oifname @bridges iifname . oifname != @same_bridge drop\n"
	"    iifname != @bridges oifname @bridges ct state established,related accept\n"
	"    iifname != @bridges oifname @bridges ct status dnat accept\n"
	"    iifname != @bridges oifname @bridges drop\n"
	"  }\n"
	"  chain guard {\n"
	"    iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n"
	"  }\n"
	"}\n";

/* libnftables, with libnftnl, libxtables and libgmp behind it, costs any
 * process that links it some 0.6 ms to load: every isolate run would pay
 * that, for commands that only the helper below runs, now and then.  So
 * the helper loads it. */
static struct {
	__typeof__(nft_ctx_new) *ctx_new;
	__typeof__(nft_ctx_buffer_output) *buffer_output;
	__typeof__(nft_ctx_buffer_error) *buffer_error;
	__typeof__(nft_ctx_get_output_buffer) *get_output_buffer;
	__typeof__(nft_ctx_get_error_buffer) *get_error_buffer;
	__typeof__(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
} nftlib;

static int load_symbol(void *lib, void *fn, const char *name, struct iso_error *err)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL)
		return iso_error_set(err, 0, "libnftables: no symbol %s", name);
	/* POSIX's way to store a function pointer from dlsym */
	memcpy(fn, &sym, sizeof(sym));
	return 0;
}

static int load_libnftables(struct iso_error *err)
{
	void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL)
		return iso_error_set(err, 0, "load libnftables: %s", dlerror());
	if (load_symbol(lib, &nftlib.ctx_new, "nft_ctx_new", err) < 0 ||
	    load_symbol(lib, &nftlib.buffer_output, "nft_ctx_buffer_output", err) < 0 ||
	    load_symbol(lib, &nftlib.buffer_error, "nft_ctx_buffer_error", err) < 0 ||
	    load_symbol(lib, &nftlib.get_output_buffer, "nft_ctx_get_output_buffer", err) < 0 ||
	    load_symbol(lib, &nftlib.get_error_buffer, "nft_ctx_get_error_buffer", err) < 0 ||
	    load_symbol(lib, &nftlib.run_cmd_from_buffer, "nft_run_cmd_from_buffer", err) < 0)
		return -1;
	return 0;
}

static struct nft_ctx *new_ctx(struct iso_error *err)
{
	struct nft_ctx *nft;

	if (load_libnftables(err) < 0)
		return NULL;
	nft = nftlib.ctx_new(NFT_CTX_DEFAULT);
	if (nft == NULL) {
		iso_error_set(err, ENOMEM, "nftables context");
		return NULL;
	}
	nftlib.buffer_output(nft);
	nftlib.buffer_error(nft);
	return nft;
}

/* The first line of libnftables' error, which is the reason. */
static int nft_error(struct nft_ctx *nft, const char *what, struct iso_error *err)
{
	const char *text = nftlib.get_error_buffer(nft);
	size_t len = text ? strcspn(text, "\n") : 0;

	if (len > 7 && strncmp(text, "Error: ", 7) == 0) {
		text += 7;
		len -= 7;
	}
	return iso_error_set(err, 0, "nftables: %s: %.*s", what, (int)len, len ? text : "failed");
}

struct result {
	struct iso_error err;
	bool found;             /* the output held the needle */
};

/* In the helper: runs CMDS and reports, before the socket is closed. */
static void __attribute__((noreturn)) run_and_report(const char *cmds, const char *what,
						     const char *needle, int out)
{
	struct result res = { 0 };
	struct nft_ctx *nft = new_ctx(&res.err);

	if (nft != NULL && nftlib.run_cmd_from_buffer(nft, cmds) != 0)
		nft_error(nft, what, &res.err);
	else if (nft != NULL && needle != NULL)
		res.found = strstr(nftlib.get_output_buffer(nft), needle) != NULL;
	write_all(out, &res, sizeof(res));
	/* the slow close happens here, in exit, after the caller moved on */
	_exit(0);
}

static int read_result(int fd, struct result *res)
{
	size_t got = 0;

	while (got < sizeof(*res)) {
		ssize_t n = read(fd, (char *)res + got, sizeof(*res) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Closing libnftables' socket after a commit waits until the kernel has
 * destroyed the transaction, which takes an RCU grace period (10-20 ms
 * here).  So the commands run in a grandchild that reports its result and
 * then closes; the caller goes on as soon as the result is in. */
static int run_query(const char *cmds, const char *what, const char *needle, bool *found,
		     struct iso_error *err)
{
	struct result res;
	int fds[2], r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return iso_error_set(err, errno, "pipe");
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (fork() != 0)
			_exit(0);
		/* the helper outlives the call: it must not hold the state
		 * lock (a flock belongs to the open file, which a fork
		 * shares), nor the caller's stdout, read maybe to EOF */
		iso_keep_only_fd(fds[1]);
		run_and_report(cmds, what, needle, fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return iso_error_set(err, errno, "fork");
	}
	waitpid(pid, NULL, 0);
	r = read_result(fds[0], &res);
	close(fds[0]);
	if (r < 0)
		return iso_error_set(err, 0, "nftables: %s: the helper process died", what);
	if (res.err.msg[0] != '\0') {
		*err = res.err;
		return -1;
	}
	if (found != NULL)
		*found = res.found;
	return 0;
}

static int run(const char *cmds, const char *what, struct iso_error *err)
{
	return run_query(cmds, what, NULL, NULL, err);
}

static const char *map_name(const struct iso_port *p)
{
	if (p->proto == IPPROTO_UDP)
		return p->host_ip ? "udp_addr" : "udp_any";
	return p->host_ip ? "tcp_addr" : "tcp_any";
}

/* The key this port is published under in its map. */
static void format_key(char buf[32], const struct iso_port *p)
{
	char ip[ISO_IPV4_STRLEN];

	if (p->host_ip) {
		iso_ipv4_format(p->host_ip, ip);
		snprintf(buf, 32, "%s . %u", ip, p->host_port);
	} else {
		snprintf(buf, 32, "%u", p->host_port);
	}
}

/* A commit waits for the one before it to be destroyed (see run_query),
 * and even a listing costs a helper process and libnftables' start (some
 * 2 ms), so which networks the table holds is remembered in the run
 * directory: nft/BRIDGE, made after the commit that adds the network and
 * removed with it or with the table.  A container with no port to publish
 * on a network already there then needs nothing from nftables.  (Flushing
 * the host's ruleset behind isolate's back breaks that, as it breaks
 * docker; the table is made whole again by the next run that publishes a
 * port, or once the last container has gone.) */
static char *stamp_path(const char *bridge)
{
	return xasprintf("%s/nft/%s", iso_run_dir(), bridge ? bridge : "");
}

static bool registered(const char *bridge)
{
	cleanup_free char *path = stamp_path(bridge);

	return access(path, F_OK) == 0;
}

static void remember(const char *bridge)
{
	cleanup_free char *dir = stamp_path(NULL);
	cleanup_free char *path = stamp_path(bridge);
	struct iso_error ignored;
	int fd;

	if (iso_mkdir_p(dir, &ignored) < 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static void forget_all(void)
{
	cleanup_free char *dir = stamp_path(NULL);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

int iso_nft_attach(const char *bridge, const struct iso_subnet *subnet, uint32_t ctr_ip,
		   const struct iso_port *ports, size_t n_ports, struct iso_error *err)
{
	cleanup_free char *cmds = NULL;
	char net[ISO_CIDR_STRLEN], ip[ISO_IPV4_STRLEN];
	size_t len = 0;
	FILE *f;

	if (n_ports == 0 && registered(bridge))
		return 0;
	f = open_memstream(&cmds, &len);
	if (f == NULL)
		return iso_error_set(err, errno, "open_memstream");
	iso_subnet_format(subnet, net);
	iso_ipv4_format(ctr_ip, ip);
	fputs(table_skeleton, f);
	fprintf(f, "add element ip %s bridges { \"%s\" }\n", ISO_NFT_TABLE, bridge);
	fprintf(f, "add element ip %s same_bridge { \"%s\" . \"%s\" }\n", ISO_NFT_TABLE, bridge, bridge);
	fprintf(f, "add element ip %s subnets { %s }\n", ISO_NFT_TABLE, net);
	for (size_t i = 0; i < n_ports; i++) {
		char key[32];

		format_key(key, &ports[i]);
		fprintf(f, "create element ip %s %s { %s : %s . %u }\n", ISO_NFT_TABLE,
			map_name(&ports[i]), key, ip, ports[i].ctr_port);
	}
	if (fclose(f) != 0)
		return iso_error_set(err, errno, "open_memstream");
	if (run(cmds, "set up the isolate table", err) < 0)
		return -1;
	remember(bridge);
	return 0;
}

void iso_nft_detach(const struct iso_port *ports, size_t n_ports)
{
	struct iso_error ignored;

	for (size_t i = 0; i < n_ports; i++) {
		cleanup_free char *cmd = NULL;
		char key[32];

		format_key(key, &ports[i]);
		cmd = xasprintf("delete element ip %s %s { %s }\n", ISO_NFT_TABLE,
				map_name(&ports[i]), key);
		/* gone already: with its table, or reclaimed before us */
		run(cmd, "withdraw a published port", &ignored);
	}
}

void iso_nft_forget_network(const char *bridge, const struct iso_subnet *subnet)
{
	cleanup_free char *cmds = NULL;
	cleanup_free char *stamp = stamp_path(bridge);
	char net[ISO_CIDR_STRLEN];
	struct iso_error ignored;

	if (!registered(bridge))
		return;
	unlink(stamp);
	iso_subnet_format(subnet, net);
	cmds = xasprintf("delete element ip %1$s bridges { \"%2$s\" }\n"
			 "delete element ip %1$s same_bridge { \"%2$s\" . \"%2$s\" }\n"
			 "delete element ip %1$s subnets { %3$s }\n", ISO_NFT_TABLE, bridge, net);
	run(cmds, "withdraw a network", &ignored);
}

bool iso_nft_table_present(void)
{
	struct iso_error ignored;

	if (run("list table ip " ISO_NFT_TABLE, "list", &ignored) == 0)
		return true;
	forget_all();
	return false;
}

int iso_nft_remove_table(struct iso_error *err)
{
	struct iso_error ignored;

	forget_all();
	/* "delete table" of a missing table fails; ask first, cheaply */
	if (run("list table ip " ISO_NFT_TABLE, "list", &ignored) < 0)
		return 0;
	return run("delete table ip " ISO_NFT_TABLE "\n", "delete the isolate table", err);
}
