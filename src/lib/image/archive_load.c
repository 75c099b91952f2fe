/* isolate load: the images an archive or a layout describes, checked,
 * unpacked, then recorded (archive.h has the formats and the rules). */
#include "archive_int.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "log.h"
#include "manifest.h"
#include "ref.h"
#include "jsonutil.h"
#include "util.h"

#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_IMAGE_NAME "io.containerd.image.name"

/* An image found in the source. */
struct cand {
	char *body;                 /* its manifest */
	size_t len;
	iso_digest_t mdigest;
	struct iso_manifest m;
	struct iso_image_config c;
	char **refs;                /* full refs */
};

struct load {
	struct arc_src src;
	struct iso_platform host;
	struct cand *v;
	size_t n;
};

static void cand_free(struct cand *c)
{
	free(c->body);
	iso_manifest_free(&c->m);
	iso_image_config_free(&c->c);
	strv_free(c->refs);
	memset(c, 0, sizeof(*c));
}

static void add_ref(char ***refs, const char *ref)
{
	for (size_t i = 0; *refs && (*refs)[i]; i++)
		if (strcmp((*refs)[i], ref) == 0)
			return;
	strv_push(refs, ref);
}

/* Keeps C (which it empties), or gives its refs to the image with the
 * same id already found. */
static void add_cand(struct load *l, struct cand *c)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].m.config.digest, c->m.config.digest) == 0) {
			for (size_t k = 0; c->refs[k]; k++)
				add_ref(&l->v[i].refs, c->refs[k]);
			cand_free(c);
			return;
		}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = *c;
	memset(c, 0, sizeof(*c));
}

/* The full form of NAME, a docker ref with a tag; NULL (ERR set) if it is
 * not one.  A digest is dropped: the image is recorded by its tag. */
static char *full_ref(const char *name, struct iso_error *err)
{
	struct iso_imgref ref;
	char *s = NULL;

	if (iso_imgref_parse(name, &ref, err) < 0)
		return NULL;
	if (ref.tag != NULL) {
		free(ref.digest);
		ref.digest = NULL;
		s = iso_imgref_string(&ref);
	} else {
		iso_error_set(err, 0, "invalid reference \"%s\": no tag", name);
	}
	iso_imgref_free(&ref);
	return s;
}

static bool is_bare_tag(const char *s)
{
	return strpbrk(s, "/:@") == NULL;
}

/* The names an index.json entry gives its image (archive.h's rule). */
static void names_from_annotations(json_t *ann, const char *where, char ***refs)
{
	const char *image = json_string_value(json_object_get(ann, ANN_IMAGE_NAME));
	const char *refname = json_string_value(json_object_get(ann, ANN_REF_NAME));
	const char *name = image ? image : (refname && !is_bare_tag(refname)) ? refname : NULL;
	struct iso_error why;
	char shown[256];
	char *full;

	if (name == NULL)
		return;
	full = full_ref(name, &why);
	if (full == NULL) {
		iso_printable(why.msg, shown, sizeof(shown));
		iso_log(ISO_LOG_WARN, "%s: loaded untagged: %s", where, shown);
		return;
	}
	strv_push_owned(refs, full);
}

static bool is_index_type(const char *t)
{
	return strcmp(t, ISO_MT_OCI_INDEX) == 0 || strcmp(t, ISO_MT_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *t)
{
	return strcmp(t, ISO_MT_OCI_MANIFEST) == 0 || strcmp(t, ISO_MT_DOCKER_MANIFEST) == 0;
}

/* Makes sure the blob DIGEST is in the store, of SIZE bytes (-1: any);
 * WHAT says whose it is, for the message. */
static int need_blob(struct load *l, const char *digest, int64_t size, const char *what,
		     struct iso_error *err)
{
	cleanup_free char *name = arc_blob_name(digest);
	const char *type;
	iso_digest_t got;
	int64_t have;
	bool found;

	if (arc_src_blob(&l->src, name, got, &found, err) < 0)
		return -1;
	if (!found)
		return iso_error_set(err, 0, "%s: %s %s is missing (no %s in it)", l->src.what, what,
				     digest, name);
	if (arc_blob_info(l->src.s, digest, &type, &have, err) < 0)
		return -1;
	if (size >= 0 && have != size)
		return iso_error_set(err, 0, "%s: %s %s: %lld bytes, but its descriptor says %lld",
				     l->src.what, what, digest, (long long)have, (long long)size);
	return 0;
}

/* The config and layers of C's manifest: there, of the right sizes, and
 * agreeing with each other. */
static int complete(struct load *l, struct cand *c, struct iso_error *err)
{
	const struct iso_manifest *m = &c->m;
	cleanup_free char *buf = NULL;
	cleanup_free char *what = xasprintf("%s: config %s", l->src.what, m->config.digest);
	size_t len;

	if (need_blob(l, m->config.digest, m->config.size, "config", err) < 0 ||
	    iso_store_read_blob(l->src.s, m->config.digest, ISO_MANIFEST_MAX, &buf, &len, err) < 0 ||
	    iso_image_config_parse(buf, len, what, &c->c, err) < 0)
		return -1;
	if (c->c.n_diff_ids != m->n_layers)
		return iso_error_set(err, 0, "%s: image %s: the config lists %zu layers, the manifest %zu",
				     l->src.what, m->config.digest, c->c.n_diff_ids, m->n_layers);
	for (size_t i = 0; i < m->n_layers; i++) {
		char whose[32];

		snprintf(whose, sizeof(whose), "layer %zu", i + 1);
		if (need_blob(l, m->layers[i].digest, m->layers[i].size, whose, err) < 0)
			return -1;
	}
	return 0;
}

/* The image manifest descriptor D leads to: itself, or this machine's
 * entry of the index it is.  Fills C's manifest. */
static int resolve(struct load *l, const struct iso_descriptor *d, const char *where, int depth,
		   struct cand *c, struct iso_error *err)
{
	cleanup_free char *what = xasprintf("%s: manifest %s", l->src.what, d->digest);
	struct iso_manifest index;
	size_t pick;
	int r;

	if (d->media_type && !is_index_type(d->media_type) && !is_manifest_type(d->media_type))
		return iso_error_set(err, 0, "%s: %s (%s): unsupported media type %s", l->src.what,
				     where, d->digest, d->media_type);
	if (need_blob(l, d->digest, d->size, "manifest", err) < 0)
		return -1;
	free(c->body);
	c->body = NULL;
	iso_manifest_free(&c->m);
	if (iso_store_read_blob(l->src.s, d->digest, ISO_MANIFEST_MAX, &c->body, &c->len, err) < 0 ||
	    iso_manifest_parse(c->body, c->len, d->media_type, what, &c->m, err) < 0)
		return -1;
	snprintf(c->mdigest, sizeof(c->mdigest), "%s", d->digest);
	if (!c->m.is_index)
		return 0;
	if (depth > 0)
		return iso_error_set(err, 0, "%s: an index inside an index inside index.json is not supported",
				     what);
	if (iso_manifest_pick(&c->m, &l->host, what, &pick, err) < 0)
		return -1;
	index = c->m;
	memset(&c->m, 0, sizeof(c->m));
	r = resolve(l, &index.manifests[pick], what, depth + 1, c, err);
	iso_manifest_free(&index);
	return r;
}

static int check_layout(struct load *l, struct iso_error *err)
{
	cleanup_json json_t *root = NULL;
	const char *buf, *v;
	json_error_t jerr;
	size_t len;

	if (arc_src_json(&l->src, ARC_LAYOUT, &buf, &len, err) < 0)
		return -1;
	if (buf == NULL)
		return 0;
	root = json_loadb(buf, len, 0, &jerr);
	if (root == NULL)
		return iso_error_set(err, 0, "%s: oci-layout:%d:%d: %s", l->src.what, jerr.line,
				     jerr.column, jerr.text);
	v = json_string_value(json_object_get(root, "imageLayoutVersion"));
	if (v == NULL || strncmp(v, "1.", 2) != 0) {
		char shown[64];

		iso_printable(v ? v : "(none)", shown, sizeof(shown));
		return iso_error_set(err, 0, "%s: oci-layout: unsupported imageLayoutVersion %s (expected 1.x)",
				     l->src.what, shown);
	}
	return 0;
}

static int load_index(struct load *l, struct iso_error *err)
{
	cleanup_free char *what = xasprintf("%s: index.json", l->src.what);
	cleanup_json json_t *root = NULL;
	struct iso_manifest index;
	json_error_t jerr;
	const char *buf;
	size_t len;
	int r = 0;

	if (arc_src_json(&l->src, ARC_INDEX, &buf, &len, err) < 0)
		return -1;
	if (buf == NULL)
		return 0;
	root = json_loadb(buf, len, 0, &jerr);
	if (root == NULL)
		return iso_error_set(err, 0, "%s:%d:%d: %s", what, jerr.line, jerr.column, jerr.text);
	/* docker 25 wrote "manifests": null for an image saved by digest;
	 * its manifest.json has the image */
	if (json_is_object(root) && json_is_null(json_object_get(root, "manifests")))
		return 0;
	if (iso_manifest_parse(buf, len, NULL, what, &index, err) < 0)
		return -1;
	if (!index.is_index) {
		iso_manifest_free(&index);
		return iso_error_set(err, 0, "%s: not an image index", what);
	}
	for (size_t i = 0; r == 0 && i < index.n_manifests; i++) {
		json_t *entry = json_array_get(json_object_get(root, "manifests"), i);
		cleanup_free char *where = xasprintf("index.json manifests[%zu]", i);
		cleanup_free char *warn_where = xasprintf("%s: %s", l->src.what, where);
		struct cand c = { 0 };

		c.refs = xcalloc(1, sizeof(char *));
		names_from_annotations(json_object_get(entry, "annotations"), warn_where, &c.refs);
		r = resolve(l, &index.manifests[i], where, 0, &c, err);
		if (r == 0)
			r = complete(l, &c, err);
		if (r == 0)
			add_cand(l, &c);
		cand_free(&c);
	}
	iso_manifest_free(&index);
	return r;
}

/* ---- docker's manifest.json ---- */

/* The blob a manifest.json path names: a name of the kinds KINDS allows. */
static int legacy_blob(struct load *l, json_t *v, const char *where, bool config,
		       iso_digest_t out, struct iso_error *err)
{
	const char *path = json_string_value(v);
	const char *name = path ? arc_normalize(path) : NULL;
	enum arc_kind k = name ? arc_classify(name) : ARC_OTHER;
	char shown[160];
	bool found;

	if (path == NULL)
		return iso_error_set(err, 0, "%s: manifest.json: %s: expected a string", l->src.what,
				     where);
	iso_printable(path, shown, sizeof(shown));
	if (k != ARC_BLOB && k != (config ? ARC_CONFIG : ARC_LAYER))
		return iso_error_set(err, 0, "%s: manifest.json: %s: \"%s\" is not a %s name an image archive uses",
				     l->src.what, where, shown, config ? "config" : "layer");
	if (arc_src_blob(&l->src, name, out, &found, err) < 0)
		return -1;
	if (!found)
		return iso_error_set(err, 0, "%s: manifest.json: %s: %s is missing", l->src.what, where,
				     shown);
	return 0;
}

/* An OCI manifest for a manifest.json entry's config and layers. */
static int legacy_manifest(struct load *l, json_t *entry, size_t i, const char *config,
			   struct cand *c, struct iso_error *err)
{
	json_t *layers = json_object_get(entry, "Layers");
	cleanup_free char *what = NULL;
	const char *type;
	int64_t size;
	json_t *arr, *m, *v;
	size_t k;

	if (!json_is_array(layers))
		return iso_error_set(err, 0, "%s: manifest.json: [%zu].Layers: expected an array",
				     l->src.what, i);
	if (arc_blob_info(l->src.s, config, &type, &size, err) < 0)
		return -1;
	arr = json_array();
	m = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
		      ISO_MT_OCI_MANIFEST, "config", "mediaType", ISO_MT_OCI_CONFIG, "digest", config,
		      "size", (json_int_t)size, "layers", arr);
	json_array_foreach(layers, k, v) {
		cleanup_free char *where = xasprintf("[%zu].Layers[%zu]", i, k);
		iso_digest_t d;

		if (legacy_blob(l, v, where, false, d, err) < 0 ||
		    arc_blob_info(l->src.s, d, &type, &size, err) < 0) {
			json_decref(m);
			return -1;
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "mediaType", type, "digest", d,
						     "size", (json_int_t)size));
	}
	c->body = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	c->len = strlen(c->body);
	iso_digest_buf(c->body, c->len, c->mdigest);
	what = xasprintf("%s: manifest.json: [%zu]", l->src.what, i);
	return iso_manifest_parse(c->body, c->len, NULL, what, &c->m, err);
}

static int legacy_refs(struct load *l, json_t *entry, size_t i, char ***refs,
		       struct iso_error *err)
{
	json_t *tags = json_object_get(entry, "RepoTags");
	json_t *v;
	size_t k;

	*refs = xcalloc(1, sizeof(char *));
	if (tags == NULL || json_is_null(tags))
		return 0;
	if (!json_is_array(tags))
		return iso_error_set(err, 0, "%s: manifest.json: [%zu].RepoTags: expected an array",
				     l->src.what, i);
	json_array_foreach(tags, k, v) {
		char *full = json_is_string(v) ? full_ref(json_string_value(v), err) : NULL;

		if (full == NULL) {
			if (!json_is_string(v))
				iso_error_set(err, 0, "expected a string");
			return iso_error_prefix(err, "%s: manifest.json: [%zu].RepoTags[%zu]",
						l->src.what, i, k);
		}
		add_ref(refs, full);
		free(full);
	}
	return 0;
}

static int load_legacy_entry(struct load *l, json_t *entry, size_t i, struct iso_error *err)
{
	cleanup_free char *where = xasprintf("[%zu].Config", i);
	struct cand c = { 0 };
	iso_digest_t config;
	int r = -1;

	if (!json_is_object(entry))
		return iso_error_set(err, 0, "%s: manifest.json: [%zu]: expected an object",
				     l->src.what, i);
	if (legacy_refs(l, entry, i, &c.refs, err) < 0 ||
	    legacy_blob(l, json_object_get(entry, "Config"), where, true, config, err) < 0)
		goto out;
	/* already described by index.json: only the names are news */
	for (size_t k = 0; k < l->n; k++)
		if (strcmp(l->v[k].m.config.digest, config) == 0) {
			for (size_t t = 0; c.refs[t]; t++)
				add_ref(&l->v[k].refs, c.refs[t]);
			r = 0;
			goto out;
		}
	if (legacy_manifest(l, entry, i, config, &c, err) < 0 || complete(l, &c, err) < 0)
		goto out;
	add_cand(l, &c);
	r = 0;
out:
	cand_free(&c);
	return r;
}

static int load_legacy(struct load *l, struct iso_error *err)
{
	cleanup_json json_t *root = NULL;
	json_error_t jerr;
	const char *buf;
	json_t *entry;
	size_t len, i;

	if (arc_src_json(&l->src, ARC_MANIFEST, &buf, &len, err) < 0)
		return -1;
	if (buf == NULL)
		return 0;
	root = json_loadb(buf, len, 0, &jerr);
	if (root == NULL)
		return iso_error_set(err, 0, "%s: manifest.json:%d:%d: %s", l->src.what, jerr.line,
				     jerr.column, jerr.text);
	if (!json_is_array(root))
		return iso_error_set(err, 0, "%s: manifest.json: expected an array", l->src.what);
	json_array_foreach(root, i, entry)
		if (load_legacy_entry(l, entry, i, err) < 0)
			return -1;
	return 0;
}

/* ---- the whole load ---- */

static void note_layer(void *ctx, size_t index, const char *diff_id)
{
	const struct iso_load_opts *o = ctx;

	(void)index;
	o->note(o->ctx, ISO_LOAD_LAYER, diff_id);
}

static int record(struct load *l, struct iso_load_result *res, struct iso_error *err)
{
	res->v = xcalloc(l->n + 1, sizeof(*res->v));
	for (size_t i = 0; i < l->n; i++) {
		struct cand *c = &l->v[i];
		struct iso_loaded_image *out = &res->v[res->n++];

		out->refs = strv_dup(c->refs);
		if (iso_image_commit(l->src.s, c->body, c->len, &c->m, &c->c, c->refs[0], out->id,
				     err) < 0)
			return -1;
		for (size_t k = 1; c->refs[0] && c->refs[k]; k++)
			if (iso_imagedb_add(l->src.s, out->id, c->mdigest, c->refs[k], err) < 0)
				return -1;
	}
	return 0;
}

static int run_load(struct load *l, struct iso_load_result *res, struct iso_error *err)
{
	const struct iso_load_opts *o = l->src.o;
	const char *index, *manifest;
	size_t len;

	if (check_layout(l, err) < 0 || arc_src_json(&l->src, ARC_INDEX, &index, &len, err) < 0 ||
	    arc_src_json(&l->src, ARC_MANIFEST, &manifest, &len, err) < 0)
		return -1;
	if (index == NULL && manifest == NULL)
		return iso_error_set(err, 0, "%s: not an image archive or layout: it has no index.json and no manifest.json",
				     l->src.what);
	if (load_index(l, err) < 0 || load_legacy(l, err) < 0)
		return -1;
	if (l->n == 0)
		return iso_error_set(err, 0, "%s: holds no image", l->src.what);
	for (size_t i = 0; i < l->n; i++)
		if (iso_image_unpack(l->src.s, &l->v[i].m, &l->v[i].c, o && o->note ? note_layer : NULL,
				     (void *)o, err) < 0)
			return iso_error_prefix(err, "%s: image %s", l->src.what, l->v[i].m.config.digest);
	return record(l, res, err);
}

static int load(struct iso_store *s, int fd, const char *dir, const char *what,
		const struct iso_load_opts *o, struct iso_load_result *res, struct iso_error *err)
{
	cleanup_close int gc = -1;
	struct load l = { 0 };
	int r = -1;

	memset(res, 0, sizeof(*res));
	arc_src_init(&l.src, s, o, what);
	if (iso_platform_parse(NULL, &l.host, err) < 0)
		goto out;
	/* no gc between storing the blobs and recording the images */
	gc = iso_store_lock_shared(s, "gc", err);
	if (gc < 0)
		goto out;
	if (dir ? arc_src_open_dir(&l.src, dir, err) : arc_src_read_archive(&l.src, fd, err))
		goto out;
	if (dir) {
		const char *layout, *manifest;
		size_t len;

		if (arc_src_json(&l.src, ARC_LAYOUT, &layout, &len, err) < 0 ||
		    arc_src_json(&l.src, ARC_MANIFEST, &manifest, &len, err) < 0)
			goto out;
		if (layout == NULL && manifest == NULL) {
			iso_error_set(err, 0, "%s: not an OCI image layout: it has no oci-layout file", what);
			goto out;
		}
	}
	r = run_load(&l, res, err);
out:
	if (r < 0)
		iso_load_result_free(res);
	for (size_t i = 0; i < l.n; i++)
		cand_free(&l.v[i]);
	free(l.v);
	iso_platform_free(&l.host);
	arc_src_free(&l.src);
	return r;
}

int iso_load_archive(struct iso_store *s, int fd, const char *what, const struct iso_load_opts *o,
		     struct iso_load_result *res, struct iso_error *err)
{
	return load(s, fd, NULL, what, o, res, err);
}

int iso_load_dir(struct iso_store *s, const char *dir, const struct iso_load_opts *o,
		 struct iso_load_result *res, struct iso_error *err)
{
	return load(s, -1, dir, dir, o, res, err);
}

void iso_load_result_free(struct iso_load_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		strv_free(r->v[i].refs);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
