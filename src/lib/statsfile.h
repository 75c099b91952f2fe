/* --stats-file: a container's cgroup usage as a small JSON object, the
 * file replaced whole (rename) so that a reader never sees half of it.
 * Its directory is opened up front: the runtime later works in a mount
 * namespace of its own, where the user's path may not lead there. */
#ifndef ISOLATE_STATSFILE_H
#define ISOLATE_STATSFILE_H

#include "cgroup.h"
#include "error.h"

struct iso_statsfile {
	int dir;                /* -1: no stats file */
	char *name;
	char *path;             /* as given, for messages */
};

int iso_statsfile_open(struct iso_statsfile *sf, const char *path, struct iso_error *err);
void iso_statsfile_close(struct iso_statsfile *sf);

/* The JSON text (malloc'd): {"cpu_usage_ns": N, "memory_current": N,
 * "memory_peak": N, "pids_current": N, "io_read_bytes": N,
 * "io_write_bytes": N}, null where the host does not account it. */
char *iso_statsfile_json(const struct iso_cgroup_stats *st);

int iso_statsfile_write(const struct iso_statsfile *sf, const struct iso_cgroup_stats *st,
			struct iso_error *err);

#endif
