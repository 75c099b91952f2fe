/* Shared by the unit tests: cmocka's includes in the order it wants them,
 * and a private temporary directory per test that the teardown removes
 * whether the test passed or not.
 *
 * A helper that checks on behalf of a test is named check_*, takes the
 * caller's file and line and uses cmocka's _assert_* functions, so that a
 * failure points at the test's line; an assert_* macro passes them. */
#ifndef ISOLATE_TEST_HELPERS_H
#define ISOLATE_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct tmpdir {
	char path[32];
	int fd;                 /* O_PATH directory fd of path */
};

/* Setup: a fresh directory under /tmp in *state. */
static inline int tmpdir_setup(void **state)
{
	struct tmpdir *t = xcalloc(1, sizeof(*t));

	snprintf(t->path, sizeof(t->path), "/tmp/isolate-unit-XXXXXX");
	if (mkdtemp(t->path) == NULL) {
		free(t);
		return -1;
	}
	t->fd = open(t->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->fd < 0) {
		rmdir(t->path);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static inline int remove_entry(const char *path, const struct stat *st, int flag,
			       struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Teardown: removes the directory and all it holds, symlinks unfollowed. */
static inline int tmpdir_teardown(void **state)
{
	struct tmpdir *t = *state;
	int r;

	if (t == NULL)
		return 0;
	close(t->fd);
	r = nftw(t->path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	*state = NULL;
	return r;
}

/* The path of NAME in the directory; the caller frees it. */
static inline char *tmp_path(const struct tmpdir *t, const char *name)
{
	return xasprintf("%s/%s", t->path, name);
}

/* Writes CONTENT to the file PATH, replacing it. */
static inline void write_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, content, strlen(content)), 0);
	assert_int_equal(close(fd), 0);
}

/* Writes CONTENT to NAME in the directory and returns its path. */
static inline char *tmp_file(const struct tmpdir *t, const char *name, const char *content)
{
	char *path = tmp_path(t, name);

	write_file(path, content);
	return path;
}

#endif
