/* isolate-oci's containers: the OCI runtime lifecycle (runtime-spec
 * runtime.md) over the library's spec, process and cgroup code.
 *
 * A container's state lives in ROOT/ID/ (ROOT is runc's --root): state.json
 * (what `state` reports, plus its cgroups' record), config.json (the copy
 * `exec` reads), and exec.fifo while it is "created": its first process is
 * set up and blocks opening that fifo for writing; `start` opens it to read,
 * which lets it exec.  Every command on ID holds an flock on ROOT/ID, so
 * concurrent commands on one container are serialised. */
#ifndef ISOLATE_OCI_H
#define ISOLATE_OCI_H

#include <stdbool.h>
#include <sys/file.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

#define ISO_OCI_VERSION "1.2.0"

enum iso_oci_status {
	ISO_OCI_CREATING,
	ISO_OCI_CREATED,
	ISO_OCI_RUNNING,
	ISO_OCI_PAUSED,
	ISO_OCI_STOPPED,
};

const char *iso_oci_status_name(enum iso_oci_status s);

/* A container as its state directory has it, locked while loaded. */
struct iso_oci_container {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;          /* RFC 3339, UTC, with nanoseconds */
	char *owner;            /* the creator's user name */
	char *annotations_json; /* an object, or NULL */
	char *oci_version;
	char *cgroup_record;    /* iso_cgroup_record's, or NULL */
	char *cgroup_name;      /* its last component */
	bool cgroup_made;       /* create made them (not only recorded the plan) */
	pid_t pid;              /* 0 until the first process exists */
	unsigned long long pid_start;
	bool setup_done;        /* create finished */
	int dirfd;              /* ROOT/ID, flock'd */
	enum iso_oci_status status;
};

/* ROOT: --root, else /run/isolate-oci, or $XDG_RUNTIME_DIR/isolate-oci
 * without root. */
const char *iso_oci_default_root(void);

/* runc's rule: letters, digits, '_', '+', '-', '.', not starting with '.'. */
int iso_oci_check_id(const char *id, struct iso_error *err);

/* Loads ID's state under ROOT, with LOCK (LOCK_EX to change it, LOCK_SH,
 * or 0 to only read it: state.json is replaced whole), and works out its
 * status.  A missing container is an error saying so (status 1). */
int iso_oci_load(const char *root, const char *id, int lock,
		 struct iso_oci_container *c, struct iso_error *err);
void iso_oci_unload(struct iso_oci_container *c);

/* Its first process is alive: the one recorded (its start time), and
 * not a zombie. */
bool iso_oci_alive(const struct iso_oci_container *c);

/* Writes C's state.json (atomically). */
int iso_oci_save(const struct iso_oci_container *c, struct iso_error *err);

/* The state JSON of the runtime spec (hooks' stdin; RUNC_FIELDS: runc's
 * `state` output, with rootfs, created and owner); malloc'd. */
char *iso_oci_container_json(const struct iso_oci_container *c, bool runc_fields);

/* The ids under ROOT, sorted; NULL-terminated. */
char **iso_oci_list(const char *root, struct iso_error *err);

struct iso_oci_create_opts {
	const char *root;
	const char *id;
	const char *bundle;             /* absolute */
	const char *config_text;        /* config.json as read, kept for exec */
	const char *pid_file;           /* or NULL */
	const char *console_socket;     /* or NULL */
	bool no_new_keyring;
	bool systemd_cgroup;            /* cgroupsPath is "slice:prefix:name" */
	int *pty_out;                   /* with a terminal and no console socket:
					 * the pty master, for the caller to relay */
};

/* create: the container's first process set up and waiting for start. */
int iso_oci_create(struct iso_spec *spec, const struct iso_oci_create_opts *o, pid_t *pid,
		   struct iso_error *err);

/* run: create and start; unless DETACH, wait for the command (its
 * status in *STATUS, 128+N for signal N), passing signals on and relaying
 * the terminal when there is no console socket, then delete. */
int iso_oci_run(struct iso_spec *spec, const struct iso_oci_create_opts *o, bool detach,
		int *status, struct iso_error *err);

struct iso_oci_exec_opts {
	const char *root;
	const char *id;
	struct iso_process *process;    /* taken (left zeroed) */
	const char *console_socket;
	const char *pid_file;
	bool detach;
};

/* exec: PROCESS in the container; unless DETACH, waited for (its status
 * in *STATUS). */
int iso_oci_exec(const struct iso_oci_exec_opts *o, int *status, struct iso_error *err);

/* The process of the container's config.json, for exec's flags to
 * change. */
int iso_oci_exec_base_process(const char *root, const char *id, struct iso_process *out,
			      struct iso_error *err);

/* start: lets a created container exec its command; poststart hooks. */
int iso_oci_start(const char *root, const char *id, struct iso_error *err);

/* kill: SIG to the first process, or with ALL to every process of the
 * container's cgroup. */
int iso_oci_kill(const char *root, const char *id, int sig, bool all, struct iso_error *err);

/* delete: a stopped container's cgroups and state go, poststop hooks run;
 * with FORCE a created or running one is killed first. */
int iso_oci_delete(const char *root, const char *id, bool force, struct iso_error *err);

/* pause / resume with the cgroup freezer. */
int iso_oci_pause(const char *root, const char *id, bool pause, struct iso_error *err);

/* The container's processes (host pids). */
int iso_oci_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct iso_error *err);

/* update: new limits for a created, running or paused container. */
int iso_oci_update(const char *root, const char *id, const struct iso_resources *r,
		   struct iso_error *err);

/* The container's cgroup path for cgroupsPath P (NULL: the default),
 * with runc's systemd "slice:prefix:name" form understood. */
char *iso_oci_cgroup_path(const char *p, const char *id, bool systemd, struct iso_error *err);

#endif
