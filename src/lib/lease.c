#include "lease.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

static char *lease_dir(const char *network)
{
	if (network == NULL)
		return xasprintf("%s/leases", iso_run_dir());
	return xasprintf("%s/leases/%s", iso_run_dir(), network);
}

static char *lease_path(const char *network, uint32_t addr)
{
	char text[ISO_IPV4_STRLEN];

	iso_ipv4_format(addr, text);
	return xasprintf("%s/leases/%s/%s", iso_run_dir(), network, text);
}

/* The id of the container that holds lease ENTRY of DIR. */
static bool lease_holder(int dir, const char *entry, char id[ISO_ID_LEN + 1])
{
	ssize_t n = readlinkat(dir, entry, id, ISO_ID_LEN);

	if (n <= 0)
		return false;
	id[n] = '\0';
	return true;
}

/* A lease whose container has no state left was held by an isolate that
 * died before it could write its record: nobody will release it. */
static bool lease_stale(int dir, const char *entry)
{
	char id[ISO_ID_LEN + 1];
	cleanup_free char *state = NULL;

	if (!lease_holder(dir, entry, id))
		return false;
	state = iso_state_path(id, NULL);
	return access(state, F_OK) < 0 && errno == ENOENT;
}

/* An ended container whose release has not dropped its lease yet. */
static bool holder_releasing(int dir, const char *entry)
{
	char id[ISO_ID_LEN + 1];
	cleanup_free char *marker = NULL;

	if (!lease_holder(dir, entry, id))
		return false;
	marker = iso_state_path(id, "releasing");
	return access(marker, F_OK) == 0;
}

/* Marks ERR as worth a retry once the releases going on are done. */
static int busy(struct iso_error *err)
{
	err->errnum = EAGAIN;
	return -1;
}

static bool any_releasing(const struct iso_network *net)
{
	cleanup_free char *path = lease_dir(net->name);
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		found = e->d_name[0] != '.' && holder_releasing(dirfd(d), e->d_name);
	closedir(d);
	return found;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The addresses leased on NET, sorted. */
static uint32_t *leased_addresses(const struct iso_network *net, size_t *n)
{
	cleanup_free char *path = lease_dir(net->name);
	DIR *d = opendir(path);
	uint32_t *addrs = NULL;
	struct dirent *e;
	struct iso_error ignored;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		uint32_t a;

		if (e->d_name[0] == '.' || iso_ipv4_parse(e->d_name, &a, &ignored) < 0)
			continue;
		if (lease_stale(dirfd(d), e->d_name)) {
			unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		addrs = xrealloc(addrs, (*n + 1) * sizeof(*addrs));
		addrs[(*n)++] = a;
	}
	closedir(d);
	if (*n > 1)
		qsort(addrs, *n, sizeof(*addrs), compare_u32);
	return addrs;
}

static int lowest_free(const struct iso_network *net, uint32_t *out, struct iso_error *err)
{
	size_t n, i = 0;
	cleanup_free uint32_t *used = leased_addresses(net, &n);
	uint32_t last = iso_subnet_broadcast(&net->subnet);
	char text[ISO_CIDR_STRLEN];

	for (uint32_t a = net->subnet.addr + 1; a < last; a++) {
		while (i < n && used[i] < a)
			i++;
		if (a != net->gateway && (i == n || used[i] != a)) {
			*out = a;
			return 0;
		}
	}
	iso_subnet_format(&net->subnet, text);
	iso_error_set(err, 0, "network %s has no free address left in %s", net->name, text);
	return any_releasing(net) ? busy(err) : -1;
}

static int claim(const struct iso_network *net, const char *id, uint32_t addr,
		 struct iso_error *err)
{
	cleanup_free char *dir = lease_dir(net->name);
	cleanup_free char *path = lease_path(net->name, addr);
	char held[ISO_ID_LEN + 1], text[ISO_IPV4_STRLEN];
	ssize_t n;

	if (iso_mkdir_p(dir, err) < 0)
		return -1;
	if (symlink(id, path) == 0)
		return 0;
	iso_ipv4_format(addr, text);
	if (errno != EEXIST)
		return iso_error_set(err, errno, "lease %s", path);
	n = readlink(path, held, sizeof(held) - 1);
	held[n > 0 ? n : 0] = '\0';
	iso_error_set(err, 0, "address %s is already in use by container %s on network %s",
		      text, held, net->name);
	return holder_releasing(AT_FDCWD, path) ? busy(err) : -1;
}

int iso_lease_take(const struct iso_network *net, const char *id, uint32_t addr,
		   uint32_t *leased, struct iso_error *err)
{
	char text[ISO_IPV4_STRLEN], subnet[ISO_CIDR_STRLEN];

	if (addr != 0) {
		iso_ipv4_format(addr, text);
		iso_subnet_format(&net->subnet, subnet);
		if (!iso_subnet_host_usable(&net->subnet, addr))
			return iso_error_set(err, 0, "address %s is not a host address of network %s (%s)",
					     text, net->name, subnet);
		if (addr == net->gateway)
			return iso_error_set(err, 0, "address %s is the gateway of network %s",
					     text, net->name);
		/* clears a stale lease on the way */
		free(leased_addresses(net, &(size_t){ 0 }));
	} else if (lowest_free(net, &addr, err) < 0) {
		return -1;
	}
	if (claim(net, id, addr, err) < 0)
		return -1;
	*leased = addr;
	return 0;
}

void iso_lease_drop(const char *network, uint32_t addr, const char *id)
{
	cleanup_free char *path = lease_path(network, addr);
	cleanup_free char *dir = lease_dir(network);
	char held[ISO_ID_LEN + 1];
	ssize_t n = readlink(path, held, sizeof(held) - 1);

	/* a sweep may have given it to another container already */
	if (n != ISO_ID_LEN || memcmp(held, id, ISO_ID_LEN) != 0)
		return;
	unlink(path);
	/* an empty network leaves no directory behind */
	rmdir(dir);
}

static unsigned count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

unsigned iso_lease_count(const char *name)
{
	cleanup_free char *path = lease_dir(name);
	DIR *d;
	struct dirent *e;
	unsigned n = 0;

	if (name != NULL)
		return count_entries(path);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			cleanup_free char *sub = lease_dir(e->d_name);

			n += count_entries(sub);
		}
	}
	closedir(d);
	return n;
}
