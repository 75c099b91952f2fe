/* A container's cgroups: made, entered, emptied and removed; see cgroup.h. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "log.h"
#include "util.h"

int iso_cgroup_parent_check(const char *parent, struct iso_error *err)
{
	cleanup_free char *rooted = NULL;
	cleanup_free char *norm = NULL;

	if (parent == NULL)
		return 0;
	for (const char *p = parent; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return iso_error_set(err, 0, "cgroup parent %s: control characters are not allowed",
					     parent);
	rooted = xasprintf("/%s", parent);
	norm = path_normalize(rooted);
	if (norm == NULL)
		return iso_error_set(err, 0, "cgroup parent %s: \"..\" is not allowed", parent);
	return 0;
}

int iso_cgroup_plan(struct iso_cgroup *cg, const struct iso_cgroup_layout *l,
		    const char *parent, const char *id, bool as_root, struct iso_error *err)
{
	cleanup_free char *rel = xasprintf("/%s/%s", parent ? parent : "isolate", id);

	*cg = (struct iso_cgroup){ .layout = l };
	if (iso_cgroup_parent_check(parent, err) < 0)
		return -1;
	return iso_cgroup_plan_path(cg, l, rel, as_root, err);
}

int iso_cgroup_plan_path(struct iso_cgroup *cg, const struct iso_cgroup_layout *l,
			 const char *path, bool as_root, struct iso_error *err)
{
	cleanup_free char *rel = xasprintf("/%s", path);
	cleanup_free char *norm = path_normalize(rel);

	*cg = (struct iso_cgroup){ .layout = l };
	if (iso_cgroup_parent_check(path, err) < 0)
		return -1;
	if (norm == NULL || strcmp(norm, "/") == 0)
		return iso_error_set(err, 0, "cgroup path %s: not a cgroup below the root", path);
	cg->paths = xcalloc(l->n + 1, sizeof(char *));
	cg->dirs = xcalloc(l->n + 1, sizeof(int));
	for (size_t i = 0; i < l->n; i++)
		cg->dirs[i] = -1;
	for (size_t i = 0; i < l->n; i++) {
		const char *base = as_root ? "" : l->h[i].own;
		cleanup_free char *full = xasprintf("/%s%s", base, norm);
		cleanup_free char *clean = path_normalize(full);

		/* a caller outside its cgroup namespace's root sees "/.." */
		if (clean == NULL) {
			iso_cgroup_destroy(cg);
			return iso_error_set(err, 0, "cgroup: the caller's own cgroup %s in %s is outside "
					     "its cgroup namespace", base, l->h[i].mount);
		}
		cg->paths[i] = xstrdup(clean + 1);
	}
	return 0;
}

char *iso_cgroup_record(const struct iso_cgroup *cg)
{
	char *out = xstrdup("");

	for (size_t i = 0; cg->paths != NULL && i < cg->layout->n; i++) {
		char *next = xasprintf("%s%s\t%s\n", out, cg->layout->h[i].mount, cg->paths[i]);

		free(out);
		out = next;
	}
	return out;
}

int iso_cg_write(int dir, const char *file, const char *value)
{
	cleanup_close int fd = openat(dir, file, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, value, strlen(value)) < 0)
		return -1;
	return 0;
}

char *iso_cg_read(int dir, const char *file)
{
	char *text = NULL;
	struct iso_error ignored;

	if (read_file_at(dir, file, &text, NULL, &ignored) < 0)
		return NULL;
	return text;
}

/* A new v1 cpuset starts with no CPUs and no memory nodes, and takes no
 * process until given some: it gets its parent's.  Every level is seen
 * to, not only those this run made: another run may have made one and not
 * filled it yet, or died before it did. */
static int inherit_cpuset(const char *mount, const char *path, int parent, int dir,
			  struct iso_error *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *have = iso_cg_read(dir, files[i]);
		cleanup_free char *from = NULL;

		if (have == NULL || (have[0] != '\n' && have[0] != '\0'))
			continue;
		from = iso_cg_read(parent, files[i]);
		if (from != NULL && iso_cg_write(dir, files[i], from) < 0)
			return iso_error_set(err, errno, "cgroup: give %s/%s its parent's %s", mount,
					     path, files[i]);
	}
	return 0;
}

/* v2: the controllers a container may use, passed down from PARENT to its
 * children.  Best effort: a controller the host does not delegate is
 * reported when a limit needs it. */
static void enable_controllers(int parent)
{
	static const char *const wanted[] = { "cpuset", "cpu", "io", "memory", "pids", "hugetlb" };
	cleanup_free char *have = iso_cg_read(parent, "cgroup.controllers");
	cleanup_free char *on = iso_cg_read(parent, "cgroup.subtree_control");

	for (size_t i = 0; have != NULL && i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		char add[32];

		if (!iso_cg_list_has(have, wanted[i]) || (on && iso_cg_list_has(on, wanted[i])))
			continue;
		snprintf(add, sizeof(add), "+%s", wanted[i]);
		iso_cg_write(parent, "cgroup.subtree_control", add);
	}
}

/* Walks PATH from the hierarchy's mount, making the missing levels; the
 * last one must be new.  On pure v2 the controllers are passed down the
 * path (a hybrid host's v2 hierarchy holds none isolate uses, and its
 * configuration is left as it is).  Returns the leaf's fd. */
static int make_path(const struct iso_cgroup_hier *h, const char *path, bool delegate,
		     struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(path);
	cleanup_close int dir = open(h->mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *save = NULL, *next;

	if (dir < 0)
		return iso_error_set(err, errno, "open %s", h->mount);
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = next) {
		int child;

		next = strtok_r(NULL, "/", &save);
		if (delegate)
			enable_controllers(dir);
		if (mkdirat(dir, c, 0755) < 0 && (errno != EEXIST || next == NULL))
			return iso_error_set(err, errno, "make cgroup %s/%s", h->mount, path);
		child = openat(dir, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0)
			return iso_error_set(err, errno, "open cgroup %s/%s", h->mount, path);
		if (!h->v2 && iso_cg_list_has(h->controllers, "cpuset") &&
		    inherit_cpuset(h->mount, path, dir, child, err) < 0) {
			close(child);
			return -1;
		}
		close(dir);
		dir = child;
	}
	return steal_fd(&dir);
}

static bool no_permission(int errnum)
{
	return errnum == EACCES || errnum == EPERM || errnum == EROFS;
}

int iso_cgroup_create(struct iso_cgroup *cg, const struct iso_resources *r,
		      bool ignore_missing, struct iso_error *err)
{
	const struct iso_cgroup_layout *l = cg->layout;

	cg->ignore_missing = ignore_missing;
	for (size_t i = 0; i < l->n; i++) {
		cg->dirs[i] = make_path(&l->h[i], cg->paths[i], l->unified, err);
		if (cg->dirs[i] >= 0) {
			cg->any = true;
			continue;
		}
		/* a hierarchy not delegated to the user (rootless), or mounted
		 * read-only (in a container), is one the container does
		 * without; a limit that needs it says so */
		if (!no_permission(err->errnum))
			goto fail;
		iso_error_clear(err);
	}
	if (iso_cg_apply(cg, r, err) == 0)
		return 0;
fail:
	iso_cgroup_destroy(cg);
	return -1;
}

int iso_cgroup_v2_dir(const struct iso_cgroup *cg)
{
	for (size_t i = 0; cg->dirs != NULL && i < cg->layout->n; i++)
		if (cg->layout->h[i].v2)
			return cg->dirs[i];
	return -1;
}

int iso_cgroup_enter(const struct iso_cgroup *cg, pid_t pid, bool v2_placed, struct iso_error *err)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", (int)pid);
	for (size_t i = 0; cg->dirs != NULL && i < cg->layout->n; i++) {
		if (cg->dirs[i] < 0 || (cg->layout->h[i].v2 && v2_placed))
			continue;
		if (iso_cg_write(cg->dirs[i], "cgroup.procs", text) < 0)
			return iso_error_set(err, errno, "move the container into cgroup %s/%s",
					     cg->layout->h[i].mount, cg->paths[i]);
	}
	return 0;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 }, NULL);
}

static bool file_exists(int dir, const char *file)
{
	return faccessat(dir, file, F_OK, 0) == 0;
}

/* SIGKILL to every process listed in DIR's cgroup.procs; how many. */
static int kill_listed(int dir)
{
	cleanup_free char *procs = iso_cg_read(dir, "cgroup.procs");
	int n = 0;

	for (char *p = procs; p != NULL && *p != '\0';) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
		p = end + (*end != '\0');
	}
	return n;
}

/* Without cgroup.kill: frozen (v1 freezer, or v2's cgroup.freeze), no
 * process can fork while the list is read, and one round of SIGKILL takes
 * them all at the thaw; with no freezer at all, rounds until none is left. */
static void freeze_and_kill(int dir)
{
	bool v1 = file_exists(dir, "freezer.state");
	const char *file = v1 ? "freezer.state" : "cgroup.freeze";
	bool frozen = iso_cg_write(dir, file, v1 ? "FROZEN" : "1") == 0;

	for (int i = 0; frozen && i < 1000; i++) {
		cleanup_free char *state = iso_cg_read(dir, v1 ? "freezer.state" : "cgroup.events");

		if (state == NULL || (v1 ? strncmp(state, "FROZEN", 6) == 0 : strstr(state, "frozen 1") != NULL))
			break;
		sleep_ms(1);
	}
	if (frozen)
		kill_listed(dir);
	else
		for (int round = 0; round < 100 && kill_listed(dir) > 0; round++)
			sleep_ms(1);
	if (frozen)
		iso_cg_write(dir, file, v1 ? "THAWED" : "0");
}

static bool test_v1_kill(void)
{
	const char *force = getenv("ISOLATE_TEST_CGROUP_V1_KILL");

	return force != NULL && strcmp(force, "1") == 0;
}

/* Every process left in the cgroups: with cgroup.kill when the host has
 * it (v2, or the v2 hierarchy of a hybrid host, which holds every process
 * of the container too), else by freezing, else one by one. */
static void kill_leftovers(int *dirs, size_t n)
{
	int freezer = -1, any = -1;

	for (size_t i = 0; i < n; i++) {
		if (dirs[i] < 0)
			continue;
		if (!test_v1_kill() && file_exists(dirs[i], "cgroup.kill") &&
		    iso_cg_write(dirs[i], "cgroup.kill", "1") == 0)
			return;
		if (file_exists(dirs[i], "freezer.state") ||
		    (freezer < 0 && file_exists(dirs[i], "cgroup.freeze")))
			freezer = dirs[i];
		any = dirs[i];
	}
	if (freezer >= 0 || any >= 0)
		freeze_and_kill(freezer >= 0 ? freezer : any);
}

static bool is_empty(int dir)
{
	cleanup_free char *procs = iso_cg_read(dir, "cgroup.procs");

	return procs == NULL || procs[0] == '\0';
}

/* Removes the cgroup PATH under MOUNT, and any the container made below
 * it; a cgroup whose last process is still exiting is busy for a moment. */
static int remove_tree(int parent, const char *name)
{
	cleanup_close int dir = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int dup_fd;
	DIR *d;

	if (dir < 0)
		return errno == ENOENT ? 0 : -1;
	dup_fd = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (d == NULL && dup_fd >= 0)
		close(dup_fd);
	if (d != NULL) {
		struct dirent *e;

		while ((e = readdir(d)) != NULL)
			if (e->d_type == DT_DIR && e->d_name[0] != '.')
				remove_tree(dir, e->d_name);
		closedir(d);
	}
	for (int i = 0; i < 2000; i++) {
		if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(1);
	}
	return -1;
}

static void remove_path(const char *mount, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	cleanup_close int parent = -1;

	if (slash != NULL) {
		*slash = '\0';
		parent = openat(AT_FDCWD, mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent >= 0) {
			int p2 = openat(parent, copy, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			close(parent);
			parent = p2;
		}
	} else {
		parent = openat(AT_FDCWD, mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (parent >= 0 && remove_tree(parent, slash ? slash + 1 : copy) < 0)
		iso_log(ISO_LOG_WARN, "cannot remove cgroup %s/%s: %s", mount, path, strerror(errno));
}

/* Kills, waits for the cgroups to empty (a second at most), removes. */
static void destroy_dirs(char *const *mounts, char *const *paths, int *dirs, size_t n)
{
	kill_leftovers(dirs, n);
	for (int wait = 0; wait < 1000; wait++) {
		bool empty = true;

		for (size_t i = 0; i < n; i++)
			if (dirs[i] >= 0 && !is_empty(dirs[i]))
				empty = false;
		if (empty)
			break;
		sleep_ms(1);
	}
	for (size_t i = 0; i < n; i++)
		if (dirs[i] >= 0)
			remove_path(mounts[i], paths[i]);
}

void iso_cgroup_destroy(struct iso_cgroup *cg)
{
	size_t n = cg->layout ? cg->layout->n : 0;
	char **mounts = xcalloc(n + 1, sizeof(char *));

	if (cg->dirs != NULL) {
		for (size_t i = 0; i < n; i++)
			mounts[i] = cg->layout->h[i].mount;
		destroy_dirs(mounts, cg->paths, cg->dirs, n);
		for (size_t i = 0; i < n; i++)
			if (cg->dirs[i] >= 0)
				close(cg->dirs[i]);
	}
	free(mounts);
	strv_free(cg->paths);
	free(cg->dirs);
	*cg = (struct iso_cgroup){ 0 };
}

/* A record's line names a cgroup of container ID: its last component is
 * the id, and it is not a hierarchy's root. */
static bool names_container(const char *norm, const char *id)
{
	const char *last = strrchr(norm, '/');

	return strcmp(norm, "/") != 0 && last != NULL && strcmp(last + 1, id) == 0;
}

/* Opens MOUNT/PATH if it is a directory of a cgroup filesystem. */
static int open_cgroup_dir(const char *mount, const char *path)
{
	cleanup_close int m = open(mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int dir = -1;
	struct statfs fs;

	if (m < 0)
		return -1;
	dir = openat(m, path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0 || fstatfs(dir, &fs) < 0)
		return -1;
	if (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC)
		return -1;
	return steal_fd(&dir);
}

void iso_cgroup_destroy_record(const char *record, const char *id)
{
	cleanup_free char *copy = xstrdup(record);
	cleanup_strv char **mounts = xcalloc(1, sizeof(char *));
	cleanup_strv char **paths = xcalloc(1, sizeof(char *));
	cleanup_free int *dirs = NULL;
	char *save = NULL;
	size_t n;

	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		cleanup_free char *rooted = NULL;
		cleanup_free char *norm = NULL;

		if (tab == NULL)
			continue;
		*tab = '\0';
		rooted = xasprintf("/%s", tab + 1);
		norm = path_normalize(rooted);
		if (norm == NULL || !names_container(norm, id) || line[0] != '/')
			continue;
		strv_push(&mounts, line);
		strv_push(&paths, norm + 1);
	}
	n = strv_len(paths);
	dirs = xcalloc(n + 1, sizeof(int));
	for (size_t i = 0; i < n; i++)
		dirs[i] = open_cgroup_dir(mounts[i], paths[i]);
	destroy_dirs(mounts, paths, dirs, n);
	for (size_t i = 0; i < n; i++)
		if (dirs[i] >= 0)
			close(dirs[i]);
}

/* The hierarchy of the host's layout mounted at MOUNT, or -1. */
static int layout_index(const struct iso_cgroup_layout *l, const char *mount)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->h[i].mount, mount) == 0)
			return (int)i;
	return -1;
}

int iso_cgroup_open_record(struct iso_cgroup *cg, const char *record, const char *name,
			   struct iso_error *err)
{
	const struct iso_cgroup_layout *l = iso_cgroup_layout_host(err);
	cleanup_free char *copy = xstrdup(record);
	char *save = NULL;

	*cg = (struct iso_cgroup){ .layout = l };
	if (l == NULL)
		return -1;
	cg->paths = xcalloc(l->n + 1, sizeof(char *));
	cg->dirs = xcalloc(l->n + 1, sizeof(int));
	for (size_t i = 0; i < l->n; i++) {
		cg->dirs[i] = -1;
		cg->paths[i] = xstrdup("");
	}
	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		cleanup_free char *rooted = NULL;
		cleanup_free char *norm = NULL;
		int i;

		if (tab == NULL)
			continue;
		*tab = '\0';
		rooted = xasprintf("/%s", tab + 1);
		norm = path_normalize(rooted);
		i = layout_index(l, line);
		if (i < 0 || norm == NULL || !names_container(norm, name))
			continue;
		free(cg->paths[i]);
		cg->paths[i] = xstrdup(norm + 1);
		cg->dirs[i] = open_cgroup_dir(line, norm + 1);
		if (cg->dirs[i] >= 0)
			cg->any = true;
	}
	return 0;
}

void iso_cgroup_close(struct iso_cgroup *cg)
{
	for (size_t i = 0; cg->dirs != NULL && cg->layout != NULL && i < cg->layout->n; i++)
		if (cg->dirs[i] >= 0)
			close(cg->dirs[i]);
	strv_free(cg->paths);
	free(cg->dirs);
	*cg = (struct iso_cgroup){ 0 };
}
