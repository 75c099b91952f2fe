/* docker's mount flags, parsed into spec mounts: -v/--volume and --tmpfs. */
#ifndef ISOLATE_VOLUME_H
#define ISOLATE_VOLUME_H

#include "error.h"
#include "spec.h"

/* -v HOSTPATH:CTRPATH[:OPTIONS], OPTIONS a comma list of ro, rw,
 * private, rprivate.  The bind is recursive and idmapped onto the
 * container's user namespace when it has one. */
int iso_spec_add_volume(struct iso_spec *spec, const char *arg, struct iso_error *err);

/* --tmpfs CTRPATH[:OPTIONS], with docker's defaults nosuid,nodev,noexec
 * before the options given (so "exec" can lift noexec). */
int iso_spec_add_tmpfs(struct iso_spec *spec, const char *arg, struct iso_error *err);

#endif
