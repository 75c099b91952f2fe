#include "pathres.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int iso_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return fd;
}

/* Creates NAME in the directory PARENT; an existing entry is fine, the
 * caller resolves it again (safely) right after. */
static int create_entry(int parent, const char *name, bool as_file)
{
	if (as_file) {
		int fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);

		if (fd >= 0)
			close(fd);
		return fd < 0 && errno != EEXIST ? -1 : 0;
	}
	return mkdirat(parent, name, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int iso_mkpath_in_root(int rootfd, const char *path, bool last_is_file,
		       struct iso_error *err)
{
	cleanup_free char *norm = path_normalize(path);
	cleanup_close int parent = -1;
	char *p;

	if (norm == NULL)
		return iso_error_set(err, 0, "path %s: \"..\" is not allowed", path);
	parent = iso_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	if (parent < 0)
		return iso_error_set(err, errno, "open root directory");
	p = norm;
	while (*p != '\0') {
		char *slash, saved;
		bool last;
		int fd;

		p += strspn(p, "/");
		if (*p == '\0')
			break;
		slash = strchrnul(p, '/');
		last = slash[strspn(slash, "/")] == '\0';
		saved = *slash;
		*slash = '\0';
		fd = iso_open_in_root(rootfd, norm, O_PATH | (last ? 0 : O_DIRECTORY));
		if (fd < 0 && errno == ENOENT) {
			if (create_entry(parent, p, last && last_is_file) < 0)
				return iso_error_set(err, errno, "create %s", norm);
			fd = iso_open_in_root(rootfd, norm, O_PATH | (last ? 0 : O_DIRECTORY));
		}
		if (fd < 0)
			return iso_error_set(err, errno, "open %s", norm);
		close(parent);
		parent = fd;
		*slash = saved;
		p = slash;
	}
	return steal_fd(&parent);
}
