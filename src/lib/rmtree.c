#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* One open directory per level: deeper than this is refused rather than
 * run out of fds (a container can make a tree of any depth). */
#define RMTREE_MAX_DEPTH 400

struct rm {
	dev_t dev;
	uint64_t bytes;
	struct iso_error *err;
	const char *top;
};

static int rm_entry(struct rm *rm, int dirfd, const char *name, int depth);

static int empty_dir(struct rm *rm, int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int r = 0;

	if (d == NULL) {
		close(fd);
		return iso_error_set(rm->err, errno, "read a directory below %s", rm->top);
	}
	/* entries are removed as they are read: readdir goes on past them */
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		r = rm_entry(rm, dirfd(d), e->d_name, depth + 1);
	}
	if (r == 0 && errno != 0)
		r = iso_error_set(rm->err, errno, "read a directory below %s", rm->top);
	closedir(d);
	return r;
}

static int rm_entry(struct rm *rm, int dirfd, const char *name, int depth)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : iso_error_set(rm->err, errno, "stat %s below %s", name, rm->top);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return iso_error_set(rm->err, errno, "remove %s below %s", name, rm->top);
		rm->bytes += S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		return 0;
	}
	if (st.st_dev != rm->dev)
		return iso_error_set(rm->err, EXDEV, "remove %s below %s: another filesystem is mounted there",
				     name, rm->top);
	if (depth > RMTREE_MAX_DEPTH)
		return iso_error_set(rm->err, ELOOP, "remove %s: deeper than %d levels", rm->top,
				     RMTREE_MAX_DEPTH);
	/* the owner may always open up its own directory; root needs not */
	if ((st.st_mode & 0700) != 0700 && st.st_uid == geteuid() && geteuid() != 0 &&
	    fchmodat(dirfd, name, (st.st_mode & 07777) | 0700, 0) < 0)
		return iso_error_set(rm->err, errno, "open up %s below %s", name, rm->top);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(rm->err, errno, "open %s below %s", name, rm->top);
	if (empty_dir(rm, fd, depth) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return iso_error_set(rm->err, errno, "remove %s below %s", name, rm->top);
	return 0;
}

int iso_rmtree(const char *path, uint64_t *bytes, struct iso_error *err)
{
	cleanup_free char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	const char *name;
	cleanup_close int pfd = -1;
	struct stat st;
	struct rm rm = { .err = err, .top = path };
	int r;

	if (slash == NULL || slash[1] == '\0')
		return iso_error_set(err, EINVAL, "remove %s: not an absolute path to an entry", path);
	name = path + (slash - parent) + 1;
	*slash = '\0';
	pfd = open(slash == parent ? "/" : parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT ? 0 : iso_error_set(err, errno, "open %s", parent);
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : iso_error_set(err, errno, "stat %s", path);
	rm.dev = st.st_dev;
	r = rm_entry(&rm, pfd, name, 0);
	if (bytes)
		*bytes += rm.bytes;
	return r;
}
