/* The registry client's API: endpoints and credentials per repository,
 * manifests from the first endpoint that answers, and the blob scheduler
 * (a few downloads at once on one curl multi handle, each verified
 * before the store names it).  One request's HTTP is registry_http.c. */
#include "registry_int.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#ifndef ISOLATE_VERSION
#define ISOLATE_VERSION "unknown"
#endif

static int global_init(struct iso_error *err)
{
	static bool done;
	static CURLcode rc;

	if (!done) {
		rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		done = true;
	}
	if (rc != CURLE_OK)
		return iso_error_set(err, 0, "libcurl: %s", curl_easy_strerror(rc));
	return 0;
}

/* The fds open now, sorted (none without /proc). */
static int *open_fds(size_t *n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int *fds = NULL;
	size_t cap = 0;

	*n = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			fds = xrealloc(fds, cap * sizeof(*fds));
		}
		fds[(*n)++] = fd;
	}
	if (d != NULL)
		closedir(d);
	return fds;
}

static bool fd_in(const int *fds, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

/* libcurl (7.88) gives a multi handle a socketpair to wake it with, made
 * without FD_CLOEXEC and with no option for it: the fds curl_multi_init
 * opened get it here, so that nothing of a pull could reach a command
 * run meanwhile.  The runtime is single-threaded: they are the new ones. */
static CURLM *multi_init_cloexec(void)
{
	size_t nb, na;
	cleanup_free int *before = open_fds(&nb);
	CURLM *m = curl_multi_init();
	cleanup_free int *after = open_fds(&na);

	for (size_t i = 0; m != NULL && i < na; i++) {
		int flags;

		if (fd_in(before, nb, after[i]) || (flags = fcntl(after[i], F_GETFD)) < 0)
			continue;
		if (!(flags & FD_CLOEXEC))
			fcntl(after[i], F_SETFD, flags | FD_CLOEXEC);
	}
	return m;
}

int iso_registry_open(struct iso_registry **out, const struct iso_imgref *ref,
		      const struct iso_registry_opts *opts, struct iso_error *err)
{
	static const struct iso_registry_opts defaults = { .tls_verify = true };
	const struct iso_registry_opts *o = opts ? opts : &defaults;
	struct iso_endpoint *eps = NULL;
	struct iso_registry *r;
	size_t n = 0;

	if (global_init(err) < 0)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(ref->path);
	r->domain = xstrdup(ref->domain);
	r->display = iso_imgref_name(ref);
	r->tls_verify = o->tls_verify;
	r->authfile = o->authfile ? xstrdup(o->authfile) : NULL;
	r->user_agent = xstrdup(o->user_agent ? o->user_agent : "isolate/" ISOLATE_VERSION);
	if ((o->creds != NULL && iso_creds_parse(o->creds, &r->creds, err) < 0) ||
	    iso_regconf_load(&r->conf, o->config, err) < 0 ||
	    iso_regconf_endpoints(&r->conf, r->domain, r->tls_verify, &eps, &n, err) < 0) {
		iso_registry_free(r);
		return -1;
	}
	r->has_creds = o->creds != NULL;
	r->eps = xcalloc(n, sizeof(*r->eps));
	for (size_t i = 0; i < n; i++) {
		r->eps[i].ep = eps[i];
		r->eps[i].scheme = -1;
	}
	free(eps);   /* the hosts moved into r->eps */
	r->n_eps = n;
	r->multi = multi_init_cloexec();
	if (r->multi == NULL) {
		iso_registry_free(r);
		return iso_error_set(err, 0, "libcurl could not start");
	}
	*out = r;
	return 0;
}

void iso_registry_free(struct iso_registry *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_eps; i++) {
		free(r->eps[i].ep.host);
		if (r->eps[i].authz != NULL)
			explicit_bzero(r->eps[i].authz, strlen(r->eps[i].authz));
		free(r->eps[i].authz);
		iso_creds_free(&r->eps[i].creds);
	}
	free(r->eps);
	if (r->multi != NULL)
		curl_multi_cleanup(r->multi);
	iso_creds_free(&r->creds);
	iso_regconf_free(&r->conf);
	free(r->name);
	free(r->display);
	free(r->domain);
	free(r->authfile);
	free(r->user_agent);
	free(r);
}

const char *iso_registry_endpoint(const struct iso_registry *r)
{
	return r->eps[r->cur].ep.host;
}

/* ---- manifests ---- */

/* Content-Type without parameters, lowercased; NULL when generic. */
static char *specific_type(const char *ct)
{
	char *t;

	if (ct == NULL)
		return NULL;
	t = xstrndup(ct, strcspn(ct, "; \t"));
	for (char *p = t; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (t[0] == '\0' || strcmp(t, "application/json") == 0 || strcmp(t, "text/plain") == 0 ||
	    strcmp(t, "application/octet-stream") == 0) {
		free(t);
		return NULL;
	}
	return t;
}

static char *body_media_type(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *mt = json_string_value(json_object_get(root, "mediaType"));
	char *out = mt && mt[0] ? xstrdup(mt) : NULL;

	json_decref(root);
	return out;
}

static int manifest_from(struct iso_registry *r, struct endpoint *e, const char *reference,
			 size_t max, char **body, size_t *len, char **media_type,
			 iso_digest_t digest, struct iso_error *err)
{
	bool by_digest = strchr(reference, ':') != NULL;
	struct xfer *x;

	if (by_digest && iso_digest_check(reference, "manifest reference", err) < 0)
		return -1;
	x = iso_xfer_new(r, e, "manifests", reference,
		     xasprintf("fetch manifest %s%s%s%s%s", r->display, by_digest ? "@" : ":",
			       reference, e->ep.mirror ? " from mirror " : "",
			       e->ep.mirror ? e->ep.host : ""));
	x->max = max;
	if (iso_xfer_run(x, err) < 0) {
		iso_xfer_free(x);
		return -1;
	}
	iso_digest_buf(x->body ? x->body : "", x->len, digest);
	if (by_digest && strcmp(digest, reference) != 0) {
		int rc = iso_xfer_fail(x, err, "digest mismatch (got %s)", digest);

		iso_xfer_free(x);
		return rc;
	}
	*media_type = specific_type(x->content_type);
	if (*media_type == NULL)
		*media_type = body_media_type(x->body, x->len);
	*len = x->len;
	*body = x->body ? steal_ptr(&x->body) : xstrdup("");
	iso_xfer_free(x);
	return 0;
}

int iso_registry_get_manifest(struct iso_registry *r, const char *reference, size_t max,
			      char **body, size_t *len, char **media_type, iso_digest_t digest,
			      struct iso_error *err)
{
	for (size_t i = 0; i < r->n_eps; i++) {
		if (manifest_from(r, &r->eps[i], reference, max, body, len, media_type, digest,
				  err) == 0) {
			r->cur = i;
			return 0;
		}
		if (i + 1 < r->n_eps)
			iso_log(ISO_LOG_NOTE, "%s; trying %s", err->msg, r->eps[i + 1].ep.host);
	}
	return -1;
}

/* ---- blobs ---- */

enum { BLOB_PENDING, BLOB_ACTIVE, BLOB_FINISHED };

struct fetch {
	struct iso_registry *r;
	struct iso_store *s;
	const struct iso_blob_req *reqs;
	size_t n;
	unsigned char *state;
	struct xfer *active[ISO_REGISTRY_PARALLEL];
	size_t n_active;
	iso_progress_fn fn;
	void *ctx;
};

static void progress(struct fetch *f, size_t i, enum iso_progress_event ev, uint64_t done,
		     uint64_t total)
{
	if (f->fn != NULL)
		f->fn(f->ctx, i, ev, done, total);
}

static bool digest_active(const struct fetch *f, const char *digest)
{
	for (size_t k = 0; k < f->n_active; k++)
		if (strcmp(f->active[k]->digest, digest) == 0)
			return true;
	return false;
}

static int blob_start(struct fetch *f, size_t i, struct iso_error *err)
{
	struct iso_registry *r = f->r;
	struct endpoint *e = &r->eps[r->cur];
	struct xfer *x = iso_xfer_new(r, e, "blobs", f->reqs[i].digest,
				  xasprintf("fetch %s%s%s: blob %s", r->display,
					    e->ep.mirror ? " from mirror " : "",
					    e->ep.mirror ? e->ep.host : "", f->reqs[i].digest));
	CURLMcode mc;

	x->blob = true;
	x->wbuf = xmalloc(BLOB_BUFFER);
	x->index = i;
	x->digest = f->reqs[i].digest;
	x->size = f->reqs[i].size;
	x->total = x->size > 0 ? (uint64_t)x->size : 0;
	x->fn = f->fn;
	x->ctx = f->ctx;
	f->active[f->n_active++] = x;
	f->state[i] = BLOB_ACTIVE;
	if (x->url == NULL)
		return iso_xfer_fail(x, err, "bad repository name");
	if (iso_store_blob_begin(f->s, &x->w, err) < 0 || iso_sha256_init(&x->sha, err) < 0)
		return iso_error_prefix(err, "%s", x->what);
	x->hashing = true;
	progress(f, i, ISO_PROGRESS_START, 0, x->total);
	if (iso_xfer_arm(x, err) < 0)
		return -1;
	if ((mc = curl_multi_add_handle(r->multi, x->h)) != CURLM_OK)
		return iso_curl_multi_error(mc, err);
	return 0;
}

/* Starts pending blobs while there is room: those in the store already
 * are announced and skipped; a digest being downloaded waits for it. */
static int blobs_fill(struct fetch *f, struct iso_error *err)
{
	for (size_t i = 0; i < f->n && f->n_active < ISO_REGISTRY_PARALLEL; i++) {
		if (f->state[i] != BLOB_PENDING || digest_active(f, f->reqs[i].digest))
			continue;
		if (iso_store_has_blob(f->s, f->reqs[i].digest)) {
			f->state[i] = BLOB_FINISHED;
			progress(f, i, ISO_PROGRESS_EXISTS, 0, 0);
			continue;
		}
		if (blob_start(f, i, err) < 0)
			return -1;
	}
	return 0;
}

static int blob_verify_commit(struct fetch *f, struct xfer *x, struct iso_error *err)
{
	iso_digest_t got;

	if (x->size >= 0 && x->got != (uint64_t)x->size)
		return iso_xfer_fail(x, err, "truncated: got %llu of %lld bytes",
				 (unsigned long long)x->got, (long long)x->size);
	if (iso_xfer_flush(x) < 0)
		return iso_xfer_fail(x, err, "%s", x->fail);
	iso_sha256_final(&x->sha, got);
	x->hashing = false;
	if (strcmp(got, x->digest) != 0)
		return iso_xfer_fail(x, err, "digest mismatch (got %s)", got);
	if (iso_store_blob_commit(f->s, &x->w, x->digest, err) < 0)
		return iso_error_prefix(err, "%s", x->what);
	progress(f, x->index, ISO_PROGRESS_DONE, x->got, x->got);
	return 0;
}

/* One transfer finished an attempt: commit it, try again, or fail. */
static int blob_step(struct fetch *f, struct xfer *x, CURLcode rc, struct iso_error *err)
{
	CURLMcode mc;
	int r;

	curl_multi_remove_handle(f->r->multi, x->h);
	r = iso_xfer_done(x, rc, err);
	if (r == 1 && x->got > 0)
		r = iso_xfer_fail(x, err, "answered again after %llu bytes", (unsigned long long)x->got);
	if (r == 1) {
		if (iso_xfer_arm(x, err) < 0)
			return -1;
		if ((mc = curl_multi_add_handle(f->r->multi, x->h)) != CURLM_OK)
			return iso_curl_multi_error(mc, err);
		return 0;
	}
	if (r == 0)
		r = blob_verify_commit(f, x, err);
	if (r < 0)
		return -1;
	f->state[x->index] = BLOB_FINISHED;
	for (size_t k = 0; k < f->n_active; k++)
		if (f->active[k] == x)
			f->active[k] = f->active[--f->n_active];
	iso_xfer_free(x);
	return 0;
}

static int blobs_run(struct fetch *f, struct iso_error *err)
{
	CURLMcode mc;
	int running;

	if (blobs_fill(f, err) < 0)
		return -1;
	while (f->n_active > 0) {
		CURLMsg *msg;
		int left;

		if ((mc = curl_multi_perform(f->r->multi, &running)) != CURLM_OK)
			return iso_curl_multi_error(mc, err);
		while ((msg = curl_multi_info_read(f->r->multi, &left)) != NULL) {
			char *priv = NULL;
			struct xfer *x;

			if (msg->msg != CURLMSG_DONE ||
			    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv) != CURLE_OK ||
			    priv == NULL)
				continue;
			x = (struct xfer *)priv;
			if (blob_step(f, x, msg->data.result, err) < 0) {
				progress(f, x->index, ISO_PROGRESS_FAILED, x->got, x->total);
				return -1;
			}
		}
		if (blobs_fill(f, err) < 0)
			return -1;
		if (f->n_active > 0 &&
		    (mc = curl_multi_poll(f->r->multi, NULL, 0, 1000, NULL)) != CURLM_OK)
			return iso_curl_multi_error(mc, err);
	}
	return 0;
}

int iso_registry_fetch_blobs(struct iso_registry *r, struct iso_store *s,
			     const struct iso_blob_req *reqs, size_t n, iso_progress_fn fn,
			     void *ctx, struct iso_error *err)
{
	struct fetch f = { .r = r, .s = s, .reqs = reqs, .n = n, .fn = fn, .ctx = ctx };
	int rc;

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *what = xasprintf("blob %zu of %s", i + 1, r->display);

		if (iso_digest_check(reqs[i].digest, what, err) < 0)
			return -1;
	}
	f.state = xcalloc(n ? n : 1, 1);
	rc = blobs_run(&f, err);
	/* the first failure stops the rest: their files go, unnamed */
	for (size_t k = 0; k < f.n_active; k++)
		iso_xfer_free(f.active[k]);
	free(f.state);
	return rc;
}
