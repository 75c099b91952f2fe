/* util.h: path arithmetic, number parsing, string vectors, whole-file I/O. */
#include "helpers.h"

#include <errno.h>

#include "util.h"

#define assert_normalizes(...) check_normalizes(__FILE__, __LINE__, __VA_ARGS__)

static void check_normalizes(const char *file, int line, const char *in, const char *want)
{
	cleanup_free char *got = path_normalize(in);

	_assert_string_equal(got ? got : "(null)", want, file, line);
}

static void normalize_collapses_repeated_slashes(void **state)
{
	(void)state;
	assert_normalizes("//a//b", "/a/b");
	assert_normalizes("/a///b////c", "/a/b/c");
}

static void normalize_drops_dot_components(void **state)
{
	(void)state;
	assert_normalizes("/a/./b", "/a/b");
	assert_normalizes("/./a/.", "/a");
	assert_normalizes("/.", "/");
}

static void normalize_drops_trailing_slash(void **state)
{
	(void)state;
	assert_normalizes("/a/b/", "/a/b");
	assert_normalizes("/a//", "/a");
}

static void normalize_keeps_root(void **state)
{
	(void)state;
	assert_normalizes("/", "/");
	assert_normalizes("///", "/");
}

static void normalize_keeps_names_that_only_start_with_dots(void **state)
{
	(void)state;
	assert_normalizes("/a/..b/.c/...", "/a/..b/.c/...");
}

static void normalize_refuses_dotdot(void **state)
{
	(void)state;
	assert_null(path_normalize("/.."));
	assert_null(path_normalize("/a/.."));
	assert_null(path_normalize("/a/../b"));
	assert_null(path_normalize("/a/b/../../.."));
}

static void is_under_accepts_descendants_and_the_dir_itself(void **state)
{
	(void)state;
	assert_true(path_is_under("/a/b", "/a"));
	assert_true(path_is_under("/a/b/c", "/a"));
	assert_true(path_is_under("/a", "/a"));
}

static void is_under_rejects_a_sibling_sharing_a_prefix(void **state)
{
	(void)state;
	assert_false(path_is_under("/ab", "/a"));
	assert_false(path_is_under("/a-b/c", "/a"));
	assert_false(path_is_under("/b/a", "/a"));
	assert_false(path_is_under("/", "/a"));
	assert_false(path_is_under("/a", "/a/b"));
}

static void is_under_root_holds_every_absolute_path(void **state)
{
	(void)state;
	assert_true(path_is_under("/", "/"));
	assert_true(path_is_under("/x", "/"));
	assert_true(path_is_under("/x/y/z", "/"));
}

static void parse_u32_accepts_the_whole_range(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(parse_u32("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u32("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_u32("007", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u32("4294967295", &v), 0);
	assert_int_equal(v, UINT32_MAX);
}

/* Refused, and the output left alone. */
#define assert_u32_rejected(s) check_u32_rejected(__FILE__, __LINE__, s)

static void check_u32_rejected(const char *file, int line, const char *s)
{
	uint32_t v = 12345;

	_assert_int_equal(parse_u32(s, &v), -1, file, line);
	_assert_int_equal(v, 12345, file, line);
}

static void parse_u32_rejects_what_is_not_a_plain_number(void **state)
{
	(void)state;
	assert_u32_rejected(NULL);
	assert_u32_rejected("");
	assert_u32_rejected("-1");
	assert_u32_rejected("+1");
	assert_u32_rejected(" 1");
	assert_u32_rejected("1 ");
	assert_u32_rejected("1x");
	assert_u32_rejected("x1");
	assert_u32_rejected("0x10");
}

static void parse_u32_rejects_overflow(void **state)
{
	(void)state;
	assert_u32_rejected("4294967296");
	assert_u32_rejected("10000000000");
	assert_u32_rejected("18446744073709551616");
	assert_u32_rejected("99999999999999999999999999");
}

static void strv_len_counts_to_the_terminator(void **state)
{
	char *v[] = { "a", "b", "c", NULL };

	(void)state;
	assert_int_equal(strv_len(NULL), 0);
	assert_int_equal(strv_len(v), 3);
	assert_int_equal(strv_len(v + 3), 0);
}

static void strv_push_appends_a_copy(void **state)
{
	cleanup_strv char **v = NULL;
	char word[] = "first";

	(void)state;
	strv_push(&v, word);
	strv_push(&v, "second");
	word[0] = 'X';
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[0], "first");
	assert_string_equal(v[1], "second");
	assert_null(v[2]);
}

static void strv_push_owned_takes_the_pointer(void **state)
{
	cleanup_strv char **v = NULL;
	char *s = xstrdup("mine");

	(void)state;
	strv_push(&v, "before");
	strv_push_owned(&v, s);
	assert_int_equal(strv_len(v), 2);
	assert_ptr_equal(v[1], s);
	assert_null(v[2]);
}

static void strv_dup_copies_every_string(void **state)
{
	char *orig[] = { "x", "yy", NULL };
	cleanup_strv char **copy = strv_dup(orig);
	cleanup_strv char **empty = strv_dup(NULL);

	(void)state;
	assert_int_equal(strv_len(copy), 2);
	assert_string_equal(copy[0], "x");
	assert_string_equal(copy[1], "yy");
	assert_ptr_not_equal(copy[0], orig[0]);
	assert_null(copy[2]);
	assert_non_null(empty);
	assert_null(empty[0]);
}

static void xasprintf_formats(void **state)
{
	cleanup_free char *s = xasprintf("%s-%u", "id", 42u);

	(void)state;
	assert_string_equal(s, "id-42");
}

static void random_hex_id_is_twelve_hex_digits(void **state)
{
	char a[13], b[13];

	(void)state;
	memset(a, 'z', sizeof(a));
	random_hex_id(a);
	random_hex_id(b);
	assert_int_equal(strlen(a), 12);
	assert_int_equal(strspn(a, "0123456789abcdef"), 12);
	assert_string_not_equal(a, b);
}

static void write_all_then_read_file_at_round_trips(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "data");
	cleanup_free char *want = xmalloc(20000);
	cleanup_free char *got = NULL;
	struct iso_error err = { 0 };
	size_t len = 0;
	int fd;

	for (size_t i = 0; i < 20000; i++)
		want[i] = (char)('a' + i % 26);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, want, 20000), 0);
	close(fd);
	assert_int_equal(read_file_at(t->fd, "data", &got, &len, &err), 0);
	assert_int_equal(len, 20000);
	assert_memory_equal(got, want, 20000);
	assert_int_equal(got[20000], '\0');
}

static void read_file_at_reads_an_empty_file(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "empty", "");
	cleanup_free char *got = NULL;
	struct iso_error err = { 0 };
	size_t len = 99;

	assert_int_equal(read_file_at(AT_FDCWD, path, &got, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(got, "");
}

static void read_file_at_missing_file_says_open_and_why(void **state)
{
	struct tmpdir *t = *state;
	struct iso_error err = { 0 };
	char *got = NULL;

	assert_int_equal(read_file_at(t->fd, "missing", &got, NULL, &err), -1);
	assert_null(got);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg, "open missing: No such file or directory");
}

/* names from images and archives reach messages: no terminal escapes */
static void printable_hides_control_characters_and_cuts_long_strings(void **state)
{
	char out[8];

	(void)state;
	iso_printable("a\x1b[2Jb", out, sizeof(out));
	assert_string_equal(out, "a?[2Jb");
	iso_printable("abcdefghij", out, sizeof(out));
	assert_string_equal(out, "abcd...");
	iso_printable(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	iso_printable("x\x7f", out, sizeof(out));
	assert_string_equal(out, "x?");
}

static void write_all_fails_on_a_bad_fd(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(write_all(-1, "x", 1), -1);
	assert_int_equal(errno, EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_collapses_repeated_slashes),
		cmocka_unit_test(normalize_drops_dot_components),
		cmocka_unit_test(normalize_drops_trailing_slash),
		cmocka_unit_test(normalize_keeps_root),
		cmocka_unit_test(normalize_keeps_names_that_only_start_with_dots),
		cmocka_unit_test(normalize_refuses_dotdot),
		cmocka_unit_test(is_under_accepts_descendants_and_the_dir_itself),
		cmocka_unit_test(is_under_rejects_a_sibling_sharing_a_prefix),
		cmocka_unit_test(is_under_root_holds_every_absolute_path),
		cmocka_unit_test(parse_u32_accepts_the_whole_range),
		cmocka_unit_test(parse_u32_rejects_what_is_not_a_plain_number),
		cmocka_unit_test(parse_u32_rejects_overflow),
		cmocka_unit_test(strv_len_counts_to_the_terminator),
		cmocka_unit_test(strv_push_appends_a_copy),
		cmocka_unit_test(strv_push_owned_takes_the_pointer),
		cmocka_unit_test(strv_dup_copies_every_string),
		cmocka_unit_test(xasprintf_formats),
		cmocka_unit_test(random_hex_id_is_twelve_hex_digits),
		cmocka_unit_test_setup_teardown(write_all_then_read_file_at_round_trips,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(read_file_at_reads_an_empty_file,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(read_file_at_missing_file_says_open_and_why,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(write_all_fails_on_a_bad_fd),
		cmocka_unit_test(printable_hides_control_characters_and_cuts_long_strings),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
