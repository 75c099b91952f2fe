#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmtree.h"
#include "state.h"
#include "util.h"

static const char *const store_dirs[] = {
	"blobs", "blobs/sha256", "layers", "layers/sha256", "tmp", "locks", "containers",
};

char *iso_store_default_root(void)
{
	return xstrdup(iso_data_dir());
}

static int mkdir_p(const char *path, mode_t mode, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return iso_error_set(err, errno, "mkdir %s", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return iso_error_set(err, errno, "mkdir %s", copy);
	return 0;
}

static int lock_file(struct iso_store *s, const char *name, int how, struct iso_error *err);

/* A file in tmp/ is made, then flock'd by its writer: in between, the
 * sweep must not take it for a killed writer's.  Writers hold the "tmp"
 * lock shared over that moment, the sweep holds it exclusively (and
 * skips its turn when it is busy). */
static int tmp_guard(struct iso_store *s, int how, struct iso_error *err)
{
	return lock_file(s, "tmp", how, err);
}

/* What a killed writer left in tmp/: anything whose flock can be taken
 * is no one's any more. */
static void sweep_tmp(struct iso_store *s)
{
	cleanup_free char *tmp = xasprintf("%s/tmp", s->root);
	struct iso_error ignored;
	cleanup_close int guard = tmp_guard(s, LOCK_EX | LOCK_NB, &ignored);
	int dfd = guard < 0 ? -1 : open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		cleanup_close int fd = -1;
		cleanup_free char *path = NULL;

		if (e->d_name[0] == '.')
			continue;
		fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		path = xasprintf("%s/%s", tmp, e->d_name);
		(void)iso_store_remove_tree(s, path, &ignored);
	}
	closedir(d);
}

/* Another user must not be able to prepare the store (say
 * /tmp/isolate-data-UID before its owner first uses it) or change it. */
static int check_owner(const struct iso_store *s, struct iso_error *err)
{
	struct stat st;

	if (fstat(s->fd, &st) < 0)
		return iso_error_set(err, errno, "stat the storage root %s", s->root);
	if (st.st_uid != geteuid())
		return iso_error_set(err, 0, "storage root %s belongs to uid %u, not to this user: refusing it",
				     s->root, (unsigned)st.st_uid);
	if (st.st_mode & 022)
		return iso_error_set(err, 0, "storage root %s is writable by others (mode %04o): refusing it",
				     s->root, (unsigned)(st.st_mode & 07777));
	return 0;
}

int iso_store_open(struct iso_store *s, const char *root, struct iso_error *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (root == NULL || root[0] != '/')
		return iso_error_set(err, 0, "storage root %s: not an absolute path",
				     root ? root : "(none: set HOME or --storage-root)");
	s->root = path_normalize(root);
	if (s->root == NULL)
		return iso_error_set(err, 0, "storage root %s: \"..\" is not allowed", root);
	if (mkdir_p(s->root, 0700, err) < 0)
		return -1;
	s->fd = open(s->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0)
		return iso_error_set(err, errno, "open the storage root %s", s->root);
	if (check_owner(s, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(store_dirs) / sizeof(store_dirs[0]); i++) {
		if (mkdirat(s->fd, store_dirs[i], 0700) < 0 && errno != EEXIST)
			return iso_error_set(err, errno, "mkdir %s/%s", s->root, store_dirs[i]);
	}
	sweep_tmp(s);
	return 0;
}

void iso_store_close(struct iso_store *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->root);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

char *iso_store_blob_path(const struct iso_store *s, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", s->root, iso_digest_hex(digest));
}

bool iso_store_has_blob(const struct iso_store *s, const char *digest)
{
	cleanup_free char *p = iso_store_blob_path(s, digest);

	return access(p, F_OK) == 0;
}

int iso_store_open_blob(const struct iso_store *s, const char *digest, struct iso_error *err)
{
	cleanup_free char *p = NULL;
	int fd;

	if (iso_digest_check(digest, "blob", err) < 0)
		return -1;
	p = iso_store_blob_path(s, digest);
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(err, errno, "blob %s", digest);
	return fd;
}

int iso_store_read_blob(const struct iso_store *s, const char *digest, size_t max, char **buf,
			size_t *len, struct iso_error *err)
{
	cleanup_close int fd = iso_store_open_blob(s, digest, err);
	cleanup_free char *data = NULL;
	iso_digest_t got;
	struct stat st;
	size_t off = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return iso_error_set(err, errno, "stat blob %s", digest);
	if ((size_t)st.st_size > max)
		return iso_error_set(err, 0, "blob %s: %lld bytes, more than the %zu expected",
				     digest, (long long)st.st_size, max);
	data = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, data + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return iso_error_set(err, n < 0 ? errno : EIO, "read blob %s", digest);
		off += (size_t)n;
	}
	data[off] = '\0';
	iso_digest_buf(data, off, got);
	if (strcmp(got, digest) != 0)
		return iso_error_set(err, 0, "blob %s in the store is corrupt (its content is %s)",
				     digest, got);
	*buf = steal_ptr(&data);
	*len = off;
	return 0;
}

int iso_store_blob_begin(struct iso_store *s, struct iso_blob_writer *w, struct iso_error *err)
{
	cleanup_close int guard = tmp_guard(s, LOCK_SH, err);

	w->fd = -1;
	w->tmp_path = NULL;
	if (guard < 0)
		return -1;
	w->tmp_path = xasprintf("%s/tmp/blob-XXXXXX", s->root);
	w->fd = mkostemp(w->tmp_path, O_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;

		free(steal_ptr(&w->tmp_path));
		return iso_error_set(err, e, "create a blob file in %s/tmp", s->root);
	}
	if (flock(w->fd, LOCK_EX) < 0 || fchmod(w->fd, 0644) < 0) {
		int e = errno;

		iso_store_blob_abort(w);
		return iso_error_set(err, e, "lock a new blob file in %s/tmp", s->root);
	}
	return 0;
}

void iso_store_blob_abort(struct iso_blob_writer *w)
{
	if (w->tmp_path)
		unlink(w->tmp_path);
	if (w->fd >= 0)
		close(w->fd);
	free(w->tmp_path);
	w->tmp_path = NULL;
	w->fd = -1;
}

int iso_store_blob_commit(struct iso_store *s, struct iso_blob_writer *w, const char *digest,
			  struct iso_error *err)
{
	cleanup_free char *dest = NULL;

	if (iso_digest_check(digest, "blob", err) < 0) {
		iso_store_blob_abort(w);
		return -1;
	}
	dest = iso_store_blob_path(s, digest);
	/* the data reaches the disk before the name does: a crash never
	 * leaves a named blob with missing content */
	if (fsync(w->fd) < 0 || rename(w->tmp_path, dest) < 0) {
		int e = errno;

		iso_store_blob_abort(w);
		return iso_error_set(err, e, "store blob %s", digest);
	}
	close(w->fd);
	free(w->tmp_path);
	w->fd = -1;
	w->tmp_path = NULL;
	return 0;
}

int iso_store_put_blob(struct iso_store *s, const void *buf, size_t len, iso_digest_t out,
		       struct iso_error *err)
{
	struct iso_blob_writer w;

	iso_digest_buf(buf, len, out);
	if (iso_store_has_blob(s, out))
		return 0;
	if (iso_store_blob_begin(s, &w, err) < 0)
		return -1;
	if (write_all(w.fd, buf, len) < 0) {
		int e = errno;

		iso_store_blob_abort(&w);
		return iso_error_set(err, e, "write blob %s", out);
	}
	return iso_store_blob_commit(s, &w, out, err);
}

char *iso_store_layer_path(const struct iso_store *s, const char *diff_id)
{
	return xasprintf("%s/layers/sha256/%s", s->root, iso_digest_hex(diff_id));
}

bool iso_store_has_layer(const struct iso_store *s, const char *diff_id)
{
	cleanup_free char *p = iso_store_layer_path(s, diff_id);

	return access(p, F_OK) == 0;
}

int iso_store_layer_begin(struct iso_store *s, struct iso_layer_writer *w, struct iso_error *err)
{
	cleanup_close int guard = tmp_guard(s, LOCK_SH, err);

	w->dir_fd = w->lock_fd = -1;
	w->tmp_path = NULL;
	if (guard < 0)
		return -1;
	w->tmp_path = xasprintf("%s/tmp/layer-XXXXXX", s->root);
	if (mkdtemp(w->tmp_path) == NULL) {
		int e = errno;

		free(steal_ptr(&w->tmp_path));
		return iso_error_set(err, e, "create a layer directory in %s/tmp", s->root);
	}
	w->dir_fd = open(w->tmp_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* a separate open file: the lock outlives whatever the unpacker does
	 * with dir_fd */
	w->lock_fd = open(w->tmp_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->lock_fd < 0 || flock(w->lock_fd, LOCK_EX) < 0 || fchmod(w->dir_fd, 0755) < 0) {
		int e = errno;

		iso_store_layer_abort(s, w);
		return iso_error_set(err, e, "lock a new layer directory in %s/tmp", s->root);
	}
	return 0;
}

static void close_layer_writer(struct iso_layer_writer *w)
{
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	free(w->tmp_path);
	w->dir_fd = w->lock_fd = -1;
	w->tmp_path = NULL;
}

void iso_store_layer_abort(struct iso_store *s, struct iso_layer_writer *w)
{
	struct iso_error ignored;

	if (w->tmp_path)
		(void)iso_store_remove_tree(s, w->tmp_path, &ignored);
	close_layer_writer(w);
}

int iso_store_layer_commit(struct iso_store *s, struct iso_layer_writer *w, const char *diff_id,
			   struct iso_error *err)
{
	cleanup_free char *dest = NULL;

	if (iso_digest_check(diff_id, "layer", err) < 0) {
		iso_store_layer_abort(s, w);
		return -1;
	}
	dest = iso_store_layer_path(s, diff_id);
	if (rename(w->tmp_path, dest) < 0) {
		int e = errno;

		iso_store_layer_abort(s, w);
		if (e == EEXIST || e == ENOTEMPTY)
			return 0;
		return iso_error_set(err, e, "store layer %s", diff_id);
	}
	close_layer_writer(w);
	return 0;
}

int iso_store_sync(const struct iso_store *s, struct iso_error *err)
{
	cleanup_close int fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || syncfs(fd) < 0)
		return iso_error_set(err, errno, "sync the store %s", s->root);
	return 0;
}

int iso_store_remove_tree(const struct iso_store *s, const char *path, struct iso_error *err)
{
	/* compared once normalised: "ROOT/", "ROOT/." and "ROOT/tmp/../.."
	 * pass a plain prefix test, and would remove the store or more */
	cleanup_free char *norm = path[0] == '/' ? path_normalize(path) : NULL;

	if (norm == NULL || !path_is_under(norm, s->root) || strcmp(norm, s->root) == 0)
		return iso_error_set(err, 0, "refusing to remove %s: not inside the store %s", path,
				     s->root);
	return iso_rmtree(norm, NULL, err);
}

static int lock_file(struct iso_store *s, const char *name, int how, struct iso_error *err)
{
	cleanup_free char *p = NULL;
	int fd;

	if (strchr(name, '/') || name[0] == '.' || name[0] == '\0')
		return iso_error_set(err, 0, "lock name %s: not a plain file name", name);
	p = xasprintf("%s/locks/%s", s->root, name);
	fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return iso_error_set(err, errno, "open lock %s", p);
	while (flock(fd, how) < 0) {
		if (errno != EINTR || (how & LOCK_NB)) {
			int e = errno;

			close(fd);
			return iso_error_set(err, e, "lock %s", p);
		}
	}
	return fd;
}

int iso_store_lock(struct iso_store *s, const char *name, struct iso_error *err)
{
	return lock_file(s, name, LOCK_EX, err);
}

int iso_store_lock_shared(struct iso_store *s, const char *name, struct iso_error *err)
{
	return lock_file(s, name, LOCK_SH, err);
}
