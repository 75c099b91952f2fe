/* exec of the command inside the container, searching $PATH of the
 * container's environment (not the runtime's), with docker's statuses. */
#ifndef ISOLATE_EXEC_H
#define ISOLATE_EXEC_H

#include "error.h"

/* Returns only on failure: err says why, with status 127 when the command
 * was not found and 126 when it was found but cannot be executed. */
int iso_exec(char *const *argv, char *const *envp, struct iso_error *err);

/* Finds CMD as iso_exec would (an executable regular file) without
 * executing it: *FOUND, malloc'd.  Fails as iso_exec would. */
int iso_exec_lookup(const char *cmd, char *const *envp, char **found, struct iso_error *err);

#endif
