#include "ocidefault.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonutil.h"
#include "util.h"

struct default_mount {
	const char *destination, *type, *source;
	const char *const options[8];
};

/* runc's, in its order; /proc has no options at all */
static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

/* Without root, sysfs can only be mounted by the owner of the network
 * namespace, which a rootless container does not make: the host's /sys
 * is bound instead, read-only. */
static const struct default_mount rootless_sys =
	{ "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL } };

static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
	"/proc/scsi", NULL,
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

static json_t *string_array(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *process(void)
{
	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:o, s:o, s:o}, "
			 "s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", true,
			 "user", "uid", 0, "gid", 0,
			 "args", "sh",
			 "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "TERM=xterm",
			 "cwd", "/",
			 "capabilities", "bounding", string_array(default_caps),
			 "effective", string_array(default_caps),
			 "permitted", string_array(default_caps),
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", true);
}

static json_t *mount_json(const struct default_mount *m, bool rootless)
{
	json_t *options = json_array();
	json_t *out = json_pack("{s:s, s:s, s:s}", "destination", m->destination,
				"type", m->type, "source", m->source);

	for (size_t i = 0; m->options[i] != NULL; i++)
		/* runc drops uid= and gid= without root: the ids they name
		 * are not mapped */
		if (!rootless || (strncmp(m->options[i], "uid=", 4) != 0 &&
				  strncmp(m->options[i], "gid=", 4) != 0))
			json_array_append_new(options, json_string(m->options[i]));
	if (json_array_size(options) > 0)
		json_object_set_new(out, "options", options);
	else
		json_decref(options);
	return out;
}

static json_t *mounts(bool rootless)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const struct default_mount *m = &default_mounts[i];

		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		json_array_append_new(a, mount_json(m, rootless));
	}
	return a;
}

static json_t *namespaces(bool rootless)
{
	static const char *const types[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
	json_t *a = json_array();

	for (size_t i = 0; types[i] != NULL; i++)
		if (!rootless || strcmp(types[i], "network") != 0)
			json_array_append_new(a, json_pack("{s:s}", "type", types[i]));
	if (rootless)
		json_array_append_new(a, json_pack("{s:s}", "type", "user"));
	return a;
}

static json_t *linux_section(bool rootless)
{
	json_t *out = json_object();

	if (rootless) {
		json_object_set_new(out, "uidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0,
					      "hostID", (json_int_t)geteuid(), "size", 1));
		json_object_set_new(out, "gidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0,
					      "hostID", (json_int_t)getegid(), "size", 1));
	} else {
		json_object_set_new(out, "resources",
				    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", false,
					      "access", "rwm"));
	}
	json_object_set_new(out, "namespaces", namespaces(rootless));
	json_object_set_new(out, "maskedPaths", string_array(masked_paths));
	json_object_set_new(out, "readonlyPaths", string_array(readonly_paths));
	return out;
}

/* jansson indents with spaces only: with one space a level, each line's
 * leading spaces are its depth, and become tabs (no newline is left raw
 * inside a JSON string, so every line starts a value or a key). */
static char *tabs_for_spaces(const char *text)
{
	char *out = xmalloc(strlen(text) + 1);
	char *o = out;
	bool line_start = true;

	for (const char *p = text; *p != '\0'; p++) {
		if (line_start && *p == ' ') {
			*o++ = '\t';
			continue;
		}
		line_start = *p == '\n';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

char *iso_oci_default_config(bool rootless)
{
	cleanup_json json_t *root = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
					      "ociVersion", "1.2.0",
					      "process", process(),
					      "root", "path", "rootfs", "readonly", true,
					      "hostname", "isolate",
					      "mounts", mounts(rootless),
					      "linux", linux_section(rootless));
	cleanup_free char *text = root != NULL ? json_dumps(root, JSON_INDENT(1)) : NULL;

	if (text == NULL)
		abort();        /* json_pack and json_dumps fail only for want of memory */
	return tabs_for_spaces(text);
}
