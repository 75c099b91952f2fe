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

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Mounts, detached, the overlay of the N directories LAYERS (fds, lowest
 * first) with UPPER/upper and UPPER/work (UPPER an fd of the directory).  USERNS_FD >= 0: idmapped onto that
 * user namespace, and the overlay is then created as OWNER.  SCRATCH: an empty directory of a private mount
 * namespace where the layer mounts are attached while the overlay is
 * made (overlayfs takes its layers by path); they are detached again
 * before this returns.  USERXATTR: mounted in a user namespace without
 * host privilege, where overlayfs keeps its xattrs (and reads the layers'
 * opaque markers) in user.overlay.*.  Returns the overlay's mount fd. */
struct iso_overlay_owner {
	uid_t uid;      /* the container's root on the host */
	gid_t gid;
};

/* Runs FN as the container's root O (its fs ids), with the runtime's
 * capabilities (which switching fs ids takes out of the effective set)
 * put back; the fs ids and capabilities are restored on every way out. */
int iso_as_owner(const struct iso_overlay_owner *o, int (*fn)(void *ctx, struct iso_error *err),
		 void *ctx, struct iso_error *err);

int iso_overlay_mount(const int *layers, size_t n, int upper, int userns_fd,
		      const struct iso_overlay_owner *owner, const char *scratch, bool userxattr,
		      struct iso_error *err);

/* Makes UPPER/upper and UPPER/work (and UPPER), owned by root and 0755,
 * for a new container. */
int iso_overlay_make_upper(const char *upper, struct iso_error *err);

/* Whether overlayfs can make a container's root with layers and upper
 * directories where DIR is (an empty directory of the store's, locked
 * against the sweep by the caller, which removes it): a trial mount of
 * empty directories made in it; without root, in a user namespace of a
 * child's own.  0 when it can; -1 with the reason in ERR (no
 * overlayfs in the kernel, a filesystem it refuses as an upper layer).
 * ISOLATE_TEST_NO_OVERLAY=1 makes it fail, for the tests of the fallback. */
int iso_overlay_probe(const char *dir, struct iso_error *err);

/* Removes a container's UPPER directory (made by iso_overlay_make_upper),
 * without following symlinks or crossing into other mounts. */
int iso_overlay_remove_upper(const char *upper, struct iso_error *err);

#endif
