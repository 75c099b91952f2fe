#include "imagedb.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ref.h"
#include "jsonutil.h"
#include "util.h"

static char *db_path(const struct iso_store *s)
{
	return xasprintf("%s/images.json", s->root);
}

static json_t *db_load(const struct iso_store *s, struct iso_error *err)
{
	cleanup_free char *path = db_path(s);
	json_error_t jerr;
	json_t *db;

	if (access(path, F_OK) < 0 && errno == ENOENT)
		return json_pack("{s:{},s:{}}", "images", "refs");
	db = json_load_file(path, 0, &jerr);
	if (db == NULL) {
		iso_error_set(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(json_object_get(db, "images")) ||
	    !json_is_object(json_object_get(db, "refs"))) {
		json_decref(db);
		iso_error_set(err, 0, "%s: expected the objects \"images\" and \"refs\"", path);
		return NULL;
	}
	return db;
}

static int db_save(const struct iso_store *s, json_t *db, struct iso_error *err)
{
	cleanup_free char *path = db_path(s);
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	cleanup_free char *text = json_dumps(db, JSON_INDENT(1) | JSON_SORT_KEYS);
	cleanup_close int fd = -1;

	if (text == NULL)
		return iso_error_set(err, ENOMEM, "encode %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return iso_error_set(err, errno, "create %s", tmp);
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return iso_error_set(err, e, "write %s", path);
	}
	return 0;
}

int iso_imagedb_add(struct iso_store *s, const char *id, const char *manifest, const char *ref,
		    struct iso_error *err)
{
	cleanup_close int lock = iso_store_lock(s, "images", err);
	cleanup_json json_t *db = NULL;
	json_t *images;

	if (lock < 0 || (db = db_load(s, err)) == NULL)
		return -1;
	images = json_object_get(db, "images");
	if (json_object_get(images, id) == NULL)
		json_object_set_new(images, id, json_pack("{s:s,s:I}", "manifest", manifest, "added",
							  (json_int_t)time(NULL)));
	else
		json_object_set_new(json_object_get(images, id), "manifest", json_string(manifest));
	if (ref)
		json_object_set_new(json_object_get(db, "refs"), ref, json_string(id));
	return db_save(s, db, err);
}

static void fill_rec(json_t *db, const char *id, json_t *img, struct iso_image_rec *r)
{
	json_t *refs = json_object_get(db, "refs");
	json_t *v;
	const char *k;
	const char *manifest = json_string_value(json_object_get(img, "manifest"));

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->manifest, sizeof(r->manifest), "%s", manifest ? manifest : "");
	r->added = (long long)json_integer_value(json_object_get(img, "added"));
	r->refs = xcalloc(1, sizeof(char *));
	json_object_foreach(refs, k, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			strv_push(&r->refs, k);
}

static bool is_hex_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n < 4 || n > ISO_DIGEST_HEXLEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The id NAME stands for in DB, or NULL: a ref first (docker's order),
 * then a full id, then a unique id prefix. */
static const char *resolve(json_t *db, const char *name, struct iso_error *err, int *ret)
{
	json_t *images = json_object_get(db, "images");
	struct iso_imgref ref;
	struct iso_error ignored;
	const char *match = NULL, *k;
	json_t *v;

	*ret = 0;
	if (iso_imgref_parse(name, &ref, &ignored) == 0) {
		cleanup_free char *full = iso_imgref_string(&ref);
		json_t *id = json_object_get(json_object_get(db, "refs"), full);

		iso_imgref_free(&ref);
		if (json_is_string(id) && json_object_get(images, json_string_value(id)))
			return json_string_value(id);
	}
	if (json_object_get(images, name))
		return json_object_iter_key(json_object_iter_at(images, name));
	/* docker takes "sha256:" before a short id too */
	if (strncmp(name, ISO_DIGEST_PREFIX, strlen(ISO_DIGEST_PREFIX)) == 0)
		name += strlen(ISO_DIGEST_PREFIX);
	if (!is_hex_prefix(name))
		return NULL;
	json_object_foreach(images, k, v) {
		if (strncmp(iso_digest_hex(k), name, strlen(name)) != 0)
			continue;
		if (match) {
			*ret = iso_error_set(err, 0, "image id prefix %s is ambiguous", name);
			return NULL;
		}
		match = k;
	}
	return match;
}

int iso_imagedb_lookup(struct iso_store *s, const char *name, struct iso_image_rec *out,
		       bool *found, struct iso_error *err)
{
	cleanup_close int lock = iso_store_lock(s, "images", err);
	cleanup_json json_t *db = NULL;
	const char *id;
	int ret;

	*found = false;
	if (lock < 0 || (db = db_load(s, err)) == NULL)
		return -1;
	id = resolve(db, name, err, &ret);
	if (ret < 0 || id == NULL)
		return ret;
	fill_rec(db, id, json_object_get(json_object_get(db, "images"), id), out);
	*found = true;
	return 0;
}

int iso_imagedb_list(struct iso_store *s, struct iso_image_list *out, struct iso_error *err)
{
	cleanup_close int lock = iso_store_lock(s, "images", err);
	cleanup_json json_t *db = NULL;
	json_t *images, *v;
	const char *k;

	memset(out, 0, sizeof(*out));
	if (lock < 0 || (db = db_load(s, err)) == NULL)
		return -1;
	images = json_object_get(db, "images");
	out->v = xcalloc(json_object_size(images) + 1, sizeof(*out->v));
	json_object_foreach(images, k, v)
		fill_rec(db, k, v, &out->v[out->n++]);
	return 0;
}

int iso_imagedb_untag(struct iso_store *s, const char *ref, size_t *remaining,
		      struct iso_error *err)
{
	cleanup_close int lock = iso_store_lock(s, "images", err);
	cleanup_json json_t *db = NULL;
	json_t *refs, *v;
	cleanup_free char *id = NULL;
	const char *k;

	if (lock < 0 || (db = db_load(s, err)) == NULL)
		return -1;
	refs = json_object_get(db, "refs");
	if (!json_is_string(json_object_get(refs, ref)))
		return iso_error_set(err, 0, "no such image: %s", ref);
	id = xstrdup(json_string_value(json_object_get(refs, ref)));
	json_object_del(refs, ref);
	*remaining = 0;
	json_object_foreach(refs, k, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			(*remaining)++;
	return db_save(s, db, err);
}

int iso_imagedb_remove(struct iso_store *s, const char *id, struct iso_error *err)
{
	cleanup_close int lock = iso_store_lock(s, "images", err);
	cleanup_json json_t *db = NULL;
	json_t *refs, *v;
	const char *k;
	void *tmp;

	if (lock < 0 || (db = db_load(s, err)) == NULL)
		return -1;
	refs = json_object_get(db, "refs");
	json_object_foreach_safe(refs, tmp, k, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			json_object_del(refs, k);
	json_object_del(json_object_get(db, "images"), id);
	return db_save(s, db, err);
}

void iso_image_rec_free(struct iso_image_rec *r)
{
	strv_free(r->refs);
	r->refs = NULL;
}

void iso_image_list_free(struct iso_image_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		iso_image_rec_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
