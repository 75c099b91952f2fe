#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "idmap.h"
#include "resources.h"
#include "util.h"

bool iso_spec_host_root(const struct iso_spec *spec)
{
	return spec->root.path == NULL && spec->root.layers == NULL;
}

struct iso_spec *iso_spec_new(void)
{
	struct iso_spec *spec = xcalloc(1, sizeof(*spec));

	struct iso_resources *r = &spec->linux_.resources;

	spec->process.cwd = xstrdup("/");
	r->memory_limit = r->memory_reservation = r->memory_swap = ISO_UNSET;
	r->cpu_shares = r->cpu_weight = r->cpu_quota = r->cpu_period = ISO_UNSET;
	r->pids_limit = r->blkio_weight = r->memory_swappiness = ISO_UNSET;
	return spec;
}

static void mount_free(struct iso_mount *m)
{
	free(m->destination);
	free(m->type);
	free(m->source);
	strv_free(m->options);
}

void iso_spec_free(struct iso_spec *spec)
{
	if (spec == NULL)
		return;
	strv_free(spec->process.args);
	strv_free(spec->process.env);
	free(spec->process.cwd);
	free(spec->process.user.additional_gids);
	free(spec->process.user.spec);
	free(spec->root.path);
	strv_free(spec->root.layers);
	free(spec->root.upper);
	free(spec->hostname);
	for (size_t i = 0; i < spec->n_mounts; i++)
		mount_free(&spec->mounts[i]);
	free(spec->mounts);
	free(spec->process.rlimits);
	free(spec->linux_.cgroups_path);
	strv_free(spec->linux_.masked_paths);
	strv_free(spec->linux_.readonly_paths);
	iso_seccomp_free(spec->linux_.seccomp);
	free(spec->linux_.resources.cpuset_cpus);
	free(spec->linux_.resources.cpuset_mems);
	free(spec->linux_.resources.read_bps);
	free(spec->linux_.resources.write_bps);
	free(spec->linux_.resources.devices);
	for (size_t i = 0; i < spec->linux_.resources.n_hugepages; i++)
		free(spec->linux_.resources.hugepages[i].pagesize);
	free(spec->linux_.resources.hugepages);
	strv_free(spec->linux_.resources.unified);
	free(spec->process.apparmor_profile);
	free(spec->process.selinux_label);
	free(spec->domainname);
	for (size_t i = 0; i < spec->n_ns_paths; i++)
		free(spec->ns_paths[i].path);
	free(spec->ns_paths);
	for (size_t i = 0; i < spec->n_devices; i++)
		free(spec->devices[i].path);
	free(spec->devices);
	for (size_t i = 0; i < spec->n_sysctls; i++) {
		free(spec->sysctls[i].key);
		free(spec->sysctls[i].value);
	}
	free(spec->sysctls);
	for (int k = 0; k < ISO_HOOK_KINDS; k++) {
		for (size_t i = 0; i < spec->hooks.n[k]; i++)
			iso_hook_clear(&spec->hooks.list[k][i]);
		free(spec->hooks.list[k]);
	}
	free(spec->annotations_json);
	free(spec->oci_version);
	free(spec);
}

void iso_hook_clear(struct iso_hook *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
}

static char **split_options(const char *options)
{
	char **v = xcalloc(1, sizeof(char *));
	const char *p = options;

	while (p != NULL && *p != '\0') {
		const char *end = strchrnul(p, ',');

		if (end > p)
			strv_push_owned(&v, xstrndup(p, (size_t)(end - p)));
		p = *end ? end + 1 : end;
	}
	return v;
}

static struct iso_mount make_mount(const char *type, const char *source,
				   const char *destination, const char *options)
{
	struct iso_mount m = {
		.destination = xstrdup(destination),
		.type = xstrdup(type),
		.source = xstrdup(source ? source : type),
		.options = split_options(options),
	};
	return m;
}

void iso_spec_add_mount(struct iso_spec *spec, const char *type,
			const char *source, const char *destination,
			const char *options)
{
	spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
	spec->mounts[spec->n_mounts++] = make_mount(type, source, destination, options);
}

void iso_spec_add_mount_first(struct iso_spec *spec, const char *type,
			      const char *source, const char *destination,
			      const char *options)
{
	spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
	memmove(spec->mounts + 1, spec->mounts, spec->n_mounts * sizeof(*spec->mounts));
	spec->mounts[0] = make_mount(type, source, destination, options);
	spec->n_mounts++;
}

bool iso_mount_has_option(const struct iso_mount *m, const char *opt)
{
	for (size_t i = 0; m->options != NULL && m->options[i] != NULL; i++)
		if (strcmp(m->options[i], opt) == 0)
			return true;
	return false;
}

/* devpts refuses gid=5 when group 5 has no mapping in the user namespace. */
static bool gid_is_mapped(const struct iso_spec *spec, uint32_t gid)
{
	if (!iso_spec_has_userns(spec))
		return true;
	return iso_idmap_to_host(spec->linux_.gid_mappings,
				 spec->linux_.n_gid_mappings, gid, NULL) == 0;
}

void iso_spec_add_default_mounts(struct iso_spec *spec)
{
	struct iso_mount defaults[9];
	size_t n = 0, kept = 0;

	defaults[n++] = make_mount("proc", "proc", "/proc", "nosuid,noexec,nodev");
	defaults[n++] = make_mount("tmpfs", "tmpfs", "/dev", "nosuid,strictatime,mode=755,size=65536k");
	defaults[n++] = make_mount("devpts", "devpts", "/dev/pts",
				   gid_is_mapped(spec, 5)
				   ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"
				   : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620");
	defaults[n++] = make_mount("tmpfs", "shm", "/dev/shm", "nosuid,noexec,nodev,mode=1777,size=65536k");
	defaults[n++] = make_mount("mqueue", "mqueue", "/dev/mqueue", "nosuid,noexec,nodev");
	defaults[n++] = make_mount("sysfs", "sysfs", "/sys", "ro,nosuid,noexec,nodev");
	defaults[n++] = make_mount("cgroup", "cgroup", "/sys/fs/cgroup", "ro,nosuid,noexec,nodev");
	if (iso_spec_host_root(spec)) {
		defaults[n++] = make_mount("tmpfs", "tmpfs", "/tmp", "nosuid,nodev,mode=1777");
		defaults[n++] = make_mount("tmpfs", "tmpfs", "/run", "nosuid,nodev,mode=755");
	}

	spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + n) * sizeof(*spec->mounts));
	memmove(spec->mounts + n, spec->mounts, spec->n_mounts * sizeof(*spec->mounts));
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;

		for (size_t j = n; j < n + spec->n_mounts; j++)
			if (strcmp(spec->mounts[j].destination, defaults[i].destination) == 0)
				replaced = true;
		if (replaced)
			mount_free(&defaults[i]);
		else
			spec->mounts[kept++] = defaults[i];
	}
	memmove(spec->mounts + kept, spec->mounts + n, spec->n_mounts * sizeof(*spec->mounts));
	spec->n_mounts += kept;
}

void iso_spec_add_default_masks(struct iso_spec *spec)
{
	static const char *const masked[] = {
		"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
		"/sys/firmware", "/sys/devices/virtual/powercap", NULL,
	};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
	};

	for (size_t i = 0; masked[i] != NULL; i++)
		strv_push(&spec->linux_.masked_paths, masked[i]);
	for (size_t i = 0; readonly[i] != NULL; i++)
		strv_push(&spec->linux_.readonly_paths, readonly[i]);
}

static int validate_mount(const struct iso_mount *m, struct iso_error *err)
{
	cleanup_free char *norm = NULL;

	if (m->destination[0] != '/')
		return iso_error_set(err, 0, "mount destination %s: not an absolute path", m->destination);
	norm = path_normalize(m->destination);
	if (norm == NULL)
		return iso_error_set(err, 0, "mount destination %s: \"..\" is not allowed", m->destination);
	if (strcmp(m->type, "bind") == 0 && m->source[0] != '/')
		return iso_error_set(err, 0, "bind mount source %s: not an absolute path", m->source);
	return 0;
}

int iso_spec_validate(const struct iso_spec *spec, struct iso_error *err)
{
	if (spec->process.args == NULL || spec->process.args[0] == NULL)
		return iso_error_set(err, 0, "no command given");
	if (spec->process.cwd == NULL || spec->process.cwd[0] != '/')
		return iso_error_set(err, 0, "working directory %s: not an absolute path",
				     spec->process.cwd ? spec->process.cwd : "(none)");
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (validate_mount(&spec->mounts[i], err) < 0)
			return -1;
	for (unsigned int fd = 3; fd < 3 + spec->process.preserve_fds; fd++)
		if (fcntl((int)fd, F_GETFD) < 0)
			return iso_error_set(err, errno, "preserve fd %u", fd);
	if (iso_resources_validate(&spec->linux_.resources, err) < 0 ||
	    iso_cgroup_parent_check(spec->linux_.cgroups_path, err) < 0)
		return -1;
	if (iso_spec_has_userns(spec)) {
		if (iso_idmap_validate(spec->linux_.uid_mappings, spec->linux_.n_uid_mappings, err) < 0)
			return iso_error_prefix(err, "uid map");
		if (iso_idmap_validate(spec->linux_.gid_mappings, spec->linux_.n_gid_mappings, err) < 0)
			return iso_error_prefix(err, "gid map");
	}
	return 0;
}
