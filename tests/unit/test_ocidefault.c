/* ocidefault.h: the config.json `isolate-oci spec` writes is runc's
 * example, and --rootless changes what runc's ToRootless changes. */
#include "helpers.h"

#include <jansson.h>
#include <sys/wait.h>

#include "jsonutil.h"
#include "ocidefault.h"

static json_t *config(bool rootless)
{
	cleanup_free char *text = iso_oci_default_config(rootless);
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	assert_non_null(v);
	return v;
}

/* As root, the rootless config is made by a child that has become
 * UID:GID (a mapping of 0 to 0 would not show whose ids it took);
 * without root, by the caller itself, whose ids it returns. */
static json_t *rootless_config(uid_t *uid, gid_t *gid)
{
	cleanup_free char *text = NULL;
	json_error_t jerr;
	size_t len = 0;
	int fds[2], status;
	FILE *in;
	pid_t pid;

	*uid = geteuid();
	*gid = getegid();
	if (*uid != 0)
		return config(true);
	*uid = 54321;
	*gid = 54322;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *out;

		/* real ids other than the effective ones: runc maps the effective */
		if (setresgid(54000, *gid, *gid) < 0 || setresuid(54000, *uid, *uid) < 0)
			_exit(1);
		out = iso_oci_default_config(true);
		_exit(write_all(fds[1], out, strlen(out)) < 0 ? 2 : 0);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	assert_non_null(in);
	assert_true(getdelim(&text, &len, '\0', in) > 0);
	fclose(in);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	return json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
}

/* The value at a path of object keys, "a/b/c". */
static json_t *at(json_t *root, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;

	for (char *k = strtok_r(copy, "/", &save); k != NULL && root != NULL;
	     k = strtok_r(NULL, "/", &save))
		root = json_object_get(root, k);
	return root;
}

static const char *str_at(json_t *root, const char *path)
{
	return json_string_value(at(root, path));
}

/* The array's strings joined by spaces. */
static char *joined(json_t *a)
{
	char *out = xstrdup("");
	size_t i;
	json_t *v;

	assert_true(json_is_array(a));
	json_array_foreach(a, i, v) {
		char *next = xasprintf("%s%s%s", out, i > 0 ? " " : "", json_string_value(v));

		free(out);
		out = next;
	}
	return out;
}

#define assert_strings(a, want) do {                            \
		cleanup_free char *got_ = joined(a);            \
		assert_string_equal(got_, want);                \
	} while (0)

/* Each namespace's type, joined. */
static char *namespace_types(json_t *root)
{
	json_t *types = json_array(), *ns;
	size_t i;
	char *out;

	json_array_foreach(at(root, "linux/namespaces"), i, ns)
		json_array_append(types, json_object_get(ns, "type"));
	out = joined(types);
	json_decref(types);
	return out;
}

static json_t *mount_at(json_t *root, const char *destination)
{
	size_t i;
	json_t *m;

	json_array_foreach(at(root, "mounts"), i, m)
		if (strcmp(str_at(m, "destination"), destination) == 0)
			return m;
	return NULL;
}

static void process_as_runc_has_it(void **state)
{
	cleanup_json json_t *c = config(false);
	json_t *caps = at(c, "process/capabilities"), *rl;

	(void)state;
	assert_string_equal(str_at(c, "ociVersion"), "1.2.0");
	assert_true(json_is_true(at(c, "process/terminal")));
	assert_int_equal(json_integer_value(at(c, "process/user/uid")), 0);
	assert_int_equal(json_integer_value(at(c, "process/user/gid")), 0);
	assert_true(json_is_integer(at(c, "process/user/gid")));
	assert_strings(at(c, "process/args"), "sh");
	assert_strings(at(c, "process/env"),
		       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm");
	assert_string_equal(str_at(c, "process/cwd"), "/");
	assert_strings(json_object_get(caps, "bounding"), "CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE");
	assert_strings(json_object_get(caps, "effective"), "CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE");
	assert_strings(json_object_get(caps, "permitted"), "CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE");
	assert_null(json_object_get(caps, "inheritable"));
	assert_null(json_object_get(caps, "ambient"));
	assert_int_equal(json_array_size(at(c, "process/rlimits")), 1);
	rl = json_array_get(at(c, "process/rlimits"), 0);
	assert_string_equal(str_at(rl, "type"), "RLIMIT_NOFILE");
	assert_int_equal(json_integer_value(json_object_get(rl, "hard")), 1024);
	assert_int_equal(json_integer_value(json_object_get(rl, "soft")), 1024);
	assert_true(json_is_true(at(c, "process/noNewPrivileges")));
}

static void root_mounts_and_linux_as_runc_has_them(void **state)
{
	cleanup_json json_t *c = config(false);
	cleanup_free char *types = namespace_types(c);
	json_t *devices = at(c, "linux/resources/devices"), *proc = mount_at(c, "/proc");
	json_t *dests = json_array(), *m;
	size_t i;

	(void)state;
	assert_string_equal(str_at(c, "root/path"), "rootfs");
	assert_true(json_is_true(at(c, "root/readonly")));
	assert_string_equal(str_at(c, "hostname"), "isolate");
	json_array_foreach(at(c, "mounts"), i, m)
		json_array_append(dests, json_object_get(m, "destination"));
	assert_strings(dests, "/proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup");
	json_decref(dests);
	assert_string_equal(str_at(proc, "type"), "proc");
	assert_null(json_object_get(proc, "options"));
	assert_strings(at(mount_at(c, "/dev/pts"), "options"),
		       "nosuid noexec newinstance ptmxmode=0666 mode=0620 gid=5");
	assert_string_equal(str_at(mount_at(c, "/sys"), "type"), "sysfs");
	assert_strings(at(mount_at(c, "/sys"), "options"), "nosuid noexec nodev ro");
	assert_string_equal(str_at(mount_at(c, "/sys/fs/cgroup"), "type"), "cgroup");
	assert_int_equal(json_array_size(devices), 1);
	assert_true(json_is_false(at(json_array_get(devices, 0), "allow")));
	assert_string_equal(str_at(json_array_get(devices, 0), "access"), "rwm");
	assert_string_equal(types, "pid network ipc uts mount cgroup");
	assert_null(at(c, "linux/uidMappings"));
	assert_null(at(c, "linux/gidMappings"));
	assert_int_equal(json_array_size(at(c, "linux/maskedPaths")), 10);
	assert_string_equal(json_string_value(json_array_get(at(c, "linux/maskedPaths"), 2)),
			    "/proc/kcore");
	assert_strings(at(c, "linux/readonlyPaths"),
		       "/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger");
}

static void rootless_maps_the_caller_and_drops_what_needs_root(void **state)
{
	uid_t euid;
	gid_t egid;
	cleanup_json json_t *c = rootless_config(&euid, &egid);
	cleanup_free char *types = namespace_types(c);
	json_t *uid = json_array_get(at(c, "linux/uidMappings"), 0);
	json_t *gid = json_array_get(at(c, "linux/gidMappings"), 0);
	json_t *sys = mount_at(c, "/sys"), *m;
	size_t i;

	(void)state;
	assert_string_equal(types, "pid ipc uts mount cgroup user");
	assert_int_equal(json_array_size(at(c, "linux/uidMappings")), 1);
	assert_int_equal(json_integer_value(json_object_get(uid, "containerID")), 0);
	assert_int_equal(json_integer_value(json_object_get(uid, "hostID")), euid);
	assert_int_equal(json_integer_value(json_object_get(uid, "size")), 1);
	assert_int_equal(json_array_size(at(c, "linux/gidMappings")), 1);
	assert_int_equal(json_integer_value(json_object_get(gid, "containerID")), 0);
	assert_int_equal(json_integer_value(json_object_get(gid, "hostID")), egid);
	assert_int_equal(json_integer_value(json_object_get(gid, "size")), 1);
	assert_string_equal(str_at(sys, "type"), "none");
	assert_string_equal(str_at(sys, "source"), "/sys");
	assert_strings(json_object_get(sys, "options"), "rbind nosuid noexec nodev ro");
	assert_strings(at(mount_at(c, "/dev/pts"), "options"),
		       "nosuid noexec newinstance ptmxmode=0666 mode=0620");
	json_array_foreach(at(c, "mounts"), i, m) {
		cleanup_free char *opts = json_object_get(m, "options") ?
					  joined(json_object_get(m, "options")) : xstrdup("");

		assert_null(strstr(opts, "gid="));
		assert_null(strstr(opts, "uid="));
	}
	assert_null(at(c, "linux/resources"));
	/* the rest as without --rootless */
	assert_int_equal(json_array_size(at(c, "mounts")), 7);
	assert_string_equal(str_at(mount_at(c, "/sys/fs/cgroup"), "type"), "cgroup");
	assert_true(json_is_true(at(c, "root/readonly")));
	assert_int_equal(json_array_size(at(c, "linux/maskedPaths")), 10);
}

/* runc writes it with tabs and no newline at the end; the same every time. */
static void written_as_runc_writes_it(void **state)
{
	cleanup_free char *a = iso_oci_default_config(false);
	cleanup_free char *b = iso_oci_default_config(false);
	cleanup_free char *r = iso_oci_default_config(true);

	(void)state;
	assert_string_equal(a, b);
	assert_true(strncmp(a, "{\n\t\"ociVersion\": \"1.2.0\",\n\t\"process\": {\n\t\t\"terminal\": true,",
			    strlen("{\n\t\"ociVersion\": \"1.2.0\",\n\t\"process\": {\n\t\t\"terminal\": true,"))
		    == 0);
	assert_null(strstr(a, "\n "));
	assert_null(strstr(r, "\n "));
	assert_non_null(strstr(a, "\n\t\t\t\t\t\"allow\": false,\n"));
	assert_int_equal(a[strlen(a) - 1], '}');
	assert_int_equal(r[strlen(r) - 1], '}');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(process_as_runc_has_it),
		cmocka_unit_test(root_mounts_and_linux_as_runc_has_them),
		cmocka_unit_test(rootless_maps_the_caller_and_drops_what_needs_root),
		cmocka_unit_test(written_as_runc_writes_it),
	};

	return cmocka_run_group_tests_name("ocidefault", tests, NULL, NULL);
}
