#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mount.h"
#include "rmtree.h"
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
		return iso_error_set(err, errno, "idmap the mount of %s (the image store's filesystem cannot be idmapped: ext4, xfs and btrfs can, tmpfs from Linux 6.3; move the store, or run with --userns host)",
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

/* The layers, topmost first.  Every kernel since 5.19 takes one
 * "lowerdir" list, but at most 255 bytes of it through fsconfig: with the
 * names made short (relative to SCRATCH, the working directory until the
 * overlay is created, since kernels before 6.5 only look them up then),
 * that is 88 layers.  More need "lowerdir+", one at a time (Linux 6.8);
 * docker allows 125. */
#define LOWERDIR_MAX_LIST 255

static int set_lowerdirs(int fsfd, const char *scratch, size_t n, struct iso_error *err)
{
	cleanup_free char *list = xstrdup("");

	for (size_t j = n; j-- > 0;) {
		char *more = xasprintf("%s%s%zu", list, j + 1 == n ? "" : ":", j);

		free(list);
		list = more;
	}
	if (strlen(list) <= LOWERDIR_MAX_LIST) {
		if (chdir(scratch) < 0)
			return iso_error_set(err, errno, "chdir %s", scratch);
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", list, 0) < 0)
			return overlay_error(fsfd, errno, "lowerdir", err);
		return 0;
	}
	for (size_t i = n; i-- > 0;) {
		cleanup_free char *dir = xasprintf("%s/%zu", scratch, i);

		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", dir, 0) < 0)
			return overlay_error(fsfd, errno, "an image of more than 88 layers needs Linux 6.8 (lowerdir+)", err);
	}
	return 0;
}

int iso_as_owner(const struct iso_overlay_owner *o, int (*fn)(void *ctx, struct iso_error *err),
		 void *ctx, struct iso_error *err)
{
	cap_t caps = cap_get_proc();
	int r;

	if (caps == NULL)
		return iso_error_set(err, errno, "read the runtime's capabilities");
	setfsgid(o->gid);
	setfsuid(o->uid);
	if (cap_set_proc(caps) < 0)
		r = iso_error_set(err, errno, "restore the runtime's capabilities");
	else if ((uid_t)setfsuid((uid_t)-1) != o->uid || (gid_t)setfsgid((gid_t)-1) != o->gid)
		r = iso_error_set(err, EPERM, "set the fs ids to %u:%u", (unsigned)o->uid,
				  (unsigned)o->gid);
	else
		r = fn(ctx, err);
	setfsuid(0);
	setfsgid(0);
	if (cap_set_proc(caps) < 0 && r == 0)
		r = iso_error_set(err, errno, "restore the runtime's capabilities");
	cap_free(caps);
	return r;
}

/* overlayfs does its work in its layers with the credentials of whoever
 * created it.  Through the idmapped upper layer host root (kuid 0) has no
 * owner to write as: its work dir could not be made (EOVERFLOW).  So the
 * overlay is created as the container's root (iso_as_owner): mapped, by
 * the upper layer's idmap, to root on disk, with the runtime's
 * capabilities, for copy-up must still chown and read trusted.* xattrs. */
static int create_overlay(void *ctx, struct iso_error *err)
{
	int fsfd = *(int *)ctx;

	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return overlay_error(fsfd, errno, "create", err);
	return 0;
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
	/* the upper layer goes with the container: nothing to sync, at the
	 * container's end least of all (Linux 5.10; idmapped layers need 5.19) */
	if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0)
		return overlay_error(fsfd, errno, "volatile", err);
	if (set_lowerdirs(fsfd, scratch, n, err) < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
		return overlay_error(fsfd, errno, upper, err);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
		return overlay_error(fsfd, errno, work, err);
	if (owner != NULL && iso_as_owner(owner, create_overlay, &fsfd, err) < 0)
		return -1;
	if (owner == NULL && create_overlay(&fsfd, err) < 0)
		return -1;
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
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int ovl = -1;

	if (cwd < 0)
		return iso_error_set(err, errno, "open the working directory");
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
out:
	if (fchdir(cwd) < 0 && ovl >= 0) {
		close(ovl);
		ovl = iso_error_set(err, errno, "go back to the working directory");
	}
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

int iso_overlay_remove_upper(const char *upper, struct iso_error *err)
{
	if (iso_rmtree(upper, NULL, err) < 0)
		return iso_error_prefix(err, "remove the container's layer");
	return 0;
}

static int probe_in(const char *base, bool userxattr, struct iso_error *err)
{
	static const char *const dirs[] = { "l", "u", "w" };
	cleanup_close int fsfd = -1;
	cleanup_close int mnt = -1;
	cleanup_free char *l = xasprintf("%s/l", base), *u = xasprintf("%s/u", base);
	cleanup_free char *w = xasprintf("%s/w", base);

	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = xasprintf("%s/%s", base, dirs[i]);

		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return iso_error_set(err, errno, "mkdir %s", p);
	}
	fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return iso_error_set(err, errno, "overlayfs");
	if ((userxattr && fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0) ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", l, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", u, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", w, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return overlay_error(fsfd, errno, base, err);
	mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return overlay_error(fsfd, errno, base, err);
	return 0;
}

static int write_text(const char *path, const char *text)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	return fd < 0 ? -1 : write_all(fd, text, strlen(text));
}

/* Without root an overlay can only be mounted in a user namespace of
 * one's own (Linux 5.11), as the container's process will: the trial
 * runs in a child that makes one (mapping only the caller), and sends
 * back its message. */
static int probe_unprivileged(const char *base, struct iso_error *err)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int pipefd[2];
	pid_t pid;
	int status;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return iso_error_set(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return iso_error_set(err, errno, "fork");
	}
	if (pid == 0) {
		char map[64];
		struct iso_error e = { 0 };
		int r;

		close(pipefd[0]);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			r = iso_error_set(&e, errno, "unshare a user namespace");
		} else {
			snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
			r = write_text("/proc/self/uid_map", map);
			if (r == 0)
				r = write_text("/proc/self/setgroups", "deny");
			snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
			if (r == 0)
				r = write_text("/proc/self/gid_map", map);
			r = r < 0 ? iso_error_set(&e, errno, "write the id maps") : probe_in(base, true, &e);
		}
		if (r < 0)
			(void)write_all(pipefd[1], e.msg, strlen(e.msg));
		_exit(r < 0 ? 1 : 0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], err->msg, sizeof(err->msg) - 1);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	err->msg[n > 0 ? n : 0] = '\0';
	err->errnum = 0;
	err->status = ISO_EXIT_RUNTIME;
	return -1;
}

int iso_overlay_probe(const char *dir, struct iso_error *err)
{
	const char *hook = getenv("ISOLATE_TEST_NO_OVERLAY");

	if (hook != NULL && strcmp(hook, "1") == 0)
		return iso_error_set(err, 0, "overlayfs is off (ISOLATE_TEST_NO_OVERLAY=1)");
	return geteuid() == 0 ? probe_in(dir, false, err) : probe_unprivileged(dir, err);
}
