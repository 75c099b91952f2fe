/* The store's garbage collection: blobs and unpacked layers that no image
 * in the index and no running container needs are removed.  It holds the
 * "gc" lock exclusively, so that no pull is between downloading a blob and
 * recording its image, and no run between choosing an image and
 * recording it. */
#ifndef ISOLATE_IMAGE_GC_H
#define ISOLATE_IMAGE_GC_H

#include <stdint.h>

#include "store.h"

/* IN_USE: "ID MANIFEST" records of running containers (iso_images_in_use).
 * *RECLAIMED: bytes freed (apparent sizes of the removed files). */
int iso_store_gc(struct iso_store *s, char *const *in_use, uint64_t *reclaimed,
		 struct iso_error *err);

#endif
