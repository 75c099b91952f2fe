/* Removing a directory tree that a container or an image made: no
 * symlink is followed, no other filesystem is entered, and directories it
 * cannot enter (mode 000, as overlayfs leaves its work dirs, or 0555 from
 * an image) are opened up first when the caller owns them. */
#ifndef ISOLATE_RMTREE_H
#define ISOLATE_RMTREE_H

#include <stdint.h>

#include "error.h"

/* Removes PATH and all below it; a missing PATH is not an error.
 * *BYTES (may be NULL) adds up the sizes of the files removed. */
int iso_rmtree(const char *path, uint64_t *bytes, struct iso_error *err);

#endif
