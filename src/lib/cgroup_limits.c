/* linux.resources written into a container's cgroups: the same limits in
 * cgroup v1's files or cgroup v2's. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "log.h"
#include "resources.h"
#include "util.h"

int iso_cg_index(const struct iso_cgroup *cg, const char *controller)
{
	const struct iso_cgroup_hier *h = iso_cgroup_layout_find(cg->layout, controller);

	return h == NULL ? -1 : (int)(h - cg->layout->h);
}

/* A limit the host cannot apply: an error, or with --ignore-missing-limits
 * a warning. */
static int missing(const struct iso_cgroup *cg, const char *what, const char *why,
		   struct iso_error *err)
{
	if (cg->ignore_missing) {
		iso_log(ISO_LOG_WARN, "%s limit not applied: %s", what, why);
		return 0;
	}
	return iso_error_set(err, 0, "cannot apply the %s limit: %s", what, why);
}

/* Where CONTROLLER's files are for this container, or -1 with the reason
 * in WHY. */
static int controller_dir(const struct iso_cgroup *cg, const char *controller, char *why,
			  size_t len)
{
	int i = iso_cg_index(cg, controller);
	const struct iso_cgroup_hier *h;
	cleanup_free char *enabled = NULL;

	if (i < 0) {
		snprintf(why, len, "the %s controller is not available on this host", controller);
		return -1;
	}
	h = &cg->layout->h[i];
	if (cg->dirs[i] < 0) {
		snprintf(why, len, "the %s controller is not delegated to this user "
			 "(no cgroup can be made in %s%s)", controller, h->mount, h->own);
		return -1;
	}
	if (!h->v2)
		return cg->dirs[i];
	enabled = iso_cg_read(cg->dirs[i], "cgroup.controllers");
	if (enabled == NULL || !iso_cg_list_has(enabled, controller)) {
		snprintf(why, len, "the %s controller is not enabled for %s/%s "
			 "(not delegated by its parent's cgroup.subtree_control)",
			 controller, h->mount, cg->paths[i]);
		return -1;
	}
	return cg->dirs[i];
}

/* Writes VALUE to FILE of CONTROLLER's cgroup; WHAT names the limit in
 * messages.  With OPTIONAL a file the host lacks is skipped quietly. */
static int set_file(const struct iso_cgroup *cg, const char *what, const char *controller,
		    const char *file, const char *value, bool optional, struct iso_error *err)
{
	char why[512];
	int dir = controller_dir(cg, controller, why, sizeof(why));
	int i = iso_cg_index(cg, controller);

	if (dir < 0)
		return optional ? 0 : missing(cg, what, why, err);
	if (iso_cg_write(dir, file, value) == 0)
		return 0;
	if (errno == ENOENT) {
		if (optional)
			return 0;
		snprintf(why, sizeof(why), "the host's %s controller has no %s", controller, file);
		return missing(cg, what, why, err);
	}
	return iso_error_set(err, errno, "cgroup: write \"%s\" to %s/%s/%s", value,
			     cg->layout->h[i].mount, cg->paths[i], file);
}

static int set_i64(const struct iso_cgroup *cg, const char *what, const char *controller,
		   const char *file, int64_t v, const char *unlimited, struct iso_error *err)
{
	char text[32];

	if (v == -1 && unlimited != NULL)
		snprintf(text, sizeof(text), "%s", unlimited);
	else
		snprintf(text, sizeof(text), "%" PRId64, v);
	return set_file(cg, what, controller, file, text, false, err);
}

static int memory_v1(const struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	if (r->memory_limit != ISO_UNSET &&
	    set_i64(cg, "memory", "memory", "memory.limit_in_bytes", r->memory_limit, NULL, err) < 0)
		return -1;
	if (r->memory_swap != ISO_UNSET) {
		if (set_i64(cg, "memory+swap", "memory", "memory.memsw.limit_in_bytes",
			    r->memory_swap, NULL, err) < 0)
			return -1;
	} else if (r->memory_limit > 0) {
		char text[32];

		/* docker's default: as much swap as memory, where swap is
		 * accounted at all */
		snprintf(text, sizeof(text), "%" PRId64, 2 * r->memory_limit);
		if (set_file(cg, "memory+swap", "memory", "memory.memsw.limit_in_bytes", text, true, err) < 0)
			return -1;
	}
	if (r->memory_reservation != ISO_UNSET &&
	    set_i64(cg, "memory reservation", "memory", "memory.soft_limit_in_bytes",
		    r->memory_reservation, NULL, err) < 0)
		return -1;
	if (r->disable_oom_killer &&
	    set_file(cg, "OOM killer", "memory", "memory.oom_control", "1", false, err) < 0)
		return -1;
	return 0;
}

static int memory_v2(const struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	if (r->memory_limit != ISO_UNSET &&
	    set_i64(cg, "memory", "memory", "memory.max", r->memory_limit, "max", err) < 0)
		return -1;
	if (r->memory_swap != ISO_UNSET) {
		int64_t swap = r->memory_swap == -1 || r->memory_limit == -1
			       ? -1 : r->memory_swap - r->memory_limit;

		if (set_i64(cg, "memory+swap", "memory", "memory.swap.max", swap, "max", err) < 0)
			return -1;
	} else if (r->memory_limit > 0) {
		char text[32];

		snprintf(text, sizeof(text), "%" PRId64, r->memory_limit);
		if (set_file(cg, "memory+swap", "memory", "memory.swap.max", text, true, err) < 0)
			return -1;
	}
	if (r->memory_reservation != ISO_UNSET &&
	    set_i64(cg, "memory reservation", "memory", "memory.low", r->memory_reservation, "max", err) < 0)
		return -1;
	if (r->disable_oom_killer && missing(cg, "OOM killer", "cgroup v2 cannot disable the OOM killer", err) < 0)
		return -1;
	return 0;
}

static int cpu_v1(const struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	int64_t shares = r->cpu_weight != ISO_UNSET ? (int64_t)iso_weight_to_shares((uint64_t)r->cpu_weight)
						    : r->cpu_shares;

	if (shares != ISO_UNSET && set_i64(cg, "CPU shares", "cpu", "cpu.shares", shares, NULL, err) < 0)
		return -1;
	if (r->cpu_quota == ISO_UNSET && r->cpu_period == ISO_UNSET)
		return 0;
	if (set_i64(cg, "CPU period", "cpu", "cpu.cfs_period_us",
		    r->cpu_period != ISO_UNSET ? r->cpu_period : ISO_CPU_PERIOD_DEFAULT, NULL, err) < 0)
		return -1;
	if (r->cpu_quota != ISO_UNSET &&
	    set_i64(cg, "CPU quota", "cpu", "cpu.cfs_quota_us", r->cpu_quota, NULL, err) < 0)
		return -1;
	return 0;
}

static int cpu_v2(const struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	int64_t weight = r->cpu_shares != ISO_UNSET ? (int64_t)iso_shares_to_weight((uint64_t)r->cpu_shares)
						    : r->cpu_weight;
	char text[64];

	if (weight != ISO_UNSET && set_i64(cg, "CPU weight", "cpu", "cpu.weight", weight, NULL, err) < 0)
		return -1;
	if (r->cpu_quota == ISO_UNSET && r->cpu_period == ISO_UNSET)
		return 0;
	if (r->cpu_quota == ISO_UNSET || r->cpu_quota == -1)
		snprintf(text, sizeof(text), "max");
	else
		snprintf(text, sizeof(text), "%" PRId64, r->cpu_quota);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), " %" PRId64,
		 r->cpu_period != ISO_UNSET ? r->cpu_period : ISO_CPU_PERIOD_DEFAULT);
	return set_file(cg, "CPU quota", "cpu", "cpu.max", text, false, err);
}

static int cpuset(const struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	if (r->cpuset_cpus != NULL &&
	    set_file(cg, "CPU set", "cpuset", "cpuset.cpus", r->cpuset_cpus, false, err) < 0)
		return -1;
	if (r->cpuset_mems != NULL &&
	    set_file(cg, "memory node set", "cpuset", "cpuset.mems", r->cpuset_mems, false, err) < 0)
		return -1;
	return 0;
}

static int pids(const struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	if (r->pids_limit == ISO_UNSET)
		return 0;
	return set_i64(cg, "pids", "pids", "pids.max", r->pids_limit, "max", err);
}

static int throttle(const struct iso_cgroup *cg, const char *what, const struct iso_throttle *t,
		    size_t n, const char *v1_file, const char *v2_key, bool v2, struct iso_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char text[96];

		if (v2)
			snprintf(text, sizeof(text), "%u:%u %s=%" PRIu64, t[i].major, t[i].minor,
				 v2_key, t[i].rate);
		else
			snprintf(text, sizeof(text), "%u:%u %" PRIu64, t[i].major, t[i].minor, t[i].rate);
		if (set_file(cg, what, v2 ? "io" : "blkio", v2 ? "io.max" : v1_file, text, false, err) < 0)
			return -1;
	}
	return 0;
}

/* The weight goes to the BFQ scheduler's file where there is one (same
 * scale as blkio.weight), else to the generic one. */
static int block_weight(const struct iso_cgroup *cg, const struct iso_resources *r, bool v2,
			struct iso_error *err)
{
	const char *ctl = v2 ? "io" : "blkio";
	char text[32], generic[32], why[512];
	int dir;

	if (r->blkio_weight == ISO_UNSET)
		return 0;
	dir = controller_dir(cg, ctl, why, sizeof(why));
	if (dir < 0)
		return missing(cg, "block IO weight", why, err);
	snprintf(text, sizeof(text), "%" PRId64, r->blkio_weight);
	if (v2)
		snprintf(generic, sizeof(generic), "default %" PRIu64,
			 iso_blkio_to_io_weight((uint64_t)r->blkio_weight));
	else
		snprintf(generic, sizeof(generic), "%s", text);
	if (iso_cg_write(dir, v2 ? "io.bfq.weight" : "blkio.bfq.weight", text) == 0)
		return 0;
	return set_file(cg, "block IO weight", ctl, v2 ? "io.weight" : "blkio.weight", generic, false, err);
}

/* memory.swappiness: cgroup v1's; v2 has none (runc ignores it there
 * too), which is said. */
static int swappiness(const struct iso_cgroup *cg, const struct iso_resources *r, bool v2,
		      struct iso_error *err)
{
	char text[32];

	if (r->memory_swappiness == ISO_UNSET)
		return 0;
	if (v2) {
		iso_log(ISO_LOG_WARN, "memory swappiness %" PRId64 " not applied: cgroup v2 has no "
			"memory.swappiness", r->memory_swappiness);
		return 0;
	}
	snprintf(text, sizeof(text), "%" PRId64, r->memory_swappiness);
	return set_file(cg, "memory swappiness", "memory", "memory.swappiness", text, false, err);
}

/* hugepageLimits: hugetlb.SIZE.limit_in_bytes (v1) or hugetlb.SIZE.max
 * (v2), wherever this host's hugetlb controller is (a hybrid host has it
 * in the v2 hierarchy). */
static int hugepages(const struct iso_cgroup *cg, const struct iso_resources *r,
		     struct iso_error *err)
{
	int i = iso_cg_index(cg, "hugetlb");
	bool v2 = i >= 0 && cg->layout->h[i].v2;

	for (size_t k = 0; k < r->n_hugepages; k++) {
		const struct iso_hugepage_limit *h = &r->hugepages[k];
		cleanup_free char *file = NULL;
		char text[32];

		if (strchr(h->pagesize, '/') != NULL || strchr(h->pagesize, '.') != NULL)
			return iso_error_set(err, 0, "hugepage size %s: not a size", h->pagesize);
		file = xasprintf("hugetlb.%s.%s", h->pagesize, v2 ? "max" : "limit_in_bytes");
		snprintf(text, sizeof(text), "%" PRIu64, h->limit);
		if (set_file(cg, "hugepage", "hugetlb", file, text, false, err) < 0)
			return -1;
	}
	return 0;
}

/* linux.resources.unified: cgroup v2 files by name, on a v2 host. */
static int unified(const struct iso_cgroup *cg, const struct iso_resources *r, bool v2,
		   struct iso_error *err)
{
	int dir = iso_cgroup_v2_dir(cg);

	for (size_t k = 0; r->unified != NULL && r->unified[k] != NULL; k += 2) {
		const char *key = r->unified[k], *value = r->unified[k + 1];
		cleanup_free char *controller = xstrndup(key, strcspn(key, "."));

		if (strchr(key, '/') != NULL || strchr(key, '.') == NULL)
			return iso_error_set(err, 0, "unified %s: not a cgroup file", key);
		if (!v2 || dir < 0)
			return missing(cg, key, "linux.resources.unified needs a cgroup v2 host", err);
		if (strcmp(controller, "cgroup") == 0 ? iso_cg_write(dir, key, value) < 0
		    : set_file(cg, key, controller, key, value, false, err) < 0) {
			if (strcmp(controller, "cgroup") == 0)
				return iso_error_set(err, errno, "write %s", key);
			return -1;
		}
	}
	return 0;
}

int iso_cg_apply(struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	bool v2 = cg->layout->unified;

	if ((v2 ? memory_v2(cg, r, err) : memory_v1(cg, r, err)) < 0 ||
	    (v2 ? cpu_v2(cg, r, err) : cpu_v1(cg, r, err)) < 0 ||
	    cpuset(cg, r, err) < 0 || pids(cg, r, err) < 0 || block_weight(cg, r, v2, err) < 0)
		return -1;
	if (throttle(cg, "device read rate", r->read_bps, r->n_read_bps,
		     "blkio.throttle.read_bps_device", "rbps", v2, err) < 0 ||
	    throttle(cg, "device write rate", r->write_bps, r->n_write_bps,
		     "blkio.throttle.write_bps_device", "wbps", v2, err) < 0)
		return -1;
	if (swappiness(cg, r, v2, err) < 0 || hugepages(cg, r, err) < 0 || unified(cg, r, v2, err) < 0)
		return -1;
	return iso_cg_apply_devices(cg, r, err);
}
