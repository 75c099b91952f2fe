/* Paths inside a rootfs are hostile: a rootfs may hold a symlink /data ->
 * /etc or -> ../../.. to lead a mount onto the host.  Everything below a
 * root is resolved relative to a directory fd of that root with openat2's
 * RESOLVE_IN_ROOT, which makes "/" and ".." stop at the root for every
 * symlink on the way, and refuses magic links (/proc/PID/fd/N and kin). */
#ifndef ISOLATE_PATHRES_H
#define ISOLATE_PATHRES_H

#include <stdbool.h>

#include "error.h"

/* Opens PATH (a path in the container's view) inside the tree at ROOTFD.
 * FLAGS are open(2) flags; O_CLOEXEC is always added.  Returns the fd, or
 * -1 with errno set (no error object: callers add their own context). */
int iso_open_in_root(int rootfd, const char *path, int flags);

/* Opens PATH inside ROOTFD as O_PATH, creating what is missing: the
 * directories on the way and the last component as an empty file when
 * LAST_IS_FILE, else as a directory.  Returns an O_PATH fd of the result. */
int iso_mkpath_in_root(int rootfd, const char *path, bool last_is_file,
		       struct iso_error *err);

#endif
