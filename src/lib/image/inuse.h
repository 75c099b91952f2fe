/* Which images running containers use.  A container started from an
 * image records "IMAGE_ID MANIFEST_DIGEST" in its state ("image"), so
 * that rmi can refuse an image in use and the store's gc keeps the layers
 * under a running container even after a forced rmi. */
#ifndef ISOLATE_IMAGE_INUSE_H
#define ISOLATE_IMAGE_INUSE_H

#include "error.h"

/* "ID MANIFEST" of every running container's image, and (when IDS is
 * not NULL) the containers' ids in the same order; taken under the run
 * directory's lock. */
int iso_images_in_use(char ***records, char ***ids, struct iso_error *err);

#endif
