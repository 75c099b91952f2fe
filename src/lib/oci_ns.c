/* linux.namespaces[].path: namespaces the container joins, as a pod's
 * containers join its sandbox's network, IPC and UTS namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "oci_int.h"
#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static const char *ns_name(int type)
{
	switch (type) {
	case CLONE_NEWNET: return "network";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWNS: return "mount";
	default: return "unknown";
	}
}

int iso_oci_check_namespaces(const struct iso_spec *spec, struct iso_error *err)
{
	for (size_t i = 0; i < spec->n_ns_paths; i++) {
		const struct iso_ns_path *n = &spec->ns_paths[i];
		cleanup_close int fd = -1;
		struct statfs fs;

		/* the runtime builds the tree and writes the maps from the
		 * host's namespaces: it cannot do so from within these */
		if (n->type == CLONE_NEWUSER || n->type == CLONE_NEWNS)
			return iso_error_set(err, 0, "linux.namespaces: joining a %s namespace by path "
					     "(%s) is not supported", ns_name(n->type), n->path);
		fd = open(n->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return iso_error_set(err, errno, "open the %s namespace %s", ns_name(n->type), n->path);
		if (fstatfs(fd, &fs) < 0 || (fs.f_type != NSFS_MAGIC && fs.f_type != PROC_SUPER_MAGIC))
			return iso_error_set(err, 0, "%s: not a namespace file", n->path);
	}
	return 0;
}

static const char *proc_name(int type)
{
	switch (type) {
	case CLONE_NEWNET: return "net";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWPID: return "pid";
	default: return "cgroup";
	}
}

int iso_oci_join_namespaces(const struct iso_spec *spec, struct iso_oci_own_ns *own,
			    struct iso_error *err)
{
	own->n = 0;
	for (size_t i = 0; i < spec->n_ns_paths; i++) {
		const struct iso_ns_path *n = &spec->ns_paths[i];
		cleanup_close int fd = open(n->path, O_RDONLY | O_CLOEXEC);
		char self[64];

		if (fd < 0)
			return iso_error_set(err, errno, "open the %s namespace %s", ns_name(n->type), n->path);
		if (own->n == sizeof(own->fd) / sizeof(own->fd[0]))
			return iso_error_set(err, 0, "linux.namespaces: too many paths");
		snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name(n->type));
		own->fd[own->n] = open(self, O_RDONLY | O_CLOEXEC);
		if (own->fd[own->n] < 0)
			return iso_error_set(err, errno, "open %s", self);
		own->type[own->n++] = n->type;
		if (setns(fd, n->type) < 0)
			return iso_error_set(err, errno, "join the %s namespace %s", ns_name(n->type), n->path);
	}
	return 0;
}

int iso_oci_leave_namespaces(struct iso_oci_own_ns *own, struct iso_error *err)
{
	int r = 0;

	while (own->n > 0) {
		own->n--;
		if (r == 0 && setns(own->fd[own->n], own->type[own->n]) < 0)
			r = iso_error_set(err, errno, "return to the runtime's %s namespace",
					  ns_name(own->type[own->n]));
		close(own->fd[own->n]);
	}
	return r;
}
