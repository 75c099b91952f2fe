/* What isolate keeps on disk about running containers, and who owns it.
 *
 * Runtime state lives under the run directory (/run/isolate as root,
 * $XDG_RUNTIME_DIR/isolate without): containers/ID/ per container (the
 * owner, its pid, its name, its /etc/hosts and resolv.conf), names/NAME ->
 * ID, and a lock.  Persistent state (network definitions) lives under the
 * data directory (/var/lib/isolate, or $XDG_DATA_HOME/isolate).
 *
 * A container is owned by the isolate process that runs it.  When that
 * process dies without cleaning up (SIGKILL), the next isolate that takes
 * the lock finds the owner gone and reclaims what it held. */
#ifndef ISOLATE_STATE_H
#define ISOLATE_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define ISO_ID_LEN 12

const char *iso_run_dir(void);
const char *iso_data_dir(void);

/* Makes DIR and its missing parents, mode 0700 for new ones. */
int iso_mkdir_p(const char *dir, struct iso_error *err);

/* The run directory's lock, held until the fd is closed. */
int iso_state_lock(struct iso_error *err);

/* A process, told apart from a later one with the same pid by its start
 * time. */
struct iso_owner {
	pid_t pid;
	unsigned long long start;
};

int iso_owner_of(pid_t pid, struct iso_owner *owner);
bool iso_owner_alive(const struct iso_owner *owner);

/* Creates containers/ID owned by the caller and, with NAME, names/NAME.
 * A name held by a live container is an error (exit 125). */
int iso_state_create(const char *id, const char *name, struct iso_error *err);
/* "containers/ID/FILE", malloc'd. */
char *iso_state_path(const char *id, const char *file);
int iso_state_write(const char *id, const char *file, const char *text, struct iso_error *err);
/* Reads a state file; NULL when it is missing. */
char *iso_state_read(const char *id, const char *file);
void iso_state_remove(const char *id);
/* Gives the container's name back now, its state staying a while. */
void iso_state_release_name(const char *id);

/* Finds a running container by name, by id, or by pid as text; its pid. */
int iso_state_find(const char *name_or_id, pid_t *pid, char id[ISO_ID_LEN + 1],
		   struct iso_error *err);

/* With the lock held: whether a container is being released by a live
 * process (its state has a "releasing" file). */
bool iso_state_releasing(void);

/* With the lock held: FN for every container whose owner is alive and
 * that is not being released. */
void iso_state_for_each_running(void (*fn)(const char *id, void *ctx), void *ctx);

/* With the lock held: every container whose owner is gone is passed to
 * RELEASE, then its state is removed. */
void iso_state_sweep(void (*release)(const char *id));

#endif
