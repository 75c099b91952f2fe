/* Running a container in the foreground: the parent's side of the
 * handshake, then the wait, with signals passed on and the terminal
 * relayed. */
#ifndef ISOLATE_CONTAINER_H
#define ISOLATE_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

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
	bool ignore_missing_limits;     /* a limit the host cannot apply: a warning */
	const char *stats_file;         /* rewritten every second, and at the end */
	const char *image;              /* "IMAGE_ID MANIFEST" of an image's container */
	/* Called once the container's directory (spec root.upper) is made and
	 * recorded, to fill it: the copy of an image where overlayfs cannot be
	 * used (root.path then names a directory in it). */
	int (*fill_root)(void *ctx, const char *dir, struct iso_error *err);
	void *fill_ctx;
	int stop_signal;                /* sent for a SIGTERM (the image's StopSignal); 0: SIGTERM */
	int *image_lock;                /* when not NULL, an fd closed (and set to -1)
					 * once the image is recorded */
};

struct iso_run_result {
	int exit_status;                /* the command's; 128+N when killed by signal N */
	uint64_t oom_kills;             /* processes of the container the OOM killer took */
};

/* Creates the container described by SPEC (to which the network's /etc
 * files are added as mounts), runs its command to the end and
 * returns 0 with *RESULT filled.  On failure returns -1 with ERR set; ERR->status is
 * 125, or 126/127 when the command could not be executed or found.
 *
 * The calling process moves to a private mount namespace of its own, where
 * the container's tree is assembled; it is meant to be a runtime process
 * that runs one container. */
int iso_container_run(struct iso_spec *spec, const struct iso_run_opts *opts,
		      struct iso_run_result *result, struct iso_error *err);

/* Reclaims what a container whose runtime died held: its cgroups (the
 * processes left in them killed) and its network; for iso_state_sweep. */
void iso_container_reclaim(const char *id);

#endif
