#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signals.h"
#include "util.h"

static const char *const kind_names[ISO_HOOK_KINDS] = {
	[ISO_HOOK_PRESTART] = "prestart",
	[ISO_HOOK_CREATE_RUNTIME] = "createRuntime",
	[ISO_HOOK_CREATE_CONTAINER] = "createContainer",
	[ISO_HOOK_START_CONTAINER] = "startContainer",
	[ISO_HOOK_POSTSTART] = "poststart",
	[ISO_HOOK_POSTSTOP] = "poststop",
};

const char *iso_hook_kind_name(enum iso_hook_kind kind)
{
	return (unsigned int)kind < ISO_HOOK_KINDS ? kind_names[kind] : NULL;
}

/* Without a pidfd, how often the hook's end is looked for. */
#define POLL_FALLBACK_MS 10

/* One hook being run: the child, and what is left to write to it. */
struct hook_run {
	const struct iso_hook *hook;
	const char *kind;
	pid_t pid;
	int pidfd;              /* -1: the kernel has none, poll by waitpid */
	int in_fd;              /* our end of the hook's stdin; -1 once closed */
	const char *data;
	size_t len, off;
	int status;             /* waitpid's, once reaped */
	bool gone;              /* reaped by someone else: its pid may be reused */
};

/* The child, between fork and exec: only async-signal-safe calls.  An
 * exec failure's errno goes to the parent through ERRFD, which the exec
 * would have closed (CLOEXEC) had it worked. */
static void __attribute__((noreturn)) exec_hook(const char *path, char *const argv[],
						char *const envp[], int stdin_fd, int errfd)
{
	int e;

	/* dup2 onto itself would keep CLOEXEC: fd 0 was free when the pipe
	 * was made */
	if (stdin_fd == STDIN_FILENO) {
		if (fcntl(STDIN_FILENO, F_SETFD, 0) < 0)
			goto fail;
	} else if (dup2(stdin_fd, STDIN_FILENO) < 0) {
		goto fail;
	}
	/* the runtime may block SIGCHLD or SIGTERM, or ignore SIGPIPE; a hook
	 * must not start with that */
	if (iso_signals_reset() < 0)
		goto fail;
	execve(path, argv, envp);
fail:
	e = errno;
	/* nothing more can be done if this fails: the parent sees EOF */
	if (write(errfd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		_exit(127);
	_exit(127);
}

static int wait_pid(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

/* Forks the hook; once this returns 0 it has exec'd, and R->in_fd is the
 * write end of its stdin. */
static int spawn(struct hook_run *r, struct iso_error *err)
{
	const struct iso_hook *h = r->hook;
	char *default_argv[] = { h->path, NULL };
	char *empty_env[] = { NULL };
	char *const *argv = h->args != NULL && h->args[0] != NULL ? h->args : default_argv;
	char *const *envp = h->env != NULL ? h->env : empty_env;
	int in[2], errp[2], child_errno = 0;
	ssize_t n;

	if (pipe2(in, O_CLOEXEC) < 0)
		return iso_error_set(err, errno, "%s hook %s: pipe", r->kind, h->path);
	if (pipe2(errp, O_CLOEXEC) < 0) {
		iso_error_set(err, errno, "%s hook %s: pipe", r->kind, h->path);
		close(in[0]);
		close(in[1]);
		return -1;
	}
	r->pid = fork();
	if (r->pid == 0)
		exec_hook(h->path, argv, envp, in[0], errp[1]);
	if (r->pid < 0)
		iso_error_set(err, errno, "%s hook %s: fork", r->kind, h->path);
	close(in[0]);
	close(errp[1]);
	if (r->pid < 0) {
		close(in[1]);
		close(errp[0]);
		return -1;
	}
	do
		n = read(errp[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (n == 0) {
		r->in_fd = in[1];
		return 0;
	}
	close(in[1]);
	wait_pid(r->pid, &r->status);
	if (n != (ssize_t)sizeof(child_errno))
		return iso_error_set(err, n < 0 ? errno : 0, "%s hook %s: exec: no word from the child",
				     r->kind, h->path);
	return iso_error_set(err, child_errno, "%s hook %s: exec", r->kind, h->path);
}

static void close_input(struct hook_run *r)
{
	if (r->in_fd >= 0)
		close(r->in_fd);
	r->in_fd = -1;
}

/* Writes what the pipe takes now; the input is closed once all of it is
 * written, or when the hook stopped reading (EPIPE: SIGPIPE is blocked). */
static void feed(struct hook_run *r)
{
	while (r->off < r->len) {
		ssize_t n = write(r->in_fd, r->data + r->off, r->len - r->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		r->off += (size_t)n;
	}
	close_input(r);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the hook has ended (and is reaped): by its pidfd, or without
 * one by asking. */
static int reap_if_done(struct hook_run *r, bool pidfd_ready, bool *done)
{
	pid_t w;

	if (r->pidfd >= 0 && !pidfd_ready)
		return 0;
	do
		w = waitpid(r->pid, &r->status, r->pidfd >= 0 ? 0 : WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		r->gone = errno == ECHILD;
		return -1;
	}
	*done = w == r->pid;
	return 0;
}

/* Feeds the hook its stdin and waits for its end, or for the deadline.
 * Returns 1 when the deadline passed (the hook is still running). */
static int feed_and_wait(struct hook_run *r, struct iso_error *err)
{
	int64_t deadline = r->hook->timeout > 0 ? now_ms() + (int64_t)r->hook->timeout * 1000 : -1;
	bool done = false;

	if (r->len == 0)
		close_input(r);
	else if (fcntl(r->in_fd, F_SETFL, O_NONBLOCK) < 0)
		return iso_error_set(err, errno, "%s hook %s: stdin", r->kind, r->hook->path);
	for (;;) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		int pidfd_at = -1, in_at = -1, wait_ms = -1, n;

		if (reap_if_done(r, false, &done) < 0)
			return iso_error_set(err, errno, "%s hook %s: wait", r->kind, r->hook->path);
		if (done)
			return 0;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return 1;
			wait_ms = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		if (r->pidfd < 0 && (wait_ms < 0 || wait_ms > POLL_FALLBACK_MS))
			wait_ms = POLL_FALLBACK_MS;
		if (r->pidfd >= 0) {
			pidfd_at = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };
		}
		if (r->in_fd >= 0) {
			in_at = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = r->in_fd, .events = POLLOUT };
		}
		n = poll(fds, nfds, wait_ms);
		if (n < 0 && errno != EINTR)
			return iso_error_set(err, errno, "%s hook %s: poll", r->kind, r->hook->path);
		if (n <= 0)
			continue;
		if (in_at >= 0 && fds[in_at].revents != 0)
			feed(r);
		if (pidfd_at >= 0 && fds[pidfd_at].revents != 0) {
			if (reap_if_done(r, true, &done) < 0)
				return iso_error_set(err, errno, "%s hook %s: wait", r->kind,
						     r->hook->path);
			if (done)
				return 0;
		}
	}
}

static int report_status(const struct hook_run *r, struct iso_error *err)
{
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return 0;
	if (WIFEXITED(r->status))
		return iso_error_set(err, 0, "%s hook %s: exited with status %d", r->kind,
				     r->hook->path, WEXITSTATUS(r->status));
	if (WIFSIGNALED(r->status)) {
		const char *name = sigabbrev_np(WTERMSIG(r->status));

		if (name != NULL)
			return iso_error_set(err, 0, "%s hook %s: killed by SIG%s", r->kind,
					     r->hook->path, name);
		return iso_error_set(err, 0, "%s hook %s: killed by signal %d", r->kind,
				     r->hook->path, WTERMSIG(r->status));
	}
	return iso_error_set(err, 0, "%s hook %s: ended with wait status %#x", r->kind,
			     r->hook->path, (unsigned int)r->status);
}

/* The hook's run, with SIGPIPE blocked in this thread so that a hook that
 * does not read its stdin gives EPIPE rather than ending the runtime; a
 * SIGPIPE that this raised is taken back before the mask is restored. */
static int run_blocking_sigpipe(struct hook_run *r, struct iso_error *err)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int ret;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;

	ret = feed_and_wait(r, err);
	if (ret != 0 && !r->gone) {
		/* timed out, or the wait failed: the hook must not outlive us */
		kill(r->pid, SIGKILL);
		wait_pid(r->pid, &r->status);
	}
	close_input(r);

	if (!was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int iso_hook_run(const struct iso_hook *hook, const char *state_json, const char *kind_name,
		 struct iso_error *err)
{
	struct hook_run r = {
		.hook = hook,
		.kind = kind_name != NULL ? kind_name : "OCI",
		.pidfd = -1,
		.in_fd = -1,
		.data = state_json,
		.len = state_json != NULL ? strlen(state_json) : 0,
	};
	int ret;

	if (spawn(&r, err) < 0)
		return -1;
	/* a pidfd (always CLOEXEC) lets poll see the hook's end; without
	 * one (before Linux 5.3, or a seccomp filter refusing it) waitpid
	 * is asked every few milliseconds */
	r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	ret = run_blocking_sigpipe(&r, err);
	if (r.pidfd >= 0)
		close(r.pidfd);
	if (ret == 1)
		return iso_error_set(err, 0, "%s hook %s: timed out after %d s", r.kind,
				     hook->path, hook->timeout);
	if (ret < 0)
		return -1;
	return report_status(&r, err);
}

int iso_hooks_run(const struct iso_hook *hooks, size_t n, const char *state_json,
		  const char *kind_name, struct iso_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (iso_hook_run(&hooks[i], state_json, kind_name, err) < 0)
			return -1;
	return 0;
}
