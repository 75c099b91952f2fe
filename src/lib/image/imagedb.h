/* Which images the store holds, and by what names: ROOT/images.json.
 *
 *   {"images": {"sha256:<config>": {"manifest": "sha256:..", "added": T}},
 *    "refs":   {"docker.io/library/busybox:latest": "sha256:<config>"}}
 *
 * An image is known by its id, the digest of its config (docker's); a ref
 * names one image, and moving a ref to a newer image leaves the older one
 * untagged ("dangling").  Each change is made under the store's "images"
 * lock and written whole (a temporary file renamed over the old). */
#ifndef ISOLATE_IMAGE_IMAGEDB_H
#define ISOLATE_IMAGE_IMAGEDB_H

#include <stdbool.h>

#include "store.h"

struct iso_image_rec {
	iso_digest_t id;
	iso_digest_t manifest;
	long long added;     /* seconds since the epoch */
	char **refs;         /* full refs ("docker.io/library/busybox:latest") */
};

struct iso_image_list {
	struct iso_image_rec *v;
	size_t n;
};

/* Records image ID (with its MANIFEST) and points REF (may be NULL) at it. */
int iso_imagedb_add(struct iso_store *s, const char *id, const char *manifest, const char *ref,
		    struct iso_error *err);
/* Finds an image by a name as a user types it ("busybox", "host:5000/a:1",
 * "a@sha256:.."), by its id ("sha256:..") or by a unique prefix of at least
 * 4 hex digits of the id.  *FOUND false (and 0) when there is none. */
int iso_imagedb_lookup(struct iso_store *s, const char *name, struct iso_image_rec *out,
		       bool *found, struct iso_error *err);
int iso_imagedb_list(struct iso_store *s, struct iso_image_list *out, struct iso_error *err);
/* Removes REF (a full ref); *REMAINING: refs the image still has after it. */
int iso_imagedb_untag(struct iso_store *s, const char *ref, size_t *remaining,
		      struct iso_error *err);
/* Forgets image ID and every ref to it (its blobs stay until a gc). */
int iso_imagedb_remove(struct iso_store *s, const char *id, struct iso_error *err);

void iso_image_rec_free(struct iso_image_rec *r);
void iso_image_list_free(struct iso_image_list *l);

#endif
