/* OCI mount options ("ro", "nosuid", "rbind", "rprivate", "idmap",
 * "mode=755", ...) sorted into what the new mount API takes: mount
 * attributes, propagation, bind/idmap choices, and filesystem parameters. */
#ifndef ISOLATE_MNTOPT_H
#define ISOLATE_MNTOPT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct iso_mntopts {
	uint64_t attr_set;      /* MOUNT_ATTR_* to set */
	uint64_t attr_clr;      /* MOUNT_ATTR_* to clear */
	uint64_t propagation;   /* MS_PRIVATE, MS_SHARED, ... or 0 */
	bool recursive;         /* rbind, or an r* propagation */
	bool bind;
	bool idmap;             /* idmap or ridmap */
	char **data;            /* filesystem parameters: key=value or flag */
};

int iso_mntopts_parse(char *const *options, struct iso_mntopts *out, struct iso_error *err);
void iso_mntopts_free(struct iso_mntopts *o);

#endif
