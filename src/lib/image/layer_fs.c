/* Names of a layer resolved, cleared and removed inside the destination.
 *
 * Everything here works from DEST's fd: a directory is reached with
 * openat2(RESOLVE_IN_ROOT), so that a symlink of the layer on the way
 * ("etc -> /", "x -> ../../..") resolves as it would in the container,
 * inside DEST; then only single names are used relative to that fd, with
 * flags that never follow them (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW,
 * unlinkat), so the last component of a name is never followed.  A
 * directory on another filesystem than DEST (a mount point) is refused
 * rather than entered. */
#include "layer_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int layer_open(const struct unpacker *u, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd;

	if (*path == '\0')
		path = ".";
	do
		fd = (int)syscall(SYS_openat2, u->root, path, &how, sizeof(how));
	while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return fd;
}

static int open_failed(struct unpacker *u, int e, const char *dir)
{
	if (e == EXDEV)
		return layer_error(u, 0, "%s is (or leads to) another filesystem", dir);
	if (e == ENOENT)
		return layer_error(u, 0, "%s leads to a missing directory (a symlink?)", dir);
	return layer_error(u, e, "open %s", dir);
}

struct dirmeta *layer_push_dir(struct unpacker *u)
{
	if (u->ndirs == u->dircap) {
		u->dircap = u->dircap ? u->dircap * 2 : 64;
		u->dirs = xrealloc(u->dirs, u->dircap * sizeof(*u->dirs));
	}
	return &u->dirs[u->ndirs++];
}

int layer_writable(struct unpacker *u, int fd, const char *dir)
{
	char proc[64];
	struct dirmeta *d;
	struct stat st;

	if (!u->o->rootless || u->o->mode != ISO_LAYER_FLATTEN)
		return 0;
	if (fstat(fd, &st) < 0)
		return layer_error(u, errno, "stat directory %s", *dir ? dir : "/");
	if ((st.st_mode & S_IRWXU) == S_IRWXU || st.st_uid != u->uid)
		return 0;
	/* FD may be O_PATH, which fchmod refuses: its /proc/self/fd link
	 * names the directory itself */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, (st.st_mode & 07777) | S_IRWXU) < 0)
		return layer_error(u, errno, "make directory %s writable", *dir ? dir : "/");
	d = layer_push_dir(u);
	d->path = xstrdup(dir);
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->mode = st.st_mode & 07777;
	d->times[0].tv_nsec = d->times[1].tv_nsec = UTIME_OMIT;
	return 0;
}

int layer_parent(struct unpacker *u, const char *dir, bool create)
{
	cleanup_free char *prefix = NULL;
	cleanup_close int cur = -1;
	char *p;
	int fd = layer_open(u, dir, O_PATH | O_DIRECTORY);

	if (fd >= 0 && create && layer_writable(u, fd, dir) < 0) {
		close(fd);
		return -1;
	}
	if (fd >= 0 || !create)
		return fd;
	if (errno != ENOENT)
		return open_failed(u, errno, dir);
	/* Walk from DEST, making what is missing.  Each prefix is resolved
	 * again from DEST, so a symlink met on the way resolves inside; a
	 * directory is only ever made in the fd its prefix resolved to. */
	prefix = xstrdup(dir);
	cur = layer_open(u, "", O_PATH | O_DIRECTORY);
	if (cur < 0)
		return layer_error(u, errno, "open the layer directory");
	p = prefix;
	while (*p != '\0') {
		char *slash = strchrnul(p, '/');
		char saved = *slash;

		*slash = '\0';
		fd = layer_open(u, prefix, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT) {
			cleanup_free char *up = xstrndup(prefix, p == prefix ? 0 : (size_t)(p - prefix - 1));

			if (layer_writable(u, cur, up) < 0)
				return -1;
			if (mkdirat(cur, p, 0755) == 0) {
				if (layer_made(u, cur, p) < 0)
					return -1;
			} else if (errno != EEXIST) {
				return layer_error(u, errno, "create directory %s", prefix);
			}
			fd = layer_open(u, prefix, O_PATH | O_DIRECTORY);
		}
		if (fd < 0)
			return open_failed(u, errno, prefix);
		close(cur);
		cur = fd;
		*slash = saved;
		p = saved == '\0' ? slash : slash + 1;
	}
	return steal_fd(&cur);
}

/* ---- removal ---- */

static int remove_at(struct unpacker *u, int parent, const char *name, const struct stat *st);

/* The names in the directory FD (. and .. left out); NULL on error. */
static char **list_dir(struct unpacker *u, int fd, const char *what)
{
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	char **names = xcalloc(1, sizeof(*names));
	struct dirent *d;
	DIR *dir;

	if (dfd < 0 || (dir = fdopendir(dfd)) == NULL) {
		layer_error(u, errno, "read directory %s", what);
		if (dfd >= 0)
			close(dfd);
		strv_free(names);
		return NULL;
	}
	/* the dup shares the offset: start from the beginning */
	rewinddir(dir);
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			strv_push(&names, d->d_name);
		errno = 0;
	}
	if (errno != 0) {
		layer_error(u, errno, "read directory %s", what);
		strv_free(names);
		names = NULL;
	}
	closedir(dir);
	return names;
}

/* Opens the directory NAME in PARENT for reading, refusing a symlink and
 * a mount point; ST is its lstat. */
static int open_subdir(struct unpacker *u, int parent, const char *name, struct stat *st)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return layer_error(u, errno, "open directory %s", name);
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return layer_error(u, e, "stat directory %s", name);
	}
	if (st->st_dev != u->dev) {
		close(fd);
		return layer_error(u, 0, "%s is on another filesystem (a mount point)", name);
	}
	return fd;
}

static int empty_dir(struct unpacker *u, int fd, const char *what)
{
	cleanup_strv char **names = list_dir(u, fd, what);

	if (names == NULL)
		return -1;
	for (char **n = names; *n != NULL; n++) {
		struct stat st;

		if (fstatat(fd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return layer_error(u, errno, "stat %s in %s", *n, what);
		}
		if (remove_at(u, fd, *n, &st) < 0)
			return -1;
	}
	return 0;
}

static int remove_at(struct unpacker *u, int parent, const char *name, const struct stat *st)
{
	cleanup_close int fd = -1;
	struct stat dst;

	if (!S_ISDIR(st->st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return layer_error(u, errno, "remove %s", name);
		return 0;
	}
	fd = open_subdir(u, parent, name, &dst);
	if (fd < 0)
		return -1;
	/* rootless: a directory of an earlier layer may lack write access
	 * for its owner, the caller; give it back to empty it */
	if (u->o->rootless && (dst.st_mode & S_IRWXU) != S_IRWXU &&
	    fchmod(fd, (dst.st_mode & 07777) | S_IRWXU) < 0)
		return layer_error(u, errno, "chmod directory %s", name);
	if (empty_dir(u, fd, name) < 0)
		return -1;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return layer_error(u, errno, "remove directory %s", name);
	return 0;
}

int layer_remove(struct unpacker *u, int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return layer_error(u, errno, "stat %s", name);
	}
	return remove_at(u, parent, name, &st);
}

int layer_clear(struct unpacker *u, int parent, const char *name, bool keep_dir, bool *kept)
{
	struct stat st;

	if (kept != NULL)
		*kept = false;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return layer_error(u, errno, "stat");
	}
	if (keep_dir && S_ISDIR(st.st_mode)) {
		if (kept != NULL)
			*kept = true;
		return 0;
	}
	return remove_at(u, parent, name, &st);
}

/* ---- what this layer made (flatten) ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;   /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static char **nameset_slot(const struct nameset *s, const char *key)
{
	size_t i = (size_t)hash_str(key) & (s->cap - 1);

	while (s->slots[i] != NULL && strcmp(s->slots[i], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return &s->slots[i];
}

static bool nameset_has(const struct nameset *s, const char *key)
{
	return s->cap > 0 && *nameset_slot(s, key) != NULL;
}

static void nameset_add(struct nameset *s, char *key)
{
	char **slot;

	if ((s->n + 1) * 2 > s->cap) {
		struct nameset bigger = { .cap = s->cap ? s->cap * 2 : 256, .n = s->n };

		bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i] != NULL)
				*nameset_slot(&bigger, s->slots[i]) = s->slots[i];
		free(s->slots);
		*s = bigger;
	}
	slot = nameset_slot(s, key);
	if (*slot != NULL) {
		free(key);
		return;
	}
	*slot = key;
	s->n++;
}

void layer_nameset_free(struct nameset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	s->slots = NULL;
	s->cap = s->n = 0;
}

/* An entry is known by its parent directory's inode and its name: two
 * names of one place (through a symlink of the layer) are one entry,
 * and a hardlink is not its target. */
static char *made_key(ino_t parent, const char *name)
{
	return xasprintf("%" PRIx64 "/%s", (uint64_t)parent, name);
}

int layer_made(struct unpacker *u, int parent, const char *name)
{
	struct stat st;

	if (u->o->mode != ISO_LAYER_FLATTEN)
		return 0;
	if (fstat(parent, &st) < 0)
		return layer_error(u, errno, "stat the directory of %s", name);
	nameset_add(&u->made, made_key(st.st_ino, name));
	return 0;
}

int layer_opaque(struct unpacker *u, int dir)
{
	cleanup_strv char **names = list_dir(u, dir, "(opaque)");
	struct stat dst;

	if (names == NULL)
		return -1;
	if (fstat(dir, &dst) < 0)
		return layer_error(u, errno, "stat the opaque directory");
	for (char **n = names; *n != NULL; n++) {
		cleanup_free char *key = made_key(dst.st_ino, *n);
		cleanup_close int sub = -1;
		struct stat st;

		if (fstatat(dir, *n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return layer_error(u, errno, "stat %s", *n);
		}
		if (!nameset_has(&u->made, key)) {
			if (remove_at(u, dir, *n, &st) < 0)
				return -1;
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		/* made by this layer, so only what this layer put in it stays */
		sub = open_subdir(u, dir, *n, &st);
		if (sub < 0 || layer_opaque(u, sub) < 0)
			return -1;
	}
	return 0;
}

/* ---- directories' modes and times, at the end ---- */

struct dir_order {
	const struct dirmeta *d;
	size_t depth, index;
};

static int deepest_first(const void *a, const void *b)
{
	const struct dir_order *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? 1 : -1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int finish_dir(struct unpacker *u, const struct dirmeta *d)
{
	cleanup_close int fd = layer_open(u, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	struct stat st;

	u->entry = d->path;
	if (fd < 0) {
		/* replaced or removed by a later entry of the layer */
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return 0;
		return layer_error(u, errno, "open directory");
	}
	if (fstat(fd, &st) < 0)
		return layer_error(u, errno, "stat directory");
	if (st.st_dev != d->dev || st.st_ino != d->ino)
		return 0;
	if (fchmod(fd, d->mode) < 0)
		return layer_error(u, errno, "chmod directory to %04o", (unsigned)d->mode);
	if (futimens(fd, d->times) < 0)
		return layer_error(u, errno, "set the times of the directory");
	return 0;
}

/* The last declaration of a directory wins, and children go before their
 * parents: a directory whose final mode keeps its owner out (0500, 0111)
 * is closed only when nothing below it is left to open, which matters
 * without privilege. */
int layer_finish_dirs(struct unpacker *u)
{
	cleanup_free struct dir_order *order = xcalloc(u->ndirs + 1, sizeof(*order));
	struct nameset seen = { 0 };
	size_t n = 0;
	int r = 0;

	for (size_t i = u->ndirs; i-- > 0;) {
		const struct dirmeta *d = &u->dirs[i];
		size_t depth = 0;

		if (nameset_has(&seen, d->path))
			continue;
		nameset_add(&seen, xstrdup(d->path));
		for (const char *p = d->path; *p != '\0'; p++)
			depth += *p == '/';
		order[n++] = (struct dir_order){ .d = d, .depth = depth, .index = i };
	}
	layer_nameset_free(&seen);
	qsort(order, n, sizeof(*order), deepest_first);
	for (size_t i = 0; i < n && r == 0; i++)
		r = finish_dir(u, order[i].d);
	return r;
}
