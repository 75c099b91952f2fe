#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int iso_nl_open(struct iso_nl *nl, struct iso_error *err)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		return iso_error_set(err, errno, "open a netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		iso_error_set(err, errno, "bind a netlink socket");
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

/* A netlink socket stays in the namespace it was made in, so a short
 * visit is enough. */
int iso_nl_open_in(struct iso_nl *nl, int netns_fd, struct iso_error *err)
{
	cleanup_close int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	if (home < 0)
		return iso_error_set(err, errno, "open /proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return iso_error_set(err, errno, "enter the container's network namespace");
	r = iso_nl_open(nl, err);
	if (setns(home, CLONE_NEWNET) < 0) {
		/* staying in the container's namespace would misplace every
		 * later host-side step */
		iso_nl_close(nl);
		return iso_error_set(err, errno, "return to the host's network namespace");
	}
	return r;
}

void iso_nl_close(struct iso_nl *nl)
{
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static struct nlmsghdr *new_request(struct iso_nl *nl, char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Sends a request and reads the answer to its end, handing each message to
 * CB.  Returns 0, or -1 with errno set (the kernel's error for the request). */
static int transact(struct iso_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[32768];        /* a dump message fits in 32 KiB */
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -1;
		r = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
	} while (r == MNL_CB_OK);
	return r < 0 ? -1 : 0;
}

static int ack(struct iso_nl *nl, struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return transact(nl, nlh, NULL, NULL);
}

struct link_query {
	int index;
	unsigned mtu;
	char kind[16];          /* IFLA_INFO_KIND: "bridge", "veth"; "" for none */
};

static void read_kind(const struct nlattr *linkinfo, struct link_query *q)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, linkinfo)
		if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
		    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
			snprintf(q->kind, sizeof(q->kind), "%s", mnl_attr_get_str(attr));
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_query *q = data;
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *attr;

	q->index = ifi->ifi_index;
	mnl_attr_for_each(attr, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(attr) == IFLA_MTU)
			q->mtu = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
			read_kind(attr, q);
	}
	return MNL_CB_OK;
}

static int query_link(struct iso_nl *nl, const char *name, int index, struct link_query *q)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* the ack after the answer ends the exchange */
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (name != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return transact(nl, nlh, link_cb, q);
}

int iso_nl_link_find(struct iso_nl *nl, const char *name, unsigned *mtu, struct iso_error *err)
{
	struct link_query q = { 0 };

	if (query_link(nl, name, 0, &q) < 0) {
		if (errno == ENODEV)
			return 0;
		return iso_error_set(err, errno, "look up link %s", name);
	}
	if (mtu != NULL)
		*mtu = q.mtu;
	return q.index;
}

int iso_nl_bridge_find(struct iso_nl *nl, const char *name, struct iso_error *err)
{
	struct link_query q = { 0 };

	if (query_link(nl, name, 0, &q) < 0) {
		if (errno == ENODEV)
			return 0;
		return iso_error_set(err, errno, "look up link %s", name);
	}
	if (strcmp(q.kind, "bridge") != 0)
		return iso_error_set(err, 0, "link %s exists and is not a bridge (%s); isolate will not use it",
				     name, q.kind[0] ? q.kind : "no kind");
	return q.index;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int index, unsigned flags)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = flags;
	ifi->ifi_change = flags;
	return ifi;
}

int iso_nl_bridge_create(struct iso_nl *nl, const char *name, unsigned mtu, struct iso_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;

	put_ifinfo(nlh, 0, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	if (ack(nl, nlh) < 0)
		return iso_error_set(err, errno, "create bridge %s", name);
	return 0;
}

int iso_nl_link_up(struct iso_nl *nl, int ifindex, const char *name, struct iso_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_NEWLINK, 0);

	put_ifinfo(nlh, ifindex, IFF_UP);
	if (ack(nl, nlh) < 0)
		return iso_error_set(err, errno, "bring %s up", name);
	return 0;
}

int iso_nl_link_delete(struct iso_nl *nl, const char *name, struct iso_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_DELLINK, 0);

	put_ifinfo(nlh, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (ack(nl, nlh) < 0 && errno != ENODEV)
		return iso_error_set(err, errno, "delete link %s", name);
	return 0;
}

int iso_nl_veth_create(struct iso_nl *nl, const struct iso_veth *veth, struct iso_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data, *peer;

	put_ifinfo(nlh, 0, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth->host_name);
	mnl_attr_put_u32(nlh, IFLA_MTU, veth->mtu);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)veth->master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's own ifinfomsg, then its attributes; it cannot be up
	 * before its pair exists (ENOTCONN) */
	put_ifinfo(nlh, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth->peer_name);
	mnl_attr_put_u32(nlh, IFLA_MTU, veth->mtu);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)veth->peer_netns);
	if (veth->peer_mac != NULL)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, veth->peer_mac);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if (ack(nl, nlh) < 0)
		return iso_error_set(err, errno, "create veth pair %s", veth->host_name);
	return 0;
}

int iso_nl_addr_add(struct iso_nl *nl, int ifindex, const char *name, uint32_t addr,
		    unsigned prefix, struct iso_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	uint32_t be = htonl(addr), bcast = htonl(addr | ~iso_subnet_mask(prefix));
	char text[ISO_IPV4_STRLEN];

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, be);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, be);
	if (prefix < 31)
		mnl_attr_put_u32(nlh, IFA_BROADCAST, bcast);
	if (ack(nl, nlh) < 0) {
		iso_ipv4_format(addr, text);
		return iso_error_set(err, errno, "add address %s/%u to %s", text, prefix, name);
	}
	return 0;
}

int iso_nl_route_add_default(struct iso_nl *nl, int ifindex, uint32_t gateway,
			     struct iso_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	char text[ISO_IPV4_STRLEN];

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gateway));
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (ack(nl, nlh) < 0) {
		iso_ipv4_format(gateway, text);
		return iso_error_set(err, errno, "add a default route via %s", text);
	}
	return 0;
}

struct route_dump {
	struct iso_subnet *nets;
	size_t n;
	int default_oif;        /* of the main table's default route, or 0 */
};

static void dump_add(struct route_dump *d, uint32_t addr, unsigned prefix)
{
	d->nets = xrealloc(d->nets, (d->n + 1) * sizeof(*d->nets));
	d->nets[d->n].addr = addr & iso_subnet_mask(prefix);
	d->nets[d->n].prefix = prefix;
	d->n++;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *attr;
	uint32_t dst = 0, table = rtm->rtm_table;
	int oif = 0;

	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		if (mnl_attr_get_type(attr) == RTA_DST)
			dst = ntohl(mnl_attr_get_u32(attr));
		else if (mnl_attr_get_type(attr) == RTA_OIF)
			oif = (int)mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == RTA_TABLE)
			table = mnl_attr_get_u32(attr);
	}
	if (table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	if (rtm->rtm_dst_len == 0) {
		if (d->default_oif == 0)
			d->default_oif = oif;
	} else {
		dump_add(d, dst, rtm->rtm_dst_len);
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(attr) == IFA_LOCAL)
			dump_add(data, ntohl(mnl_attr_get_u32(attr)), ifa->ifa_prefixlen);
	return MNL_CB_OK;
}

static int dump(struct iso_nl *nl, uint16_t type, mnl_cb_t cb, struct route_dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(nl, buf, type, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	/* rtmsg and ifaddrmsg both start with the family */
	rtm->rtm_family = AF_INET;
	return transact(nl, nlh, cb, d);
}

int iso_nl_default_route_mtu(struct iso_nl *nl, unsigned *mtu, struct iso_error *err)
{
	struct route_dump d = { 0 };
	struct link_query q = { 0 };

	*mtu = 0;
	if (dump(nl, RTM_GETROUTE, route_cb, &d) < 0) {
		free(d.nets);
		return iso_error_set(err, errno, "list the host's routes");
	}
	free(d.nets);
	if (d.default_oif == 0)
		return 0;
	if (query_link(nl, NULL, d.default_oif, &q) < 0)
		return iso_error_set(err, errno, "look up the default route's link");
	*mtu = q.mtu;
	return 0;
}

int iso_nl_host_subnets(struct iso_nl *nl, struct iso_subnet **out, size_t *n,
			struct iso_error *err)
{
	struct route_dump d = { 0 };

	if (dump(nl, RTM_GETROUTE, route_cb, &d) < 0 || dump(nl, RTM_GETADDR, addr_cb, &d) < 0) {
		free(d.nets);
		return iso_error_set(err, errno, "list the host's routes and addresses");
	}
	*out = d.nets;
	*n = d.n;
	return 0;
}
