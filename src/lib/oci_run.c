/* isolate-oci run: create and start, then (unless detached) stay the
 * container's parent: signals passed on, the terminal relayed when no one
 * else takes it, the exit status returned and the container deleted, as
 * runc run does. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "oci.h"
#include "relay.h"
#include "signals.h"
#include "util.h"

struct attached {
	pid_t pid;
	int sigfd;
	bool reaped;
	int wstatus;
	struct iso_relay relay;
	struct iso_tty_state tty;
};

static void reap(struct attached *a, int options)
{
	if (!a->reaped && waitpid(a->pid, &a->wstatus, options) == a->pid)
		a->reaped = true;
}

static void handle_signals(struct attached *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(a, WNOHANG);
		else if (si.ssi_signo == SIGWINCH && a->relay.pty >= 0)
			iso_tty_copy_winsize(STDIN_FILENO, a->relay.pty);
		else
			kill(a->pid, (int)si.ssi_signo);
	}
}

static void wait_loop(struct attached *a)
{
	while (!a->reaped) {
		struct pollfd fds[1 + ISO_RELAY_MAX_FDS];
		nfds_t n = a->relay.pty >= 0 ? iso_relay_poll_fds(&a->relay, fds + 1) : 0;

		fds[0] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
		if (poll(fds, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			handle_signals(a);
		if (n > 0)
			iso_relay_handle(&a->relay, fds + 1, n);
	}
	reap(a, 0);
	if (a->relay.pty >= 0)
		iso_relay_drain(&a->relay);
}

static int attach_pty(struct attached *a, int pty, struct iso_error *err)
{
	if (pty < 0)
		return 0;
	iso_relay_init(&a->relay, pty, true);
	if (isatty(STDIN_FILENO)) {
		iso_tty_copy_winsize(STDIN_FILENO, pty);
		return iso_tty_make_raw(STDIN_FILENO, &a->tty, err);
	}
	return 0;
}

static int run_attached(struct iso_spec *spec, const struct iso_oci_create_opts *o, int *status,
			struct iso_error *err)
{
	struct attached a = { .sigfd = -1, .relay = { .pty = -1 } };
	struct iso_oci_create_opts opts = *o;
	struct iso_error ignored;
	int pty = -1, r = -1;
	sigset_t set, saved;

	iso_signals_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &saved) < 0)
		return iso_error_set(err, errno, "block signals");
	a.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a.sigfd < 0) {
		iso_error_set(err, errno, "signalfd");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	/* what the container leaves behind when its first process ends is
	 * reaped here, not by init */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (spec->process.terminal && o->console_socket == NULL)
		opts.pty_out = &pty;
	if (iso_oci_create(spec, &opts, &a.pid, err) < 0)
		goto out;
	if (attach_pty(&a, pty, err) < 0 || iso_oci_start(o->root, o->id, err) < 0) {
		iso_oci_delete(o->root, o->id, true, &ignored);
		goto out;
	}
	wait_loop(&a);
	iso_tty_restore(&a.tty);
	*status = WIFSIGNALED(a.wstatus) ? 128 + WTERMSIG(a.wstatus) : WEXITSTATUS(a.wstatus);
	r = iso_oci_delete(o->root, o->id, true, err);
out:
	iso_tty_restore(&a.tty);
	if (a.relay.pty >= 0)
		close(a.relay.pty);
	else if (pty >= 0)
		close(pty);
	if (a.sigfd >= 0)
		close(a.sigfd);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

int iso_oci_run(struct iso_spec *spec, const struct iso_oci_create_opts *o, bool detach,
		int *status, struct iso_error *err)
{
	struct iso_error ignored;
	pid_t pid;

	*status = 0;
	if (!detach)
		return run_attached(spec, o, status, err);
	if (spec->process.terminal && o->console_socket == NULL)
		return iso_error_set(err, 0, "a detached container with a terminal needs --console-socket");
	if (iso_oci_create(spec, o, &pid, err) < 0)
		return -1;
	if (iso_oci_start(o->root, o->id, err) < 0) {
		iso_oci_delete(o->root, o->id, true, &ignored);
		return -1;
	}
	return 0;
}
