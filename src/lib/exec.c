#include "exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "util.h"

static int exec_failed(const char *cmd, int errnum, struct iso_error *err)
{
	int status = (errnum == ENOENT || errnum == ENOTDIR) ? ISO_EXIT_NOT_FOUND
							       : ISO_EXIT_CANNOT_EXEC;

	return iso_error_set_status(err, status, errnum, "exec %s", cmd);
}

int iso_exec(char *const *argv, char *const *envp, struct iso_error *err)
{
	const char *cmd = argv[0];
	const char *path = iso_env_get(envp, "PATH");
	int first_denial = 0;

	if (cmd[0] == '\0')
		return exec_failed(cmd, ENOENT, err);
	if (strchr(cmd, '/') != NULL) {
		execve(cmd, argv, envp);
		return exec_failed(cmd, errno, err);
	}
	if (path == NULL)
		path = ISO_DEFAULT_PATH;
	/* As execvp: try each directory; remember that one refused us, so a
	 * found-but-not-executable command says so instead of "not found". */
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		cleanup_free char *full = xasprintf("%.*s%s%s", (int)(end - p), p,
						    end == p ? "" : "/", cmd);

		execve(full, argv, envp);
		if (errno == EACCES && first_denial == 0)
			first_denial = EACCES;
		else if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
			return exec_failed(cmd, errno, err);
		if (*end == '\0')
			break;
		p = end;
	}
	if (first_denial != 0)
		return exec_failed(cmd, first_denial, err);
	return iso_error_set_status(err, ISO_EXIT_NOT_FOUND, 0,
				    "exec %s: executable file not found in $PATH", cmd);
}

int iso_exec_lookup(const char *cmd, char *const *envp, char **found, struct iso_error *err)
{
	const char *path = iso_env_get(envp, "PATH");
	int first_denial = 0;

	*found = NULL;
	if (cmd[0] == '\0')
		return exec_failed(cmd, ENOENT, err);
	if (strchr(cmd, '/') != NULL) {
		if (access(cmd, X_OK) < 0)
			return exec_failed(cmd, errno, err);
		*found = xstrdup(cmd);
		return 0;
	}
	for (const char *p = path ? path : ISO_DEFAULT_PATH;; p++) {
		const char *end = strchrnul(p, ':');
		char *full = xasprintf("%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", cmd);
		struct stat st;

		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
			*found = full;
			return 0;
		}
		if (errno == EACCES && first_denial == 0)
			first_denial = EACCES;
		free(full);
		if (*end == '\0')
			break;
		p = end;
	}
	if (first_denial != 0)
		return exec_failed(cmd, first_denial, err);
	return iso_error_set_status(err, ISO_EXIT_NOT_FOUND, 0,
				    "exec %s: executable file not found in $PATH", cmd);
}
