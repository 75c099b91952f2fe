/* isolate-oci create: the state directory, the cgroups, the first process
 * set up in its namespaces and left waiting for start (see oci.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "devopt.h"
#include "fdpass.h"
#include "hooks.h"
#include "idmap.h"
#include "log.h"
#include "oci.h"
#include "oci_int.h"
#include "ocistatus.h"
#include "proclimits.h"
#include "process.h"
#include "rootfs.h"
#include "state.h"
#include "sync.h"
#include "sysctl.h"
#include "util.h"

struct create {
	struct iso_spec *spec;
	const struct iso_oci_create_opts *o;
	struct iso_oci_container c;
	bool dir_made;
	bool privileged;
	struct iso_rootfs rootfs;
	struct iso_cgroup cg;
	bool v2_placed;
	int fifo;               /* O_PATH of the exec fifo, for the child */
	int sync;
	pid_t pid;
	int pty;                /* a terminal's master kept for the caller */
	int host_mntns;         /* the caller's mount namespace, to go back to */
	int console;            /* connected to --console-socket, or -1 */
	int *hook_fds;          /* the createContainer hooks, opened */
	int listener;           /* connected to the seccomp listener, or -1 */
};

static void now_rfc3339(char out[ISO_RFC3339_NANO_MAX])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	iso_rfc3339_nano(&ts, out);
}

static char *owner_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? xstrdup(pw->pw_name) : xasprintf("%u", (unsigned)geteuid());
}

/* ROOT/ID made here and nowhere else: an existing one is another
 * container's. */
static int make_state_dir(struct create *cr, struct iso_error *err)
{
	const struct iso_oci_create_opts *o = cr->o;
	cleanup_free char *dir = xasprintf("%s/%s", o->root, o->id);
	char created[ISO_RFC3339_NANO_MAX];
	struct stat st;

	if (iso_mkdir_p(o->root, err) < 0)
		return -1;
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return iso_error_set(err, 0, "container %s already exists", o->id);
		return iso_error_set(err, errno, "create %s", dir);
	}
	cr->dir_made = true;
	cr->c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cr->c.dirfd < 0 || flock(cr->c.dirfd, LOCK_EX) < 0 || fstat(cr->c.dirfd, &st) < 0)
		return iso_error_set(err, errno, "open %s", dir);
	/* a delete --force of the id, seeing it without state, came first */
	if (st.st_nlink == 0) {
		cr->dir_made = false;
		return iso_error_set(err, 0, "container %s was deleted while it was being created", o->id);
	}
	now_rfc3339(created);
	cr->c.id = xstrdup(o->id);
	cr->c.bundle = xstrdup(o->bundle);
	cr->c.rootfs = xstrdup(cr->spec->root.path ? cr->spec->root.path : "/");
	cr->c.created = xstrdup(created);
	cr->c.owner = owner_name();
	cr->c.oci_version = xstrdup(cr->spec->oci_version ? cr->spec->oci_version : ISO_OCI_VERSION);
	if (cr->spec->annotations_json != NULL)
		cr->c.annotations_json = xstrdup(cr->spec->annotations_json);
	if (o->config_text != NULL &&
	    iso_oci_write_file(cr->c.dirfd, "config.json", o->config_text, 0600, err) < 0)
		return -1;
	return iso_oci_save(&cr->c, err);
}

/* Recorded before it is made, so that delete --force after a killed
 * create finds it. */
static int make_cgroup(struct create *cr, struct iso_error *err)
{
	const struct iso_cgroup_layout *l;
	cleanup_free char *path = NULL;
	const char *last;

	if (!cr->privileged && !iso_resources_any(&cr->spec->linux_.resources))
		return 0;
	path = iso_oci_cgroup_path(cr->spec->linux_.cgroups_path, cr->o->id, cr->o->systemd_cgroup, err);
	if (path != NULL && cr->o->systemd_cgroup)
		iso_log(access("/run/systemd/system", F_OK) == 0 ? ISO_LOG_WARN : ISO_LOG_DEBUG,
			"--systemd-cgroup: %s laid out on the cgroup filesystem as systemd would "
			"(isolate-oci does not ask systemd for a scope)", path);
	l = path ? iso_cgroup_layout_host(err) : NULL;
	if (l == NULL || iso_cgroup_plan_path(&cr->cg, l, path, cr->privileged, err) < 0)
		return -1;
	last = strrchr(path, '/');
	cr->c.cgroup_name = xstrdup(last ? last + 1 : path);
	cr->c.cgroup_record = iso_cgroup_record(&cr->cg);
	if (iso_oci_save(&cr->c, err) < 0 ||
	    iso_cgroup_create(&cr->cg, &cr->spec->linux_.resources, false, err) < 0)
		return -1;
	cr->c.cgroup_made = true;
	return iso_oci_save(&cr->c, err);
}

static int make_fifo(struct create *cr, struct iso_error *err)
{
	/* anyone may open it to write: the command may run as any user */
	if (mkfifoat(cr->c.dirfd, "exec.fifo", 0600) < 0 ||
	    fchmodat(cr->c.dirfd, "exec.fifo", 0622, 0) < 0)
		return iso_error_set(err, errno, "create the exec fifo of %s", cr->o->id);
	cr->fifo = openat(cr->c.dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
	if (cr->fifo < 0)
		return iso_error_set(err, errno, "open the exec fifo of %s", cr->o->id);
	return 0;
}

static int compile_seccomp(struct create *cr, struct iso_error *err)
{
	cleanup_free char *cache = NULL;

	if (cr->spec->linux_.seccomp == NULL)
		return 0;
	cache = xasprintf("%s/.seccomp", cr->o->root);
	return iso_seccomp_compile(cr->spec->linux_.seccomp, cache, err);
}

static int spawn(struct create *cr, struct iso_error *err)
{
	struct iso_child_oci oci = {
		.exec_fifo = cr->fifo,
		.keyring = cr->o->no_new_keyring ? NULL : cr->o->id,
		.state_dir = cr->c.dirfd,
		.create_hook_fds = cr->hook_fds,
		.seccomp_listener = cr->listener,
	};
	struct iso_oci_own_ns own = { .n = 0 };
	int fds[2];

	if (iso_sync_open(fds, err) < 0)
		return -1;
	if (iso_oci_join_namespaces(cr->spec, &own, err) < 0) {
		iso_oci_leave_namespaces(&own, err);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	cr->pid = iso_clone_container(cr->spec, iso_cgroup_v2_dir(&cr->cg), &cr->v2_placed);
	if (cr->pid == 0) {
		close(fds[0]);
		iso_child_main(cr->spec, fds[1], !cr->privileged, &oci);
	}
	close(fds[1]);
	cr->sync = fds[0];
	if (iso_oci_leave_namespaces(&own, err) < 0)
		return -1;
	if (cr->pid < 0)
		return iso_error_set(err, errno, "clone the container process");
	return 0;
}

static int record_pid(struct create *cr, struct iso_error *err)
{
	struct iso_owner child;

	if (iso_owner_of(cr->pid, &child) < 0)
		return iso_error_set(err, errno, "read /proc/%d/stat", (int)cr->pid);
	cr->c.pid = cr->pid;
	cr->c.pid_start = child.start;
	return iso_oci_save(&cr->c, err);
}

static int run_hooks(struct create *cr, enum iso_hook_kind kind, struct iso_error *err)
{
	cleanup_free char *state = NULL;

	if (cr->spec->hooks.n[kind] == 0)
		return 0;
	cr->c.status = ISO_OCI_CREATING;
	state = iso_oci_container_json(&cr->c, false);
	return iso_hooks_run(cr->spec->hooks.list[kind], cr->spec->hooks.n[kind], state,
			     iso_hook_kind_name(kind), err);
}

static int leave_private_ns(struct create *cr, struct iso_error *err);

/* The go-ahead, with the state for the hooks the container runs itself
 * (createContainer, startContainer) and the seccomp listener's message. */
static int send_go(struct create *cr, struct iso_error *err)
{
	const struct iso_hooks *h = &cr->spec->hooks;
	const struct iso_seccomp *sc = cr->spec->linux_.seccomp;
	cleanup_free char *state = NULL;
	cleanup_free char *listener = NULL;
	cleanup_free char *started = NULL;

	if (h->n[ISO_HOOK_CREATE_CONTAINER] == 0 && h->n[ISO_HOOK_START_CONTAINER] == 0 &&
	    cr->listener < 0)
		return iso_sync_send(cr->sync, ISO_SYNC_GO, NULL, -1, err);
	cr->c.status = ISO_OCI_CREATING;
	state = iso_oci_container_json(&cr->c, false);
	if (cr->listener >= 0)
		listener = iso_oci_listener_json(&cr->c, cr->pid, sc->listener_metadata);
	/* startContainer hooks run once it is created (and started) */
	cr->c.status = ISO_OCI_CREATED;
	started = iso_oci_container_json(&cr->c, false);
	cr->c.status = ISO_OCI_CREATING;
	return iso_oci_send_go(cr->sync, state, listener, started, err);
}

/* The parent's share, while the child waits: cgroups, limits, id maps,
 * the tree; then the runtime's hooks; then the go-ahead. */
static int prepare_child(struct create *cr, struct iso_error *err)
{
	cleanup_close int userns = -1;
	struct iso_spec *spec = cr->spec;

	if (iso_cgroup_enter(&cr->cg, cr->pid, cr->v2_placed, err) < 0 ||
	    iso_proclimits_apply(cr->pid, &spec->process, err) < 0)
		return -1;
	if (!cr->privileged) {
		if (iso_idmap_write_rootless(cr->pid, spec, geteuid(), getegid(), err) < 0)
			return -1;
	} else {
		if (iso_spec_has_userns(spec)) {
			if (iso_idmap_write(cr->pid, spec, err) < 0)
				return -1;
			userns = iso_open_userns(cr->pid, err);
			if (userns < 0)
				return -1;
		}
		/* the tree has reached the child: the hooks run in the
		 * caller's mount namespace */
		if (iso_rootfs_build(&cr->rootfs, userns, err) < 0 || leave_private_ns(cr, err) < 0)
			return -1;
	}
	if (run_hooks(cr, ISO_HOOK_PRESTART, err) < 0 || run_hooks(cr, ISO_HOOK_CREATE_RUNTIME, err) < 0)
		return -1;
	return send_go(cr, err);
}

/* The terminal's master goes to whoever listens on --console-socket
 * (conmon, containerd's shim), or stays with the caller (run). */
static int take_pty(struct create *cr, int master, struct iso_error *err)
{
	const struct iso_console_size *size = &cr->spec->process.console_size;

	if (size->rows != 0 || size->cols != 0) {
		struct winsize ws = { .ws_row = size->rows, .ws_col = size->cols };

		ioctl(master, TIOCSWINSZ, &ws);
	}
	if (cr->console >= 0) {
		int r = iso_oci_send_console(cr->console, master, err);

		close(master);
		if (r < 0)
			return -1;
	} else if (cr->o->pty_out != NULL) {
		cr->pty = master;
	} else {
		close(master);
		return iso_error_set(err, 0, "a terminal needs --console-socket");
	}
	return iso_sync_send(cr->sync, ISO_SYNC_PTY_ACK, NULL, -1, err);
}

/* Reads the channel until the child is ready (or failed). */
static int wait_for_ready(struct create *cr, struct iso_error *err)
{
	for (;;) {
		struct iso_sync_msg msg;
		int fd, r = iso_sync_recv(cr->sync, &msg, &fd, err);

		if (r < 0)
			return -1;
		if (r == 0)
			return iso_error_set(err, 0, "the container's process exited during its setup");
		if (msg.type == ISO_SYNC_ERROR) {
			*err = msg.error;
			return -1;
		}
		if (msg.type == ISO_SYNC_PTY && fd >= 0) {
			if (take_pty(cr, fd, err) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (msg.type == ISO_SYNC_READY)
			return 0;
		return iso_error_set(err, 0, "sync channel: unexpected message %u", msg.type);
	}
}

/* Through a new file of its own (O_EXCL, no symlink followed) renamed
 * over PATH, as runc does: a reader sees no file or the whole pid. */
int iso_oci_write_pid_file(const char *path, pid_t pid, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;
	char text[32];

	if (slash == NULL || path[0] != '/')
		return iso_error_set(err, 0, "pid file %s: not an absolute path", path);
	*slash = '\0';
	tmp = xasprintf("%s/.%s.isolate-tmp", copy[0] ? copy : "", slash + 1);
	snprintf(text, sizeof(text), "%d", (int)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return iso_error_set(err, errno, "create the pid file %s", tmp);
	if (write_all(fd, text, strlen(text)) < 0 || rename(tmp, path) < 0) {
		iso_error_set(err, errno, "write the pid file %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The tree was built in a mount namespace of this process's own, whose
 * /tmp is the workshop: the caller's files (the pid file, the state of
 * run's start) are in the one it came from. */
static int leave_private_ns(struct create *cr, struct iso_error *err)
{
	if (cr->host_mntns < 0)
		return 0;
	iso_rootfs_close(&cr->rootfs);
	if (setns(cr->host_mntns, CLONE_NEWNS) < 0)
		return iso_error_set(err, errno, "return to the caller's mount namespace");
	close(cr->host_mntns);
	cr->host_mntns = -1;
	return 0;
}

static int check(const struct iso_spec *spec, const struct iso_oci_create_opts *o,
		 bool privileged, struct iso_error *err)
{
	if (iso_oci_check_id(o->id, err) < 0 || iso_spec_validate(spec, err) < 0 ||
	    iso_sysctl_check(spec, err) < 0 || iso_oci_check_namespaces(spec, err) < 0)
		return -1;
	if (spec->process.args == NULL || spec->process.args[0] == NULL)
		return iso_error_set(err, 0, "process.args: no command to run");
	if (!privileged && !iso_spec_has_userns(spec))
		return iso_error_set(err, 0, "without root a container needs a user namespace "
				     "(isolate-oci spec --rootless makes such a config.json)");
	if (spec->process.terminal && o->console_socket == NULL && o->pty_out == NULL)
		return iso_error_set(err, 0, "process.terminal is set: --console-socket is needed "
				     "to pass the terminal on");
	return 0;
}

/* Opened here, in the caller's mount namespace, where their paths are
 * (runtime.md: a hook's path is the runtime namespace's). */
static int open_create_hooks(struct create *cr, struct iso_error *err)
{
	const enum iso_hook_kind kind = ISO_HOOK_CREATE_CONTAINER;
	size_t n = cr->spec->hooks.n[kind];

	cr->hook_fds = xcalloc(n + 1, sizeof(int));
	for (size_t i = 0; i <= n; i++)
		cr->hook_fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const char *path = cr->spec->hooks.list[kind][i].path;

		cr->hook_fds[i] = open(path, O_PATH | O_CLOEXEC);
		if (cr->hook_fds[i] < 0)
			return iso_error_set(err, errno, "createContainer hook %s", path);
	}
	return 0;
}

/* Connected here, where its path is seen; the container's process
 * sends the filter's fd over it. */
static int connect_listener(struct create *cr, struct iso_error *err)
{
	const struct iso_seccomp *sc = cr->spec->linux_.seccomp;

	if (sc == NULL || sc->listener_path == NULL)
		return 0;
	cr->listener = iso_connect_unix(sc->listener_path, err);
	return cr->listener < 0 ? iso_error_prefix(err, "seccomp listener") : 0;
}

static int create(struct create *cr, struct iso_error *err)
{
	/* the hooks run from the bundle, as runc runs them; every path the
	 * caller gave is absolute by now */
	if (chdir(cr->o->bundle) < 0)
		return iso_error_set(err, errno, "chdir to the bundle %s", cr->o->bundle);
	if (open_create_hooks(cr, err) < 0 || connect_listener(cr, err) < 0)
		return -1;
	if (cr->o->console_socket != NULL) {
		cr->console = iso_oci_connect_console(cr->o->console_socket, err);
		if (cr->console < 0)
			return -1;
	}
	if (make_state_dir(cr, err) < 0 || make_cgroup(cr, err) < 0 ||
	    compile_seccomp(cr, err) < 0 || make_fifo(cr, err) < 0)
		return -1;
	if (cr->privileged) {
		cr->host_mntns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (cr->host_mntns < 0)
			return iso_error_set(err, errno, "open /proc/self/ns/mnt");
		if (iso_rootfs_enter_private_ns(err) < 0 ||
		    iso_rootfs_open(&cr->rootfs, cr->spec, true, err) < 0)
			return -1;
	}
	/* Nothing of the runtime's may be reached from the container
	 * (CVE-2019-5736, CVE-2016-9962): the runtime and so its clone are not
	 * dumpable, until the exec of the command resets it.  Without root the
	 * container's root is the user anyway. */
	if (cr->privileged && prctl(PR_SET_DUMPABLE, 0) < 0)
		return iso_error_set(err, errno, "prctl PR_SET_DUMPABLE");
	if (spawn(cr, err) < 0)
		return -1;
	if (record_pid(cr, err) < 0 || prepare_child(cr, err) < 0 || wait_for_ready(cr, err) < 0)
		return -1;
	if (leave_private_ns(cr, err) < 0)
		return -1;
	if (cr->o->pid_file != NULL && iso_oci_write_pid_file(cr->o->pid_file, cr->pid, err) < 0)
		return -1;
	cr->c.setup_done = true;
	return iso_oci_save(&cr->c, err);
}

static void undo(struct create *cr)
{
	if (cr->pid > 0) {
		kill(cr->pid, SIGKILL);
		waitpid(cr->pid, NULL, 0);
	}
	if (cr->pty >= 0)
		close(cr->pty);
	iso_cgroup_destroy(&cr->cg);
	if (cr->dir_made)
		iso_oci_remove_dir(cr->o->root, cr->o->id);
}

int iso_oci_create(struct iso_spec *spec, const struct iso_oci_create_opts *o, pid_t *pid,
		   struct iso_error *err)
{
	struct create cr = {
		.spec = spec, .o = o, .privileged = geteuid() == 0,
		.c = { .dirfd = -1 }, .fifo = -1, .sync = -1, .pid = -1, .pty = -1,
		.host_mntns = -1, .console = -1, .listener = -1,
	};
	int r;

	if (cr.privileged)
		iso_spec_oci_device_rules(spec);
	iso_oci_fix_ambient(&spec->process);
	r = check(spec, o, cr.privileged, err);

	if (r == 0)
		r = create(&cr, err);
	if (r < 0) {
		struct iso_error ignored;

		leave_private_ns(&cr, &ignored);
		undo(&cr);
	}
	else if (o->pty_out != NULL)
		*o->pty_out = cr.pty;
	iso_rootfs_close(&cr.rootfs);
	if (r == 0)
		iso_cgroup_close(&cr.cg);
	if (cr.fifo >= 0)
		close(cr.fifo);
	if (cr.sync >= 0)
		close(cr.sync);
	if (cr.console >= 0)
		close(cr.console);
	if (cr.listener >= 0)
		close(cr.listener);
	for (size_t i = 0; cr.hook_fds != NULL && i < spec->hooks.n[ISO_HOOK_CREATE_CONTAINER]; i++)
		if (cr.hook_fds[i] >= 0)
			close(cr.hook_fds[i]);
	free(cr.hook_fds);
	*pid = cr.pid;
	iso_oci_unload(&cr.c);
	return r;
}
