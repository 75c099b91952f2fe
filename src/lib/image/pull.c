#include "pull.h"

#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "log.h"
#include "manifest.h"
#include "ref.h"
#include "util.h"

struct pull {
	struct iso_store *s;
	const struct iso_pull_opts *o;
	struct iso_registry *reg;
	struct iso_imgref ref;
	char *refstr;
	char *body;                /* the image manifest */
	size_t len;
	struct iso_manifest manifest;
	struct iso_image_config config;
	unsigned downloaded;
};

/* The manifest REFERENCE names, with an index resolved to the platform's
 * entry (fetched by its digest, which the registry client checks). */
static int fetch_manifest(struct pull *p, iso_digest_t digest, struct iso_error *err)
{
	cleanup_free char *type = NULL;
	struct iso_platform want;
	struct iso_manifest index;
	size_t pick;
	int r;

	if (iso_registry_get_manifest(p->reg, iso_imgref_reference(&p->ref), ISO_MANIFEST_MAX,
				      &p->body, &p->len, &type, digest, err) < 0 ||
	    iso_manifest_parse(p->body, p->len, type, p->refstr, &p->manifest, err) < 0)
		return -1;
	if (!p->manifest.is_index)
		return 0;
	index = p->manifest;
	memset(&p->manifest, 0, sizeof(p->manifest));
	if (iso_platform_parse(p->o->platform, &want, err) < 0) {
		iso_manifest_free(&index);
		return -1;
	}
	r = iso_manifest_pick(&index, &want, p->refstr, &pick, err);
	iso_platform_free(&want);
	if (r == 0) {
		cleanup_free char *what = xasprintf("%s (%s)", p->refstr, index.manifests[pick].digest);
		iso_digest_t child;

		free(p->body);
		free(type);
		p->body = NULL;
		type = NULL;
		r = iso_registry_get_manifest(p->reg, index.manifests[pick].digest, ISO_MANIFEST_MAX,
					      &p->body, &p->len, &type, child, err);
		if (r == 0)
			r = iso_manifest_parse(p->body, p->len, type, what, &p->manifest, err);
		if (r == 0 && p->manifest.is_index)
			r = iso_error_set(err, 0, "%s: an index inside an index is not supported", what);
	}
	iso_manifest_free(&index);
	return r;
}

static int fetch(struct pull *p, const struct iso_blob_req *reqs, size_t n, bool report,
		 struct iso_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (!iso_store_has_blob(p->s, reqs[i].digest))
			p->downloaded++;
	if (report && p->o->begin)
		p->o->begin(p->o->ctx, reqs, n);
	return iso_registry_fetch_blobs(p->reg, p->s, reqs, n, report ? p->o->progress : NULL,
					p->o->ctx, err);
}

/* The config, then the layers. */
static int fetch_blobs(struct pull *p, struct iso_error *err)
{
	const struct iso_manifest *m = &p->manifest;
	struct iso_blob_req config = { m->config.digest, m->config.size };
	struct iso_blob_req *reqs = xcalloc(m->n_layers + 1, sizeof(*reqs));
	cleanup_free char *buf = NULL;
	cleanup_free char *what = xasprintf("%s: config %s", p->refstr, m->config.digest);
	size_t len;
	int r = -1;

	if (fetch(p, &config, 1, false, err) < 0 ||
	    iso_store_read_blob(p->s, m->config.digest, ISO_MANIFEST_MAX, &buf, &len, err) < 0 ||
	    iso_image_config_parse(buf, len, what, &p->config, err) < 0)
		goto out;
	if (p->config.n_diff_ids != m->n_layers) {
		iso_error_set(err, 0, "%s: the config lists %zu layers, the manifest %zu", p->refstr,
			      p->config.n_diff_ids, m->n_layers);
		goto out;
	}
	for (size_t i = 0; i < m->n_layers; i++)
		reqs[i] = (struct iso_blob_req){ m->layers[i].digest, m->layers[i].size };
	r = fetch(p, reqs, m->n_layers, true, err);
out:
	free(reqs);
	return r;
}

static void check_platform(const struct pull *p)
{
	struct iso_platform want;
	struct iso_error ignored;
	const struct iso_image_config *c = &p->config;

	if (iso_platform_parse(p->o->platform, &want, &ignored) < 0)
		return;
	if ((c->os && strcmp(c->os, want.os) != 0) ||
	    (c->architecture && strcmp(c->architecture, want.architecture) != 0))
		iso_log(ISO_LOG_WARN, "the image %s is for %s/%s, not %s/%s", p->refstr,
			c->os ? c->os : "?", c->architecture ? c->architecture : "?", want.os,
			want.architecture);
	iso_platform_free(&want);
}

/* One pull of a repository's reference at a time: a second waits, then
 * finds the blobs there. */
static int lock_ref(struct pull *p, struct iso_error *err)
{
	iso_digest_t d;
	char name[48];

	iso_digest_buf(p->refstr, strlen(p->refstr), d);
	snprintf(name, sizeof(name), "pull-%.32s", iso_digest_hex(d));
	return iso_store_lock(p->s, name, err);
}

static int run_pull(struct pull *p, struct iso_pull_result *res, struct iso_error *err)
{
	cleanup_close int gc = iso_store_lock_shared(p->s, "gc", err);
	cleanup_close int lock = gc < 0 ? -1 : lock_ref(p, err);

	if (lock < 0 || iso_registry_open(&p->reg, &p->ref, &p->o->registry, err) < 0 ||
	    fetch_manifest(p, res->digest, err) < 0 || fetch_blobs(p, err) < 0)
		return -1;
	check_platform(p);
	if (iso_image_unpack(p->s, &p->manifest, &p->config, p->o->unpacked, p->o->ctx, err) < 0)
		return iso_error_prefix(err, "%s", p->refstr);
	return iso_image_commit(p->s, p->body, p->len, &p->manifest, &p->config, p->refstr,
				res->id, err);
}

int iso_pull(struct iso_store *s, const char *name, const struct iso_pull_opts *o,
	     struct iso_pull_result *res, struct iso_error *err)
{
	struct pull p = { .s = s, .o = o };
	int r;

	memset(res, 0, sizeof(*res));
	if (iso_imgref_parse(name, &p.ref, err) < 0)
		return -1;
	p.refstr = iso_imgref_string(&p.ref);
	r = run_pull(&p, res, err);
	if (r == 0) {
		res->ref = steal_ptr(&p.refstr);
		res->downloaded = p.downloaded;
	}
	iso_registry_free(p.reg);
	iso_imgref_free(&p.ref);
	iso_manifest_free(&p.manifest);
	iso_image_config_free(&p.config);
	free(p.body);
	free(p.refstr);
	return r;
}

void iso_pull_result_free(struct iso_pull_result *res)
{
	free(res->ref);
	res->ref = NULL;
}
