/* image/store.h: the content-addressed store: blobs checked against their
 * digest, layers renamed into place, the sweep of what killed writers
 * left in tmp/, removal confined to the store, and its flock(2) locks.
 *
 * Each test gets a fresh directory T with the store opened at T/store;
 * T/outside is a file next to it that nothing may remove. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "image/store.h"

#define SHA256_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define HEXA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DA "sha256:" HEXA

struct st {
	struct tmpdir *t;
	struct iso_store s;
	char *root;
	char *outside;
};

static int st_teardown(void **state);

/* A setup that fails is not torn down by cmocka: it undoes itself. */
static int st_setup(void **state)
{
	struct st *f = xcalloc(1, sizeof(*f));
	struct iso_error err = { 0 };

	if (tmpdir_setup((void **)&f->t) < 0) {
		free(f);
		return -1;
	}
	f->root = tmp_path(f->t, "store");
	f->outside = tmp_file(f->t, "outside", "keep me\n");
	*state = f;
	if (iso_store_open(&f->s, f->root, &err) < 0) {
		print_error("%s\n", err.msg);
		st_teardown(state);
		return -1;
	}
	return 0;
}

static int st_teardown(void **state)
{
	struct st *f = *state;
	int r;

	if (f == NULL)
		return 0;
	if (f->s.root)
		iso_store_close(&f->s);
	free(f->root);
	free(f->outside);
	r = tmpdir_teardown((void **)&f->t);
	free(f);
	return r;
}

/* Entries of ROOT/SUB, "." and ".." aside; -1 when it cannot be read. */
static int count_entries(const struct st *f, const char *sub)
{
	cleanup_free char *path = xasprintf("%s/%s", f->root, sub);
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

#define assert_outside_intact(f) check_outside_intact(__FILE__, __LINE__, f)

static void check_outside_intact(const char *file, int line, const struct st *f)
{
	cleanup_free char *data = NULL;
	struct iso_error err = { 0 };
	size_t len;

	_assert_int_equal(read_file_at(AT_FDCWD, f->outside, &data, &len, &err), 0, file, line);
	_assert_string_equal(data, "keep me\n", file, line);
}

#define assert_err(err, fragment) check_err(__FILE__, __LINE__, err, fragment)

static void check_err(const char *file, int line, const struct iso_error *err, const char *fragment)
{
	if (strstr(err->msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err->msg, fragment);
		_fail(file, line);
	}
	_assert_int_equal(err->status, ISO_EXIT_RUNTIME, file, line);
}

/* ---- open ---- */

static void open_makes_the_tree(void **state)
{
	struct st *f = *state;
	static const char *const dirs[] = {
		"", "/blobs", "/blobs/sha256", "/layers", "/layers/sha256", "/tmp", "/locks",
		"/containers",
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *p = xasprintf("%s%s", f->root, dirs[i]);
		struct stat st;

		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0700);
	}
	assert_string_equal(f->s.root, f->root);
	assert_true(f->s.fd >= 0);
}

/* Another user's directory, or one others may write to, is not a store:
 * it could have been prepared to be used (a rootless /tmp/isolate-data-UID). */
static void open_refuses_a_root_others_own_or_may_write(void **state)
{
	struct st *f = *state;
	cleanup_free char *other = xasprintf("%s/other", f->t->path);
	struct iso_store s;
	struct iso_error err = { 0 };

	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(chmod(other, 0777), 0);
	assert_int_equal(iso_store_open(&s, other, &err), -1);
	assert_err(&err, "is writable by others (mode 0777): refusing it");
	iso_store_close(&s);
	assert_int_equal(chmod(other, 0755), 0);
	assert_int_equal(chown(other, 65534, 65534), 0);
	assert_int_equal(iso_store_open(&s, other, &err), -1);
	assert_err(&err, "belongs to uid 65534, not to this user");
	iso_store_close(&s);
}

/* A root whose parents are missing is made whole; a second open of the
 * same root finds it there. */
static void open_makes_missing_parents_and_reopens(void **state)
{
	struct st *f = *state;
	cleanup_free char *deep = xasprintf("%s/a/b//c/", f->t->path);
	cleanup_free char *want = xasprintf("%s/a/b/c", f->t->path);
	struct iso_store s;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_open(&s, deep, &err), 0);
	assert_string_equal(s.root, want);
	iso_store_close(&s);
	assert_int_equal(iso_store_open(&s, deep, &err), 0);
	assert_int_equal(count_entries(f, "../a/b/c"), 5);
	iso_store_close(&s);
}

static void open_refuses_bad_roots(void **state)
{
	struct st *f = *state;
	cleanup_free char *climb = xasprintf("%s/store/../elsewhere", f->t->path);
	cleanup_free char *elsewhere = tmp_path(f->t, "elsewhere");
	struct iso_store s;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_open(&s, "relative/store", &err), -1);
	assert_err(&err, "storage root relative/store: not an absolute path");
	assert_int_equal(iso_store_open(&s, NULL, &err), -1);
	assert_err(&err, "set HOME or --storage-root");
	assert_int_equal(iso_store_open(&s, climb, &err), -1);
	assert_err(&err, "\"..\" is not allowed");
	assert_false(exists(elsewhere));
	assert_null(s.root);
}

/* ---- blobs ---- */

static void put_and_read_a_blob(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *buf = NULL;
	cleanup_free char *path = NULL;
	iso_digest_t d;
	size_t len = 0;

	assert_false(iso_store_has_blob(&f->s, SHA256_ABC));
	assert_int_equal(iso_store_put_blob(&f->s, "abc", 3, d, &err), 0);
	assert_string_equal(d, SHA256_ABC);
	assert_true(iso_store_has_blob(&f->s, SHA256_ABC));
	path = iso_store_blob_path(&f->s, d);
	assert_true(strstr(path, "/blobs/sha256/ba7816bf") != NULL);
	assert_true(exists(path));
	assert_int_equal(iso_store_read_blob(&f->s, d, 3, &buf, &len, &err), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(buf[3], '\0');
	/* a second put of the same content is a no-op */
	assert_int_equal(iso_store_put_blob(&f->s, "abc", 3, d, &err), 0);
	assert_int_equal(count_entries(f, "blobs/sha256"), 1);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void empty_blob_round_trip(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *buf = NULL;
	iso_digest_t d;
	size_t len = 99;

	assert_int_equal(iso_store_put_blob(&f->s, "", 0, d, &err), 0);
	assert_int_equal(iso_store_read_blob(&f->s, d, 0, &buf, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
}

/* A blob changed on disk after it was stored is never handed out. */
static void read_detects_a_corrupted_blob(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	char *buf = NULL;
	cleanup_free char *path = NULL;
	iso_digest_t d;
	size_t len = 0;

	assert_int_equal(iso_store_put_blob(&f->s, "abc", 3, d, &err), 0);
	path = iso_store_blob_path(&f->s, d);
	write_file(path, "abd");
	assert_int_equal(iso_store_read_blob(&f->s, d, 100, &buf, &len, &err), -1);
	assert_err(&err, "blob " SHA256_ABC " in the store is corrupt (its content is sha256:");
	assert_null(buf);
	assert_int_equal(len, 0);
	write_file(path, "");
	assert_int_equal(iso_store_read_blob(&f->s, d, 100, &buf, &len, &err), -1);
	assert_err(&err, "is corrupt (its content is sha256:e3b0c442");
	assert_null(buf);
}

static void read_over_max_is_refused(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	char *buf = NULL;
	iso_digest_t d;
	size_t len = 0;

	assert_int_equal(iso_store_put_blob(&f->s, "abc", 3, d, &err), 0);
	assert_int_equal(iso_store_read_blob(&f->s, d, 2, &buf, &len, &err), -1);
	assert_err(&err, "blob " SHA256_ABC ": 3 bytes, more than the 2 expected");
	assert_null(buf);
}

static void read_of_a_missing_or_bad_digest(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(iso_store_read_blob(&f->s, DA, 100, &buf, &len, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_err(&err, "blob " DA);
	/* never a path made of a name that is no digest */
	assert_int_equal(iso_store_read_blob(&f->s, "sha256:../../../outside", 100, &buf, &len,
					     &err), -1);
	assert_err(&err, "blob: invalid digest");
	assert_int_equal(iso_store_open_blob(&f->s, "sha512:00", &err), -1);
	assert_err(&err, "unsupported digest algorithm \"sha512\"");
	assert_null(buf);
}

static void blob_writer_commit(void **state)
{
	struct st *f = *state;
	struct iso_blob_writer w;
	struct iso_error err = { 0 };
	cleanup_free char *buf = NULL;
	cleanup_free char *tmp = NULL;
	cleanup_free char *blob = NULL;
	struct stat st;
	size_t len;

	assert_int_equal(iso_store_blob_begin(&f->s, &w, &err), 0);
	assert_true(w.fd >= 0);
	assert_true(strncmp(w.tmp_path, f->root, strlen(f->root)) == 0);
	assert_non_null(strstr(w.tmp_path, "/tmp/blob-"));
	tmp = xstrdup(w.tmp_path);
	assert_int_equal(count_entries(f, "tmp"), 1);
	assert_int_equal(write_all(w.fd, "ab", 2), 0);
	assert_int_equal(write_all(w.fd, "c", 1), 0);
	assert_int_equal(iso_store_blob_commit(&f->s, &w, SHA256_ABC, &err), 0);
	assert_int_equal(w.fd, -1);
	assert_null(w.tmp_path);
	assert_false(exists(tmp));
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_int_equal(iso_store_read_blob(&f->s, SHA256_ABC, 3, &buf, &len, &err), 0);
	assert_memory_equal(buf, "abc", 3);
	/* mkostemp's 0600 was opened up: a blob is no secret */
	blob = iso_store_blob_path(&f->s, SHA256_ABC);
	assert_int_equal(stat(blob, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void blob_writer_commit_with_a_bad_digest_removes_the_file(void **state)
{
	struct st *f = *state;
	struct iso_blob_writer w;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_blob_begin(&f->s, &w, &err), 0);
	assert_int_equal(write_all(w.fd, "abc", 3), 0);
	assert_int_equal(iso_store_blob_commit(&f->s, &w, "sha256:abc", &err), -1);
	assert_err(&err, "blob: invalid digest \"sha256:abc\"");
	assert_int_equal(w.fd, -1);
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_int_equal(count_entries(f, "blobs/sha256"), 0);
}

static void blob_writer_abort_leaves_nothing(void **state)
{
	struct st *f = *state;
	struct iso_blob_writer w;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_blob_begin(&f->s, &w, &err), 0);
	assert_int_equal(write_all(w.fd, "partial", 7), 0);
	iso_store_blob_abort(&w);
	assert_int_equal(w.fd, -1);
	assert_null(w.tmp_path);
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_int_equal(count_entries(f, "blobs/sha256"), 0);
	/* twice is harmless */
	iso_store_blob_abort(&w);
}

/* ---- the sweep of tmp/ ---- */

/* A child that holds an exclusive flock on PATH until *RELEASE (a pipe's
 * write end) is closed; returns its pid once it holds the lock. */
static pid_t hold_lock_in_child(const char *path, int *release)
{
	int ready[2], hold[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		close(ready[0]);
		close(hold[1]);
		if (fd < 0 || flock(fd, LOCK_EX) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = hold[1];
	return pid;
}

static void child_exits_cleanly(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void reopen(struct st *f)
{
	struct iso_error err = { 0 };

	iso_store_close(&f->s);
	assert_int_equal(iso_store_open(&f->s, f->root, &err), 0);
}

/* What a killed writer left (no one holds its lock) goes at the next
 * open, a file or a whole tree; what a live writer holds stays, whether
 * the holder is this process (another open file) or another. */
static void sweep_at_open_removes_only_unlocked_leftovers(void **state)
{
	struct st *f = *state;
	struct iso_blob_writer live;
	struct iso_error err = { 0 };
	cleanup_free char *dead_blob = xasprintf("%s/tmp/blob-dead01", f->root);
	cleanup_free char *dead_layer = xasprintf("%s/tmp/layer-dead02", f->root);
	cleanup_free char *dead_sub = xasprintf("%s/tmp/layer-dead02/etc", f->root);
	cleanup_free char *dead_file = xasprintf("%s/tmp/layer-dead02/etc/passwd", f->root);
	cleanup_free char *dead_link = xasprintf("%s/tmp/layer-dead02/escape", f->root);
	cleanup_free char *held = xasprintf("%s/tmp/blob-held03", f->root);
	cleanup_free char *live_path = NULL;
	int release;
	pid_t child;

	write_file(dead_blob, "half a blob");
	assert_int_equal(mkdir(dead_layer, 0755), 0);
	assert_int_equal(mkdir(dead_sub, 0755), 0);
	write_file(dead_file, "root:x:0:0::/:/bin/sh\n");
	assert_int_equal(symlink(f->outside, dead_link), 0);
	write_file(held, "being written");
	assert_int_equal(iso_store_blob_begin(&f->s, &live, &err), 0);
	live_path = xstrdup(live.tmp_path);
	child = hold_lock_in_child(held, &release);

	reopen(f);
	assert_false(exists(dead_blob));
	assert_false(exists(dead_layer));
	assert_true(exists(held));
	assert_true(exists(live_path));
	assert_int_equal(count_entries(f, "tmp"), 2);
	assert_outside_intact(f);

	/* once the holder is gone, the next open takes it */
	close(release);
	child_exits_cleanly(child);
	reopen(f);
	assert_false(exists(held));
	assert_true(exists(live_path));
	/* the live writer still commits */
	assert_int_equal(write_all(live.fd, "abc", 3), 0);
	assert_int_equal(iso_store_blob_commit(&f->s, &live, SHA256_ABC, &err), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_true(iso_store_has_blob(&f->s, SHA256_ABC));
}

/* ---- layers ---- */

static void layer_begin_and_commit(void **state)
{
	struct st *f = *state;
	struct iso_layer_writer w;
	struct iso_error err = { 0 };
	cleanup_free char *dest = NULL;
	cleanup_free char *file = NULL;
	cleanup_free char *data = NULL;
	size_t len;
	struct stat st;
	int fd;

	assert_false(iso_store_has_layer(&f->s, DA));
	assert_int_equal(iso_store_layer_begin(&f->s, &w, &err), 0);
	assert_non_null(strstr(w.tmp_path, "/tmp/layer-"));
	assert_true(w.dir_fd >= 0 && w.lock_fd >= 0);
	assert_int_equal(fstat(w.dir_fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	fd = openat(w.dir_fd, "hello", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, "hi\n", 3), 0);
	close(fd);
	assert_int_equal(iso_store_layer_commit(&f->s, &w, DA, &err), 0);
	assert_int_equal(w.dir_fd, -1);
	assert_int_equal(w.lock_fd, -1);
	assert_null(w.tmp_path);
	assert_true(iso_store_has_layer(&f->s, DA));
	dest = iso_store_layer_path(&f->s, DA);
	assert_string_equal(dest + strlen(f->root), "/layers/sha256/" HEXA);
	file = xasprintf("%s/hello", dest);
	assert_int_equal(read_file_at(AT_FDCWD, file, &data, &len, &err), 0);
	assert_string_equal(data, "hi\n");
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void layer_abort_leaves_nothing(void **state)
{
	struct st *f = *state;
	struct iso_layer_writer w;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_layer_begin(&f->s, &w, &err), 0);
	assert_int_equal(mkdirat(w.dir_fd, "usr", 0755), 0);
	assert_int_equal(symlinkat(f->outside, w.dir_fd, "usr/link"), 0);
	iso_store_layer_abort(&f->s, &w);
	assert_int_equal(w.dir_fd, -1);
	assert_null(w.tmp_path);
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_int_equal(count_entries(f, "layers/sha256"), 0);
	assert_outside_intact(f);
}

/* Another process unpacked the same layer first: this copy goes, the
 * first stays, and it is no error. */
static void layer_commit_when_the_destination_exists(void **state)
{
	struct st *f = *state;
	struct iso_layer_writer w;
	struct iso_error err = { 0 };
	cleanup_free char *dest = iso_store_layer_path(&f->s, DA);
	cleanup_free char *first = xasprintf("%s/first", dest);
	cleanup_free char *second = xasprintf("%s/second", dest);
	int fd;

	assert_int_equal(iso_store_layer_begin(&f->s, &w, &err), 0);
	fd = openat(w.dir_fd, "first", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(iso_store_layer_commit(&f->s, &w, DA, &err), 0);

	assert_int_equal(iso_store_layer_begin(&f->s, &w, &err), 0);
	fd = openat(w.dir_fd, "second", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(iso_store_layer_commit(&f->s, &w, DA, &err), 0);
	assert_null(w.tmp_path);
	assert_true(exists(first));
	assert_false(exists(second));
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_int_equal(count_entries(f, "layers/sha256"), 1);
}

static void layer_commit_with_a_bad_diff_id_removes_the_directory(void **state)
{
	struct st *f = *state;
	struct iso_layer_writer w;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_layer_begin(&f->s, &w, &err), 0);
	assert_int_equal(mkdirat(w.dir_fd, "etc", 0755), 0);
	assert_int_equal(iso_store_layer_commit(&f->s, &w, "sha256:../../outside", &err), -1);
	assert_err(&err, "layer: invalid digest");
	assert_null(w.tmp_path);
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_int_equal(count_entries(f, "layers/sha256"), 0);
	assert_outside_intact(f);
}

/* ---- remove_tree ---- */

static void remove_tree_removes_without_following_symlinks(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *dir = xasprintf("%s/containers/c1", f->root);
	cleanup_free char *sub = xasprintf("%s/upper", dir);
	cleanup_free char *link = xasprintf("%s/upper/to-outside", dir);
	cleanup_free char *dirlink = xasprintf("%s/upper/to-t", dir);
	cleanup_free char *file = xasprintf("%s/upper/f", dir);

	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(file, "x");
	assert_int_equal(symlink(f->outside, link), 0);
	assert_int_equal(symlink(f->t->path, dirlink), 0);
	assert_int_equal(iso_store_remove_tree(&f->s, dir, &err), 0);
	assert_false(exists(dir));
	assert_outside_intact(f);
	assert_int_equal(count_entries(f, "containers"), 0);
	/* what is already gone is no error */
	assert_int_equal(iso_store_remove_tree(&f->s, dir, &err), 0);
}

#define assert_remove_refused(f, path) check_remove_refused(__FILE__, __LINE__, f, path)

static void check_remove_refused(const char *file, int line, struct st *f, const char *path)
{
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("refusing to remove %s: not inside the store %s", path,
					    f->root);

	_assert_int_equal(iso_store_remove_tree(&f->s, path, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
	/* the store and what is next to it are all there */
	_assert_int_equal(count_entries(f, ""), 5, file, line);
	check_outside_intact(file, line, f);
}

static void remove_tree_refuses_paths_outside_the_store(void **state)
{
	struct st *f = *state;
	cleanup_free char *sibling = xasprintf("%s-other", f->root);
	cleanup_free char *root_slash = xasprintf("%s/", f->root);
	cleanup_free char *root_dot = xasprintf("%s/.", f->root);
	cleanup_free char *root_dots = xasprintf("%s//./", f->root);
	cleanup_free char *climb = xasprintf("%s/tmp/../../outside", f->root);
	cleanup_free char *climb_to_root = xasprintf("%s/tmp/..", f->root);

	assert_remove_refused(f, f->outside);
	assert_remove_refused(f, f->t->path);
	assert_remove_refused(f, "/");
	assert_remove_refused(f, sibling);
	assert_remove_refused(f, f->root);
	assert_remove_refused(f, root_slash);
	assert_remove_refused(f, root_dot);
	assert_remove_refused(f, root_dots);
	assert_remove_refused(f, climb);
	assert_remove_refused(f, climb_to_root);
	assert_remove_refused(f, "store/tmp");
}

/* ---- locks ---- */

/* flock(HOW | LOCK_NB) on PATH from another process: 0 taken, 1 would
 * block. */
static int probe_flock(const char *path, int how)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			_exit(2);
		if (flock(fd, how | LOCK_NB) == 0)
			_exit(0);
		_exit(errno == EWOULDBLOCK ? 1 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void exclusive_lock_keeps_others_out_until_closed(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *path = xasprintf("%s/locks/images", f->root);
	struct stat st;
	int fd = iso_store_lock(&f->s, "images", &err);

	assert_true(fd >= 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(probe_flock(path, LOCK_EX), 1);
	assert_int_equal(probe_flock(path, LOCK_SH), 1);
	close(fd);
	assert_int_equal(probe_flock(path, LOCK_EX), 0);
	/* and a lock of another name is another file */
	fd = iso_store_lock(&f->s, "gc", &err);
	assert_true(fd >= 0);
	assert_int_equal(probe_flock(path, LOCK_EX), 0);
	close(fd);
}

/* Shared holders (pulls, runs) coexist; the gc's exclusive lock waits. */
static void shared_lock_admits_shared_and_excludes_exclusive(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *path = xasprintf("%s/locks/gc", f->root);
	int a = iso_store_lock_shared(&f->s, "gc", &err);
	int b = iso_store_lock_shared(&f->s, "gc", &err);

	assert_true(a >= 0 && b >= 0);
	assert_int_equal(probe_flock(path, LOCK_SH), 0);
	assert_int_equal(probe_flock(path, LOCK_EX), 1);
	close(a);
	assert_int_equal(probe_flock(path, LOCK_EX), 1);
	close(b);
	assert_int_equal(probe_flock(path, LOCK_EX), 0);
}

static void lock_names_must_be_plain(void **state)
{
	struct st *f = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_store_lock(&f->s, "../outside", &err), -1);
	assert_err(&err, "lock name ../outside: not a plain file name");
	assert_int_equal(iso_store_lock(&f->s, "a/b", &err), -1);
	assert_err(&err, "not a plain file name");
	assert_int_equal(iso_store_lock_shared(&f->s, ".hidden", &err), -1);
	assert_err(&err, "not a plain file name");
	assert_int_equal(iso_store_lock(&f->s, "", &err), -1);
	/* only the store's own: the guard of tmp/ that opening it took */
	assert_int_equal(count_entries(f, "locks"), 1);
	assert_outside_intact(f);
}

#define ST_TEST(fn) cmocka_unit_test_setup_teardown(fn, st_setup, st_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(open_makes_the_tree),
		ST_TEST(open_makes_missing_parents_and_reopens),
		ST_TEST(open_refuses_bad_roots),
		ST_TEST(open_refuses_a_root_others_own_or_may_write),
		ST_TEST(put_and_read_a_blob),
		ST_TEST(empty_blob_round_trip),
		ST_TEST(read_detects_a_corrupted_blob),
		ST_TEST(read_over_max_is_refused),
		ST_TEST(read_of_a_missing_or_bad_digest),
		ST_TEST(blob_writer_commit),
		ST_TEST(blob_writer_commit_with_a_bad_digest_removes_the_file),
		ST_TEST(blob_writer_abort_leaves_nothing),
		ST_TEST(sweep_at_open_removes_only_unlocked_leftovers),
		ST_TEST(layer_begin_and_commit),
		ST_TEST(layer_abort_leaves_nothing),
		ST_TEST(layer_commit_when_the_destination_exists),
		ST_TEST(layer_commit_with_a_bad_diff_id_removes_the_directory),
		ST_TEST(remove_tree_removes_without_following_symlinks),
		ST_TEST(remove_tree_refuses_paths_outside_the_store),
		ST_TEST(exclusive_lock_keeps_others_out_until_closed),
		ST_TEST(shared_lock_admits_shared_and_excludes_exclusive),
		ST_TEST(lock_names_must_be_plain),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
