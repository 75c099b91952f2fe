#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "console.h"
#include "env.h"
#include "exec.h"
#include "fdpass.h"
#include "hooks.h"
#include "init.h"
#include "net.h"
#include "rootfs.h"
#include "signals.h"
#include "sync.h"
#include "sysctl.h"
#include "userdb.h"
#include "util.h"

/* keyctl(2)'s KEYCTL_JOIN_SESSION_KEYRING, without libkeyutils */
#define KEYCTL_JOIN_SESSION_KEYRING_ 1

pid_t iso_clone(uint64_t flags)
{
	struct clone_args args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

pid_t iso_clone_into_cgroup(uint64_t flags, int cgroup_fd)
{
	struct clone_args args = {
		.flags = flags | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

pid_t iso_clone_container(const struct iso_spec *spec, int v2_cgroup, bool *v2_placed)
{
	uint64_t flags = (uint64_t)spec->linux_.new_namespaces & ~(uint64_t)CLONE_NEWCGROUP;
	pid_t pid;

	*v2_placed = false;
	if (v2_cgroup >= 0) {
		pid = iso_clone_into_cgroup(flags, v2_cgroup);
		if (pid >= 0) {
			*v2_placed = true;
			return pid;
		}
	}
	return iso_clone(flags);
}

int iso_open_userns(pid_t pid, struct iso_error *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	return fd;
}

/* Made here, once the parent has moved this process into its cgroups:
 * a cgroup namespace is rooted where its maker stands. */
static int enter_cgroup_ns(const struct iso_spec *spec, struct iso_error *err)
{
	if (!(spec->linux_.new_namespaces & CLONE_NEWCGROUP))
		return 0;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return iso_error_set(err, errno, "unshare the cgroup namespace");
	return 0;
}

/* Right after the maps are written the process still has host root's
 * uid, which the map does not cover; it becomes the namespace's root so
 * that what it creates is owned by the container's root. */
static int become_namespace_root(const struct iso_spec *spec, struct iso_error *err)
{
	if (!iso_spec_has_userns(spec))
		return 0;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return iso_error_set(err, errno, "become root in the user namespace");
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return iso_error_set(err, errno, "drop the supplementary groups");
	return 0;
}

/* -t: a pty of the container's own; the master goes to the parent, which
 * sets the window size before the command can read it. */
static int setup_terminal(int sync, bool first, struct iso_error *err)
{
	cleanup_close int master = -1;
	cleanup_close int slave = -1;

	if (iso_console_open(&master, &slave, first, err) < 0 ||
	    iso_sync_send(sync, ISO_SYNC_PTY, NULL, master, err) < 0 ||
	    iso_sync_expect(sync, ISO_SYNC_PTY_ACK, err) < 0)
		return -1;
	return iso_console_attach(slave, err);
}

static int setup_stdio(const struct iso_spec *spec, int sync, bool first, struct iso_error *err)
{
	cleanup_close int null = -1;

	if (spec->process.terminal)
		return setup_terminal(sync, first, err);
	/* Without -t the stdio may be the user's terminal: a session of its
	 * own leaves the container without a controlling terminal, so it
	 * cannot push input into the user's shell (TIOCSTI) nor be stopped
	 * from the keyboard behind isolate's back. */
	if (setsid() < 0)
		return iso_error_set(err, errno, "setsid");
	if (spec->process.stdin_open)
		return 0;
	/* without -i the command reads nothing, as with docker */
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		return iso_error_set(err, errno, "open /dev/null");
	if (dup2(null, STDIN_FILENO) < 0)
		return iso_error_set(err, errno, "dup /dev/null onto stdin");
	return 0;
}

static int setup_uts(const struct iso_spec *spec, struct iso_error *err)
{
	const char *name = spec->hostname;
	const char *domain = spec->domainname;

	if (!(spec->linux_.new_namespaces & CLONE_NEWUTS))
		return 0;
	if (name != NULL && sethostname(name, strlen(name)) < 0)
		return iso_error_set(err, errno, "set hostname %s", name);
	if (domain != NULL && setdomainname(domain, strlen(domain)) < 0)
		return iso_error_set(err, errno, "set domainname %s", domain);
	return 0;
}

/* Creates the working directory when missing, as docker does; the path is
 * the container's, the root is already the container's own. */
static int make_workdir(const char *cwd, struct iso_error *err)
{
	cleanup_free char *path = path_normalize(cwd);
	struct stat st;

	if (path == NULL)
		return iso_error_set(err, 0, "working directory %s: \"..\" is not allowed", cwd);
	if (stat(path, &st) == 0)
		return 0;
	for (char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		if (p != NULL)
			*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return iso_error_set(err, errno, "create the working directory %s", cwd);
		if (p == NULL)
			return 0;
		*p = '/';
	}
}

/* A user namespace whose gid map an unprivileged user wrote has setgroups
 * denied for good: the command keeps no supplementary groups there. */
static bool setgroups_denied(void)
{
	cleanup_free char *state = NULL;
	struct iso_error ignored;

	if (read_file_at(AT_FDCWD, "/proc/self/setgroups", &state, NULL, &ignored) < 0)
		return false;
	return strncmp(state, "deny", 4) == 0;
}

/* OCI: numeric ids; the supplementary groups /etc/group gives the user
 * (as runc has it), then additionalGids. */
static int resolve_oci_user(const struct iso_spec *spec, struct iso_resolved_user *u,
			    struct iso_error *err)
{
	const struct iso_user *cu = &spec->process.user;
	cleanup_free char *ids = xasprintf("%u:%u", (unsigned)cu->uid, (unsigned)cu->gid);

	if (iso_user_resolve(ids, "/etc/passwd", "/etc/group", u, err) < 0)
		return -1;
	u->groups = xrealloc(u->groups, (u->n_groups + cu->n_additional_gids + 1) * sizeof(gid_t));
	for (size_t i = 0; i < cu->n_additional_gids; i++) {
		bool seen = false;

		for (size_t j = 0; j < u->n_groups; j++)
			seen = seen || u->groups[j] == cu->additional_gids[i];
		if (!seen)
			u->groups[u->n_groups++] = cu->additional_gids[i];
	}
	return 0;
}

static int resolve_user(const struct iso_spec *spec, struct iso_resolved_user *u,
			struct iso_error *err)
{
	if (spec->oci)
		return resolve_oci_user(spec, u, err);
	return iso_user_resolve(spec->process.user.spec, "/etc/passwd", "/etc/group", u, err);
}

/* OCI: the environment as given, HOME added when missing, as runc does. */
static char **build_env(const struct iso_spec *spec, const struct iso_resolved_user *u)
{
	char **env;

	if (!spec->oci)
		return iso_env_build(spec->process.env, spec->hostname, u->home, spec->process.terminal);
	env = strv_dup(spec->process.env ? spec->process.env : (char *[]){ NULL });
	if (iso_env_get(env, "HOME") == NULL)
		strv_push_owned(&env, xasprintf("HOME=%s", u->home));
	return env;
}

static int switch_user(const struct iso_resolved_user *u, struct iso_error *err)
{
	if (setgroups(u->n_groups, u->groups) < 0) {
		int saved = errno;

		if (!(saved == EPERM && setgroups_denied()))
			return iso_error_set(err, saved, "set the supplementary groups of uid %u",
					     (unsigned)u->uid);
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return iso_error_set(err, errno, "switch to gid %u (is it mapped in the user namespace?)",
				     (unsigned)u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return iso_error_set(err, errno, "switch to uid %u (is it mapped in the user namespace?)",
				     (unsigned)u->uid);
	return 0;
}

/* The bounding set is cut while the process is still root (it takes
 * CAP_SETPCAP); the change of user then empties the permitted and
 * effective sets of a user other than root, and what is left is set to
 * the spec's. */
static int become_user(const struct iso_spec *spec, const struct iso_resolved_user *u,
		       struct iso_error *err)
{
	const struct iso_process *p = &spec->process;

	/* OCI gives the sets for any user, as runc applies them: the change
	 * of user keeps the permitted set, which the spec's then trims */
	bool keep = spec->oci && p->has_caps && u->uid != 0;

	if (p->has_caps && iso_caps_drop_bounding(&p->caps, err) < 0)
		return -1;
	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_KEEPCAPS");
	if (switch_user(u, err) < 0)
		return -1;
	if (keep && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_KEEPCAPS");
	return p->has_caps ? iso_caps_apply(&p->caps, err) : 0;
}

/* --init with a terminal: the command leads its own process group, in
 * the foreground of the pty, so that ^C reaches it and not the init. */
static void take_terminal_foreground(void)
{
	sigset_t ttou, saved;

	/* a background group asking for the terminal gets SIGTTOU and stops */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &saved);
	if (setpgid(0, 0) == 0)
		tcsetpgrp(STDIN_FILENO, getpid());
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

static int exec_command(const struct iso_spec *spec, char **env, struct iso_error *err)
{
	if (spec->init) {
		pid_t pid = fork();

		if (pid < 0)
			return iso_error_set(err, errno, "fork the command under --init");
		if (pid > 0) {
			/* init needs nothing the runtime opened: not the
			 * sync channel, not a host directory's fd */
			syscall(SYS_close_range, 3, ~0U, 0);
			_exit(iso_init_wait(pid));
		}
		if (spec->process.terminal)
			take_terminal_foreground();
	}
	if (iso_signals_reset() < 0)
		return iso_error_set(err, errno, "reset the signal mask");
	return iso_exec(spec->process.args, env, err);
}

/* Without root the tree is built here, in the container's own mount
 * namespace: plain binds (no idmapping without host privilege), and no
 * locks needed, since the container's root is the user anyway. */
static int build_own_tree(const struct iso_spec *spec, struct iso_error *err)
{
	struct iso_rootfs rootfs = { 0 };
	int ret;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return iso_error_set(err, errno, "make / private");
	ret = iso_rootfs_open(&rootfs, spec, false, err);
	if (ret == 0)
		ret = iso_rootfs_build(&rootfs, -1, err);
	iso_rootfs_close(&rootfs);
	return ret;
}

/* The kernel forgets PR_SET_PDEATHSIG at every change of credentials, so
 * it is set once more after the last one; then the parent's end of the
 * sync channel tells whether the parent died in between. */
static int arm_parent_death(int sync, struct iso_error *err)
{
	struct pollfd pfd = { .fd = sync, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_PDEATHSIG");
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
		return iso_error_set(err, 0, "isolate exited during the container's setup");
	return 0;
}

/* OCI: a new session keyring named after the container (runc's
 * default), so that it does not share the caller's keys. */
static int join_keyring(const struct iso_child_oci *oci, struct iso_error *err)
{
	if (oci == NULL || oci->keyring == NULL)
		return 0;
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING_, oci->keyring, 0, 0, 0) < 0 &&
	    errno != ENOSYS)
		return iso_error_set(err, errno, "join a new session keyring %s", oci->keyring);
	return 0;
}

/* The exec fifo, open for writing from start until the exec closes it. */
static int start_fifo = -1;

/* OCI create: the runtime is told the container is ready and may exit
 * (so the death of the parent no longer matters); the process then
 * blocks opening the exec fifo for writing until `start` opens it to
 * read.  Reopened through /proc/self/fd: the fifo is outside the root.
 * One byte says it is there; the fifo stays open (close-on-exec), so
 * that `start` reads end-of-file once the command is executed, or "E"
 * when the process failed first (report_and_exit). */
static int wait_for_start(const struct iso_child_oci *oci, int sync, struct iso_error *err)
{
	char path[64];

	if (prctl(PR_SET_PDEATHSIG, 0) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_PDEATHSIG");
	if (iso_sync_send(sync, ISO_SYNC_READY, NULL, -1, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", oci->exec_fifo);
	start_fifo = open(path, O_WRONLY | O_CLOEXEC);
	if (start_fifo < 0)
		return iso_error_set(err, errno, "open the exec fifo");
	if (write(start_fifo, "0", 1) != 1)
		return iso_error_set(err, errno, "write the exec fifo");
	close(oci->exec_fifo);
	return 0;
}

/* The process's own settings of OCI's that apply until exec. */
static int set_process_attrs(const struct iso_spec *spec, struct iso_error *err)
{
	if (spec->process.has_umask)
		umask(spec->process.umask);
	else if (spec->oci)
		umask(022);
	if (spec->has_personality && personality(spec->personality) < 0)
		return iso_error_set(err, errno, "set personality 0x%lx", spec->personality);
	return 0;
}

static int setup_net_ns(const struct iso_spec *spec, struct iso_error *err)
{
	if (spec->linux_.new_namespaces & CLONE_NEWNET) {
		if (iso_net_loopback_up(err) < 0)
			return -1;
		/* docker's port and ping defaults: not OCI's */
		if (!spec->oci && iso_net_namespace_defaults(spec, err) < 0)
			return -1;
	}
	return iso_sysctl_apply(spec, err);
}

/* OCI: the command is looked up before the container reports ready, so
 * that create fails for a missing one, as runc's does. */
static int exec_oci(const struct iso_spec *spec, char **env, const char *found,
		    struct iso_error *err)
{
	if (iso_signals_reset() < 0)
		return iso_error_set(err, errno, "reset the signal mask");
	execve(found, spec->process.args, env);
	return iso_error_set_status(err, errno == ENOENT ? ISO_EXIT_NOT_FOUND : ISO_EXIT_CANNOT_EXEC,
				    errno, "exec %s", spec->process.args[0]);
}

/* OCI: the go-ahead brings, in a pipe, the state its hooks are given and
 * (after a NUL) what the seccomp listener is sent with the filter's fd. */
struct go_payload {
	char *state;            /* status "creating", for createContainer; NULL: none */
	const char *listener_msg;       /* in STATE's buffer, or NULL */
	const char *started;    /* status "created", for startContainer, or NULL */
};

/* The part after the NUL ending AT, if the buffer goes on. */
static const char *next_part(const char *at, const char *end)
{
	const char *p = at + strlen(at) + 1;

	return p < end ? p : NULL;
}

static int receive_go(int sync, const struct iso_child_oci *oci, struct go_payload *go,
		      struct iso_error *err)
{
	struct iso_sync_msg msg;
	cleanup_close int fd = -1;
	size_t len;
	int r;

	if (oci == NULL)
		return iso_sync_expect(sync, ISO_SYNC_GO, err);
	r = iso_sync_recv(sync, &msg, &fd, err);
	if (r < 0)
		return -1;
	if (r == 0 || msg.type != ISO_SYNC_GO)
		return iso_error_set(err, 0, "sync channel: expected the go-ahead");
	if (fd < 0)
		return 0;
	/* read here, not through /proc: an exec'd process is in the
	 * container's mount namespace, whose /proc it may have changed */
	go->state = xmalloc(65536 + 1);
	for (len = 0; len < 65536;) {
		ssize_t n = read(fd, go->state + len, 65536 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return iso_error_set(err, errno, "read the state from the runtime");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	go->state[len] = '\0';
	go->listener_msg = next_part(go->state, go->state + len);
	go->started = go->listener_msg ? next_part(go->listener_msg, go->state + len) : NULL;
	if (go->listener_msg != NULL && go->listener_msg[0] == '\0')
		go->listener_msg = NULL;
	return 0;
}

/* SCMP_ACT_NOTIFY's listener gets the filter's fd over the connection the
 * runtime made (runtime-spec: the container process state, its "fds"
 * naming the one passed). */
static int load_seccomp(const struct iso_spec *spec, const struct iso_child_oci *oci,
			const struct go_payload *go, struct iso_error *err)
{
	int fd, r;

	if (spec->linux_.seccomp->listener_path == NULL || oci == NULL || oci->seccomp_listener < 0 ||
	    go->listener_msg == NULL)
		return iso_seccomp_apply(spec->linux_.seccomp, err);
	fd = iso_seccomp_apply_listener(spec->linux_.seccomp, err);
	if (fd < 0)
		return -1;
	r = iso_send_fd(oci->seccomp_listener, go->listener_msg, fd, err);
	close(fd);
	if (r < 0)
		return iso_error_prefix(err, "seccomp listener %s", spec->linux_.seccomp->listener_path);
	return 0;
}

static int run_child_hooks(const struct iso_spec *spec, enum iso_hook_kind kind, const char *state,
			   struct iso_error *err)
{
	if (spec->hooks.n[kind] == 0)
		return 0;
	return iso_hooks_run(spec->hooks.list[kind], spec->hooks.n[kind], state,
			     iso_hook_kind_name(kind), err);
}

/* The hook's own path in the message, not the /proc one it ran by. */
static int name_hook(struct iso_error *err, const char *ran, const char *path)
{
	char *at = strstr(err->msg, ran);
	char rest[sizeof(err->msg)];

	if (at != NULL) {
		snprintf(rest, sizeof(rest), "%s", at + strlen(ran));
		snprintf(at, sizeof(err->msg) - (size_t)(at - err->msg), "%s%s", path, rest);
	}
	return -1;
}

/* Each createContainer hook through the fd the runtime opened, as
 * /proc/self/fd/N (host paths under /tmp are hidden here); kept open
 * across its exec only while it runs, so that a script's interpreter can
 * open it. */
static int run_create_hooks(const struct iso_spec *spec, const struct iso_child_oci *oci,
			    const char *state, struct iso_error *err)
{
	const enum iso_hook_kind kind = ISO_HOOK_CREATE_CONTAINER;

	for (size_t i = 0; i < spec->hooks.n[kind]; i++) {
		struct iso_hook h = spec->hooks.list[kind][i];
		int fd = oci->create_hook_fds[i];
		char path[64];
		int r;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		h.path = path;
		if (h.args == NULL)
			h.args = (char *[]){ spec->hooks.list[kind][i].path, NULL };
		if (fcntl(fd, F_SETFD, 0) < 0)
			return iso_error_set(err, errno, "createContainer hook %s", spec->hooks.list[kind][i].path);
		r = iso_hook_run(&h, state, iso_hook_kind_name(kind), err);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (r < 0)
			return name_hook(err, path, spec->hooks.list[kind][i].path);
	}
	return 0;
}

/* The working directory is the container's: one reached by a path that
 * leaves the root (a magic link) has no name from it (runc's verifyCwd). */
static int enter_workdir(const char *cwd, struct iso_error *err)
{
	char here[4096];

	if (chdir(cwd) < 0)
		return iso_error_set(err, errno, "chdir to the working directory %s", cwd);
	if (getcwd(here, sizeof(here)) == NULL || here[0] != '/')
		return iso_error_set(err, errno == ENOENT ? 0 : errno,
				     "working directory %s: outside the container", cwd);
	return 0;
}

/* From the stdio to the exec: what the first process of a container and
 * a process exec'd into one both do, in the container's root. */
static int finish_and_exec(const struct iso_spec *spec, int sync, const struct iso_child_oci *oci,
			   const struct go_payload *go, struct iso_error *err)
{
	struct iso_resolved_user user;
	cleanup_strv char **env = NULL;
	cleanup_free char *found = NULL;
	int ret;

	/* the first process's terminal is also its /dev/console; an exec'd
	 * one's is not (there is no oci then) */
	bool first = oci != NULL ? oci->exec_fifo >= 0 : !spec->oci;

	if (setup_stdio(spec, sync, first, err) < 0 || resolve_user(spec, &user, err) < 0)
		return -1;
	env = build_env(spec, &user);
	ret = make_workdir(spec->process.cwd, err);
	/* Without no_new_privs the filter goes on while the process still
	 * holds CAP_SYS_ADMIN in its namespace, which the kernel asks for
	 * (the rest of the setup only calls what docker's profile allows);
	 * with it, as late as can be. */
	if (ret == 0 && spec->linux_.seccomp != NULL && !spec->process.no_new_privileges)
		ret = load_seccomp(spec, oci, go, err);
	if (ret == 0)
		ret = become_user(spec, &user, err);
	iso_resolved_user_free(&user);
	if (ret < 0)
		return -1;
	if (enter_workdir(spec->process.cwd, err) < 0)
		return -1;
	if (spec->process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return iso_error_set(err, errno, "set no_new_privs");
	if (set_process_attrs(spec, err) < 0)
		return -1;
	if (spec->oci && iso_exec_lookup(spec->process.args[0], env, &found, err) < 0)
		return -1;
	if (oci != NULL && oci->exec_fifo >= 0 &&
	    (wait_for_start(oci, sync, err) < 0 ||
	     run_child_hooks(spec, ISO_HOOK_START_CONTAINER, go->started, err) < 0))
		return -1;
	if (spec->linux_.seccomp != NULL && spec->process.no_new_privileges &&
	    load_seccomp(spec, oci, go, err) < 0)
		return -1;
	if (spec->oci)
		return exec_oci(spec, env, found, err);
	if (arm_parent_death(sync, err) < 0)
		return -1;
	return exec_command(spec, env, err);
}

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Nothing the runtime holds may reach the container: every fd above stdio
 * is closed now (a host directory's fd reached through /proc/self/fd is a
 * way out of the root: CVE-2024-21626), but those the caller asked to
 * pass on (--preserve-fds, which it held before the runtime opened any of
 * its own) and those the setup still needs, which are close-on-exec. */
static int close_runtime_fds(const struct iso_spec *spec, int sync, const struct iso_child_oci *oci,
			     struct iso_error *err)
{
	int keep[8 + 64], n = 0, from = 3 + (int)spec->process.preserve_fds;

	keep[n++] = sync;
	if (oci != NULL) {
		keep[n++] = oci->exec_fifo;
		keep[n++] = oci->seccomp_listener;
		for (size_t i = 0; oci->create_hook_fds != NULL && oci->create_hook_fds[i] >= 0 &&
				   i < 64; i++)
			keep[n++] = oci->create_hook_fds[i];
	}
	qsort(keep, (size_t)n, sizeof(int), compare_ints);
	for (int i = 0; i < n; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from && syscall(SYS_close_range, from, keep[i] - 1, 0) < 0)
			return iso_error_set(err, errno, "close_range");
		from = keep[i] + 1;
	}
	if (syscall(SYS_close_range, from, ~0U, 0) < 0)
		return iso_error_set(err, errno, "close_range");
	for (unsigned int fd = 3; fd < 3 + spec->process.preserve_fds; fd++)
		if (fcntl((int)fd, F_SETFD, 0) < 0)
			return iso_error_set(err, errno, "pass fd %u on", fd);
	return 0;
}

static int child_setup_and_exec(const struct iso_spec *spec, int sync, bool build_tree,
				const struct iso_child_oci *oci, struct iso_error *err)
{
	struct go_payload go = { 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_PDEATHSIG");
	if (close_runtime_fds(spec, sync, oci, err) < 0)
		return -1;
	if (receive_go(sync, oci, &go, err) < 0 || enter_cgroup_ns(spec, err) < 0)
		return -1;
	if (become_namespace_root(spec, err) < 0)
		return -1;
	/* before /proc/sys is made read-only; /proc/sys/net shows the
	 * network namespace of whoever opens it, wherever proc is mounted */
	if (setup_net_ns(spec, err) < 0 || join_keyring(oci, err) < 0)
		return -1;
	if (build_tree && build_own_tree(spec, err) < 0)
		return -1;
	/* in the container's namespaces, its tree in place, before pivot_root */
	if (oci != NULL && run_create_hooks(spec, oci, go.state, err) < 0)
		return -1;
	if (iso_rootfs_enter(spec, err) < 0 || setup_uts(spec, err) < 0)
		return -1;
	return finish_and_exec(spec, sync, oci, &go, err);
}

__attribute__((noreturn)) static void report_and_exit(int sync_fd, struct iso_error *err)
{
	struct iso_error ignored;

	if (err->status == 0)
		err->status = ISO_EXIT_RUNTIME;
	/* after start, no one reads the channel: start learns it here */
	if (start_fifo >= 0 && write(start_fifo, "E", 1) < 0)
		_exit(err->status);
	iso_sync_send(sync_fd, ISO_SYNC_ERROR, err, -1, &ignored);
	_exit(err->status);
}

void iso_child_exec_main(const struct iso_spec *spec, int sync_fd, const struct iso_child_oci *oci)
{
	struct go_payload go = { 0 };
	struct iso_error err;

	iso_error_clear(&err);
	if (close_runtime_fds(spec, sync_fd, oci, &err) == 0 && receive_go(sync_fd, oci, &go, &err) == 0 &&
	    become_namespace_root(spec, &err) == 0)
		finish_and_exec(spec, sync_fd, oci, &go, &err);
	report_and_exit(sync_fd, &err);
}

void iso_child_main(const struct iso_spec *spec, int sync_fd, bool build_tree,
		    const struct iso_child_oci *oci)
{
	struct iso_error err;

	iso_error_clear(&err);
	/* a copy of the runtime's flock'd fd would hold the lock until exec */
	if (oci != NULL && oci->state_dir >= 0)
		close(oci->state_dir);
	child_setup_and_exec(spec, sync_fd, build_tree, oci, &err);
	report_and_exit(sync_fd, &err);
}
