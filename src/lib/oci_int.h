/* Shared by the oci_*.c files only. */
#ifndef ISOLATE_OCI_INT_H
#define ISOLATE_OCI_INT_H

#include <sys/types.h>

#include "error.h"
#include "oci.h"
#include "spec.h"

/* DIRFD/NAME written whole (through a temporary file, renamed). */
int iso_oci_write_file(int dirfd, const char *name, const char *text, mode_t mode,
		       struct iso_error *err);

/* ROOT/ID and what is in it. */
void iso_oci_remove_dir(const char *root, const char *id);

/* A connection to the --console-socket listener, made before the runtime
 * moves to a mount namespace where the path may not be seen. */
int iso_oci_connect_console(const char *socket_path, struct iso_error *err);

/* The pty master over that connection, with SCM_RIGHTS. */
int iso_oci_send_console(int sock, int master, struct iso_error *err);

/* Namespaces given by path: the kinds isolate-oci can join, each a
 * namespace file. */
int iso_oci_check_namespaces(const struct iso_spec *spec, struct iso_error *err);

/* The runtime's own namespaces while it stands in a container's. */
struct iso_oci_own_ns {
	int fd[8];
	int type[8];
	size_t n;
};

/* Joins them in the calling process, so that the container's first
 * process is born in them (a PID namespace: its children); OWN keeps the
 * caller's, which iso_oci_leave_namespaces goes back to (the hooks run in
 * the runtime's namespaces). */
int iso_oci_join_namespaces(const struct iso_spec *spec, struct iso_oci_own_ns *own,
			    struct iso_error *err);
int iso_oci_leave_namespaces(struct iso_oci_own_ns *own, struct iso_error *err);

/* The kernel raises an ambient capability only if it is permitted and
 * inheritable: one that is not is dropped with a warning, as runc does
 * (runc spec's own config asks for such). */
void iso_oci_fix_ambient(struct iso_process *p);

/* The go-ahead to the container's process, with STATE (for its
 * createContainer hooks), LISTENER_MSG and STARTED (the state for its
 * startContainer hooks), or NULL, in a pipe, each NUL-terminated. */
int iso_oci_send_go(int sync, const char *state, const char *listener_msg, const char *started,
		    struct iso_error *err);

/* What the seccomp listener receives with the notification fd: the
 * runtime-spec's container process state. */
char *iso_oci_listener_json(const struct iso_oci_container *c, pid_t pid, const char *metadata);

/* PATH (absolute) holds PID, written whole. */
int iso_oci_write_pid_file(const char *path, pid_t pid, struct iso_error *err);

#endif
