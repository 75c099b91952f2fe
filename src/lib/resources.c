#include "resources.h"

#include <fcntl.h>
#include <string.h>

#include "util.h"

#define ISO_MAX_CPUS 8192
#define MIN_MEMORY (6 * 1024 * 1024)

bool iso_resources_any(const struct iso_resources *r)
{
	return r->memory_limit != ISO_UNSET || r->memory_reservation != ISO_UNSET ||
	       r->memory_swap != ISO_UNSET || r->disable_oom_killer ||
	       r->cpu_shares != ISO_UNSET || r->cpu_weight != ISO_UNSET ||
	       r->cpu_quota != ISO_UNSET || r->cpuset_cpus != NULL || r->cpuset_mems != NULL ||
	       r->pids_limit != ISO_UNSET || r->blkio_weight != ISO_UNSET ||
	       r->n_read_bps > 0 || r->n_write_bps > 0 || r->memory_swappiness != ISO_UNSET ||
	       r->n_hugepages > 0 || (r->unified != NULL && r->unified[0] != NULL);
}

uint64_t iso_shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t iso_weight_to_shares(uint64_t weight)
{
	if (weight < 1)
		weight = 1;
	if (weight > 10000)
		weight = 10000;
	return 2 + ((weight - 1) * 262142) / 9999;
}

uint64_t iso_blkio_to_io_weight(uint64_t weight)
{
	return 1 + ((weight - 10) * 9999) / 990;
}

int64_t iso_cpus_to_quota(int64_t nano_cpus, int64_t period)
{
	/* in two parts, so that a million CPUs times a period does not overflow */
	return nano_cpus / 1000000000LL * period + nano_cpus % 1000000000LL * period / 1000000000LL;
}

static int validate_memory(const struct iso_resources *r, struct iso_error *err)
{
	if (r->memory_limit != ISO_UNSET && r->memory_limit >= 0 && r->memory_limit < MIN_MEMORY)
		return iso_error_set(err, 0, "memory limit: the smallest allowed is 6MiB");
	if (r->memory_swap != ISO_UNSET) {
		if (r->memory_limit == ISO_UNSET)
			return iso_error_set(err, 0, "a memory+swap limit needs a memory limit too");
		if (r->memory_swap != -1 && r->memory_swap < r->memory_limit)
			return iso_error_set(err, 0, "the memory+swap limit must not be below the memory limit");
	}
	if (r->memory_reservation != ISO_UNSET && r->memory_limit != ISO_UNSET &&
	    r->memory_reservation > r->memory_limit)
		return iso_error_set(err, 0, "the memory reservation must not be above the memory limit");
	return 0;
}

static int validate_cpu(const struct iso_resources *r, long online, struct iso_error *err)
{
	if (r->cpu_shares != ISO_UNSET && (r->cpu_shares < 2 || r->cpu_shares > 262144))
		return iso_error_set(err, 0, "CPU shares %lld: expected 2 to 262144", (long long)r->cpu_shares);
	if (r->cpu_weight != ISO_UNSET && (r->cpu_weight < 1 || r->cpu_weight > 10000))
		return iso_error_set(err, 0, "CPU weight %lld: expected 1 to 10000", (long long)r->cpu_weight);
	if (r->cpu_shares != ISO_UNSET && r->cpu_weight != ISO_UNSET)
		return iso_error_set(err, 0, "give CPU shares or a CPU weight, not both");
	if (r->cpu_period != ISO_UNSET && (r->cpu_period < 1000 || r->cpu_period > 1000000))
		return iso_error_set(err, 0, "CPU period %lld: expected 1000 to 1000000 microseconds",
				     (long long)r->cpu_period);
	if (r->cpu_quota != ISO_UNSET && r->cpu_quota != -1) {
		int64_t period = r->cpu_period != ISO_UNSET ? r->cpu_period : ISO_CPU_PERIOD_DEFAULT;

		if (r->cpu_quota < 1000)
			return iso_error_set(err, 0, "CPU quota %lld: the smallest is 1000 microseconds",
					     (long long)r->cpu_quota);
		if (online > 0 && r->cpu_quota > period * online)
			return iso_error_set(err, 0, "CPU quota of %.2f CPUs: this host has only %ld",
					     (double)r->cpu_quota / (double)period, online);
	}
	return 0;
}

static int validate_list(const char *what, const char *want_s, const char *have_s,
			 struct iso_error *err)
{
	uint8_t want[ISO_MAX_CPUS / 8], have[ISO_MAX_CPUS / 8];
	long missing;

	if (want_s == NULL)
		return 0;
	if (iso_parse_cpu_list(want_s, want, ISO_MAX_CPUS, err) < 0)
		return iso_error_prefix(err, "%s", what);
	if (have_s == NULL || iso_parse_cpu_list(have_s, have, ISO_MAX_CPUS, err) < 0)
		return 0;       /* the host's list is unknown: the kernel decides */
	missing = iso_cpu_list_first_missing(want, have, ISO_MAX_CPUS);
	if (missing >= 0)
		return iso_error_set(err, 0, "%s %s: %s %ld is not available (this host has %s)",
				     what, want_s, strncmp(what, "CPU", 3) == 0 ? "CPU" : "node",
				     missing, have_s);
	return 0;
}

static long count_list(const char *s)
{
	uint8_t bits[ISO_MAX_CPUS / 8];
	struct iso_error ignored;
	long n = 0;

	if (s == NULL || iso_parse_cpu_list(s, bits, ISO_MAX_CPUS, &ignored) < 0)
		return 0;
	for (size_t i = 0; i < ISO_MAX_CPUS; i++)
		n += (bits[i / 8] >> (i % 8)) & 1;
	return n;
}

int iso_resources_validate_on(const struct iso_resources *r, const char *cpus_online,
			      const char *mems_online, struct iso_error *err)
{
	if (validate_memory(r, err) < 0 || validate_cpu(r, count_list(cpus_online), err) < 0)
		return -1;
	if (validate_list("CPU set", r->cpuset_cpus, cpus_online, err) < 0 ||
	    validate_list("memory node set", r->cpuset_mems, mems_online, err) < 0)
		return -1;
	if (r->pids_limit != ISO_UNSET && r->pids_limit < -1)
		return iso_error_set(err, 0, "pids limit %lld: expected a positive number, or -1 for none",
				     (long long)r->pids_limit);
	if (r->blkio_weight != ISO_UNSET && (r->blkio_weight < 10 || r->blkio_weight > 1000))
		return iso_error_set(err, 0, "block IO weight %lld: expected 10 to 1000",
				     (long long)r->blkio_weight);
	return 0;
}

static char *read_trimmed(const char *path)
{
	char *text = NULL;
	struct iso_error ignored;

	if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
		return NULL;
	text[strcspn(text, "\n")] = '\0';
	return text;
}

int iso_resources_validate(const struct iso_resources *r, struct iso_error *err)
{
	cleanup_free char *cpus = read_trimmed("/sys/devices/system/cpu/online");
	cleanup_free char *mems = read_trimmed("/sys/devices/system/node/online");

	/* a kernel without NUMA has node 0 alone */
	return iso_resources_validate_on(r, cpus, mems ? mems : "0", err);
}
