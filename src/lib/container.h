/* Running a container in the foreground: the parent's side of the
 * handshake, then the wait, with signals passed on and the terminal
 * relayed. */
#ifndef ISOLATE_CONTAINER_H
#define ISOLATE_CONTAINER_H

#include "error.h"
#include "netsetup.h"
#include "spec.h"

/* What isolate's own CLI adds to a spec: the container's id and name
 * (state under the run directory) and its network as docker's flags
 * describe it. */
struct iso_run_opts {
	const char *id;                 /* ISO_ID_LEN hex digits */
	const char *name;               /* --name, or NULL */
	const struct iso_netcfg *net;
};

/* Creates the container described by SPEC (to which the network's /etc
 * files are added as mounts), runs its command to the end and
 * returns 0 with *EXIT_STATUS set to the command's status (128+N when
 * killed by signal N).  On failure returns -1 with ERR set; ERR->status is
 * 125, or 126/127 when the command could not be executed or found.
 *
 * The calling process moves to a private mount namespace of its own, where
 * the container's tree is assembled; it is meant to be a runtime process
 * that runs one container. */
int iso_container_run(struct iso_spec *spec, const struct iso_run_opts *opts, int *exit_status,
		      struct iso_error *err);

#endif
