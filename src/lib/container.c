#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "idmap.h"
#include "process.h"
#include "rootfs.h"
#include "signals.h"
#include "sync.h"
#include "util.h"

struct run {
	const struct iso_spec *spec;
	bool privileged;        /* host root: the parent builds the tree */
	struct iso_rootfs rootfs;
	int sync;               /* the parent's end of the sync channel */
	int sigfd;
	pid_t pid;
	bool reaped;
	int wstatus;
	int pty;                /* master of the container's pty, or -1 */
	bool stdin_done;
	struct iso_tty_state tty;
	sigset_t saved_mask;
};

static int block_signals(struct run *run, struct iso_error *err)
{
	sigset_t set;

	iso_signals_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &run->saved_mask) < 0)
		return iso_error_set(err, errno, "block signals");
	run->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (run->sigfd < 0)
		return iso_error_set(err, errno, "signalfd");
	/* a reader of our output going away must not kill us mid-relay */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int open_userns(pid_t pid, struct iso_error *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	return fd;
}

/* The parent's share of the setup, while the child waits: id maps, then
 * (as host root) the filesystem tree, then the go-ahead.  Without root the
 * child builds the tree itself, with no idmapping. */
static int prepare_child(struct run *run, struct iso_error *err)
{
	cleanup_close int userns = -1;

	if (!run->privileged) {
		if (iso_idmap_write_rootless(run->pid, run->spec, geteuid(), getegid(), err) < 0)
			return -1;
		return iso_sync_send(run->sync, ISO_SYNC_GO, NULL, -1, err);
	}
	if (iso_spec_has_userns(run->spec)) {
		if (iso_idmap_write(run->pid, run->spec, err) < 0)
			return -1;
		userns = open_userns(run->pid, err);
		if (userns < 0)
			return -1;
	}
	if (iso_rootfs_build(&run->rootfs, userns, err) < 0)
		return -1;
	return iso_sync_send(run->sync, ISO_SYNC_GO, NULL, -1, err);
}

static int accept_pty(struct run *run, int master, struct iso_error *err)
{
	run->pty = master;
	iso_tty_copy_winsize(isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO, master);
	if (run->spec->process.stdin_open && iso_tty_make_raw(STDIN_FILENO, &run->tty, err) < 0)
		return -1;
	return iso_sync_send(run->sync, ISO_SYNC_PTY_ACK, NULL, -1, err);
}

/* Reads the sync channel until the child execs (end-of-file) or reports
 * a failure, which becomes ours. */
static int wait_for_exec(struct run *run, struct iso_error *err)
{
	for (;;) {
		struct iso_sync_msg msg;
		int fd, r = iso_sync_recv(run->sync, &msg, &fd, err);

		if (r <= 0)
			return r;
		if (msg.type == ISO_SYNC_ERROR) {
			*err = msg.error;
			return -1;
		}
		if (msg.type == ISO_SYNC_PTY && fd >= 0) {
			if (accept_pty(run, fd, err) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		return iso_error_set(err, 0, "sync channel: unexpected message %u", msg.type);
	}
}

static void reap_child(struct run *run, int options)
{
	if (!run->reaped && waitpid(run->pid, &run->wstatus, options) == run->pid)
		run->reaped = true;
}

static void handle_signal(struct run *run)
{
	struct signalfd_siginfo si;

	while (read(run->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_child(run, WNOHANG);
		else if (si.ssi_signo == SIGWINCH && run->pty >= 0)
			iso_tty_copy_winsize(isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO, run->pty);
		else
			kill(run->pid, (int)si.ssi_signo);
		if (run->reaped)
			return;
	}
}

/* Copies what is readable on FROM to TO; returns false at end of input. */
static bool relay(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	return write_all(to, buf, (size_t)n) == 0;
}

/* stdin hit end-of-file: tell the pty, so a reading command sees it too */
static void send_eof(struct run *run)
{
	struct termios t;
	char eof = 4;

	if (tcgetattr(run->pty, &t) == 0)
		eof = (char)t.c_cc[VEOF];
	(void)!write(run->pty, &eof, 1);
	run->stdin_done = true;
}

/* After the exit: what the command wrote just before it may still sit in
 * the pty; read it until the pty reports that every slave is closed. */
static void drain_pty(struct run *run)
{
	struct pollfd pfd = { .fd = run->pty, .events = POLLIN };

	while (poll(&pfd, 1, 100) > 0 && relay(run->pty, STDOUT_FILENO))
		;
}

static void wait_loop(struct run *run)
{
	bool pty_open = run->pty >= 0;
	bool want_stdin = pty_open && run->spec->process.stdin_open;

	while (!run->reaped) {
		struct pollfd fds[3];
		nfds_t n = 0;
		int i_pty = -1, i_in = -1;

		fds[n++] = (struct pollfd){ .fd = run->sigfd, .events = POLLIN };
		if (pty_open) {
			i_pty = (int)n;
			fds[n++] = (struct pollfd){ .fd = run->pty, .events = POLLIN };
		}
		if (want_stdin) {
			i_in = (int)n;
			fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			handle_signal(run);
		if (i_pty >= 0 && fds[i_pty].revents && !relay(run->pty, STDOUT_FILENO))
			pty_open = false;
		if (i_in >= 0 && fds[i_in].revents && !relay(STDIN_FILENO, run->pty)) {
			send_eof(run);
			want_stdin = false;
		}
	}
	reap_child(run, 0);
	if (pty_open)
		drain_pty(run);
}

static int shell_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

static int start(struct run *run, struct iso_error *err)
{
	int fds[2];

	if (block_signals(run, err) < 0)
		return -1;
	if (!run->privileged && !iso_spec_has_userns(run->spec))
		return iso_error_set(err, 0, "--userns host needs root: without root, isolate works in a user namespace");
	if (run->privileged && (iso_rootfs_enter_private_ns(err) < 0 ||
				iso_rootfs_open(&run->rootfs, run->spec, true, err) < 0))
		return -1;
	if (iso_sync_open(fds, err) < 0)
		return -1;
	run->pid = iso_clone((uint64_t)run->spec->linux_.new_namespaces);
	if (run->pid < 0) {
		iso_error_set(err, errno, "clone the container process");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (run->pid == 0) {
		close(fds[0]);
		iso_child_main(run->spec, fds[1], !run->privileged);
	}
	close(fds[1]);
	run->sync = fds[0];
	if (prepare_child(run, err) < 0 || wait_for_exec(run, err) < 0)
		return -1;
	return 0;
}

static void finish(struct run *run, bool failed)
{
	if (failed && run->pid > 0 && !run->reaped) {
		kill(run->pid, SIGKILL);
		reap_child(run, 0);
	}
	iso_tty_restore(&run->tty);
	iso_rootfs_close(&run->rootfs);
	if (run->pty >= 0)
		close(run->pty);
	if (run->sync >= 0)
		close(run->sync);
	if (run->sigfd >= 0) {
		close(run->sigfd);
		sigprocmask(SIG_SETMASK, &run->saved_mask, NULL);
	}
}

int iso_container_run(const struct iso_spec *spec, int *exit_status, struct iso_error *err)
{
	struct run run = {
		.spec = spec, .privileged = geteuid() == 0,
		.sync = -1, .sigfd = -1, .pid = -1, .pty = -1,
	};

	if (iso_spec_validate(spec, err) < 0)
		return -1;
	if (start(&run, err) < 0) {
		finish(&run, true);
		return -1;
	}
	wait_loop(&run);
	*exit_status = shell_status(run.wstatus);
	finish(&run, false);
	return 0;
}
