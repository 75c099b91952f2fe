/* A stored image as a container uses it: its config, and its layers
 * unpacked (once, shared) as overlay lower directories; and docker's
 * rules for combining its config with the user's flags. */
#ifndef ISOLATE_IMAGE_IMAGE_H
#define ISOLATE_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "imagedb.h"
#include "manifest.h"
#include "spec.h"
#include "store.h"

struct iso_image {
	struct iso_image_rec rec;
	struct iso_manifest manifest;
	struct iso_image_config config;
	char **layers;           /* unpacked layer dirs, lowest first */
	uint64_t size;           /* compressed layers and config, as pulled */
};

/* Reads REC's manifest and config from the store (each checked against
 * its digest).  The layer paths are filled; they exist once
 * iso_image_unpack has run. */
int iso_image_load(struct iso_store *s, const struct iso_image_rec *rec, struct iso_image *img,
		   struct iso_error *err);
void iso_image_free(struct iso_image *img);

/* Unpacks every layer of MANIFEST whose diff_id (from CONFIG) is not in
 * the store yet, from its stored blob; each under a lock of its own, so
 * that concurrent pulls unpack a shared layer once.  A layer whose
 * uncompressed digest is not its diff_id is an error, and is not kept.
 * NOTE (may be NULL) is told of each layer unpacked. */
int iso_image_unpack(struct iso_store *s, const struct iso_manifest *manifest,
		     const struct iso_image_config *config,
		     void (*note)(void *ctx, size_t index, const char *diff_id), void *ctx,
		     struct iso_error *err);

/* The copy fallback, where overlayfs cannot be used: every layer of IMG
 * applied in order onto the directory DEST_FD from its stored blob
 * (whiteouts applied, not kept), each checked against its diff_id. */
int iso_image_flatten(struct iso_store *s, const struct iso_image *img, int dest_fd,
		      struct iso_error *err);

/* Checks that MANIFEST's config and layer blobs are in the store and that
 * CONFIG agrees with it; then records the image under REF (may be NULL)
 * with MANIFEST_DIGEST, whose body is stored too. */
int iso_image_commit(struct iso_store *s, const char *manifest_body, size_t manifest_len,
		     const struct iso_manifest *manifest, const struct iso_image_config *config,
		     const char *ref, iso_digest_t id, struct iso_error *err);

/* The user's side of docker's rules, applied to the image config. */
struct iso_image_run {
	char *const *args;       /* the command after the image name; may be empty */
	const char *entrypoint;  /* --entrypoint: NULL keeps the image's, "" none */
	bool cwd_set;            /* -w was given: the spec's cwd stays */
};

/* Fills SPEC from CONFIG where the flags left it open: args (entrypoint
 * + cmd, docker's precedence), the image's Env in front of -e's, -w or
 * WorkingDir, -u or User.  No command at all is an error. */
int iso_image_apply(const struct iso_image_config *config, const struct iso_image_run *run,
		    struct iso_spec *spec, struct iso_error *err);

#endif
