/* The store's garbage collection: blobs and unpacked layers that no image
 * in the index and no running container needs are removed.  It holds the
 * "gc" lock exclusively, so that no pull is between downloading a blob and
 * recording its image, and no run between choosing an image and
 * recording it. */
#ifndef ISOLATE_IMAGE_GC_H
#define ISOLATE_IMAGE_GC_H

#include <stdint.h>

#include "store.h"

/* The "gc" lock, exclusively: hold it from reading what is in use
 * (iso_images_in_use), through the changes to the index, to the end of
 * iso_store_gc, so that no run or pull slips in between. */
int iso_store_gc_lock(struct iso_store *s, struct iso_error *err);

/* With the lock held.  IN_USE: "ID MANIFEST" records of running
 * containers (iso_images_in_use); RUNNING: their ids, whose directories
 * in containers/ stay (any other there is a crashed run's, after a
 * reboot, and goes; NULL leaves containers/ alone).  *RECLAIMED: bytes
 * freed.  Goes on past a tree it cannot remove, and reports the first. */
int iso_store_gc(struct iso_store *s, char *const *in_use, char *const *running,
		 uint64_t *reclaimed, struct iso_error *err);

#endif
