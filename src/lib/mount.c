#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util.h"

/* The kernel explains a refused parameter in the fs context's log; append
 * its last line to the error so "Invalid argument" says which option. */
static void append_fs_log(int fsfd, struct iso_error *err)
{
	char line[256];
	ssize_t n;
	size_t len;

	while ((n = read(fsfd, line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		len = strlen(err->msg);
		if (n > 2 && len + (size_t)n + 4 < sizeof(err->msg))
			snprintf(err->msg + len, sizeof(err->msg) - len, " (%s)", line + 2);
	}
}

static int fs_set_param(int fsfd, const char *param)
{
	const char *eq = strchr(param, '=');
	cleanup_free char *key = NULL;

	if (eq == NULL)
		return fsconfig(fsfd, FSCONFIG_SET_FLAG, param, NULL, 0);
	key = xstrndup(param, (size_t)(eq - param));
	return fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
}

int iso_mount_new_fs(const char *type, const char *source, const struct iso_mntopts *opts,
		     const char *dest, struct iso_error *err)
{
	cleanup_close int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	int mntfd;

	if (fsfd < 0)
		return iso_error_set(err, errno, "mount %s on %s", type, dest);
	if (source != NULL && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		goto fail;
	for (size_t i = 0; opts->data != NULL && opts->data[i] != NULL; i++) {
		if (fs_set_param(fsfd, opts->data[i]) < 0) {
			iso_error_set(err, errno, "mount %s on %s: option %s", type, dest, opts->data[i]);
			append_fs_log(fsfd, err);
			return -1;
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto fail;
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)opts->attr_set);
	if (mntfd < 0)
		goto fail;
	return mntfd;
fail:
	iso_error_set(err, errno, "mount %s on %s", type, dest);
	append_fs_log(fsfd, err);
	return -1;
}

int iso_mount_clone(int dirfd, const char *path, bool recursive, struct iso_error *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	int fd;

	if (path[0] == '\0')
		flags |= AT_EMPTY_PATH;
	if (recursive)
		flags |= AT_RECURSIVE;
	fd = open_tree(dirfd, path, flags);
	if (fd < 0)
		return iso_error_set(err, errno, "clone the mount at %s", path[0] ? path : "(fd)");
	return fd;
}

int iso_mount_set(int mntfd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
		  uint64_t propagation, int userns_fd)
{
	struct mount_attr attr = {
		.attr_set = attr_set,
		.attr_clr = attr_clr,
		.propagation = propagation,
	};

	if (userns_fd >= 0) {
		attr.attr_set |= MOUNT_ATTR_IDMAP;
		attr.userns_fd = (uint64_t)userns_fd;
	}
	if (attr.attr_set == 0 && attr.attr_clr == 0 && attr.propagation == 0)
		return 0;
	return mount_setattr(mntfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
			     &attr, sizeof(attr));
}

int iso_mount_attach(int mntfd, int targetfd)
{
	return move_mount(mntfd, "", targetfd, "",
			  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

bool iso_mount_idmap_unsupported(int errnum)
{
	/* EPERM: the source is itself an idmapped mount, which cannot be
	 * idmapped again before Linux 6.x */
	return errnum == EINVAL || errnum == ENOSYS || errnum == EOPNOTSUPP || errnum == EPERM;
}
