/* Shared by layer.c (the entries), layer_stream.c (the bytes, hashed)
 * and layer_fs.c (names resolved and trees removed inside DEST). */
#ifndef ISOLATE_IMAGE_LAYER_INT_H
#define ISOLATE_IMAGE_LAYER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "layer.h"

struct archive;

/* A set of strings (open addressing); the set owns them. */
struct nameset {
	char **slots;
	size_t cap, n;
};

/* A directory whose mode and times are set once the layer is written
 * (writing entries into it would change its mtime again). */
struct dirmeta {
	char *path;              /* the entry's cleaned name */
	dev_t dev;
	ino_t ino;               /* the directory made for it, to find again */
	mode_t mode;
	struct timespec times[2];
};

struct unpacker {
	int root;                /* DEST, O_PATH */
	dev_t dev;               /* its filesystem: nothing below is on another */
	const struct iso_layer_opts *o;
	uid_t uid;               /* the caller's, for rootless */
	gid_t gid;
	struct iso_layer_stats *st;
	struct iso_error *err;
	const char *entry;       /* the entry being unpacked, printable */
	struct dirmeta *dirs;
	size_t ndirs, dircap;
	/* flatten: the entries this layer made, as "PARENT-INODE/NAME", so
	 * that an opaque directory keeps them and loses the rest */
	struct nameset made;
};

/* ---- layer_stream.c ---- */

struct layer_stream {
	struct archive *outer;   /* decompression: filters and the raw format */
	struct archive *inner;   /* the tar, read from the outer's blocks */
	struct iso_sha256 sha;   /* of what the outer handed out */
	uint64_t bytes;          /* uncompressed bytes read (and hashed) */
	char why[512];           /* the outer reader's error, once it failed */
};

/* Opens the layer read from FD: S->inner is then a tar reader at its
 * first header.  S must be zeroed; close it whatever this returns. */
int layer_stream_open(struct layer_stream *s, int fd, struct iso_error *err);
/* Reads (and hashes) the rest of the stream, once the tar has ended. */
int layer_stream_drain(struct layer_stream *s, struct iso_error *err);
void layer_stream_close(struct layer_stream *s);
/* The tar reader's failure, or the decompressor's behind it, in ERR. */
int layer_stream_error(struct layer_stream *s, struct iso_error *err);

/* ---- layer.c ---- */

/* Fills u->err with "layer entry "NAME": <fmt>[: strerror]"; returns -1. */
int layer_error(struct unpacker *u, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- layer_fs.c ---- */

/* openat2 below DEST: RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV; PATH "" is DEST itself.  -1 with errno on failure. */
int layer_open(const struct unpacker *u, const char *path, int flags);

/* The directory DIR (a cleaned name, "" for DEST) as an O_PATH fd;
 * when CREATE, missing directories are made (0755, owned by the
 * caller), and the directory is made writable (layer_writable).  Without
 * CREATE, -1 with errno and no message. */
int layer_parent(struct unpacker *u, const char *dir, bool create);

/* A new entry in u->dirs. */
struct dirmeta *layer_push_dir(struct unpacker *u);

/* Rootless, flatten: a directory FD (at DIR) that an earlier layer left
 * closed to its owner, the caller (0555), gets u+rwx until the end of
 * the layer, when its mode is set back. */
int layer_writable(struct unpacker *u, int fd, const char *dir);

/* Clears the name NAME in PARENT for a new entry: what is there is
 * removed (a whole tree for a directory), except a directory when
 * KEEP_DIR, which is kept (*KEPT set).  Nothing is followed. */
int layer_clear(struct unpacker *u, int parent, const char *name, bool keep_dir, bool *kept);

/* Removes NAME in PARENT, a whole tree without following symlinks or
 * leaving DEST's filesystem; a missing NAME is fine. */
int layer_remove(struct unpacker *u, int parent, const char *name);

/* flatten: records NAME in PARENT as made by this layer. */
int layer_made(struct unpacker *u, int parent, const char *name);

/* flatten, ".wh..wh..opq": removes what DIR (an fd) holds that this
 * layer did not make, below directories that this layer made too. */
int layer_opaque(struct unpacker *u, int dir);

/* Sets the deferred modes and times of directories. */
int layer_finish_dirs(struct unpacker *u);

void layer_nameset_free(struct nameset *s);

#endif
