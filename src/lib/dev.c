#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount.h"
#include "pathres.h"
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
