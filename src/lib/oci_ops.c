/* isolate-oci's commands on an existing container: start, kill, delete,
 * pause and resume, ps, update. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "jsonutil.h"
#include "log.h"
#include "oci.h"
#include "oci_int.h"
#include "ocispec.h"
#include "util.h"

static int wrong_status(const struct iso_oci_container *c, const char *what, struct iso_error *err)
{
	return iso_error_set_status(err, 1, 0, "cannot %s container %s: it is %s", what, c->id,
				    iso_oci_status_name(c->status));
}

/* The hooks of KIND from the container's config.json copy. */
static int run_hooks(const struct iso_oci_container *c, enum iso_hook_kind kind, struct iso_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_free char *state = NULL;
	struct iso_spec *spec = NULL;
	int r;

	if (read_file_at(c->dirfd, "config.json", &text, NULL, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		iso_error_clear(err);
		return 0;
	}
	if (iso_oci_spec_parse(text, strlen(text), "config.json", c->bundle, &spec, err) < 0)
		return -1;
	if (spec->hooks.n[kind] == 0) {
		iso_spec_free(spec);
		return 0;
	}
	/* from the bundle, as runc runs them */
	if (c->bundle != NULL && chdir(c->bundle) < 0)
		iso_log(ISO_LOG_DEBUG, "chdir to the bundle %s: %s", c->bundle, strerror(errno));
	state = iso_oci_container_json(c, false);
	r = iso_hooks_run(spec->hooks.list[kind], spec->hooks.n[kind], state,
			  iso_hook_kind_name(kind), err);
	iso_spec_free(spec);
	return r;
}

/* A hook of poststart or poststop failing is a warning (runtime.md). */
static void run_hooks_warn(const struct iso_oci_container *c, enum iso_hook_kind kind)
{
	struct iso_error err;

	if (run_hooks(c, kind, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
}

/* Opening the fifo to read lets the container's blocked open for writing
 * go on: it writes "0", runs its startContainer hooks and execs, which
 * closes the fifo: end-of-file here means the command was executed (or
 * the process is gone); "E" that it failed before. */
static int open_exec_fifo(struct iso_oci_container *c, struct iso_error *err)
{
	cleanup_close int fifo = openat(c->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	bool connected = false;
	char byte;

	if (fifo < 0)
		return iso_error_set(err, errno, "open the exec fifo of %s", c->id);
	if (unlinkat(c->dirfd, "exec.fifo", 0) < 0)
		return iso_error_set(err, errno, "remove the exec fifo of %s", c->id);
	for (;;) {
		struct pollfd p = { .fd = fifo, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return iso_error_set(err, errno, "poll the exec fifo of %s", c->id);
		n = read(fifo, &byte, 1);
		if (n == 1 && byte == '0')
			connected = true;
		else if (n == 1)
			return iso_error_set(err, 0, "container %s: its process failed to start "
					     "(a startContainer hook, or the exec)", c->id);
		/* end-of-file before the process opened it: not there yet */
		else if (n == 0 && connected)
			return 0;
		if (!connected && !iso_oci_alive(c))
			return iso_error_set(err, 0, "container %s: its process exited before it started",
					     c->id);
	}
}

int iso_oci_start(const char *root, const char *id, struct iso_error *err)
{
	struct iso_oci_container c;
	int r;

	if (iso_oci_load(root, id, LOCK_EX, &c, err) < 0)
		return -1;
	if (c.status != ISO_OCI_CREATED) {
		r = wrong_status(&c, "start", err);
		iso_oci_unload(&c);
		return r;
	}
	r = open_exec_fifo(&c, err);
	if (r == 0) {
		c.status = ISO_OCI_RUNNING;
		run_hooks_warn(&c, ISO_HOOK_POSTSTART);
	}
	iso_oci_unload(&c);
	return r;
}

static int open_cgroup(const struct iso_oci_container *c, struct iso_cgroup *cg, struct iso_error *err)
{
	if (c->cgroup_record == NULL)
		return iso_error_set(err, 0, "container %s has no cgroup", c->id);
	return iso_cgroup_open_record(cg, c->cgroup_record, c->cgroup_name, err);
}

/* Every process of the container, below its cgroup too: frozen while
 * they are listed and signalled, so that none forks past the list; a
 * SIGKILL ends a paused container as well (it takes effect at the thaw). */
static int kill_all(const struct iso_oci_container *c, int sig, struct iso_error *err)
{
	bool paused = c->status == ISO_OCI_PAUSED;
	struct iso_cgroup cg;
	struct iso_error ignored;
	pid_t *pids = NULL;
	size_t n = 0;
	bool frozen;
	int r;

	if (open_cgroup(c, &cg, err) < 0)
		return -1;
	frozen = paused || iso_cgroup_freeze(&cg, true, &ignored) == 0;
	r = iso_cgroup_pids(&cg, &pids, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = iso_error_set(err, errno, "kill %d", (int)pids[i]);
	if (frozen && (!paused || sig == SIGKILL) && iso_cgroup_freeze(&cg, false, &ignored) < 0 && r == 0)
		r = iso_error_set(err, 0, "%s", ignored.msg);
	free(pids);
	iso_cgroup_close(&cg);
	return r;
}

/* pidfd, checked to be the recorded process once open: the signal cannot
 * reach a later process given the same pid. */
static int signal_first(const struct iso_oci_container *c, int sig, struct iso_error *err)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);

	if (pidfd < 0 || !iso_oci_alive(c))
		return iso_error_set_status(err, 1, pidfd < 0 ? errno : 0,
					    "container %s is not running", c->id);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return iso_error_set(err, errno, "send signal %d to %s", sig, c->id);
	return 0;
}

int iso_oci_kill(const char *root, const char *id, int sig, bool all, struct iso_error *err)
{
	struct iso_oci_container c;
	int r;

	if (iso_oci_load(root, id, 0, &c, err) < 0)
		return -1;
	if (c.status == ISO_OCI_STOPPED || c.status == ISO_OCI_CREATING)
		r = iso_error_set_status(err, 1, 0, "container %s is not running", id);
	else if (all && c.cgroup_record != NULL)
		r = kill_all(&c, sig, err);
	else
		r = signal_first(&c, sig, err);
	iso_oci_unload(&c);
	return r;
}

static void wait_gone(const struct iso_oci_container *c)
{
	for (int i = 0; i < 2000 && c->pid > 0 && iso_oci_alive(c); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
}

/* The cgroups (what is left in them killed) and the first process; a
 * paused container's are killed and thawed first, or they would not die.
 * A record of cgroups create never made (it was killed in between) may
 * name someone else's: those are only removed if empty. */
static void destroy(struct iso_oci_container *c, bool kill_first)
{
	struct iso_cgroup cg;
	struct iso_error err;

	if (kill_first && c->status == ISO_OCI_PAUSED && kill_all(c, SIGKILL, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
	if (kill_first && c->pid > 0 && c->status != ISO_OCI_STOPPED)
		signal_first(c, SIGKILL, &err);
	if (c->cgroup_record != NULL &&
	    iso_cgroup_open_record(&cg, c->cgroup_record, c->cgroup_name, &err) == 0) {
		if (c->cgroup_made) {
			iso_cgroup_destroy(&cg);
		} else {
			iso_cgroup_remove_empty(&cg);
			iso_cgroup_close(&cg);
		}
	}
	if (kill_first && c->status != ISO_OCI_STOPPED)
		wait_gone(c);
}

int iso_oci_delete(const char *root, const char *id, bool force, struct iso_error *err)
{
	struct iso_oci_container c;

	if (iso_oci_load(root, id, LOCK_EX, &c, err) < 0) {
		/* runc: --force on a container that does not exist is fine */
		if (force && err->status == 1 && iso_oci_check_id(id, err) == 0) {
			iso_error_clear(err);
			return 0;
		}
		return -1;
	}
	if (c.status != ISO_OCI_STOPPED && !force) {
		int r = wrong_status(&c, "delete", err);

		iso_oci_unload(&c);
		return r;
	}
	destroy(&c, c.status != ISO_OCI_STOPPED);
	c.status = ISO_OCI_STOPPED;
	run_hooks_warn(&c, ISO_HOOK_POSTSTOP);
	iso_oci_remove_dir(root, id);
	iso_oci_unload(&c);
	return 0;
}

int iso_oci_pause(const char *root, const char *id, bool pause, struct iso_error *err)
{
	struct iso_oci_container c;
	struct iso_cgroup cg;
	int r;

	if (iso_oci_load(root, id, LOCK_EX, &c, err) < 0)
		return -1;
	if (c.status != (pause ? ISO_OCI_RUNNING : ISO_OCI_PAUSED) &&
	    !(pause && c.status == ISO_OCI_CREATED)) {
		r = pause ? wrong_status(&c, "pause", err)
			  : iso_error_set_status(err, 1, 0, "container %s is not paused", id);
	} else {
		r = open_cgroup(&c, &cg, err);
		if (r == 0) {
			r = iso_cgroup_freeze(&cg, pause, err);
			iso_cgroup_close(&cg);
		}
	}
	iso_oci_unload(&c);
	return r;
}

int iso_oci_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct iso_error *err)
{
	struct iso_oci_container c;
	struct iso_cgroup cg;
	int r;

	*pids = NULL;
	*n = 0;
	if (iso_oci_load(root, id, 0, &c, err) < 0)
		return -1;
	if (c.status == ISO_OCI_STOPPED) {
		iso_oci_unload(&c);
		return 0;
	}
	if (c.cgroup_record == NULL) {
		*pids = xcalloc(1, sizeof(pid_t));
		(*pids)[0] = c.pid;
		*n = 1;
		iso_oci_unload(&c);
		return 0;
	}
	r = open_cgroup(&c, &cg, err);
	if (r == 0) {
		r = iso_cgroup_pids(&cg, pids, n, err);
		iso_cgroup_close(&cg);
	}
	iso_oci_unload(&c);
	return r;
}

int iso_oci_update(const char *root, const char *id, const struct iso_resources *res,
		   struct iso_error *err)
{
	struct iso_oci_container c;
	struct iso_cgroup cg;
	int r;

	if (iso_oci_load(root, id, LOCK_EX, &c, err) < 0)
		return -1;
	if (c.status == ISO_OCI_STOPPED || c.status == ISO_OCI_CREATING) {
		r = wrong_status(&c, "update", err);
	} else {
		r = open_cgroup(&c, &cg, err);
		if (r == 0) {
			r = iso_cgroup_update(&cg, res, err);
			iso_cgroup_close(&cg);
		}
	}
	iso_oci_unload(&c);
	return r;
}
