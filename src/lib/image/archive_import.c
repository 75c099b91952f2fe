/* isolate import: a one-layer image from a rootfs tarball.
 *
 * The input is read once.  Its first two bytes say whether it is gzip:
 * then its bytes are the layer blob as they are; else the decompressed
 * stream is compressed to gzip on the way.  Either way the decompressed
 * stream is hashed as it passes (the diff_id), and the layer is then
 * unpacked from the stored blob like any pulled layer, which checks that
 * it is a tar and that its content is that diff_id. */
#include "archive_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "manifest.h"
#include "ref.h"
#include "jsonutil.h"
#include "util.h"

#define COPY_BUF (128 * 1024)
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct imp {
	const char *what;
	int fd;
	unsigned char peek[2];
	size_t npeek, peek_off;
	bool gzip;                 /* the input is stored as it is */
	bool eof;
	struct iso_blob_writer w;
	struct iso_sha256 blob;    /* what goes into the blob */
	struct iso_sha256 diff;    /* the decompressed stream */
	uint64_t blob_size;
	struct archive *in;        /* decompression, "raw" format */
	struct archive *out;       /* gzip, when the input is not */
	char rbuf[COPY_BUF];
	char dbuf[COPY_BUF];
};

/* ---- the layer blob ---- */

static int to_blob(struct imp *im, const void *buf, size_t len)
{
	iso_sha256_update(&im->blob, buf, len);
	im->blob_size += len;
	return write_all(im->w.fd, buf, len);
}

/* The input's next bytes (the peeked ones first); teed into the blob
 * when it is stored as it is.  0 at its end, -1 with errno. */
static ssize_t next_input(struct imp *im, const void **buf)
{
	ssize_t n;

	if (im->peek_off < im->npeek) {
		*buf = im->peek + im->peek_off;
		n = (ssize_t)(im->npeek - im->peek_off);
		im->peek_off = im->npeek;
	} else if (im->eof) {
		return 0;
	} else {
		do
			n = read(im->fd, im->rbuf, sizeof(im->rbuf));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		im->eof = n == 0;
		*buf = im->rbuf;
	}
	if (im->gzip && n > 0 && to_blob(im, *buf, (size_t)n) < 0)
		return -1;
	return n;
}

static la_ssize_t in_read(struct archive *a, void *data, const void **buf)
{
	ssize_t n = next_input(data, buf);

	if (n < 0)
		archive_set_error(a, errno, "read");
	return n;
}

static la_ssize_t out_write(struct archive *a, void *data, const void *buf, size_t len)
{
	if (to_blob(data, buf, len) < 0) {
		archive_set_error(a, errno, "write the layer blob");
		return -1;
	}
	return (la_ssize_t)len;
}

static int peek(struct imp *im, struct iso_error *err)
{
	while (im->npeek < sizeof(im->peek)) {
		ssize_t n = read(im->fd, im->peek + im->npeek, sizeof(im->peek) - im->npeek);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return iso_error_set(err, errno, "read %s", im->what);
		if (n == 0)
			break;
		im->npeek += (size_t)n;
	}
	if (im->npeek == 0)
		return iso_error_set(err, 0, "%s: empty input, not a tar archive", im->what);
	im->gzip = im->npeek == 2 && im->peek[0] == 0x1f && im->peek[1] == 0x8b;
	return 0;
}

static int lib_error(struct imp *im, struct archive *a, struct iso_error *err)
{
	const char *m = archive_error_string(a);
	int e = archive_errno(a);

	return iso_error_set(err, e > 0 ? e : 0, "%s: %s", im->what, m ? m : "read error");
}

static int open_streams(struct imp *im, struct iso_error *err)
{
	struct archive_entry *e;
	int r;

	im->in = archive_read_new();
	if (im->in == NULL)
		return iso_error_set(err, ENOMEM, "%s: read", im->what);
	if (arc_support_filters(im->in, im->what, err) < 0)
		return -1;
	if (archive_read_support_format_raw(im->in) != ARCHIVE_OK ||
	    archive_read_open(im->in, im, NULL, in_read, NULL) != ARCHIVE_OK)
		return lib_error(im, im->in, err);
	r = archive_read_next_header(im->in, &e);
	if (r == ARCHIVE_EOF)
		return iso_error_set(err, 0, "%s: empty input, not a tar archive", im->what);
	if (r < ARCHIVE_WARN)
		return lib_error(im, im->in, err);
	if (im->gzip)
		return 0;
	im->out = archive_write_new();
	e = archive_entry_new();
	if (im->out == NULL || e == NULL) {
		archive_entry_free(e);
		return iso_error_set(err, ENOMEM, "%s: compress", im->what);
	}
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	/* built-in zlib only (ARCHIVE_WARN: an external gzip program); no
	 * time in the gzip header, so that the same tar makes the same
	 * layer; no padding after the stream */
	r = archive_write_add_filter_gzip(im->out) == ARCHIVE_OK &&
	    archive_write_set_filter_option(im->out, "gzip", "timestamp", NULL) == ARCHIVE_OK &&
	    archive_write_set_format_raw(im->out) == ARCHIVE_OK &&
	    archive_write_set_bytes_in_last_block(im->out, 1) == ARCHIVE_OK &&
	    archive_write_open(im->out, im, NULL, out_write, NULL) == ARCHIVE_OK &&
	    archive_write_header(im->out, e) == ARCHIVE_OK;
	archive_entry_free(e);
	return r ? 0 : lib_error(im, im->out, err);
}

/* The decompressed stream, hashed and (unless the input is gzip)
 * compressed into the blob; then what the decompressor left unread. */
static int pump(struct imp *im, struct iso_error *err)
{
	const void *buf;
	la_ssize_t n;

	while ((n = archive_read_data(im->in, im->dbuf, sizeof(im->dbuf))) != 0) {
		if (n < 0)
			return lib_error(im, im->in, err);
		iso_sha256_update(&im->diff, im->dbuf, (size_t)n);
		if (!im->gzip && archive_write_data(im->out, im->dbuf, (size_t)n) != n)
			return lib_error(im, im->out, err);
	}
	if (!im->gzip)
		return archive_write_close(im->out) == ARCHIVE_OK ? 0 : lib_error(im, im->out, err);
	while ((n = next_input(im, &buf)) > 0)
		;
	return n < 0 ? iso_error_set(err, errno, "%s: read", im->what) : 0;
}

/* Stores the layer blob: its digest in BLOB, the tar's in DIFF_ID. */
static int store_layer(struct iso_store *s, struct imp *im, iso_digest_t blob,
		       iso_digest_t diff_id, struct iso_error *err)
{
	int r = -1;

	im->w.fd = -1;
	if (peek(im, err) < 0 || iso_sha256_init(&im->blob, err) < 0)
		return -1;
	if (iso_sha256_init(&im->diff, err) < 0 || iso_store_blob_begin(s, &im->w, err) < 0)
		goto out;
	if (open_streams(im, err) < 0 || pump(im, err) < 0) {
		iso_store_blob_abort(&im->w);
		goto out;
	}
	iso_sha256_final(&im->blob, blob);
	iso_sha256_final(&im->diff, diff_id);
	if (iso_store_has_blob(s, blob)) {
		iso_store_blob_abort(&im->w);
		r = 0;
	} else {
		r = iso_store_blob_commit(s, &im->w, blob, err);
	}
out:
	iso_sha256_free(&im->blob);
	iso_sha256_free(&im->diff);
	if (im->out != NULL)
		archive_write_free(im->out);
	if (im->in != NULL)
		archive_read_free(im->in);
	im->in = NULL;
	im->out = NULL;
	return r;
}

/* ---- --change ---- */

/* ["a","b"] for JSON form, else ["/bin/sh","-c",REST] (docker's shell
 * form). */
static json_t *command(const char *rest, const char *line, struct iso_error *err)
{
	json_t *v, *e;
	size_t i;

	if (rest[0] != '[')
		return json_pack("[s,s,s]", "/bin/sh", "-c", rest);
	v = json_loads(rest, 0, NULL);
	if (!json_is_array(v)) {
		json_decref(v);
		iso_error_set(err, 0, "--change %s: expected a JSON array of strings", line);
		return NULL;
	}
	json_array_foreach(v, i, e)
		if (!json_is_string(e)) {
			json_decref(v);
			iso_error_set(err, 0, "--change %s: expected a JSON array of strings", line);
			return NULL;
		}
	return v;
}

/* "K=V K2=V2" (or "K V" for ENV) into OBJ, or into the Env array. */
static int pairs(json_t *cfg, const char *key, const char *rest, const char *line,
		 struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(rest);
	bool env = strcmp(key, "Env") == 0;
	char *save = NULL;

	if (env && strchr(copy, '=') == NULL) {
		char *sp = strpbrk(copy, " \t");

		if (sp == NULL)
			return iso_error_set(err, 0, "--change %s: expected KEY=VALUE or KEY VALUE", line);
		*sp++ = '\0';
		while (isspace((unsigned char)*sp))
			sp++;
		json_array_append_new(json_object_get(cfg, "Env"), json_sprintf("%s=%s", copy, sp));
		return 0;
	}
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '=');
		size_t n;

		if (eq == NULL || eq == t)
			return iso_error_set(err, 0, "--change %s: expected KEY=VALUE", line);
		*eq++ = '\0';
		n = strlen(eq);
		if (n >= 2 && eq[0] == '"' && eq[n - 1] == '"') {
			eq[n - 1] = '\0';
			eq++;
		}
		if (env)
			json_array_append_new(json_object_get(cfg, "Env"), json_sprintf("%s=%s", t, eq));
		else
			json_object_set_new(json_object_get(cfg, key), t, json_string(eq));
	}
	return 0;
}

/* A set of words ("8080/tcp", volumes) as keys of OBJ. */
static void words(json_t *obj, const char *rest, bool port)
{
	cleanup_free char *copy = xstrdup(rest);
	char *save = NULL;

	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		cleanup_free char *k = port && !strchr(t, '/') ? xasprintf("%s/tcp", t) : xstrdup(t);

		json_object_set_new(obj, k, json_object());
	}
}

static int apply_change(json_t *cfg, const char *line, struct iso_error *err)
{
	static const char *const strings[][2] = {
		{ "WORKDIR", "WorkingDir" }, { "USER", "User" }, { "STOPSIGNAL", "StopSignal" },
	};
	const char *p = line, *rest;
	cleanup_free char *word = NULL;
	json_t *v;

	while (isspace((unsigned char)*p))
		p++;
	rest = p + strcspn(p, " \t");
	word = xstrndup(p, (size_t)(rest - p));
	for (char *c = word; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest == '\0')
		return iso_error_set(err, 0, "--change %s: expected an argument", line);
	if (strcmp(word, "CMD") == 0 || strcmp(word, "ENTRYPOINT") == 0) {
		v = command(rest, line, err);
		if (v == NULL)
			return -1;
		json_object_set_new(cfg, word[0] == 'C' ? "Cmd" : "Entrypoint", v);
		return 0;
	}
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strcmp(word, strings[i][0]) == 0) {
			json_object_set_new(cfg, strings[i][1], json_string(rest));
			return 0;
		}
	if (strcmp(word, "ENV") == 0)
		return pairs(cfg, "Env", rest, line, err);
	if (strcmp(word, "LABEL") == 0)
		return pairs(cfg, "Labels", rest, line, err);
	if (strcmp(word, "EXPOSE") == 0 || strcmp(word, "VOLUME") == 0) {
		v = word[0] == 'E' ? json_object_get(cfg, "ExposedPorts") : json_object_get(cfg, "Volumes");
		words(v, rest, word[0] == 'E');
		return 0;
	}
	return iso_error_set(err, 0, "--change %s: unsupported instruction %s (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)",
			     line, word);
}

/* ---- the image ---- */

static json_t *make_config(const struct iso_import_opts *o, const char *what,
			   const char *diff_id, struct iso_error *err)
{
	struct iso_platform host;
	char now[32];
	struct tm tm;
	time_t t = time(NULL);
	cleanup_free char *comment = o->message ? xstrdup(o->message)
					       : xasprintf("Imported from %s", what);
	json_t *cfg = json_pack("{s:[s],s:{},s:{},s:{}}", "Env", DEFAULT_PATH, "Labels",
				"ExposedPorts", "Volumes");
	json_t *root;

	for (size_t i = 0; o->changes && o->changes[i]; i++)
		if (apply_change(cfg, o->changes[i], err) < 0) {
			json_decref(cfg);
			return NULL;
		}
	/* empty sets are left out, as docker does */
	if (json_object_size(json_object_get(cfg, "Labels")) == 0)
		json_object_del(cfg, "Labels");
	if (json_object_size(json_object_get(cfg, "ExposedPorts")) == 0)
		json_object_del(cfg, "ExposedPorts");
	if (json_object_size(json_object_get(cfg, "Volumes")) == 0)
		json_object_del(cfg, "Volumes");
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (iso_platform_parse(NULL, &host, err) < 0) {
		json_decref(cfg);
		return NULL;
	}
	root = json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:[s]},s:[{s:s,s:s,s:s}]}", "created", now,
			 "architecture", host.architecture, "os", host.os, "config", cfg, "rootfs",
			 "type", "layers", "diff_ids", diff_id, "history", "created", now,
			 "created_by", "isolate import", "comment", comment);
	if (host.variant)
		json_object_set_new(root, "variant", json_string(host.variant));
	iso_platform_free(&host);
	return root;
}

struct built {
	char *body;
	size_t len;
	struct iso_manifest m;
	struct iso_image_config c;
};

static int build_image(struct iso_store *s, const struct iso_import_opts *o, const char *what,
		       const char *blob, const char *diff_id, struct built *b,
		       struct iso_error *err)
{
	cleanup_json json_t *config = make_config(o, what, diff_id, err);
	cleanup_json json_t *manifest = NULL;
	cleanup_free char *ctext = NULL;
	iso_digest_t cdigest;
	const char *type;
	int64_t size;

	if (config == NULL || arc_blob_info(s, blob, &type, &size, err) < 0)
		return -1;
	ctext = json_dumps(config, JSON_COMPACT);
	if (ctext == NULL || iso_store_put_blob(s, ctext, strlen(ctext), cdigest, err) < 0)
		return ctext ? -1 : iso_error_set(err, ENOMEM, "encode the config");
	manifest = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:[{s:s,s:s,s:I}]}", "schemaVersion", 2,
			     "mediaType", ISO_MT_OCI_MANIFEST, "config", "mediaType", ISO_MT_OCI_CONFIG,
			     "digest", cdigest, "size", (json_int_t)strlen(ctext), "layers",
			     "mediaType", ISO_MT_OCI_LAYER_GZIP, "digest", blob, "size",
			     (json_int_t)size);
	b->body = json_dumps(manifest, JSON_COMPACT);
	if (b->body == NULL)
		return iso_error_set(err, ENOMEM, "encode the manifest");
	b->len = strlen(b->body);
	if (iso_manifest_parse(b->body, b->len, NULL, "the imported manifest", &b->m, err) < 0 ||
	    iso_image_config_parse(ctext, strlen(ctext), "the imported config", &b->c, err) < 0)
		return -1;
	return 0;
}

static char *import_ref(const char *name, struct iso_error *err)
{
	struct iso_imgref ref;
	char *s = NULL;

	if (name == NULL)
		return NULL;
	if (iso_imgref_parse(name, &ref, err) < 0)
		return NULL;
	if (ref.digest != NULL)
		iso_error_set(err, 0, "invalid reference \"%s\": an imported image is named by a tag, not a digest",
			      name);
	else
		s = iso_imgref_string(&ref);
	iso_imgref_free(&ref);
	return s;
}

int iso_import(struct iso_store *s, int fd, const char *what, const struct iso_import_opts *o,
	       struct iso_import_result *res, struct iso_error *err)
{
	struct imp *im = NULL;
	struct built b = { 0 };
	cleanup_free char *ref = import_ref(o->ref, err);
	cleanup_close int gc = -1;
	iso_digest_t blob, diff_id;
	int r = -1;

	memset(res, 0, sizeof(*res));
	if (o->ref && ref == NULL)
		return -1;
	/* no gc between storing the blobs and recording the image */
	gc = iso_store_lock_shared(s, "gc", err);
	if (gc < 0)
		return -1;
	im = xcalloc(1, sizeof(*im));
	im->what = what;
	im->fd = fd;
	if (store_layer(s, im, blob, diff_id, err) < 0 ||
	    build_image(s, o, what, blob, diff_id, &b, err) < 0)
		goto out;
	if (iso_image_unpack(s, &b.m, &b.c, NULL, NULL, err) < 0) {
		iso_error_prefix(err, "%s", what);
		goto out;
	}
	if (iso_image_commit(s, b.body, b.len, &b.m, &b.c, ref, res->id, err) < 0)
		goto out;
	res->ref = steal_ptr(&ref);
	r = 0;
out:
	free(im);
	free(b.body);
	iso_manifest_free(&b.m);
	iso_image_config_free(&b.c);
	return r;
}

void iso_import_result_free(struct iso_import_result *r)
{
	free(r->ref);
	r->ref = NULL;
}
