#include "conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct forget {
	struct nfct_handle *destroyer;
	uint16_t port;          /* network byte order */
	int failed;             /* errno of a failed deletion, or 0 */
};

static int forget_matching(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct forget *f = data;

	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_UDP ||
	    nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST) != f->port)
		return NFCT_CB_CONTINUE;
	/* gone meanwhile (it timed out) is as good as deleted */
	if (nfct_query(f->destroyer, NFCT_Q_DESTROY, ct) < 0 && errno != ENOENT)
		f->failed = errno;
	return NFCT_CB_CONTINUE;
}

int iso_conntrack_forget_udp_port(uint16_t port, struct iso_error *err)
{
	/* one handle dumps, the other deletes: a handle cannot do both at once */
	struct nfct_handle *dumper = nfct_open(CONNTRACK, 0);
	struct forget f = { .destroyer = nfct_open(CONNTRACK, 0), .port = htons(port) };
	uint32_t family = AF_INET;
	int r = 0;

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
	return r;
}
