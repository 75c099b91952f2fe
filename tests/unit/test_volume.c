/* volume.h: -v HOSTPATH:CTRPATH[:OPTIONS] and --tmpfs CTRPATH[:OPTIONS]. */
#include "helpers.h"

#include <sys/mount.h>

#include "mntopt.h"
#include "spec.h"
#include "volume.h"

static int spec_setup(void **state)
{
	*state = iso_spec_new();
	return 0;
}

static int spec_teardown(void **state)
{
	iso_spec_free(*state);
	return 0;
}

/* M is TYPE SOURCE on DESTINATION with exactly OPTIONS, in order. */
#define assert_mount(...) check_mount(__FILE__, __LINE__, __VA_ARGS__)

static void check_mount(const char *file, int line, const struct iso_mount *m,
			const char *type, const char *source, const char *destination,
			const char *const *options)
{
	size_t n = 0;

	_assert_string_equal(m->type, type, file, line);
	_assert_string_equal(m->source, source, file, line);
	_assert_string_equal(m->destination, destination, file, line);
	while (options[n] != NULL)
		n++;
	for (size_t i = 0; i < n && m->options[i] != NULL; i++)
		_assert_string_equal(m->options[i], options[i], file, line);
	_assert_int_equal(strv_len(m->options), n, file, line);
}

static void volume_is_a_recursive_idmapped_bind(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };
	const char *want[] = { "rbind", "idmap", NULL };

	assert_int_equal(iso_spec_add_volume(spec, "/srv/data:/data", &err), 0);
	assert_int_equal(spec->n_mounts, 1);
	assert_mount(&spec->mounts[0], "bind", "/srv/data", "/data", want);
}

static void volume_options_follow_rbind_and_idmap(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };
	const char *ro[] = { "rbind", "idmap", "ro", NULL };
	const char *two[] = { "rbind", "idmap", "rw", "rprivate", NULL };

	assert_int_equal(iso_spec_add_volume(spec, "/a:/b:ro", &err), 0);
	assert_int_equal(iso_spec_add_volume(spec, "/c:/d:rw,rprivate", &err), 0);
	assert_int_equal(spec->n_mounts, 2);
	assert_mount(&spec->mounts[0], "bind", "/a", "/b", ro);
	assert_mount(&spec->mounts[1], "bind", "/c", "/d", two);
}

static void volume_options_parse_as_mount_options(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };
	struct iso_mntopts o;

	assert_int_equal(iso_spec_add_volume(spec, "/a:/b:ro,private", &err), 0);
	assert_int_equal(iso_mntopts_parse(spec->mounts[0].options, &o, &err), 0);
	assert_true(o.bind);
	assert_true(o.recursive);
	assert_true(o.idmap);
	assert_true(o.attr_set & MOUNT_ATTR_RDONLY);
	assert_int_equal(o.propagation, MS_PRIVATE);
	iso_mntopts_free(&o);
}

/* The argument is refused with exactly WANT and no mount is added. */
#define assert_volume_fails(...) check_volume_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_volume_fails(const char *file, int line, struct iso_spec *spec,
			       const char *arg, const char *want)
{
	struct iso_error err = { 0 };
	int r = iso_spec_add_volume(spec, arg, &err);

	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(r, -1, file, line);
	_assert_int_equal(spec->n_mounts, 0, file, line);
}

static void volume_without_colon_is_refused(void **state)
{
	assert_volume_fails(*state, "/data",
			    "invalid volume /data: expected HOSTPATH:CONTAINERPATH[:ro]");
	assert_volume_fails(*state, "",
			    "invalid volume : expected HOSTPATH:CONTAINERPATH[:ro]");
}

/* volume.c means to answer an empty host path with the usage message (the
 * "src[0] == '\0'" test), not as a would-be named volume called "". */
static void volume_with_empty_host_path_is_refused_as_malformed(void **state)
{
	assert_volume_fails(*state, ":/data",
			    "invalid volume :/data: expected HOSTPATH:CONTAINERPATH[:ro]");
}

static void volume_with_relative_host_path_is_refused(void **state)
{
	assert_volume_fails(*state, "data:/data",
			    "invalid volume data:/data: data is not an absolute host path "
			    "(named volumes are not supported)");
}

static void volume_with_relative_container_path_is_refused(void **state)
{
	assert_volume_fails(*state, "/a:b",
			    "invalid volume /a:b: the container path b is not absolute");
	assert_volume_fails(*state, "/a::ro",
			    "invalid volume /a::ro: the container path  is not absolute");
}

static void volume_with_dotdot_is_refused(void **state)
{
	assert_volume_fails(*state, "/a:/b/../etc",
			    "invalid volume /a:/b/../etc: \"..\" is not allowed in /b/../etc");
	assert_volume_fails(*state, "/a:/..",
			    "invalid volume /a:/..: \"..\" is not allowed in /..");
}

static void volume_over_root_is_refused(void **state)
{
	assert_volume_fails(*state, "/a:/", "invalid volume /a:/: cannot mount over /");
	assert_volume_fails(*state, "/a://", "invalid volume /a://: cannot mount over /");
	assert_volume_fails(*state, "/a:/./:ro", "invalid volume /a:/./:ro: cannot mount over /");
}

static void volume_with_unknown_option_is_refused(void **state)
{
	assert_volume_fails(*state, "/a:/b:ro,z",
			    "invalid volume /a:/b:ro,z: unknown option z "
			    "(supported: ro, rw, private, rprivate)");
	assert_volume_fails(*state, "/a:/b:rbind",
			    "invalid volume /a:/b:rbind: unknown option rbind "
			    "(supported: ro, rw, private, rprivate)");
}

static void volume_with_empty_options_is_refused(void **state)
{
	assert_volume_fails(*state, "/a:/b:", "invalid volume /a:/b:: empty options");
}

static void tmpfs_gets_nosuid_nodev_noexec(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };
	const char *want[] = { "nosuid", "nodev", "noexec", NULL };

	assert_int_equal(iso_spec_add_tmpfs(spec, "/run", &err), 0);
	assert_int_equal(spec->n_mounts, 1);
	assert_mount(&spec->mounts[0], "tmpfs", "tmpfs", "/run", want);
}

static void tmpfs_options_come_after_the_defaults(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };
	const char *want[] = { "nosuid", "nodev", "noexec", "exec", "size=1m", "mode=1777", NULL };
	struct iso_mntopts o;

	assert_int_equal(iso_spec_add_tmpfs(spec, "/tmp:exec,size=1m,mode=1777", &err), 0);
	assert_mount(&spec->mounts[0], "tmpfs", "tmpfs", "/tmp", want);
	assert_int_equal(iso_mntopts_parse(spec->mounts[0].options, &o, &err), 0);
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_NOEXEC);
	iso_mntopts_free(&o);
}

#define assert_tmpfs_fails(...) check_tmpfs_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_tmpfs_fails(const char *file, int line, struct iso_spec *spec,
			      const char *arg, const char *want)
{
	struct iso_error err = { 0 };
	int r = iso_spec_add_tmpfs(spec, arg, &err);

	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(r, -1, file, line);
	_assert_int_equal(spec->n_mounts, 0, file, line);
}

static void tmpfs_with_bad_path_is_refused(void **state)
{
	assert_tmpfs_fails(*state, "tmp",
			   "invalid tmpfs tmp: the container path tmp is not absolute");
	assert_tmpfs_fails(*state, "/a/../b:size=1m",
			   "invalid tmpfs /a/../b:size=1m: \"..\" is not allowed in /a/../b");
	assert_tmpfs_fails(*state, "/", "invalid tmpfs /: cannot mount over /");
}

#define SPEC_TEST(f) cmocka_unit_test_setup_teardown(f, spec_setup, spec_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SPEC_TEST(volume_is_a_recursive_idmapped_bind),
		SPEC_TEST(volume_options_follow_rbind_and_idmap),
		SPEC_TEST(volume_options_parse_as_mount_options),
		SPEC_TEST(volume_without_colon_is_refused),
		SPEC_TEST(volume_with_empty_host_path_is_refused_as_malformed),
		SPEC_TEST(volume_with_relative_host_path_is_refused),
		SPEC_TEST(volume_with_relative_container_path_is_refused),
		SPEC_TEST(volume_with_dotdot_is_refused),
		SPEC_TEST(volume_over_root_is_refused),
		SPEC_TEST(volume_with_unknown_option_is_refused),
		SPEC_TEST(volume_with_empty_options_is_refused),
		SPEC_TEST(tmpfs_gets_nosuid_nodev_noexec),
		SPEC_TEST(tmpfs_options_come_after_the_defaults),
		SPEC_TEST(tmpfs_with_bad_path_is_refused),
	};

	return cmocka_run_group_tests_name("volume", tests, NULL, NULL);
}
