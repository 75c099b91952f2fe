#include "conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "util.h"

struct forget {
	struct nfct_handle *destroyer;
	uint16_t port;          /* network byte order */
	uint32_t *addrs;        /* the destinations that count, network order */
	size_t n_addrs;
	bool any_local;         /* the port is published on every host address */
	int failed;             /* errno of a failed deletion, or 0 */
};

static bool to_us(const struct forget *f, uint32_t dst)
{
	if (f->any_local && (ntohl(dst) >> 24) == 127)
		return true;
	for (size_t i = 0; i < f->n_addrs; i++)
		if (f->addrs[i] == dst)
			return true;
	return false;
}

/* HOST_IP, or every IPv4 address of the host. */
static int local_addresses(uint32_t host_ip, struct forget *f, struct iso_error *err)
{
	struct ifaddrs *list, *a;

	if (host_ip != 0) {
		f->addrs = xmalloc(sizeof(*f->addrs));
		f->addrs[f->n_addrs++] = htonl(host_ip);
		return 0;
	}
	f->any_local = true;
	if (getifaddrs(&list) < 0)
		return iso_error_set(err, errno, "list the host's addresses");
	for (a = list; a != NULL; a = a->ifa_next) {
		if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET)
			continue;
		f->addrs = xrealloc(f->addrs, (f->n_addrs + 1) * sizeof(*f->addrs));
		f->addrs[f->n_addrs++] = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
	}
	freeifaddrs(list);
	return 0;
}

static int forget_matching(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct forget *f = data;

	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_UDP ||
	    nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST) != f->port ||
	    !to_us(f, nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST)))
		return NFCT_CB_CONTINUE;
	/* gone meanwhile (it timed out) is as good as deleted */
	if (nfct_query(f->destroyer, NFCT_Q_DESTROY, ct) < 0 && errno != ENOENT)
		f->failed = errno;
	return NFCT_CB_CONTINUE;
}

int iso_conntrack_forget_udp_port(uint32_t host_ip, uint16_t port, struct iso_error *err)
{
	/* one handle dumps, the other deletes: a handle cannot do both at once */
	struct nfct_handle *dumper = nfct_open(CONNTRACK, 0);
	struct forget f = { .destroyer = nfct_open(CONNTRACK, 0), .port = htons(port) };
	uint32_t family = AF_INET;
	int r = 0;

	if (local_addresses(host_ip, &f, err) < 0) {
		r = -1;
		goto out;
	}
	if (dumper == NULL || f.destroyer == NULL) {
		r = iso_error_set(err, errno, "open a conntrack netlink socket");
		goto out;
	}
	nfct_callback_register(dumper, NFCT_T_ALL, forget_matching, &f);
	if (nfct_query(dumper, NFCT_Q_DUMP, &family) < 0)
		r = iso_error_set(err, errno, "list the tracked connections");
	else if (f.failed != 0)
		r = iso_error_set(err, f.failed, "forget the tracked UDP flows to port %u", port);
out:
	if (dumper != NULL)
		nfct_close(dumper);
	if (f.destroyer != NULL)
		nfct_close(f.destroyer);
	free(f.addrs);
	return r;
}
