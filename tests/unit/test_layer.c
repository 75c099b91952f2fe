/* image/layer.h: layers unpacked safely, whiteouts, the diff_id.
 *
 * Each test gets a fresh directory T:
 *
 *   T/tars/       the layers it writes (libarchive's writer)
 *   T/dest/       where they are unpacked
 *   T/sentinel/   an empty directory next to dest: a layer that escaped
 *                 would write here (its symlinks aim at it)
 *   T/outside     a file next to dest: hardlinks aim at it
 *
 * and every malicious case ends by checking that T holds just these,
 * sentinel still empty and outside untouched.  Tests run as root; the
 * rootless case runs in a child that became nobody (65534).
 */
#include "helpers.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <locale.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "image/digest.h"
#include "image/layer.h"

#define NOBODY 65534
#define MTIME 1500000000

enum filter { PLAIN, GZIP, ZSTD, LZ4 };

/* A tar entry; unset fields get plain defaults (a 0644 file, a 0755
 * directory, owner 0:0, mtime MTIME). */
struct ent {
	const char *name;
	mode_t type;              /* AE_IFREG when 0 */
	mode_t mode;
	const char *data;
	const char *symlink;
	const char *hardlink;
	int64_t uid, gid;
	time_t mtime;
	unsigned rmajor, rminor;
	const char *xattrs[8];    /* name, value, name, value... */
};

struct lt {
	struct tmpdir *t;
	int dest;                 /* T/dest, O_PATH */
	char *dest_path;
	int n;                    /* tars written */
};

static void add_entry(struct archive *a, const struct ent *x)
{
	struct archive_entry *e = archive_entry_new();
	mode_t type = x->type ? x->type : AE_IFREG;
	size_t len = x->data ? strlen(x->data) : 0;

	assert_non_null(e);
	archive_entry_set_pathname(e, x->name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, x->mode ? x->mode : type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_uid(e, x->uid);
	archive_entry_set_gid(e, x->gid);
	archive_entry_set_mtime(e, x->mtime ? x->mtime : MTIME, 0);
	if (x->symlink)
		archive_entry_set_symlink(e, x->symlink);
	if (x->hardlink)
		archive_entry_set_hardlink(e, x->hardlink);
	if (type == AE_IFCHR || type == AE_IFBLK)
		archive_entry_set_rdev(e, makedev(x->rmajor, x->rminor));
	for (int i = 0; x->xattrs[i] != NULL; i += 2)
		archive_entry_xattr_add_entry(e, x->xattrs[i], x->xattrs[i + 1],
					      strlen(x->xattrs[i + 1]));
	archive_entry_set_size(e, type == AE_IFREG && !x->hardlink ? (la_int64_t)len : 0);
	/* a name that is not UTF-8 ("latin1-\xe9") is a warning */
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	if (len > 0 && !x->hardlink)
		assert_int_equal(archive_write_data(a, x->data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static void add_filter(struct archive *a, enum filter f)
{
	if (f == GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	else if (f == ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	else if (f == LZ4)
		assert_int_equal(archive_write_add_filter_lz4(a), ARCHIVE_OK);
}

/* Writes the entries (up to one with no name) as a pax tar at PATH.  In
 * a UTF-8 locale, so that a name that is not ASCII goes in a pax "path"
 * record as UTF-8, as Go's archive/tar (docker, buildkit) writes it; the
 * layer is read in the C locale, as isolate runs. */
static void write_tar(const char *path, enum filter f, const struct ent *ents)
{
	struct archive *a = archive_write_new();
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old;

	assert_non_null(a);
	assert_non_null(utf8);
	old = uselocale(utf8);
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	add_filter(a, f);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (; ents->name != NULL; ents++)
		add_entry(a, ents);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	uselocale(old);
	freelocale(utf8);
}

/* A new tar in T/tars; the caller frees the path. */
static char *new_tar(struct lt *l, enum filter f, const struct ent *ents)
{
	char *path = xasprintf("%s/tars/%d.tar", l->t->path, l->n++);

	write_tar(path, f, ents);
	return path;
}

#define TAR(l, f, ...) new_tar(l, f, (const struct ent[]){ __VA_ARGS__, { 0 } })

/* The file SRC compressed as it is (libarchive's raw format) into DST. */
static void compress_file(const char *src, const char *dst, enum filter f)
{
	cleanup_free char *data = NULL;
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t len;

	assert_int_equal(read_file_at(AT_FDCWD, src, &data, &len, NULL), 0);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	add_filter(a, f);
	assert_int_equal(archive_write_open_filename(a, dst), ARCHIVE_OK);
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
}

static int lt_setup(void **state)
{
	struct lt *l = xcalloc(1, sizeof(*l));
	int dfd;

	if (tmpdir_setup(state) < 0) {
		free(l);
		return -1;
	}
	l->t = *state;
	*state = l;
	l->dest = -1;
	dfd = open(l->t->path, O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	if (mkdirat(dfd, "tars", 0700) < 0 || mkdirat(dfd, "dest", 0755) < 0 ||
	    mkdirat(dfd, "sentinel", 0755) < 0) {
		close(dfd);
		return -1;
	}
	close(dfd);
	free(tmp_file(l->t, "outside", "outside\n"));
	l->dest_path = tmp_path(l->t, "dest");
	l->dest = open(l->dest_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return l->dest < 0 ? -1 : 0;
}

static int lt_teardown(void **state)
{
	struct lt *l = *state;

	if (l->dest >= 0)
		close(l->dest);
	free(l->dest_path);
	*state = l->t;
	free(l);
	return tmpdir_teardown(state);
}

static struct iso_layer_opts overlay = { .mode = ISO_LAYER_OVERLAY };
static struct iso_layer_opts flatten = { .mode = ISO_LAYER_FLATTEN };

static int unpack_opts(struct lt *l, const char *tar, const struct iso_layer_opts *o,
		       struct iso_layer_stats *st, struct iso_error *err, iso_digest_t d)
{
	cleanup_close int fd = open(tar, O_RDONLY | O_CLOEXEC);
	iso_digest_t ignored;

	assert_true(fd >= 0);
	memset(err, 0, sizeof(*err));
	return iso_layer_unpack(fd, l->dest, o, d ? d : ignored, st, err);
}

#define assert_unpacks(l, tar, o) check_unpacks(__FILE__, __LINE__, l, tar, o)

static void check_unpacks(const char *file, int line, struct lt *l, const char *tar,
			  const struct iso_layer_opts *o)
{
	struct iso_error err;
	int r = unpack_opts(l, tar, o, NULL, &err, NULL);

	if (r != 0)
		print_error("unexpected error: %s\n", err.msg);
	_assert_int_equal(r, 0, file, line);
}

/* The unpack fails with a message holding FRAGMENT. */
#define assert_refused(l, tar, o, fragment) check_refused(__FILE__, __LINE__, l, tar, o, fragment)

static void check_refused(const char *file, int line, struct lt *l, const char *tar,
			  const struct iso_layer_opts *o, const char *fragment)
{
	struct iso_error err;
	int r = unpack_opts(l, tar, o, NULL, &err, NULL);

	_assert_int_equal(r, -1, file, line);
	if (strstr(err.msg, fragment) == NULL)
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
	_assert_true(strstr(err.msg, fragment) != NULL, "message fragment", file, line);
}

/* ---- checks on the result ---- */

static int lstat_in(struct lt *l, const char *name, struct stat *st)
{
	return fstatat(l->dest, name, st, AT_SYMLINK_NOFOLLOW);
}

#define assert_entry(...) check_entry(__FILE__, __LINE__, __VA_ARGS__)

/* NAME in dest has the type and permission bits MODE. */
static void check_entry(const char *file, int line, struct lt *l, const char *name, mode_t mode)
{
	struct stat st;

	if (lstat_in(l, name, &st) < 0)
		print_error("%s: %s\n", name, strerror(errno));
	_assert_int_equal(lstat_in(l, name, &st), 0, file, line);
	_assert_int_equal(st.st_mode, mode, file, line);
}

#define assert_absent(...) check_absent(__FILE__, __LINE__, __VA_ARGS__)

static void check_absent(const char *file, int line, struct lt *l, const char *name)
{
	struct stat st;

	errno = 0;
	_assert_int_equal(lstat_in(l, name, &st), -1, file, line);
	_assert_int_equal(errno, ENOENT, file, line);
}

#define assert_content(...) check_content(__FILE__, __LINE__, __VA_ARGS__)

static void check_content(const char *file, int line, int dirfd, const char *name,
			  const char *want)
{
	cleanup_free char *got = NULL;
	size_t len;

	_assert_int_equal(read_file_at(dirfd, name, &got, &len, NULL), 0, file, line);
	_assert_string_equal(got, want, file, line);
}

/* T holds tars, dest, sentinel (empty) and outside (as made): nothing
 * was written outside dest. */
#define assert_nothing_outside(l) check_nothing_outside(__FILE__, __LINE__, l)

static void check_nothing_outside(const char *file, int line, struct lt *l)
{
	static const char *const expected[] = { "dest", "outside", "sentinel", "tars" };
	cleanup_free char *sentinel = tmp_path(l->t, "sentinel");
	struct dirent **names = NULL;
	struct stat st;
	int n;

	n = scandir(l->t->path, &names, NULL, alphasort);
	_assert_int_equal(n, 6, file, line);   /* with . and .. */
	for (int i = 0; i < n; i++) {
		if (i >= 2)
			_assert_string_equal(names[i]->d_name, expected[i - 2], file, line);
		free(names[i]);
	}
	free(names);
	n = scandir(sentinel, &names, NULL, NULL);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	_assert_int_equal(n, 2, file, line);
	check_content(file, line, l->t->fd, "outside", "outside\n");
	_assert_int_equal(fstatat(l->t->fd, "outside", &st, AT_SYMLINK_NOFOLLOW), 0, file, line);
	_assert_int_equal(st.st_nlink, 1, file, line);
	_assert_int_equal(st.st_mode, S_IFREG | 0644, file, line);
}

static char *xattr_of(struct lt *l, const char *name, const char *attr)
{
	cleanup_close int fd = openat(l->dest, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[256];
	ssize_t n;

	assert_true(fd >= 0);
	n = fgetxattr(fd, attr, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	return xstrndup(buf, (size_t)n);
}

/* ---- what a layer holds ---- */

static void unpacks_files_dirs_symlinks_and_hardlinks_with_their_metadata(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "etc/", .type = AE_IFDIR, .mode = 0750, .uid = 7, .gid = 8, .mtime = 1000 },
		{ .name = "etc/passwd", .data = "root:x:0:0\n", .mode = 0640, .uid = 1000, .gid = 1001,
		  .mtime = 2000 },
		{ .name = "bin/", .type = AE_IFDIR },
		{ .name = "bin/su", .data = "#!\n", .mode = 04755, .mtime = 3000 },
		{ .name = "bin/wall", .data = "#!\n", .mode = 02755, .gid = 5 },
		{ .name = "tmp/", .type = AE_IFDIR, .mode = 01777 },
		{ .name = "bin/sh", .type = AE_IFLNK, .symlink = "/bin/busybox", .uid = 3, .gid = 4,
		  .mtime = 4000 },
		{ .name = "bin/su2", .hardlink = "bin/su" },
		{ .name = "./usr//lib/./x", .data = "x" },
		{ .name = "caf\xc3\xa9/na\xc3\xafve \xe2\x9c\x93", .data = "utf-8" },
		{ .name = "latin1-\xe9", .data = "not utf-8" });
	struct stat st, st2;

	assert_unpacks(l, tar, &overlay);
	assert_entry(l, "etc", S_IFDIR | 0750);
	assert_entry(l, "etc/passwd", S_IFREG | 0640);
	assert_entry(l, "bin/su", S_IFREG | 04755);
	assert_entry(l, "bin/wall", S_IFREG | 02755);
	assert_entry(l, "tmp", S_IFDIR | 01777);
	assert_entry(l, "usr/lib/x", S_IFREG | 0644);
	assert_content(l->dest, "etc/passwd", "root:x:0:0\n");
	/* names are bytes, whatever the locale */
	assert_content(l->dest, "caf\xc3\xa9/na\xc3\xafve \xe2\x9c\x93", "utf-8");
	assert_content(l->dest, "latin1-\xe9", "not utf-8");
	/* owners and times, set after the content (a directory's last) */
	assert_int_equal(lstat_in(l, "etc", &st), 0);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);
	assert_int_equal(st.st_mtim.tv_sec, 1000);
	assert_int_equal(lstat_in(l, "etc/passwd", &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(st.st_mtim.tv_sec, 2000);
	assert_int_equal(lstat_in(l, "bin/wall", &st), 0);
	assert_int_equal(st.st_gid, 5);
	/* a symlink: its text as written, its own owner and time */
	assert_int_equal(lstat_in(l, "bin/sh", &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_uid, 3);
	assert_int_equal(st.st_gid, 4);
	assert_int_equal(st.st_mtim.tv_sec, 4000);
	{
		char target[64];
		ssize_t n = readlinkat(l->dest, "bin/sh", target, sizeof(target));

		assert_int_equal(n, 12);
		assert_memory_equal(target, "/bin/busybox", 12);
	}
	/* a hardlink: one inode */
	assert_int_equal(lstat_in(l, "bin/su", &st), 0);
	assert_int_equal(lstat_in(l, "bin/su2", &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_mtim.tv_sec, 3000);
	assert_nothing_outside(l);
}

static void unpacks_devices_and_fifos_as_root(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, GZIP,
		{ .name = "dev/null", .type = AE_IFCHR, .mode = 0666, .rmajor = 1, .rminor = 3 },
		{ .name = "dev/loop9", .type = AE_IFBLK, .mode = 0660, .rmajor = 7, .rminor = 9,
		  .gid = 6 },
		{ .name = "run/fifo", .type = AE_IFIFO, .mode = 0620, .uid = 5 });
	struct iso_layer_stats st;
	struct iso_error err;
	struct stat sb;

	assert_int_equal(unpack_opts(l, tar, &overlay, &st, &err, NULL), 0);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.skipped_devices, 0);
	assert_entry(l, "dev/null", S_IFCHR | 0666);
	assert_entry(l, "dev/loop9", S_IFBLK | 0660);
	assert_entry(l, "run/fifo", S_IFIFO | 0620);
	assert_int_equal(lstat_in(l, "dev/null", &sb), 0);
	assert_int_equal(sb.st_rdev, makedev(1, 3));
	assert_int_equal(lstat_in(l, "dev/loop9", &sb), 0);
	assert_int_equal(sb.st_rdev, makedev(7, 9));
	assert_int_equal(sb.st_gid, 6);
	assert_int_equal(sb.st_mtim.tv_sec, MTIME);
	assert_int_equal(lstat_in(l, "run/fifo", &sb), 0);
	assert_int_equal(sb.st_uid, 5);
}

/* The diff_id is the digest of the tar as it is before compression,
 * padding after the end-of-archive included. */
static void diff_id_is_the_sha256_of_the_uncompressed_tar(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "a", .data = "some content" },
		{ .name = "d/", .type = AE_IFDIR });
	cleanup_free char *gz = xasprintf("%s.gz", tar);
	cleanup_free char *zst = xasprintf("%s.zst", tar);
	cleanup_close int fd = open(tar, O_RDONLY | O_CLOEXEC);
	const char *layers[] = { tar, gz, zst };
	iso_digest_t want, got;
	struct iso_error err;
	struct stat sb;

	compress_file(tar, gz, GZIP);
	compress_file(tar, zst, ZSTD);
	assert_true(fd >= 0);
	assert_int_equal(iso_digest_fd(fd, want, &err), 0);
	assert_int_equal(fstat(fd, &sb), 0);
	for (size_t i = 0; i < 3; i++) {
		struct iso_layer_stats st;
		int dest = openat(l->t->fd, "dest", O_PATH | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int lfd = open(layers[i], O_RDONLY | O_CLOEXEC);

		/* each into a fresh dest */
		assert_true(dest >= 0 && lfd >= 0);
		close(l->dest);
		l->dest = dest;
		memset(got, 0, sizeof(got));
		assert_int_equal(iso_layer_unpack(lfd, l->dest, &overlay, got, &st, &err), 0);
		assert_string_equal(got, want);
		assert_int_equal(st.tar_bytes, sb.st_size);
		assert_int_equal(st.bytes, strlen("some content"));
		assert_int_equal(st.entries, 2);
		assert_content(l->dest, "a", "some content");
		assert_int_equal(unlinkat(l->dest, "a", 0), 0);
		assert_int_equal(unlinkat(l->dest, "d", AT_REMOVEDIR), 0);
	}
}

/* What follows the end-of-archive (here a MiB of zeros, more than the
 * tar reader reads ahead) is part of the digest. */
static void diff_id_covers_what_follows_the_end_of_the_tar(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, PLAIN, { .name = "a", .data = "x" });
	cleanup_free char *gz = xasprintf("%s.gz", tar);
	cleanup_free char *zeros = xcalloc(1, 1 << 20);
	cleanup_close int fd = open(tar, O_RDWR | O_APPEND | O_CLOEXEC);
	cleanup_close int gzfd = -1;
	iso_digest_t want, got;
	struct iso_layer_stats st;
	struct iso_error err;

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, zeros, 1 << 20), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(iso_digest_fd(fd, want, &err), 0);
	compress_file(tar, gz, GZIP);
	gzfd = open(gz, O_RDONLY | O_CLOEXEC);
	assert_true(gzfd >= 0);
	assert_int_equal(iso_layer_unpack(gzfd, l->dest, &overlay, got, &st, &err), 0);
	assert_string_equal(got, want);
	assert_true(st.tar_bytes > 1 << 20);
	assert_content(l->dest, "a", "x");
}

static void a_file_replaces_an_entry_and_a_directory_keeps_its_content(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, ZSTD,
		{ .name = "x", .data = "first" },
		{ .name = "x", .type = AE_IFLNK, .symlink = "elsewhere" },
		{ .name = "d/", .type = AE_IFDIR },
		{ .name = "d/keep", .data = "kept" },
		{ .name = "d/", .type = AE_IFDIR, .mode = 0700, .uid = 9 },
		{ .name = "tree/a/b/c", .data = "deep" },
		{ .name = "tree", .data = "a file now" });
	struct stat st;

	assert_unpacks(l, tar, &overlay);
	assert_entry(l, "x", S_IFLNK | 0777);
	assert_entry(l, "d", S_IFDIR | 0700);
	assert_int_equal(lstat_in(l, "d", &st), 0);
	assert_int_equal(st.st_uid, 9);
	assert_content(l->dest, "d/keep", "kept");
	assert_entry(l, "tree", S_IFREG | 0644);
	assert_content(l->dest, "tree", "a file now");
}

/* ---- names that would climb out ---- */

static void a_name_with_dotdot_is_refused(void **state)
{
	struct lt *l = *state;
	cleanup_free char *up = TAR(l, PLAIN, { .name = "../sentinel/escape", .data = "x" });
	cleanup_free char *mid = TAR(l, GZIP,
		{ .name = "a/", .type = AE_IFDIR },
		{ .name = "a/../../sentinel/x", .data = "x" });
	cleanup_free char *harmless = TAR(l, PLAIN, { .name = "a/../x", .data = "x" });

	assert_refused(l, up, &overlay, "layer entry \"../sentinel/escape\": the name has a \"..\"");
	assert_refused(l, mid, &overlay, "layer entry \"a/../../sentinel/x\": the name has a \"..\"");
	assert_refused(l, harmless, &flatten, "layer entry \"a/../x\"");
	assert_absent(l, "x");
	assert_nothing_outside(l);
}

static void an_absolute_name_lands_inside(void **state)
{
	struct lt *l = *state;
	cleanup_free char *name = xasprintf("%s/sentinel/abs", l->t->path);
	cleanup_free char *inside = xasprintf("%s/sentinel/abs", l->t->path + 1);
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "/abs/path", .data = "in" },
		{ .name = name, .data = "in too" });

	assert_unpacks(l, tar, &overlay);
	assert_content(l->dest, "abs/path", "in");
	assert_content(l->dest, inside, "in too");
	assert_nothing_outside(l);
}

/* "evil -> T/sentinel" then "evil/file": the symlink resolves as the
 * container would see it, inside the layer. */
static void an_absolute_symlink_as_a_parent_resolves_inside(void **state)
{
	struct lt *l = *state;
	cleanup_free char *sentinel = tmp_path(l->t, "sentinel");
	cleanup_free char *inside = xasprintf("%s/file", sentinel + 1);
	cleanup_free char *lands = TAR(l, GZIP,
		{ .name = sentinel, .type = AE_IFDIR },
		{ .name = "evil", .type = AE_IFLNK, .symlink = sentinel },
		{ .name = "evil/file", .data = "x" });
	cleanup_free char *sub = xasprintf("%s/sub", sentinel);
	cleanup_free char *dangling = TAR(l, GZIP,
		{ .name = "evil2", .type = AE_IFLNK, .symlink = sub },
		{ .name = "evil2/file", .data = "x" });

	assert_unpacks(l, lands, &overlay);
	assert_content(l->dest, inside, "x");
	assert_nothing_outside(l);
	assert_refused(l, dangling, &overlay, "layer entry \"evil2/file\": evil2 leads to a missing");
	assert_nothing_outside(l);
}

static void a_climbing_symlink_as_a_parent_resolves_inside(void **state)
{
	struct lt *l = *state;
	cleanup_free char *deep = xasprintf("up3%s/sentinel/file2", l->t->path);
	cleanup_free char *deep_inside = xasprintf("%s/sentinel/file2", l->t->path + 1);
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "up", .type = AE_IFLNK, .symlink = ".." },
		{ .name = "up/sentinel/file", .data = "x" },
		{ .name = "a/b/", .type = AE_IFDIR },
		{ .name = "a/b/up3", .type = AE_IFLNK, .symlink = "../../../.." },
		{ .name = "up3", .type = AE_IFLNK, .symlink = "a/b/up3" },
		{ .name = deep, .data = "y" });

	assert_unpacks(l, tar, &flatten);
	assert_content(l->dest, "sentinel/file", "x");
	assert_content(l->dest, deep_inside, "y");
	assert_nothing_outside(l);
}

/* An existing symlink at an entry's own name is replaced, not followed. */
static void an_entry_over_a_symlink_does_not_follow_it(void **state)
{
	struct lt *l = *state;
	cleanup_free char *outside = tmp_path(l->t, "outside");
	cleanup_free char *sentinel = tmp_path(l->t, "sentinel");
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "f", .type = AE_IFLNK, .symlink = outside },
		{ .name = "f", .data = "overwritten?" },
		{ .name = "d", .type = AE_IFLNK, .symlink = sentinel },
		{ .name = "d/", .type = AE_IFDIR, .mode = 0700 },
		{ .name = "n", .type = AE_IFLNK, .symlink = outside },
		{ .name = "n", .type = AE_IFIFO });

	assert_unpacks(l, tar, &overlay);
	assert_entry(l, "f", S_IFREG | 0644);
	assert_content(l->dest, "f", "overwritten?");
	assert_entry(l, "d", S_IFDIR | 0700);
	assert_entry(l, "n", S_IFIFO | 0644);
	assert_nothing_outside(l);
}

/* ---- hardlinks ---- */

static void a_hardlink_to_a_host_path_links_inside_or_fails(void **state)
{
	struct lt *l = *state;
	cleanup_free char *host = TAR(l, PLAIN, { .name = "pw", .hardlink = "/etc/passwd" });
	cleanup_free char *inside = TAR(l, PLAIN,
		{ .name = "etc/passwd", .data = "layer's" },
		{ .name = "pw", .hardlink = "/etc/passwd" });
	struct stat host_before, host_after, a, b;

	assert_int_equal(lstat("/etc/passwd", &host_before), 0);
	assert_refused(l, host, &overlay,
		       "layer entry \"pw\": the hardlink's target etc/passwd is not in the layer");
	assert_absent(l, "pw");
	assert_unpacks(l, inside, &overlay);
	assert_int_equal(lstat_in(l, "etc/passwd", &a), 0);
	assert_int_equal(lstat_in(l, "pw", &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(lstat("/etc/passwd", &host_after), 0);
	assert_int_equal(host_after.st_nlink, host_before.st_nlink);
	assert_nothing_outside(l);
}

static void a_hardlink_with_dotdot_is_refused(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, PLAIN, { .name = "x", .hardlink = "../outside" });

	assert_refused(l, tar, &overlay,
		       "layer entry \"x\": the hardlink's target has a \"..\" component");
	assert_absent(l, "x");
	assert_nothing_outside(l);
}

/* A hardlink to a symlink is a second name of the symlink (as tar has
 * it), not a link to what the symlink points at. */
static void a_hardlink_to_a_symlink_links_the_symlink_itself(void **state)
{
	struct lt *l = *state;
	cleanup_free char *outside = tmp_path(l->t, "outside");
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "sl", .type = AE_IFLNK, .symlink = outside },
		{ .name = "hl", .hardlink = "sl" });
	struct stat a, b;

	assert_unpacks(l, tar, &overlay);
	assert_int_equal(lstat_in(l, "sl", &a), 0);
	assert_int_equal(lstat_in(l, "hl", &b), 0);
	assert_true(S_ISLNK(b.st_mode));
	assert_int_equal(a.st_ino, b.st_ino);
	assert_nothing_outside(l);
}

static void a_hardlink_through_a_symlinked_directory_stays_inside(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, GZIP,
		{ .name = "t", .type = AE_IFLNK, .symlink = l->t->path },
		{ .name = "x", .hardlink = "t/outside" });
	cleanup_free char *up = TAR(l, GZIP,
		{ .name = "u", .type = AE_IFLNK, .symlink = ".." },
		{ .name = "y", .hardlink = "u/outside" });

	assert_refused(l, tar, &overlay, "the hardlink's target t/outside is not in the layer");
	assert_refused(l, up, &overlay, "the hardlink's target u/outside is not in the layer");
	assert_absent(l, "x");
	assert_absent(l, "y");
	assert_nothing_outside(l);
}

static void a_hardlink_to_a_directory_or_to_nothing_is_refused(void **state)
{
	struct lt *l = *state;
	cleanup_free char *dir = TAR(l, PLAIN,
		{ .name = "d/", .type = AE_IFDIR },
		{ .name = "x", .hardlink = "d" });
	cleanup_free char *missing = TAR(l, PLAIN, { .name = "y", .hardlink = "nothing/here" });

	assert_refused(l, dir, &overlay, "layer entry \"x\": the hardlink's target d is a directory");
	assert_refused(l, missing, &overlay,
		       "layer entry \"y\": the hardlink's target nothing/here is not in the layer");
	assert_nothing_outside(l);
}

/* ---- xattrs ---- */

static void overlay_xattrs_in_a_layer_are_not_set(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "d/", .type = AE_IFDIR,
		  .xattrs = { "trusted.overlay.opaque", "y", "user.overlay.opaque", "y",
			      "user.mine", "kept" } },
		{ .name = "f", .data = "x",
		  .xattrs = { "trusted.overlay.redirect", "/etc", "security.selinux", "x",
			      "user.mine", "kept too" } });
	struct iso_layer_stats st;
	struct iso_error err;
	cleanup_free char *opq = NULL;
	cleanup_free char *uopq = NULL;
	cleanup_free char *redirect = NULL;
	cleanup_free char *mine = NULL;
	cleanup_free char *mine2 = NULL;

	assert_int_equal(unpack_opts(l, tar, &overlay, &st, &err, NULL), 0);
	opq = xattr_of(l, "d", "trusted.overlay.opaque");
	uopq = xattr_of(l, "d", "user.overlay.opaque");
	redirect = xattr_of(l, "f", "trusted.overlay.redirect");
	mine = xattr_of(l, "d", "user.mine");
	mine2 = xattr_of(l, "f", "user.mine");
	assert_null(opq);
	assert_null(uopq);
	assert_null(redirect);
	assert_string_equal(mine, "kept");
	assert_string_equal(mine2, "kept too");
	assert_int_equal(st.skipped_xattrs, 4);
}

static void file_capabilities_are_set(void **state)
{
	struct lt *l = *state;
	/* VFS_CAP_REVISION_2, effective, cap_net_bind_service (10) */
	static const unsigned char cap[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x04 };
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	cleanup_free char *tar = tmp_path(l->t, "tars/caps.tar");
	cleanup_close int fd = -1;
	unsigned char got[20];

	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, tar), ARCHIVE_OK);
	archive_entry_set_pathname(e, "ping");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0755);
	archive_entry_set_uid(e, 1);
	archive_entry_xattr_add_entry(e, "security.capability", cap, sizeof(cap));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);

	/* set after the chown to 1, which would have cleared it */
	assert_unpacks(l, tar, &overlay);
	fd = openat(l->dest, "ping", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fgetxattr(fd, "security.capability", got, sizeof(got)), sizeof(cap));
	assert_memory_equal(got, cap, sizeof(cap));
}

/* ---- whiteouts ---- */

static void a_whiteout_must_name_an_entry(void **state)
{
	struct lt *l = *state;
	const char *names[] = { ".wh.", "d/.wh..", ".wh...", "d/.wh..." };

	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *tar = TAR(l, PLAIN,
			{ .name = "d/", .type = AE_IFDIR },
			{ .name = names[i], .data = "" });
		cleanup_free char *want = xasprintf("layer entry \"%s\": a whiteout must name an entry",
						    names[i]);

		assert_refused(l, tar, &overlay, want);
		assert_refused(l, tar, &flatten, want);
	}
	assert_nothing_outside(l);
}

static void overlay_mode_makes_whiteouts_and_opaque_directories(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, GZIP,
		{ .name = "etc/", .type = AE_IFDIR },
		{ .name = "etc/.wh.motd", .data = "" },
		{ .name = "usr/share/.wh..wh..opq", .data = "" },
		{ .name = "usr/share/new", .data = "new" },
		{ .name = ".wh..wh.plnk/123.456", .data = "aufs" },
		{ .name = ".wh..wh.orph/", .type = AE_IFDIR });
	cleanup_free char *opq = NULL;
	cleanup_free char *uopq = NULL;
	struct stat st;

	assert_unpacks(l, tar, &overlay);
	assert_int_equal(lstat_in(l, "etc/motd", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_absent(l, "etc/.wh.motd");
	opq = xattr_of(l, "usr/share", "trusted.overlay.opaque");
	uopq = xattr_of(l, "usr/share", "user.overlay.opaque");
	assert_string_equal(opq, "y");
	assert_null(uopq);
	assert_absent(l, "usr/share/.wh..wh..opq");
	assert_content(l->dest, "usr/share/new", "new");
	/* aufs metadata is not part of the image */
	assert_absent(l, ".wh..wh.plnk");
	assert_absent(l, ".wh..wh.orph");
}

static void overlay_mode_with_userxattr_marks_opaque_dirs_with_user_xattr(void **state)
{
	struct lt *l = *state;
	struct iso_layer_opts o = { .mode = ISO_LAYER_OVERLAY, .userxattr = true };
	cleanup_free char *tar = TAR(l, PLAIN, { .name = "d/.wh..wh..opq", .data = "" });
	cleanup_free char *opq = NULL;
	cleanup_free char *uopq = NULL;

	assert_unpacks(l, tar, &o);
	opq = xattr_of(l, "d", "trusted.overlay.opaque");
	uopq = xattr_of(l, "d", "user.overlay.opaque");
	assert_null(opq);
	assert_string_equal(uopq, "y");
}

static void flatten_mode_applies_whiteouts_and_opaque_directories(void **state)
{
	struct lt *l = *state;
	cleanup_free char *first = TAR(l, PLAIN,
		{ .name = "a/keep", .data = "1" },
		{ .name = "a/gone", .data = "1" },
		{ .name = "e/x/y", .data = "1" },
		{ .name = "d/old", .data = "1" },
		{ .name = "d/sub/old2", .data = "1" },
		{ .name = "d/sub/new2", .data = "1" },
		{ .name = "d/lnk", .type = AE_IFLNK, .symlink = "/a" });
	cleanup_free char *second = TAR(l, ZSTD,
		{ .name = "a/.wh.gone", .data = "" },
		{ .name = ".wh.e", .data = "" },
		{ .name = "d/", .type = AE_IFDIR, .mode = 0711 },
		{ .name = "d/new", .data = "2" },
		{ .name = "d/.wh..wh..opq", .data = "" },
		{ .name = "d/sub/", .type = AE_IFDIR },
		{ .name = "d/sub/new2", .data = "2" },
		{ .name = "missing/.wh.x", .data = "" },
		{ .name = "missing2/.wh..wh..opq", .data = "" });

	assert_unpacks(l, first, &flatten);
	assert_unpacks(l, second, &flatten);
	assert_content(l->dest, "a/keep", "1");
	assert_absent(l, "a/gone");
	assert_absent(l, "e");
	assert_absent(l, "d/old");
	assert_absent(l, "d/lnk");
	assert_absent(l, "d/sub/old2");
	assert_content(l->dest, "d/new", "2");
	assert_content(l->dest, "d/sub/new2", "2");
	assert_entry(l, "d", S_IFDIR | 0711);
	assert_absent(l, "missing");
	assert_absent(l, "missing2");
	assert_nothing_outside(l);
}

/* A whiteout or an opaque marker under a symlink to outside removes
 * nothing outside. */
static void flatten_whiteouts_through_a_symlink_stay_inside(void **state)
{
	struct lt *l = *state;
	cleanup_free char *first = TAR(l, PLAIN,
		{ .name = "t", .type = AE_IFLNK, .symlink = l->t->path },
		{ .name = "u", .type = AE_IFLNK, .symlink = "../.." });
	cleanup_free char *second = TAR(l, PLAIN,
		{ .name = "t/.wh.outside", .data = "" },
		{ .name = "t/.wh..wh..opq", .data = "" },
		{ .name = "u/.wh.outside", .data = "" },
		{ .name = "u/.wh.sentinel", .data = "" },
		{ .name = "u/.wh..wh..opq", .data = "" });

	assert_unpacks(l, first, &flatten);
	assert_unpacks(l, second, &flatten);
	/* "u -> ../.." is the layer's root: its opaque marker empties it */
	assert_absent(l, "u");
	assert_absent(l, "t");
	assert_nothing_outside(l);
}

/* ---- rootless ---- */

struct child_result {
	int r;
	struct iso_layer_stats st;
	char msg[1024];
};

/* Unpacks TARS (up to NULL) in order into dest as nobody: in a child that
 * dropped root, dest given to nobody first.  RES is the last unpack's,
 * or the first that failed. */
#define assert_unpacks_as_nobody(l, o, ...) \
	check_unpacks_as_nobody(__FILE__, __LINE__, l, o, (const char *[]){ __VA_ARGS__, NULL })

static struct child_result check_unpacks_as_nobody(const char *file, int line, struct lt *l,
						   const struct iso_layer_opts *o,
						   const char **tars)
{
	struct child_result res = { .r = -2 };
	int pipefd[2], status;
	pid_t pid;

	_assert_int_equal(fchownat(l->dest, "", NOBODY, NOBODY, AT_EMPTY_PATH), 0, file, line);
	_assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0, file, line);
	pid = fork();
	_assert_true(pid >= 0, "fork", file, line);
	if (pid == 0) {
		int fds[8], n = 0;

		close(pipefd[0]);
		for (; tars[n] != NULL && n < 8; n++)
			fds[n] = open(tars[n], O_RDONLY | O_CLOEXEC);
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(2);
		for (int i = 0; i < n; i++) {
			iso_digest_t d;
			struct iso_error err = { 0 };

			res.r = iso_layer_unpack(fds[i], l->dest, o, d, &res.st, &err);
			memcpy(res.msg, err.msg, sizeof(res.msg));
			if (res.r != 0)
				break;
		}
		_exit(write(pipefd[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pipefd[1]);
	_assert_int_equal(read(pipefd[0], &res, sizeof(res)), sizeof(res), file, line);
	close(pipefd[0]);
	_assert_int_equal(waitpid(pid, &status, 0), pid, file, line);
	_assert_int_equal(status, 0, file, line);
	if (res.r != 0)
		print_error("unpack as nobody: %s\n", res.msg);
	_assert_int_equal(res.r, 0, file, line);
	return res;
}

static void rootless_skips_devices_keeps_its_owner_and_drops_setuid(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, GZIP,
		{ .name = "bin/", .type = AE_IFDIR, .mode = 0555 },
		{ .name = "bin/su", .data = "#!\n", .mode = 06755 },
		{ .name = "bin/mine", .data = "#!\n", .mode = 06755, .uid = NOBODY, .gid = NOBODY },
		{ .name = "bin/tool", .data = "#!\n", .mode = 0755, .uid = 1000,
		  .xattrs = { "trusted.overlay.opaque", "y", "user.ok", "1" } },
		{ .name = "dev/null", .type = AE_IFCHR, .mode = 0666, .rmajor = 1, .rminor = 3 },
		{ .name = "dev/sda", .type = AE_IFBLK, .mode = 0660, .rmajor = 8 },
		{ .name = "run/fifo", .type = AE_IFIFO, .mode = 0600 },
		{ .name = "etc/.wh.motd", .data = "" },
		{ .name = "etc/.wh..wh..opq", .data = "" });
	struct iso_layer_opts o = { .mode = ISO_LAYER_OVERLAY, .rootless = true, .userxattr = true };
	cleanup_free char *uopq = NULL;
	cleanup_free char *ok = NULL;
	struct child_result res = assert_unpacks_as_nobody(l, &o, tar);
	struct stat st;

	assert_int_equal(res.st.skipped_devices, 2);
	assert_absent(l, "dev/null");
	assert_absent(l, "dev/sda");
	assert_entry(l, "run/fifo", S_IFIFO | 0600);
	/* the caller owns everything; setuid and setgid of another owner go */
	assert_int_equal(lstat_in(l, "bin/su", &st), 0);
	assert_int_equal(st.st_uid, NOBODY);
	assert_int_equal(st.st_gid, NOBODY);
	assert_entry(l, "bin/su", S_IFREG | 0755);
	assert_entry(l, "bin/mine", S_IFREG | 06755);
	assert_entry(l, "bin/tool", S_IFREG | 0755);
	assert_entry(l, "bin", S_IFDIR | 0555);
	/* whiteouts need no privilege (Linux 5.8) */
	assert_int_equal(lstat_in(l, "etc/motd", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	uopq = xattr_of(l, "etc", "user.overlay.opaque");
	assert_string_equal(uopq, "y");
	ok = xattr_of(l, "bin/tool", "user.ok");
	assert_string_equal(ok, "1");
	assert_int_equal(res.st.skipped_xattrs, 1);
	assert_nothing_outside(l);
}

/* Directories whose final modes shut their owner out get them last,
 * after what is below them; a directory declared twice gets its last
 * declaration. */
static void rootless_directory_modes_come_last_children_first(void **state)
{
	struct lt *l = *state;
	cleanup_free char *tar = TAR(l, PLAIN,
		{ .name = "d/", .type = AE_IFDIR, .mode = 0111 },
		{ .name = "d/sub/", .type = AE_IFDIR, .mode = 0500, .mtime = 2000 },
		{ .name = "d/sub/f", .data = "x" },
		{ .name = "d/", .type = AE_IFDIR, .mode = 0100, .mtime = 1000 },
		{ .name = "e/", .type = AE_IFDIR, .mode = 0600 },
		{ .name = "e/sub/", .type = AE_IFDIR, .mode = 0700 },
		{ .name = "f/sub/", .type = AE_IFDIR, .mode = 0700 },
		{ .name = "f/", .type = AE_IFDIR, .mode = 0600 });
	struct iso_layer_opts o = { .mode = ISO_LAYER_OVERLAY, .rootless = true };
	struct stat st;

	assert_unpacks_as_nobody(l, &o, tar);
	assert_entry(l, "e", S_IFDIR | 0600);
	assert_entry(l, "e/sub", S_IFDIR | 0700);
	assert_entry(l, "f", S_IFDIR | 0600);
	assert_entry(l, "f/sub", S_IFDIR | 0700);
	assert_entry(l, "d", S_IFDIR | 0100);
	assert_entry(l, "d/sub", S_IFDIR | 0500);
	assert_int_equal(lstat_in(l, "d", &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, 1000);
	assert_int_equal(lstat_in(l, "d/sub", &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, 2000);
	assert_content(l->dest, "d/sub/f", "x");
}

/* Flattening without privilege: an earlier layer's read-only directory
 * is opened for the next layer's entries and whiteouts, then closed
 * again. */
static void rootless_flatten_writes_into_read_only_directories(void **state)
{
	struct lt *l = *state;
	cleanup_free char *first = TAR(l, PLAIN,
		{ .name = "ro/", .type = AE_IFDIR, .mode = 0555, .mtime = 1000 },
		{ .name = "ro/old", .data = "1" },
		{ .name = "ro/gone/x", .data = "1" },
		{ .name = "ro2/", .type = AE_IFDIR, .mode = 0500 });
	cleanup_free char *second = TAR(l, PLAIN,
		{ .name = "ro/.wh.old", .data = "" },
		{ .name = "ro/.wh.gone", .data = "" },
		{ .name = "ro/new", .data = "2" },
		{ .name = "ro2/sub/x", .data = "2" },
		{ .name = "ro2/.wh..wh..opq", .data = "" });
	struct iso_layer_opts o = { .mode = ISO_LAYER_FLATTEN, .rootless = true };

	assert_unpacks_as_nobody(l, &o, first, second);
	assert_absent(l, "ro/old");
	assert_absent(l, "ro/gone");
	assert_content(l->dest, "ro/new", "2");
	assert_content(l->dest, "ro2/sub/x", "2");
	assert_entry(l, "ro", S_IFDIR | 0555);
	assert_entry(l, "ro2", S_IFDIR | 0500);
	assert_nothing_outside(l);
}

/* ---- mount points ---- */

#define MOUNT_CASES 4

struct mount_result {
	int r[MOUNT_CASES];
	char msg[MOUNT_CASES][1024];
	int victim;               /* stat of mnt/victim after all cases */
};

/* A tmpfs on dest/mnt (in a mount namespace of a child, so that it goes
 * with the child): no entry is written, no tree removed through it. */
static void a_mount_point_in_the_layer_directory_is_not_crossed(void **state)
{
	struct lt *l = *state;
	cleanup_free char *into = TAR(l, PLAIN, { .name = "mnt/file", .data = "x" });
	cleanup_free char *wh = TAR(l, PLAIN, { .name = ".wh.mnt", .data = "" });
	cleanup_free char *dir = TAR(l, PLAIN, { .name = "mnt/", .type = AE_IFDIR, .mode = 0700 });
	cleanup_free char *opq = TAR(l, PLAIN, { .name = ".wh..wh..opq", .data = "" });
	const char *tars[MOUNT_CASES] = { into, wh, dir, opq };
	cleanup_free char *mnt = tmp_path(l->t, "dest/mnt");
	struct mount_result res;
	int pipefd[2], status;
	pid_t pid;

	assert_int_equal(mkdir(mnt, 0755), 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stat st;

		memset(&res, 0, sizeof(res));
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", mnt, "tmpfs", 0, "size=1m") < 0)
			_exit(2);
		/* the fd opened before the unshare sees the old namespace's mounts */
		close(l->dest);
		l->dest = open(l->dest_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		free(tmp_file(l->t, "dest/mnt/victim", "v"));
		for (int i = 0; i < MOUNT_CASES; i++) {
			struct iso_error err;

			res.r[i] = unpack_opts(l, tars[i], &flatten, NULL, &err, NULL);
			snprintf(res.msg[i], sizeof(res.msg[i]), "%s", err.msg);
		}
		res.victim = fstatat(l->dest, "mnt/victim", &st, 0);
		_exit(write(pipefd[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &res, sizeof(res)), sizeof(res));
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(res.r[0], -1);
	assert_string_equal(res.msg[0], "layer entry \"mnt/file\": mnt is (or leads to) another filesystem");
	assert_int_equal(res.r[1], -1);
	assert_string_equal(res.msg[1], "layer entry \".wh.mnt\": mnt is on another filesystem (a mount point)");
	assert_int_equal(res.r[2], -1);
	assert_string_equal(res.msg[2], "layer entry \"mnt/\": a mount point is in the way");
	assert_int_equal(res.r[3], -1);
	assert_string_equal(res.msg[3], "layer entry \".wh..wh..opq\": mnt is on another filesystem (a mount point)");
	assert_int_equal(res.victim, 0);
	assert_nothing_outside(l);
}

/* ---- streams that are not a whole tar ---- */

static void a_truncated_stream_is_an_error(void **state)
{
	struct lt *l = *state;
	char *big = xmalloc(300001);
	cleanup_free char *tar = NULL;
	cleanup_free char *gz = NULL;
	cleanup_free char *part = NULL;
	cleanup_free char *data = NULL;
	cleanup_free char *gzpart = NULL;
	size_t len;
	uint32_t x = 12345;

	/* incompressible, so that half the gzip is half the tar */
	for (size_t i = 0; i < 300000; i++) {
		x = x * 1103515245 + 12345;
		big[i] = (char)('a' + (x >> 16) % 26);
	}
	big[300000] = '\0';
	tar = TAR(l, PLAIN, { .name = "big", .data = big }, { .name = "after", .data = "x" });
	free(big);
	gz = xasprintf("%s.gz", tar);
	compress_file(tar, gz, GZIP);

	assert_int_equal(read_file_at(AT_FDCWD, gz, &data, &len, NULL), 0);
	gzpart = xasprintf("%s.part.gz", tar);
	write_file(gzpart, "");
	assert_int_equal(truncate(gzpart, 0), 0);
	{
		cleanup_close int fd = open(gzpart, O_WRONLY | O_CLOEXEC);

		assert_int_equal(write_all(fd, data, len / 2), 0);
	}
	assert_refused(l, gzpart, &overlay, "layer entry \"big\": read: truncated gzip input");
	free(data);
	data = NULL;

	assert_int_equal(read_file_at(AT_FDCWD, tar, &data, &len, NULL), 0);
	part = xasprintf("%s.part", tar);
	write_file(part, "");
	{
		cleanup_close int fd = open(part, O_WRONLY | O_CLOEXEC);

		assert_int_equal(write_all(fd, data, 100000), 0);
	}
	assert_refused(l, part, &overlay, "layer entry \"big\": read: ");
	assert_nothing_outside(l);
}

static void a_stream_that_is_not_a_tar_is_an_error(void **state)
{
	struct lt *l = *state;
	cleanup_free char *text = tmp_file(l->t, "tars/text", "just some text, not a tar at all\n");
	cleanup_free char *empty = tmp_file(l->t, "tars/empty", "");
	cleanup_free char *tar = TAR(l, PLAIN, { .name = "a", .data = "x" });
	cleanup_free char *lz4 = xasprintf("%s.lz4", tar);

	compress_file(tar, lz4, LZ4);
	assert_refused(l, text, &overlay, "read layer: not a tar archive");
	assert_refused(l, empty, &overlay, "read layer: ");
	/* lz4 is not a layer compression: it reads as something else */
	assert_refused(l, lz4, &overlay, "read layer: not a tar archive");
	assert_absent(l, "a");
	assert_nothing_outside(l);
}

#define LT_TEST(f) cmocka_unit_test_setup_teardown(f, lt_setup, lt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		LT_TEST(unpacks_files_dirs_symlinks_and_hardlinks_with_their_metadata),
		LT_TEST(unpacks_devices_and_fifos_as_root),
		LT_TEST(diff_id_is_the_sha256_of_the_uncompressed_tar),
		LT_TEST(diff_id_covers_what_follows_the_end_of_the_tar),
		LT_TEST(a_file_replaces_an_entry_and_a_directory_keeps_its_content),
		LT_TEST(a_name_with_dotdot_is_refused),
		LT_TEST(an_absolute_name_lands_inside),
		LT_TEST(an_absolute_symlink_as_a_parent_resolves_inside),
		LT_TEST(a_climbing_symlink_as_a_parent_resolves_inside),
		LT_TEST(an_entry_over_a_symlink_does_not_follow_it),
		LT_TEST(a_hardlink_to_a_host_path_links_inside_or_fails),
		LT_TEST(a_hardlink_with_dotdot_is_refused),
		LT_TEST(a_hardlink_to_a_symlink_links_the_symlink_itself),
		LT_TEST(a_hardlink_through_a_symlinked_directory_stays_inside),
		LT_TEST(a_hardlink_to_a_directory_or_to_nothing_is_refused),
		LT_TEST(overlay_xattrs_in_a_layer_are_not_set),
		LT_TEST(file_capabilities_are_set),
		LT_TEST(a_whiteout_must_name_an_entry),
		LT_TEST(overlay_mode_makes_whiteouts_and_opaque_directories),
		LT_TEST(overlay_mode_with_userxattr_marks_opaque_dirs_with_user_xattr),
		LT_TEST(flatten_mode_applies_whiteouts_and_opaque_directories),
		LT_TEST(flatten_whiteouts_through_a_symlink_stay_inside),
		LT_TEST(rootless_skips_devices_keeps_its_owner_and_drops_setuid),
		LT_TEST(rootless_directory_modes_come_last_children_first),
		LT_TEST(rootless_flatten_writes_into_read_only_directories),
		LT_TEST(a_mount_point_in_the_layer_directory_is_not_crossed),
		LT_TEST(a_truncated_stream_is_an_error),
		LT_TEST(a_stream_that_is_not_a_tar_is_an_error),
	};

	return cmocka_run_group_tests_name("layer", tests, NULL, NULL);
}
