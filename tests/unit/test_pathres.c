/* pathres.h: paths resolved inside a root, whatever its symlinks say.
 *
 * Each test gets this tree in a fresh directory T:
 *
 *   T/root/etc/hostname          the root's own /etc
 *   T/root/data -> /etc          absolute symlink
 *   T/root/mirror -> T           absolute symlink to the test directory...
 *   T/root/T/                    ...which the root holds as well
 *   T/root/a/b/up -> ../../..    relative symlink climbing above T/root
 *   T/root/dangling -> /nonexistent
 *   T/root/file                  a regular file
 *   T/etc/                       what a climb out of T/root would reach
 *
 * Whatever is created goes through mirror or up, so that a library that
 * let a symlink out would write into T, never onto the host.
 */
#include "helpers.h"

#include <errno.h>

#include "pathres.h"

struct tree {
	struct tmpdir *dir;
	int rootfd;
};

static int at(const struct tmpdir *t, const char *name, struct stat *st)
{
	return fstatat(t->fd, name, st, AT_SYMLINK_NOFOLLOW);
}

static int build_tree(struct tree *tr)
{
	cleanup_close int dfd = open(tr->dir->path, O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *mirror = xasprintf("root%s", tr->dir->path);

	if (dfd < 0 ||
	    mkdirat(dfd, "root", 0755) < 0 || mkdirat(dfd, "root/etc", 0755) < 0 ||
	    mkdirat(dfd, "root/a", 0755) < 0 || mkdirat(dfd, "root/a/b", 0755) < 0 ||
	    mkdirat(dfd, "root/tmp", 0755) < 0 || mkdirat(dfd, mirror, 0755) < 0 ||
	    mkdirat(dfd, "etc", 0755) < 0 ||
	    symlinkat("/etc", dfd, "root/data") < 0 ||
	    symlinkat(tr->dir->path, dfd, "root/mirror") < 0 ||
	    symlinkat("../../..", dfd, "root/a/b/up") < 0 ||
	    symlinkat("/nonexistent", dfd, "root/dangling") < 0)
		return -1;
	free(tmp_file(tr->dir, "root/etc/hostname", "inside\n"));
	free(tmp_file(tr->dir, "root/file", ""));
	tr->rootfd = openat(dfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return tr->rootfd < 0 ? -1 : 0;
}

static int tree_teardown(void **state)
{
	struct tree *tr = *state;

	if (tr->rootfd >= 0)
		close(tr->rootfd);
	*state = tr->dir;
	free(tr);
	return tmpdir_teardown(state);
}

static int tree_setup(void **state)
{
	struct tree *tr = xcalloc(1, sizeof(*tr));

	if (tmpdir_setup(state) < 0) {
		free(tr);
		return -1;
	}
	tr->dir = *state;
	tr->rootfd = -1;
	*state = tr;
	if (build_tree(tr) < 0) {
		tree_teardown(state);
		return -1;
	}
	return 0;
}

/* The path FD was opened at, for messages. */
static char *fd_path(int fd)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	return xstrndup(n < 0 ? "(unknown)" : target, n < 0 ? 9 : (size_t)n);
}

/* FD is the entry NAME of the test directory, compared by inode. */
#define assert_fd_is(...) check_fd_is(__FILE__, __LINE__, __VA_ARGS__)

static void check_fd_is(const char *file, int line, const struct tree *tr, int fd,
			const char *name)
{
	cleanup_free char *want_path = tmp_path(tr->dir, name);
	cleanup_free char *got_path = NULL;
	struct stat got, want;

	_assert_true(fd >= 0, "fd >= 0", file, line);
	_assert_int_equal(fstat(fd, &got), 0, file, line);
	_assert_int_equal(at(tr->dir, name, &want), 0, file, line);
	if (got.st_dev == want.st_dev && got.st_ino == want.st_ino)
		return;
	got_path = fd_path(fd);
	_assert_string_equal(got_path, want_path, file, line);
	_fail(file, line);
}

/* NAME does not exist in the test directory (nothing climbed out). */
#define assert_missing(...) check_missing(__FILE__, __LINE__, __VA_ARGS__)

static void check_missing(const char *file, int line, const struct tree *tr, const char *name)
{
	struct stat st;

	errno = 0;
	_assert_int_equal(at(tr->dir, name, &st), -1, file, line);
	_assert_int_equal(errno, ENOENT, file, line);
}

static void open_in_root_keeps_an_absolute_symlink_inside(void **state)
{
	struct tree *tr = *state;
	cleanup_close int dir = iso_open_in_root(tr->rootfd, "/data", O_PATH | O_DIRECTORY);
	cleanup_close int file = iso_open_in_root(tr->rootfd, "/data/hostname", O_RDONLY);

	assert_fd_is(tr, dir, "root/etc");
	assert_fd_is(tr, file, "root/etc/hostname");
}

static void open_in_root_keeps_a_climbing_symlink_inside(void **state)
{
	struct tree *tr = *state;
	cleanup_close int up = iso_open_in_root(tr->rootfd, "/a/b/up", O_PATH | O_DIRECTORY);
	cleanup_close int etc = iso_open_in_root(tr->rootfd, "a/b/up/etc", O_PATH | O_DIRECTORY);

	assert_fd_is(tr, up, "root");
	assert_fd_is(tr, etc, "root/etc");
}

static void open_in_root_stops_dotdot_at_the_root(void **state)
{
	struct tree *tr = *state;
	cleanup_close int fd = iso_open_in_root(tr->rootfd, "/../../etc", O_PATH | O_DIRECTORY);

	assert_fd_is(tr, fd, "root/etc");
}

static void open_in_root_of_slash_is_the_root(void **state)
{
	struct tree *tr = *state;
	cleanup_close int slash = iso_open_in_root(tr->rootfd, "/", O_PATH | O_DIRECTORY);
	cleanup_close int slashes = iso_open_in_root(tr->rootfd, "///", O_PATH | O_DIRECTORY);
	cleanup_close int empty = iso_open_in_root(tr->rootfd, "", O_PATH | O_DIRECTORY);

	assert_fd_is(tr, slash, "root");
	assert_fd_is(tr, slashes, "root");
	assert_fd_is(tr, empty, "root");
}

static void open_in_root_is_close_on_exec(void **state)
{
	struct tree *tr = *state;
	cleanup_close int fd = iso_open_in_root(tr->rootfd, "/file", O_RDONLY);

	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void open_in_root_sets_errno_on_failure(void **state)
{
	struct tree *tr = *state;

	errno = 0;
	assert_int_equal(iso_open_in_root(tr->rootfd, "/missing", O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(iso_open_in_root(tr->rootfd, "/dangling", O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(iso_open_in_root(tr->rootfd, "/file/x", O_RDONLY), -1);
	assert_int_equal(errno, ENOTDIR);
}

static void open_in_root_refuses_magic_links(void **state)
{
	cleanup_close int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int plain = -1;

	(void)state;
	assert_true(host >= 0);
	plain = iso_open_in_root(host, "/proc/self/status", O_RDONLY);
	assert_true(plain >= 0);
	errno = 0;
	assert_int_equal(iso_open_in_root(host, "/proc/self/root", O_PATH), -1);
	assert_int_equal(errno, ELOOP);
}

static void mkpath_creates_missing_directories(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };
	cleanup_close int fd = iso_mkpath_in_root(tr->rootfd, "/x/y/z", false, &err);
	struct stat st;

	assert_fd_is(tr, fd, "root/x/y/z");
	assert_int_equal(at(tr->dir, "root/x/y/z", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void mkpath_creates_a_final_file(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };
	cleanup_close int fd = iso_mkpath_in_root(tr->rootfd, "//x/./y//f/", true, &err);
	struct stat st;

	assert_fd_is(tr, fd, "root/x/y/f");
	assert_int_equal(at(tr->dir, "root/x/y/f", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(at(tr->dir, "root/x/y", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void mkpath_returns_what_already_exists(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };
	cleanup_close int dir = iso_mkpath_in_root(tr->rootfd, "/etc", false, &err);
	cleanup_close int file = iso_mkpath_in_root(tr->rootfd, "/etc/hostname", true, &err);
	cleanup_close int root = iso_mkpath_in_root(tr->rootfd, "/", false, &err);

	assert_fd_is(tr, dir, "root/etc");
	assert_fd_is(tr, file, "root/etc/hostname");
	assert_fd_is(tr, root, "root");
}

static void mkpath_follows_an_absolute_symlink_inside_the_root(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };
	cleanup_close int data = iso_mkpath_in_root(tr->rootfd, "/data", false, &err);
	cleanup_close int fd = iso_mkpath_in_root(tr->rootfd, "/mirror/new/sub", false, &err);
	cleanup_free char *inside = xasprintf("root%s/new/sub", tr->dir->path);

	assert_fd_is(tr, data, "root/etc");
	assert_fd_is(tr, fd, inside);
	assert_missing(tr, "new");
}

static void mkpath_follows_a_climbing_symlink_inside_the_root(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };
	cleanup_close int fd = iso_mkpath_in_root(tr->rootfd, "/a/b/up/escaped/file", true, &err);
	cleanup_close int etc = iso_mkpath_in_root(tr->rootfd, "/a/b/up/etc/passwd", true, &err);

	assert_fd_is(tr, fd, "root/escaped/file");
	assert_missing(tr, "escaped");
	assert_fd_is(tr, etc, "root/etc/passwd");
	assert_missing(tr, "etc/passwd");
}

static void mkpath_refuses_dotdot(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_mkpath_in_root(tr->rootfd, "/x/../etc", false, &err), -1);
	assert_string_equal(err.msg, "path /x/../etc: \"..\" is not allowed");
	assert_missing(tr, "root/x");
}

static void mkpath_through_a_dangling_symlink_is_an_error(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_mkpath_in_root(tr->rootfd, "/dangling/x", false, &err), -1);
	assert_string_equal(err.msg, "open /dangling: No such file or directory");
	assert_int_equal(iso_mkpath_in_root(tr->rootfd, "/dangling", true, &err), -1);
	assert_string_equal(err.msg, "open /dangling: No such file or directory");
	assert_missing(tr, "root/nonexistent");
}

static void mkpath_through_a_file_is_an_error(void **state)
{
	struct tree *tr = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_mkpath_in_root(tr->rootfd, "/file/x", false, &err), -1);
	assert_string_equal(err.msg, "open /file: Not a directory");
	assert_int_equal(err.errnum, ENOTDIR);
}

#define TREE_TEST(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TREE_TEST(open_in_root_keeps_an_absolute_symlink_inside),
		TREE_TEST(open_in_root_keeps_a_climbing_symlink_inside),
		TREE_TEST(open_in_root_stops_dotdot_at_the_root),
		TREE_TEST(open_in_root_of_slash_is_the_root),
		TREE_TEST(open_in_root_is_close_on_exec),
		TREE_TEST(open_in_root_sets_errno_on_failure),
		TREE_TEST(open_in_root_refuses_magic_links),
		TREE_TEST(mkpath_creates_missing_directories),
		TREE_TEST(mkpath_creates_a_final_file),
		TREE_TEST(mkpath_returns_what_already_exists),
		TREE_TEST(mkpath_follows_an_absolute_symlink_inside_the_root),
		TREE_TEST(mkpath_follows_a_climbing_symlink_inside_the_root),
		TREE_TEST(mkpath_refuses_dotdot),
		TREE_TEST(mkpath_through_a_dangling_symlink_is_an_error),
		TREE_TEST(mkpath_through_a_file_is_an_error),
	};

	return cmocka_run_group_tests_name("pathres", tests, NULL, NULL);
}
