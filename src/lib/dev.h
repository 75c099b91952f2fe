/* The container's /dev: a tmpfs holding the default devices of the OCI
 * runtime spec (bind mounts of the host's nodes, since a user namespace may
 * not mknod), the standard symlinks, and the mount points of /dev/pts,
 * /dev/shm and /dev/mqueue. */
#ifndef ISOLATE_DEV_H
#define ISOLATE_DEV_H

#include <stdbool.h>

#include "error.h"

/* Fills a fresh /dev tmpfs, reached through DEVFD, with empty files for the
 * devices (and /dev/console when CONSOLE) and the standard symlinks. */
int iso_dev_populate(int devfd, bool console, struct iso_error *err);

/* Bind-mounts the host's device nodes onto their files in the /dev of the
 * tree at ROOTFD. */
int iso_dev_bind_devices(int rootfd, struct iso_error *err);

/* linux.devices in the tree at ROOTFD: each made with mknod, or in a user
 * namespace the host's node bound; one already there is left. */
struct iso_spec;
int iso_dev_make_devices(int rootfd, const struct iso_spec *spec, struct iso_error *err);

/* In a user namespace: the files under DEVFD (a fresh /dev, not yet
 * idmapped) that linux.devices's host nodes are bound on. */
int iso_dev_placeholders(int devfd, const struct iso_spec *spec, struct iso_error *err);

#endif
