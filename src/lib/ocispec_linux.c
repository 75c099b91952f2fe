/* config.json's linux object: namespaces, id mappings, devices, cgroup,
 * sysctls, masked and read-only paths, propagation and personality
 * (resources and seccomp have files of their own). */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "ocispec_int.h"
#include "util.h"

static const struct { const char *name; int flag; } ns_types[] = {
	{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

struct ns_arg {
	struct iso_spec *spec;
	int seen;               /* CLONE_NEW* of the types already listed */
};

static int ns_flag(struct oci_ctx *c, const char *type)
{
	for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++)
		if (strcmp(ns_types[i].name, type) == 0)
			return ns_types[i].flag;
	if (strcmp(type, "time") == 0)
		return oci_fail_at(c, "type", "the time namespace is not supported by isolate-oci");
	return oci_fail_at(c, "type", "unknown namespace \"%s\"", oci_show(type).s);
}

/* Without a path, a namespace to make; with one, a namespace to join. */
static int parse_namespace(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct ns_arg *a = arg;
	struct iso_spec *spec = a->spec;
	const char *type = NULL, *path = NULL;
	int flag;

	(void)i;
	if (oci_require(c, obj, "type") < 0 || oci_peek_string(c, obj, "type", &type) < 0 ||
	    oci_peek_string(c, obj, "path", &path) < 0)
		return -1;
	flag = ns_flag(c, type);
	if (flag < 0)
		return -1;
	if (a->seen & flag)
		return oci_fail_at(c, "type", "the %s namespace is listed twice", type);
	a->seen |= flag;
	if (path == NULL || path[0] == '\0') {
		spec->linux_.new_namespaces |= flag;
		return 0;
	}
	if (oci_check_absolute(c, "path", path) < 0)
		return -1;
	spec->ns_paths = xrealloc(spec->ns_paths, (spec->n_ns_paths + 1) * sizeof(*spec->ns_paths));
	spec->ns_paths[spec->n_ns_paths++] = (struct iso_ns_path){ .type = flag, .path = xstrdup(path) };
	return 0;
}

struct idmap_arg {
	struct iso_idmap *maps;
	size_t *n;
};

static int parse_idmap(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct idmap_arg *a = arg;
	int64_t container = 0, host = 0, size = 0;

	if (oci_require(c, obj, "containerID") < 0 || oci_require(c, obj, "hostID") < 0 ||
	    oci_require(c, obj, "size") < 0 ||
	    oci_get_int(c, obj, "containerID", 0, UINT32_MAX, NULL, &container) < 0 ||
	    oci_get_int(c, obj, "hostID", 0, UINT32_MAX, NULL, &host) < 0 ||
	    oci_get_int(c, obj, "size", 0, UINT32_MAX, NULL, &size) < 0)
		return -1;
	a->maps[i] = (struct iso_idmap){ (uint32_t)container, (uint32_t)host, (uint32_t)size };
	*a->n = i + 1;
	return 0;
}

int oci_parse_idmaps(struct oci_ctx *c, json_t *obj, const char *key, struct iso_idmap *maps,
		     size_t *n)
{
	struct idmap_arg a = { maps, n };

	if (json_array_size(json_object_get(obj, key)) > ISO_MAX_IDMAPS)
		return oci_fail_at(c, key, "more than %d mappings (the kernel's limit)", ISO_MAX_IDMAPS);
	*n = 0;
	return oci_each(c, obj, key, parse_idmap, &a);
}

/* fileMode is a whole st_mode as Go writes it; its permission bits count. */
static int parse_device(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_device *d = &((struct iso_spec *)arg)->devices[i];
	const char *type = NULL;
	int64_t mode = 0, uid = 0, gid = 0;

	if (oci_require(c, obj, "path") < 0 || oci_get_string(c, obj, "path", &d->path) < 0 ||
	    oci_check_absolute(c, "path", d->path) < 0 ||
	    oci_require(c, obj, "type") < 0 || oci_peek_string(c, obj, "type", &type) < 0)
		return -1;
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return oci_fail_at(c, "type", "unknown device type \"%s\" (expected c, b, u or p)",
				   oci_show(type).s);
	d->type = type[0];
	if ((d->type != 'p' && (oci_require(c, obj, "major") < 0 || oci_require(c, obj, "minor") < 0)) ||
	    oci_get_int(c, obj, "major", 0, UINT32_MAX, NULL, &d->major) < 0 ||
	    oci_get_int(c, obj, "minor", 0, UINT32_MAX, NULL, &d->minor) < 0 ||
	    oci_get_int(c, obj, "fileMode", 0, UINT32_MAX, &d->has_mode, &mode) < 0 ||
	    oci_get_int(c, obj, "uid", 0, UINT32_MAX, &d->has_uid, &uid) < 0 ||
	    oci_get_int(c, obj, "gid", 0, UINT32_MAX, &d->has_gid, &gid) < 0)
		return -1;
	d->mode = (mode_t)mode & 07777;
	d->uid = (uid_t)uid;
	d->gid = (gid_t)gid;
	return 0;
}

static int parse_devices(struct oci_ctx *c, json_t *obj, struct iso_spec *spec)
{
	size_t n = json_array_size(json_object_get(obj, "devices"));

	if (n > 0) {
		spec->devices = xcalloc(n, sizeof(*spec->devices));
		spec->n_devices = n;
	}
	return oci_each(c, obj, "devices", parse_device, spec);
}

static int parse_sysctl(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_spec *spec = arg;
	const char *key;
	json_t *v;

	spec->sysctls = xcalloc(json_object_size(obj) + 1, sizeof(*spec->sysctls));
	json_object_foreach(obj, key, v) {
		if (!json_is_string(v))
			return oci_fail_at(c, key, "expected a string");
		spec->sysctls[spec->n_sysctls++] = (struct iso_sysctl){
			.key = xstrdup(key), .value = xstrdup(json_string_value(v)),
		};
	}
	return 0;
}

static int parse_paths(struct oci_ctx *c, json_t *obj, const char *key, char ***out)
{
	if (oci_get_strv(c, obj, key, out) < 0)
		return -1;
	for (size_t i = 0; *out != NULL && (*out)[i] != NULL; i++) {
		if ((*out)[i][0] == '/')
			continue;
		iso_jpath_push_key(&c->path, key);
		iso_jpath_push_index(&c->path, i);
		return oci_fail(c, "\"%s\" is not an absolute path", oci_show((*out)[i]).s);
	}
	return 0;
}

static const struct { const char *name; unsigned long flags; } propagations[] = {
	{ "shared", MS_SHARED }, { "slave", MS_SLAVE }, { "private", MS_PRIVATE },
	{ "unbindable", MS_UNBINDABLE }, { "rshared", MS_SHARED | MS_REC },
	{ "rslave", MS_SLAVE | MS_REC }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
};

static int parse_propagation(struct oci_ctx *c, json_t *obj, struct iso_spec *spec)
{
	const char *p = NULL;

	if (oci_peek_string(c, obj, "rootfsPropagation", &p) < 0)
		return -1;
	if (p == NULL || p[0] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++) {
		if (strcmp(propagations[i].name, p) == 0) {
			spec->rootfs_propagation = propagations[i].flags;
			return 0;
		}
	}
	return oci_fail_at(c, "rootfsPropagation", "unknown propagation \"%s\" (expected shared, "
			   "slave, private or unbindable, or one of those with an r in front)",
			   oci_show(p).s);
}

static int parse_personality(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_spec *spec = arg;
	const char *domain = NULL;

	if (oci_require(c, obj, "domain") < 0 || oci_peek_string(c, obj, "domain", &domain) < 0)
		return -1;
	if (strcmp(domain, "LINUX") == 0)
		spec->personality = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		spec->personality = PER_LINUX32;
	else
		return oci_fail_at(c, "domain", "unknown domain \"%s\" (expected LINUX or LINUX32)",
				   oci_show(domain).s);
	spec->has_personality = true;
	/* the spec defines no flags yet */
	return oci_unsupported(c, obj, "flags", true);
}

static int parse_resources(struct oci_ctx *c, json_t *obj, void *arg)
{
	return oci_parse_resources(c, obj, arg);
}

/* Features isolate does not have: Intel RDT, time namespace offsets, NUMA
 * memory policy, network devices moved into the container.  The SELinux
 * mount label is accepted and not applied, as the process label is. */
static int refuse_unsupported(struct oci_ctx *c, json_t *obj)
{
	const char *label = NULL;

	if (oci_unsupported(c, obj, "intelRdt", false) < 0 ||
	    oci_unsupported(c, obj, "timeOffsets", false) < 0 ||
	    oci_unsupported(c, obj, "memoryPolicy", false) < 0 ||
	    oci_unsupported(c, obj, "netDevices", true) < 0)
		return -1;
	return oci_peek_string(c, obj, "mountLabel", &label);
}

int oci_parse_linux(struct oci_ctx *c, json_t *obj, struct iso_spec *spec)
{
	struct ns_arg ns = { .spec = spec };
	struct iso_linux *l = &spec->linux_;

	if (oci_each(c, obj, "namespaces", parse_namespace, &ns) < 0 ||
	    oci_parse_idmaps(c, obj, "uidMappings", l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    oci_parse_idmaps(c, obj, "gidMappings", l->gid_mappings, &l->n_gid_mappings) < 0 ||
	    parse_devices(c, obj, spec) < 0 ||
	    oci_get_string(c, obj, "cgroupsPath", &l->cgroups_path) < 0 ||
	    oci_object(c, obj, "resources", parse_resources, &l->resources) < 0 ||
	    oci_object(c, obj, "sysctl", parse_sysctl, spec) < 0 ||
	    oci_parse_seccomp(c, obj, l) < 0 ||
	    parse_paths(c, obj, "maskedPaths", &l->masked_paths) < 0 ||
	    parse_paths(c, obj, "readonlyPaths", &l->readonly_paths) < 0 ||
	    parse_propagation(c, obj, spec) < 0 ||
	    oci_object(c, obj, "personality", parse_personality, spec) < 0 ||
	    refuse_unsupported(c, obj) < 0)
		return -1;
	return 0;
}
