#include "proclimits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

static int set_oom_score_adj(pid_t pid, int adj, struct iso_error *err)
{
	char path[64], text[16];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	snprintf(text, sizeof(text), "%d", adj);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		return iso_error_set(err, errno, "set the OOM score adjustment %d of the container", adj);
	return 0;
}

int iso_proclimits_apply(pid_t pid, const struct iso_process *p, struct iso_error *err)
{
	if (p->has_oom_score_adj && set_oom_score_adj(pid, p->oom_score_adj, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct iso_rlimit *r = &p->rlimits[i];
		struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };

		if (prlimit(pid, (enum __rlimit_resource)r->resource, &lim, NULL) < 0)
			return iso_error_set(err, errno, "set the container's ulimit %s",
					     iso_rlimit_name(r->resource));
	}
	return 0;
}
