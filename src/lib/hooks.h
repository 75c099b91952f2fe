/* OCI hooks (config.json "hooks"): programs the runtime runs at points of
 * a container's lifecycle, each given the container's state as JSON on
 * its stdin.  This file only runs them; which namespace they run in and
 * when is the caller's business (prestart, createRuntime, poststart and
 * poststop in the runtime's, createContainer and startContainer in the
 * container's). */
#ifndef ISOLATE_HOOKS_H
#define ISOLATE_HOOKS_H

#include <stddef.h>

#include "error.h"
#include "spec.h"

/* The name config.json gives the kind: "prestart", "createRuntime",
 * "createContainer", "startContainer", "poststart", "poststop"; NULL for
 * a value out of range. */
const char *iso_hook_kind_name(enum iso_hook_kind kind);

/* Runs one hook and waits for it: fork and execve(path, args, env), with
 * args NULL or empty meaning {path} and env NULL an empty environment;
 * STATE_JSON (or nothing, when NULL) is written to its stdin, which is
 * then closed; stdout and stderr are the caller's.  The hook starts with
 * every signal unblocked and at its default disposition, and none of the
 * caller's fds but 0, 1 and 2 (those the caller did not mark CLOEXEC
 * aside).  A hook that does not read its stdin, or exits before reading
 * all of it, is fine.
 *
 * Errors, KIND naming the hook's kind in them:
 *   "KIND hook PATH: exec: No such file or directory"
 *   "KIND hook PATH: exited with status N"
 *   "KIND hook PATH: killed by SIGSEGV"
 *   "KIND hook PATH: timed out after N s" (it was sent SIGKILL)
 *
 * The child is waited for by its pid: the caller must not reap children
 * it did not start (waitpid(-1) in a SIGCHLD handler, or SIGCHLD set to
 * SIG_IGN) while this runs. */
int iso_hook_run(const struct iso_hook *hook, const char *state_json, const char *kind_name,
		 struct iso_error *err);

/* Runs the N HOOKS in order, stopping at the first that fails (its error
 * is the result).  For poststop hooks, whose failures the spec wants
 * logged while the rest still run, call iso_hook_run for each instead. */
int iso_hooks_run(const struct iso_hook *hooks, size_t n, const char *state_json,
		  const char *kind_name, struct iso_error *err);

#endif
