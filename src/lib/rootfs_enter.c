/* The container's half of the filesystem setup; see rootfs.h. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "mntopt.h"
#include "mount.h"
#include "pathres.h"
#include "util.h"

static int mount_in_container(const struct iso_spec *spec, int stage, const struct iso_mount *m,
			      struct iso_error *err)
{
	struct iso_mntopts opts;
	cleanup_close int mnt = -1;
	cleanup_close int target = -1;

	if (strcmp(m->type, "cgroup") == 0)
		return iso_cgroup_mount(stage, m->destination, !iso_mount_has_option(m, "ro"),
					(spec->linux_.new_namespaces & CLONE_NEWCGROUP) != 0, err);
	if (iso_mntopts_parse(m->options, &opts, err) < 0)
		return -1;
	mnt = iso_mount_new_fs(m->type, m->source, &opts, m->destination, err);
	iso_mntopts_free(&opts);
	if (mnt < 0)
		return -1;
	/* Usually the parent made the mount point; one inside another of the
	 * container's own filesystems is made here, as the container's root. */
	target = iso_mkpath_in_root(stage, m->destination, false, err);
	if (target < 0)
		return iso_error_prefix(err, "mount %s on %s", m->type, m->destination);
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "mount %s on %s", m->type, m->destination);
	return 0;
}

/* A masked path: the container's own /dev/null over a file, an empty
 * read-only tmpfs over a directory; a path this kernel does not have is
 * nothing to hide. */
static int mask_path(int stage, int null, const char *path, struct iso_error *err)
{
	cleanup_close int target = iso_open_in_root(stage, path, O_PATH | O_NOFOLLOW);
	cleanup_close int mnt = -1;
	struct stat st;

	if (target < 0 && errno == ENOENT)
		return 0;
	if (target < 0 || fstat(target, &st) < 0)
		return iso_error_set(err, errno, "mask %s", path);
	if (S_ISDIR(st.st_mode)) {
		struct iso_mntopts opts = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
		char *data[] = { "size=0", "mode=0", NULL };

		opts.data = data;
		mnt = iso_mount_new_fs("tmpfs", "masked", &opts, path, err);
	} else {
		mnt = iso_mount_clone(null, "", false, err);
	}
	if (mnt < 0)
		return iso_error_prefix(err, "mask %s", path);
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "mask %s", path);
	return 0;
}

/* A read-only path: a read-only copy of its mounts, over itself. */
static int protect_path(int stage, const char *path, struct iso_error *err)
{
	cleanup_close int target = iso_open_in_root(stage, path, O_PATH | O_NOFOLLOW);
	cleanup_close int mnt = -1;

	if (target < 0 && errno == ENOENT)
		return 0;
	if (target < 0)
		return iso_error_set(err, errno, "make %s read-only", path);
	mnt = iso_mount_clone(target, "", true, err);
	if (mnt < 0)
		return iso_error_prefix(err, "make %s read-only", path);
	if (iso_mount_set(mnt, true, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, -1) < 0 ||
	    iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "make %s read-only", path);
	return 0;
}

/* linux.maskedPaths and readonlyPaths, once /proc and /sys are there. */
static int hide_paths(const struct iso_spec *spec, int stage, struct iso_error *err)
{
	char *const *masked = spec->linux_.masked_paths;
	char *const *readonly = spec->linux_.readonly_paths;
	cleanup_close int null = -1;

	if (masked != NULL && masked[0] != NULL) {
		null = iso_open_in_root(stage, "/dev/null", O_PATH | O_NOFOLLOW);
		if (null < 0)
			return iso_error_set(err, errno, "open the container's /dev/null");
	}
	for (size_t i = 0; readonly != NULL && readonly[i] != NULL; i++)
		if (protect_path(stage, readonly[i], err) < 0)
			return -1;
	for (size_t i = 0; masked != NULL && masked[i] != NULL; i++)
		if (mask_path(stage, null, masked[i], err) < 0)
			return -1;
	return 0;
}

/* pivot_root(".", ".") stacks the old root on the new one; unmounting the
 * top of "." then drops the whole old tree, host paths included, with no
 * directory left in the container to reach it by. */
static int pivot_into(int stage, struct iso_error *err)
{
	if (fchdir(stage) < 0)
		return iso_error_set(err, errno, "chdir to the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return iso_error_set(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return iso_error_set(err, errno, "unmount the old root");
	if (chdir("/") < 0)
		return iso_error_set(err, errno, "chdir to /");
	return 0;
}

int iso_rootfs_enter(const struct iso_spec *spec, struct iso_error *err)
{
	cleanup_close int stage = -1;

	/* Stop receiving from the parent's namespace: the tree is complete,
	 * and nothing mounted from here on may travel anywhere. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return iso_error_set(err, errno, "make / private");
	stage = open(ISO_STAGE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (stage < 0)
		return iso_error_set(err, errno, "open %s", ISO_STAGE_DIR);
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (iso_mount_made_in_container(spec, &spec->mounts[i]) &&
		    mount_in_container(spec, stage, &spec->mounts[i], err) < 0)
			return -1;
	if (hide_paths(spec, stage, err) < 0 || pivot_into(stage, err) < 0)
		return -1;
	/* linux.rootfsPropagation: the container's tree is its own copy, so
	 * it sets how mounts travel within it (docs/oci.md) */
	if (spec->rootfs_propagation != 0 &&
	    mount(NULL, "/", NULL, spec->rootfs_propagation, NULL) < 0)
		return iso_error_set(err, errno, "set the propagation of /");
	return 0;
}
