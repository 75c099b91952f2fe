/* docker's --device HOST[:CONTAINER][:PERMS], and the device rules every
 * container gets. */
#ifndef ISOLATE_DEVOPT_H
#define ISOLATE_DEVOPT_H

#include "error.h"
#include "spec.h"

/* Adds the device: a bind mount of the host's node on CONTAINER (default:
 * the same path) and a cgroup rule allowing PERMS (of "rwm", default all
 * three) on it.  HOST must be a character or block device. */
int iso_spec_add_device(struct iso_spec *spec, const char *arg, struct iso_error *err);

/* docker's default rules: every device denied but mknod of any, and the
 * nodes of the default /dev (null, zero, full, random, urandom, tty,
 * console, ptmx, the pts, tun); with ALLOW_ALL (--privileged) every
 * device.  Put in front of the rules already there. */
void iso_spec_default_device_rules(struct iso_spec *spec, bool allow_all);

/* OCI (as runc and crun do): after config.json's rules (with none, a
 * rule denying every device), an allow rule for each of linux.devices and
 * for the nodes of the default /dev, so that a "deny all" leaves a
 * working /dev.  For a container in cgroups the runtime makes (not one
 * without root). */
void iso_spec_oci_device_rules(struct iso_spec *spec);

#endif
