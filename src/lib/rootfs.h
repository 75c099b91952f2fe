/* Building the container's filesystem tree.
 *
 * The parent (host root) builds everything it can from the host's side, in
 * a private mount namespace of its own: the rootfs (or the host's root),
 * bind mounts, tmpfs mounts and /dev with its devices.  Each piece is an
 * idmapped mount onto the container's user namespace, so that files keep
 * their owners without a chown.  The pieces are assembled at a private
 * place, then the whole tree is cloned in one piece onto a shared "carrier"
 * mount that the container's mount namespace received, at clone time, as a
 * slave.  The tree reaches the container by that one propagation; and
 * because it crosses into a less privileged user namespace, the kernel
 * locks what it copies: a read-only view of the host stays read-only even
 * for a container root holding CAP_SYS_ADMIN, and no mount below the root
 * can be lifted to reveal what it covers.
 *
 * The container then mounts what only it can mount, because the filesystem
 * belongs to one of its namespaces (proc to its PID namespace, sysfs to its
 * network namespace, mqueue to its IPC namespace, devpts to its user
 * namespace), and pivots into the tree. */
#ifndef ISOLATE_ROOTFS_H
#define ISOLATE_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* A private tmpfs in the builder's mount namespace: the tree is assembled
 * at ISO_BUILD_DIR, and published at ISO_STAGE_DIR, the carrier, where the
 * container finds it.  Built in the container itself (rootless), the tree
 * is assembled at ISO_STAGE_DIR directly. */
#define ISO_WORK_DIR "/tmp"
#define ISO_BUILD_DIR "/tmp/build"
#define ISO_STAGE_DIR "/tmp/root"
#define ISO_LAYERS_DIR "/tmp/layers" /* an image's layers, while its overlay is made */

struct iso_rootfs {
	const struct iso_spec *spec;
	char **dest;            /* normalised destination of each mount */
	int *parent;            /* index of the mount each one lies in, or -1 */
	int *source_fd;         /* bind sources, opened in the private namespace */
	bool *source_is_dir;
	int dir_fd;             /* --rootfs DIR; -1 for the host-root sandbox */
	int *layer_fd;          /* an image's layers (n_layers), and the */
	size_t n_layers;        /* container's dir with upper/ and work/ */
	int upper_fd;
	char **host_mounts;     /* host-root sandbox: host mount points to show */
	int stage_fd;           /* the root being assembled, once attached */
	int userns_fd;          /* idmap onto this user namespace, or -1 */
	bool propagate;         /* built in the parent, for the child to receive */
	bool tmpfs_idmap;       /* the kernel idmaps tmpfs (Linux 6.3 and later) */
};

/* True for a filesystem of one of the container's new namespaces, which
 * only the container itself can mount. */
bool iso_mount_made_in_container(const struct iso_spec *spec, const struct iso_mount *m);

/* Moves the calling process into a new mount namespace, private to it. */
int iso_rootfs_enter_private_ns(struct iso_error *err);

/* Checks the spec's mounts and opens every host object they name; then
 * mounts the workshop.  PROPAGATE: the tree is built in the parent's private
 * namespace, before the clone, for the child to receive by propagation;
 * else it is built where it will be used (the rootless child). */
int iso_rootfs_open(struct iso_rootfs *r, const struct iso_spec *spec, bool propagate,
		    struct iso_error *err);

/* Assembles the tree, and to propagate publishes it on the carrier;
 * USERNS_FD (or -1) is the user namespace to idmap onto.  Call once the
 * container's maps are written. */
int iso_rootfs_build(struct iso_rootfs *r, int userns_fd, struct iso_error *err);

void iso_rootfs_close(struct iso_rootfs *r);

/* In the container, after the go-ahead: cut propagation, mount proc, sysfs,
 * devpts and mqueue, and pivot_root into the tree, the old root detached. */
int iso_rootfs_enter(const struct iso_spec *spec, struct iso_error *err);

#endif
