/* The command's environment: docker's defaults (PATH, HOSTNAME, HOME, TERM
 * with -t) overridden and extended by -e and --env-file. */
#ifndef ISOLATE_ENV_H
#define ISOLATE_ENV_H

#include <stdbool.h>

#include "error.h"

#define ISO_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Builds the final environment; USER_ENV entries (KEY=VALUE) win over the
 * defaults and keep their order. */
char **iso_env_build(char *const *user_env, const char *hostname, const char *home,
		     bool terminal);

/* The value of KEY in ENV, or NULL. */
const char *iso_env_get(char *const *env, const char *key);

/* One -e argument: "KEY=VALUE" as is; "KEY" takes the value from HOST_ENV,
 * and is dropped (returns 0 with *out NULL) when the host has none. */
int iso_env_parse_arg(const char *arg, char *const *host_env, char **out, struct iso_error *err);

/* An --env-file: one -e argument per line; blank lines and lines starting
 * with '#' are skipped. Appends to *env. */
int iso_env_parse_file(const char *path, char *const *host_env, char ***env, struct iso_error *err);

#endif
