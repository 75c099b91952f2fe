/* ocifeatures.h: `isolate-oci features` claims what isolate does: each
 * mount option, capability and seccomp name it lists is one the library
 * takes, and nothing outside runtime-spec 1.2's Features structure. */
#include "helpers.h"

#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include "caps.h"
#include "jsonutil.h"
#include "mntopt.h"
#include "ocifeatures.h"
#include "secfilter.h"

static json_t *features(void)
{
	cleanup_free char *text = iso_oci_features_json();
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	assert_non_null(v);
	return v;
}

static json_t *at(json_t *root, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;

	for (char *k = strtok_r(copy, "/", &save); k != NULL && root != NULL;
	     k = strtok_r(NULL, "/", &save))
		root = json_object_get(root, k);
	return root;
}

static bool listed(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Every key of OBJ is one of KEYS (a NULL-terminated list). */
static void assert_keys_within(json_t *obj, const char *const *keys)
{
	const char *key;
	json_t *v;

	assert_true(json_is_object(obj));
	json_object_foreach(obj, key, v) {
		size_t i = 0;

		while (keys[i] != NULL && strcmp(keys[i], key) != 0)
			i++;
		if (keys[i] == NULL)
			fail_msg("%s is not in runtime-spec 1.2's Features structure", key);
	}
}

static void versions_hooks_and_the_spec_s_properties_only(void **state)
{
	static const char *const top[] = { "ociVersionMin", "ociVersionMax", "hooks", "mountOptions",
					   "linux", "annotations",
					   "potentiallyUnsafeConfigAnnotations", NULL };
	static const char *const linux_keys[] = { "namespaces", "capabilities", "cgroup", "seccomp",
						  "apparmor", "selinux", "intelRdt",
						  "mountExtensions", NULL };
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop" };
	cleanup_json json_t *f = features();

	(void)state;
	assert_keys_within(f, top);
	assert_keys_within(at(f, "linux"), linux_keys);
	assert_string_equal(json_string_value(at(f, "ociVersionMin")), "1.0.0");
	assert_string_equal(json_string_value(at(f, "ociVersionMax")), "1.2.0");
	assert_int_equal(json_array_size(at(f, "hooks")), 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(json_string_value(json_array_get(at(f, "hooks"), i)), hooks[i]);
}

/* Each listed option is one mntopt.c understands itself (a flag,
 * propagation, bind or idmap), not one it hands to the filesystem. */
static void mount_options_are_those_isolate_understands(void **state)
{
	cleanup_json json_t *f = features();
	json_t *opts = at(f, "mountOptions"), *v;
	size_t i;

	(void)state;
	assert_true(json_array_size(opts) >= 30);
	json_array_foreach(opts, i, v) {
		char *one[] = { (char *)json_string_value(v), NULL };
		struct iso_mntopts o;
		struct iso_error err = { 0 };

		assert_int_equal(iso_mntopts_parse(one, &o, &err), 0);
		if (o.data[0] != NULL)
			fail_msg("mount option %s is passed to the filesystem", one[0]);
		iso_mntopts_free(&o);
		if (i > 0)
			assert_true(strcmp(json_string_value(json_array_get(opts, i - 1)), one[0]) < 0);
	}
	assert_true(listed(opts, "rbind"));
	assert_true(listed(opts, "idmap"));
	assert_false(listed(opts, "mode=755"));
	assert_false(listed(opts, "tmpcopyup"));
}

static void capabilities_are_those_the_kernel_and_libcap_know(void **state)
{
	cleanup_json json_t *f = features();
	json_t *caps = at(f, "linux/capabilities"), *v;
	uint64_t all = 0;
	size_t i;

	(void)state;
	assert_string_equal(json_string_value(json_array_get(caps, 0)), "CAP_CHOWN");
	assert_true(listed(caps, "CAP_SYS_ADMIN"));
	json_array_foreach(caps, i, v) {
		struct iso_error err = { 0 };
		uint64_t bit;

		assert_int_equal(iso_caps_parse(json_string_value(v), &bit, &err), 0);
		all |= bit;
	}
	assert_true(all == iso_caps_all());
}

/* A docker-format profile of one rule, for the seccomp loader. */
static int load_profile(const char *text)
{
	struct iso_seccomp *s = NULL;
	struct iso_error err = { 0 };
	int r = iso_seccomp_from_json(text, strlen(text), "test", 0, &s, &err);

	iso_seccomp_free(s);
	return r;
}

static void seccomp_names_are_those_the_loader_takes(void **state)
{
	cleanup_json json_t *f = features();
	json_t *sc = at(f, "linux/seccomp"), *v;
	size_t i;

	(void)state;
	assert_true(json_is_true(json_object_get(sc, "enabled")));
	assert_true(listed(json_object_get(sc, "actions"), "SCMP_ACT_NOTIFY"));
	assert_true(listed(json_object_get(sc, "archs"), "SCMP_ARCH_X86_64"));
	assert_null(json_object_get(sc, "knownFlags"));
	json_array_foreach(json_object_get(sc, "actions"), i, v) {
		cleanup_free char *p = xasprintf("{\"defaultAction\": \"%s\"}", json_string_value(v));

		/* only with a listenerPath, which docker's form has not
		 * (test_ocispec.c loads it in OCI's) */
		if (strcmp(json_string_value(v), "SCMP_ACT_NOTIFY") == 0)
			continue;
		if (load_profile(p) < 0)
			fail_msg("action %s is not taken", json_string_value(v));
	}
	json_array_foreach(json_object_get(sc, "operators"), i, v) {
		cleanup_free char *p = xasprintf(
			"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
			"\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, "
			"\"op\": \"%s\"}]}]}", json_string_value(v));

		if (load_profile(p) < 0)
			fail_msg("operator %s is not taken", json_string_value(v));
	}
	json_array_foreach(json_object_get(sc, "archs"), i, v) {
		cleanup_free char *p = xasprintf("{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
						 "\"architectures\": [\"%s\"]}", json_string_value(v));

		if (load_profile(p) < 0)
			fail_msg("architecture %s is not taken", json_string_value(v));
	}
	assert_int_equal(json_array_size(json_object_get(sc, "operators")), 7);
}

/* What isolate does not do is not claimed. */
static void what_isolate_does_not_do_is_off(void **state)
{
	cleanup_json json_t *f = features();
	json_t *ns = at(f, "linux/namespaces");
	const struct scmp_version *sv = seccomp_version();
	cleanup_free char *sv_text = xasprintf("%u.%u.%u", sv->major, sv->minor, sv->micro);
	bool has_setattr = syscall(SYS_mount_setattr, -1, "", AT_EMPTY_PATH, NULL, 0) == 0 ||
			   errno != ENOSYS;

	(void)state;
	assert_true(json_is_true(at(f, "linux/cgroup/v1")));
	assert_true(json_is_true(at(f, "linux/cgroup/v2")));
	assert_true(json_is_false(at(f, "linux/cgroup/systemd")));
	assert_true(json_is_false(at(f, "linux/cgroup/systemdUser")));
	assert_true(json_is_false(at(f, "linux/cgroup/rdma")));
	assert_true(json_is_false(at(f, "linux/apparmor/enabled")));
	assert_true(json_is_false(at(f, "linux/selinux/enabled")));
	assert_true(json_is_false(at(f, "linux/intelRdt/enabled")));
	assert_true(json_is_boolean(at(f, "linux/mountExtensions/idmap/enabled")));
	assert_int_equal(json_is_true(at(f, "linux/mountExtensions/idmap/enabled")), has_setattr);
	assert_int_equal(json_array_size(ns), 7);
	assert_false(listed(ns, "time"));
	assert_true(listed(ns, "user") && listed(ns, "cgroup"));
	assert_non_null(json_string_value(at(f, "annotations/io.github.isolate.version")));
	assert_string_equal(json_string_value(at(f, "annotations/io.github.seccomp.libseccomp.version")),
			    sv_text);
}

/* runc's encoder: 4 spaces a level, a newline at the end. */
static void printed_as_runc_prints_it(void **state)
{
	cleanup_free char *text = iso_oci_features_json();

	(void)state;
	assert_true(strncmp(text, "{\n    \"ociVersionMin\": \"1.0.0\",\n", 32) == 0);
	assert_non_null(strstr(text, "\n        \"prestart\",\n"));
	assert_string_equal(text + strlen(text) - 3, "\n}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions_hooks_and_the_spec_s_properties_only),
		cmocka_unit_test(mount_options_are_those_isolate_understands),
		cmocka_unit_test(capabilities_are_those_the_kernel_and_libcap_know),
		cmocka_unit_test(seccomp_names_are_those_the_loader_takes),
		cmocka_unit_test(what_isolate_does_not_do_is_off),
		cmocka_unit_test(printed_as_runc_prints_it),
	};

	return cmocka_run_group_tests_name("ocifeatures", tests, NULL, NULL);
}
