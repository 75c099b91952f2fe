/* linux.sysctl: kernel parameters of the container's own namespaces
 * (network, IPC, UTS), set by its first process through /proc/sys, which
 * shows the namespaces of whoever opens it. */
#ifndef ISOLATE_SYSCTL_H
#define ISOLATE_SYSCTL_H

#include "error.h"
#include "spec.h"

/* Refuses a parameter that is not in a namespace the container has of its
 * own: setting it would change the host. */
int iso_sysctl_check(const struct iso_spec *spec, struct iso_error *err);

/* In the container, before /proc is made read-only. */
int iso_sysctl_apply(const struct iso_spec *spec, struct iso_error *err);

#endif
