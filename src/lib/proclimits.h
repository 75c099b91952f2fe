/* Per-process limits of the container's first process: rlimits
 * (--ulimit) and the OOM killer's score adjustment.  Set by the parent,
 * which holds the host's privileges, while the child waits: inside its
 * user namespace the child could not raise a hard limit. */
#ifndef ISOLATE_PROCLIMITS_H
#define ISOLATE_PROCLIMITS_H

#include <sys/types.h>

#include "error.h"
#include "spec.h"

int iso_proclimits_apply(pid_t pid, const struct iso_process *p, struct iso_error *err);

#endif
