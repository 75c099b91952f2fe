/* The container's first process: created by clone3 straight into its new
 * namespaces, it waits on the sync channel until the parent has written its
 * id maps and built its filesystem, then finishes the setup that only it can
 * do and execs the command.  It cannot print: a failure travels back to the
 * parent as an iso_error, and the process exits. */
#ifndef ISOLATE_PROCESS_H
#define ISOLATE_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

/* clone3 with FLAGS (CLONE_NEW*); returns 0 in the child, like fork. */
pid_t iso_clone(uint64_t flags);

/* The same, the child born in the cgroup v2 directory CGROUP_FD
 * (CLONE_INTO_CGROUP, Linux 5.7): it runs no code anywhere else. */
pid_t iso_clone_into_cgroup(uint64_t flags, int cgroup_fd);

/* The container's first process, in the spec's new namespaces but the
 * cgroup one (made by the child once in its cgroups, so that they are its
 * root), born in the v2 cgroup V2_CGROUP when there is one (*V2_PLACED). */
pid_t iso_clone_container(const struct iso_spec *spec, int v2_cgroup, bool *v2_placed);

/* PID's user namespace, to idmap mounts onto. */
int iso_open_userns(pid_t pid, struct iso_error *err);

/* What an OCI container's first process does besides: it stops before
 * the exec until `start` (runc's exec fifo), with the state for its hooks
 * sent along with the go-ahead. */
struct iso_child_oci {
	int exec_fifo;          /* O_PATH fd of the fifo `start` opens to read;
				 * -1: a process exec'd into a running container */
	const char *keyring;    /* a new session keyring of this name, or NULL */
	int state_dir;          /* the runtime's lock on the state: closed at once */
	/* the createContainer hooks, opened by the runtime (O_PATH): they
	 * run before pivot_root, where the runtime's workshop covers /tmp */
	const int *create_hook_fds;     /* ended by -1 */
	int seccomp_listener;   /* connected to linux.seccomp.listenerPath, or -1 */
};

/* The child's side, from the go-ahead to exec; never returns.  With
 * BUILD_TREE (no root) it also builds its filesystem tree itself.  With
 * OCI it reports ISO_SYNC_READY once set up, then waits for start. */
__attribute__((noreturn)) void iso_child_main(const struct iso_spec *spec, int sync_fd,
					      bool build_tree, const struct iso_child_oci *oci);

/* A process exec'd into a running container (isolate-oci exec), already
 * in its namespaces and cgroups: from the go-ahead, its user, stdio,
 * capabilities, seccomp and exec, as for the first process.  Never
 * returns. */
__attribute__((noreturn)) void iso_child_exec_main(const struct iso_spec *spec, int sync_fd,
						   const struct iso_child_oci *oci);

#endif
