/* Layer unpacking: each entry of the tar made in DEST (the stream that
 * hands out the entries and hashes them is layer_stream.c; names made
 * safe and trees removed, layer_fs.c).
 *
 * Each entry type is made with calls that never follow the entry's own
 * name: O_CREAT|O_EXCL|O_NOFOLLOW, mkdirat, symlinkat, mknodat, linkat
 * without AT_SYMLINK_FOLLOW, and *at(AT_SYMLINK_NOFOLLOW) or the fd
 * just made for metadata. */
#include "layer_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."      /* aufs metadata: .wh..wh.plnk, .wh..wh.orph */
#define WH_OPAQUE ".wh..wh..opq"

/* ---- messages ---- */


int layer_error(struct unpacker *u, int errnum, const char *fmt, ...)
{
	char what[512], shown_what[512], shown[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	iso_printable(what, shown_what, sizeof(shown_what));
	iso_printable(u->entry, shown, sizeof(shown));
	return iso_error_set(u->err, errnum, "layer entry \"%s\": %s", shown, shown_what);
}

/* ---- names ---- */

/* RAW without "/" in front, "." components and repeated or trailing
 * slashes; "" is the layer's root.  A ".." component is refused, as
 * docker refuses a name that climbs out: a layer made by a build never
 * has one, and a name that only seems to stay inside ("a/../x") would
 * depend on what "a" is. */
static int clean_name(struct unpacker *u, const char *raw, const char *what, char **out)
{
	char *res = xmalloc(strlen(raw) + 1), *w = res;
	const char *p = raw;

	for (;;) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(res);
			return layer_error(u, 0, "%s has a \"..\" component, which is not allowed", what);
		}
		if (!(n == 1 && p[0] == '.')) {
			if (w != res)
				*w++ = '/';
			memcpy(w, p, n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
	*out = res;
	return 0;
}

/* Splits a cleaned NAME in place into its directory ("" at the top) and
 * returns its last component. */
static char *split_name(char *name, const char **dir)
{
	char *slash = strrchr(name, '/');

	if (slash == NULL) {
		*dir = "";
		return name;
	}
	*slash = '\0';
	*dir = name;
	return slash + 1;
}

/* aufs keeps hardlink sources and orphans in .wh..wh.* directories; an
 * OCI layer has none, docker skips them. */
static bool is_aufs_meta(const char *name)
{
	const char *p = name;

	for (;;) {
		size_t n = strcspn(p, "/");

		if (strncmp(p, WH_META, strlen(WH_META)) == 0 &&
		    !(p[n] == '\0' && strcmp(p, WH_OPAQUE) == 0))
			return true;
		if (p[n] == '\0')
			return false;
		p += n + 1;
	}
}

/* ---- metadata ---- */

struct meta {
	uid_t uid;
	gid_t gid;
	mode_t mode;
	struct timespec times[2];   /* atime, mtime */
};

static int entry_meta(struct unpacker *u, struct archive_entry *e, bool dir, struct meta *m)
{
	la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

	/* (uid_t)-1 would mean "leave as is" to chown */
	if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
		return layer_error(u, 0, "owner %lld:%lld is out of range", (long long)uid,
				   (long long)gid);
	m->uid = (uid_t)uid;
	m->gid = (gid_t)gid;
	m->mode = archive_entry_perm(e) & 07777;
	/* Without privilege the file is the caller's: a setuid bit would make
	 * it a program that runs as the caller for whoever may run it, which
	 * the layer did not ask for. */
	if (u->o->rootless && !dir) {
		if (m->uid != u->uid)
			m->mode &= (mode_t)~S_ISUID;
		if (m->gid != u->gid)
			m->mode &= (mode_t)~S_ISGID;
	}
	m->times[1].tv_sec = archive_entry_mtime(e);
	m->times[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (!archive_entry_mtime_is_set(e))
		m->times[1].tv_nsec = UTIME_OMIT;
	m->times[0] = m->times[1];
	if (archive_entry_atime_is_set(e)) {
		m->times[0].tv_sec = archive_entry_atime(e);
		m->times[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	return 0;
}

/* chown NAME in DIRFD (or DIRFD itself for ""), never following it: as
 * root to the layer's numeric owner; rootless, the caller keeps it. */
static int set_owner(struct unpacker *u, int dirfd, const char *name, const struct meta *m)
{
	int flags = AT_SYMLINK_NOFOLLOW | (*name == '\0' ? AT_EMPTY_PATH : 0);

	if (u->o->rootless)
		return 0;
	if (fchownat(dirfd, name, m->uid, m->gid, flags) < 0)
		return layer_error(u, errno, "chown to %u:%u", (unsigned)m->uid, (unsigned)m->gid);
	return 0;
}

/* user.* (but user.overlay.*, which an overlay mounted with userxattr
 * reads as its own) and file capabilities; trusted.* would let a layer
 * forge overlayfs' whiteouts, opaque dirs and redirects, and other
 * security.* labels are the host's to give. */
static bool xattr_allowed(const char *name)
{
	if (strncmp(name, "user.", 5) == 0)
		return strncmp(name, "user.overlay.", 13) != 0;
	return strcmp(name, "security.capability") == 0;
}

/* The entry's xattrs on FD; FD -1 (symlinks, devices, fifos: no fd to
 * set them through) skips them all, counted. */
static int set_xattrs(struct unpacker *u, struct archive_entry *e, int fd)
{
	int n = archive_entry_xattr_reset(e), i = 0;
	cleanup_free const char **seen = NULL;
	const char *name;
	const void *value;
	size_t size;

	if (n <= 0)
		return 0;
	seen = xcalloc((size_t)n, sizeof(*seen));
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK && i < n) {
		bool again = false;

		if (name == NULL)
			continue;
		/* libarchive's pax writer records each xattr twice (LIBARCHIVE.xattr
		 * and SCHILY.xattr) and its reader hands out both: the first wins */
		for (int j = 0; j < i && !again; j++)
			again = strcmp(seen[j], name) == 0;
		if (again)
			continue;
		seen[i++] = name;
		if (fd < 0 || !xattr_allowed(name)) {
			iso_log(ISO_LOG_DEBUG, "layer: xattr %s of %s skipped", name, u->entry);
			u->st->skipped_xattrs++;
			continue;
		}
		if (fsetxattr(fd, name, value, size, 0) == 0)
			continue;
		/* a filesystem without user xattrs; capabilities need CAP_SETFCAP */
		if (errno == ENOTSUP || (errno == EPERM && u->o->rootless)) {
			iso_log(ISO_LOG_DEBUG, "layer: xattr %s of %s not set: %s", name, u->entry,
				strerror(errno));
			u->st->skipped_xattrs++;
			continue;
		}
		return layer_error(u, errno, "set xattr %s", name);
	}
	return 0;
}

/* Owner, mode (after the owner: chown clears setuid), xattrs (after the
 * owner too: chown clears file capabilities) and times of a file or a
 * node made at NAME in PARENT, through FD when there is one. */
static int set_meta(struct unpacker *u, struct archive_entry *e, int fd, int parent,
		    const char *name, const struct meta *m)
{
	if (fd >= 0) {
		if (set_owner(u, fd, "", m) < 0)
			return -1;
		if (fchmod(fd, m->mode) < 0)
			return layer_error(u, errno, "chmod to %04o", (unsigned)m->mode);
		if (set_xattrs(u, e, fd) < 0)
			return -1;
		if (futimens(fd, m->times) < 0)
			return layer_error(u, errno, "set times");
		return 0;
	}
	if (set_owner(u, parent, name, m) < 0)
		return -1;
	if (fchmodat(parent, name, m->mode, AT_SYMLINK_NOFOLLOW) < 0)
		return layer_error(u, errno, "chmod to %04o", (unsigned)m->mode);
	if (set_xattrs(u, e, -1) < 0)
		return -1;
	if (utimensat(parent, name, m->times, AT_SYMLINK_NOFOLLOW) < 0)
		return layer_error(u, errno, "set times");
	return 0;
}

/* ---- entries ---- */

static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* The entry's data into FD: blocks at their offsets, so that a sparse
 * entry leaves holes; a hole at the end is made by the final size. */
static int write_data(struct unpacker *u, struct archive *a, struct archive_entry *e, int fd)
{
	int64_t end = 0;

	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return layer_error(u, 0, "read: %s", archive_error_string(a));
		if (off < 0 || len > (size_t)(INT64_MAX - off))
			return layer_error(u, 0, "read: a block at a bad offset");
		if (pwrite_all(fd, buf, len, (off_t)off) < 0)
			return layer_error(u, errno, "write");
		u->st->bytes += len;
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
	}
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > end &&
	    ftruncate(fd, (off_t)archive_entry_size(e)) < 0)
		return layer_error(u, errno, "write");
	return 0;
}

static int make_file(struct unpacker *u, struct archive *a, struct archive_entry *e, int parent,
		     const char *base)
{
	cleanup_close int fd = -1;
	struct meta m;

	if (entry_meta(u, e, false, &m) < 0 || layer_clear(u, parent, base, false, NULL) < 0)
		return -1;
	fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return layer_error(u, errno, "create");
	if (layer_made(u, parent, base) < 0 || write_data(u, a, e, fd) < 0 ||
	    set_meta(u, e, fd, -1, NULL, &m) < 0)
		return -1;
	if (close(steal_fd(&fd)) < 0)
		return layer_error(u, errno, "write");
	return 0;
}

/* A directory is made 0700 (its owner set now), written into, and given
 * its mode and times at the end of the layer.  A directory already there
 * stays, with the entry's metadata. */
static int make_dir(struct unpacker *u, struct archive_entry *e, int parent, const char *name,
		    const char *base)
{
	cleanup_close int fd = -1;
	struct dirmeta *d;
	struct stat st;
	struct meta m;
	bool kept;

	if (entry_meta(u, e, true, &m) < 0 || layer_clear(u, parent, base, true, &kept) < 0)
		return -1;
	if (!kept && mkdirat(parent, base, 0700) < 0)
		return layer_error(u, errno, "create directory");
	fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return layer_error(u, errno, "open directory");
	if (fstat(fd, &st) < 0)
		return layer_error(u, errno, "stat directory");
	if (st.st_dev != u->dev)
		return layer_error(u, 0, "a mount point is in the way");
	if (layer_made(u, parent, base) < 0 || set_owner(u, fd, "", &m) < 0)
		return -1;
	/* rootless: an earlier layer's directory may keep its owner, the
	 * caller, out; its final mode comes back at the end */
	if (kept && u->o->rootless && (st.st_mode & S_IRWXU) != S_IRWXU &&
	    fchmod(fd, (st.st_mode & 07777) | S_IRWXU) < 0)
		return layer_error(u, errno, "chmod directory");
	if (set_xattrs(u, e, fd) < 0)
		return -1;
	d = layer_push_dir(u);
	d->path = xstrdup(name);
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->mode = m.mode;
	d->times[0] = m.times[0];
	d->times[1] = m.times[1];
	return 0;
}

static int make_symlink(struct unpacker *u, struct archive_entry *e, int parent, const char *base)
{
	const char *target = archive_entry_symlink(e);
	struct meta m;

	if (target == NULL)
		target = archive_entry_symlink_utf8(e);
	if (target == NULL || *target == '\0')
		return layer_error(u, 0, "a symlink without a target");
	if (entry_meta(u, e, false, &m) < 0 || layer_clear(u, parent, base, false, NULL) < 0)
		return -1;
	/* the target is kept as written: nothing here ever follows it */
	if (symlinkat(target, parent, base) < 0)
		return layer_error(u, errno, "create symlink");
	if (layer_made(u, parent, base) < 0 || set_owner(u, parent, base, &m) < 0 ||
	    set_xattrs(u, e, -1) < 0)
		return -1;
	if (utimensat(parent, base, m.times, AT_SYMLINK_NOFOLLOW) < 0)
		return layer_error(u, errno, "set times");
	return 0;
}

/* A hardlink names an entry of the layer: its directory is resolved
 * inside DEST like any name, and linkat without AT_SYMLINK_FOLLOW links
 * the entry itself, so a link to a symlink is a second name of that
 * symlink (as tar makes it), never of what it points to.  A link keeps
 * its target's metadata. */
static int make_hardlink(struct unpacker *u, struct archive_entry *e, int parent, const char *base)
{
	const char *raw = archive_entry_hardlink(e);
	cleanup_free char *target = NULL;
	cleanup_close int tparent = -1;
	struct stat tst, st;
	const char *tdir, *tbase;

	if (raw == NULL)
		raw = archive_entry_hardlink_utf8(e);
	if (raw == NULL)
		return layer_error(u, 0, "a hardlink without a target");
	if (clean_name(u, raw, "the hardlink's target", &target) < 0)
		return -1;
	if (*target == '\0')
		return layer_error(u, 0, "a hardlink to the layer's root directory");
	tbase = split_name(target, &tdir);
	tparent = layer_parent(u, tdir, false);
	if (tparent < 0 || fstatat(tparent, tbase, &tst, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return layer_error(u, 0, "the hardlink's target %s%s%s is not in the layer", tdir,
					   *tdir ? "/" : "", tbase);
		return layer_error(u, errno, "the hardlink's target %s%s%s", tdir, *tdir ? "/" : "",
				   tbase);
	}
	if (S_ISDIR(tst.st_mode))
		return layer_error(u, 0, "the hardlink's target %s%s%s is a directory", tdir,
				   *tdir ? "/" : "", tbase);
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == tst.st_dev &&
	    st.st_ino == tst.st_ino)
		return layer_made(u, parent, base);
	if (layer_clear(u, parent, base, false, NULL) < 0)
		return -1;
	if (linkat(tparent, tbase, parent, base, 0) < 0)
		return layer_error(u, errno, "link to %s%s%s", tdir, *tdir ? "/" : "", tbase);
	return layer_made(u, parent, base);
}

/* Devices and fifos.  Without privilege mknod of a device fails: it is
 * skipped and counted (a fifo needs no privilege). */
static int make_node(struct unpacker *u, struct archive_entry *e, int parent, const char *base)
{
	mode_t type = archive_entry_filetype(e);
	struct meta m;

	if (type != AE_IFIFO && u->o->rootless) {
		iso_log(ISO_LOG_DEBUG, "layer: device %s skipped (rootless)", u->entry);
		u->st->skipped_devices++;
		return 0;
	}
	if (entry_meta(u, e, false, &m) < 0 || layer_clear(u, parent, base, false, NULL) < 0)
		return -1;
	if (mknodat(parent, base, type | 0600, type == AE_IFIFO ? 0 : archive_entry_rdev(e)) < 0)
		return layer_error(u, errno, "create %s", type == AE_IFIFO ? "fifo" : "device");
	if (layer_made(u, parent, base) < 0)
		return -1;
	return set_meta(u, e, -1, parent, base, &m);
}

/* ".wh..wh..opq" in DIR: overlay, DIR gets the opaque xattr; flatten,
 * DIR loses what earlier layers put in it. */
static int opaque(struct unpacker *u, const char *dir)
{
	const char *xattr = u->o->userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
	cleanup_close int parent = -1;
	cleanup_close int fd = -1;

	/* DIR is resolved as any parent is: a symlink of the layer on the way,
	 * or DIR itself, resolves inside DEST */
	if (u->o->mode == ISO_LAYER_FLATTEN) {
		fd = layer_open(u, dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		if (fd < 0)
			return layer_error(u, errno, "open directory %s", *dir ? dir : "/");
		if (layer_writable(u, fd, dir) < 0)
			return -1;
		return layer_opaque(u, fd);
	}
	parent = layer_parent(u, dir, true);
	if (parent < 0)
		return -1;
	fd = layer_open(u, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return layer_error(u, errno, "open directory %s", *dir ? dir : "/");
	if (fsetxattr(fd, xattr, "y", 1, 0) < 0)
		return layer_error(u, errno, "set %s", xattr);
	return 0;
}

/* ".wh.NAME" in DIR: overlay, a 0/0 character device NAME (overlayfs'
 * whiteout, which kernels since 5.8 let anyone make); flatten, NAME is
 * removed. */
static int whiteout(struct unpacker *u, struct archive_entry *e, const char *dir,
		    const char *base)
{
	const char *name = base + strlen(WH_PREFIX);
	cleanup_close int parent = -1;
	struct meta m;

	if (strcmp(base, WH_OPAQUE) == 0)
		return opaque(u, dir);
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return layer_error(u, 0, "a whiteout must name an entry");
	if (u->o->mode == ISO_LAYER_FLATTEN) {
		parent = layer_parent(u, dir, false);
		if (parent < 0 && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		if (parent < 0)
			return layer_error(u, errno, "open directory %s", *dir ? dir : "/");
		if (layer_writable(u, parent, dir) < 0)
			return -1;
		return layer_remove(u, parent, name);
	}
	parent = layer_parent(u, dir, true);
	if (parent < 0 || entry_meta(u, e, false, &m) < 0 ||
	    layer_clear(u, parent, name, false, NULL) < 0)
		return -1;
	if (mknodat(parent, name, S_IFCHR, makedev(0, 0)) < 0)
		return layer_error(u, errno, "create the whiteout %s", name);
	return set_owner(u, parent, name, &m);
}

static int unpack_entry(struct unpacker *u, struct archive *a, struct archive_entry *e)
{
	cleanup_close int parent = -1;
	cleanup_free char *name = NULL;
	cleanup_free char *copy = NULL;
	const char *dir;
	char *base;

	/* names are bytes; a pax name libarchive cannot give in the locale's
	 * charset it still gives as UTF-8 */
	u->entry = archive_entry_pathname(e);
	if (u->entry == NULL)
		u->entry = archive_entry_pathname_utf8(e);
	if (u->entry == NULL)
		return iso_error_set(u->err, 0, "layer entry %llu has no name (or one that cannot be read)",
				     (unsigned long long)u->st->entries);
	if (clean_name(u, u->entry, "the name", &name) < 0)
		return -1;
	/* the root: docker and containerd leave DEST as it is */
	if (*name == '\0')
		return 0;
	if (is_aufs_meta(name)) {
		iso_log(ISO_LOG_DEBUG, "layer: aufs metadata %s skipped", u->entry);
		return 0;
	}
	copy = xstrdup(name);
	base = split_name(copy, &dir);
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return whiteout(u, e, dir, base);
	parent = layer_parent(u, dir, true);
	if (parent < 0)
		return -1;
	if (archive_entry_hardlink(e) != NULL || archive_entry_hardlink_utf8(e) != NULL)
		return make_hardlink(u, e, parent, base);
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return make_file(u, a, e, parent, base);
	case AE_IFDIR:
		return make_dir(u, e, parent, name, base);
	case AE_IFLNK:
		return make_symlink(u, e, parent, base);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return make_node(u, e, parent, base);
	case AE_IFSOCK:
		iso_log(ISO_LOG_DEBUG, "layer: socket %s skipped", u->entry);
		return 0;
	default:
		return layer_error(u, 0, "unknown type %o", (unsigned)archive_entry_filetype(e));
	}
}

static int unpack_all(struct unpacker *u, struct layer_stream *s)
{
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(s->inner, &e);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return layer_stream_error(s, u->err);
		if (r == ARCHIVE_WARN)
			iso_log(ISO_LOG_DEBUG, "layer: %s", archive_error_string(s->inner));
		u->st->entries++;
		if (unpack_entry(u, s->inner, e) < 0)
			return -1;
	}
}

int iso_layer_unpack(int fd, int dest_fd, const struct iso_layer_opts *o, iso_digest_t diff_id,
		     struct iso_layer_stats *st, struct iso_error *err)
{
	static const struct iso_layer_opts defaults = { .mode = ISO_LAYER_OVERLAY };
	struct iso_layer_stats local;
	struct layer_stream s = { 0 };
	struct unpacker u = {
		.root = dest_fd,
		.o = o != NULL ? o : &defaults,
		.uid = geteuid(),
		.gid = getegid(),
		.st = st != NULL ? st : &local,
		.err = err,
	};
	struct stat dst;
	int r = -1;

	memset(u.st, 0, sizeof(*u.st));
	if (fstat(dest_fd, &dst) < 0)
		return iso_error_set(err, errno, "unpack layer: stat the destination");
	if (!S_ISDIR(dst.st_mode))
		return iso_error_set(err, ENOTDIR, "unpack layer: the destination");
	u.dev = dst.st_dev;
	if (layer_stream_open(&s, fd, err) == 0 && unpack_all(&u, &s) == 0 &&
	    layer_stream_drain(&s, err) == 0 && layer_finish_dirs(&u) == 0) {
		iso_sha256_final(&s.sha, diff_id);
		r = 0;
	}
	u.st->tar_bytes = s.bytes;
	layer_stream_close(&s);
	for (size_t i = 0; i < u.ndirs; i++)
		free(u.dirs[i].path);
	free(u.dirs);
	layer_nameset_free(&u.made);
	return r;
}
