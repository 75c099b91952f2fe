/* isolate run's resource flags (docker's names and meanings) into the
 * spec's linux.resources and process limits, and the report of an OOM
 * kill. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "resources.h"
#include "units.h"
#include "util.h"

static int set_bytes(int64_t *field, const char *flag, const char *arg, bool allow_unlimited,
		     struct iso_error *err)
{
	if (iso_parse_bytes(arg, allow_unlimited, field, err) < 0)
		return iso_error_prefix(err, "%s", flag);
	return 0;
}

static int set_int(int64_t *field, const char *flag, const char *arg, int64_t min, int64_t max,
		   struct iso_error *err)
{
	if (iso_parse_int64(arg, min, max, field) < 0 && (min == INT64_MIN + 1 || max == INT64_MAX))
		return iso_error_set(err, 0, "%s %s: expected a whole number", flag, arg);
	if (iso_parse_int64(arg, min, max, field) < 0)
		return iso_error_set(err, 0, "%s %s: expected a whole number from %lld to %lld", flag,
				     arg, (long long)min, (long long)max);
	return 0;
}

static int set_cpus(struct iso_resources *r, const char *arg, struct iso_error *err)
{
	int64_t nano;

	if (iso_parse_cpus(arg, &nano, err) < 0)
		return iso_error_prefix(err, "--cpus");
	r->cpu_period = ISO_CPU_PERIOD_DEFAULT;
	r->cpu_quota = iso_cpus_to_quota(nano, r->cpu_period);
	return 0;
}

/* docker: 0 or a negative number means no limit */
static int set_pids(struct iso_resources *r, const char *arg, struct iso_error *err)
{
	if (set_int(&r->pids_limit, "--pids-limit", arg, INT64_MIN + 1, INT64_MAX, err) < 0)
		return -1;
	if (r->pids_limit <= 0)
		r->pids_limit = -1;
	return 0;
}

static int add_throttle(struct iso_throttle **v, size_t *n, const char *flag, const char *arg,
			struct iso_error *err)
{
	struct iso_throttle t;

	if (iso_parse_throttle(arg, &t, err) < 0)
		return iso_error_prefix(err, "%s", flag);
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = t;
	return 0;
}

/* A later --ulimit of the same name replaces an earlier one. */
static int add_ulimit(struct iso_process *p, const char *arg, struct iso_error *err)
{
	struct iso_rlimit lim;

	if (iso_parse_ulimit(arg, &lim, err) < 0)
		return iso_error_prefix(err, "--ulimit");
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (p->rlimits[i].resource == lim.resource) {
			p->rlimits[i] = lim;
			return 0;
		}
	p->rlimits = xrealloc(p->rlimits, (p->n_rlimits + 1) * sizeof(*p->rlimits));
	p->rlimits[p->n_rlimits++] = lim;
	return 0;
}

static int set_oom_score_adj(struct iso_process *p, const char *arg, struct iso_error *err)
{
	int64_t v;

	if (set_int(&v, "--oom-score-adj", arg, -1000, 1000, err) < 0)
		return -1;
	p->oom_score_adj = (int)v;
	p->has_oom_score_adj = true;
	return 0;
}

static int set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
	return 0;
}

int cli_limit_option(struct iso_spec *spec, int opt, const char *arg, struct iso_error *err)
{
	struct iso_resources *r = &spec->linux_.resources;

	switch (opt) {
	case 'm': return set_bytes(&r->memory_limit, "--memory", arg, false, err);
	case CLI_OPT_MEMORY_SWAP: return set_bytes(&r->memory_swap, "--memory-swap", arg, true, err);
	case CLI_OPT_MEMORY_RESERVATION:
		return set_bytes(&r->memory_reservation, "--memory-reservation", arg, false, err);
	case CLI_OPT_OOM_KILL_DISABLE: r->disable_oom_killer = true; return 0;
	case CLI_OPT_OOM_SCORE_ADJ: return set_oom_score_adj(&spec->process, arg, err);
	case CLI_OPT_CPUS: return set_cpus(r, arg, err);
	case 'c': return set_int(&r->cpu_shares, "--cpu-shares", arg, 2, 262144, err);
	case CLI_OPT_CPU_WEIGHT: return set_int(&r->cpu_weight, "--cpu-weight", arg, 1, 10000, err);
	case CLI_OPT_CPUSET_CPUS: return set_string(&r->cpuset_cpus, arg);
	case CLI_OPT_CPUSET_MEMS: return set_string(&r->cpuset_mems, arg);
	case CLI_OPT_PIDS_LIMIT: return set_pids(r, arg, err);
	case CLI_OPT_BLKIO_WEIGHT: return set_int(&r->blkio_weight, "--blkio-weight", arg, 10, 1000, err);
	case CLI_OPT_DEVICE_READ_BPS:
		return add_throttle(&r->read_bps, &r->n_read_bps, "--device-read-bps", arg, err);
	case CLI_OPT_DEVICE_WRITE_BPS:
		return add_throttle(&r->write_bps, &r->n_write_bps, "--device-write-bps", arg, err);
	case CLI_OPT_ULIMIT: return add_ulimit(&spec->process, arg, err);
	case CLI_OPT_CGROUP_PARENT: return set_string(&spec->linux_.cgroups_path, arg);
	}
	return iso_error_set(err, 0, "internal error: limit option %d not handled", opt);
}

void cli_report_oom(const struct iso_spec *spec, const struct iso_run_result *result)
{
	int64_t limit = spec->linux_.resources.memory_limit;
	char what[64] = "no memory limit of its own";

	if (result->oom_kills == 0)
		return;
	if (limit > 0) {
		char size[32];

		iso_format_bytes(limit, size, sizeof(size));
		snprintf(what, sizeof(what), "limit %s", size);
	}
	if (result->exit_status == 137)
		fprintf(stderr, "isolate: container was killed: out of memory (%s)\n", what);
	else
		fprintf(stderr, "isolate: note: the OOM killer killed %llu of the container's "
			"processes (%s)\n", (unsigned long long)result->oom_kills, what);
}
