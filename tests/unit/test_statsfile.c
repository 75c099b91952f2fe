/* statsfile.h: the --stats-file JSON, written whole. */
#include "helpers.h"

#include <dirent.h>

#include "statsfile.h"

static void json_has_every_count_and_null_where_unknown(void **state)
{
	struct iso_cgroup_stats st = { 1000, 4096, 8192, -1, 0, 5 };
	cleanup_free char *text = iso_statsfile_json(&st);

	(void)state;
	assert_string_equal(text, "{\"cpu_usage_ns\":1000,\"memory_current\":4096,\"memory_peak\":8192,"
			    "\"pids_current\":null,\"io_read_bytes\":0,\"io_write_bytes\":5}");
}

static void write_replaces_the_file_and_leaves_no_temporary(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "stats.json");
	cleanup_free char *text = NULL;
	struct iso_cgroup_stats st = { 1, 2, 3, 4, 5, 6 };
	struct iso_statsfile sf;
	struct iso_error err;

	assert_int_equal(iso_statsfile_open(&sf, path, &err), 0);
	assert_int_equal(iso_statsfile_write(&sf, &st, &err), 0);
	st.pids_current = 40;
	assert_int_equal(iso_statsfile_write(&sf, &st, &err), 0);
	iso_statsfile_close(&sf);
	assert_int_equal(read_file_at(t->fd, "stats.json", &text, NULL, &err), 0);
	assert_non_null(strstr(text, "\"pids_current\":40"));
	/* nothing but the file itself is left */
	{
		DIR *d = opendir(t->path);
		struct dirent *e;
		int n = 0;

		assert_non_null(d);
		while ((e = readdir(d)) != NULL)
			n += e->d_name[0] != '.' || strncmp(e->d_name, ".stats", 6) == 0;
		closedir(d);
		assert_int_equal(n, 1);
	}
}

static void a_missing_directory_is_refused_up_front(void **state)
{
	struct iso_statsfile sf;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_statsfile_open(&sf, "/nonexistent-dir/stats.json", &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent-dir"));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_int_equal(iso_statsfile_open(&sf, "/tmp/", &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_has_every_count_and_null_where_unknown),
		cmocka_unit_test_setup_teardown(write_replaces_the_file_and_leaves_no_temporary,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(a_missing_directory_is_refused_up_front),
	};

	return cmocka_run_group_tests_name("statsfile", tests, NULL, NULL);
}
