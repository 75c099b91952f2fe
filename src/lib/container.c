#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "console.h"
#include "idmap.h"
#include "log.h"
#include "overlay.h"
#include "proclimits.h"
#include "process.h"
#include "resources.h"
#include "relay.h"
#include "rootfs.h"
#include "signals.h"
#include "state.h"
#include "statsfile.h"
#include "sync.h"
#include "util.h"

struct run {
	struct iso_spec *spec;
	const struct iso_run_opts *opts;
	struct iso_netsetup net;
	bool state_made;
	bool upper_made;         /* an image's writable layer, to remove */
	bool private_ns;         /* in a mount namespace of its own (M0) */
	bool privileged;        /* host root: the parent builds the tree */
	struct iso_rootfs rootfs;
	struct iso_cgroup cg;
	bool v2_placed;         /* cloned straight into its v2 cgroup */
	uint64_t oom_kills;
	struct iso_statsfile stats;
	int sync;               /* the parent's end of the sync channel */
	int sigfd;
	pid_t pid;
	bool reaped;
	int wstatus;
	struct iso_relay relay; /* -t: the container's pty master, and its relay */
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
	if (run->sigfd < 0) {
		iso_error_set(err, errno, "signalfd");
		sigprocmask(SIG_SETMASK, &run->saved_mask, NULL);
		return -1;
	}
	/* a reader of our output going away must not kill us mid-relay */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* The parent's share of the setup, while the child waits: id maps, then
 * (as host root) the filesystem tree, then the go-ahead.  Without root the
 * child builds the tree itself, with no idmapping. */
static int prepare_child(struct run *run, struct iso_error *err)
{
	cleanup_close int userns = -1;

	if (iso_cgroup_enter(&run->cg, run->pid, run->v2_placed, err) < 0 ||
	    iso_proclimits_apply(run->pid, &run->spec->process, err) < 0)
		return -1;
	if (!run->privileged) {
		if (iso_idmap_write_rootless(run->pid, run->spec, geteuid(), getegid(), err) < 0)
			return -1;
		return iso_sync_send(run->sync, ISO_SYNC_GO, NULL, -1, err);
	}
	if (iso_spec_has_userns(run->spec)) {
		if (iso_idmap_write(run->pid, run->spec, err) < 0)
			return -1;
		userns = iso_open_userns(run->pid, err);
		if (userns < 0)
			return -1;
	}
	if (iso_netsetup_attach(&run->net, run->pid, err) < 0)
		return -1;
	if (iso_rootfs_build(&run->rootfs, userns, err) < 0)
		return -1;
	return iso_sync_send(run->sync, ISO_SYNC_GO, NULL, -1, err);
}

static int accept_pty(struct run *run, int master, struct iso_error *err)
{
	iso_relay_init(&run->relay, master, run->spec->process.stdin_open);
	iso_tty_copy_winsize(isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO, master);
	if (run->spec->process.stdin_open && iso_tty_make_raw(STDIN_FILENO, &run->tty, err) < 0)
		return -1;
	return iso_sync_send(run->sync, ISO_SYNC_PTY_ACK, NULL, -1, err);
}

static void reap_child(struct run *run, int options)
{
	if (!run->reaped && waitpid(run->pid, &run->wstatus, options) == run->pid)
		run->reaped = true;
}

/* During the setup a signal cannot be passed on to a command not yet
 * executed; one that asks to stop ends the run (the child is killed). */
static int signal_during_setup(struct run *run, struct iso_error *err)
{
	struct signalfd_siginfo si;

	while (read(run->sigfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD)
			reap_child(run, WNOHANG);
		else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
			return iso_error_set_status(err, 128 + sig, 0,
						    "interrupted by SIG%s during the container's setup",
						    sigabbrev_np(sig));
	}
	return 0;
}

/* Reads the sync channel until the child execs (end-of-file) or reports
 * a failure, which becomes ours. */
static int wait_for_exec(struct run *run, struct iso_error *err)
{
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = run->sync, .events = POLLIN },
			{ .fd = run->sigfd, .events = POLLIN },
		};
		struct iso_sync_msg msg;
		int fd, r;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return iso_error_set(err, errno, "poll the sync channel");
		}
		if (fds[1].revents && signal_during_setup(run, err) < 0)
			return -1;
		if (fds[0].revents == 0)
			continue;
		r = iso_sync_recv(run->sync, &msg, &fd, err);
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

static void handle_signal(struct run *run)
{
	struct signalfd_siginfo si;

	while (read(run->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_child(run, WNOHANG);
		else if (si.ssi_signo == SIGWINCH && run->relay.pty >= 0)
			iso_tty_copy_winsize(isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO,
					     run->relay.pty);
		/* isolate has no "stop" of its own yet: a SIGTERM to the runtime
		 * (what stopping it sends) reaches the container as the image's
		 * StopSignal, as docker stop would send it */
		else if (si.ssi_signo == SIGTERM && run->opts->stop_signal > 0)
			kill(run->pid, run->opts->stop_signal);
		else
			kill(run->pid, (int)si.ssi_signo);
		if (run->reaped)
			return;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --stats-file: written when due, every second however busy the relay. */
static int stats_tick(struct run *run, int64_t *due)
{
	struct iso_cgroup_stats st;
	struct iso_error err;
	int64_t now = now_ms();

	if (run->stats.dir < 0)
		return -1;
	if (now < *due)
		return (int)(*due - now);
	*due = now + 1000;
	iso_cgroup_stats(&run->cg, &st);
	if (iso_statsfile_write(&run->stats, &st, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
	return 1000;
}

static void wait_loop(struct run *run)
{
	struct iso_relay *relay = &run->relay;
	int64_t due = 0;

	while (!run->reaped) {
		struct pollfd fds[1 + ISO_RELAY_MAX_FDS];
		nfds_t n = iso_relay_poll_fds(relay, fds + 1);
		int timeout = stats_tick(run, &due);

		fds[0] = (struct pollfd){ .fd = run->sigfd, .events = POLLIN };
		if (poll(fds, n + 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			handle_signal(run);
		iso_relay_handle(relay, fds + 1, n);
	}
	reap_child(run, 0);
	iso_relay_drain(relay);
}

static int shell_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/* The image is in use from here on, for rmi and the store's gc. */
static int record_image(struct run *run, struct iso_error *err)
{
	if (run->opts->image == NULL)
		return 0;
	return iso_state_write(run->opts->id, "image", run->opts->image, err);
}

/* The caller kept the gc away with IMAGE_LOCK until the image was
 * recorded in a state that stays (not one a retry removes). */
static void release_image_lock(struct run *run)
{
	if (run->opts->image_lock != NULL && *run->opts->image_lock >= 0) {
		close(*run->opts->image_lock);
		*run->opts->image_lock = -1;
	}
}

/* Under the state lock: what crashed runs left is reclaimed, this one's
 * state made, and its network readied. */
static int try_make_state(struct run *run, struct iso_error *err)
{
	int lock = iso_state_lock(err), r = -1;

	if (lock < 0)
		return -1;
	iso_state_sweep(iso_container_reclaim);
	if (iso_state_create(run->opts->id, run->opts->name, err) == 0) {
		run->state_made = true;
		r = record_image(run, err);
		if (r == 0)
			r = iso_netsetup_prepare(&run->net, run->spec, err);
	}
	close(lock);
	return r;
}

/* The address this run needs may still be held by a container that just
 * ended, its release (a few ms) under way: wait for it, a few seconds at
 * most, rather than fail. */
static int make_state(struct run *run, struct iso_error *err)
{
	for (int tries = 0; ; tries++) {
		if (try_make_state(run, err) == 0) {
			release_image_lock(run);
			return 0;
		}
		if (err->errnum != EAGAIN || tries == 600)
			return -1;
		iso_netsetup_release(&run->net, true);
		iso_state_remove(run->opts->id);
		run->state_made = false;
		iso_netsetup_init(&run->net, run->opts->net, run->opts->id);
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	}
}

/* With its start time: a later process with the same pid is not it. */
static int record_pid(struct run *run, struct iso_error *err)
{
	struct iso_owner child;
	char text[64];

	if (iso_owner_of(run->pid, &child) < 0)
		return iso_error_set(err, errno, "read /proc/%d/stat", (int)run->pid);
	snprintf(text, sizeof(text), "%d %llu\n", (int)child.pid, child.start);
	return iso_state_write(run->opts->id, "pid", text, err);
}

void iso_container_reclaim(const char *id)
{
	cleanup_free char *record = iso_state_read(id, "cgroup");
	cleanup_free char *upper = iso_state_read(id, "upper");
	struct iso_error err;

	if (record != NULL)
		iso_cgroup_destroy_record(record, id);
	iso_netsetup_reclaim(id);
	if (upper != NULL && iso_overlay_remove_upper(upper, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
}

/* An image's writable layer: recorded before it is made, like the
 * cgroup, so that a killed run's is removed by the next sweep. */
static int make_upper(struct run *run, struct iso_error *err)
{
	const char *upper = run->spec->root.upper;

	if (upper == NULL)
		return 0;
	if (iso_state_write(run->opts->id, "upper", upper, err) < 0)
		return -1;
	run->upper_made = true;
	if (iso_overlay_make_upper(upper, err) < 0)
		return -1;
	return run->opts->fill_root ? run->opts->fill_root(run->opts->fill_ctx, upper, err) : 0;
}

/* The overlay is only mounted in this process's private namespace (and
 * the container's, gone with it): detached, its upper layer can go. */
static void remove_upper(struct run *run)
{
	struct iso_error err;

	if (!run->upper_made)
		return;
	/* only this process's private namespace: before it has one, /tmp is
	 * the host's */
	if (run->private_ns && umount2(ISO_WORK_DIR, MNT_DETACH) < 0)
		iso_log(ISO_LOG_WARN, "unmount %s: %s", ISO_WORK_DIR, strerror(errno));
	if (iso_overlay_remove_upper(run->spec->root.upper, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
}

/* Recorded before it is made, so that a runtime killed at any point
 * leaves a record the next one reclaims by. */
static int make_cgroup(struct run *run, struct iso_error *err)
{
	const struct iso_cgroup_layout *l = NULL;
	cleanup_free char *record = NULL;

	/* without root and with nothing to limit or count, no cgroup is
	 * tried: the user's hierarchies are seldom delegated */
	if (!run->privileged && !iso_resources_any(&run->spec->linux_.resources) &&
	    run->stats.dir < 0)
		return 0;
	l = iso_cgroup_layout_host(err);
	if (l == NULL || iso_cgroup_plan(&run->cg, l, run->spec->linux_.cgroups_path,
					 run->opts->id, run->privileged, err) < 0)
		return -1;
	record = iso_cgroup_record(&run->cg);
	if (iso_state_write(run->opts->id, "cgroup", record, err) < 0)
		return -1;
	return iso_cgroup_create(&run->cg, &run->spec->linux_.resources,
				 run->opts->ignore_missing_limits, err);
}

/* The filter is compiled here, from the run directory's cache, so that
 * the container's first process only loads it. */
static int compile_seccomp(struct run *run, struct iso_error *err)
{
	cleanup_free char *cache = NULL;

	if (run->spec->linux_.seccomp == NULL)
		return 0;
	cache = xasprintf("%s/seccomp", iso_run_dir());
	return iso_seccomp_compile(run->spec->linux_.seccomp, cache, err);
}

static int start(struct run *run, struct iso_error *err)
{
	int fds[2];

	if (block_signals(run, err) < 0)
		return -1;
	if (!run->privileged && !iso_spec_has_userns(run->spec))
		return iso_error_set(err, 0, "--userns host needs root: without root, isolate works in a user namespace");
	if (make_state(run, err) < 0 || make_cgroup(run, err) < 0 || make_upper(run, err) < 0 ||
	    compile_seccomp(run, err) < 0 || iso_netsetup_join(&run->net, err) < 0)
		return -1;
	iso_netsetup_report_ports(&run->net);
	if (run->privileged && run->net.leased)
		run->net.host_mntns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (run->privileged) {
		if (iso_rootfs_enter_private_ns(err) < 0)
			return -1;
		run->private_ns = true;
		if (iso_rootfs_open(&run->rootfs, run->spec, true, err) < 0)
			return -1;
	}
	if (iso_sync_open(fds, err) < 0)
		return -1;
	run->pid = iso_clone_container(run->spec, iso_cgroup_v2_dir(&run->cg), &run->v2_placed);
	if (run->pid < 0) {
		iso_error_set(err, errno, "clone the container process");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (run->pid == 0) {
		close(fds[0]);
		iso_child_main(run->spec, fds[1], !run->privileged, NULL);
	}
	close(fds[1]);
	run->sync = fds[0];
	/* Nothing of the runtime's may be reached from a container that can
	 * see it (--pid host): not dumpable, its /proc/PID/exe and fds are
	 * closed to all but root of the host (CVE-2019-5736).  Set after the
	 * clone, so that the child keeps its own /proc files for the maps. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_DUMPABLE");
	if (record_pid(run, err) < 0)
		return -1;
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
	/* the user's terminal first: emptying the cgroups may take a moment */
	iso_tty_restore(&run->tty);
	if (run->cg.any) {
		int64_t due = 0;

		run->oom_kills = iso_cgroup_oom_kills(&run->cg);
		if (!failed)
			stats_tick(run, &due);
	}
	iso_cgroup_destroy(&run->cg);
	iso_statsfile_close(&run->stats);
	iso_rootfs_close(&run->rootfs);
	remove_upper(run);
	if (run->relay.pty >= 0)
		close(run->relay.pty);
	if (run->sync >= 0)
		close(run->sync);
	iso_netsetup_release(&run->net, failed);
	if (run->state_made && run->net.state_handed_over)
		iso_state_release_name(run->opts->id);
	else if (run->state_made)
		iso_state_remove(run->opts->id);
	if (run->sigfd >= 0) {
		close(run->sigfd);
		sigprocmask(SIG_SETMASK, &run->saved_mask, NULL);
	}
}

int iso_container_run(struct iso_spec *spec, const struct iso_run_opts *opts,
		      struct iso_run_result *result, struct iso_error *err)
{
	struct run run = {
		.spec = spec, .opts = opts, .privileged = geteuid() == 0,
		.sync = -1, .sigfd = -1, .pid = -1, .relay = { .pty = -1 },
		.stats = { .dir = -1 },
	};

	iso_netsetup_init(&run.net, opts->net, opts->id);
	if (iso_spec_validate(spec, err) < 0)
		return -1;
	if (opts->stats_file != NULL && iso_statsfile_open(&run.stats, opts->stats_file, err) < 0)
		return -1;
	if (start(&run, err) < 0) {
		finish(&run, true);
		return -1;
	}
	wait_loop(&run);
	result->exit_status = shell_status(run.wstatus);
	finish(&run, false);
	result->oom_kills = run.oom_kills;
	return 0;
}
