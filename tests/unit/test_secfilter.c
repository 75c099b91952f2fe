/* secfilter.h: docker's profile format into the filter model, and docker's
 * default profile. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>

#include "caps.h"
#include "secfilter.h"

static struct iso_seccomp *load(const char *json, uint64_t caps, struct iso_error *err)
{
	struct iso_seccomp *s = NULL;

	if (iso_seccomp_from_json(json, strlen(json), "p.json", caps, &s, err) < 0)
		return NULL;
	return s;
}

static bool rule_has(const struct iso_seccomp *s, const char *name, uint32_t action)
{
	for (size_t i = 0; i < s->n_rules; i++)
		for (size_t k = 0; s->rules[i].names[k] != NULL; k++)
			if (strcmp(s->rules[i].names[k], name) == 0 && s->rules[i].action == action)
				return true;
	return false;
}

static void actions_and_errno(void **state)
{
	struct iso_error err;
	struct iso_seccomp *s;

	(void)state;
	s = load("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		 "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		 "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
		 "{\"name\":\"rmdir\",\"action\":\"SCMP_ACT_ERRNO\"},"
		 "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}", 0, &err);
	assert_non_null(s);
	assert_int_equal(s->default_action, SCMP_ACT_ERRNO(ENOSYS));
	assert_true(rule_has(s, "read", SCMP_ACT_ALLOW));
	assert_true(rule_has(s, "mkdir", SCMP_ACT_ERRNO(EACCES)));
	/* a rule's ERRNO without errnoRet takes the profile's default */
	assert_true(rule_has(s, "rmdir", SCMP_ACT_ERRNO(ENOSYS)));
	assert_true(rule_has(s, "kill", SCMP_ACT_KILL_PROCESS));
	iso_seccomp_free(s);
}

static void includes_and_excludes_follow_the_capabilities(void **state)
{
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"amd64\"]}},"
		"{\"names\":[\"cacheflush\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"arm64\"]}},"
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99.0\"}}]}";
	struct iso_error err;
	struct iso_seccomp *s = load(json, 0, &err);

	(void)state;
	assert_non_null(s);
	assert_false(rule_has(s, "mount", SCMP_ACT_ALLOW));
	assert_true(rule_has(s, "clone3", SCMP_ACT_ERRNO(ENOSYS)));
	assert_true(rule_has(s, "arch_prctl", SCMP_ACT_ALLOW));
	assert_false(rule_has(s, "cacheflush", SCMP_ACT_ALLOW));
	assert_false(rule_has(s, "read", SCMP_ACT_ALLOW));
	iso_seccomp_free(s);
	s = load(json, 1ULL << CAP_SYS_ADMIN, &err);
	assert_non_null(s);
	assert_true(rule_has(s, "mount", SCMP_ACT_ALLOW));
	assert_false(rule_has(s, "clone3", SCMP_ACT_ERRNO(ENOSYS)));
	iso_seccomp_free(s);
}

static void args_and_arches(void **state)
{
	struct iso_error err;
	struct iso_seccomp *s = load(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		"\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X32\"]},"
		"{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
		"\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
		0, &err);

	(void)state;
	assert_non_null(s);
	/* native x86_64 is implied; x86 from the list, x32 from the map */
	assert_int_equal(s->n_arches, 2);
	assert_int_equal(s->arches[0], SCMP_ARCH_X86);
	assert_int_equal(s->arches[1], SCMP_ARCH_X32);
	assert_int_equal(s->rules[0].n_args, 1);
	assert_int_equal(s->rules[0].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(s->rules[0].args[0].value, 2114060288);
	iso_seccomp_free(s);
}

#define assert_refused(json, what) check_refused(__FILE__, __LINE__, json, what)

static void check_refused(const char *file, int line, const char *json, const char *what)
{
	struct iso_error err;
	struct iso_seccomp *s = load(json, 0, &err);

	_assert_true(s == NULL, "refused", file, line);
	if (strstr(err.msg, what) == NULL)
		fail_msg("%s:%d: \"%s\" does not say \"%s\"", file, line, err.msg, what);
}

static void bad_profiles_say_what_and_where(void **state)
{
	(void)state;
	assert_refused("{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "defaultAction: unknown action \"SCMP_ACT_NOPE\"");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\",\"bogus\"],"
		       "\"action\":\"SCMP_ACT_ERRNO\"}]}", "syscalls[0].names[1]: unknown syscall \"bogus\"");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		       "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		       "syscalls[0].args[0].index: expected 0 to 5");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		       "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ALMOST\"}]}]}",
		       "unknown operator \"SCMP_CMP_ALMOST\"");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
		       "unknown architecture \"SCMP_ARCH_VAX\"");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "needs a listener");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\"}]}",
		       "no syscall names");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		       "\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{\"caps\":[\"CAP_NOPE\"]}}]}", "caps");
	assert_refused("{\n\"defaultAction\": ,\n}", "p.json:2:");
	assert_refused("[]", "expected an object");
	assert_refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}", "syscalls: expected an array");
}

static void docker_default_gates_on_capabilities(void **state)
{
	struct iso_seccomp *s = iso_seccomp_docker_default(iso_caps_docker_default());

	(void)state;
	assert_int_equal(s->default_action, SCMP_ACT_ERRNO(EPERM));
	assert_true(rule_has(s, "read", SCMP_ACT_ALLOW));
	assert_true(rule_has(s, "chroot", SCMP_ACT_ALLOW));         /* SYS_CHROOT is in the set */
	assert_false(rule_has(s, "mount", SCMP_ACT_ALLOW));
	assert_false(rule_has(s, "unshare", SCMP_ACT_ALLOW));
	assert_false(rule_has(s, "keyctl", SCMP_ACT_ALLOW));
	assert_true(rule_has(s, "clone3", SCMP_ACT_ERRNO(ENOSYS)));
	iso_seccomp_free(s);
	s = iso_seccomp_docker_default(iso_caps_docker_default() | (1ULL << CAP_SYS_ADMIN));
	assert_true(rule_has(s, "unshare", SCMP_ACT_ALLOW));
	assert_false(rule_has(s, "clone3", SCMP_ACT_ERRNO(ENOSYS)));
	iso_seccomp_free(s);
}

static void compiled_once_then_from_the_cache(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *cache = tmp_path(t, "seccomp");
	struct iso_seccomp *a = iso_seccomp_docker_default(iso_caps_docker_default());
	struct iso_seccomp *b = iso_seccomp_docker_default(iso_caps_docker_default());
	struct iso_seccomp *c = iso_seccomp_docker_default(iso_caps_all());
	struct iso_error err;
	DIR *d;
	struct dirent *e;
	int files = 0;

	assert_int_equal(iso_seccomp_compile(a, cache, &err), 0);
	assert_true(a->bpf_len > 0);
	/* the second one is read from the cache: the same program */
	assert_int_equal(iso_seccomp_compile(b, cache, &err), 0);
	assert_int_equal(b->bpf_len, a->bpf_len);
	assert_memory_equal(b->bpf, a->bpf, a->bpf_len * 8);
	/* another filter, another program and another file */
	assert_int_equal(iso_seccomp_compile(c, cache, &err), 0);
	assert_true(c->bpf_len != a->bpf_len || memcmp(c->bpf, a->bpf, a->bpf_len * 8) != 0);
	d = opendir(cache);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 2);
	iso_seccomp_free(a);
	iso_seccomp_free(b);
	iso_seccomp_free(c);
}

static void a_cache_file_of_another_filter_is_not_used(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *cache = tmp_path(t, "seccomp");
	struct iso_seccomp *a = iso_seccomp_docker_default(iso_caps_docker_default());
	struct iso_seccomp *b = iso_seccomp_docker_default(iso_caps_docker_default());
	struct iso_error err;
	DIR *d;
	struct dirent *e;

	assert_int_equal(iso_seccomp_compile(a, cache, &err), 0);
	/* the file's key no longer matches: as after a hash collision */
	d = opendir(cache);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			char *path = xasprintf("%s/%s", cache, e->d_name);

			write_file(path, "isolate-seccomp 0 something else");
			free(path);
		}
	closedir(d);
	assert_int_equal(iso_seccomp_compile(b, cache, &err), 0);
	assert_int_equal(b->bpf_len, a->bpf_len);
	assert_memory_equal(b->bpf, a->bpf, a->bpf_len * 8);
	iso_seccomp_free(a);
	iso_seccomp_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(actions_and_errno),
		cmocka_unit_test(includes_and_excludes_follow_the_capabilities),
		cmocka_unit_test(args_and_arches),
		cmocka_unit_test(bad_profiles_say_what_and_where),
		cmocka_unit_test(docker_default_gates_on_capabilities),
		cmocka_unit_test_setup_teardown(compiled_once_then_from_the_cache, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(a_cache_file_of_another_filter_is_not_used,
						tmpdir_setup, tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("secfilter", tests, NULL, NULL);
}
