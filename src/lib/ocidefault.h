/* The config.json `isolate-oci spec` writes into a bundle: runc's example
 * (libcontainer/specconv Example and ToRootless), field for field, so
 * that a bundle made for one runs with the other. */
#ifndef ISOLATE_OCIDEFAULT_H
#define ISOLATE_OCIDEFAULT_H

#include <stdbool.h>

/* ociVersion 1.2.0; process: a terminal, uid 0 gid 0, sh, PATH and
 * TERM=xterm, cwd /, AUDIT_WRITE KILL NET_BIND_SERVICE in the bounding,
 * effective and permitted sets, RLIMIT_NOFILE 1024, noNewPrivileges; a
 * read-only root "rootfs"; hostname "isolate"; /proc, /dev (tmpfs),
 * /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup; every device
 * denied; pid, network, ipc, uts, mount and cgroup namespaces; runc's
 * masked and read-only paths.
 *
 * ROOTLESS, as runc's --rootless: no network namespace; a user namespace
 * mapping the caller's effective uid and gid to 0 (size 1); /sys a
 * read-only rbind of the host's /sys (sysfs cannot be mounted there);
 * no uid= or gid= mount options (devpts's gid=5 names no mapped group);
 * no linux.resources (the caller may own no cgroup).
 *
 * Tab-indented as runc writes it, without a trailing newline.  Never
 * NULL (out of memory aborts). */
char *iso_oci_default_config(bool rootless);

#endif
