/* linux.resources (also alone: runc update --resources FILE) into struct
 * iso_resources.  Ranges that depend on the host (a memory limit's
 * minimum, the CPUs there are) are iso_resources_validate's, at create;
 * here only what the model cannot hold or what isolate cannot do is
 * refused.
 *
 * runc reads a 0 in most of these as "not set" (Go's zero value), and
 * tools write it so: those stay ISO_UNSET here too. */
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "ocispec.h"
#include "ocispec_int.h"
#include "util.h"

void oci_resources_init(struct iso_resources *r)
{
	memset(r, 0, sizeof(*r));
	r->memory_limit = r->memory_reservation = r->memory_swap = ISO_UNSET;
	r->cpu_shares = r->cpu_weight = r->cpu_quota = r->cpu_period = ISO_UNSET;
	r->pids_limit = r->blkio_weight = r->memory_swappiness = ISO_UNSET;
}

/* A signed limit where 0 means "not set". */
static int get_limit(struct oci_ctx *c, json_t *obj, const char *key, int64_t min, int64_t *out)
{
	bool present;
	int64_t v;

	if (oci_get_int(c, obj, key, min, INT64_MAX, &present, &v) < 0)
		return -1;
	if (present && v != 0)
		*out = v;
	return 0;
}

/* An unsigned one up to MAX, where 0 means "not set". */
static int get_ulimit(struct oci_ctx *c, json_t *obj, const char *key, uint64_t max, int64_t *out)
{
	bool present;
	uint64_t v;

	if (oci_get_u64(c, obj, key, &present, &v) < 0)
		return -1;
	if (present && v > max)
		return oci_fail_at(c, key, "%llu is out of range (0 to %llu)", (unsigned long long)v,
				   (unsigned long long)max);
	if (present && v != 0)
		*out = (int64_t)v;
	return 0;
}

/* Kernel memory limits are gone from cgroup v2 and deprecated in v1:
 * runc ignores them too. */
static int parse_memory(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_resources *r = arg;
	static const char *const deprecated[] = { "kernel", "kernelTCP" };
	bool hierarchy = true, check = false, present;
	uint64_t swappiness;

	if (get_limit(c, obj, "limit", -1, &r->memory_limit) < 0 ||
	    get_limit(c, obj, "reservation", -1, &r->memory_reservation) < 0 ||
	    get_limit(c, obj, "swap", -1, &r->memory_swap) < 0 ||
	    oci_get_bool(c, obj, "disableOOMKiller", &r->disable_oom_killer) < 0 ||
	    oci_get_u64(c, obj, "swappiness", &present, &swappiness) < 0 ||
	    oci_get_bool(c, obj, "useHierarchy", &hierarchy) < 0 ||
	    oci_get_bool(c, obj, "checkBeforeUpdate", &check) < 0)
		return -1;
	/* 2^64-1 is -1 as docker once wrote it: not set */
	if (present && swappiness != UINT64_MAX && swappiness > 100)
		return oci_fail_at(c, "swappiness", "%llu is out of range (0 to 100)",
				   (unsigned long long)swappiness);
	if (present && swappiness != UINT64_MAX)
		r->memory_swappiness = (int64_t)swappiness;
	/* memory accounting is always hierarchical on kernels isolate runs on */
	if (!hierarchy)
		return oci_fail_at(c, "useHierarchy", "false is not supported by isolate-oci");
	if (check)
		return oci_fail_at(c, "checkBeforeUpdate", "not supported by isolate-oci");
	for (size_t i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++) {
		json_t *v = json_object_get(obj, deprecated[i]);

		if (v == NULL || json_is_null(v))
			continue;
		iso_jpath_push_key(&c->path, deprecated[i]);
		oci_warn(c, "kernel memory limits are deprecated and ignored");
		iso_jpath_pop(&c->path);
	}
	return 0;
}

static int parse_cpu(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_resources *r = arg;

	if (get_ulimit(c, obj, "shares", INT64_MAX, &r->cpu_shares) < 0 ||
	    get_limit(c, obj, "quota", -1, &r->cpu_quota) < 0 ||
	    get_ulimit(c, obj, "period", INT64_MAX, &r->cpu_period) < 0 ||
	    oci_get_string(c, obj, "cpus", &r->cpuset_cpus) < 0 ||
	    oci_get_string(c, obj, "mems", &r->cpuset_mems) < 0 ||
	    oci_unsupported(c, obj, "realtimeRuntime", true) < 0 ||
	    oci_unsupported(c, obj, "realtimePeriod", true) < 0 ||
	    oci_unsupported(c, obj, "burst", true) < 0 ||
	    oci_unsupported(c, obj, "idle", true) < 0)
		return -1;
	/* "" is no list: the parent's CPUs and nodes */
	if (r->cpuset_cpus != NULL && r->cpuset_cpus[0] == '\0')
		free(steal_ptr(&r->cpuset_cpus));
	if (r->cpuset_mems != NULL && r->cpuset_mems[0] == '\0')
		free(steal_ptr(&r->cpuset_mems));
	return 0;
}

static int parse_pids(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_resources *r = arg;

	if (get_limit(c, obj, "limit", INT64_MIN + 1, &r->pids_limit) < 0)
		return -1;
	/* any negative number is "max", as runc reads it */
	if (r->pids_limit != ISO_UNSET && r->pids_limit < 0)
		r->pids_limit = -1;
	return 0;
}

static int parse_throttle(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_throttle *t = &((struct iso_throttle *)arg)[i];
	int64_t major = 0, minor = 0;

	if (oci_require(c, obj, "major") < 0 || oci_require(c, obj, "minor") < 0 ||
	    oci_require(c, obj, "rate") < 0 ||
	    oci_get_int(c, obj, "major", 0, UINT32_MAX, NULL, &major) < 0 ||
	    oci_get_int(c, obj, "minor", 0, UINT32_MAX, NULL, &minor) < 0 ||
	    oci_get_u64(c, obj, "rate", NULL, &t->rate) < 0)
		return -1;
	t->major = (uint32_t)major;
	t->minor = (uint32_t)minor;
	return 0;
}

static int parse_throttles(struct oci_ctx *c, json_t *obj, const char *key,
			   struct iso_throttle **list, size_t *n)
{
	size_t count = json_array_size(json_object_get(obj, key));

	if (count > 0) {
		*list = xcalloc(count, sizeof(**list));
		*n = count;
	}
	return oci_each(c, obj, key, parse_throttle, *list);
}

/* Per-device weights and IOPS limits have no place in struct
 * iso_resources (nor in isolate's cgroup code) yet. */
static int parse_block_io(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_resources *r = arg;
	static const char *const unsupported[] = {
		"leafWeight", "weightDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice",
	};

	if (get_ulimit(c, obj, "weight", UINT16_MAX, &r->blkio_weight) < 0 ||
	    parse_throttles(c, obj, "throttleReadBpsDevice", &r->read_bps, &r->n_read_bps) < 0 ||
	    parse_throttles(c, obj, "throttleWriteBpsDevice", &r->write_bps, &r->n_write_bps) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (oci_unsupported(c, obj, unsupported[i], true) < 0)
			return -1;
	return 0;
}

static int parse_hugepage(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_hugepage_limit *h = &((struct iso_hugepage_limit *)arg)[i];

	if (oci_require(c, obj, "pageSize") < 0 || oci_require(c, obj, "limit") < 0 ||
	    oci_get_string(c, obj, "pageSize", &h->pagesize) < 0 ||
	    oci_get_u64(c, obj, "limit", NULL, &h->limit) < 0)
		return -1;
	if (h->pagesize[0] == '\0')
		return oci_fail_at(c, "pageSize", "expected a size such as \"2MB\"");
	return 0;
}

static int parse_hugepages(struct oci_ctx *c, json_t *obj, struct iso_resources *r)
{
	size_t n = json_array_size(json_object_get(obj, "hugepageLimits"));

	if (n > 0) {
		r->hugepages = xcalloc(n, sizeof(*r->hugepages));
		r->n_hugepages = n;
	}
	return oci_each(c, obj, "hugepageLimits", parse_hugepage, r->hugepages);
}

/* A device rule: no type is every type, no number (or -1) any number, no
 * access all of "rwm". */
static int parse_device_rule(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_device_rule *d = &((struct iso_device_rule *)arg)[i];
	const char *type = NULL, *access = NULL;
	size_t n = 0;

	d->major = d->minor = -1;
	if (oci_require(c, obj, "allow") < 0 || oci_get_bool(c, obj, "allow", &d->allow) < 0 ||
	    oci_peek_string(c, obj, "type", &type) < 0 ||
	    oci_get_int(c, obj, "major", -1, UINT32_MAX, NULL, &d->major) < 0 ||
	    oci_get_int(c, obj, "minor", -1, UINT32_MAX, NULL, &d->minor) < 0 ||
	    oci_peek_string(c, obj, "access", &access) < 0)
		return -1;
	if (type == NULL || type[0] == '\0')
		type = "a";
	if (strlen(type) != 1 || strchr("acb", type[0]) == NULL)
		return oci_fail_at(c, "type", "unknown device type \"%s\" (expected a, c or b)",
				   oci_show(type).s);
	d->type = type[0];
	if (access == NULL || access[0] == '\0')
		access = "rwm";
	if (strspn(access, "rwm") != strlen(access))
		return oci_fail_at(c, "access", "\"%s\": expected letters of \"rwm\"", oci_show(access).s);
	for (const char *l = "rwm"; *l != '\0'; l++)
		if (strchr(access, *l) != NULL)
			d->access[n++] = *l;
	return 0;
}

static int parse_device_rules(struct oci_ctx *c, json_t *obj, struct iso_resources *r)
{
	size_t n = json_array_size(json_object_get(obj, "devices"));

	if (n > 0) {
		r->devices = xcalloc(n, sizeof(*r->devices));
		r->n_devices = n;
	}
	return oci_each(c, obj, "devices", parse_device_rule, r->devices);
}

static int parse_unified(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_resources *r = arg;
	const char *key;
	json_t *v;

	r->unified = xcalloc(2 * json_object_size(obj) + 1, sizeof(char *));
	json_object_foreach(obj, key, v) {
		size_t n = strv_len(r->unified);

		if (!json_is_string(v))
			return oci_fail_at(c, key, "expected a string");
		r->unified[n] = xstrdup(key);
		r->unified[n + 1] = xstrdup(json_string_value(v));
	}
	return 0;
}

int oci_parse_resources(struct oci_ctx *c, json_t *obj, struct iso_resources *r)
{
	if (parse_device_rules(c, obj, r) < 0 ||
	    oci_object(c, obj, "memory", parse_memory, r) < 0 ||
	    oci_object(c, obj, "cpu", parse_cpu, r) < 0 ||
	    oci_object(c, obj, "pids", parse_pids, r) < 0 ||
	    oci_object(c, obj, "blockIO", parse_block_io, r) < 0 ||
	    parse_hugepages(c, obj, r) < 0 ||
	    oci_object(c, obj, "unified", parse_unified, r) < 0 ||
	    /* net_cls and net_prio (cgroup v1 only), rdma */
	    oci_unsupported(c, obj, "network", true) < 0 ||
	    oci_unsupported(c, obj, "rdma", true) < 0)
		return -1;
	return 0;
}

void iso_resources_clear(struct iso_resources *r)
{
	free(r->cpuset_cpus);
	free(r->cpuset_mems);
	free(r->read_bps);
	free(r->write_bps);
	free(r->devices);
	for (size_t i = 0; i < r->n_hugepages; i++)
		free(r->hugepages[i].pagesize);
	free(r->hugepages);
	strv_free(r->unified);
	oci_resources_init(r);
}

int iso_oci_resources_parse(const char *text, size_t len, const char *source,
			    struct iso_resources *out, struct iso_error *err)
{
	struct oci_ctx c = { .text = text, .len = len, .source = source, .err = err };
	cleanup_json json_t *root = NULL;

	oci_resources_init(out);
	if (oci_load(&c, &root) < 0)
		return -1;
	if (oci_parse_resources(&c, root, out) < 0) {
		iso_resources_clear(out);
		return -1;
	}
	return 0;
}
