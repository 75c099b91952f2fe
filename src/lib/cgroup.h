/* A container's cgroup, on cgroup v2, cgroup v1, or the hybrid of both.
 *
 * The layout is read at run time from the mount table: every mounted
 * hierarchy (v1 controllers, v1 named hierarchies such as name=systemd, the
 * v2 unified one), and the caller's own cgroup in each.  A container gets a
 * cgroup of the same relative path in every hierarchy, so that its
 * processes are accounted and contained everywhere, and its cgroup
 * namespace shows its own cgroup as the root of each.
 *
 * As root the path is PARENT/ID under each hierarchy's root (PARENT
 * "isolate" unless given); without root it is below the caller's own
 * cgroup, where a delegated hierarchy lets the user make one. */
#ifndef ISOLATE_CGROUP_H
#define ISOLATE_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct iso_cgroup_hier {
	char *mount;            /* where it is mounted: /sys/fs/cgroup/memory */
	char *name;             /* the mount point's last component: "memory" */
	char *controllers;      /* v1: "cpu,cpuacct", "name=systemd"; v2: NULL */
	char *own;              /* the caller's cgroup in it: "/", "/a/b" */
	bool v2;
};

struct iso_cgroup_layout {
	struct iso_cgroup_hier *h;
	size_t n;
	bool unified;           /* pure cgroup v2: the controllers are in v2 */
};

/* From the text of /proc/self/mountinfo and /proc/self/cgroup. */
int iso_cgroup_layout_parse(const char *mountinfo, const char *proc_cgroup,
			    struct iso_cgroup_layout *out, struct iso_error *err);
void iso_cgroup_layout_free(struct iso_cgroup_layout *l);

/* This host's layout, read once per process. */
const struct iso_cgroup_layout *iso_cgroup_layout_host(struct iso_error *err);

/* The hierarchy that holds CONTROLLER ("memory", "cpu", ...), or NULL.
 * On pure v2 it is the unified one for every controller. */
const struct iso_cgroup_hier *iso_cgroup_layout_find(const struct iso_cgroup_layout *l,
						     const char *controller);

struct iso_cgroup {
	const struct iso_cgroup_layout *layout;
	char **paths;           /* per hierarchy: the cgroup, relative to its mount */
	int *dirs;              /* per hierarchy: the cgroup made, or -1 */
	bool ignore_missing;    /* a limit the host cannot apply is a warning */
	bool any;               /* a cgroup was made in some hierarchy */
};

/* --cgroup-parent: no "..", no control characters (the state's record is
 * one line per hierarchy). */
int iso_cgroup_parent_check(const char *parent, struct iso_error *err);

/* Fills CG's paths for the container ID: PARENT/ID (PARENT "isolate" when
 * NULL) under each hierarchy's root as root, under the caller's cgroup
 * without.  Nothing is made yet. */
int iso_cgroup_plan(struct iso_cgroup *cg, const struct iso_cgroup_layout *l,
		    const char *parent, const char *id, bool as_root, struct iso_error *err);

/* The same for an exact PATH ("/a/b", or "a/b": the same) below each
 * hierarchy's root as root, below the caller's cgroup without. */
int iso_cgroup_plan_path(struct iso_cgroup *cg, const struct iso_cgroup_layout *l,
			 const char *path, bool as_root, struct iso_error *err);

/* "MOUNT\tPATH" lines of the plan, for the state's record. */
char *iso_cgroup_record(const struct iso_cgroup *cg);

/* Makes the cgroups and applies R.  Where no cgroup can be made
 * (no permission, no such hierarchy) a limit that needs it is an error
 * naming the controller, or with IGNORE_MISSING a warning.  On failure
 * whatever was made is removed. */
int iso_cgroup_create(struct iso_cgroup *cg, const struct iso_resources *r,
		      bool ignore_missing, struct iso_error *err);

/* The container's cgroup in the v2 hierarchy, for clone3's
 * CLONE_INTO_CGROUP, or -1. */
int iso_cgroup_v2_dir(const struct iso_cgroup *cg);

/* Moves PID into the container's cgroups; with V2_PLACED the v2 one is
 * skipped, the process having been cloned into it. */
int iso_cgroup_enter(const struct iso_cgroup *cg, pid_t pid, bool v2_placed,
		     struct iso_error *err);

/* How many times the OOM killer killed a process of the cgroup. */
uint64_t iso_cgroup_oom_kills(const struct iso_cgroup *cg);

/* Usage in the same units on v1 and v2; -1 where the host does not
 * account it. */
struct iso_cgroup_stats {
	int64_t cpu_usage_ns;
	int64_t memory_current;
	int64_t memory_peak;
	int64_t pids_current;
	int64_t io_read_bytes;
	int64_t io_write_bytes;
};

void iso_cgroup_stats(const struct iso_cgroup *cg, struct iso_cgroup_stats *st);

/* Kills what is left in the cgroups (cgroup.kill on v2, else freeze and
 * SIGKILL each process), removes them, and frees CG. */
void iso_cgroup_destroy(struct iso_cgroup *cg);

/* The same from a record (iso_cgroup_record), for the container ID whose
 * runtime died.  Only cgroups named ID, on a cgroup filesystem, are
 * touched. */
void iso_cgroup_destroy_record(const char *record, const char *id);

/* A container's cgroups again, from its record (iso_cgroup_record) in
 * another process: those of the record that still exist are opened, in
 * the host's layout.  Only cgroups whose last component is NAME are. */
int iso_cgroup_open_record(struct iso_cgroup *cg, const char *record, const char *name,
			   struct iso_error *err);

/* Closes what iso_cgroup_open_record opened, leaving the cgroups. */
void iso_cgroup_close(struct iso_cgroup *cg);

/* Freezes (FREEZE) or thaws every process of the cgroup: the v1 freezer
 * where the host has one, else cgroup v2's cgroup.freeze; returns once the
 * kernel says it is done. */
int iso_cgroup_freeze(const struct iso_cgroup *cg, bool freeze, struct iso_error *err);
bool iso_cgroup_frozen(const struct iso_cgroup *cg);

/* The processes in the cgroup and those below it (host pids), malloc'd. */
int iso_cgroup_pids(const struct iso_cgroup *cg, pid_t **pids, size_t *n, struct iso_error *err);

/* Removes the cgroups opened that are empty (rmdir only: nothing is
 * killed), for a record that may name a cgroup this runtime never made. */
void iso_cgroup_remove_empty(const struct iso_cgroup *cg);

/* Writes R's limits (those set) into the cgroups made: runc update. */
int iso_cgroup_update(struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err);

/* In the container: the cgroup filesystem at DEST under the root STAGE
 * (cgroup2, or a tmpfs of the v1 hierarchies), read-only unless WRITABLE.
 * In a cgroup namespace of its own (OWN_NS) each shows the container's
 * cgroup as its root; without, copies of the host's hierarchies. */
int iso_cgroup_mount(int stage, const char *dest, bool writable, bool own_ns,
		     struct iso_error *err);

#endif
