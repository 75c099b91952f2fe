/* The container spec: the in-memory model of an OCI runtime-spec
 * config.json (process, root, hostname, mounts, linux.namespaces,
 * linux.uidMappings/gidMappings) plus the few things isolate's own CLI adds
 * (a host-root sandbox, a built-in init, a user given by name).  Both faces
 * build one of these and hand it to the same code. */
#ifndef ISOLATE_SPEC_H
#define ISOLATE_SPEC_H

#include <stdbool.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "error.h"
#include "secfilter.h"
#include "units.h"

#define ISO_MAX_IDMAPS 340      /* the kernel's limit on uid_map lines */

struct iso_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct iso_mount {
	char *destination;      /* absolute path inside the container */
	char *type;             /* bind, proc, sysfs, tmpfs, devpts, mqueue */
	char *source;           /* host path for bind, a label otherwise */
	char **options;         /* OCI options: ro, nosuid, rbind, idmap, mode=.. */
};

struct iso_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	/* -u as typed ("name", "name:group", "uid:gid"), resolved against the
	 * rootfs's /etc/passwd and /etc/group inside the container; NULL when
	 * uid/gid are already numeric and final. */
	char *spec;
};

struct iso_process {
	char **args;
	char **env;             /* KEY=VALUE, defaults added in the container */
	char *cwd;
	struct iso_user user;
	bool terminal;          /* -t: a pty from the container's devpts */
	bool stdin_open;        /* -i: keep stdin attached */
	struct iso_rlimit *rlimits;
	size_t n_rlimits;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_caps;          /* false: the capabilities are left as they are */
	struct iso_caps caps;
	bool no_new_privileges;
	unsigned int preserve_fds;      /* fds 3..3+N-1 of the caller reach the command */
	bool has_umask;
	mode_t umask;           /* OCI process.user.umask */
	char *apparmor_profile; /* accepted, kept for state; not applied */
	char *selinux_label;    /* accepted, kept for state; not applied */
	struct iso_console_size { unsigned short rows, cols; } console_size; /* 0: unset */
};

/* linux.resources.devices: who may make, read or write which device. */
struct iso_device_rule {
	bool allow;
	char type;              /* 'a' all, 'c' char, 'b' block */
	int64_t major, minor;   /* -1: any */
	char access[4];         /* of "rwm" */
};

/* linux.resources.hugepageLimits[]: "2MB" pages, bytes. */
struct iso_hugepage_limit {
	char *pagesize;
	uint64_t limit;
};

/* A resource value not given: the kernel's default stays. */
#define ISO_UNSET INT64_MIN

/* linux.resources, in the OCI model's units: bytes, CPU shares (v1
 * scale), microseconds.  Every number is ISO_UNSET, strings NULL, when
 * not asked for. */
struct iso_resources {
	int64_t memory_limit;           /* bytes */
	int64_t memory_reservation;     /* bytes, a soft limit */
	int64_t memory_swap;            /* memory plus swap, bytes; -1 unlimited */
	bool disable_oom_killer;
	int64_t cpu_shares;             /* 2..262144 */
	int64_t cpu_weight;             /* 1..10000 (cgroup v2's scale) */
	int64_t cpu_quota;              /* microseconds per period */
	int64_t cpu_period;             /* microseconds */
	char *cpuset_cpus;
	char *cpuset_mems;
	int64_t pids_limit;             /* -1 unlimited */
	int64_t blkio_weight;           /* 10..1000 */
	struct iso_throttle *read_bps;
	size_t n_read_bps;
	struct iso_throttle *write_bps;
	size_t n_write_bps;
	struct iso_device_rule *devices;        /* in order; none: the cgroup's as is */
	size_t n_devices;
	int64_t memory_swappiness;      /* 0..100 (v1 only) */
	struct iso_hugepage_limit *hugepages;   /* hugepageLimits */
	size_t n_hugepages;
	char **unified;                 /* cgroup v2 files: key, value, key, value, ..., NULL */
};

/* True when any limit is asked for. */
bool iso_resources_any(const struct iso_resources *r);

/* Namespaces isolate can create; each bit a CLONE_NEW* flag. */
struct iso_linux {
	int new_namespaces;     /* CLONE_NEW* flags to create */
	struct iso_idmap uid_mappings[ISO_MAX_IDMAPS];
	size_t n_uid_mappings;
	struct iso_idmap gid_mappings[ISO_MAX_IDMAPS];
	size_t n_gid_mappings;
	/* the cgroup, under each hierarchy's root ("a/b"); NULL: the
	 * runtime's default place */
	char *cgroups_path;
	struct iso_resources resources;
	char **masked_paths;    /* hidden: /dev/null on files, an empty tmpfs on dirs */
	char **readonly_paths;  /* made read-only */
	struct iso_seccomp *seccomp;    /* NULL: no filter */
};


/* A namespace joined rather than created (OCI linux.namespaces[].path). */
struct iso_ns_path {
	int type;               /* CLONE_NEW* */
	char *path;
};

/* linux.devices: a node made in the container's /dev. */
struct iso_device {
	char *path;             /* absolute, inside the container */
	char type;              /* 'c', 'b', 'u' (= 'c'), 'p' (a fifo) */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	mode_t mode;            /* permission bits */
	uid_t uid;
	gid_t gid;
};

struct iso_sysctl {
	char *key;              /* "net.ipv4.ip_forward" */
	char *value;
};

/* OCI hooks, by the point of the lifecycle they run at. */
enum iso_hook_kind {
	ISO_HOOK_PRESTART,
	ISO_HOOK_CREATE_RUNTIME,
	ISO_HOOK_CREATE_CONTAINER,
	ISO_HOOK_START_CONTAINER,
	ISO_HOOK_POSTSTART,
	ISO_HOOK_POSTSTOP,
	ISO_HOOK_KINDS
};

struct iso_hook {
	char *path;             /* absolute */
	char **args;            /* NULL: just the path */
	char **env;             /* NULL: empty environment */
	int timeout;            /* seconds; 0: none */
};

struct iso_hooks {
	struct iso_hook *list[ISO_HOOK_KINDS];
	size_t n[ISO_HOOK_KINDS];
};

struct iso_spec {
	struct iso_process process;
	struct {
		char *path;     /* NULL: the read-only host-root sandbox */
		bool readonly;
		/* an image's: overlay lower dirs (lowest first), and the
		 * directory made for this container's upper/ and work/
		 * (removed with it); path is then NULL */
		char **layers;
		char *upper;
	} root;
	char *hostname;
	struct iso_mount *mounts;
	size_t n_mounts;
	struct iso_linux linux_;
	bool init;              /* --init: built-in PID 1 */

	/* OCI config.json only (isolate-oci) */
	char *domainname;
	struct iso_ns_path *ns_paths;   /* namespaces joined by path */
	size_t n_ns_paths;
	struct iso_device *devices;
	size_t n_devices;
	struct iso_sysctl *sysctls;
	size_t n_sysctls;
	bool has_personality;
	unsigned long personality;      /* PER_LINUX or PER_LINUX32 */
	unsigned long rootfs_propagation;       /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE (| MS_REC for rshared...), 0: default */
	struct iso_hooks hooks;
	char *annotations_json;         /* the object as given, for the state; NULL: none */
	char *oci_version;
	/* OCI semantics where they differ from docker's: stdio passed on
	 * untouched, no default environment, no default mounts */
	bool oci;
};

/* Frees a hook's fields (not the struct). */
void iso_hook_clear(struct iso_hook *h);

/* The read-only view of the host's root: no rootfs and no image. */
bool iso_spec_host_root(const struct iso_spec *spec);

struct iso_spec *iso_spec_new(void);
void iso_spec_free(struct iso_spec *spec);

/* Appends a mount; options is a comma-separated OCI option list or NULL. */
void iso_spec_add_mount(struct iso_spec *spec, const char *type,
			const char *source, const char *destination,
			const char *options);

/* Inserts a mount before every other: a later mount on the same place, or
 * above it, covers it. */
void iso_spec_add_mount_first(struct iso_spec *spec, const char *type,
			      const char *source, const char *destination,
			      const char *options);

/* Mount options the caller asked for, as a flag test. */
bool iso_mount_has_option(const struct iso_mount *m, const char *opt);

/* Adds the standard container filesystem (/proc, /dev and its children,
 * /sys, and for the host-root sandbox private /tmp and /run) in front of
 * the user's mounts.  A user mount on the same destination replaces the
 * default, as docker does. */
void iso_spec_add_default_mounts(struct iso_spec *spec);

/* docker's defaults for linux.maskedPaths and linux.readonlyPaths. */
void iso_spec_add_default_masks(struct iso_spec *spec);

/* Checks what can be checked before anything is created. */
int iso_spec_validate(const struct iso_spec *spec, struct iso_error *err);

static inline bool iso_spec_has_userns(const struct iso_spec *spec)
{
	return (spec->linux_.new_namespaces & CLONE_NEWUSER) != 0;
}

#endif
