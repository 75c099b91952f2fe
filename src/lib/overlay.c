#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mount.h"
#include "util.h"

/* Clones the directory SRC as a mount, idmapped onto USERNS_FD, and
 * attaches it at AT (a fresh directory of the private scratch tmpfs). */
static int attach_layer(int src, const char *dir, int userns_fd, bool readonly, const char *at,
			struct iso_error *err)
{
	cleanup_close int mnt = -1;
	cleanup_close int target = -1;
	uint64_t ro = readonly ? MOUNT_ATTR_RDONLY : 0;

	mnt = iso_mount_clone(src, "", false, err);
	if (mnt < 0)
		return -1;
	if (userns_fd >= 0 && iso_mount_set(mnt, false, ro, 0, 0, userns_fd) < 0) {
		if (!iso_mount_idmap_unsupported(errno))
			return iso_error_set(err, errno, "idmap the mount of %s", dir);
		return iso_error_set(err, errno, "idmap the mount of %s (the image store's filesystem must support idmapped mounts, Linux 5.19 or later)",
				     dir);
	}
	if (userns_fd < 0 && iso_mount_set(mnt, false, ro, 0, 0, -1) < 0)
		return iso_error_set(err, errno, "set the mount attributes of %s", dir);
	if (mkdir(at, 0700) < 0)
		return iso_error_set(err, errno, "mkdir %s", at);
	target = open(at, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target < 0)
		return iso_error_set(err, errno, "open %s", at);
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "attach layer %s at %s", dir, at);
	return 0;
}

/* What overlayfs said about a refused configuration, from the context. */
static int overlay_error(int fsfd, int errnum, const char *what, struct iso_error *err)
{
	char log[256];
	ssize_t n;

	iso_error_set(err, errnum, "mount overlay for the container's root: %s", what);
	while ((n = read(fsfd, log, sizeof(log) - 1)) > 0) {
		log[n] = '\0';
		if (log[n - 1] == '\n')
			log[n - 1] = '\0';
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
			 " (%s)", log);
	}
	return -1;
}

/* Layers by "lowerdir+", one at a time, topmost first (Linux 6.8); older
 * kernels take one "lowerdir" string of at most 255 bytes, so there the
 * names are made short: relative to SCRATCH as the working directory. */
static int set_lowerdirs(int fsfd, const char *scratch, size_t n, struct iso_error *err)
{
	cleanup_free char *list = xstrdup("");

	for (size_t i = n; i-- > 0;) {
		cleanup_free char *dir = xasprintf("%s/%zu", scratch, i);

		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", dir, 0) == 0)
			continue;
		if (errno != EINVAL || i + 1 != n)
			return overlay_error(fsfd, errno, "lowerdir+", err);
		for (size_t j = n; j-- > 0;) {
			char *more = xasprintf("%s%s%zu", list, j + 1 == n ? "" : ":", j);

			free(list);
			list = more;
		}
		while (read(fsfd, dir, 1) > 0) /* the refusal's log line */
			;
		if (chdir(scratch) < 0)
			return iso_error_set(err, errno, "chdir %s", scratch);
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", list, 0) < 0)
			return overlay_error(fsfd, errno, "lowerdir", err);
		return 0;
	}
	return 0;
}

/* overlayfs does its work in its layers with the credentials of whoever
 * created it.  Through the idmapped upper layer host root (kuid 0) has no
 * owner to write as: its work dir could not be made (EOVERFLOW).  So the
 * overlay is created under the fs ids of the container's root (mapped, by
 * the upper layer's idmap, to root on disk), with the capabilities that
 * switching fs ids takes out of the effective set put back: overlayfs must
 * still chown on copy-up and read its trusted.* xattrs. */
static int create_as(int fsfd, uid_t uid, gid_t gid, struct iso_error *err)
{
	cap_t caps = cap_get_proc();
	int r;

	if (caps == NULL)
		return iso_error_set(err, errno, "read the runtime's capabilities");
	setfsgid(gid);
	setfsuid(uid);
	if (cap_set_proc(caps) < 0) {
		r = iso_error_set(err, errno, "restore the runtime's capabilities");
	} else if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid) {
		r = iso_error_set(err, EPERM, "set the fs ids to %u:%u", (unsigned)uid, (unsigned)gid);
	} else {
		r = fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
		if (r < 0)
			overlay_error(fsfd, errno, "create", err);
	}
	setfsuid(0);
	setfsgid(0);
	if (cap_set_proc(caps) < 0 && r == 0)
		r = iso_error_set(err, errno, "restore the runtime's capabilities");
	cap_free(caps);
	return r;
}

static int make_overlay(const char *scratch, size_t n, const struct iso_overlay_owner *owner,
			bool userxattr, struct iso_error *err)
{
	cleanup_close int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	cleanup_free char *upper = xasprintf("%s/u/upper", scratch);
	cleanup_free char *work = xasprintf("%s/u/work", scratch);
	int mnt;

	if (fsfd < 0)
		return iso_error_set(err, errno, "mount overlay for the container's root");
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		return overlay_error(fsfd, errno, "source", err);
	if (userxattr && fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return overlay_error(fsfd, errno, "userxattr", err);
	if (set_lowerdirs(fsfd, scratch, n, err) < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
		return overlay_error(fsfd, errno, upper, err);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
		return overlay_error(fsfd, errno, work, err);
	if (owner != NULL && create_as(fsfd, owner->uid, owner->gid, err) < 0)
		return -1;
	if (owner == NULL && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return overlay_error(fsfd, errno, "create", err);
	mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return overlay_error(fsfd, errno, "fsmount", err);
	return mnt;
}

int iso_overlay_mount(const int *layers, size_t n, int upper, int userns_fd,
		      const struct iso_overlay_owner *owner, const char *scratch, bool userxattr,
		      struct iso_error *err)
{
	cleanup_free char *u = xasprintf("%s/u", scratch);
	int ovl = -1;

	if (n == 0)
		return iso_error_set(err, 0, "an image with no layers has no root filesystem");
	/* the scratch tmpfs is private to this mount namespace, and its
	 * directories are named by index: no path from the image is used */
	if (mount("isolate-layers", scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=700") < 0)
		return iso_error_set(err, errno, "mount tmpfs on %s", scratch);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *at = xasprintf("%s/%zu", scratch, i);

		cleanup_free char *what = xasprintf("layer %zu of the image", i + 1);

		if (attach_layer(layers[i], what, userns_fd, true, at, err) < 0)
			goto out;
	}
	if (attach_layer(upper, "the container's layer", userns_fd, false, u, err) < 0)
		goto out;
	ovl = make_overlay(scratch, n, userns_fd >= 0 ? owner : NULL, userxattr, err);
	if (chdir("/") < 0 && ovl >= 0) {
		close(ovl);
		ovl = iso_error_set(err, errno, "chdir /");
	}
out:
	/* the overlay holds its own references to its layers */
	if (umount2(scratch, MNT_DETACH) < 0 && ovl >= 0) {
		close(ovl);
		ovl = iso_error_set(err, errno, "unmount %s", scratch);
	}
	return ovl;
}

int iso_overlay_make_upper(const char *upper, struct iso_error *err)
{
	const char *sub[] = { "upper", "work" };

	if (mkdir(upper, 0700) < 0)
		return iso_error_set(err, errno, "mkdir %s", upper);
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *p = xasprintf("%s/%s", upper, sub[i]);

		if (mkdir(p, 0755) < 0 || chmod(p, 0755) < 0)
			return iso_error_set(err, errno, "mkdir %s", p);
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* overlayfs leaves its work dirs mode 000; without root they can only be
 * emptied once opened up again.  nftw cannot read such a directory (it
 * reports it, and does not go in): one pass per level of them. */
static bool opened_some;

static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if ((flag == FTW_D || flag == FTW_DNR) && (st->st_mode & 0700) != 0700 &&
	    chmod(path, (st->st_mode & 07777) | 0700) == 0)
		opened_some = true;
	return 0;
}

int iso_overlay_remove_upper(const char *upper, struct iso_error *err)
{
	for (int pass = 0; geteuid() != 0 && pass < 8; pass++) {
		opened_some = false;
		nftw(upper, open_up, 16, FTW_PHYS | FTW_MOUNT);
		if (!opened_some)
			break;
	}
	if (nftw(upper, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return iso_error_set(err, errno, "remove the container's layer %s", upper);
	return 0;
}

static int probe_in(const char *base, struct iso_error *err)
{
	static const char *const dirs[] = { "l", "u", "w" };
	cleanup_close int fsfd = -1;
	cleanup_close int mnt = -1;
	cleanup_free char *l = xasprintf("%s/l", base), *u = xasprintf("%s/u", base);
	cleanup_free char *w = xasprintf("%s/w", base);

	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = xasprintf("%s/%s", base, dirs[i]);

		if (mkdir(p, 0700) < 0)
			return iso_error_set(err, errno, "mkdir %s", p);
	}
	fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return iso_error_set(err, errno, "overlayfs");
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", l, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", u, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", w, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return overlay_error(fsfd, errno, base, err);
	mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return overlay_error(fsfd, errno, base, err);
	return 0;
}

int iso_overlay_probe(const char *dir, struct iso_error *err)
{
	const char *hook = getenv("ISOLATE_TEST_NO_OVERLAY");
	cleanup_free char *base = xasprintf("%s/overlay-probe-XXXXXX", dir);
	struct iso_error ignored;
	int r;

	if (hook != NULL && strcmp(hook, "1") == 0)
		return iso_error_set(err, 0, "overlayfs is off (ISOLATE_TEST_NO_OVERLAY=1)");
	/* without root an overlay can only be mounted in a user namespace of
	 * one's own (Linux 5.11): the container's process tries it there */
	if (geteuid() != 0)
		return 0;
	if (mkdtemp(base) == NULL)
		return iso_error_set(err, errno, "mkdtemp in %s", dir);
	r = probe_in(base, err);
	iso_overlay_remove_upper(base, &ignored);
	return r;
}
