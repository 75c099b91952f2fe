/* mntopt.h: OCI mount options sorted into mount attributes, propagation,
 * bind and idmap choices, and filesystem data. */
#include "helpers.h"

#include <sys/mount.h>

#include "mntopt.h"

/* Parses the NULL-terminated options, which must be accepted. */
#define parse_ok(...) check_parse_ok(__FILE__, __LINE__, __VA_ARGS__)

static void check_parse_ok(const char *file, int line, char **options,
			   struct iso_mntopts *out)
{
	struct iso_error err = { 0 };
	int r = iso_mntopts_parse(options, out, &err);

	_assert_string_equal(err.msg, "", file, line);
	_assert_int_equal(r, 0, file, line);
	_assert_true(out->data != NULL, "out->data != NULL", file, line);
}

static void ro_sets_rdonly(void **state)
{
	char *opts[] = { "ro", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(opts, &o);
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY);
	assert_int_equal(o.attr_clr, 0);
	assert_null(o.data[0]);
	iso_mntopts_free(&o);
}

static void rw_after_ro_clears_rdonly(void **state)
{
	char *ro_rw[] = { "ro", "rw", NULL };
	char *rw_ro[] = { "rw", "ro", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(ro_rw, &o);
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY);
	iso_mntopts_free(&o);
	parse_ok(rw_ro, &o);
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY);
	assert_int_equal(o.attr_clr, 0);
	iso_mntopts_free(&o);
}

static void no_flags_set_and_their_opposites_clear(void **state)
{
	char *no[] = { "nosuid", "nodev", "noexec", "nodiratime", "nosymfollow", NULL };
	char *yes[] = { "suid", "dev", "exec", "diratime", "symfollow", NULL };
	const uint64_t flags = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			       MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW;
	struct iso_mntopts o;

	(void)state;
	parse_ok(no, &o);
	assert_int_equal(o.attr_set, flags);
	assert_int_equal(o.attr_clr, 0);
	iso_mntopts_free(&o);
	parse_ok(yes, &o);
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, flags);
	iso_mntopts_free(&o);
}

static void one_flag_leaves_the_others_alone(void **state)
{
	char *opts[] = { "nosuid", "ro", "exec", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(opts, &o);
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_RDONLY);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_NOEXEC);
	iso_mntopts_free(&o);
}

static void noatime_clears_the_whole_atime_field(void **state)
{
	char *opts[] = { "noatime", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(opts, &o);
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
	iso_mntopts_free(&o);
}

static void a_later_atime_mode_replaces_an_earlier_one(void **state)
{
	char *strict[] = { "noatime", "nosuid", "strictatime", NULL };
	char *relatime[] = { "noatime", "relatime", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(strict, &o);
	assert_int_equal(o.attr_set, MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_NOSUID);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
	iso_mntopts_free(&o);
	parse_ok(relatime, &o);
	assert_int_equal(o.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
	iso_mntopts_free(&o);
}

static void rprivate_is_private_and_recursive(void **state)
{
	char *opts[] = { "rprivate", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(opts, &o);
	assert_int_equal(o.propagation, MS_PRIVATE);
	assert_true(o.recursive);
	assert_false(o.bind);
	assert_int_equal(o.attr_set, 0);
	assert_null(o.data[0]);
	iso_mntopts_free(&o);
}

static void propagation_without_r_is_not_recursive(void **state)
{
	char *shared[] = { "shared", NULL };
	char *rslave[] = { "private", "rslave", NULL };
	char *unbindable[] = { "unbindable", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(shared, &o);
	assert_int_equal(o.propagation, MS_SHARED);
	assert_false(o.recursive);
	iso_mntopts_free(&o);
	parse_ok(rslave, &o);
	assert_int_equal(o.propagation, MS_SLAVE);
	assert_true(o.recursive);
	iso_mntopts_free(&o);
	parse_ok(unbindable, &o);
	assert_int_equal(o.propagation, MS_UNBINDABLE);
	assert_false(o.recursive);
	iso_mntopts_free(&o);
}

static void bind_is_flat_and_rbind_recursive(void **state)
{
	char *bind[] = { "bind", NULL };
	char *rbind[] = { "rbind", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(bind, &o);
	assert_true(o.bind);
	assert_false(o.recursive);
	assert_null(o.data[0]);
	iso_mntopts_free(&o);
	parse_ok(rbind, &o);
	assert_true(o.bind);
	assert_true(o.recursive);
	assert_int_equal(o.propagation, 0);
	iso_mntopts_free(&o);
}

static void idmap_and_ridmap_ask_for_an_idmapped_mount(void **state)
{
	char *idmap[] = { "idmap", NULL };
	char *ridmap[] = { "ridmap", NULL };
	char *none[] = { "rbind", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(idmap, &o);
	assert_true(o.idmap);
	assert_null(o.data[0]);
	iso_mntopts_free(&o);
	parse_ok(ridmap, &o);
	assert_true(o.idmap);
	iso_mntopts_free(&o);
	parse_ok(none, &o);
	assert_false(o.idmap);
	iso_mntopts_free(&o);
}

static void filesystem_parameters_pass_through_in_order(void **state)
{
	char *opts[] = { "mode=755", "nosuid", "size=1m", "gid=5", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(opts, &o);
	assert_int_equal(strv_len(o.data), 3);
	assert_string_equal(o.data[0], "mode=755");
	assert_string_equal(o.data[1], "size=1m");
	assert_string_equal(o.data[2], "gid=5");
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOSUID);
	iso_mntopts_free(&o);
}

static void defaults_and_kin_change_nothing(void **state)
{
	char *opts[] = { "defaults", "async", "nomand", "newinstance", NULL };
	struct iso_mntopts o;

	(void)state;
	parse_ok(opts, &o);
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, 0);
	assert_int_equal(o.propagation, 0);
	assert_false(o.bind || o.recursive || o.idmap);
	assert_null(o.data[0]);
	iso_mntopts_free(&o);
}

static void no_options_start_from_a_clean_slate(void **state)
{
	struct iso_mntopts o;

	(void)state;
	memset(&o, 0xff, sizeof(o));
	parse_ok(NULL, &o);
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, 0);
	assert_int_equal(o.propagation, 0);
	assert_false(o.bind || o.recursive || o.idmap);
	assert_null(o.data[0]);
	iso_mntopts_free(&o);
	assert_null(o.data);
}

static void an_empty_option_is_an_error(void **state)
{
	char *opts[] = { "ro", "mode=755", "", "nosuid", NULL };
	struct iso_error err = { 0 };
	struct iso_mntopts o;

	(void)state;
	assert_int_equal(iso_mntopts_parse(opts, &o, &err), -1);
	assert_string_equal(err.msg, "empty mount option");
	assert_null(o.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ro_sets_rdonly),
		cmocka_unit_test(rw_after_ro_clears_rdonly),
		cmocka_unit_test(no_flags_set_and_their_opposites_clear),
		cmocka_unit_test(one_flag_leaves_the_others_alone),
		cmocka_unit_test(noatime_clears_the_whole_atime_field),
		cmocka_unit_test(a_later_atime_mode_replaces_an_earlier_one),
		cmocka_unit_test(rprivate_is_private_and_recursive),
		cmocka_unit_test(propagation_without_r_is_not_recursive),
		cmocka_unit_test(bind_is_flat_and_rbind_recursive),
		cmocka_unit_test(idmap_and_ridmap_ask_for_an_idmapped_mount),
		cmocka_unit_test(filesystem_parameters_pass_through_in_order),
		cmocka_unit_test(defaults_and_kin_change_nothing),
		cmocka_unit_test(no_options_start_from_a_clean_slate),
		cmocka_unit_test(an_empty_option_is_an_error),
	};

	return cmocka_run_group_tests_name("mntopt", tests, NULL, NULL);
}
