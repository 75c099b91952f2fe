/* exec.h: docker's statuses when the command cannot be executed.  Every
 * case here fails before anything runs, so the test process stays itself. */
#include "helpers.h"

#include <errno.h>

#include "exec.h"

#define NO_SUCH_CMD "isolate-unit-no-such-command"

/* Runs iso_exec, which must fail, and returns its error. */
static struct iso_error exec_fails(const char *cmd, char *const *envp)
{
	char *argv[] = { (char *)cmd, "arg", NULL };
	struct iso_error err = { 0 };

	assert_int_equal(iso_exec(argv, envp, &err), -1);
	return err;
}

/* A file of mode 0644 named NAME in the test directory. */
static char *not_executable(const struct tmpdir *t, const char *name)
{
	char *path = tmp_file(t, name, "#!/bin/sh\nexit 0\n");

	assert_int_equal(chmod(path, 0644), 0);
	return path;
}

static void command_not_on_path_is_127(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = xasprintf("PATH=%s:/nonexistent-isolate-dir", t->path);
	char *envp[] = { path, NULL };
	struct iso_error err = exec_fails(NO_SUCH_CMD, envp);

	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
	assert_int_equal(err.errnum, 0);
	assert_string_equal(err.msg, "exec " NO_SUCH_CMD ": executable file not found in $PATH");
}

static void command_not_on_default_path_is_127(void **state)
{
	char *envp[] = { "HOME=/", NULL };
	struct iso_error err;

	(void)state;
	err = exec_fails(NO_SUCH_CMD, envp);
	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
	assert_string_equal(err.msg, "exec " NO_SUCH_CMD ": executable file not found in $PATH");
}

static void missing_absolute_path_is_127(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *cmd = tmp_path(t, "missing");
	cleanup_free char *want = xasprintf("exec %s: No such file or directory", cmd);
	struct iso_error err = exec_fails(cmd, NULL);

	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg, want);
}

static void path_through_a_file_is_127(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *file = not_executable(t, "file");
	cleanup_free char *cmd = xasprintf("%s/x", file);
	struct iso_error err = exec_fails(cmd, NULL);

	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
	assert_int_equal(err.errnum, ENOTDIR);
}

static void empty_command_is_127(void **state)
{
	struct iso_error err;

	(void)state;
	err = exec_fails("", NULL);
	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
	assert_string_equal(err.msg, "exec : No such file or directory");
}

static void non_executable_file_is_126(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *cmd = not_executable(t, "script");
	cleanup_free char *want = xasprintf("exec %s: Permission denied", cmd);
	struct iso_error err = exec_fails(cmd, NULL);

	assert_int_equal(err.status, ISO_EXIT_CANNOT_EXEC);
	assert_int_equal(err.errnum, EACCES);
	assert_string_equal(err.msg, want);
}

static void non_executable_file_found_on_path_is_126(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *file = not_executable(t, "script");
	cleanup_free char *path = xasprintf("PATH=/nonexistent-isolate-dir:%s:/nonexistent-2",
					    t->path);
	char *envp[] = { path, NULL };
	struct iso_error err = exec_fails("script", envp);

	assert_int_equal(err.status, ISO_EXIT_CANNOT_EXEC);
	assert_int_equal(err.errnum, EACCES);
	assert_string_equal(err.msg, "exec script: Permission denied");
}

static void directory_is_126(void **state)
{
	struct tmpdir *t = *state;
	struct iso_error err = exec_fails(t->path, NULL);

	assert_int_equal(err.status, ISO_EXIT_CANNOT_EXEC);
	assert_int_equal(err.errnum, EACCES);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMP_TEST(command_not_on_path_is_127),
		cmocka_unit_test(command_not_on_default_path_is_127),
		TMP_TEST(missing_absolute_path_is_127),
		TMP_TEST(path_through_a_file_is_127),
		cmocka_unit_test(empty_command_is_127),
		TMP_TEST(non_executable_file_is_126),
		TMP_TEST(non_executable_file_found_on_path_is_126),
		TMP_TEST(directory_is_126),
	};

	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
