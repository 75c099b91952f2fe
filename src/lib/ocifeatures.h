/* What `isolate-oci features` prints: the runtime-spec's Features
 * structure (features.md, features-linux.md, runtime-spec 1.2), claiming
 * only what isolate does. */
#ifndef ISOLATE_OCIFEATURES_H
#define ISOLATE_OCIFEATURES_H

/* The structure as runc prints it (4-space indent, a trailing newline):
 *   ociVersionMin "1.0.0", ociVersionMax "1.2.0";
 *   hooks: the six kinds;
 *   mountOptions: those mntopt.c takes as flags, propagation, bind or
 *     idmap (filesystem parameters such as mode= are not listed);
 *   linux.namespaces: cgroup ipc mount network pid user uts;
 *   linux.capabilities: every capability this kernel and libcap know;
 *   linux.cgroup: v1 and v2, no systemd manager, no rdma;
 *   linux.seccomp: the actions and operators secfilter_json.c accepts
 *     (not SCMP_ACT_NOTIFY), the architectures libseccomp resolves by
 *     name (SCMP_ARCH_ + its name in capitals); no flags listed;
 *   linux.apparmor, selinux, intelRdt: not enabled;
 *   linux.mountExtensions.idmap: enabled when this kernel has
 *     mount_setattr (idmapped mounts came with it, in Linux 5.12);
 *   annotations: io.github.isolate.version and
 *     io.github.seccomp.libseccomp.version.
 * Never NULL (out of memory aborts). */
char *iso_oci_features_json(void);

#endif
