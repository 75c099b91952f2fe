/* The person-facing CLI: each command parses its flags into a spec and
 * hands it to libisolate; only this layer prints. */
#ifndef ISOLATE_CLI_H
#define ISOLATE_CLI_H

#include "container.h"
#include "error.h"
#include "spec.h"

/* Prints "isolate: <message>" on stderr. */
void cli_print_error(const struct iso_error *err);

/* Prints "isolate: <fmt>", a usage line and a pointer to --help; returns
 * the usage-error exit status (125, as docker). */
int cli_usage_error(const char *usage, const char *help_cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* getopt values of isolate run's resource flags (limits.c) */
enum {
	CLI_OPT_MEMORY_SWAP = 1000, CLI_OPT_MEMORY_RESERVATION, CLI_OPT_OOM_KILL_DISABLE,
	CLI_OPT_OOM_SCORE_ADJ, CLI_OPT_CPUS, CLI_OPT_CPU_WEIGHT, CLI_OPT_CPUSET_CPUS,
	CLI_OPT_CPUSET_MEMS, CLI_OPT_PIDS_LIMIT, CLI_OPT_BLKIO_WEIGHT, CLI_OPT_DEVICE_READ_BPS,
	CLI_OPT_DEVICE_WRITE_BPS, CLI_OPT_ULIMIT, CLI_OPT_CGROUP_PARENT,
	CLI_OPT_LIMITS_END,
	CLI_OPT_CAP_ADD, CLI_OPT_CAP_DROP, CLI_OPT_SECURITY_OPT, CLI_OPT_PRIVILEGED,
	CLI_OPT_PRESERVE_FDS,
	CLI_OPT_SECURITY_END,
};

/* What the security flags asked for, applied once all are known. */
struct cli_security {
	uint64_t add, drop;
	bool add_all, drop_all;
	bool privileged;
	bool no_new_privileges;
	bool unmasked;          /* --security-opt systempaths=unconfined */
	char *seccomp;          /* seccomp=PROFILE or "unconfined"; NULL: docker's */
	unsigned int preserve_fds;
};

int cli_security_option(struct cli_security *s, int opt, const char *arg, struct iso_error *err);
int cli_security_finish(const struct cli_security *s, struct iso_spec *spec, struct iso_error *err);

/* Applies one resource flag ('m', 'c' or a CLI_OPT_*) to SPEC. */
int cli_limit_option(struct iso_spec *spec, int opt, const char *arg, struct iso_error *err);

/* "isolate: container was killed: out of memory (limit 64MiB)" when the
 * OOM killer took the container's processes. */
void cli_report_oom(const struct iso_spec *spec, const struct iso_run_result *result);

int cmd_run(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_import(int argc, char **argv);


#endif
