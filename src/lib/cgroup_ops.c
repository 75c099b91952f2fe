/* What is done to a running container's cgroups from outside: freeze and
 * thaw (pause, resume), the list of its processes (ps, kill --all), new
 * limits (update). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "util.h"

/* The v1 freezer of a v1 or hybrid host, else the v2 cgroup (whose
 * cgroup.freeze every non-root cgroup has); -1 when neither was made. */
static int freezer_dir(const struct iso_cgroup *cg, bool *v1)
{
	int i = cg->layout->unified ? -1 : iso_cg_index(cg, "freezer");

	if (i >= 0 && cg->dirs[i] >= 0 && !cg->layout->h[i].v2) {
		*v1 = true;
		return cg->dirs[i];
	}
	*v1 = false;
	return iso_cgroup_v2_dir(cg);
}

static bool dir_frozen(int dir, bool v1)
{
	cleanup_free char *state = iso_cg_read(dir, v1 ? "freezer.state" : "cgroup.events");

	if (state == NULL)
		return false;
	return v1 ? strncmp(state, "FROZEN", 6) == 0 : strstr(state, "frozen 1") != NULL;
}

bool iso_cgroup_frozen(const struct iso_cgroup *cg)
{
	bool v1;
	int dir = freezer_dir(cg, &v1);

	return dir >= 0 && dir_frozen(dir, v1);
}

int iso_cgroup_freeze(const struct iso_cgroup *cg, bool freeze, struct iso_error *err)
{
	bool v1;
	int dir = freezer_dir(cg, &v1);
	const char *file = v1 ? "freezer.state" : "cgroup.freeze";

	if (dir < 0)
		return iso_error_set(err, 0, "the container has no freezer cgroup");
	if (iso_cg_write(dir, file, freeze ? (v1 ? "FROZEN" : "1") : (v1 ? "THAWED" : "0")) < 0)
		return iso_error_set(err, errno, "write %s of the container's cgroup", file);
	/* a v1 freezer says FREEZING until every task stopped; v2 says
	 * "frozen 1" in cgroup.events once done */
	for (int i = 0; i < 5000; i++) {
		if (dir_frozen(dir, v1) == freeze)
			return 0;
		if (v1 && freeze)
			iso_cg_write(dir, file, "FROZEN");
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	}
	return iso_error_set(err, 0, "the container's cgroup did not %s within 5 s",
			     freeze ? "freeze" : "thaw");
}

/* The first cgroup made: every hierarchy holds every process of the
 * container. */
static int any_dir(const struct iso_cgroup *cg)
{
	int v2 = iso_cgroup_v2_dir(cg);

	if (v2 >= 0)
		return v2;
	for (size_t i = 0; cg->dirs != NULL && i < cg->layout->n; i++)
		if (cg->dirs[i] >= 0)
			return cg->dirs[i];
	return -1;
}

static void push_pid(pid_t **pids, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*pids = xrealloc(*pids, *cap * sizeof(pid_t));
	}
	(*pids)[(*n)++] = pid;
}

/* DIR's cgroup.procs and those of the cgroups below it (a container may
 * make its own, as a nested runtime does). */
static int collect_pids(int dir, int depth, pid_t **pids, size_t *n, size_t *cap)
{
	cleanup_free char *procs = iso_cg_read(dir, "cgroup.procs");
	int fd;
	DIR *d;
	struct dirent *e;

	if (procs == NULL)
		return -1;
	for (char *p = procs; *p != '\0';) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		push_pid(pids, n, cap, (pid_t)pid);
		p = end + (*end != '\0');
	}
	if (depth >= 32 || (fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		int sub;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), e->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			collect_pids(sub, depth + 1, pids, n, cap);
			close(sub);
		}
	}
	closedir(d);
	return 0;
}

int iso_cgroup_pids(const struct iso_cgroup *cg, pid_t **pids, size_t *n, struct iso_error *err)
{
	int dir = any_dir(cg);
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	if (dir < 0)
		return iso_error_set(err, 0, "the container has no cgroup");
	if (collect_pids(dir, 0, pids, n, &cap) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return iso_error_set(err, errno, "read the container's cgroup.procs");
	}
	return 0;
}

void iso_cgroup_remove_empty(const struct iso_cgroup *cg)
{
	for (size_t i = 0; cg->dirs != NULL && cg->layout != NULL && i < cg->layout->n; i++) {
		cleanup_close int m = -1;

		if (cg->dirs[i] < 0 || cg->paths[i][0] == '\0')
			continue;
		m = open(cg->layout->h[i].mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (m >= 0)
			unlinkat(m, cg->paths[i], AT_REMOVEDIR);
	}
}

int iso_cgroup_update(struct iso_cgroup *cg, const struct iso_resources *r, struct iso_error *err)
{
	if (!cg->any)
		return iso_error_set(err, 0, "the container has no cgroup to update");
	return iso_cg_apply(cg, r, err);
}
