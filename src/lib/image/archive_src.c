/* What an image archive or a layout directory holds.
 *
 * An archive is read once, front to back (it may be a pipe): each entry
 * whose name is one the formats use is copied into the store while it is
 * hashed, or kept in memory if it is one of the small JSON files; every
 * other entry is skipped unread.  A directory is read on demand: a blob is
 * opened (inside the directory) and copied when the loader asks for it.
 * Either way no name from the source is ever made on disk: a blob is
 * written to a tmp file of the store and renamed to its digest. */
#include "archive_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "pathres.h"
#include "util.h"

#define COPY_BUF (128 * 1024)

static const char *const json_names[ARC_N_JSON] = { "index.json", "manifest.json", "oci-layout" };

/* ---- names ---- */

const char *arc_normalize(const char *name)
{
	while (name[0] == '.' && name[1] == '/') {
		name += 2;
		while (*name == '/')
			name++;
	}
	return name;
}

static bool is_hex64(const char *s)
{
	for (int i = 0; i < ISO_DIGEST_HEXLEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

enum arc_kind arc_classify(const char *name)
{
	size_t n = strlen(name);
	static const char blobs[] = "blobs/sha256/";

	for (int k = 0; k < ARC_N_JSON; k++)
		if (strcmp(name, json_names[k]) == 0)
			return ARC_INDEX + k;
	if (n == sizeof(blobs) - 1 + ISO_DIGEST_HEXLEN && strncmp(name, blobs, sizeof(blobs) - 1) == 0 &&
	    is_hex64(name + sizeof(blobs) - 1))
		return ARC_BLOB;
	if (n < ISO_DIGEST_HEXLEN || !is_hex64(name))
		return ARC_OTHER;
	if (strcmp(name + ISO_DIGEST_HEXLEN, ".json") == 0)
		return ARC_CONFIG;
	if (strcmp(name + ISO_DIGEST_HEXLEN, ".tar") == 0 ||
	    strcmp(name + ISO_DIGEST_HEXLEN, "/layer.tar") == 0)
		return ARC_LAYER;
	return ARC_OTHER;
}

char *arc_blob_name(const char *digest)
{
	return xasprintf("blobs/sha256/%s", iso_digest_hex(digest));
}


/* The digest a name of kind K claims for its content, or "" if none. */
static void claimed_digest(const char *name, enum arc_kind k, iso_digest_t out)
{
	out[0] = '\0';
	if (k == ARC_BLOB)
		snprintf(out, sizeof(iso_digest_t), "%s%s", ISO_DIGEST_PREFIX,
			 name + strlen("blobs/sha256/"));
	else if (k == ARC_CONFIG)
		snprintf(out, sizeof(iso_digest_t), "%s%.64s", ISO_DIGEST_PREFIX, name);
}

/* ---- the source ---- */

void arc_src_init(struct arc_src *src, struct iso_store *s, const struct iso_load_opts *o,
		  const char *what)
{
	memset(src, 0, sizeof(*src));
	src->s = s;
	src->o = o;
	src->what = xstrdup(what);
	src->dirfd = -1;
}

void arc_src_free(struct arc_src *src)
{
	for (size_t i = 0; i < src->n; i++)
		free(src->ents[i].name);
	free(src->ents);
	for (int k = 0; k < ARC_N_JSON; k++)
		free(src->json[k]);
	if (src->dirfd >= 0)
		close(src->dirfd);
	free(src->what);
	memset(src, 0, sizeof(*src));
	src->dirfd = -1;
}

static struct arc_entry *find(struct arc_src *src, const char *name)
{
	for (size_t i = 0; i < src->n; i++)
		if (strcmp(src->ents[i].name, name) == 0)
			return &src->ents[i];
	return NULL;
}

static void add(struct arc_src *src, const char *name, const char *digest)
{
	if (src->n == src->cap) {
		src->cap = src->cap ? src->cap * 2 : 16;
		src->ents = xrealloc(src->ents, src->cap * sizeof(*src->ents));
	}
	src->ents[src->n].name = xstrdup(name);
	snprintf(src->ents[src->n].digest, sizeof(iso_digest_t), "%s", digest);
	src->n++;
}

static int mismatch(struct arc_src *src, const char *name, const char *got, struct iso_error *err)
{
	char shown[160];

	iso_printable(name, shown, sizeof(shown));
	return iso_error_set(err, 0, "%s: %s: digest mismatch: its content is %s", src->what, shown,
			     got);
}

/* A blob being copied: the store's tmp file and the hash of what went in. */
struct copy {
	struct iso_blob_writer w;
	struct iso_sha256 h;
	uint64_t bytes;
};

static int copy_begin(struct arc_src *src, struct copy *c, struct iso_error *err)
{
	c->bytes = 0;
	c->w.fd = -1;
	c->w.tmp_path = NULL;
	if (iso_sha256_init(&c->h, err) < 0)
		return -1;
	if (iso_store_blob_begin(src->s, &c->w, err) < 0) {
		iso_sha256_free(&c->h);
		return -1;
	}
	return 0;
}

static int copy_data(struct copy *c, const void *buf, size_t len, struct iso_error *err)
{
	iso_sha256_update(&c->h, buf, len);
	c->bytes += len;
	if (write_all(c->w.fd, buf, len) < 0)
		return iso_error_set(err, errno, "write %s", c->w.tmp_path);
	return 0;
}

static void copy_abort(struct copy *c)
{
	iso_sha256_free(&c->h);
	iso_store_blob_abort(&c->w);
}

/* Names the copied blob by its digest, if it is the one NAME claims; the
 * digest in OUT. */
static int copy_finish(struct arc_src *src, struct copy *c, const char *name, enum arc_kind k,
		       iso_digest_t out, struct iso_error *err)
{
	iso_digest_t claim;

	iso_sha256_final(&c->h, out);
	claimed_digest(name, k, claim);
	if (claim[0] != '\0' && strcmp(claim, out) != 0) {
		iso_store_blob_abort(&c->w);
		return mismatch(src, name, out, err);
	}
	if (iso_store_has_blob(src->s, out)) {
		iso_store_blob_abort(&c->w);
		return 0;
	}
	if (iso_store_blob_commit(src->s, &c->w, out, err) < 0)
		return -1;
	if (src->o && src->o->note)
		src->o->note(src->o->ctx, ISO_LOAD_BLOB, out);
	return 0;
}

/* ---- an archive ---- */

int arc_support_filters(struct archive *a, const char *what, struct iso_error *err)
{
	if (archive_zlib_version() == NULL || archive_libzstd_version() == NULL)
		return iso_error_set(err, 0, "%s: this libarchive was built without zlib or zstd", what);
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    (archive_liblzma_version() != NULL && archive_read_support_filter_xz(a) != ARCHIVE_OK) ||
	    (archive_bzlib_version() != NULL && archive_read_support_filter_bzip2(a) != ARCHIVE_OK))
		return iso_error_set(err, 0, "%s: %s", what, archive_error_string(a));
	return 0;
}

static int read_error(struct arc_src *src, struct archive *a, const char *name,
		      struct iso_error *err)
{
	const char *m = archive_error_string(a);
	char shown[160];

	iso_printable(name, shown, sizeof(shown));
	return iso_error_set(err, archive_errno(a) > 0 ? archive_errno(a) : 0,
			     "%s: read %s: %s", src->what, shown, m ? m : "truncated archive");
}

static int read_json(struct arc_src *src, struct archive *a, struct archive_entry *e,
		     const char *name, enum arc_kind k, struct iso_error *err)
{
	int i = k - ARC_INDEX;
	la_int64_t size = archive_entry_size(e);
	size_t off = 0;
	char *buf;

	if (src->json[i] != NULL)
		return iso_error_set(err, 0, "%s: %s appears twice in the archive", src->what, name);
	if (size < 0 || size > (la_int64_t)ISO_MANIFEST_MAX)
		return iso_error_set(err, 0, "%s: %s: %lld bytes, more than the %u allowed", src->what,
				     name, (long long)size, ISO_MANIFEST_MAX);
	buf = xmalloc((size_t)size + 1);
	while (off < (size_t)size) {
		la_ssize_t n = archive_read_data(a, buf + off, (size_t)size - off);

		if (n <= 0) {
			free(buf);
			return read_error(src, a, name, err);
		}
		off += (size_t)n;
	}
	buf[off] = '\0';
	src->json[i] = buf;
	src->json_len[i] = off;
	return 0;
}

static int read_blob(struct arc_src *src, struct archive *a, const char *name, enum arc_kind k,
		     struct iso_error *err)
{
	cleanup_free char *buf = NULL;
	iso_digest_t claim, got;
	struct copy c;

	claimed_digest(name, k, claim);
	if (find(src, name) != NULL) {
		/* its name pins a blob's content; a legacy name does not */
		if (claim[0] != '\0')
			return 0;
		return iso_error_set(err, 0, "%s: %s appears twice in the archive", src->what, name);
	}
	if (claim[0] != '\0' && iso_store_has_blob(src->s, claim)) {
		add(src, name, claim);
		return 0;
	}
	if (copy_begin(src, &c, err) < 0)
		return -1;
	buf = xmalloc(COPY_BUF);
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, COPY_BUF);

		if (n == 0)
			break;
		if (n < 0) {
			copy_abort(&c);
			return read_error(src, a, name, err);
		}
		if (copy_data(&c, buf, (size_t)n, err) < 0) {
			copy_abort(&c);
			return -1;
		}
	}
	if (copy_finish(src, &c, name, k, got, err) < 0)
		return -1;
	add(src, name, got);
	return 0;
}

/* A hard link to an entry already read: the same content. */
static int read_link(struct arc_src *src, const char *name, enum arc_kind k, const char *target,
		     struct iso_error *err)
{
	const struct arc_entry *t = find(src, arc_normalize(target));
	iso_digest_t claim;

	if (t == NULL || k >= ARC_INDEX || find(src, name) != NULL)
		return 0;
	claimed_digest(name, k, claim);
	if (claim[0] != '\0' && strcmp(claim, t->digest) != 0)
		return mismatch(src, name, t->digest, err);
	add(src, name, t->digest);
	return 0;
}

static int read_entry(struct arc_src *src, struct archive *a, struct archive_entry *e,
		      struct iso_error *err)
{
	const char *raw = archive_entry_pathname(e);
	const char *name = raw ? arc_normalize(raw) : "";
	enum arc_kind k = arc_classify(name);
	const char *link = archive_entry_hardlink(e);

	/* everything else is skipped, its data unread */
	if (k == ARC_OTHER)
		return 0;
	if (link != NULL)
		return read_link(src, name, k, link, err);
	if (archive_entry_filetype(e) != AE_IFREG)
		return 0;
	if (k >= ARC_INDEX)
		return read_json(src, a, e, name, k, err);
	return read_blob(src, a, name, k, err);
}

int arc_src_read_archive(struct arc_src *src, int fd, struct iso_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool first = true;
	int r, ret = -1;

	if (a == NULL)
		return iso_error_set(err, ENOMEM, "%s: read", src->what);
	if (arc_support_filters(a, src->what, err) < 0)
		goto out;
	if (archive_read_support_format_tar(a) != ARCHIVE_OK) {
		iso_error_set(err, 0, "%s: %s", src->what, archive_error_string(a));
		goto out;
	}
	/* the format is recognised from the first block, by the open or by
	 * the first header; its errno then says nothing useful */
	r = archive_read_open_fd(a, fd, COPY_BUF);
	while (r == ARCHIVE_OK && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			break;
		first = false;
		if (read_entry(src, a, e, err) < 0)
			goto out;
		r = ARCHIVE_OK;
	}
	if (r != ARCHIVE_EOF) {
		const char *m = archive_error_string(a);

		if (first)
			iso_error_set(err, 0, "%s: not an image archive (a tar, plain or compressed): %s",
				      src->what, m ? m : "unknown format");
		else
			iso_error_set(err, 0, "%s: %s", src->what, m ? m : "read error");
		goto out;
	}
	for (int k = 0; k < ARC_N_JSON; k++)
		src->json_read[k] = true;
	ret = 0;
out:
	archive_read_free(a);
	return ret;
}

/* ---- a directory ---- */

int arc_src_open_dir(struct arc_src *src, const char *dir, struct iso_error *err)
{
	src->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src->dirfd < 0)
		return iso_error_set(err, errno, "open %s", dir);
	return 0;
}

/* Opens NAME inside the directory; -1 with errno. */
static int open_in_dir(struct arc_src *src, const char *name, struct stat *st)
{
	int fd = iso_open_in_root(src->dirfd, name, O_RDONLY);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int e = S_ISREG(st->st_mode) ? errno : EINVAL;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int dir_json(struct arc_src *src, int i, struct iso_error *err)
{
	struct stat st;
	cleanup_close int fd = open_in_dir(src, json_names[i], &st);
	size_t off = 0;

	src->json_read[i] = true;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return iso_error_set(err, errno, "%s: open %s", src->what, json_names[i]);
	if (st.st_size > (off_t)ISO_MANIFEST_MAX)
		return iso_error_set(err, 0, "%s: %s: %lld bytes, more than the %u allowed", src->what,
				     json_names[i], (long long)st.st_size, ISO_MANIFEST_MAX);
	src->json[i] = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, src->json[i] + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return iso_error_set(err, n < 0 ? errno : EIO, "%s: read %s", src->what,
					     json_names[i]);
		off += (size_t)n;
	}
	src->json[i][off] = '\0';
	src->json_len[i] = off;
	return 0;
}

static int dir_blob(struct arc_src *src, const char *name, enum arc_kind k, iso_digest_t out,
		    bool *found, struct iso_error *err)
{
	cleanup_free char *buf = NULL;
	struct stat st;
	cleanup_close int fd = open_in_dir(src, name, &st);
	struct copy c;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return iso_error_set(err, errno, "%s: open %s", src->what, name);
	if (copy_begin(src, &c, err) < 0)
		return -1;
	buf = xmalloc(COPY_BUF);
	for (;;) {
		ssize_t n = read(fd, buf, COPY_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			break;
		if (n < 0 || copy_data(&c, buf, (size_t)n, err) < 0) {
			if (n < 0)
				iso_error_set(err, errno, "%s: read %s", src->what, name);
			copy_abort(&c);
			return -1;
		}
	}
	if (copy_finish(src, &c, name, k, out, err) < 0)
		return -1;
	add(src, name, out);
	*found = true;
	return 0;
}

/* ---- what the loader asks ---- */

int arc_src_json(struct arc_src *src, enum arc_kind k, const char **buf, size_t *len,
		 struct iso_error *err)
{
	int i = k - ARC_INDEX;

	if (!src->json_read[i] && src->dirfd >= 0 && dir_json(src, i, err) < 0)
		return -1;
	*buf = src->json[i];
	*len = src->json_len[i];
	return 0;
}

int arc_src_blob(struct arc_src *src, const char *name, iso_digest_t out, bool *found,
		 struct iso_error *err)
{
	const struct arc_entry *e = find(src, name);
	enum arc_kind k = arc_classify(name);
	iso_digest_t claim;

	*found = false;
	if (k != ARC_BLOB && k != ARC_CONFIG && k != ARC_LAYER)
		return iso_error_set(err, 0, "%s: internal error: %s is not a blob's name", src->what, name);
	if (e != NULL) {
		snprintf(out, sizeof(iso_digest_t), "%s", e->digest);
		*found = true;
		return 0;
	}
	claimed_digest(name, k, claim);
	if (claim[0] != '\0' && iso_store_has_blob(src->s, claim)) {
		snprintf(out, sizeof(iso_digest_t), "%s", claim);
		*found = true;
		return 0;
	}
	if (src->dirfd < 0)
		return 0;
	return dir_blob(src, name, k, out, found, err);
}

int arc_blob_info(struct iso_store *s, const char *digest, const char **media_type,
		  int64_t *size, struct iso_error *err)
{
	cleanup_close int fd = iso_store_open_blob(s, digest, err);
	unsigned char m[4] = { 0 };
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return iso_error_set(err, errno, "stat blob %s", digest);
	do
		n = pread(fd, m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return iso_error_set(err, errno, "read blob %s", digest);
	*size = st.st_size;
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		*media_type = ISO_MT_OCI_LAYER_GZIP;
	else if (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		*media_type = ISO_MT_OCI_LAYER "+zstd";
	else
		*media_type = ISO_MT_OCI_LAYER;
	return 0;
}
