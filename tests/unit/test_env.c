/* env.h: docker's default environment, -e and --env-file. */
#include "helpers.h"

#include "env.h"

#define DEFAULT_PATH "PATH=" ISO_DEFAULT_PATH

/* GOT holds exactly the entries of WANT, in order. */
#define assert_env_equal(...) check_env_equal(__FILE__, __LINE__, __VA_ARGS__)

static void check_env_equal(const char *file, int line, char *const *got,
			    const char *const *want)
{
	size_t n = 0;

	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < n && got != NULL && got[i] != NULL; i++)
		_assert_string_equal(got[i], want[i], file, line);
	_assert_int_equal(strv_len(got), n, file, line);
}

static void build_gives_path_hostname_and_home(void **state)
{
	cleanup_strv char **env = iso_env_build(NULL, "box", "/root", false);
	const char *want[] = { DEFAULT_PATH, "HOSTNAME=box", "HOME=/root", NULL };

	(void)state;
	assert_env_equal(env, want);
}

static void build_sets_term_only_with_a_terminal(void **state)
{
	cleanup_strv char **tty = iso_env_build(NULL, "box", "/root", true);
	cleanup_strv char **no_tty = iso_env_build(NULL, "box", "/root", false);

	(void)state;
	assert_string_equal(iso_env_get(tty, "TERM"), "xterm");
	assert_null(iso_env_get(no_tty, "TERM"));
}

static void build_defaults_home_to_root_dir_and_skips_a_null_hostname(void **state)
{
	cleanup_strv char **env = iso_env_build(NULL, NULL, NULL, false);
	const char *want[] = { DEFAULT_PATH, "HOME=/", NULL };

	(void)state;
	assert_env_equal(env, want);
}

static void build_user_entries_override_defaults_in_place(void **state)
{
	char *user[] = { "HOME=/custom", "PATH=/bin", NULL };
	cleanup_strv char **env = iso_env_build(user, "box", "/root", false);
	const char *want[] = { "PATH=/bin", "HOSTNAME=box", "HOME=/custom", NULL };

	(void)state;
	assert_env_equal(env, want);
}

static void build_appends_other_user_entries_in_order(void **state)
{
	char *user[] = { "ZED=1", "ALPHA=2", "ZED=3", "EMPTY=", NULL };
	cleanup_strv char **env = iso_env_build(user, "box", "/h", true);
	const char *want[] = {
		DEFAULT_PATH, "HOSTNAME=box", "TERM=xterm", "HOME=/h",
		"ZED=3", "ALPHA=2", "EMPTY=", NULL,
	};

	(void)state;
	assert_env_equal(env, want);
}

static void build_matches_whole_keys_only(void **state)
{
	char *user[] = { "PATHX=1", "PAT=2", "HOME_DIR=/x", NULL };
	cleanup_strv char **env = iso_env_build(user, NULL, "/h", false);
	const char *want[] = { DEFAULT_PATH, "HOME=/h", "PATHX=1", "PAT=2", "HOME_DIR=/x", NULL };

	(void)state;
	assert_env_equal(env, want);
}

static void get_returns_the_value_of_the_whole_key(void **state)
{
	char *env[] = { "AB=2", "A=1", "C=", "BARE", "D=x=y", NULL };

	(void)state;
	assert_string_equal(iso_env_get(env, "A"), "1");
	assert_string_equal(iso_env_get(env, "AB"), "2");
	assert_string_equal(iso_env_get(env, "C"), "");
	assert_string_equal(iso_env_get(env, "D"), "x=y");
}

static void get_returns_null_when_unset(void **state)
{
	char *env[] = { "AB=2", "BARE", NULL };

	(void)state;
	assert_null(iso_env_get(env, "A"));
	assert_null(iso_env_get(env, "ABC"));
	assert_null(iso_env_get(env, "BARE"));
	assert_null(iso_env_get(env, ""));
	assert_null(iso_env_get(NULL, "AB"));
}

static void parse_arg_keeps_key_value_as_is(void **state)
{
	char *host[] = { "A=host", NULL };
	struct iso_error err = { 0 };
	cleanup_free char *out = NULL;
	cleanup_free char *empty = NULL;

	(void)state;
	assert_int_equal(iso_env_parse_arg("A=b=c", host, &out, &err), 0);
	assert_string_equal(out, "A=b=c");
	assert_int_equal(iso_env_parse_arg("A=", host, &empty, &err), 0);
	assert_string_equal(empty, "A=");
}

static void parse_arg_takes_a_bare_key_from_the_host(void **state)
{
	char *host[] = { "FOOBAR=no", "FOO=bar", NULL };
	struct iso_error err = { 0 };
	cleanup_free char *out = NULL;

	(void)state;
	assert_int_equal(iso_env_parse_arg("FOO", host, &out, &err), 0);
	assert_string_equal(out, "FOO=bar");
}

static void parse_arg_drops_a_bare_key_the_host_lacks(void **state)
{
	char *host[] = { "FOO=bar", NULL };
	struct iso_error err = { 0 };
	char sentinel[] = "untouched";
	char *out = sentinel;

	(void)state;
	assert_int_equal(iso_env_parse_arg("MISSING", host, &out, &err), 0);
	assert_null(out);
	out = sentinel;
	assert_int_equal(iso_env_parse_arg("FOO", NULL, &out, &err), 0);
	assert_null(out);
}

static void parse_arg_rejects_an_empty_name(void **state)
{
	struct iso_error err = { 0 };
	char *out = NULL;

	(void)state;
	assert_int_equal(iso_env_parse_arg("=x", NULL, &out, &err), -1);
	assert_null(out);
	assert_string_equal(err.msg, "invalid environment variable =x: empty name");
	assert_int_equal(iso_env_parse_arg("", NULL, &out, &err), -1);
	assert_string_equal(err.msg, "invalid environment variable : empty name");
}

static void parse_file_skips_comments_and_blank_lines(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "env.list",
		"# a comment\n\nA=1\n   \n  # indented comment\n#HIDDEN=1\nB=two words\n"
		"HOSTVAR\nMISSING\n\tC=3\nLAST=no newline");
	char *host[] = { "HOSTVAR=from host", NULL };
	const char *want[] = { "A=1", "B=two words", "HOSTVAR=from host", "C=3",
			       "LAST=no newline", NULL };
	cleanup_strv char **env = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_env_parse_file(path, host, &env, &err), 0);
	assert_env_equal(env, want);
}

static void parse_file_strips_crlf_line_ends(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "env.list", "A=1\r\n\r\n#c\r\nB=2\r\n");
	const char *want[] = { "A=1", "B=2", NULL };
	cleanup_strv char **env = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_env_parse_file(path, NULL, &env, &err), 0);
	assert_env_equal(env, want);
}

static void parse_file_appends_to_the_entries_given(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "env.list", "B=2\n");
	const char *want[] = { "A=1", "B=2", NULL };
	cleanup_strv char **env = NULL;
	struct iso_error err = { 0 };

	strv_push(&env, "A=1");
	assert_int_equal(iso_env_parse_file(path, NULL, &env, &err), 0);
	assert_env_equal(env, want);
}

static void parse_file_missing_file_says_open_env_file(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "missing.list");
	cleanup_free char *want = xasprintf("open env file %s: No such file or directory", path);
	cleanup_strv char **env = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_env_parse_file(path, NULL, &env, &err), -1);
	assert_string_equal(err.msg, want);
	assert_null(env);
}

static void parse_file_bad_line_names_file_and_line(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "env.list", "A=1\n# x\n=oops\n");
	cleanup_free char *want = xasprintf("%s:3: invalid environment variable =oops: empty name",
					    path);
	cleanup_strv char **env = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_env_parse_file(path, NULL, &env, &err), -1);
	assert_string_equal(err.msg, want);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_gives_path_hostname_and_home),
		cmocka_unit_test(build_sets_term_only_with_a_terminal),
		cmocka_unit_test(build_defaults_home_to_root_dir_and_skips_a_null_hostname),
		cmocka_unit_test(build_user_entries_override_defaults_in_place),
		cmocka_unit_test(build_appends_other_user_entries_in_order),
		cmocka_unit_test(build_matches_whole_keys_only),
		cmocka_unit_test(get_returns_the_value_of_the_whole_key),
		cmocka_unit_test(get_returns_null_when_unset),
		cmocka_unit_test(parse_arg_keeps_key_value_as_is),
		cmocka_unit_test(parse_arg_takes_a_bare_key_from_the_host),
		cmocka_unit_test(parse_arg_drops_a_bare_key_the_host_lacks),
		cmocka_unit_test(parse_arg_rejects_an_empty_name),
		TMP_TEST(parse_file_skips_comments_and_blank_lines),
		TMP_TEST(parse_file_strips_crlf_line_ends),
		TMP_TEST(parse_file_appends_to_the_entries_given),
		TMP_TEST(parse_file_missing_file_says_open_env_file),
		TMP_TEST(parse_file_bad_line_names_file_and_line),
	};

	return cmocka_run_group_tests_name("env", tests, NULL, NULL);
}
