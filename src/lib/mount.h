/* Mount primitives on the new mount API: every mount is made detached
 * (fsmount or open_tree), given its attributes while nobody can see it, and
 * attached onto a target that was resolved safely beforehand, by fd.  No
 * mount ever lands on a path string built by concatenation. */
#ifndef ISOLATE_MOUNT_H
#define ISOLATE_MOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "mntopt.h"

/* A new instance of filesystem TYPE, detached, with OPTS applied.  DEST
 * only names the mount in error messages. */
int iso_mount_new_fs(const char *type, const char *source, const struct iso_mntopts *opts,
		     const char *dest, struct iso_error *err);

/* A detached copy of the mount(s) at DIRFD/PATH (PATH "" for DIRFD
 * itself); RECURSIVE copies the submounts too. */
int iso_mount_clone(int dirfd, const char *path, bool recursive, struct iso_error *err);

/* Applies attributes to a detached mount: attribute flags, propagation
 * (0 keeps it), and an idmapping onto USERNS_FD when >= 0. */
int iso_mount_set(int mntfd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
		  uint64_t propagation, int userns_fd);

/* Attaches the detached mount MNTFD onto the file or directory TARGETFD. */
int iso_mount_attach(int mntfd, int targetfd);

/* Reports whether errno from iso_mount_set means "this filesystem or
 * kernel cannot idmap", as opposed to a real failure. */
bool iso_mount_idmap_unsupported(int errnum);

#endif
