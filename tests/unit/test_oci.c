/* isolate-oci's library pieces that need no container: ids, the state
 * file and the status it gives, cgroupsPath (systemd's form), sysctls of
 * the container's namespaces, ambient capabilities, runc's device rules,
 * and the command's lookup at create. */
#include "helpers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "devopt.h"
#include "exec.h"
#include "oci.h"
#include "oci_int.h"
#include "spec.h"
#include "state.h"
#include "sysctl.h"

static void ids_follow_runc(void **state)
{
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_oci_check_id("abc-1.2_x+y", &err), 0);
	assert_int_equal(iso_oci_check_id("a", &err), 0);
	assert_int_equal(iso_oci_check_id("", &err), -1);
	assert_int_equal(iso_oci_check_id(".hidden", &err), -1);
	assert_int_equal(iso_oci_check_id("..", &err), -1);
	assert_int_equal(iso_oci_check_id("a/b", &err), -1);
	assert_int_equal(iso_oci_check_id("a b", &err), -1);
	assert_non_null(strstr(err.msg, "invalid container id a b"));
}

static char *cgpath(const char *p, bool systemd)
{
	struct iso_error err;
	char *path = iso_oci_cgroup_path(p, "ID", systemd, &err);

	return path ? path : xasprintf("error: %s", err.msg);
}

static void check_cgpath(const char *p, bool systemd, const char *want, const char *file, int line)
{
	cleanup_free char *got = cgpath(p, systemd);

	_assert_string_equal(got, want, file, line);
}
#define assert_cgpath(p, systemd, want) check_cgpath(p, systemd, want, __FILE__, __LINE__)

static void cgroups_path_plain_and_systemd(void **state)
{
	cleanup_free char *bad = NULL;

	(void)state;
	assert_cgpath(NULL, false, "/isolate-oci/ID");
	assert_cgpath("/libpod_parent/libpod-ID", false, "/libpod_parent/libpod-ID");
	assert_cgpath("a/b", false, "a/b");
	assert_cgpath("machine.slice:libpod:ID", true, "/machine.slice/libpod-ID.scope");
	/* dashed slices nest, as systemd lays them out */
	assert_cgpath("a-b-c.slice:p:n", true, "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	assert_cgpath("-.slice:p:n", true, "/p-n.scope");
	assert_cgpath(":p:n", true, "/system.slice/p-n.scope");
	assert_cgpath("machine.slice::", true, "/machine.slice/ID.scope");
	assert_cgpath("machine.slice:p:sub.slice", true, "/machine.slice/sub.slice");
	/* the systemd form is understood without the flag too */
	assert_cgpath("system.slice:containerd:ID", false, "/system.slice/containerd-ID.scope");
	assert_cgpath(NULL, true, "/system.slice/isolate-oci-ID.scope");
	bad = cgpath("nota-slice:p:n", true);
	assert_non_null(strstr(bad, "error: cgroupsPath: nota-slice is not a systemd slice"));
	free(bad);
	bad = cgpath("a--b.slice:p:n", true);
	assert_non_null(strstr(bad, "is not a systemd slice"));
	free(bad);
	bad = cgpath("/abs/path", true);
	assert_non_null(strstr(bad, "expected slice:prefix:name"));
}

static struct iso_spec *spec_with_sysctl(const char *key, int namespaces)
{
	struct iso_spec *spec = iso_spec_new();

	spec->sysctls = xcalloc(1, sizeof(*spec->sysctls));
	spec->sysctls[0].key = xstrdup(key);
	spec->sysctls[0].value = xstrdup("1");
	spec->n_sysctls = 1;
	spec->linux_.new_namespaces = namespaces;
	return spec;
}

static int sysctl_check(const char *key, int namespaces, struct iso_error *err)
{
	struct iso_spec *spec = spec_with_sysctl(key, namespaces);
	int r = iso_sysctl_check(spec, err);

	iso_spec_free(spec);
	return r;
}

static void sysctls_only_of_own_namespaces(void **state)
{
	struct iso_error err;
	struct iso_spec *spec;

	(void)state;
	assert_int_equal(sysctl_check("net.ipv4.ip_forward", CLONE_NEWNET, &err), 0);
	assert_int_equal(sysctl_check("kernel.shmmax", CLONE_NEWIPC, &err), 0);
	assert_int_equal(sysctl_check("fs.mqueue.msg_max", CLONE_NEWIPC, &err), 0);
	assert_int_equal(sysctl_check("kernel.domainname", CLONE_NEWUTS, &err), 0);
	assert_int_equal(sysctl_check("kernel.panic", CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS, &err), -1);
	assert_string_equal(err.msg, "sysctl kernel.panic: not in a namespace of the container's; "
			    "it would change the host");
	assert_int_equal(sysctl_check("net.ipv4.ip_forward", CLONE_NEWIPC, &err), -1);
	assert_string_equal(err.msg, "sysctl net.ipv4.ip_forward: the container shares the host's "
			    "network namespace");
	assert_int_equal(sysctl_check("kernel.shmmax", CLONE_NEWNET, &err), -1);
	assert_int_equal(sysctl_check("net/../../kernel/panic", CLONE_NEWNET, &err), -1);
	assert_non_null(strstr(err.msg, "not a parameter name"));
	/* a network namespace joined by path is the container's own too */
	spec = spec_with_sysctl("net.ipv4.ip_forward", 0);
	spec->ns_paths = xcalloc(1, sizeof(*spec->ns_paths));
	spec->ns_paths[0] = (struct iso_ns_path){ CLONE_NEWNET, xstrdup("/run/netns/x") };
	spec->n_ns_paths = 1;
	assert_int_equal(iso_sysctl_check(spec, &err), 0);
	iso_spec_free(spec);
}

static void ambient_needs_permitted_and_inheritable(void **state)
{
	struct iso_process p = { .has_caps = true };

	(void)state;
	p.caps.permitted = (1ULL << 5) | (1ULL << 10);
	p.caps.inheritable = 1ULL << 5;
	p.caps.ambient = (1ULL << 5) | (1ULL << 10) | (1ULL << 12);
	iso_oci_fix_ambient(&p);
	assert_int_equal(p.caps.ambient, 1ULL << 5);
	/* without capabilities in the config nothing is touched */
	p = (struct iso_process){ .caps.ambient = 1ULL << 10 };
	iso_oci_fix_ambient(&p);
	assert_int_equal(p.caps.ambient, 1ULL << 10);
}

static bool has_rule(const struct iso_resources *r, char type, int64_t major, int64_t minor,
		     const char *access)
{
	for (size_t i = 0; i < r->n_devices; i++)
		if (r->devices[i].allow && r->devices[i].type == type && r->devices[i].major == major &&
		    r->devices[i].minor == minor && strcmp(r->devices[i].access, access) == 0)
			return true;
	return false;
}

static void device_rules_follow_the_config(void **state)
{
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources *r = &spec->linux_.resources;

	(void)state;
	/* no rules: every device denied but the default ones, as runc has it */
	iso_spec_oci_device_rules(spec);
	assert_true(r->n_devices > 1);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_true(has_rule(r, 'c', 1, 3, "rwm"));
	iso_spec_free(spec);
	spec = iso_spec_new();
	r = &spec->linux_.resources;
	r->devices = xcalloc(1, sizeof(*r->devices));
	r->devices[0] = (struct iso_device_rule){ false, 'a', -1, -1, "rwm" };
	r->n_devices = 1;
	spec->devices = xcalloc(1, sizeof(*spec->devices));
	spec->devices[0] = (struct iso_device){ .path = xstrdup("/dev/fuse"), .type = 'c',
						 .major = 10, .minor = 229 };
	spec->n_devices = 1;
	iso_spec_oci_device_rules(spec);
	/* the config's deny stays first; the allows follow it */
	assert_false(r->devices[0].allow);
	assert_true(has_rule(r, 'c', 10, 229, "rwm"));
	assert_true(has_rule(r, 'c', 5, 2, "rwm"));
	assert_true(has_rule(r, 'c', 136, -1, "rwm"));
	assert_true(has_rule(r, 'c', 1, 3, "rwm"));
	assert_true(has_rule(r, 'b', -1, -1, "m"));
	iso_spec_free(spec);
}

static struct iso_oci_container new_container(const struct tmpdir *t, const char *id)
{
	cleanup_free char *dir = tmp_path(t, id);
	struct iso_oci_container c = { .dirfd = -1 };

	assert_int_equal(mkdir(dir, 0700), 0);
	c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(c.dirfd >= 0);
	c.id = xstrdup(id);
	c.bundle = xstrdup("/b");
	c.created = xstrdup("2026-12-01T00:00:00Z");
	c.owner = xstrdup("root");
	c.annotations_json = xstrdup("{\"k\":\"v\"}");
	return c;
}

static enum iso_oci_status status_of(const struct tmpdir *t, const char *id)
{
	struct iso_oci_container c;
	struct iso_error err;
	enum iso_oci_status s;

	assert_int_equal(iso_oci_load(t->path, id, 0, &c, &err), 0);
	s = c.status;
	iso_oci_unload(&c);
	return s;
}

/* The status comes from the process and the fifo, not from a field. */
static void state_round_trip_and_status(void **state)
{
	struct tmpdir *t = *state;
	struct iso_oci_container c = new_container(t, "c1");
	struct iso_oci_container back;
	struct iso_owner self;
	struct iso_error err;
	cleanup_free char *json = NULL;
	pid_t child;

	/* made, nothing recorded yet: being created */
	assert_int_equal(status_of(t, "c1"), ISO_OCI_CREATING);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(iso_owner_of(child, &self), 0);
	c.pid = child;
	c.pid_start = self.start;
	c.setup_done = true;
	assert_int_equal(iso_oci_save(&c, &err), 0);
	assert_int_equal(status_of(t, "c1"), ISO_OCI_RUNNING);
	assert_int_equal(mkfifoat(c.dirfd, "exec.fifo", 0600), 0);
	assert_int_equal(status_of(t, "c1"), ISO_OCI_CREATED);
	assert_int_equal(unlinkat(c.dirfd, "exec.fifo", 0), 0);
	assert_int_equal(iso_oci_load(t->path, "c1", 0, &back, &err), 0);
	assert_string_equal(back.bundle, "/b");
	assert_string_equal(back.annotations_json, "{\"k\":\"v\"}");
	assert_int_equal(back.pid, child);
	json = iso_oci_container_json(&back, false);
	assert_non_null(strstr(json, "\"status\":\"running\""));
	assert_non_null(strstr(json, "\"annotations\":{\"k\":\"v\"}"));
	iso_oci_unload(&back);
	/* a zombie is stopped; so is a later process with that pid */
	kill(child, SIGKILL);
	for (int i = 0; i < 1000 && status_of(t, "c1") != ISO_OCI_STOPPED; i++)
		usleep(1000);
	assert_int_equal(status_of(t, "c1"), ISO_OCI_STOPPED);
	waitpid(child, NULL, 0);
	assert_int_equal(status_of(t, "c1"), ISO_OCI_STOPPED);
	c.pid_start += 1;
	c.pid = getpid();
	assert_int_equal(iso_oci_save(&c, &err), 0);
	assert_int_equal(status_of(t, "c1"), ISO_OCI_STOPPED);
	iso_oci_unload(&c);
}

static void missing_container_and_list(void **state)
{
	struct tmpdir *t = *state;
	struct iso_oci_container a = new_container(t, "b"), b = new_container(t, "a"), c;
	cleanup_free char *hidden = tmp_path(t, ".seccomp");
	cleanup_strv char **ids = NULL;
	cleanup_strv char **none = NULL;
	struct iso_error err;

	assert_int_equal(iso_oci_load(t->path, "nope", 0, &c, &err), -1);
	assert_string_equal(err.msg, "container nope does not exist");
	assert_int_equal(err.status, 1);
	assert_int_equal(mkdir(hidden, 0700), 0);
	ids = iso_oci_list(t->path, &err);
	assert_non_null(ids);
	assert_int_equal(strv_len(ids), 2);
	assert_string_equal(ids[0], "a");
	assert_string_equal(ids[1], "b");
	none = iso_oci_list("/nonexistent-isolate-oci-root", &err);
	assert_non_null(none);
	assert_int_equal(strv_len(none), 0);
	iso_oci_unload(&a);
	iso_oci_unload(&b);
}

/* Commands on one container wait for each other. */
static void load_takes_the_lock(void **state)
{
	struct tmpdir *t = *state;
	struct iso_oci_container c = new_container(t, "l1"), held;
	struct iso_error err;

	assert_int_equal(iso_oci_save(&c, &err), 0);
	assert_int_equal(iso_oci_load(t->path, "l1", LOCK_EX, &held, &err), 0);
	/* another open of the directory cannot take it meanwhile */
	assert_int_equal(flock(c.dirfd, LOCK_SH | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	iso_oci_unload(&held);
	assert_int_equal(flock(c.dirfd, LOCK_SH | LOCK_NB), 0);
	iso_oci_unload(&c);
}

static void lookup_finds_without_executing(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *script = tmp_file(t, "cmd", "#!/bin/sh\n");
	cleanup_free char *path = xasprintf("PATH=/nonexistent-isolate-dir:%s", t->path);
	char *env[] = { path, NULL };
	cleanup_free char *found = NULL;
	cleanup_free char *dir = NULL;
	struct iso_error err;

	assert_int_equal(chmod(script, 0755), 0);
	assert_int_equal(iso_exec_lookup("cmd", env, &found, &err), 0);
	assert_string_equal(found, script);
	free(found);
	assert_int_equal(iso_exec_lookup("isolate-unit-none", env, &dir, &err), -1);
	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
	assert_string_equal(err.msg, "exec isolate-unit-none: executable file not found in $PATH");
	/* a directory of that name is not a command */
	dir = tmp_path(t, "sub");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(iso_exec_lookup("sub", env, &found, &err), -1);
	assert_int_equal(chmod(script, 0644), 0);
	assert_int_equal(iso_exec_lookup(script, env, &found, &err), -1);
	assert_int_equal(err.status, ISO_EXIT_CANNOT_EXEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_follow_runc),
		cmocka_unit_test(cgroups_path_plain_and_systemd),
		cmocka_unit_test(sysctls_only_of_own_namespaces),
		cmocka_unit_test(ambient_needs_permitted_and_inheritable),
		cmocka_unit_test(device_rules_follow_the_config),
		cmocka_unit_test_setup_teardown(state_round_trip_and_status, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(missing_container_and_list, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(load_takes_the_lock, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(lookup_finds_without_executing, tmpdir_setup, tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
