/* isolate-oci: runc's command line over libisolate's OCI lifecycle; only
 * this layer parses arguments and prints. */
#ifndef ISOLATE_OCI_CLI_H
#define ISOLATE_OCI_CLI_H

#include <stdbool.h>

#include "error.h"

/* The global flags, parsed before the command. */
struct oci_globals {
	const char *root;
	bool systemd_cgroup;
	bool debug;
	int inherited_end;      /* the first fd above stdio the caller did not pass */
};

extern struct oci_globals oci_g;

/* Reports ERR (stderr, and the --log file) and returns the exit status:
 * 1, as runc. */
int cli_fail(const struct iso_error *err);

/* A usage error of COMMAND: the message, and a pointer to --help. */
int cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* PATH made absolute from the working directory (podman and containerd
 * give absolute ones; a relative one must not depend on where the runtime
 * stands later); malloc'd. */
char *cli_abs_path(const char *path);

/* --preserve-fds N: fds 3..N+2 must be the caller's, not the runtime's. */
int cli_check_preserved(const char *command, unsigned int n);

int cmd_create(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_spec(int argc, char **argv);

#endif
