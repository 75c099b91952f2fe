/* image/archive.h: isolate load (OCI layouts as directories and tars,
 * docker save archives old and new), save, import.
 *
 * Each test gets a fresh directory T with the store in T/store; its images
 * are built here: a layer tar (libarchive's writer, in memory), an image
 * config and an OCI manifest, put together as an OCI layout (files or tar
 * entries) or as docker's legacy archive.  Every bad input is checked for
 * its message, its return, an empty image index and an empty T/store/tmp.
 */
#include "helpers.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>

#include "image/archive.h"
#include "image/digest.h"
#include "image/image.h"
#include "image/imagedb.h"
#include "image/manifest.h"
#include "image/store.h"

#define MTIME 1500000000

struct at {
	struct tmpdir *t;
	struct iso_store s;
	struct iso_error err;
};

/* ---- building images ---- */

struct blob {
	char *data;
	size_t len;
	iso_digest_t d;
};

struct img {
	struct blob layer, config, manifest;
	iso_digest_t diff_id;
	bool gzip;
};

/* A tar entry: a file (DATA), or a directory (name ends in "/"), or a
 * symlink or hard link. */
struct ent {
	char *name;
	char *data;
	size_t len;
	const char *symlink;
	const char *hardlink;
};

struct ents {
	struct ent v[32];
	size_t n;
};

static void put(struct ents *e, const char *name, const void *data, size_t len)
{
	assert_true(e->n < sizeof(e->v) / sizeof(e->v[0]));
	e->v[e->n].name = xstrdup(name);
	e->v[e->n].data = xmalloc(len + 1);
	memcpy(e->v[e->n].data, data, len);
	e->v[e->n].len = len;
	e->n++;
}

static void put_str(struct ents *e, const char *name, const char *s)
{
	put(e, name, s, strlen(s));
}

static void put_link(struct ents *e, const char *name, const char *symlink, const char *hardlink)
{
	put(e, name, "", 0);
	e->v[e->n - 1].symlink = symlink;
	e->v[e->n - 1].hardlink = hardlink;
}

static void ents_free(struct ents *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].data);
	}
	e->n = 0;
}

static void add_entry(struct archive *a, const struct ent *x)
{
	struct archive_entry *e = archive_entry_new();
	size_t n = strlen(x->name);
	bool dir = n > 0 && x->name[n - 1] == '/';

	assert_non_null(e);
	archive_entry_set_pathname(e, x->name);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : x->symlink ? AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_mtime(e, MTIME, 0);
	if (x->symlink)
		archive_entry_set_symlink(e, x->symlink);
	if (x->hardlink)
		archive_entry_set_hardlink(e, x->hardlink);
	archive_entry_set_size(e, dir || x->symlink || x->hardlink ? 0 : (la_int64_t)x->len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (!dir && !x->symlink && !x->hardlink && x->len > 0)
		assert_int_equal(archive_write_data(a, x->data, x->len), (la_ssize_t)x->len);
	archive_entry_free(e);
}

/* The entries as a tar in memory, gzip'd if asked. */
static char *mem_tar(const struct ents *e, bool gzip, size_t *len)
{
	size_t cap = 4 << 20, used = 0;
	char *buf = xmalloc(cap);
	struct archive *a = archive_write_new();

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < e->n; i++)
		add_entry(a, &e->v[i]);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*len = used;
	return buf;
}

static void write_archive(const char *path, const struct ents *e, bool gzip)
{
	size_t len;
	cleanup_free char *buf = mem_tar(e, gzip, &len);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, buf, len), 0);
	assert_int_equal(close(fd), 0);
}

/* The entries as files under DIR (their directories made). */
static void write_dir(const char *dir, const struct ents *e)
{
	for (size_t i = 0; i < e->n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, e->v[i].name);
		int fd;

		for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
			*p = '\0';
			assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
			*p = '/';
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write_all(fd, e->v[i].data, e->v[i].len), 0);
		assert_int_equal(close(fd), 0);
	}
}

static void set_blob(struct blob *b, char *data, size_t len)
{
	b->data = data;
	b->len = len;
	iso_digest_buf(data, len, b->d);
}

static char *host_arch(void)
{
	struct iso_platform p;
	char *arch;

	assert_int_equal(iso_platform_parse(NULL, &p, NULL), 0);
	arch = xstrdup(p.architecture);
	iso_platform_free(&p);
	return arch;
}

/* An image of one layer holding etc/marker (MARKER), for ARCH (NULL:
 * this machine's). */
static void make_image_for(struct img *im, const char *marker, bool gzip, const char *arch)
{
	struct ents files = { 0 };
	cleanup_free char *host = host_arch();
	size_t len;
	char *tar;

	memset(im, 0, sizeof(*im));
	im->gzip = gzip;
	put_str(&files, "etc/", "");
	put_str(&files, "etc/marker", marker);
	tar = mem_tar(&files, false, &len);
	iso_digest_buf(tar, len, im->diff_id);
	if (gzip) {
		free(tar);
		tar = mem_tar(&files, true, &len);
	}
	set_blob(&im->layer, tar, len);
	ents_free(&files);
	tar = xasprintf("{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
			"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
			arch ? arch : host, im->diff_id);
	set_blob(&im->config, tar, strlen(tar));
	tar = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
			"\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"%s\","
			"\"digest\":\"%s\",\"size\":%zu}]}",
			ISO_MT_OCI_MANIFEST, ISO_MT_OCI_CONFIG, im->config.d, im->config.len,
			gzip ? ISO_MT_OCI_LAYER_GZIP : ISO_MT_OCI_LAYER, im->layer.d, im->layer.len);
	set_blob(&im->manifest, tar, strlen(tar));
}

static void make_image(struct img *im, const char *marker, bool gzip)
{
	make_image_for(im, marker, gzip, NULL);
}

static void img_free(struct img *im)
{
	free(im->layer.data);
	free(im->config.data);
	free(im->manifest.data);
}

static void put_blob(struct ents *e, const char *prefix, const struct blob *b)
{
	cleanup_free char *name = xasprintf("%sblobs/sha256/%s", prefix, iso_digest_hex(b->d));

	put(e, name, b->data, b->len);
}

/* IM as an OCI layout; ANNOTATIONS is a JSON object or NULL.  PREFIX goes
 * in front of every name ("./"). */
static void layout(struct ents *e, const struct img *im, const char *annotations,
		   const char *prefix)
{
	cleanup_free char *index = xasprintf(
		"{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\","
		"\"digest\":\"%s\",\"size\":%zu%s%s}]}",
		ISO_MT_OCI_INDEX, ISO_MT_OCI_MANIFEST, im->manifest.d, im->manifest.len,
		annotations ? ",\"annotations\":" : "", annotations ? annotations : "");
	cleanup_free char *n1 = xasprintf("%soci-layout", prefix);
	cleanup_free char *n2 = xasprintf("%sindex.json", prefix);

	put_str(e, n1, "{\"imageLayoutVersion\":\"1.0.0\"}");
	put_blob(e, prefix, &im->layer);
	put_blob(e, prefix, &im->config);
	put_blob(e, prefix, &im->manifest);
	put_str(e, n2, index);
}

/* ---- checks ---- */

static int at_setup(void **state)
{
	struct at *a = xcalloc(1, sizeof(*a));
	cleanup_free char *root = NULL;

	if (tmpdir_setup(state) < 0) {
		free(a);
		return -1;
	}
	a->t = *state;
	*state = a;
	root = tmp_path(a->t, "store");
	return iso_store_open(&a->s, root, &a->err);
}

static int at_teardown(void **state)
{
	struct at *a = *state;

	iso_store_close(&a->s);
	*state = a->t;
	free(a);
	return tmpdir_teardown(state);
}

static size_t count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void check_nothing_recorded(struct iso_store *s, const char *file, int line)
{
	struct iso_image_list l;
	cleanup_free char *tmp = xasprintf("%s/tmp", s->root);

	_assert_int_equal(iso_imagedb_list(s, &l, NULL), 0, file, line);
	_assert_int_equal(l.n, 0, file, line);
	iso_image_list_free(&l);
	_assert_int_equal(count_dir(tmp), 0, file, line);
}
#define assert_nothing_recorded(s) check_nothing_recorded(s, __FILE__, __LINE__)

static void check_contains(const char *msg, const char *part, const char *file, int line)
{
	if (strstr(msg, part) == NULL) {
		print_error("\"%s\" does not contain \"%s\"\n", msg, part);
		_fail(file, line);
	}
}
#define assert_contains(m, p) check_contains(m, p, __FILE__, __LINE__)

/* The image NAME is in the store with id ID and its layer unpacked, with
 * etc/marker holding MARKER. */
static void check_image(struct iso_store *s, const char *name, const char *id, const char *marker,
			const char *file, int line)
{
	struct iso_image_rec rec;
	struct iso_image img;
	cleanup_free char *path = NULL, *got = NULL;
	bool found;

	_assert_int_equal(iso_imagedb_lookup(s, name, &rec, &found, NULL), 0, file, line);
	_assert_true(found, name, file, line);
	_assert_string_equal(rec.id, id, file, line);
	_assert_int_equal(iso_image_load(s, &rec, &img, NULL), 0, file, line);
	path = xasprintf("%s/etc/marker", img.layers[0]);
	_assert_int_equal(read_file_at(AT_FDCWD, path, &got, NULL, NULL), 0, file, line);
	_assert_string_equal(got, marker, file, line);
	iso_image_free(&img);
	iso_image_rec_free(&rec);
}
#define assert_image(s, n, id, m) check_image(s, n, id, m, __FILE__, __LINE__)

static int load_file(struct at *a, const char *path, struct iso_load_result *res)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	assert_true(fd >= 0);
	r = iso_load_archive(&a->s, fd, path, NULL, res, &a->err);
	close(fd);
	return r;
}

/* ---- load ---- */

static void test_load_layout_dir(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *dir = tmp_path(a->t, "layout");

	make_image(&im, "from a layout dir\n", true);
	layout(&e, &im, "{\"org.opencontainers.image.ref.name\":\"example.com/app:1\"}", "");
	assert_int_equal(mkdir(dir, 0755), 0);
	write_dir(dir, &e);
	assert_int_equal(iso_load_dir(&a->s, dir, NULL, &res, &a->err), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].id, im.config.d);
	assert_string_equal(res.v[0].refs[0], "example.com/app:1");
	assert_null(res.v[0].refs[1]);
	assert_image(&a->s, "example.com/app:1", im.config.d, "from a layout dir\n");
	iso_load_result_free(&res);
	ents_free(&e);
	img_free(&im);
}

/* A gzip'd tar of a layout, its names with "./" in front (tar -C dir .),
 * named by containerd's annotation. */
static void test_load_layout_tar(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "layout.tar.gz");

	make_image(&im, "from a layout tar\n", false);
	put_str(&e, "./", "");
	layout(&e, &im, "{\"io.containerd.image.name\":\"docker.io/library/app:2\","
			"\"org.opencontainers.image.ref.name\":\"2\"}", "./");
	write_archive(file, &e, true);
	assert_int_equal(load_file(a, file, &res), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].refs[0], "docker.io/library/app:2");
	assert_image(&a->s, "app:2", im.config.d, "from a layout tar\n");
	iso_load_result_free(&res);
	ents_free(&e);
	img_free(&im);
}

/* docker < 25: manifest.json (first here: the order does not matter),
 * <id>.json, <layer id>/layer.tar uncompressed, repositories. */
static void test_load_docker_legacy(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	struct iso_image_rec rec;
	struct iso_image img;
	cleanup_free char *file = tmp_path(a->t, "legacy.tar");
	static const char v1id[] = "1111111111111111111111111111111111111111111111111111111111111111";
	cleanup_free char *manifest = NULL, *cname = NULL, *lname = NULL;
	bool found;

	make_image(&im, "from docker save\n", false);
	cname = xasprintf("%s.json", iso_digest_hex(im.config.d));
	lname = xasprintf("%s/layer.tar", v1id);
	manifest = xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"app:legacy\",\"other/app:2\"],"
			     "\"Layers\":[\"%s\"]}]", cname, lname);
	put_str(&e, "manifest.json", manifest);
	put_str(&e, "repositories", "{\"app\":{\"legacy\":\"1111\"}}");
	put(&e, cname, im.config.data, im.config.len);
	put_str(&e, "1111111111111111111111111111111111111111111111111111111111111111/", "");
	put_str(&e, "1111111111111111111111111111111111111111111111111111111111111111/VERSION", "1.0");
	put_str(&e, "1111111111111111111111111111111111111111111111111111111111111111/json", "{}");
	put(&e, lname, im.layer.data, im.layer.len);
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].id, im.config.d);
	assert_string_equal(res.v[0].refs[0], "docker.io/library/app:legacy");
	assert_string_equal(res.v[0].refs[1], "docker.io/other/app:2");
	assert_image(&a->s, "app:legacy", im.config.d, "from docker save\n");
	assert_image(&a->s, "other/app:2", im.config.d, "from docker save\n");
	/* the manifest written for it: OCI, the layer as a plain tar */
	assert_int_equal(iso_imagedb_lookup(&a->s, "app:legacy", &rec, &found, NULL), 0);
	assert_int_equal(iso_image_load(&a->s, &rec, &img, NULL), 0);
	assert_string_equal(img.manifest.media_type, ISO_MT_OCI_MANIFEST);
	assert_string_equal(img.manifest.layers[0].media_type, ISO_MT_OCI_LAYER);
	assert_string_equal(img.manifest.layers[0].digest, im.layer.d);
	iso_image_free(&img);
	iso_image_rec_free(&rec);
	iso_load_result_free(&res);
	ents_free(&e);
	img_free(&im);
}

/* docker >= 25: an OCI layout and manifest.json; the names of both. */
static void test_load_docker_oci(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "docker25.tar");
	cleanup_free char *manifest = NULL;

	make_image(&im, "from docker 25\n", false);
	layout(&e, &im, "{\"io.containerd.image.name\":\"docker.io/library/app:oci\","
			"\"org.opencontainers.image.ref.name\":\"oci\"}", "");
	manifest = xasprintf("[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":[\"app:oci\",\"app:alias\"],"
			     "\"Layers\":[\"blobs/sha256/%s\"]}]",
			     iso_digest_hex(im.config.d), iso_digest_hex(im.layer.d));
	put_str(&e, "manifest.json", manifest);
	put_str(&e, "repositories", "{}");
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].refs[0], "docker.io/library/app:oci");
	assert_string_equal(res.v[0].refs[1], "docker.io/library/app:alias");
	assert_null(res.v[0].refs[2]);
	assert_image(&a->s, "app:alias", im.config.d, "from docker 25\n");
	iso_load_result_free(&res);
	ents_free(&e);
	img_free(&im);
}

/* index.json -> an index with another platform's manifest (its blobs not
 * there) and this machine's. */
static void test_load_nested_index(void **state)
{
	struct at *a = *state;
	struct img im, other;
	struct ents e = { 0 };
	struct blob idx;
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "nested.tar");
	cleanup_free char *host = host_arch();
	cleanup_free char *index = NULL;
	const char *arch2 = strcmp(host, "arm64") == 0 ? "amd64" : "arm64";

	make_image(&im, "this platform\n", true);
	make_image_for(&other, "the other one\n", true, arch2);
	index = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":["
			  "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"}},"
			  "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"}}]}",
			  ISO_MT_OCI_INDEX, ISO_MT_OCI_MANIFEST, other.manifest.d, other.manifest.len,
			  arch2, ISO_MT_OCI_MANIFEST, im.manifest.d, im.manifest.len, host);
	set_blob(&idx, index, strlen(index));
	index = NULL;
	index = xasprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
			  "\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"localhost/multi:1\"}}]}",
			  ISO_MT_OCI_INDEX, idx.d, idx.len);
	put_str(&e, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	put_str(&e, "index.json", index);
	put_blob(&e, "", &idx);
	put_blob(&e, "", &im.manifest);
	put_blob(&e, "", &im.config);
	put_blob(&e, "", &im.layer);
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].refs[0], "localhost/multi:1");
	assert_image(&a->s, "localhost/multi:1", im.config.d, "this platform\n");
	iso_load_result_free(&res);
	free(idx.data);
	ents_free(&e);
	img_free(&im);
	img_free(&other);
}

/* No name, and a bare tag (which names nothing by itself). */
static void test_load_untagged(void **state)
{
	struct at *a = *state;
	static const char *const annotations[] = {
		NULL, "{\"org.opencontainers.image.ref.name\":\"latest\"}",
	};
	struct iso_image_list l;

	for (size_t i = 0; i < 2; i++) {
		struct img im;
		struct ents e = { 0 };
		struct iso_load_result res;
		cleanup_free char *file = xasprintf("%s/untagged%zu.tar", a->t->path, i);
		cleanup_free char *marker = xasprintf("untagged %zu\n", i);

		make_image(&im, marker, true);
		layout(&e, &im, annotations[i], "");
		write_archive(file, &e, false);
		assert_int_equal(load_file(a, file, &res), 0);
		assert_int_equal(res.n, 1);
		assert_null(res.v[0].refs[0]);
		assert_image(&a->s, im.config.d, im.config.d, marker);
		iso_load_result_free(&res);
		ents_free(&e);
		img_free(&im);
	}
	assert_int_equal(iso_imagedb_list(&a->s, &l, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_null(l.v[0].refs[0]);
	assert_null(l.v[1].refs[0]);
	iso_image_list_free(&l);
}

static void test_load_bad_digest(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "bad.tar");

	make_image(&im, "bad digest\n", false);
	layout(&e, &im, "{\"org.opencontainers.image.ref.name\":\"example.com/bad:1\"}", "");
	/* the layer's blob, one byte changed: still a tar, not its digest */
	for (size_t i = 0; i < e.n; i++)
		if (strstr(e.v[i].name, iso_digest_hex(im.layer.d)))
			e.v[i].data[600] ^= 1;
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), -1);
	assert_contains(a->err.msg, file);
	assert_contains(a->err.msg, iso_digest_hex(im.layer.d));
	assert_contains(a->err.msg, "digest mismatch");
	assert_nothing_recorded(&a->s);
	ents_free(&e);
	img_free(&im);
}

static void test_load_missing_blob(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "missing.tar");
	cleanup_free char *dir = tmp_path(a->t, "missing");

	make_image(&im, "missing\n", true);
	layout(&e, &im, "{\"org.opencontainers.image.ref.name\":\"example.com/missing:1\"}", "");
	for (size_t i = 0; i < e.n; i++)
		if (strstr(e.v[i].name, iso_digest_hex(im.layer.d))) {
			free(e.v[i].name);
			e.v[i].name = xstrdup("blobs/sha256/elsewhere");
		}
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), -1);
	assert_contains(a->err.msg, file);
	assert_contains(a->err.msg, im.layer.d);
	assert_contains(a->err.msg, "is missing");
	assert_nothing_recorded(&a->s);
	/* the same as a directory */
	assert_int_equal(mkdir(dir, 0755), 0);
	write_dir(dir, &e);
	assert_int_equal(iso_load_dir(&a->s, dir, NULL, &res, &a->err), -1);
	assert_contains(a->err.msg, im.layer.d);
	assert_contains(a->err.msg, "is missing");
	assert_nothing_recorded(&a->s);
	ents_free(&e);
	img_free(&im);
}

/* Names that climb, absolute names, links: never made on disk, never
 * followed; the image beside them loads. */
static void test_load_traversal_ignored(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "evil.tar");
	cleanup_free char *deep = tmp_path(a->t, "a/b");
	cleanup_free char *a_dir = tmp_path(a->t, "a");
	cleanup_free char *abs = xasprintf("/tmp/isolate-unit-archive-abs-%d", (int)getpid());
	cleanup_free char *cwd = getcwd(NULL, 0);
	static const char *const names[] = {
		"../../x-dotdot", "./../../x-dotdot2", "blobs/sha256/../../../x-blob",
		"blobs/../../x-blobs", "../../manifest.json",
	};

	make_image(&im, "beside the evil\n", true);
	layout(&e, &im, "{\"org.opencontainers.image.ref.name\":\"example.com/ok:1\"}", "");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put_str(&e, names[i], "[]");
	put_str(&e, abs, "escaped");
	put_link(&e, "blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000",
		 "/etc/passwd", NULL);
	put_link(&e, "x-link", "../../x-link-target", NULL);
	put_link(&e, "blobs/sha256/1111111111111111111111111111111111111111111111111111111111111111",
		 NULL, "../../etc/passwd");
	write_archive(file, &e, false);
	assert_int_equal(mkdir(a_dir, 0755), 0);
	assert_int_equal(mkdir(deep, 0755), 0);
	assert_non_null(cwd);
	assert_int_equal(chdir(deep), 0);
	assert_int_equal(load_file(a, file, &res), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(res.n, 1);
	assert_image(&a->s, "example.com/ok:1", im.config.d, "beside the evil\n");
	/* T holds what it held, and a/b nothing */
	assert_int_equal(count_dir(a->t->path), 3);      /* store, evil.tar, a */
	assert_int_equal(count_dir(deep), 0);
	assert_int_equal(access(abs, F_OK), -1);
	assert_false(iso_store_has_blob(&a->s, "sha256:0000000000000000000000000000000000000000000000000000000000000000"));
	assert_false(iso_store_has_blob(&a->s, "sha256:1111111111111111111111111111111111111111111111111111111111111111"));
	iso_load_result_free(&res);
	ents_free(&e);
	img_free(&im);
}

static void test_load_malformed_json(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	cleanup_free char *file = tmp_path(a->t, "malformed.tar");

	make_image(&im, "malformed\n", true);
	put_str(&e, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	put_str(&e, "index.json", "{\"schemaVersion\": 2,\n \"manifests\": [ }\n");
	put_blob(&e, "", &im.manifest);
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), -1);
	assert_contains(a->err.msg, "index.json:2:");
	assert_nothing_recorded(&a->s);
	ents_free(&e);
	/* docker's manifest.json, wrong in another way */
	put_str(&e, "manifest.json", "[{\"Config\":\"../../etc/passwd\",\"Layers\":[]}]");
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), -1);
	assert_contains(a->err.msg, "manifest.json: [0].Config: \"../../etc/passwd\" is not a config name");
	assert_nothing_recorded(&a->s);
	ents_free(&e);
	img_free(&im);
}

static void test_load_not_an_archive(void **state)
{
	struct at *a = *state;
	struct iso_load_result res;
	cleanup_free char *file = tmp_file(a->t, "text", "this is not a tar archive at all\n");
	cleanup_free char *empty = tmp_file(a->t, "empty.tar", "");
	struct ents e = { 0 };

	assert_int_equal(load_file(a, file, &res), -1);
	assert_contains(a->err.msg, "not an image archive");
	assert_nothing_recorded(&a->s);
	/* a tar, but of something else */
	put_str(&e, "hello.txt", "hi");
	write_archive(empty, &e, false);
	assert_int_equal(load_file(a, empty, &res), -1);
	assert_contains(a->err.msg, "no index.json and no manifest.json");
	assert_nothing_recorded(&a->s);
	ents_free(&e);
}

/* ---- save ---- */

static void test_save_load_roundtrip(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	struct iso_store b;
	cleanup_free char *file = tmp_path(a->t, "in.tar");
	cleanup_free char *saved = tmp_path(a->t, "saved.tar");
	cleanup_free char *saved_id = tmp_path(a->t, "saved-id.tar");
	cleanup_free char *root_b = tmp_path(a->t, "store-b");
	cleanup_free char *root_c = tmp_path(a->t, "store-c");
	char *names[] = { "example.com/round:trip", NULL };
	char *ids[] = { NULL, NULL };
	int fd;

	make_image(&im, "round trip\n", true);
	layout(&e, &im, "{\"org.opencontainers.image.ref.name\":\"example.com/round:trip\"}", "");
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), 0);
	iso_load_result_free(&res);

	fd = open(saved, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(iso_save(&a->s, names, fd, &a->err), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(iso_store_open(&b, root_b, &a->err), 0);
	fd = open(saved, O_RDONLY | O_CLOEXEC);
	assert_int_equal(iso_load_archive(&b, fd, saved, NULL, &res, &a->err), 0);
	close(fd);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].id, im.config.d);
	assert_string_equal(res.v[0].refs[0], "example.com/round:trip");
	assert_image(&b, "example.com/round:trip", im.config.d, "round trip\n");
	iso_load_result_free(&res);
	iso_store_close(&b);

	/* by id: untagged */
	ids[0] = im.config.d;
	fd = open(saved_id, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(iso_save(&a->s, ids, fd, &a->err), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(iso_store_open(&b, root_c, &a->err), 0);
	fd = open(saved_id, O_RDONLY | O_CLOEXEC);
	assert_int_equal(iso_load_archive(&b, fd, saved_id, NULL, &res, &a->err), 0);
	close(fd);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].id, im.config.d);
	assert_null(res.v[0].refs[0]);
	iso_load_result_free(&res);
	iso_store_close(&b);

	/* an unknown name */
	names[0] = "example.com/none:1";
	fd = open(saved_id, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_int_equal(iso_save(&a->s, names, fd, &a->err), -1);
	close(fd);
	assert_contains(a->err.msg, "no such image: example.com/none:1");
	ents_free(&e);
	img_free(&im);
}

/* A blob that went bad in the store: an error naming it, and an output
 * that does not end as a whole tar would. */
static void test_save_corrupt_blob(void **state)
{
	struct at *a = *state;
	struct img im;
	struct ents e = { 0 };
	struct iso_load_result res;
	struct archive *r;
	struct archive_entry *entry;
	cleanup_free char *file = tmp_path(a->t, "in.tar");
	cleanup_free char *saved = tmp_path(a->t, "saved.tar");
	cleanup_free char *blob = NULL;
	char *names[] = { "example.com/corrupt:1", NULL };
	int fd, ret;

	make_image(&im, "to be corrupted\n", false);
	layout(&e, &im, "{\"org.opencontainers.image.ref.name\":\"example.com/corrupt:1\"}", "");
	write_archive(file, &e, false);
	assert_int_equal(load_file(a, file, &res), 0);
	iso_load_result_free(&res);
	blob = iso_store_blob_path(&a->s, im.layer.d);
	fd = open(blob, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 700), 1);
	close(fd);
	fd = open(saved, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(iso_save(&a->s, names, fd, &a->err), -1);
	close(fd);
	assert_contains(a->err.msg, im.layer.d);
	assert_contains(a->err.msg, "is corrupt");
	/* reading what was written (here nothing: libarchive writes 10 KiB
	 * blocks) fails before an end of archive */
	r = archive_read_new();
	assert_int_equal(archive_read_support_format_tar(r), ARCHIVE_OK);
	ret = archive_read_open_filename(r, saved, 10240);
	while (ret == ARCHIVE_OK)
		ret = archive_read_next_header(r, &entry);
	assert_int_not_equal(ret, ARCHIVE_EOF);
	archive_read_free(r);
	ents_free(&e);
	img_free(&im);
}

/* ---- import ---- */

static char *rootfs_tar(bool gzip, size_t *len)
{
	struct ents e = { 0 };
	char *tar;

	put_str(&e, "bin/", "");
	put_str(&e, "bin/sh", "#!not really a shell\n");
	put_str(&e, "etc/", "");
	put_str(&e, "etc/marker", "imported\n");
	tar = mem_tar(&e, gzip, len);
	ents_free(&e);
	return tar;
}

static bool blob_is_gzip(struct iso_store *s, const char *digest)
{
	cleanup_free char *path = iso_store_blob_path(s, digest);
	cleanup_free char *data = NULL;
	size_t len;

	assert_int_equal(read_file_at(AT_FDCWD, path, &data, &len, NULL), 0);
	return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

/* Imports the rootfs tar (gzip'd or not) as REF and checks the image. */
static void check_import(struct at *a, bool gzip, const char *ref, const char *file, int line)
{
	size_t len, plain_len;
	cleanup_free char *tar = rootfs_tar(gzip, &len);
	cleanup_free char *plain = rootfs_tar(false, &plain_len);
	cleanup_free char *path = xasprintf("%s/rootfs.tar%s", a->t->path, gzip ? ".gz" : "");
	struct iso_import_opts o = { .ref = ref };
	struct iso_import_result res;
	struct iso_image_rec rec;
	struct iso_image img;
	iso_digest_t diff_id, input;
	bool found;
	int fd;

	iso_digest_buf(plain, plain_len, diff_id);
	iso_digest_buf(tar, len, input);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	_assert_true(fd >= 0, "open", file, line);
	_assert_int_equal(write_all(fd, tar, len), 0, file, line);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	_assert_int_equal(iso_import(&a->s, fd, path, &o, &res, &a->err), 0, file, line);
	close(fd);
	check_image(&a->s, ref, res.id, "imported\n", file, line);
	_assert_int_equal(iso_imagedb_lookup(&a->s, ref, &rec, &found, NULL), 0, file, line);
	_assert_int_equal(iso_image_load(&a->s, &rec, &img, NULL), 0, file, line);
	_assert_string_equal(img.config.diff_ids[0], diff_id, file, line);
	_assert_string_equal(img.manifest.layers[0].media_type, ISO_MT_OCI_LAYER_GZIP, file, line);
	_assert_true(img.config.env && strncmp(img.config.env[0], "PATH=", 5) == 0, "PATH", file,
		     line);
	_assert_true(img.config.os && strcmp(img.config.os, "linux") == 0, "os", file, line);
	_assert_true(blob_is_gzip(&a->s, img.manifest.layers[0].digest), "gzip", file, line);
	/* a gzip file is the blob as it is; a plain tar was compressed */
	if (gzip)
		_assert_string_equal(img.manifest.layers[0].digest, input, file, line);
	iso_image_free(&img);
	iso_image_rec_free(&rec);
	iso_import_result_free(&res);
}

static void test_import_plain(void **state)
{
	struct at *a = *state;
	struct iso_image_rec rec;
	bool found;

	check_import(a, false, "imported:plain", __FILE__, __LINE__);
	/* normalised as refs are */
	assert_int_equal(iso_imagedb_lookup(&a->s, "docker.io/library/imported:plain", &rec, &found,
					    NULL), 0);
	assert_true(found);
	iso_image_rec_free(&rec);
}

static void test_import_gzip(void **state)
{
	check_import(*state, true, "example.com/imported:gz", __FILE__, __LINE__);
}

static void test_import_changes(void **state)
{
	struct at *a = *state;
	size_t len;
	cleanup_free char *tar = rootfs_tar(false, &len);
	cleanup_free char *path = tmp_path(a->t, "rootfs.tar");
	char *changes[] = { "CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENV A=1 B=\"two\"",
			    "WORKDIR /srv", "EXPOSE 80", "USER app", NULL };
	struct iso_import_opts o = { .ref = "changed:1", .changes = changes };
	struct iso_import_result res;
	struct iso_image_rec rec;
	struct iso_image img;
	bool found;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(write_all(fd, tar, len), 0);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(iso_import(&a->s, fd, path, &o, &res, &a->err), 0);
	close(fd);
	assert_int_equal(iso_imagedb_lookup(&a->s, "changed:1", &rec, &found, NULL), 0);
	assert_int_equal(iso_image_load(&a->s, &rec, &img, NULL), 0);
	assert_string_equal(img.config.cmd[2], "echo hi");
	assert_string_equal(img.config.env[1], "A=1");
	assert_string_equal(img.config.env[2], "B=two");
	assert_string_equal(img.config.working_dir, "/srv");
	assert_string_equal(img.config.exposed_ports[0], "80/tcp");
	assert_string_equal(img.config.user, "app");
	iso_image_free(&img);
	iso_image_rec_free(&rec);
	iso_import_result_free(&res);
	/* an instruction import does not know */
	changes[0] = "RUN rm -rf /";
	changes[1] = NULL;
	o.ref = "changed:2";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(iso_import(&a->s, fd, path, &o, &res, &a->err), -1);
	close(fd);
	assert_contains(a->err.msg, "unsupported instruction RUN");
}

static void test_import_not_a_tar(void **state)
{
	struct at *a = *state;
	cleanup_free char *path = tmp_file(a->t, "notes.txt", "not a tar, just some text\n");
	struct iso_import_opts o = { .ref = "bad:1" };
	struct iso_import_result res;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_int_equal(iso_import(&a->s, fd, path, &o, &res, &a->err), -1);
	close(fd);
	assert_contains(a->err.msg, path);
	assert_contains(a->err.msg, "not a tar");
	assert_nothing_recorded(&a->s);
	/* a bad name is refused before anything is read */
	o.ref = "Bad Name";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(iso_import(&a->s, fd, path, &o, &res, &a->err), -1);
	close(fd);
	assert_contains(a->err.msg, "invalid reference");
	assert_nothing_recorded(&a->s);
}

#define AT_TEST(f) cmocka_unit_test_setup_teardown(f, at_setup, at_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		AT_TEST(test_load_layout_dir),
		AT_TEST(test_load_layout_tar),
		AT_TEST(test_load_docker_legacy),
		AT_TEST(test_load_docker_oci),
		AT_TEST(test_load_nested_index),
		AT_TEST(test_load_untagged),
		AT_TEST(test_load_bad_digest),
		AT_TEST(test_load_missing_blob),
		AT_TEST(test_load_traversal_ignored),
		AT_TEST(test_load_malformed_json),
		AT_TEST(test_load_not_an_archive),
		AT_TEST(test_save_load_roundtrip),
		AT_TEST(test_save_corrupt_blob),
		AT_TEST(test_import_plain),
		AT_TEST(test_import_gzip),
		AT_TEST(test_import_changes),
		AT_TEST(test_import_not_a_tar),
	};

	return cmocka_run_group_tests_name("archive", tests, NULL, NULL);
}
