#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev.h"
#include "idmap.h"
#include "overlay.h"
#include "log.h"
#include "mntopt.h"
#include "mount.h"
#include "mountinfo.h"
#include "pathres.h"
#include "state.h"
#include "util.h"

/* Filesystems that belong to a namespace: an instance shows the namespace
 * of whoever mounts it, and only a process holding CAP_SYS_ADMIN over that
 * namespace's owner may mount it. */
static const struct {
	const char *type;
	int ns;
} fs_namespaces[] = {
	{ "proc", CLONE_NEWPID },
	{ "sysfs", CLONE_NEWNET },
	{ "mqueue", CLONE_NEWIPC },
	{ "devpts", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "tmpfs", 0 },
	{ "bind", 0 },
};

static bool type_known(const char *type, int *ns)
{
	for (size_t i = 0; i < sizeof(fs_namespaces) / sizeof(fs_namespaces[0]); i++) {
		if (strcmp(type, fs_namespaces[i].type) == 0) {
			*ns = fs_namespaces[i].ns;
			return true;
		}
	}
	return false;
}

bool iso_mount_made_in_container(const struct iso_spec *spec, const struct iso_mount *m)
{
	int ns = 0;

	/* shown from the container's own cgroup namespace, or, without one,
	 * copied from the host by the container */
	if (strcmp(m->type, "cgroup") == 0)
		return true;
	if (!type_known(m->type, &ns))
		return false;
	if (spec->linux_.new_namespaces & ns)
		return true;
	/* a namespace joined by path (a pod's network namespace): its sysfs
	 * or mqueue is the container's to mount, where it may (no user
	 * namespace of its own, which would not own the joined one) */
	for (size_t i = 0; i < spec->n_ns_paths && !iso_spec_has_userns(spec); i++)
		if (spec->ns_paths[i].type == ns)
			return true;
	return false;
}

int iso_rootfs_enter_private_ns(struct iso_error *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return iso_error_set(err, errno, "unshare the mount namespace");
	/* Everything private first: the clones below must not join a peer
	 * group of the host, or mounts made on them would reach the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return iso_error_set(err, errno, "make / private");
	return 0;
}

/* The deepest earlier mount whose destination contains mount I. */
static int find_parent(const struct iso_rootfs *r, size_t i)
{
	int best = -1;

	for (size_t j = 0; j < i; j++) {
		if (strcmp(r->dest[j], r->dest[i]) == 0 || !path_is_under(r->dest[i], r->dest[j]))
			continue;
		if (best < 0 || strlen(r->dest[j]) >= strlen(r->dest[best]))
			best = (int)j;
	}
	return best;
}

static int check_mount(const struct iso_rootfs *r, size_t i, struct iso_error *err)
{
	const struct iso_mount *m = &r->spec->mounts[i];
	struct iso_mntopts opts;
	int p = r->parent[i];

	int ns;

	if (!type_known(m->type, &ns))
		return iso_error_set(err, 0, "mount %s on %s: filesystem type not supported",
				     m->type, m->destination);
	if (iso_mntopts_parse(m->options, &opts, err) < 0)
		return iso_error_prefix(err, "mount %s", m->destination);
	iso_mntopts_free(&opts);
	if (opts.propagation != 0 && opts.propagation != MS_PRIVATE)
		return iso_error_set(err, 0, "mount %s: only private propagation is supported",
				     m->destination);
	if (p >= 0 && iso_mount_made_in_container(r->spec, &r->spec->mounts[p]) &&
	    !iso_mount_made_in_container(r->spec, m))
		return iso_error_set(err, 0, "cannot mount on %s: it lies inside %s (%s), which the container mounts itself",
				     m->destination, r->dest[p], r->spec->mounts[p].type);
	return 0;
}

static int open_bind_source(struct iso_rootfs *r, size_t i, struct iso_error *err)
{
	const struct iso_mount *m = &r->spec->mounts[i];
	struct stat st;

	r->source_fd[i] = open(m->source, O_PATH | O_CLOEXEC);
	if (r->source_fd[i] < 0)
		return iso_error_set(err, errno, "bind mount source %s", m->source);
	if (fstat(r->source_fd[i], &st) < 0)
		return iso_error_set(err, errno, "stat %s", m->source);
	r->source_is_dir[i] = S_ISDIR(st.st_mode);
	return 0;
}

/* Opened now, before the workshop covers /tmp; the overlay itself is made
 * once the user namespace exists to idmap them onto. */
static int open_layers(struct iso_rootfs *r, struct iso_error *err)
{
	const char *upper = r->spec->root.upper;

	r->n_layers = strv_len(r->spec->root.layers);
	r->layer_fd = xcalloc(r->n_layers + 1, sizeof(int));
	for (size_t i = 0; i < r->n_layers; i++)
		r->layer_fd[i] = -1;
	for (size_t i = 0; i < r->n_layers; i++) {
		r->layer_fd[i] = open(r->spec->root.layers[i],
				      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r->layer_fd[i] < 0)
			return iso_error_set(err, errno, "open layer %s", r->spec->root.layers[i]);
	}
	if (upper == NULL)
		return iso_error_set(err, 0, "an image's container needs a directory for its layer");
	r->upper_fd = open(upper, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r->upper_fd < 0)
		return iso_error_set(err, errno, "open %s", upper);
	return 0;
}

static int open_root(struct iso_rootfs *r, struct iso_error *err)
{
	const char *path = r->spec->root.path;

	if (r->spec->root.layers != NULL)
		return open_layers(r, err);
	if (path == NULL)
		return iso_mountinfo_points("/proc/self/mountinfo", &r->host_mounts, err);
	r->dir_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->dir_fd < 0)
		return iso_error_set(err, errno, "rootfs %s", path);
	return 0;
}

static const char *build_dir(const struct iso_rootfs *r)
{
	return r->propagate ? ISO_BUILD_DIR : ISO_STAGE_DIR;
}

/* The workshop: a small private tmpfs on ISO_WORK_DIR.  It hides that
 * directory from this process only, and only after every host object has
 * been opened.  To propagate, ISO_STAGE_DIR in it becomes a shared mount
 * (a bind of itself) that the container's namespace will hold as a slave. */
static int mount_workshop(bool propagate, struct iso_error *err)
{
	if (mount("isolate", ISO_WORK_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=755,size=16k,nr_inodes=16") < 0)
		return iso_error_set(err, errno, "mount tmpfs on %s", ISO_WORK_DIR);
	if (mkdir(ISO_STAGE_DIR, 0755) < 0)
		return iso_error_set(err, errno, "mkdir %s", ISO_STAGE_DIR);
	if (!propagate)
		return 0;
	if (mkdir(ISO_BUILD_DIR, 0755) < 0)
		return iso_error_set(err, errno, "mkdir %s", ISO_BUILD_DIR);
	if (mount(ISO_STAGE_DIR, ISO_STAGE_DIR, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, ISO_STAGE_DIR, NULL, MS_SHARED, NULL) < 0)
		return iso_error_set(err, errno, "make %s a shared mount", ISO_STAGE_DIR);
	return 0;
}

/* Clones the assembled tree, all of it, onto the carrier: one propagation
 * event, so that the container's copy is locked below its root. */
static int publish_tree(struct iso_rootfs *r, struct iso_error *err)
{
	cleanup_close int tree = iso_mount_clone(r->stage_fd, "", true, err);
	cleanup_close int carrier = -1;

	if (tree < 0)
		return -1;
	carrier = open(ISO_STAGE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (carrier < 0)
		return iso_error_set(err, errno, "open %s", ISO_STAGE_DIR);
	if (iso_mount_attach(tree, carrier) < 0)
		return iso_error_set(err, errno, "publish the tree on %s", ISO_STAGE_DIR);
	return 0;
}

int iso_rootfs_open(struct iso_rootfs *r, const struct iso_spec *spec, bool propagate,
		    struct iso_error *err)
{
	size_t n = spec->n_mounts;

	memset(r, 0, sizeof(*r));
	r->spec = spec;
	r->propagate = propagate;
	r->dir_fd = r->stage_fd = r->userns_fd = r->upper_fd = -1;
	r->dest = xcalloc(n + 1, sizeof(char *));
	r->parent = xcalloc(n, sizeof(int));
	r->source_fd = xcalloc(n, sizeof(int));
	r->source_is_dir = xcalloc(n, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		r->source_fd[i] = -1;
		r->dest[i] = path_normalize(spec->mounts[i].destination);
		if (r->dest[i] == NULL || spec->mounts[i].destination[0] != '/')
			return iso_error_set(err, 0, "mount destination %s: not a clean absolute path",
					     spec->mounts[i].destination);
	}
	for (size_t i = 0; i < n; i++) {
		r->parent[i] = find_parent(r, i);
		if (check_mount(r, i, err) < 0)
			return -1;
		if (strcmp(spec->mounts[i].type, "bind") == 0 && open_bind_source(r, i, err) < 0)
			return -1;
	}
	if (open_root(r, err) < 0)
		return -1;
	return mount_workshop(propagate, err);
}

void iso_rootfs_close(struct iso_rootfs *r)
{
	if (r->spec == NULL)
		return;
	for (size_t i = 0; i < r->spec->n_mounts; i++)
		if (r->source_fd[i] >= 0)
			close(r->source_fd[i]);
	strv_free(r->dest);
	strv_free(r->host_mounts);
	free(r->parent);
	free(r->source_fd);
	free(r->source_is_dir);
	if (r->dir_fd >= 0)
		close(r->dir_fd);
	for (size_t i = 0; i < r->n_layers; i++)
		if (r->layer_fd[i] >= 0)
			close(r->layer_fd[i]);
	free(r->layer_fd);
	if (r->upper_fd >= 0)
		close(r->upper_fd);
	if (r->stage_fd >= 0)
		close(r->stage_fd);
	memset(r, 0, sizeof(*r));
	r->dir_fd = r->stage_fd = r->userns_fd = r->upper_fd = -1;
}

/* Creates, inside the mount P reached through HANDLE (its own files, not
 * the idmapped view), the mount points of the mounts that lie in it. */
static int create_mount_points(struct iso_rootfs *r, int p, int handle, struct iso_error *err)
{
	size_t plen = p < 0 ? 0 : strlen(r->dest[p]);

	for (size_t i = (size_t)(p + 1); i < r->spec->n_mounts; i++) {
		const struct iso_mount *m = &r->spec->mounts[i];
		bool is_file = strcmp(m->type, "bind") == 0 && !r->source_is_dir[i];
		int fd;

		if (r->parent[i] != p)
			continue;
		fd = iso_mkpath_in_root(handle, r->dest[i] + plen, is_file, err);
		if (fd < 0)
			return iso_error_prefix(err, "create mount point %s", r->dest[i]);
		close(fd);
	}
	return 0;
}

/* Idmaps when asked and possible; a filesystem that cannot be idmapped is
 * said once (unless QUIET) and used with the plain user namespace
 * mapping. */
static int set_mount_attrs_q(struct iso_rootfs *r, int mnt, bool recursive, uint64_t set,
			     uint64_t clr, bool idmap, const char *what, bool quiet,
			     struct iso_error *err)
{
	if (idmap && r->userns_fd >= 0) {
		if (iso_mount_set(mnt, recursive, set, clr, 0, r->userns_fd) == 0)
			return 0;
		if (!iso_mount_idmap_unsupported(errno))
			return iso_error_set(err, errno, "idmap the mount of %s", what);
		if (!quiet)
			iso_log(ISO_LOG_NOTE, "%s cannot be an idmapped mount (%s); its files keep "
				"the plain user namespace mapping", what, strerror(errno));
	}
	if (iso_mount_set(mnt, recursive, set, clr, 0, -1) < 0)
		return iso_error_set(err, errno, "set the mount attributes of %s", what);
	return 0;
}

static int set_mount_attrs(struct iso_rootfs *r, int mnt, bool recursive, uint64_t set,
			   uint64_t clr, bool idmap, const char *what, struct iso_error *err)
{
	return set_mount_attrs_q(r, mnt, recursive, set, clr, idmap, what, false, err);
}

/* A symlink on the way, the last component included, is followed, but
 * within the root: /data -> /etc mounts on the rootfs's /etc. */
static int attach_at(struct iso_rootfs *r, int mnt, const char *dest, struct iso_error *err)
{
	cleanup_close int target = iso_open_in_root(r->stage_fd, dest, O_PATH);

	if (target < 0 && errno == ENOENT && iso_spec_host_root(r->spec))
		return iso_error_set(err, 0, "mount point %s does not exist in the host's root, which is read-only; pick an existing path or use --rootfs",
				     dest);
	if (target < 0)
		return iso_error_set(err, errno, "open mount point %s", dest);
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "attach the mount on %s", dest);
	return 0;
}

static int open_stage(struct iso_rootfs *r, struct iso_error *err)
{
	r->stage_fd = open(build_dir(r), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->stage_fd < 0)
		return iso_error_set(err, errno, "open %s", build_dir(r));
	return 0;
}

static int attach_stage(struct iso_rootfs *r, int mnt, struct iso_error *err)
{
	cleanup_close int target = open(build_dir(r), O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (target < 0)
		return iso_error_set(err, errno, "open %s", build_dir(r));
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "attach the root on %s", build_dir(r));
	return 0;
}

static bool under_spec_mount(const struct iso_rootfs *r, const char *path)
{
	for (size_t i = 0; i < r->spec->n_mounts; i++)
		if (path_is_under(path, r->dest[i]))
			return true;
	return false;
}

static int attach_host_submounts(struct iso_rootfs *r, struct iso_error *err)
{
	for (size_t i = 0; r->host_mounts[i] != NULL; i++) {
		const char *path = r->host_mounts[i];
		cleanup_close int mnt = -1;
		cleanup_close int target = -1;

		if (under_spec_mount(r, path))
			continue;
		/* Mount points hidden under a later mount are not part of the
		 * host's view either; skip what no longer resolves. */
		mnt = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (mnt < 0)
			continue;
		target = iso_open_in_root(r->stage_fd, path, O_PATH | O_NOFOLLOW);
		if (target < 0)
			continue;
		if (set_mount_attrs(r, mnt, false, MOUNT_ATTR_RDONLY, 0, true, path, err) < 0)
			return -1;
		if (iso_mount_attach(mnt, target) < 0)
			return iso_error_set(err, errno, "attach the host's %s", path);
	}
	return 0;
}

/* The host-root sandbox: "/" and each filesystem mounted below it, each
 * cloned alone and read-only, except where the spec mounts its own.
 * Without host privilege the host's mounts are locked together and can
 * only be cloned as one tree; the spec's mounts then cover /proc and kin. */
static int build_host_root(struct iso_rootfs *r, struct iso_error *err)
{
	cleanup_close int root = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	bool whole = false;

	if (root < 0 && errno == EINVAL) {
		root = iso_mount_clone(AT_FDCWD, "/", true, err);
		whole = true;
	}
	if (root < 0)
		return iso_error_set(err, errno, "clone the mount at /");
	if (set_mount_attrs(r, root, whole, MOUNT_ATTR_RDONLY, 0, true, "/", err) < 0 ||
	    attach_stage(r, root, err) < 0 || open_stage(r, err) < 0)
		return -1;
	return whole ? 0 : attach_host_submounts(r, err);
}

static int build_dir_root(struct iso_rootfs *r, struct iso_error *err)
{
	uint64_t ro = r->spec->root.readonly ? MOUNT_ATTR_RDONLY : 0;
	cleanup_close int root = -1;

	if (create_mount_points(r, -1, r->dir_fd, err) < 0)
		return -1;
	root = iso_mount_clone(r->dir_fd, "", true, err);
	if (root < 0 || set_mount_attrs(r, root, true, ro, 0, true, r->spec->root.path, err) < 0 ||
	    attach_stage(r, root, err) < 0)
		return -1;
	return open_stage(r, err);
}

/* The container's root on the host: who owns what the image's overlay
 * makes (root on disk, through the upper layer's idmap). */
static int container_root(const struct iso_rootfs *r, struct iso_overlay_owner *o,
			  struct iso_error *err)
{
	const struct iso_linux *l = &r->spec->linux_;
	uint32_t uid = 0, gid = 0;

	if (r->userns_fd >= 0 &&
	    (iso_idmap_to_host(l->uid_mappings, l->n_uid_mappings, 0, &uid) < 0 ||
	     iso_idmap_to_host(l->gid_mappings, l->n_gid_mappings, 0, &gid) < 0))
		return iso_error_set(err, 0, "an image needs the container's root mapped to a host id");
	o->uid = uid;
	o->gid = gid;
	return 0;
}

/* In an image's overlay the mount points are made as the container's root
 * (its fs ids), as docker makes them: through the idmapped upper layer,
 * host root itself has no owner to write as. */
static int create_root_mount_points(void *ctx, struct iso_error *err)
{
	struct iso_rootfs *r = ctx;

	return create_mount_points(r, -1, r->stage_fd, err);
}

/* An image: the overlay of its layers, made now that the user namespace
 * exists to idmap them onto; read-only (--read-only) only once the mount
 * points are in its upper layer. */
static int build_overlay_root(struct iso_rootfs *r, struct iso_error *err)
{
	struct iso_overlay_owner owner;
	cleanup_close int root = -1;

	if (container_root(r, &owner, err) < 0)
		return -1;
	if (mkdir(ISO_LAYERS_DIR, 0700) < 0)
		return iso_error_set(err, errno, "mkdir %s", ISO_LAYERS_DIR);
	root = iso_overlay_mount(r->layer_fd, r->n_layers, r->upper_fd, r->userns_fd, &owner,
				 ISO_LAYERS_DIR, !r->propagate, err);
	if (root < 0 || attach_stage(r, root, err) < 0 || open_stage(r, err) < 0 ||
	    iso_as_owner(&owner, create_root_mount_points, r, err) < 0)
		return -1;
	if (r->spec->root.readonly && iso_mount_set(root, false, MOUNT_ATTR_RDONLY, 0, 0, -1) < 0)
		return iso_error_set(err, errno, "make the container's root read-only");
	return 0;
}

static int build_bind(struct iso_rootfs *r, size_t i, const struct iso_mntopts *opts,
		      struct iso_error *err)
{
	const struct iso_mount *m = &r->spec->mounts[i];
	cleanup_close int mnt = -1;

	if (r->source_is_dir[i] && create_mount_points(r, (int)i, r->source_fd[i], err) < 0)
		return -1;
	mnt = iso_mount_clone(r->source_fd[i], "", opts->recursive, err);
	if (mnt < 0)
		return iso_error_prefix(err, "bind %s", m->source);
	/* isolate's own files (/etc/hosts and kin, on the run directory's
	 * tmpfs, which kernels before 6.3 cannot idmap) are only read: no
	 * note about them on every run */
	if (set_mount_attrs_q(r, mnt, opts->recursive, opts->attr_set, opts->attr_clr, opts->idmap,
			      m->destination, path_is_under(m->source, iso_run_dir()), err) < 0)
		return -1;
	return attach_at(r, mnt, r->dest[i], err);
}

/* Without host privilege a proc, sysfs or mqueue of a namespace shared with
 * the host cannot be mounted afresh; the host's own mount shows the same. */
static int clone_host_instance(const char *type, struct iso_error *err)
{
	static const struct { const char *type, *path; } host_paths[] = {
		{ "proc", "/proc" }, { "sysfs", "/sys" }, { "mqueue", "/dev/mqueue" },
	};

	for (size_t i = 0; i < sizeof(host_paths) / sizeof(host_paths[0]); i++)
		if (strcmp(type, host_paths[i].type) == 0)
			return iso_mount_clone(AT_FDCWD, host_paths[i].path, true, err);
	return -1;
}

/* Idmapped tmpfs mounts came with Linux 6.3.  Before it, a tmpfs whose
 * owner options name the host ids of the container's ids looks the same
 * from inside; one small probe per run tells which kernel this is. */
static bool tmpfs_can_idmap(int userns_fd)
{
	struct iso_mntopts none = { 0 };
	struct iso_error ignored;
	cleanup_close int mnt = iso_mount_new_fs("tmpfs", "isolate-probe", &none, "(probe)", &ignored);

	return mnt >= 0 && iso_mount_set(mnt, false, 0, 0, 0, userns_fd) == 0;
}

/* "uid=N"/"gid=N" of the user's (container ids) moved to host ids, and
 * the container's root as the owner when none was given. */
static char **tmpfs_owner_options(const struct iso_rootfs *r, char *const *data)
{
	const struct iso_linux *l = &r->spec->linux_;
	const struct { const char *key; const struct iso_idmap *maps; size_t n; } owners[] = {
		{ "uid=", l->uid_mappings, l->n_uid_mappings },
		{ "gid=", l->gid_mappings, l->n_gid_mappings },
	};
	char **out = xcalloc(1, sizeof(char *));

	for (size_t k = 0; k < 2; k++) {
		uint32_t id = 0, host = 0;

		for (size_t i = 0; data != NULL && data[i] != NULL; i++)
			if (strncmp(data[i], owners[k].key, 4) == 0 && parse_u32(data[i] + 4, &id) < 0)
				id = UINT32_MAX;  /* not a number: unmapped, refused below */
		if (iso_idmap_to_host(owners[k].maps, owners[k].n, id, &host) == 0)
			strv_push_owned(&out, xasprintf("%s%u", owners[k].key, host));
		else
			strv_push_owned(&out, xasprintf("%s%u", owners[k].key, UINT32_MAX));
	}
	for (size_t i = 0; data != NULL && data[i] != NULL; i++)
		if (strncmp(data[i], "uid=", 4) != 0 && strncmp(data[i], "gid=", 4) != 0)
			strv_push(&out, data[i]);
	return out;
}

static int new_tmpfs(struct iso_rootfs *r, const struct iso_mount *m, const char *dest,
		     const struct iso_mntopts *opts, bool *idmap, struct iso_error *err)
{
	struct iso_mntopts owned = *opts;
	int mnt;

	*idmap = r->userns_fd >= 0 && r->tmpfs_idmap;
	if (r->userns_fd < 0 || r->tmpfs_idmap)
		return iso_mount_new_fs("tmpfs", m->source, opts, dest, err);
	owned.data = tmpfs_owner_options(r, opts->data);
	mnt = iso_mount_new_fs("tmpfs", m->source, &owned, dest, err);
	strv_free(owned.data);
	return mnt;
}

/* A tmpfs is owned by the container's root (idmapped, or by its owner
 * options); a proc, sysfs or mqueue made here shows a namespace shared with
 * the host (--pid host and kin), and those filesystems have no idmapping. */
static int build_new_fs(struct iso_rootfs *r, size_t i, const struct iso_mntopts *opts,
			struct iso_error *err)
{
	const struct iso_mount *m = &r->spec->mounts[i];
	bool is_tmpfs = strcmp(m->type, "tmpfs") == 0;
	bool is_dev = is_tmpfs && strcmp(r->dest[i], "/dev") == 0;
	bool idmap = false;
	cleanup_close int mnt = is_tmpfs ? new_tmpfs(r, m, r->dest[i], opts, &idmap, err)
					 : iso_mount_new_fs(m->type, m->source, opts, r->dest[i], err);

	if (mnt < 0 && err->errnum == EPERM && !is_tmpfs)
		mnt = clone_host_instance(m->type, err);
	if (mnt < 0)
		return -1;
	if (is_dev && (iso_dev_populate(mnt, r->spec->process.terminal, err) < 0 ||
		       iso_dev_placeholders(mnt, r->spec, err) < 0))
		return -1;
	if ((is_tmpfs && create_mount_points(r, (int)i, mnt, err) < 0) ||
	    set_mount_attrs(r, mnt, false, 0, 0, idmap, r->dest[i], err) < 0 ||
	    attach_at(r, mnt, r->dest[i], err) < 0)
		return -1;
	return is_dev ? iso_dev_bind_devices(r->stage_fd, err) : 0;
}

int iso_rootfs_build(struct iso_rootfs *r, int userns_fd, struct iso_error *err)
{
	int ret;

	r->userns_fd = userns_fd;
	r->tmpfs_idmap = userns_fd >= 0 && tmpfs_can_idmap(userns_fd);
	if (r->spec->root.layers)
		ret = build_overlay_root(r, err);
	else if (r->spec->root.path)
		ret = build_dir_root(r, err);
	else
		ret = build_host_root(r, err);
	if (ret < 0)
		return -1;
	for (size_t i = 0; i < r->spec->n_mounts; i++) {
		const struct iso_mount *m = &r->spec->mounts[i];
		struct iso_mntopts opts;

		if (iso_mount_made_in_container(r->spec, m))
			continue;
		if (iso_mntopts_parse(m->options, &opts, err) < 0)
			return -1;
		if (strcmp(m->type, "bind") == 0)
			ret = build_bind(r, i, &opts, err);
		else
			ret = build_new_fs(r, i, &opts, err);
		iso_mntopts_free(&opts);
		if (ret < 0)
			return -1;
	}
	if (iso_dev_make_devices(r->stage_fd, r->spec, err) < 0)
		return -1;
	return r->propagate ? publish_tree(r, err) : 0;
}
