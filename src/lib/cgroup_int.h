/* Shared by the cgroup files only. */
#ifndef ISOLATE_CGROUP_INT_H
#define ISOLATE_CGROUP_INT_H

#include <stdbool.h>

#include "cgroup.h"

/* A cgroup file: VALUE written in one write(2), or read whole (NULL on
 * any failure, errno set). */
int iso_cg_write(int dir, const char *file, const char *value);
char *iso_cg_read(int dir, const char *file);

/* ITEM in a list separated by commas, spaces or newlines. */
bool iso_cg_list_has(const char *list, const char *item);

/* Applies R to the cgroups made; see cgroup_limits.c. */
int iso_cg_apply(struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err);

/* linux.resources.devices (cgroup_devices.c); nothing without rules. */
int iso_cg_apply_devices(const struct iso_cgroup *cg, const struct iso_resources *r,
			 struct iso_error *err);

/* The index of the hierarchy that holds CONTROLLER, or -1. */
int iso_cg_index(const struct iso_cgroup *cg, const char *controller);

#endif
