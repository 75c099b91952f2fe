/* Running a container in the foreground: the parent's side of the
 * handshake, then the wait, with signals passed on and the terminal
 * relayed. */
#ifndef ISOLATE_CONTAINER_H
#define ISOLATE_CONTAINER_H

#include "error.h"
#include "spec.h"

/* Creates the container described by SPEC, runs its command to the end and
 * returns 0 with *EXIT_STATUS set to the command's status (128+N when
 * killed by signal N).  On failure returns -1 with ERR set; ERR->status is
 * 125, or 126/127 when the command could not be executed or found.
 *
 * The calling process moves to a private mount namespace of its own, where
 * the container's tree is assembled; it is meant to be a runtime process
 * that runs one container. */
int iso_container_run(const struct iso_spec *spec, int *exit_status, struct iso_error *err);

#endif
