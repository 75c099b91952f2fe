#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* PATH is the namespace the runtime itself is in (the host's). */
static bool is_own(const char *path, int type)
{
	const char *name = type == CLONE_NEWNET ? "net" : type == CLONE_NEWIPC ? "ipc" : "uts";
	cleanup_free char *self = xasprintf("/proc/self/ns/%s", name);
	struct stat a, b;

	return stat(path, &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* A namespace of the container's own: new, or joined by a path that is
 * not the host's (runc refuses the same). */
static bool has_ns(const struct iso_spec *spec, int type)
{
	if (spec->linux_.new_namespaces & type)
		return true;
	for (size_t i = 0; i < spec->n_ns_paths; i++)
		if (spec->ns_paths[i].type == type)
			return !is_own(spec->ns_paths[i].path, type);
	return false;
}

/* The namespace a parameter belongs to (as the kernel and runc's
 * validation have it), or 0 for one of the whole host. */
static int namespace_of(const char *key)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};

	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (strcmp(key, ipc[i]) == 0)
			return CLONE_NEWIPC;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return CLONE_NEWIPC;
	if (strncmp(key, "net.", 4) == 0)
		return CLONE_NEWNET;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return CLONE_NEWUTS;
	return 0;
}

int iso_sysctl_check(const struct iso_spec *spec, struct iso_error *err)
{
	for (size_t i = 0; i < spec->n_sysctls; i++) {
		const char *key = spec->sysctls[i].key;
		int ns = namespace_of(key);

		if (strstr(key, "..") != NULL || strchr(key, '/') != NULL)
			return iso_error_set(err, 0, "sysctl %s: not a parameter name", key);
		if (ns == 0)
			return iso_error_set(err, 0, "sysctl %s: not in a namespace of the container's; "
					     "it would change the host", key);
		if (!has_ns(spec, ns))
			return iso_error_set(err, 0, "sysctl %s: the container shares the host's %s namespace",
					     key, ns == CLONE_NEWNET ? "network" : ns == CLONE_NEWIPC ? "IPC" : "UTS");
	}
	return 0;
}

int iso_sysctl_apply(const struct iso_spec *spec, struct iso_error *err)
{
	for (size_t i = 0; i < spec->n_sysctls; i++) {
		cleanup_free char *path = xasprintf("/proc/sys/%s", spec->sysctls[i].key);
		const char *value = spec->sysctls[i].value;
		cleanup_close int fd = -1;

		for (char *p = path + 10; *p != '\0'; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return iso_error_set(err, errno, "sysctl %s: open %s", spec->sysctls[i].key, path);
		if (write(fd, value, strlen(value)) < 0)
			return iso_error_set(err, errno, "sysctl %s=%s", spec->sysctls[i].key, value);
	}
	return 0;
}
