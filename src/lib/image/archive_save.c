/* isolate save: images of the store as an OCI image layout in a tar, with
 * docker's manifest.json beside it (archive.h says why). */
#include "archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagedb.h"
#include "manifest.h"
#include "ref.h"
#include "util.h"

#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_IMAGE_NAME "io.containerd.image.name"
#define COPY_BUF (128 * 1024)

struct save_img {
	iso_digest_t id, mdigest;
	char **refs;               /* full refs it is saved under */
	struct iso_manifest m;
	int64_t msize;
};

struct save {
	struct iso_store *s;
	struct save_img *v;
	size_t n;
	char **written;            /* blobs in the tar so far */
	struct archive *a;
	int fd;
	bool failed;               /* nothing more reaches FD */
};

static void add_image(struct save *sv, const struct iso_image_rec *rec, const char *ref)
{
	struct save_img *img = NULL;

	for (size_t i = 0; i < sv->n && img == NULL; i++)
		if (strcmp(sv->v[i].id, rec->id) == 0)
			img = &sv->v[i];
	if (img == NULL) {
		sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
		img = &sv->v[sv->n++];
		memset(img, 0, sizeof(*img));
		snprintf(img->id, sizeof(img->id), "%s", rec->id);
		snprintf(img->mdigest, sizeof(img->mdigest), "%s", rec->manifest);
		img->refs = xcalloc(1, sizeof(char *));
	}
	for (size_t i = 0; ref && img->refs[i]; i++)
		if (strcmp(img->refs[i], ref) == 0)
			return;
	if (ref)
		strv_push(&img->refs, ref);
}

/* A repository name without a tag or digest: docker saves all its tags. */
static int add_repository(struct save *sv, const char *name, bool *any, struct iso_error *err)
{
	struct iso_image_list list;
	struct iso_imgref ref;
	struct iso_error ignored;
	cleanup_free char *repo = NULL;
	size_t n;

	*any = false;
	if (strchr(name, '@') || (strrchr(name, ':') && strrchr(name, ':') > strrchr(name, '/')) ||
	    iso_imgref_parse(name, &ref, &ignored) < 0)
		return 0;
	repo = iso_imgref_name(&ref);
	iso_imgref_free(&ref);
	n = strlen(repo);
	if (iso_imagedb_list(sv->s, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++)
		for (size_t k = 0; list.v[i].refs[k]; k++)
			if (strncmp(list.v[i].refs[k], repo, n) == 0 && list.v[i].refs[k][n] == ':') {
				add_image(sv, &list.v[i], list.v[i].refs[k]);
				*any = true;
			}
	iso_image_list_free(&list);
	return 0;
}

static int add_name(struct save *sv, const char *name, struct iso_error *err)
{
	struct iso_image_rec rec;
	struct iso_imgref ref;
	struct iso_error ignored;
	cleanup_free char *full = NULL;
	bool found;

	if (add_repository(sv, name, &found, err) < 0)
		return -1;
	if (found)
		return 0;
	if (iso_imagedb_lookup(sv->s, name, &rec, &found, err) < 0)
		return -1;
	if (!found)
		return iso_error_set_status(err, 1, 0, "no such image: %s", name);
	if (iso_imgref_parse(name, &ref, &ignored) == 0) {
		full = iso_imgref_string(&ref);
		iso_imgref_free(&ref);
	}
	/* by a name it has: saved under it; by its id: untagged */
	for (size_t i = 0; full && rec.refs[i]; i++)
		if (strcmp(rec.refs[i], full) == 0) {
			add_image(sv, &rec, full);
			iso_image_rec_free(&rec);
			return 0;
		}
	add_image(sv, &rec, NULL);
	iso_image_rec_free(&rec);
	return 0;
}

/* ---- the tar ---- */

static int tar_error(struct save *sv, const char *what, struct iso_error *err)
{
	int e = archive_errno(sv->a);

	return iso_error_set(err, e > 0 ? e : 0, "write %s: %s", what,
			     archive_error_string(sv->a) ? archive_error_string(sv->a) : "error");
}

static int put_header(struct save *sv, const char *name, mode_t type, int64_t size,
		      struct iso_error *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (e == NULL)
		return iso_error_set(err, ENOMEM, "write %s", name);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	/* fixed owner and time: the same images make the same tar */
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 0, 0);
	r = archive_write_header(sv->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : tar_error(sv, name, err);
}

static int put_data(struct save *sv, const char *name, const void *buf, size_t len,
		    struct iso_error *err)
{
	if (len > 0 && archive_write_data(sv->a, buf, len) != (la_ssize_t)len)
		return tar_error(sv, name, err);
	return 0;
}

static int put_json(struct save *sv, const char *name, json_t *doc, struct iso_error *err)
{
	cleanup_free char *text = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	if (text == NULL)
		return iso_error_set(err, ENOMEM, "encode %s", name);
	if (put_header(sv, name, AE_IFREG, (int64_t)strlen(text), err) < 0)
		return -1;
	return put_data(sv, name, text, strlen(text), err);
}

/* The store's blob DIGEST as blobs/sha256/HEX, checked as it is copied. */
static int put_blob(struct save *sv, const char *digest, struct iso_error *err)
{
	cleanup_free char *name = xasprintf("blobs/sha256/%s", iso_digest_hex(digest));
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1;
	struct iso_sha256 h;
	iso_digest_t got;
	struct stat st;
	int64_t left;

	for (size_t i = 0; sv->written[i]; i++)
		if (strcmp(sv->written[i], digest) == 0)
			return 0;
	fd = iso_store_open_blob(sv->s, digest, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return iso_error_set(err, errno, "stat blob %s", digest);
	if (put_header(sv, name, AE_IFREG, st.st_size, err) < 0 || iso_sha256_init(&h, err) < 0)
		return -1;
	buf = xmalloc(COPY_BUF);
	for (left = st.st_size; left > 0;) {
		ssize_t n = read(fd, buf, left < COPY_BUF ? (size_t)left : COPY_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || put_data(sv, name, buf, (size_t)n, err) < 0) {
			iso_sha256_free(&h);
			if (n <= 0)
				return iso_error_set(err, n < 0 ? errno : EIO, "read blob %s", digest);
			return -1;
		}
		iso_sha256_update(&h, buf, (size_t)n);
		left -= n;
	}
	iso_sha256_final(&h, got);
	if (strcmp(got, digest) != 0)
		return iso_error_set(err, 0, "blob %s in the store is corrupt (its content is %s)",
				     digest, got);
	strv_push(&sv->written, digest);
	return 0;
}

static int put_image_blobs(struct save *sv, struct save_img *img, struct iso_error *err)
{
	cleanup_free char *body = NULL;
	size_t len;

	if (iso_store_read_blob(sv->s, img->mdigest, ISO_MANIFEST_MAX, &body, &len, err) < 0 ||
	    iso_manifest_parse(body, len, NULL, img->mdigest, &img->m, err) < 0)
		return -1;
	if (img->m.is_index)
		return iso_error_set(err, 0, "image %s: its manifest %s is an index", img->id,
				     img->mdigest);
	img->msize = (int64_t)len;
	if (put_blob(sv, img->mdigest, err) < 0 || put_blob(sv, img->m.config.digest, err) < 0)
		return -1;
	for (size_t i = 0; i < img->m.n_layers; i++)
		if (put_blob(sv, img->m.layers[i].digest, err) < 0)
			return -1;
	return 0;
}

static json_t *index_entry(const struct save_img *img, const char *ref)
{
	json_t *e = json_pack("{s:s,s:s,s:I}", "mediaType", img->m.media_type, "digest",
			      img->mdigest, "size", (json_int_t)img->msize);
	struct iso_imgref r;
	struct iso_error ignored;

	if (ref && iso_imgref_parse(ref, &r, &ignored) == 0) {
		json_object_set_new(e, "annotations",
				    json_pack("{s:s,s:s}", ANN_IMAGE_NAME, ref, ANN_REF_NAME,
					      r.tag ? r.tag : "latest"));
		iso_imgref_free(&r);
	}
	return e;
}

/* index.json (an entry per name, one for an untagged image) and
 * manifest.json (an entry per image).  RepoTags are full refs: docker
 * reads "docker.io/library/x:1" as "x:1", and podman would make
 * "localhost/x:1" of the short form. */
static int put_indexes(struct save *sv, struct iso_error *err)
{
	json_t *manifests = json_array();
	json_t *index = json_pack("{s:i,s:s,s:o}", "schemaVersion", 2, "mediaType",
				  ISO_MT_OCI_INDEX, "manifests", manifests);
	json_t *docker = json_array();

	for (size_t i = 0; i < sv->n; i++) {
		const struct save_img *img = &sv->v[i];
		json_t *tags = json_array(), *layers = json_array();

		if (img->refs[0] == NULL)
			json_array_append_new(manifests, index_entry(img, NULL));
		for (size_t k = 0; img->refs[k]; k++) {
			json_array_append_new(manifests, index_entry(img, img->refs[k]));
			json_array_append_new(tags, json_string(img->refs[k]));
		}
		for (size_t k = 0; k < img->m.n_layers; k++)
			json_array_append_new(layers, json_sprintf("blobs/sha256/%s",
								   iso_digest_hex(img->m.layers[k].digest)));
		json_array_append_new(docker, json_pack("{s:o,s:o,s:o}", "Config",
			json_sprintf("blobs/sha256/%s", iso_digest_hex(img->m.config.digest)),
			"RepoTags", tags, "Layers", layers));
	}
	if (put_json(sv, "index.json", index, err) < 0) {
		json_decref(docker);
		return -1;
	}
	return put_json(sv, "manifest.json", docker, err) < 0 ||
	       put_json(sv, "oci-layout", json_pack("{s:s}", "imageLayoutVersion", "1.0.0"), err) < 0
		       ? -1 : 0;
}

/* Once the save failed, what libarchive still writes (the end of the
 * archive, as it is freed) is dropped: a failed save must not end as if
 * it were whole. */
static la_ssize_t write_out(struct archive *a, void *data, const void *buf, size_t len)
{
	struct save *sv = data;

	if (sv->failed)
		return (la_ssize_t)len;
	if (write_all(sv->fd, buf, len) < 0) {
		archive_set_error(a, errno, "write");
		return -1;
	}
	return (la_ssize_t)len;
}

static int write_tar(struct save *sv, struct iso_error *err)
{
	sv->a = archive_write_new();
	if (sv->a == NULL)
		return iso_error_set(err, ENOMEM, "write the archive");
	if (archive_write_set_format_pax_restricted(sv->a) != ARCHIVE_OK ||
	    archive_write_open(sv->a, sv, NULL, write_out, NULL) != ARCHIVE_OK)
		return tar_error(sv, "the archive", err);
	if (put_header(sv, "blobs/", AE_IFDIR, 0, err) < 0 ||
	    put_header(sv, "blobs/sha256/", AE_IFDIR, 0, err) < 0)
		return -1;
	for (size_t i = 0; i < sv->n; i++)
		if (put_image_blobs(sv, &sv->v[i], err) < 0)
			return -1;
	if (put_indexes(sv, err) < 0)
		return -1;
	if (archive_write_close(sv->a) != ARCHIVE_OK)
		return tar_error(sv, "the archive", err);
	return 0;
}

int iso_save(struct iso_store *s, char *const *names, int fd, struct iso_error *err)
{
	struct save sv = { .s = s, .written = xcalloc(1, sizeof(char *)), .fd = fd };
	/* no gc removes a blob between reading a manifest and copying it */
	cleanup_close int gc = iso_store_lock_shared(s, "gc", err);
	int r = -1;

	if (gc < 0)
		goto out;
	for (size_t i = 0; names[i]; i++)
		if (add_name(&sv, names[i], err) < 0)
			goto out;
	if (sv.n == 0) {
		iso_error_set(err, 0, "no image to save");
		goto out;
	}
	r = write_tar(&sv, err);
out:
	sv.failed = r < 0;
	if (sv.a != NULL)
		archive_write_free(sv.a);
	for (size_t i = 0; i < sv.n; i++) {
		strv_free(sv.v[i].refs);
		iso_manifest_free(&sv.v[i].m);
	}
	free(sv.v);
	strv_free(sv.written);
	return r;
}
