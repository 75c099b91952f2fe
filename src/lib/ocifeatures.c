#include "ocifeatures.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hooks.h"
#include "jsonutil.h"
#include "util.h"

#ifndef ISOLATE_VERSION
#define ISOLATE_VERSION "unknown"
#endif

/* mntopt.c's options, sorted as runc sorts them.  "newinstance" is
 * accepted too, but it is devpts's own, and the spec asks for no
 * filesystem-specific option here. */
static const char *const mount_options[] = {
	"async", "atime", "bind", "defaults", "dev", "diratime", "exec", "idmap",
	"noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nosuid",
	"nosymfollow", "private", "rbind", "relatime", "ridmap", "ro", "rprivate",
	"rshared", "rslave", "runbindable", "rw", "shared", "slave", "strictatime", "suid",
	"symfollow", "unbindable", NULL,
};

static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "user", "uts", NULL,
};

/* secfilter_json.c's tables; SCMP_ACT_NOTIFY with a listenerPath */
static const char *const seccomp_actions[] = {
	"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
	NULL,
};

static const char *const seccomp_operators[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
	"SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

/* Every architecture some libseccomp knows, sorted; those this one
 * resolves are listed. */
static const char *const seccomp_arch_candidates[] = {
	"AARCH64", "ARM", "LOONGARCH64", "M68K", "MIPS", "MIPS64", "MIPS64N32", "MIPSEL",
	"MIPSEL64", "MIPSEL64N32", "PARISC", "PARISC64", "PPC", "PPC64", "PPC64LE",
	"RISCV64", "S390", "S390X", "SH", "SHEB", "X32", "X86", "X86_64", NULL,
};

static json_t *string_array(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *enabled(bool on)
{
	return json_pack("{s:b}", "enabled", on);
}

static json_t *capabilities(void)
{
	json_t *a = json_array();
	int n = (int)cap_max_bits();

	for (cap_value_t cap = 0; cap < n; cap++) {
		char *name = cap_to_name(cap);

		/* libcap names the capabilities it does not know by number */
		if (name != NULL && strncmp(name, "cap_", 4) == 0) {
			for (char *p = name; *p != '\0'; p++)
				*p = (char)toupper((unsigned char)*p);
			json_array_append_new(a, json_string(name));
		}
		cap_free(name);
	}
	return a;
}

static json_t *seccomp_archs(void)
{
	json_t *a = json_array();

	for (size_t i = 0; seccomp_arch_candidates[i] != NULL; i++) {
		char lower[32];
		size_t j;

		for (j = 0; seccomp_arch_candidates[i][j] != '\0' && j < sizeof(lower) - 1; j++)
			lower[j] = (char)tolower((unsigned char)seccomp_arch_candidates[i][j]);
		lower[j] = '\0';
		if (seccomp_arch_resolve_name(lower) != 0)
			json_array_append_new(a, json_sprintf("SCMP_ARCH_%s",
							      seccomp_arch_candidates[i]));
	}
	return a;
}

/* mount_setattr, and MOUNT_ATTR_IDMAP with it, came in Linux 5.12: any
 * answer but ENOSYS to a call that cannot succeed says it is there. */
static bool kernel_has_idmapped_mounts(void)
{
	return syscall(SYS_mount_setattr, -1, "", AT_EMPTY_PATH, NULL, 0) == 0 || errno != ENOSYS;
}

static json_t *linux_features(void)
{
	return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:{s:b, s:o, s:o, s:o}, "
			 "s:o, s:o, s:o, s:{s:o}}",
			 "namespaces", string_array(namespaces),
			 "capabilities", capabilities(),
			 "cgroup", "v1", true, "v2", true, "systemd", false, "systemdUser", false,
			 "rdma", false,
			 "seccomp", "enabled", true, "actions", string_array(seccomp_actions),
			 "operators", string_array(seccomp_operators), "archs", seccomp_archs(),
			 "apparmor", enabled(false),
			 "selinux", enabled(false),
			 "intelRdt", enabled(false),
			 "mountExtensions", "idmap", enabled(kernel_has_idmapped_mounts()));
}

char *iso_oci_features_json(void)
{
	const struct scmp_version *sv = seccomp_version();
	cleanup_free char *seccomp_ver = xasprintf("%u.%u.%u", sv->major, sv->minor, sv->micro);
	json_t *hooks = json_array();
	cleanup_json json_t *root = NULL;
	cleanup_free char *text = NULL;

	for (int k = 0; k < ISO_HOOK_KINDS; k++)
		json_array_append_new(hooks, json_string(iso_hook_kind_name((enum iso_hook_kind)k)));
	root = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}}",
			 "ociVersionMin", "1.0.0",
			 "ociVersionMax", "1.2.0",
			 "hooks", hooks,
			 "mountOptions", string_array(mount_options),
			 "linux", linux_features(),
			 "annotations",
			 "io.github.isolate.version", ISOLATE_VERSION,
			 "io.github.seccomp.libseccomp.version", seccomp_ver);
	text = root != NULL ? json_dumps(root, JSON_INDENT(4)) : NULL;
	if (text == NULL)
		abort();        /* json_pack and json_dumps fail only for want of memory */
	/* runc's encoder ends with a newline */
	return xasprintf("%s\n", text);
}
