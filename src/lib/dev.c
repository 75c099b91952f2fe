#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount.h"
#include "pathres.h"
#include "spec.h"
#include "util.h"

/* The devices every OCI container gets (runtime-spec config-linux.md). */
static const char *const default_devices[] = {
	"null", "zero", "full", "random", "urandom", "tty", NULL,
};

static const struct {
	const char *name;
	const char *target;
} dev_links[] = {
	{ "ptmx", "pts/ptmx" },
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "core", "/proc/kcore" },
};

static int create_file(int devfd, const char *name, struct iso_error *err)
{
	int fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);

	if (fd < 0)
		return iso_error_set(err, errno, "create /dev/%s", name);
	close(fd);
	return 0;
}

int iso_dev_populate(int devfd, bool console, struct iso_error *err)
{
	for (size_t i = 0; default_devices[i] != NULL; i++)
		if (create_file(devfd, default_devices[i], err) < 0)
			return -1;
	if (console && create_file(devfd, "console", err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return iso_error_set(err, errno, "symlink /dev/%s", dev_links[i].name);
	return 0;
}

static int bind_device(int rootfd, const char *name, struct iso_error *err)
{
	char host[64], dest[64];
	cleanup_close int mnt = -1;
	cleanup_close int target = -1;

	snprintf(host, sizeof(host), "/dev/%s", name);
	snprintf(dest, sizeof(dest), "/dev/%s", name);
	mnt = iso_mount_clone(AT_FDCWD, host, false, err);
	if (mnt < 0)
		return -1;
	target = iso_open_in_root(rootfd, dest, O_PATH | O_NOFOLLOW);
	if (target < 0)
		return iso_error_set(err, errno, "open %s", dest);
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "bind %s on %s", host, dest);
	return 0;
}

int iso_dev_bind_devices(int rootfd, struct iso_error *err)
{
	for (size_t i = 0; default_devices[i] != NULL; i++)
		if (bind_device(rootfd, default_devices[i], err) < 0)
			return -1;
	return 0;
}

/* The directory of PATH inside the tree, made if missing; *BASE its last
 * component. */
static int open_parent(int rootfd, const char *path, const char **base, struct iso_error *err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	*base = strrchr(path, '/') + 1;
	if (slash == dir)
		return iso_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	*slash = '\0';
	return iso_mkpath_in_root(rootfd, dir, false, err);
}

static mode_t node_type(char type)
{
	return type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
}

/* In a user namespace (as runc does) the host's own node is bound there:
 * a node made by host root on a filesystem the container's root owns is
 * refused to it anyway. */
static int bind_host_node(int parent, const char *base, const struct iso_device *d, bool exists,
			  struct iso_error *err)
{
	cleanup_close int mnt = -1;
	cleanup_close int target = -1;
	struct stat st;

	if (stat(d->path, &st) < 0 || (st.st_mode & S_IFMT) != node_type(d->type) ||
	    major(st.st_rdev) != d->major || minor(st.st_rdev) != d->minor)
		return iso_error_set(err, 0, "device %s (%c %lld:%lld): in a user namespace only a node "
				     "the host has at the same path can be given", d->path, d->type,
				     (long long)d->major, (long long)d->minor);
	if (!exists) {
		target = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (target < 0)
			return iso_error_set(err, errno, "create %s", d->path);
		close(target);
	}
	target = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	mnt = iso_mount_clone(AT_FDCWD, d->path, false, err);
	if (target < 0 || mnt < 0)
		return target < 0 ? iso_error_set(err, errno, "open %s", d->path) : -1;
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "bind %s on %s", d->path, d->path);
	return 0;
}

static int make_node(int parent, const char *base, const struct iso_device *d, struct iso_error *err)
{
	mode_t mode = node_type(d->type) | (d->has_mode ? (d->mode & 07777) : 0666);

	if (mknodat(parent, base, mode, d->type == 'p' ? 0 : makedev(d->major, d->minor)) < 0)
		return iso_error_set(err, errno, "mknod %s", d->path);
	if (fchmodat(parent, base, mode & 07777, 0) < 0)
		return iso_error_set(err, errno, "chmod %s", d->path);
	if ((d->has_uid || d->has_gid) &&
	    fchownat(parent, base, d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1,
		     AT_SYMLINK_NOFOLLOW) < 0)
		return iso_error_set(err, errno, "chown %s", d->path);
	return 0;
}

/* In a user namespace the files the host's nodes are bound on are made
 * in /dev before it is idmapped (host root cannot create a file through
 * the idmapped mount: it has no id there). */
int iso_dev_placeholders(int devfd, const struct iso_spec *spec, struct iso_error *err)
{
	if (!iso_spec_has_userns(spec))
		return 0;
	for (size_t i = 0; i < spec->n_devices; i++) {
		const char *path = spec->devices[i].path;
		cleanup_free char *rel = NULL;
		cleanup_close int fd = -1;

		if (strncmp(path, "/dev/", 5) != 0)
			continue;
		rel = xstrdup(path + 5);
		for (char *slash = strchr(rel, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			if (mkdirat(devfd, rel, 0755) < 0 && errno != EEXIST)
				return iso_error_set(err, errno, "mkdir /dev/%s", rel);
			*slash = '/';
		}
		fd = openat(devfd, rel, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return iso_error_set(err, errno, "create %s", path);
	}
	return 0;
}

int iso_dev_make_devices(int rootfd, const struct iso_spec *spec, struct iso_error *err)
{
	bool userns = iso_spec_has_userns(spec);

	for (size_t i = 0; i < spec->n_devices; i++) {
		const struct iso_device *d = &spec->devices[i];
		const char *base;
		cleanup_close int parent = open_parent(rootfd, d->path, &base, err);
		struct stat st;
		bool exists;

		if (parent < 0)
			return err->msg[0] ? -1 : iso_error_set(err, errno, "open the directory of %s", d->path);
		exists = fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
		/* a node of the default /dev or of the rootfs is left as it is;
		 * an empty file is a placeholder made for the host's node */
		if (exists && !(userns && S_ISREG(st.st_mode) && st.st_size == 0))
			continue;
		if ((userns ? bind_host_node(parent, base, d, exists, err)
			    : make_node(parent, base, d, err)) < 0)
			return -1;
	}
	return 0;
}
