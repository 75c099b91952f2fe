/* The cgroup filesystem inside a container: mounted by the container's
 * first process in its own cgroup namespace, so that each hierarchy shows
 * the container's cgroup as its root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "mntopt.h"
#include "mount.h"
#include "pathres.h"
#include "util.h"

static int new_hierarchy(const struct iso_cgroup_hier *h, uint64_t attrs, const char *dest,
			 struct iso_error *err)
{
	cleanup_strv char **data = xcalloc(1, sizeof(char *));
	struct iso_mntopts opts = { .attr_set = attrs };
	cleanup_free char *copy = h->controllers ? xstrdup(h->controllers) : NULL;
	char *save = NULL;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t != NULL; t = strtok_r(NULL, ",", &save))
		strv_push(&data, t);
	opts.data = data;
	return iso_mount_new_fs(h->v2 ? "cgroup2" : "cgroup", "cgroup", &opts, dest, err);
}

/* One hierarchy, detached: in the container's own cgroup namespace a new
 * mount, which shows the container's cgroup as its root; without one, a
 * copy of the host's mount of it (that hierarchy alone, not what is
 * around it). */
static int hierarchy_mount(const struct iso_cgroup_hier *h, uint64_t attrs, bool own_ns,
			   const char *dest, struct iso_error *err)
{
	cleanup_close int mnt = -1;

	if (own_ns)
		return new_hierarchy(h, attrs, dest, err);
	mnt = iso_mount_clone(AT_FDCWD, h->mount, false, err);
	if (mnt < 0)
		return -1;
	if (iso_mount_set(mnt, false, attrs, 0, 0, -1) < 0)
		return iso_error_set(err, errno, "set the attributes of the copy of %s", h->mount);
	return steal_fd(&mnt);
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

/* v1, or the hybrid: a small tmpfs with one directory per hierarchy,
 * named as on the host, read-only once filled.  The hierarchies are
 * mounted first, so that a refusal leaves nothing attached. */
static int fill_v1(const struct iso_cgroup_layout *l, int *mnts, int target, uint64_t attrs,
		   bool own_ns, const char *dest, struct iso_error *err)
{
	struct iso_mntopts opts = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	char *data[] = { "mode=755", "size=64k", NULL };
	cleanup_close int tmpfs = -1;

	for (size_t i = 0; i < l->n; i++) {
		mnts[i] = hierarchy_mount(&l->h[i], attrs, own_ns, dest, err);
		if (mnts[i] < 0)
			return -1;
	}
	opts.data = data;
	tmpfs = iso_mount_new_fs("tmpfs", "cgroup", &opts, dest, err);
	if (tmpfs < 0)
		return -1;
	if (iso_mount_attach(tmpfs, target) < 0)
		return iso_error_set(err, errno, "mount tmpfs on %s", dest);
	for (size_t i = 0; i < l->n; i++) {
		cleanup_close int dir = -1;

		if (mkdirat(tmpfs, l->h[i].name, 0755) < 0 ||
		    (dir = openat(tmpfs, l->h[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return iso_error_set(err, errno, "make %s/%s", dest, l->h[i].name);
		if (iso_mount_attach(mnts[i], dir) < 0)
			return iso_error_set(err, errno, "mount cgroup on %s/%s", dest, l->h[i].name);
	}
	if ((attrs & MOUNT_ATTR_RDONLY) && iso_mount_set(tmpfs, false, MOUNT_ATTR_RDONLY, 0, 0, -1) < 0)
		return iso_error_set(err, errno, "make %s read-only", dest);
	return 0;
}

static int mount_v1(const struct iso_cgroup_layout *l, int target, uint64_t attrs, bool own_ns,
		    const char *dest, struct iso_error *err)
{
	int *mnts = xcalloc(l->n, sizeof(int));
	int ret;

	for (size_t i = 0; i < l->n; i++)
		mnts[i] = -1;
	ret = fill_v1(l, mnts, target, attrs, own_ns, dest, err);
	close_all(mnts, l->n);
	return ret;
}

int iso_cgroup_mount(int stage, const char *dest, bool writable, bool own_ns,
		     struct iso_error *err)
{
	const struct iso_cgroup_layout *l = iso_cgroup_layout_host(err);
	uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			 (writable ? 0 : MOUNT_ATTR_RDONLY);
	cleanup_close int target = -1;
	cleanup_close int mnt = -1;

	if (l == NULL)
		return -1;
	if (l->n == 0)
		return 0;       /* a host without cgroups: nothing to show */
	target = iso_mkpath_in_root(stage, dest, false, err);
	if (target < 0)
		return iso_error_prefix(err, "mount cgroup on %s", dest);
	if (!l->unified)
		return mount_v1(l, target, attrs, own_ns, dest, err);
	/* pure v2: the v2 hierarchy alone, whatever named v1 one is there */
	mnt = hierarchy_mount(iso_cgroup_layout_find(l, "memory"), attrs, own_ns, dest, err);
	if (mnt < 0)
		return -1;
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "mount cgroup2 on %s", dest);
	return 0;
}
