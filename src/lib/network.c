#include "network.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"
#include "state.h"
#include "util.h"

/* The pool new networks are taken from: 10.66.0.0/16 up to 10.99.0.0/16. */
#define POOL_FIRST 66
#define POOL_LAST 99

void iso_network_clear(struct iso_network *net)
{
	free(net->name);
	memset(net, 0, sizeof(*net));
}

static char *network_path(const char *name)
{
	return xasprintf("%s/networks/%s.json", iso_data_dir(), name);
}

static bool name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 64 || !isalnum((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

static bool bridge_valid(const char *bridge)
{
	size_t digits;

	if (strncmp(bridge, "isolate", 7) != 0)
		return false;
	digits = strspn(bridge + 7, "0123456789");
	return digits > 0 && digits <= 8 && bridge[7 + digits] == '\0';
}

/* EXPECT: the name the file's own name says, or NULL. */
static int parse_file(const char *path, const char *expect, struct iso_network *net,
		      struct iso_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	const char *name = NULL, *subnet = NULL, *gateway = NULL, *bridge = NULL;
	int r = -1;

	if (root == NULL)
		return iso_error_set(err, 0, "network definition %s:%d:%d: %s", path, jerr.line,
				     jerr.column, jerr.text);
	if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s:s, s:s}", "name", &name, "subnet",
			   &subnet, "gateway", &gateway, "bridge", &bridge) < 0) {
		iso_error_set(err, 0, "%s", jerr.text);
	} else if (iso_subnet_parse(subnet, &net->subnet, err) == 0 &&
		   iso_ipv4_parse(gateway, &net->gateway, err) == 0) {
		/* the name makes paths, the bridge goes into /proc/sys paths
		 * and nftables text: neither is taken on trust */
		if (strlen(bridge) >= sizeof(net->bridge))
			iso_error_set(err, 0, "bridge name %s is too long", bridge);
		else if (!bridge_valid(bridge))
			iso_error_set(err, 0, "bridge name %s: expected isolate and a number", bridge);
		else if (!name_valid(name) || (expect != NULL && strcmp(name, expect) != 0))
			iso_error_set(err, 0, "name %s does not match the file", name);
		else {
			net->name = xstrdup(name);
			snprintf(net->bridge, sizeof(net->bridge), "%s", bridge);
			r = 0;
		}
	}
	if (r < 0)
		iso_error_prefix(err, "network definition %s", path);
	json_decref(root);
	return r;
}

int iso_network_load(const char *name, struct iso_network *net, struct iso_error *err)
{
	cleanup_free char *path = NULL;

	/* a name is a file name: "../x" must never reach another file */
	if (!name_valid(name))
		return iso_error_set(err, 0, "network %s not found", name);
	path = network_path(name);
	if (access(path, F_OK) < 0)
		return iso_error_set(err, 0, "network %s not found", name);
	return parse_file(path, name, net, err);
}

static int save(const struct iso_network *net, struct iso_error *err)
{
	cleanup_free char *dir = xasprintf("%s/networks", iso_data_dir());
	cleanup_free char *path = network_path(net->name);
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	char subnet[ISO_CIDR_STRLEN], gateway[ISO_IPV4_STRLEN];
	json_t *root;
	int r;

	if (iso_mkdir_p(dir, err) < 0)
		return -1;
	iso_subnet_format(&net->subnet, subnet);
	iso_ipv4_format(net->gateway, gateway);
	root = json_pack("{s:s, s:s, s:s, s:s}", "name", net->name, "subnet", subnet,
			 "gateway", gateway, "bridge", net->bridge);
	r = json_dump_file(root, tmp, JSON_INDENT(2));
	json_decref(root);
	if (r < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return iso_error_set(err, errno, "write %s", path);
	}
	return 0;
}

int iso_network_list(struct iso_network **nets, size_t *n, struct iso_error *err)
{
	cleanup_free char *dir = xasprintf("%s/networks", iso_data_dir());
	struct dirent **names = NULL;
	int count = scandir(dir, &names, NULL, alphasort);

	*nets = NULL;
	*n = 0;
	if (count < 0)
		return errno == ENOENT ? 0 : iso_error_set(err, errno, "list %s", dir);
	for (int i = 0; i < count; i++) {
		const char *f = names[i]->d_name;
		size_t len = strlen(f);

		if (len > 5 && strcmp(f + len - 5, ".json") == 0) {
			cleanup_free char *path = xasprintf("%s/%s", dir, f);
			cleanup_free char *name = xstrndup(f, len - 5);
			struct iso_network net = { 0 };

			if (parse_file(path, name, &net, err) == 0) {
				*nets = xrealloc(*nets, (*n + 1) * sizeof(**nets));
				(*nets)[(*n)++] = net;
			}
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

void iso_network_list_free(struct iso_network *nets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		iso_network_clear(&nets[i]);
	free(nets);
}

/* What a new subnet must not overlap, with a word for the error. */
static const char *find_overlap(const struct iso_subnet *net, const struct iso_network *nets,
				size_t n, const struct iso_subnet *host, size_t n_host,
				char what[128])
{
	char text[ISO_CIDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		if (iso_subnet_overlap(net, &nets[i].subnet)) {
			iso_subnet_format(&nets[i].subnet, text);
			snprintf(what, 128, "network %s (%s)", nets[i].name, text);
			return what;
		}
	}
	for (size_t i = 0; i < n_host; i++) {
		/* a host route on the loopback range is not in the way */
		if (host[i].addr >> 24 == 127)
			continue;
		if (iso_subnet_overlap(net, &host[i])) {
			iso_subnet_format(&host[i], text);
			snprintf(what, 128, "the host's %s", text);
			return what;
		}
	}
	return NULL;
}

/* isolate0 for the default network, then the lowest free isolateN. */
static void pick_bridge(const char *name, const struct iso_network *nets, size_t n,
			char bridge[16])
{
	if (strcmp(name, ISO_NETWORK_DEFAULT) == 0) {
		snprintf(bridge, 16, "isolate0");
		return;
	}
	for (unsigned k = 1; ; k++) {
		bool used = false;

		snprintf(bridge, 16, "isolate%u", k);
		for (size_t i = 0; i < n && !used; i++)
			used = strcmp(nets[i].bridge, bridge) == 0;
		if (!used)
			return;
	}
}

static int pick_subnet(const struct iso_network *nets, size_t n, const struct iso_subnet *host,
		       size_t n_host, struct iso_subnet *out, struct iso_error *err)
{
	char what[128];

	for (unsigned b = POOL_FIRST; b <= POOL_LAST; b++) {
		out->addr = (10u << 24) | (b << 16);
		out->prefix = 16;
		if (find_overlap(out, nets, n, host, n_host, what) == NULL)
			return 0;
	}
	return iso_error_set(err, 0, "no free subnet left in 10.%d.0.0/16 to 10.%d.0.0/16; pass --subnet",
			     POOL_FIRST, POOL_LAST);
}

static int host_subnets(struct iso_subnet **host, size_t *n_host, struct iso_error *err)
{
	struct iso_nl nl = { 0 };
	int r;

	if (iso_nl_open(&nl, err) < 0)
		return -1;
	r = iso_nl_host_subnets(&nl, host, n_host, err);
	iso_nl_close(&nl);
	return r;
}

static int choose_addresses(struct iso_network *net, const char *subnet, const char *gateway,
			    const struct iso_network *nets, size_t n, struct iso_error *err)
{
	cleanup_free struct iso_subnet *host = NULL;
	size_t n_host = 0;
	char what[128];

	if (host_subnets(&host, &n_host, err) < 0)
		return -1;
	if (subnet == NULL) {
		if (pick_subnet(nets, n, host, n_host, &net->subnet, err) < 0)
			return -1;
	} else {
		if (iso_subnet_parse(subnet, &net->subnet, err) < 0)
			return -1;
		if (net->subnet.prefix > 30)
			return iso_error_set(err, 0, "subnet %s is too small: a network needs at least a /30",
					     subnet);
		if (find_overlap(&net->subnet, nets, n, host, n_host, what) != NULL)
			return iso_error_set(err, 0, "subnet %s overlaps %s", subnet, what);
	}
	if (gateway == NULL) {
		net->gateway = net->subnet.addr + 1;
		return 0;
	}
	if (iso_ipv4_parse(gateway, &net->gateway, err) < 0)
		return -1;
	if (!iso_subnet_host_usable(&net->subnet, net->gateway))
		return iso_error_set(err, 0, "gateway %s is not a host address of subnet %s",
				     gateway, subnet ? subnet : "(chosen)");
	return 0;
}

int iso_network_create(const char *name, const char *subnet, const char *gateway,
		       struct iso_network *net, struct iso_error *err)
{
	struct iso_network *nets = NULL;
	size_t n = 0;
	int r = -1;

	if (!name_valid(name) || strcmp(name, "none") == 0 || strcmp(name, "host") == 0)
		return iso_error_set(err, 0, "invalid network name %s: letters, digits, '_', '.' and '-', starting with a letter or digit; not none or host",
				     name);
	if (gateway != NULL && subnet == NULL)
		return iso_error_set(err, 0, "--gateway needs --subnet");
	if (iso_network_list(&nets, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(nets[i].name, name) == 0) {
			iso_error_set(err, 0, "network %s already exists", name);
			goto out;
		}
	memset(net, 0, sizeof(*net));
	if (choose_addresses(net, subnet, gateway, nets, n, err) < 0)
		goto out;
	net->name = xstrdup(name);
	pick_bridge(name, nets, n, net->bridge);
	r = save(net, err);
	if (r < 0)
		iso_network_clear(net);
out:
	iso_network_list_free(nets, n);
	return r;
}

int iso_network_get(const char *name, struct iso_network *net, struct iso_error *err)
{
	cleanup_free char *path = network_path(name);

	if (strcmp(name, ISO_NETWORK_DEFAULT) == 0 && access(path, F_OK) < 0 && errno == ENOENT)
		return iso_network_create(name, NULL, NULL, net, err);
	return iso_network_load(name, net, err);
}

int iso_network_forget(const char *name, struct iso_error *err)
{
	cleanup_free char *path = NULL;

	if (!name_valid(name))
		return iso_error_set(err, 0, "network %s not found", name);
	path = network_path(name);
	if (unlink(path) < 0)
		return iso_error_set(err, errno == ENOENT ? 0 : errno, "network %s%s", name,
				     errno == ENOENT ? " not found" : "");
	return 0;
}
