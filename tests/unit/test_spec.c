/* spec.h: mounts of the spec, the default container filesystem and the
 * checks made before anything is created. */
#include "helpers.h"

#include <sched.h>

#include "spec.h"

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

/* The spec's mounts are on exactly WANT, in order. */
#define assert_destinations(...) check_destinations(__FILE__, __LINE__, __VA_ARGS__)

static void check_destinations(const char *file, int line, const struct iso_spec *spec,
			       const char *const *want)
{
	size_t n = 0;

	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < n && i < spec->n_mounts; i++)
		_assert_string_equal(spec->mounts[i].destination, want[i], file, line);
	_assert_int_equal(spec->n_mounts, n, file, line);
}

/* The one mount on DST, which must exist. */
#define find_mount(...) check_find_mount(__FILE__, __LINE__, __VA_ARGS__)

static const struct iso_mount *check_find_mount(const char *file, int line,
						const struct iso_spec *spec, const char *dst)
{
	const struct iso_mount *found = NULL;
	size_t n = 0;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (strcmp(spec->mounts[i].destination, dst) == 0) {
			found = &spec->mounts[i];
			n++;
		}
	}
	_assert_int_equal(n, 1, file, line);
	return found;
}

static void new_spec_runs_in_root_dir(void **state)
{
	struct iso_spec *spec = *state;

	assert_string_equal(spec->process.cwd, "/");
	assert_null(spec->root.path);
	assert_int_equal(spec->n_mounts, 0);
}

static void add_mount_splits_options_and_skips_empty_ones(void **state)
{
	struct iso_spec *spec = *state;

	iso_spec_add_mount(spec, "tmpfs", "tmpfs", "/a", "nosuid,,mode=755,");
	iso_spec_add_mount(spec, "bind", "/src", "/b", NULL);
	assert_int_equal(spec->n_mounts, 2);
	assert_int_equal(strv_len(spec->mounts[0].options), 2);
	assert_string_equal(spec->mounts[0].options[0], "nosuid");
	assert_string_equal(spec->mounts[0].options[1], "mode=755");
	assert_non_null(spec->mounts[1].options);
	assert_null(spec->mounts[1].options[0]);
	assert_string_equal(spec->mounts[1].source, "/src");
}

static void add_mount_without_source_uses_the_type(void **state)
{
	struct iso_spec *spec = *state;

	iso_spec_add_mount(spec, "mqueue", NULL, "/dev/mqueue", NULL);
	assert_string_equal(spec->mounts[0].source, "mqueue");
	assert_string_equal(spec->mounts[0].type, "mqueue");
}

static void has_option_matches_whole_options(void **state)
{
	struct iso_spec *spec = *state;

	iso_spec_add_mount(spec, "tmpfs", "tmpfs", "/a", "nosuid,mode=755");
	assert_true(iso_mount_has_option(&spec->mounts[0], "nosuid"));
	assert_true(iso_mount_has_option(&spec->mounts[0], "mode=755"));
	assert_false(iso_mount_has_option(&spec->mounts[0], "suid"));
	assert_false(iso_mount_has_option(&spec->mounts[0], "mode"));
}

static void host_root_defaults_include_tmp_and_run(void **state)
{
	struct iso_spec *spec = *state;
	const char *want[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
			       "/sys", "/sys/fs/cgroup", "/tmp", "/run", NULL };

	iso_spec_add_default_mounts(spec);
	assert_destinations(spec, want);
	assert_string_equal(find_mount(spec, "/tmp")->type, "tmpfs");
	assert_string_equal(find_mount(spec, "/run")->type, "tmpfs");
}

static void rootfs_defaults_leave_tmp_and_run_alone(void **state)
{
	struct iso_spec *spec = *state;
	const char *want[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
			       "/sys", "/sys/fs/cgroup", NULL };

	spec->root.path = xstrdup("/var/lib/rootfs");
	iso_spec_add_default_mounts(spec);
	assert_destinations(spec, want);
}

static void defaults_are_of_the_expected_kinds(void **state)
{
	struct iso_spec *spec = *state;
	const struct iso_mount *m;

	spec->root.path = xstrdup("/rootfs");
	iso_spec_add_default_mounts(spec);
	m = find_mount(spec, "/proc");
	assert_string_equal(m->type, "proc");
	assert_true(iso_mount_has_option(m, "nosuid"));
	assert_true(iso_mount_has_option(m, "noexec"));
	assert_true(iso_mount_has_option(m, "nodev"));
	m = find_mount(spec, "/sys");
	assert_string_equal(m->type, "sysfs");
	assert_true(iso_mount_has_option(m, "ro"));
	m = find_mount(spec, "/sys/fs/cgroup");
	assert_string_equal(m->type, "cgroup");
	assert_true(iso_mount_has_option(m, "ro"));
	m = find_mount(spec, "/dev/pts");
	assert_string_equal(m->type, "devpts");
	assert_true(iso_mount_has_option(m, "newinstance"));
	assert_true(iso_mount_has_option(m, "ptmxmode=0666"));
	m = find_mount(spec, "/dev/shm");
	assert_string_equal(m->type, "tmpfs");
	assert_string_equal(m->source, "shm");
	assert_true(iso_mount_has_option(m, "mode=1777"));
}

static void defaults_go_before_the_user_mounts(void **state)
{
	struct iso_spec *spec = *state;
	const char *want[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
			       "/sys", "/sys/fs/cgroup", "/data", "/cache", NULL };

	spec->root.path = xstrdup("/rootfs");
	iso_spec_add_mount(spec, "bind", "/srv/data", "/data", "rbind");
	iso_spec_add_mount(spec, "tmpfs", "tmpfs", "/cache", NULL);
	iso_spec_add_default_mounts(spec);
	assert_destinations(spec, want);
	assert_string_equal(spec->mounts[7].source, "/srv/data");
}

static void user_mount_replaces_the_default_at_its_destination(void **state)
{
	struct iso_spec *spec = *state;
	const char *want[] = { "/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys",
			       "/sys/fs/cgroup", "/tmp", "/run", "/dev/shm", NULL };
	const struct iso_mount *shm;

	iso_spec_add_mount(spec, "tmpfs", "myshm", "/dev/shm", "size=1g");
	iso_spec_add_default_mounts(spec);
	assert_destinations(spec, want);
	shm = find_mount(spec, "/dev/shm");
	assert_string_equal(shm->source, "myshm");
	assert_true(iso_mount_has_option(shm, "size=1g"));
	assert_false(iso_mount_has_option(shm, "mode=1777"));
}

static void user_mounts_can_replace_several_defaults(void **state)
{
	struct iso_spec *spec = *state;
	const char *want[] = { "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
			       "/sys/fs/cgroup", "/run", "/tmp", "/proc", NULL };

	iso_spec_add_mount(spec, "bind", "/host/tmp", "/tmp", "rbind");
	iso_spec_add_mount(spec, "proc", "proc", "/proc", NULL);
	iso_spec_add_default_mounts(spec);
	assert_destinations(spec, want);
	assert_string_equal(find_mount(spec, "/tmp")->source, "/host/tmp");
}

static void devpts_gets_gid_5_without_a_user_namespace(void **state)
{
	struct iso_spec *spec = *state;

	iso_spec_add_default_mounts(spec);
	assert_true(iso_mount_has_option(find_mount(spec, "/dev/pts"), "gid=5"));
}

static void devpts_gets_gid_5_when_gid_5_is_mapped(void **state)
{
	struct iso_spec *spec = *state;

	spec->linux_.new_namespaces = CLONE_NEWUSER | CLONE_NEWNS;
	spec->linux_.gid_mappings[0] = (struct iso_idmap){ 0, 1000, 1 };
	spec->linux_.gid_mappings[1] = (struct iso_idmap){ 1, 100000, 65535 };
	spec->linux_.n_gid_mappings = 2;
	iso_spec_add_default_mounts(spec);
	assert_true(iso_mount_has_option(find_mount(spec, "/dev/pts"), "gid=5"));
}

static void devpts_drops_gid_5_when_gid_5_is_unmapped(void **state)
{
	struct iso_spec *spec = *state;
	const struct iso_mount *pts;

	spec->linux_.new_namespaces = CLONE_NEWUSER | CLONE_NEWNS;
	spec->linux_.gid_mappings[0] = (struct iso_idmap){ 0, 1000, 1 };
	spec->linux_.uid_mappings[0] = (struct iso_idmap){ 0, 100000, 65536 };
	spec->linux_.n_gid_mappings = 1;
	spec->linux_.n_uid_mappings = 1;
	iso_spec_add_default_mounts(spec);
	pts = find_mount(spec, "/dev/pts");
	assert_false(iso_mount_has_option(pts, "gid=5"));
	assert_true(iso_mount_has_option(pts, "newinstance"));
	assert_true(iso_mount_has_option(pts, "mode=0620"));
}

static void set_command(struct iso_spec *spec, const char *cmd)
{
	strv_push(&spec->process.args, cmd);
}

static void validate_accepts_a_command_in_root_dir(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	set_command(spec, "sh");
	iso_spec_add_default_mounts(spec);
	assert_int_equal(iso_spec_validate(spec, &err), 0);
}

static void validate_requires_a_command(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "no command given");
	spec->process.args = xcalloc(1, sizeof(char *));
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "no command given");
}

static void validate_requires_an_absolute_cwd(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	set_command(spec, "sh");
	free(spec->process.cwd);
	spec->process.cwd = xstrdup("work");
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "working directory work: not an absolute path");
	free(spec->process.cwd);
	spec->process.cwd = NULL;
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "working directory (none): not an absolute path");
}

static void validate_requires_absolute_mount_destinations(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	set_command(spec, "sh");
	iso_spec_add_mount(spec, "tmpfs", "tmpfs", "/ok", NULL);
	iso_spec_add_mount(spec, "tmpfs", "tmpfs", "tmp", NULL);
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "mount destination tmp: not an absolute path");
}

static void validate_refuses_dotdot_in_mount_destinations(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	set_command(spec, "sh");
	iso_spec_add_mount(spec, "tmpfs", "tmpfs", "/a/../etc", NULL);
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "mount destination /a/../etc: \"..\" is not allowed");
}

static void validate_requires_an_absolute_bind_source(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	set_command(spec, "sh");
	iso_spec_add_mount(spec, "bind", "data", "/data", "rbind");
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "bind mount source data: not an absolute path");
}

static void validate_checks_id_maps_only_with_a_user_namespace(void **state)
{
	struct iso_spec *spec = *state;
	struct iso_error err = { 0 };

	set_command(spec, "sh");
	assert_int_equal(iso_spec_validate(spec, &err), 0);
	spec->linux_.new_namespaces = CLONE_NEWUSER;
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "uid map: no mapping given");
	spec->linux_.uid_mappings[0] = (struct iso_idmap){ 0, 100000, 65536 };
	spec->linux_.n_uid_mappings = 1;
	spec->linux_.gid_mappings[0] = (struct iso_idmap){ 0, 100000, 10 };
	spec->linux_.gid_mappings[1] = (struct iso_idmap){ 10, 100005, 10 };
	spec->linux_.n_gid_mappings = 2;
	assert_int_equal(iso_spec_validate(spec, &err), -1);
	assert_string_equal(err.msg, "gid map: 10:100005:10 overlaps 0:100000:10");
	spec->linux_.gid_mappings[1].host_id = 100010;
	assert_int_equal(iso_spec_validate(spec, &err), 0);
}

#define SPEC_TEST(f) cmocka_unit_test_setup_teardown(f, spec_setup, spec_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SPEC_TEST(new_spec_runs_in_root_dir),
		SPEC_TEST(add_mount_splits_options_and_skips_empty_ones),
		SPEC_TEST(add_mount_without_source_uses_the_type),
		SPEC_TEST(has_option_matches_whole_options),
		SPEC_TEST(host_root_defaults_include_tmp_and_run),
		SPEC_TEST(rootfs_defaults_leave_tmp_and_run_alone),
		SPEC_TEST(defaults_are_of_the_expected_kinds),
		SPEC_TEST(defaults_go_before_the_user_mounts),
		SPEC_TEST(user_mount_replaces_the_default_at_its_destination),
		SPEC_TEST(user_mounts_can_replace_several_defaults),
		SPEC_TEST(devpts_gets_gid_5_without_a_user_namespace),
		SPEC_TEST(devpts_gets_gid_5_when_gid_5_is_mapped),
		SPEC_TEST(devpts_drops_gid_5_when_gid_5_is_unmapped),
		SPEC_TEST(validate_accepts_a_command_in_root_dir),
		SPEC_TEST(validate_requires_a_command),
		SPEC_TEST(validate_requires_an_absolute_cwd),
		SPEC_TEST(validate_requires_absolute_mount_destinations),
		SPEC_TEST(validate_refuses_dotdot_in_mount_destinations),
		SPEC_TEST(validate_requires_an_absolute_bind_source),
		SPEC_TEST(validate_checks_id_maps_only_with_a_user_namespace),
	};

	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
