/* isolate-oci exec: another process in a running container, in every one
 * of its namespaces and its cgroups, with the container's seccomp filter
 * and a process of its own (runc exec's --process, or the config's with
 * the flags' changes). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "console.h"
#include "fdpass.h"
#include "oci.h"
#include "oci_int.h"
#include "ocispec.h"
#include "proclimits.h"
#include "process.h"
#include "relay.h"
#include "signals.h"
#include "sync.h"
#include "util.h"

/* In the order they are joined: the user namespace first, which gives
 * the capabilities the others ask for. */
static const struct {
	const char *name;
	int type;
} ns_kinds[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID },
};
#define N_KINDS (sizeof(ns_kinds) / sizeof(ns_kinds[0]))

struct exec {
	const struct iso_oci_exec_opts *o;
	struct iso_oci_container c;
	struct iso_spec *spec;
	struct iso_cgroup cg;
	int ns[N_KINDS];        /* the container's namespaces unlike ours, or -1 */
	int sync;
	pid_t pid;
	int pty;
	int sigfd;
	int console;            /* connected to --console-socket, or -1 */
	int listener;           /* connected to the seccomp listener, or -1 */
	sigset_t saved;
	bool blocked;
};

int iso_oci_exec_base_process(const char *root, const char *id, struct iso_process *out,
			      struct iso_error *err)
{
	struct iso_oci_container c;
	cleanup_free char *text = NULL;
	struct iso_spec *spec = NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (iso_oci_load(root, id, 0, &c, err) < 0)
		return -1;
	if (read_file_at(c.dirfd, "config.json", &text, NULL, err) == 0 &&
	    iso_oci_spec_parse(text, strlen(text), "config.json", c.bundle, &spec, err) == 0) {
		*out = spec->process;
		memset(&spec->process, 0, sizeof(spec->process));
		r = 0;
	}
	iso_spec_free(spec);
	iso_oci_unload(&c);
	return r;
}

static int open_namespaces(struct exec *e, struct iso_error *err)
{
	for (size_t i = 0; i < N_KINDS; i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)e->c.pid, ns_kinds[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_kinds[i].name);
		if (stat(theirs, &a) < 0)
			return iso_error_set(err, errno, "stat %s", theirs);
		if (stat(ours, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		e->ns[i] = open(theirs, O_RDONLY | O_CLOEXEC);
		if (e->ns[i] < 0)
			return iso_error_set(err, errno, "open %s", theirs);
	}
	return 0;
}

/* The container's config with the process to run in place of its own. */
static int make_spec(struct exec *e, struct iso_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_free char *cache = NULL;

	if (read_file_at(e->c.dirfd, "config.json", &text, NULL, err) < 0 ||
	    iso_oci_spec_parse(text, strlen(text), "config.json", e->c.bundle, &e->spec, err) < 0)
		return -1;
	iso_process_clear(&e->spec->process);
	e->spec->process = *e->o->process;
	memset(e->o->process, 0, sizeof(*e->o->process));
	e->spec->process.stdin_open = true;
	iso_oci_fix_ambient(&e->spec->process);
	if (e->spec->process.args == NULL || e->spec->process.args[0] == NULL)
		return iso_error_set(err, 0, "exec: no command to run");
	if (e->spec->process.cwd == NULL)
		e->spec->process.cwd = xstrdup("/");
	if (e->spec->linux_.seccomp == NULL)
		return 0;
	cache = xasprintf("%s/.seccomp", e->o->root);
	return iso_seccomp_compile(e->spec->linux_.seccomp, cache, err);
}

__attribute__((noreturn)) static void child(struct exec *e, int sync)
{
	struct iso_error err;

	for (size_t i = 0; i < N_KINDS; i++) {
		if (e->ns[i] < 0 || ns_kinds[i].type == CLONE_NEWPID)
			continue;
		if (setns(e->ns[i], ns_kinds[i].type) < 0) {
			iso_error_set(&err, errno, "join the container's %s namespace", ns_kinds[i].name);
			err.status = ISO_EXIT_RUNTIME;
			iso_sync_send(sync, ISO_SYNC_ERROR, &err, -1, &err);
			_exit(ISO_EXIT_RUNTIME);
		}
	}
	iso_child_exec_main(e->spec, sync, &(struct iso_child_oci){
		.exec_fifo = -1, .state_dir = -1, .seccomp_listener = e->listener,
	});
}

static int take_pty(struct exec *e, int master, struct iso_error *err)
{
	if (e->console >= 0) {
		int r = iso_oci_send_console(e->console, master, err);

		close(master);
		if (r < 0)
			return -1;
	} else {
		e->pty = master;
	}
	return iso_sync_send(e->sync, ISO_SYNC_PTY_ACK, NULL, -1, err);
}

static int wait_for_exec(struct exec *e, struct iso_error *err)
{
	for (;;) {
		struct iso_sync_msg msg;
		int fd, r = iso_sync_recv(e->sync, &msg, &fd, err);

		if (r <= 0)
			return r;
		if (msg.type == ISO_SYNC_ERROR) {
			*err = msg.error;
			return -1;
		}
		if (msg.type == ISO_SYNC_PTY && fd >= 0) {
			if (take_pty(e, fd, err) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		return iso_error_set(err, 0, "sync channel: unexpected message %u", msg.type);
	}
}

static int block_signals(struct exec *e, struct iso_error *err)
{
	sigset_t set;

	iso_signals_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &e->saved) < 0)
		return iso_error_set(err, errno, "block signals");
	e->blocked = true;
	e->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (e->sigfd < 0)
		return iso_error_set(err, errno, "signalfd");
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* With a seccomp listener, the message it gets with the exec'd process's
 * filter fd. */
static int send_go(struct exec *e, struct iso_error *err)
{
	cleanup_free char *state = NULL;
	cleanup_free char *msg = NULL;

	if (e->listener < 0)
		return iso_sync_send(e->sync, ISO_SYNC_GO, NULL, -1, err);
	state = iso_oci_container_json(&e->c, false);
	msg = iso_oci_listener_json(&e->c, e->pid, e->spec->linux_.seccomp->listener_metadata);
	return iso_oci_send_go(e->sync, state, msg, NULL, err);
}

static int spawn(struct exec *e, struct iso_error *err)
{
	int pidns = e->ns[N_KINDS - 1];
	cleanup_close int own = -1;
	int fds[2];

	/* born in the container's PID namespace; this process stays in its own */
	if (pidns >= 0) {
		own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own < 0 || setns(pidns, CLONE_NEWPID) < 0)
			return iso_error_set(err, errno, "join the container's pid namespace");
	}
	if (iso_sync_open(fds, err) < 0)
		return -1;
	/* the process is in the container before it execs: nothing of the
	 * runtime's may be reached through its /proc files (CVE-2019-5736) */
	if (geteuid() == 0 && prctl(PR_SET_DUMPABLE, 0) < 0) {
		close(fds[0]);
		close(fds[1]);
		return iso_error_set(err, errno, "prctl PR_SET_DUMPABLE");
	}
	e->pid = fork();
	if (e->pid == 0) {
		close(fds[0]);
		child(e, fds[1]);
	}
	close(fds[1]);
	e->sync = fds[0];
	if (own >= 0 && setns(own, CLONE_NEWPID) < 0)
		return iso_error_set(err, errno, "return to the runtime's pid namespace");
	if (e->pid < 0)
		return iso_error_set(err, errno, "fork the process to exec");
	if (iso_cgroup_enter(&e->cg, e->pid, false, err) < 0 ||
	    iso_proclimits_apply(e->pid, &e->spec->process, err) < 0 || send_go(e, err) < 0)
		return -1;
	return wait_for_exec(e, err);
}


static int setup(struct exec *e, struct iso_error *err)
{
	const struct iso_oci_exec_opts *o = e->o;

	if (iso_oci_load(o->root, o->id, LOCK_SH, &e->c, err) < 0)
		return -1;
	if (e->c.status != ISO_OCI_RUNNING && e->c.status != ISO_OCI_CREATED)
		return iso_error_set_status(err, 1, 0, "cannot exec in container %s: it is %s", o->id,
					    iso_oci_status_name(e->c.status));
	if (o->process->terminal && o->console_socket == NULL && o->detach)
		return iso_error_set(err, 0, "a detached exec with a terminal needs --console-socket");
	if (make_spec(e, err) < 0 || open_namespaces(e, err) < 0)
		return -1;
	/* the same process still: its namespaces, not a later one's */
	if (!iso_oci_alive(&e->c))
		return iso_error_set_status(err, 1, 0, "cannot exec in container %s: it is stopped", o->id);
	if (o->console_socket != NULL) {
		e->console = iso_oci_connect_console(o->console_socket, err);
		if (e->console < 0)
			return -1;
	}
	if (e->spec->linux_.seccomp != NULL && e->spec->linux_.seccomp->listener_path != NULL) {
		e->listener = iso_connect_unix(e->spec->linux_.seccomp->listener_path, err);
		if (e->listener < 0)
			return iso_error_prefix(err, "seccomp listener");
	}
	if (e->c.cgroup_record != NULL &&
	    iso_cgroup_open_record(&e->cg, e->c.cgroup_record, e->c.cgroup_name, err) < 0)
		return -1;
	if (!o->detach && block_signals(e, err) < 0)
		return -1;
	if (spawn(e, err) < 0)
		return -1;
	return o->pid_file ? iso_oci_write_pid_file(o->pid_file, e->pid, err) : 0;
}

static int wait_attached(struct exec *e, struct iso_error *err)
{
	struct iso_relay relay = { .pty = -1 };
	struct iso_tty_state tty = { 0 };
	int wstatus = 0;
	bool reaped = false;

	if (e->pty >= 0) {
		iso_relay_init(&relay, e->pty, true);
		e->pty = -1;
		if (isatty(STDIN_FILENO)) {
			iso_tty_copy_winsize(STDIN_FILENO, relay.pty);
			/* a terminal left cooked still relays */
			if (iso_tty_make_raw(STDIN_FILENO, &tty, err) < 0)
				iso_error_clear(err);
		}
	}
	while (!reaped) {
		struct pollfd fds[1 + ISO_RELAY_MAX_FDS];
		nfds_t n = relay.pty >= 0 ? iso_relay_poll_fds(&relay, fds + 1) : 0;
		struct signalfd_siginfo si;

		fds[0] = (struct pollfd){ .fd = e->sigfd, .events = POLLIN };
		if (poll(fds, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			/* nothing more can be relayed: wait for the process */
			waitpid(e->pid, &wstatus, 0);
			break;
		}
		while (fds[0].revents && read(e->sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH && relay.pty >= 0)
				iso_tty_copy_winsize(STDIN_FILENO, relay.pty);
			else if (si.ssi_signo != SIGCHLD)
				kill(e->pid, (int)si.ssi_signo);
		}
		if (waitpid(e->pid, &wstatus, WNOHANG) == e->pid)
			reaped = true;
		if (n > 0)
			iso_relay_handle(&relay, fds + 1, n);
	}
	if (relay.pty >= 0) {
		iso_relay_drain(&relay);
		close(relay.pty);
	}
	iso_tty_restore(&tty);
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

int iso_oci_exec(const struct iso_oci_exec_opts *o, int *status, struct iso_error *err)
{
	struct exec e = { .o = o, .c = { .dirfd = -1 }, .sync = -1, .pid = -1, .pty = -1, .sigfd = -1,
			 .console = -1, .listener = -1 };
	int r;

	for (size_t i = 0; i < N_KINDS; i++)
		e.ns[i] = -1;
	*status = 0;
	r = setup(&e, err);
	/* the container may be deleted while this process runs */
	iso_oci_unload(&e.c);
	if (r == 0 && !o->detach)
		*status = wait_attached(&e, err);
	if (r < 0 && e.pid > 0) {
		kill(e.pid, SIGKILL);
		waitpid(e.pid, NULL, 0);
	}
	for (size_t i = 0; i < N_KINDS; i++)
		if (e.ns[i] >= 0)
			close(e.ns[i]);
	if (e.pty >= 0)
		close(e.pty);
	if (e.sync >= 0)
		close(e.sync);
	if (e.sigfd >= 0)
		close(e.sigfd);
	if (e.console >= 0)
		close(e.console);
	if (e.listener >= 0)
		close(e.listener);
	if (e.blocked)
		sigprocmask(SIG_SETMASK, &e.saved, NULL);
	iso_cgroup_close(&e.cg);
	iso_spec_free(e.spec);
	return r < 0 || *status < 0 ? -1 : 0;
}
