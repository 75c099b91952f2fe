/* isolate-oci update: new limits from --resources FILE (or - for stdin)
 * in linux.resources's form, or from runc's flags. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "oci_cli.h"
#include "ocispec.h"
#include "units.h"
#include "util.h"

enum {
	OPT_RESOURCES = 'r', OPT_MEMORY = 1000, OPT_MEMORY_RES, OPT_MEMORY_SWAP, OPT_CPU_SHARES,
	OPT_CPU_QUOTA, OPT_CPU_PERIOD, OPT_CPUSET_CPUS, OPT_CPUSET_MEMS, OPT_PIDS, OPT_BLKIO,
};

static int read_resources(const char *path, struct iso_resources *r, struct iso_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, strcmp(path, "-") == 0 ? "/dev/stdin" : path, &text, &len, err) < 0)
		return -1;
	iso_resources_clear(r);
	return iso_oci_resources_parse(text, len, path, r, err);
}

static int number(const char *flag, const char *arg, int64_t min, int64_t *out, struct iso_error *err)
{
	if (iso_parse_int64(arg, min, INT64_MAX, out) < 0)
		return iso_error_set(err, 0, "%s %s: expected a number", flag, arg);
	return 0;
}

static int flag(int c, const char *arg, struct iso_resources *r, struct iso_error *err)
{
	switch (c) {
	case OPT_RESOURCES: return read_resources(arg, r, err);
	case OPT_MEMORY: return iso_parse_bytes(arg, true, &r->memory_limit, err);
	case OPT_MEMORY_RES: return iso_parse_bytes(arg, true, &r->memory_reservation, err);
	case OPT_MEMORY_SWAP: return iso_parse_bytes(arg, true, &r->memory_swap, err);
	case OPT_CPU_SHARES: return number("--cpu-shares", arg, 2, &r->cpu_shares, err);
	case OPT_CPU_QUOTA: return number("--cpu-quota", arg, -1, &r->cpu_quota, err);
	case OPT_CPU_PERIOD: return number("--cpu-period", arg, 1000, &r->cpu_period, err);
	case OPT_PIDS: return number("--pids-limit", arg, -1, &r->pids_limit, err);
	case OPT_BLKIO: return number("--blkio-weight", arg, 10, &r->blkio_weight, err);
	case OPT_CPUSET_CPUS:
		free(r->cpuset_cpus);
		r->cpuset_cpus = xstrdup(arg);
		return 0;
	case OPT_CPUSET_MEMS:
		free(r->cpuset_mems);
		r->cpuset_mems = xstrdup(arg);
		return 0;
	}
	return iso_error_set(err, 0, "unknown option");
}

int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "resources", required_argument, NULL, OPT_RESOURCES },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "memory-reservation", required_argument, NULL, OPT_MEMORY_RES },
		{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
		{ "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
		{ "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
		{ "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
		{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
		{ "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
		{ "pids-limit", required_argument, NULL, OPT_PIDS },
		{ "blkio-weight", required_argument, NULL, OPT_BLKIO },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct iso_resources r = { 0 };
	struct iso_error err;
	int c, status = 0;

	iso_resources_clear(&r);
	while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: isolate-oci update [--resources FILE|-] [--memory N] [--memory-reservation N]\n"
			       "       [--memory-swap N] [--cpu-shares N] [--cpu-quota N] [--cpu-period N]\n"
			       "       [--cpuset-cpus LIST] [--cpuset-mems LIST] [--pids-limit N] [--blkio-weight N] ID\n");
			iso_resources_clear(&r);
			return 0;
		}
		if (c == '?' || flag(c, optarg, &r, &err) < 0) {
			status = c == '?' ? cli_usage("update", "unknown option") : cli_fail(&err);
			break;
		}
	}
	if (status == 0 && optind != argc - 1)
		status = cli_usage("update", "expected one container id");
	if (status == 0 && iso_oci_update(oci_g.root, argv[optind], &r, &err) < 0)
		status = cli_fail(&err);
	iso_resources_clear(&r);
	return status;
}
