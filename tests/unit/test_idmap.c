/* idmap.h: --uidmap parsing, validation against the kernel's rules,
 * translation, /etc/subuid lookups and isolate's default mapping. */
#include "helpers.h"

#include "idmap.h"
#include "spec.h"

#define MAP(c, h, s) ((struct iso_idmap){ .container_id = (c), .host_id = (h), .size = (s) })

#define assert_map_equal(...) check_map_equal(__FILE__, __LINE__, __VA_ARGS__)

static void check_map_equal(const char *file, int line, struct iso_idmap got,
			    struct iso_idmap want)
{
	_assert_int_equal(got.container_id, want.container_id, file, line);
	_assert_int_equal(got.host_id, want.host_id, file, line);
	_assert_int_equal(got.size, want.size, file, line);
}

static void parse_reads_container_host_size(void **state)
{
	struct iso_idmap m = { 0 };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_parse("0:100000:65536", &m, &err), 0);
	assert_map_equal(m, MAP(0, 100000, 65536));
	assert_int_equal(iso_idmap_parse("4294967294:0:1", &m, &err), 0);
	assert_map_equal(m, MAP(4294967294u, 0, 1));
}

#define assert_parse_fails(...) check_parse_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_parse_fails(const char *file, int line, const char *s, const char *want)
{
	struct iso_idmap m = { 0 };
	struct iso_error err = { 0 };

	_assert_int_equal(iso_idmap_parse(s, &m, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
}

static void parse_rejects_a_missing_field(void **state)
{
	(void)state;
	assert_parse_fails("0:100000",
			   "invalid id map 0:100000: expected CONTAINER:HOST:SIZE");
	assert_parse_fails("0", "invalid id map 0: expected CONTAINER:HOST:SIZE");
	assert_parse_fails("", "invalid id map : expected CONTAINER:HOST:SIZE");
}

static void parse_rejects_an_extra_field(void **state)
{
	(void)state;
	assert_parse_fails("0:1:2:3", "invalid id map 0:1:2:3: expected CONTAINER:HOST:SIZE");
	assert_parse_fails("0:1:2:", "invalid id map 0:1:2:: expected CONTAINER:HOST:SIZE");
}

static void parse_rejects_non_numeric_fields(void **state)
{
	(void)state;
	assert_parse_fails("a:1:2",
			   "invalid id map a:1:2: expected CONTAINER:HOST:SIZE in decimal");
	assert_parse_fails("0:-1:2",
			   "invalid id map 0:-1:2: expected CONTAINER:HOST:SIZE in decimal");
	assert_parse_fails("0:1:2x",
			   "invalid id map 0:1:2x: expected CONTAINER:HOST:SIZE in decimal");
	assert_parse_fails("0::2",
			   "invalid id map 0::2: expected CONTAINER:HOST:SIZE in decimal");
	assert_parse_fails("0:4294967296:1",
			   "invalid id map 0:4294967296:1: expected CONTAINER:HOST:SIZE in decimal");
}

static void parse_rejects_size_zero(void **state)
{
	(void)state;
	assert_parse_fails("0:1000:0", "invalid id map 0:1000:0: size must be at least 1");
}

static void validate_accepts_disjoint_and_adjacent_ranges(void **state)
{
	struct iso_idmap maps[] = { MAP(0, 1000, 1), MAP(1, 100000, 65535), MAP(65536, 1001, 9) };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(maps, 3, &err), 0);
}

static void validate_accepts_a_range_ending_below_the_largest_id(void **state)
{
	struct iso_idmap whole = MAP(0, 0, UINT32_MAX);
	struct iso_idmap last = MAP(UINT32_MAX - 1, UINT32_MAX - 1, 1);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(&whole, 1, &err), 0);
	assert_int_equal(iso_idmap_validate(&last, 1, &err), 0);
}

static void validate_rejects_no_ranges(void **state)
{
	struct iso_idmap m = MAP(0, 0, 1);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(&m, 0, &err), -1);
	assert_string_equal(err.msg, "no mapping given");
}

static void validate_rejects_an_empty_range(void **state)
{
	struct iso_idmap maps[] = { MAP(0, 1000, 1), MAP(5, 2000, 0) };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(maps, 2, &err), -1);
	assert_string_equal(err.msg, "5:2000:0: size must be at least 1");
}

static void validate_rejects_a_range_past_the_largest_id(void **state)
{
	struct iso_idmap container_side = MAP(1, 0, UINT32_MAX);
	struct iso_idmap host_side = MAP(0, UINT32_MAX, 1);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(&container_side, 1, &err), -1);
	assert_string_equal(err.msg, "1:0:4294967295: range goes past the largest id");
	assert_int_equal(iso_idmap_validate(&host_side, 1, &err), -1);
	assert_string_equal(err.msg, "0:4294967295:1: range goes past the largest id");
}

static void validate_rejects_overlapping_container_ranges(void **state)
{
	struct iso_idmap maps[] = { MAP(0, 1000, 10), MAP(9, 5000, 10) };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(maps, 2, &err), -1);
	assert_string_equal(err.msg, "9:5000:10 overlaps 0:1000:10");
}

static void validate_rejects_overlapping_host_ranges(void **state)
{
	struct iso_idmap maps[] = { MAP(0, 1000, 10), MAP(100, 990, 11) };
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_idmap_validate(maps, 2, &err), -1);
	assert_string_equal(err.msg, "100:990:11 overlaps 0:1000:10");
}

static void validate_limits_the_number_of_ranges_to_340(void **state)
{
	struct iso_idmap maps[ISO_MAX_IDMAPS + 1];
	struct iso_error err = { 0 };

	(void)state;
	for (uint32_t i = 0; i < ISO_MAX_IDMAPS + 1; i++)
		maps[i] = MAP(i, 100000 + i, 1);
	assert_int_equal(iso_idmap_validate(maps, ISO_MAX_IDMAPS, &err), 0);
	assert_int_equal(iso_idmap_validate(maps, ISO_MAX_IDMAPS + 1, &err), -1);
	assert_string_equal(err.msg, "more than 340 ranges");
}

static void to_host_translates_inside_each_range(void **state)
{
	struct iso_idmap maps[] = { MAP(0, 100000, 65536), MAP(65536, 1000, 1) };
	uint32_t host = 0;

	(void)state;
	assert_int_equal(iso_idmap_to_host(maps, 2, 0, &host), 0);
	assert_int_equal(host, 100000);
	assert_int_equal(iso_idmap_to_host(maps, 2, 65535, &host), 0);
	assert_int_equal(host, 165535);
	assert_int_equal(iso_idmap_to_host(maps, 2, 65536, &host), 0);
	assert_int_equal(host, 1000);
	assert_int_equal(iso_idmap_to_host(maps, 2, 5, NULL), 0);
}

static void to_host_refuses_unmapped_ids(void **state)
{
	struct iso_idmap maps[] = { MAP(10, 100000, 5) };
	uint32_t host = 77;

	(void)state;
	assert_int_equal(iso_idmap_to_host(maps, 1, 9, &host), -1);
	assert_int_equal(iso_idmap_to_host(maps, 1, 15, &host), -1);
	assert_int_equal(iso_idmap_to_host(maps, 1, 0, &host), -1);
	assert_int_equal(iso_idmap_to_host(maps, 0, 10, &host), -1);
	assert_int_equal(host, 77);
}

static int lookup(const char *path, const char *name, uid_t uid, uint32_t *start,
		  uint32_t *count, struct iso_error *err)
{
	*start = *count = 0;
	return iso_subid_lookup(path, name, uid, start, count, err);
}

static void subid_lookup_finds_an_entry_by_name(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "subuid",
					   "alice:100000:65536\nisolate:200000:1000\n");
	struct iso_error err = { 0 };
	uint32_t start, count;

	assert_int_equal(lookup(path, "isolate", 4242, &start, &count, &err), 0);
	assert_int_equal(start, 200000);
	assert_int_equal(count, 1000);
}

static void subid_lookup_finds_an_entry_by_numeric_uid(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "subuid",
					   "alice:100000:65536\n1000:300000:500\n");
	struct iso_error err = { 0 };
	uint32_t start, count;

	assert_int_equal(lookup(path, "bob", 1000, &start, &count, &err), 0);
	assert_int_equal(start, 300000);
	assert_int_equal(count, 500);
}

static void subid_lookup_takes_the_first_non_empty_range(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "subuid",
					   "# ranges\n\nisolate:1:0\nisolate:5000:10\nisolate:9000:20\n");
	struct iso_error err = { 0 };
	uint32_t start, count;

	assert_int_equal(lookup(path, "isolate", 0, &start, &count, &err), 0);
	assert_int_equal(start, 5000);
	assert_int_equal(count, 10);
}

static void subid_lookup_missing_entry_returns_1(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "subuid", "alice:100000:65536\n");
	struct iso_error err = { 0 };
	uint32_t start, count;

	assert_int_equal(lookup(path, "isolate", 1000, &start, &count, &err), 1);
	assert_string_equal(err.msg, "");
}

static void subid_lookup_missing_file_returns_1(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "no-such-subuid");
	struct iso_error err = { 0 };
	uint32_t start, count;

	assert_int_equal(lookup(path, "isolate", 0, &start, &count, &err), 1);
	assert_string_equal(err.msg, "");
}

/* A subuid file of CONTENT is refused at line LINENO.  Nothing is left
 * on the heap, so that a failure here leaks nothing either. */
#define assert_malformed_at(...) check_malformed_at(__FILE__, __LINE__, __VA_ARGS__)

static void check_malformed_at(const char *file, int line, const struct tmpdir *t,
			       const char *content, unsigned lineno)
{
	char path[sizeof(t->path) + 8], want[sizeof(path) + 64];
	struct iso_error err = { 0 };
	uint32_t start, count;

	snprintf(path, sizeof(path), "%s/subuid", t->path);
	snprintf(want, sizeof(want), "%s:%u: expected NAME:START:COUNT", path, lineno);
	write_file(path, content);

	_assert_int_equal(lookup(path, "isolate", 0, &start, &count, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
}

static void subid_lookup_malformed_line_names_file_and_line(void **state)
{
	struct tmpdir *t = *state;

	assert_malformed_at(t, "alice:1:2\n\nbroken\n", 3);
	assert_malformed_at(t, "isolate:100000\n", 1);
	assert_malformed_at(t, "alice:1:2\nisolate:x:5\n", 2);
	assert_malformed_at(t, "isolate:1:-5\n", 1);
}

/* subuid(5) lines are three non-empty fields (newuidmap ignores any other
 * line); a damaged line with an empty field must be refused, not read as
 * a shifted range. */
static void subid_lookup_refuses_an_empty_field(void **state)
{
	struct tmpdir *t = *state;

	assert_malformed_at(t, "isolate::100000:65536\n", 1);
	assert_malformed_at(t, "isolate:100000::65536\n", 1);
	assert_malformed_at(t, ":isolate:100000:65536\n", 1);
}

static void fill_defaults_without_subid_files_maps_100000_65536(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_path(t, "subuid");
	cleanup_free char *subgid = tmp_path(t, "subgid");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_defaults(spec, subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 1);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 100000, 65536));
	assert_int_equal(spec->linux_.n_gid_mappings, 1);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 100000, 65536));
	iso_spec_free(spec);
}

static void fill_defaults_uses_the_ranges_of_user_isolate(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "root:1:2\nisolate:200000:65536\n");
	cleanup_free char *subgid = tmp_file(t, "subgid", "isolate:300000:70000\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_defaults(spec, subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 1);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 200000, 65536));
	assert_int_equal(spec->linux_.n_gid_mappings, 1);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 300000, 65536));
	iso_spec_free(spec);
}

static void fill_defaults_keeps_a_range_smaller_than_65536(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "isolate:200000:1000\n");
	cleanup_free char *subgid = tmp_path(t, "subgid");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_defaults(spec, subuid, subgid, &err), 0);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 200000, 1000));
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 100000, 65536));
	iso_spec_free(spec);
}

static void fill_defaults_copies_a_given_uid_map_to_the_gid_map(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "isolate:200000:65536\n");
	cleanup_free char *subgid = tmp_file(t, "subgid", "isolate:300000:65536\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	spec->linux_.uid_mappings[0] = MAP(0, 1000, 1);
	spec->linux_.uid_mappings[1] = MAP(1, 500000, 100);
	spec->linux_.n_uid_mappings = 2;
	assert_int_equal(iso_idmap_fill_defaults(spec, subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 2);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 1000, 1));
	assert_map_equal(spec->linux_.uid_mappings[1], MAP(1, 500000, 100));
	assert_int_equal(spec->linux_.n_gid_mappings, 2);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 1000, 1));
	assert_map_equal(spec->linux_.gid_mappings[1], MAP(1, 500000, 100));
	iso_spec_free(spec);
}

static void fill_defaults_keeps_a_gid_map_given_alone(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "isolate:200000:65536\n");
	cleanup_free char *subgid = tmp_file(t, "subgid", "isolate:300000:65536\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	spec->linux_.gid_mappings[0] = MAP(0, 5000, 10);
	spec->linux_.n_gid_mappings = 1;
	assert_int_equal(iso_idmap_fill_defaults(spec, subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 1);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 200000, 65536));
	assert_int_equal(spec->linux_.n_gid_mappings, 1);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 5000, 10));
	iso_spec_free(spec);
}

static void fill_defaults_reports_a_malformed_subuid(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "isolate\n");
	cleanup_free char *subgid = tmp_path(t, "subgid");
	cleanup_free char *want = xasprintf("%s:1: expected NAME:START:COUNT", subuid);
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_defaults(spec, subuid, subgid, &err), -1);
	assert_string_equal(err.msg, want);
	iso_spec_free(spec);
}

static void fill_rootless_maps_root_to_the_caller_alone_without_ranges(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_path(t, "subuid");
	cleanup_free char *subgid = tmp_file(t, "subgid", "bob:300000:65536\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_rootless(spec, 1000, 1001, "alice", subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 1);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 1000, 1));
	assert_int_equal(spec->linux_.n_gid_mappings, 1);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 1001, 1));
	assert_true(iso_idmap_is_single(spec, 1000, 1001));
	iso_spec_free(spec);
}

static void fill_rootless_maps_ids_from_1_onto_the_callers_range(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "alice:100000:65536\n");
	cleanup_free char *subgid = tmp_file(t, "subgid", "1000:200000:1000\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_rootless(spec, 1000, 1001, "alice", subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 2);
	assert_map_equal(spec->linux_.uid_mappings[0], MAP(0, 1000, 1));
	assert_map_equal(spec->linux_.uid_mappings[1], MAP(1, 100000, 65535));
	assert_int_equal(spec->linux_.n_gid_mappings, 2);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 1001, 1));
	assert_map_equal(spec->linux_.gid_mappings[1], MAP(1, 200000, 1000));
	assert_false(iso_idmap_is_single(spec, 1000, 1001));
	iso_spec_free(spec);
}

static void fill_rootless_ignores_a_malformed_subid_file(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "alice\n");
	cleanup_free char *subgid = tmp_file(t, "subgid", "alice:x:1\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	assert_int_equal(iso_idmap_fill_rootless(spec, 1000, 1000, "alice", subuid, subgid, &err), 0);
	assert_true(iso_idmap_is_single(spec, 1000, 1000));
	iso_spec_free(spec);
}

static void fill_rootless_leaves_given_maps_and_copies_uid_to_gid(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *subuid = tmp_file(t, "subuid", "alice:100000:65536\n");
	cleanup_free char *subgid = tmp_file(t, "subgid", "alice:200000:65536\n");
	struct iso_spec *spec = iso_spec_new();
	struct iso_error err = { 0 };

	spec->linux_.uid_mappings[0] = MAP(0, 1000, 1);
	spec->linux_.n_uid_mappings = 1;
	assert_int_equal(iso_idmap_fill_rootless(spec, 1000, 1000, "alice", subuid, subgid, &err), 0);
	assert_int_equal(spec->linux_.n_uid_mappings, 1);
	assert_int_equal(spec->linux_.n_gid_mappings, 1);
	assert_map_equal(spec->linux_.gid_mappings[0], MAP(0, 1000, 1));
	iso_spec_free(spec);
}

static void is_single_wants_exactly_the_callers_ids(void **state)
{
	struct iso_spec *spec = iso_spec_new();

	(void)state;
	spec->linux_.uid_mappings[0] = MAP(0, 1000, 1);
	spec->linux_.gid_mappings[0] = MAP(0, 1000, 1);
	spec->linux_.n_uid_mappings = spec->linux_.n_gid_mappings = 1;
	assert_true(iso_idmap_is_single(spec, 1000, 1000));
	assert_false(iso_idmap_is_single(spec, 1000, 1001));
	assert_false(iso_idmap_is_single(spec, 1001, 1000));
	spec->linux_.uid_mappings[0].size = 2;
	assert_false(iso_idmap_is_single(spec, 1000, 1000));
	spec->linux_.uid_mappings[0] = MAP(1, 1000, 1);
	assert_false(iso_idmap_is_single(spec, 1000, 1000));
	spec->linux_.n_uid_mappings = 0;
	assert_false(iso_idmap_is_single(spec, 1000, 1000));
	iso_spec_free(spec);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_reads_container_host_size),
		cmocka_unit_test(parse_rejects_a_missing_field),
		cmocka_unit_test(parse_rejects_an_extra_field),
		cmocka_unit_test(parse_rejects_non_numeric_fields),
		cmocka_unit_test(parse_rejects_size_zero),
		cmocka_unit_test(validate_accepts_disjoint_and_adjacent_ranges),
		cmocka_unit_test(validate_accepts_a_range_ending_below_the_largest_id),
		cmocka_unit_test(validate_rejects_no_ranges),
		cmocka_unit_test(validate_rejects_an_empty_range),
		cmocka_unit_test(validate_rejects_a_range_past_the_largest_id),
		cmocka_unit_test(validate_rejects_overlapping_container_ranges),
		cmocka_unit_test(validate_rejects_overlapping_host_ranges),
		cmocka_unit_test(validate_limits_the_number_of_ranges_to_340),
		cmocka_unit_test(to_host_translates_inside_each_range),
		cmocka_unit_test(to_host_refuses_unmapped_ids),
		TMP_TEST(subid_lookup_finds_an_entry_by_name),
		TMP_TEST(subid_lookup_finds_an_entry_by_numeric_uid),
		TMP_TEST(subid_lookup_takes_the_first_non_empty_range),
		TMP_TEST(subid_lookup_missing_entry_returns_1),
		TMP_TEST(subid_lookup_missing_file_returns_1),
		TMP_TEST(subid_lookup_malformed_line_names_file_and_line),
		TMP_TEST(subid_lookup_refuses_an_empty_field),
		TMP_TEST(fill_defaults_without_subid_files_maps_100000_65536),
		TMP_TEST(fill_defaults_uses_the_ranges_of_user_isolate),
		TMP_TEST(fill_defaults_keeps_a_range_smaller_than_65536),
		TMP_TEST(fill_defaults_copies_a_given_uid_map_to_the_gid_map),
		TMP_TEST(fill_defaults_keeps_a_gid_map_given_alone),
		TMP_TEST(fill_defaults_reports_a_malformed_subuid),
		TMP_TEST(fill_rootless_maps_root_to_the_caller_alone_without_ranges),
		TMP_TEST(fill_rootless_maps_ids_from_1_onto_the_callers_range),
		TMP_TEST(fill_rootless_ignores_a_malformed_subid_file),
		TMP_TEST(fill_rootless_leaves_given_maps_and_copies_uid_to_gid),
		cmocka_unit_test(is_single_wants_exactly_the_callers_ids),
	};

	return cmocka_run_group_tests_name("idmap", tests, NULL, NULL);
}
