/* mountinfo.h: mount points of a mountinfo table, decoded and ordered. */
#include "helpers.h"

#include <errno.h>

#include "mountinfo.h"

#define assert_unescapes(...) check_unescapes(__FILE__, __LINE__, __VA_ARGS__)

static void check_unescapes(const char *file, int line, const char *in, const char *want)
{
	cleanup_free char *got = iso_mountinfo_unescape(in);

	_assert_string_equal(got, want, file, line);
}

static void unescape_decodes_octal_escapes(void **state)
{
	(void)state;
	assert_unescapes("/mnt/my\\040disk", "/mnt/my disk");
	assert_unescapes("\\011tab\\012nl", "\ttab\nnl");
	assert_unescapes("back\\134slash", "back\\slash");
	assert_unescapes("\\040\\040", "  ");
	assert_unescapes("\\377", "\377");
}

static void unescape_keeps_what_is_not_an_escape(void **state)
{
	(void)state;
	assert_unescapes("/plain/path", "/plain/path");
	assert_unescapes("", "");
	assert_unescapes("a\\b", "a\\b");
	assert_unescapes("\\400", "\\400");
	assert_unescapes("\\08", "\\08");
	assert_unescapes("end\\04", "end\\04");
	assert_unescapes("end\\", "end\\");
}

/* GOT holds exactly the mount points of WANT, in order. */
#define assert_points(...) check_points(__FILE__, __LINE__, __VA_ARGS__)

static void check_points(const char *file, int line, char **got, const char *const *want)
{
	size_t n = 0;

	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < n && got[i] != NULL; i++)
		_assert_string_equal(got[i], want[i], file, line);
	_assert_int_equal(strv_len(got), n, file, line);
}

static void points_skip_root_dedup_and_sort_parents_first(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "mountinfo",
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"30 22 0:5 / /sys rw,nosuid shared:2 - sysfs sysfs rw\n"
		"32 30 0:7 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw\n"
		"31 22 0:6 / /home rw shared:3 - ext4 /dev/sda2 rw\n"
		"37 36 0:12 / /a/b rw - tmpfs tmpfs rw\n"
		"33 22 0:8 / /mnt/my\\040disk rw shared:5 - ext4 /dev/sdb1 rw\n"
		"34 22 0:9 / /home rw shared:6 - tmpfs tmpfs rw\n"
		"35 22 0:10 / /a-b rw - tmpfs tmpfs rw\n"
		"36 22 0:11 / /a rw - tmpfs tmpfs rw\n"
		"38 22 0:13 /sub / rw - tmpfs tmpfs rw\n");
	const char *want[] = { "/a", "/a-b", "/a/b", "/home", "/mnt/my disk", "/sys",
			       "/sys/fs/cgroup", NULL };
	cleanup_strv char **points = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_mountinfo_points(path, &points, &err), 0);
	assert_points(points, want);
}

static void points_of_a_root_only_table_are_empty(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *root_only = tmp_file(t, "root-only",
		"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
	cleanup_free char *empty = tmp_file(t, "empty", "");
	cleanup_strv char **a = NULL;
	cleanup_strv char **b = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_mountinfo_points(root_only, &a, &err), 0);
	assert_non_null(a);
	assert_null(a[0]);
	assert_int_equal(iso_mountinfo_points(empty, &b, &err), 0);
	assert_non_null(b);
	assert_null(b[0]);
}

static void points_of_a_missing_file_is_an_error(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "missing");
	cleanup_free char *want = xasprintf("open %s: No such file or directory", path);
	char **points = NULL;
	struct iso_error err = { 0 };

	assert_int_equal(iso_mountinfo_points(path, &points, &err), -1);
	assert_null(points);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg, want);
}

static void points_of_this_process_are_absolute_sorted_and_unique(void **state)
{
	cleanup_strv char **points = NULL;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_mountinfo_points("/proc/self/mountinfo", &points, &err), 0);
	for (size_t i = 0; points[i] != NULL; i++) {
		assert_int_equal(points[i][0], '/');
		assert_string_not_equal(points[i], "/");
		if (i > 0)
			assert_true(strcmp(points[i - 1], points[i]) < 0);
	}
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unescape_decodes_octal_escapes),
		cmocka_unit_test(unescape_keeps_what_is_not_an_escape),
		TMP_TEST(points_skip_root_dedup_and_sort_parents_first),
		TMP_TEST(points_of_a_root_only_table_are_empty),
		TMP_TEST(points_of_a_missing_file_is_an_error),
		cmocka_unit_test(points_of_this_process_are_absolute_sorted_and_unique),
	};

	return cmocka_run_group_tests_name("mountinfo", tests, NULL, NULL);
}
