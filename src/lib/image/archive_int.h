/* Shared by archive_src.c (what an archive or a layout directory holds,
 * copied into the store) and archive_load.c (the images it describes). */
#ifndef ISOLATE_IMAGE_ARCHIVE_INT_H
#define ISOLATE_IMAGE_ARCHIVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive.h"

struct archive;   /* libarchive's */

/* The names an image archive uses; every other entry is skipped unread. */
enum arc_kind {
	ARC_OTHER,
	ARC_BLOB,        /* blobs/sha256/HEX: named by its digest */
	ARC_CONFIG,      /* HEX.json: a legacy config, named by its digest */
	ARC_LAYER,       /* HEX/layer.tar, HEX.tar: a legacy layer */
	ARC_INDEX,       /* index.json */
	ARC_MANIFEST,    /* manifest.json (docker's) */
	ARC_LAYOUT,      /* oci-layout */
};
#define ARC_N_JSON 3     /* index.json, manifest.json, oci-layout */

struct arc_entry {
	char *name;              /* normalised */
	iso_digest_t digest;     /* its content, which the store holds */
};

struct arc_src {
	struct iso_store *s;
	const struct iso_load_opts *o;
	char *what;              /* the file or directory, for messages */
	int dirfd;               /* a layout directory (O_PATH); -1: an archive */
	struct arc_entry *ents;  /* the blobs found so far */
	size_t n, cap;
	char *json[ARC_N_JSON];  /* an archive's small files, NULL if absent */
	size_t json_len[ARC_N_JSON];
	bool json_read[ARC_N_JSON];
};

/* NAME without its leading "./"s. */
const char *arc_normalize(const char *name);
enum arc_kind arc_classify(const char *name);
/* "blobs/sha256/HEX" of DIGEST (caller frees). */
char *arc_blob_name(const char *digest);

void arc_src_init(struct arc_src *src, struct iso_store *s, const struct iso_load_opts *o,
		  const char *what);
/* Reads the archive from FD to its end: its blobs into the store, its
 * small files into memory. */
int arc_src_read_archive(struct arc_src *src, int fd, struct iso_error *err);
/* Opens the directory DIR; blobs are copied when asked for. */
int arc_src_open_dir(struct arc_src *src, const char *dir, struct iso_error *err);
void arc_src_free(struct arc_src *src);

/* The small file K (ARC_INDEX, ARC_MANIFEST, ARC_LAYOUT): *BUF NULL when
 * the source has none. */
int arc_src_json(struct arc_src *src, enum arc_kind k, const char **buf, size_t *len,
		 struct iso_error *err);
/* Makes sure the blob NAME (one of the blob kinds) is in the store:
 * *FOUND false when neither the source nor the store has it; else its
 * digest in OUT. */
int arc_src_blob(struct arc_src *src, const char *name, iso_digest_t out, bool *found,
		 struct iso_error *err);

/* Opens the store's blob DIGEST and reads its first bytes: the layer
 * media type they show (gzip, zstd, else a plain tar), and its size. */
int arc_blob_info(struct iso_store *s, const char *digest, const char **media_type,
		  int64_t *size, struct iso_error *err);

/* Registers libarchive's decompressors that are built in (never an
 * external program run on hostile bytes): gzip, zstd, xz, bzip2. */
int arc_support_filters(struct archive *a, const char *what, struct iso_error *err);

#endif
