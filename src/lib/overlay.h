/* A container's root from image layers: an overlayfs of the layers with
 * the container's own upper and work directories.
 *
 * With a user namespace, each layer and the upper directory are idmapped
 * mounts onto it, beneath the overlay (overlayfs takes idmapped layers
 * since Linux 5.19, but cannot itself be idmapped): the layers are stored
 * once with their real owners and shared by every container, whatever its
 * id range; nothing is chowned. */
#ifndef ISOLATE_OVERLAY_H
#define ISOLATE_OVERLAY_H

#include "error.h"

/* Mounts, detached, the overlay of LAYERS (NULL-terminated, lowest first)
 * with UPPER/upper and UPPER/work.  USERNS_FD >= 0: idmapped onto that
 * user namespace.  SCRATCH: an empty directory of a private mount
 * namespace where the layer mounts are attached while the overlay is
 * made (overlayfs takes its layers by path); they are detached again
 * before this returns.  Returns the overlay's mount fd. */
int iso_overlay_mount(char *const *layers, const char *upper, int userns_fd,
		      const char *scratch, struct iso_error *err);

/* Makes UPPER/upper and UPPER/work (and UPPER), owned by root and 0755,
 * for a new container. */
int iso_overlay_make_upper(const char *upper, struct iso_error *err);

/* Removes a container's UPPER directory (made by iso_overlay_make_upper),
 * without following symlinks or crossing into other mounts. */
int iso_overlay_remove_upper(const char *upper, struct iso_error *err);

#endif
