/* Image layers: a tar stream (plain, gzip, zstd, xz or bzip2) unpacked
 * into a directory, and its diff_id (the sha256 of the uncompressed tar)
 * computed in the same pass.
 *
 * A layer is hostile input.  Every name is resolved inside the
 * destination (openat2 with RESOLVE_IN_ROOT, never across a mount): an
 * absolute name lands inside, a name with a ".." component is refused, a
 * symlink of the layer used as a parent ("etc -> /", "-> ../../..")
 * resolves inside the layer, and the last component of a name is never
 * followed.  Hardlinks must name an entry inside the layer; overlay
 * xattrs (trusted.*, user.overlay.*) cannot be forged.  docs/images.md,
 * "Layers", has the rules and why. */
#ifndef ISOLATE_IMAGE_LAYER_H
#define ISOLATE_IMAGE_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"

enum iso_layer_mode {
	/* Whiteouts become overlayfs whiteouts: ".wh.NAME" a 0/0 character
	 * device NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque=y on
	 * its directory (user.overlay.opaque=y with USERXATTR).  The result
	 * is an overlay lower directory; DEST should be empty. */
	ISO_LAYER_OVERLAY,
	/* Whiteouts are applied: NAME is removed (a whole tree, inside DEST),
	 * and an opaque directory loses what it held before this layer.  For
	 * the copy fallback: each layer in order onto one directory. */
	ISO_LAYER_FLATTEN,
};

struct iso_layer_opts {
	enum iso_layer_mode mode;
	/* Unpacking without privilege: device nodes are skipped (counted),
	 * owners stay the caller's, and setuid/setgid bits are dropped from
	 * files whose owner (or group) in the layer is not the caller's. */
	bool rootless;
	/* Overlay mode for an overlay mounted with "userxattr" (rootless). */
	bool userxattr;
};

struct iso_layer_stats {
	uint64_t entries;          /* tar entries read */
	uint64_t bytes;            /* bytes of file content written */
	uint64_t tar_bytes;        /* size of the uncompressed tar stream */
	uint64_t skipped_devices;  /* device nodes not made (rootless) */
	uint64_t skipped_xattrs;   /* xattrs not set: trusted.*, user.overlay.*,
				    * security.* but capabilities, or on a
				    * symlink or special file */
};

/* Unpacks the layer read from FD (to its end) into the directory DEST_FD
 * (any directory fd, O_PATH is fine) and writes the sha256 of the
 * uncompressed stream, the diff_id, to DIFF_ID.  O NULL is overlay mode
 * with privilege; ST (may be NULL) is zeroed, then counts what was done.
 *
 * On error DEST holds a partial tree: the caller unpacks into a fresh
 * directory and removes it on failure (the store renames it into place
 * only on success).  A truncated or corrupt stream, a stream that is not
 * a tar, an entry named with "..", a hardlink to a missing entry, to a
 * directory or outside the layer, and a whiteout of "", "." or ".." are
 * errors naming the entry. */
int iso_layer_unpack(int fd, int dest_fd, const struct iso_layer_opts *o, iso_digest_t diff_id,
		     struct iso_layer_stats *st, struct iso_error *err);

#endif
