/* User namespace id mappings: parsing --uidmap/--gidmap, the default range
 * from /etc/subuid and /etc/subgid, and writing /proc/PID/{uid,gid}_map. */
#ifndef ISOLATE_IDMAP_H
#define ISOLATE_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* The range used when /etc/subuid has none for user "isolate". */
#define ISO_DEFAULT_SUBID_START 100000u
#define ISO_DEFAULT_SUBID_COUNT 65536u
#define ISO_SUBID_USER "isolate"

/* Parses "CONTAINER:HOST:SIZE". */
int iso_idmap_parse(const char *s, struct iso_idmap *out, struct iso_error *err);

/* At least one range, no empty range, no range past 2^32, and no two
 * ranges overlapping on either side (the kernel refuses those). */
int iso_idmap_validate(const struct iso_idmap *maps, size_t n, struct iso_error *err);

/* Translates a container id to the host; -1 when it is not mapped. */
int iso_idmap_to_host(const struct iso_idmap *maps, size_t n, uint32_t id, uint32_t *host);

/* Looks up the first range of NAME (or of the numeric id UID) in a subid
 * file in /etc/subuid format.  Returns 0 and fills start/count when found,
 * 1 when the file or the entry is missing, -1 on a malformed line. */
int iso_subid_lookup(const char *path, const char *name, uid_t uid,
		     uint32_t *start, uint32_t *count, struct iso_error *err);

/* Fills the spec's mappings with isolate's default: container 0..65535 onto
 * the range of user "isolate" in /etc/subuid and /etc/subgid, else onto
 * 100000:65536.  Mappings already given are left alone; a gid map left
 * empty copies the uid map, as podman does. */
int iso_idmap_fill_defaults(struct iso_spec *spec, const char *subuid_path,
			    const char *subgid_path, struct iso_error *err);

/* The rootless default: container root is the calling user (UID, GID),
 * and container ids 1.. take the user's range in the subid files when it
 * has one (by NAME or by number). */
int iso_idmap_fill_rootless(struct iso_spec *spec, uid_t uid, gid_t gid, const char *name,
			    const char *subuid_path, const char *subgid_path,
			    struct iso_error *err);

/* Writes the maps of process PID as a privileged writer. */
int iso_idmap_write(pid_t pid, const struct iso_spec *spec, struct iso_error *err);

/* Writes the maps of process PID as the unprivileged user UID/GID: a map
 * of only the user's own id is written directly (setgroups denied first,
 * as the kernel requires); any other goes through the setuid helpers
 * newuidmap and newgidmap, which check it against /etc/subuid and
 * /etc/subgid. */
int iso_idmap_write_rootless(pid_t pid, const struct iso_spec *spec, uid_t uid, gid_t gid,
			     struct iso_error *err);

/* True when the maps are just "0 UID 1" and "0 GID 1". */
bool iso_idmap_is_single(const struct iso_spec *spec, uid_t uid, gid_t gid);

#endif
