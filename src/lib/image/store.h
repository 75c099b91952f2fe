/* The image store: a content-addressed directory.
 *
 *   ROOT/blobs/sha256/HEX     manifests, configs and compressed layers,
 *                             each verified against its digest before it
 *                             is given its name
 *   ROOT/layers/sha256/HEX    each layer unpacked once, named by its diff_id
 *                             (the digest of the uncompressed tar), with
 *                             overlayfs whiteouts: an overlay lower dir
 *   ROOT/index.json           refs -> image id (config digest) -> manifest
 *   ROOT/containers/ID        a container's overlay upper and work dirs
 *   ROOT/tmp                  blobs and layers being written; a name in
 *                             blobs/ or layers/ is only ever made by rename
 *   ROOT/locks                flock(2) files
 *
 * Root: the data directory (/var/lib/isolate; rootless
 * $XDG_DATA_HOME/isolate or ~/.local/share/isolate; $ISOLATE_DATA_DIR);
 * --storage-root overrides it. */
#ifndef ISOLATE_IMAGE_STORE_H
#define ISOLATE_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "digest.h"
#include "error.h"

struct iso_store {
	char *root;
	int fd;        /* ROOT, O_PATH */
};

/* The default root for this user: iso_data_dir(). */
char *iso_store_default_root(void);

/* Opens the store, making its directories (mode 0700) when missing;
 * temporary files left by a killed writer are removed. */
int iso_store_open(struct iso_store *s, const char *root, struct iso_error *err);
void iso_store_close(struct iso_store *s);

/* ---- blobs ---- */
char *iso_store_blob_path(const struct iso_store *s, const char *digest);
bool iso_store_has_blob(const struct iso_store *s, const char *digest);
/* Opens a stored blob for reading (O_RDONLY|O_CLOEXEC). */
int iso_store_open_blob(const struct iso_store *s, const char *digest, struct iso_error *err);
/* Reads a whole stored blob, checked against its digest; at most MAX
 * bytes (manifests and configs are small; a larger one is an error). */
int iso_store_read_blob(const struct iso_store *s, const char *digest, size_t max,
			char **buf, size_t *len, struct iso_error *err);
/* A blob being written: an fd (O_RDWR|O_CLOEXEC, flock'd so that the
 * sweep leaves it alone while this process lives) to a new file in
 * ROOT/tmp.  Commit it once the caller has checked what it wrote. */
struct iso_blob_writer {
	int fd;
	char *tmp_path;
};
int iso_store_blob_begin(struct iso_store *s, struct iso_blob_writer *w, struct iso_error *err);
/* fsyncs and renames the file to blobs/sha256/HEX of DIGEST; on any error
 * the file is removed.  The writer is closed either way. */
int iso_store_blob_commit(struct iso_store *s, struct iso_blob_writer *w, const char *digest,
			  struct iso_error *err);
/* Removes the file and closes the writer; safe on a closed writer. */
void iso_store_blob_abort(struct iso_blob_writer *w);
/* Stores BUF as a blob; its digest in OUT. */
int iso_store_put_blob(struct iso_store *s, const void *buf, size_t len, iso_digest_t out,
		       struct iso_error *err);

/* ---- unpacked layers ---- */
char *iso_store_layer_path(const struct iso_store *s, const char *diff_id);
bool iso_store_has_layer(const struct iso_store *s, const char *diff_id);
/* A new empty directory in ROOT/tmp to unpack into: its path, an fd of
 * it (O_DIRECTORY), and a flock'd fd that keeps the sweep away. */
struct iso_layer_writer {
	int dir_fd;
	int lock_fd;
	char *tmp_path;
};
int iso_store_layer_begin(struct iso_store *s, struct iso_layer_writer *w, struct iso_error *err);
/* Renames the directory to layers/sha256/HEX of DIFF_ID (if another
 * process got there first, with the same content, this copy is removed).
 * The writer is closed either way; on error its directory is removed.
 * The caller makes the content durable first (iso_store_sync), once for
 * all the layers it commits: a layer is never named before its files are
 * on disk. */
int iso_store_layer_commit(struct iso_store *s, struct iso_layer_writer *w, const char *diff_id,
			   struct iso_error *err);
void iso_store_layer_abort(struct iso_store *s, struct iso_layer_writer *w);
/* syncfs(2) of the store's filesystem. */
int iso_store_sync(const struct iso_store *s, struct iso_error *err);
/* Removes a directory tree in the store (a layer, a tmp dir, a
 * container's dir), without following symlinks and without crossing
 * into other filesystems. */
int iso_store_remove_tree(const struct iso_store *s, const char *path, struct iso_error *err);

/* ---- locks ---- */
/* Takes an exclusive flock on ROOT/locks/NAME (waits); returns the fd
 * (close it to unlock).  NAME is a plain file name. */
int iso_store_lock(struct iso_store *s, const char *name, struct iso_error *err);
/* A shared flock on the same file: held by pulls and by runs until their
 * image is recorded, taken exclusively by the gc ("gc"). */
int iso_store_lock_shared(struct iso_store *s, const char *name, struct iso_error *err);

#endif
