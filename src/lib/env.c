#include "env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t key_len(const char *entry)
{
	return strcspn(entry, "=");
}

static ssize_t env_find(char *const *env, const char *key, size_t klen)
{
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (key_len(env[i]) == klen && strncmp(env[i], key, klen) == 0)
			return (ssize_t)i;
	return -1;
}

const char *iso_env_get(char *const *env, const char *key)
{
	ssize_t i = env_find(env, key, strlen(key));

	if (i < 0 || env[i][strlen(key)] != '=')
		return NULL;
	return env[i] + strlen(key) + 1;
}

static void env_set(char ***env, const char *entry)
{
	ssize_t i = env_find(*env, entry, key_len(entry));

	if (i < 0) {
		strv_push(env, entry);
	} else {
		free((*env)[i]);
		(*env)[i] = xstrdup(entry);
	}
}

char **iso_env_build(char *const *user_env, const char *hostname, const char *home,
		     bool terminal)
{
	char **env = xcalloc(1, sizeof(char *));

	strv_push(&env, "PATH=" ISO_DEFAULT_PATH);
	if (hostname != NULL)
		strv_push_owned(&env, xasprintf("HOSTNAME=%s", hostname));
	if (terminal)
		strv_push(&env, "TERM=xterm");
	strv_push_owned(&env, xasprintf("HOME=%s", home ? home : "/"));
	for (size_t i = 0; user_env != NULL && user_env[i] != NULL; i++)
		env_set(&env, user_env[i]);
	return env;
}

int iso_env_parse_arg(const char *arg, char *const *host_env, char **out, struct iso_error *err)
{
	size_t klen = key_len(arg);
	const char *value;

	*out = NULL;
	if (klen == 0)
		return iso_error_set(err, 0, "invalid environment variable %s: empty name", arg);
	if (arg[klen] == '=') {
		*out = xstrdup(arg);
		return 0;
	}
	value = iso_env_get(host_env, arg);
	if (value != NULL)
		*out = xasprintf("%s=%s", arg, value);
	return 0;
}

int iso_env_parse_file(const char *path, char *const *host_env, char ***env, struct iso_error *err)
{
	cleanup_file FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;

	if (f == NULL)
		return iso_error_set(err, errno, "open env file %s", path);
	while (getline(&line, &cap, f) >= 0) {
		char *p = line, *entry;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		p += strspn(p, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		if (iso_env_parse_arg(p, host_env, &entry, err) < 0)
			return iso_error_prefix(err, "%s:%u", path, lineno);
		if (entry != NULL)
			strv_push_owned(env, entry);
	}
	if (ferror(f))
		return iso_error_set(err, errno, "read env file %s", path);
	return 0;
}
