/* Resolves "-u USER[:GROUP]" the way docker does, against the container's
 * own /etc/passwd and /etc/group (read after pivot_root, so they are the
 * rootfs's files and cannot point outside it). */
#ifndef ISOLATE_USERDB_H
#define ISOLATE_USERDB_H

#include <sys/types.h>

#include "error.h"

struct iso_resolved_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups;          /* supplementary groups, gid first */
	size_t n_groups;
	char *home;
};

/* SPEC is "name", "uid", "name:group", "uid:gid" (any mix), or NULL for
 * root.  PASSWD and GROUP are the files to read; either may be missing,
 * which is fine for numeric ids. */
int iso_user_resolve(const char *spec, const char *passwd, const char *group,
		     struct iso_resolved_user *out, struct iso_error *err);

void iso_resolved_user_free(struct iso_resolved_user *u);

#endif
