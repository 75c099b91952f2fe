#include "registry.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "log.h"
#include "regconf.h"
#include "util.h"

#ifndef ISOLATE_VERSION
#define ISOLATE_VERSION "unknown"
#endif

#define MAX_REDIRECTS 10
#define ERROR_BODY_MAX (64u << 10)
#define HEADER_MAX (16u << 10)
#define BLOB_BUFFER (256L << 10)

static const char manifest_accept[] =
	"Accept: application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json";

static const char *const scheme_names[] = { "https", "http" };

struct endpoint {
	struct iso_endpoint ep;
	int scheme;               /* index in scheme_names once one answered; -1 before */
	char *authz;              /* "Authorization: ..." for this endpoint, or NULL */
	unsigned authz_gen;       /* bumped whenever authz changes */
	bool creds_looked_up, has_creds;
	struct iso_creds creds;   /* from the auth files, by the endpoint's host */
};

struct iso_registry {
	char *name;               /* "library/busybox" */
	char *display;            /* "docker.io/library/busybox" */
	char *domain;
	struct iso_regconf conf;
	struct endpoint *eps;
	size_t n_eps, cur;
	bool has_creds;
	struct iso_creds creds;   /* --creds: for every endpoint, as podman does */
	char *authfile, *user_agent;
	bool tls_verify;
	CURLM *multi;             /* one connection pool for all requests */
};

/* One request, through its redirects and its one authenticated retry. */
struct xfer {
	struct iso_registry *r;
	struct endpoint *e;
	char *what;               /* the start of every message */
	const char *kind;         /* "manifests" or "blobs" */
	const char *reference;
	CURL *h;
	struct curl_slist *headers;
	char *url;
	char hostport[300];       /* of url */
	int scheme;               /* at the endpoint */
	bool at_endpoint;         /* url is the endpoint's origin: it may carry authz */
	bool used_creds;          /* the last authorization was made with credentials */
	char https_error[CURL_ERROR_SIZE]; /* why https failed before http was tried */
	CURLcode https_rc;
	bool verify;
	unsigned redirects, auth_tries;
	unsigned sent_gen;
	char errbuf[CURL_ERROR_SIZE];
	char fail[256];           /* why a callback stopped the transfer */
	/* the answer being received */
	long status;
	char *content_type, *challenge;
	char *body;
	size_t len, max;
	/* blobs */
	bool blob;
	size_t index;
	const char *digest;
	int64_t size;
	uint64_t got, total;
	struct iso_blob_writer w;
	char *wbuf;               /* BLOB_BUFFER bytes: libcurl hands 16 KiB at a time */
	size_t wlen;
	struct iso_sha256 sha;
	bool hashing;
	iso_progress_fn fn;
	void *ctx;
};

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
	r->multi = curl_multi_init();
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

/* ---- one request ---- */

static int xfer_fail(struct xfer *x, struct iso_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int xfer_fail(struct xfer *x, struct iso_error *err, const char *fmt, ...)
{
	char reason[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return iso_error_set(err, 0, "%s: %s", x->what, reason);
}

/* "host[:port]" of an http(s) URL into BUF; false for anything else. */
static bool url_hostport(const char *url, char *buf, size_t size, char **scheme)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *sch = NULL;
	bool ok = false;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &sch, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (strcmp(sch, "https") == 0 || strcmp(sch, "http") == 0)) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
			port = NULL;
		ok = (size_t)snprintf(buf, size, "%s%s%s", host, port ? ":" : "",
				      port ? port : "") < size;
	}
	if (ok && scheme != NULL)
		*scheme = xstrdup(sch);
	curl_free(host);
	curl_free(port);
	curl_free(sch);
	curl_url_cleanup(u);
	return ok;
}

static void answer_reset(struct xfer *x)
{
	x->status = 0;
	free(x->content_type);
	free(x->challenge);
	free(x->body);
	x->content_type = x->challenge = x->body = NULL;
	x->len = 0;
	x->fail[0] = x->errbuf[0] = '\0';
}

static char *header_value(const char *data, size_t len, size_t name_len)
{
	const char *v = data + name_len, *end = data + len;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t len = size * nmemb;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		const char *sp = memchr(data, ' ', len);

		answer_reset(x);
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	} else if (len > 13 && strncasecmp(data, "Content-Type:", 13) == 0) {
		free(x->content_type);
		x->content_type = header_value(data, len, 13);
	} else if (len > 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0) {
		cleanup_free char *v = header_value(data, len, 17);
		char *joined;

		if (x->challenge != NULL && strlen(x->challenge) > HEADER_MAX)
			return len;
		joined = xasprintf("%s%s%s", x->challenge ? x->challenge : "",
				   x->challenge ? ", " : "", v);
		free(x->challenge);
		x->challenge = joined;
	}
	return len;
}

static int blob_flush(struct xfer *x)
{
	if (x->wlen > 0 && write_all(x->w.fd, x->wbuf, x->wlen) < 0) {
		snprintf(x->fail, sizeof(x->fail), "write %s: %s", x->w.tmp_path, strerror(errno));
		return -1;
	}
	x->wlen = 0;
	return 0;
}

static size_t blob_body(struct xfer *x, const char *data, size_t len)
{
	if (x->total == 0) {
		curl_off_t cl = -1;

		if (curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
		    cl > 0)
			x->total = (uint64_t)cl;
	}
	if (x->size >= 0 && x->got + len > (uint64_t)x->size) {
		snprintf(x->fail, sizeof(x->fail), "more than the %lld bytes the manifest gives",
			 (long long)x->size);
		return 0;
	}
	if (x->wlen + len > BLOB_BUFFER && blob_flush(x) < 0)
		return 0;
	if (len >= BLOB_BUFFER) {
		if (write_all(x->w.fd, data, len) < 0) {
			snprintf(x->fail, sizeof(x->fail), "write %s: %s", x->w.tmp_path,
				 strerror(errno));
			return 0;
		}
	} else {
		memcpy(x->wbuf + x->wlen, data, len);
		x->wlen += len;
	}
	iso_sha256_update(&x->sha, data, len);
	x->got += len;
	if (x->fn != NULL)
		x->fn(x->ctx, x->index, ISO_PROGRESS_BYTES, x->got, x->total);
	return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t len = size * nmemb, cap = x->status == 200 ? x->max : ERROR_BODY_MAX;

	if (x->blob && x->status == 200)
		return blob_body(x, data, len);
	if (x->len + len > cap) {
		if (x->status == 200) {
			snprintf(x->fail, sizeof(x->fail), "manifest larger than %zu bytes", x->max);
			return 0;
		}
		len = cap - x->len;   /* an error body: what fits is enough */
	}
	x->body = xrealloc(x->body, x->len + len + 1);
	memcpy(x->body + x->len, data, len);
	x->len += len;
	x->body[x->len] = '\0';
	return size * nmemb;
}

/* Sets the handle up for the next attempt at x->url. */
static int xfer_arm(struct xfer *x, struct iso_error *err)
{
	bool ok;

	answer_reset(x);
	if (!url_hostport(x->url, x->hostport, sizeof(x->hostport), NULL))
		return xfer_fail(x, err, "bad URL");
	if (x->h == NULL)
		x->h = curl_easy_init();
	else
		curl_easy_reset(x->h);
	if (x->h == NULL)
		return xfer_fail(x, err, "libcurl could not start");
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (!x->blob)
		x->headers = curl_slist_append(x->headers, manifest_accept);
	/* The registry's Authorization goes to the registry's origin only,
	 * never to the storage a blob is redirected to: redirects are
	 * followed here, not by libcurl, so that this holds whatever its
	 * version (>= 7.83 drops custom Authorization headers across hosts
	 * by itself, older ones only partly). */
	if (x->at_endpoint && x->e->authz != NULL)
		x->headers = curl_slist_append(x->headers, x->e->authz);
	x->sent_gen = x->e->authz_gen;
	ok = (x->blob || x->headers != NULL) &&
		curl_easy_setopt(x->h, CURLOPT_URL, x->url) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->headers) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_PRIVATE, x) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
#else
		curl_easy_setopt(x->h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) == CURLE_OK &&
#endif
		curl_easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_UNRESTRICTED_AUTH, 0L) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYPEER, x->verify ? 1L : 0L) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYHOST, x->verify ? 2L : 0L) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_USERAGENT, x->r->user_agent) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT, 30L) == CURLE_OK &&
		/* a stalled transfer (under 1 byte/s for a minute) fails */
		curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_TIME, 60L) == CURLE_OK &&
		curl_easy_setopt(x->h, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK &&
		/* layers are large: fewer, larger reads and writes */
		(!x->blob || curl_easy_setopt(x->h, CURLOPT_BUFFERSIZE, BLOB_BUFFER) == CURLE_OK) &&
		/* loopback never goes through a proxy of the environment */
		(!iso_host_is_loopback(x->hostport) ||
		 curl_easy_setopt(x->h, CURLOPT_PROXY, "") == CURLE_OK);
	if (!ok)
		return xfer_fail(x, err, "libcurl refused an option");
	return 0;
}

/* Points X at its endpoint, with the scheme that answered before or the
 * first to try. */
static void xfer_at_endpoint(struct xfer *x, int scheme)
{
	x->scheme = scheme;
	x->at_endpoint = true;
	x->verify = x->e->ep.verify;
	free(x->url);
	x->url = iso_registry_url(scheme_names[scheme], x->e->ep.host, x->r->name, x->kind,
				  x->reference);
}

static int http_fail(struct xfer *x, struct iso_error *err)
{
	cleanup_free char *detail = iso_registry_error_detail(x->body, x->len);
	cleanup_free char *from = x->at_endpoint ? xstrdup("") :
		xasprintf(" (from %s, where the registry redirected)", x->hostport);

	switch (x->status) {
	case 401:
		return xfer_fail(x, err, "unauthorized%s%s%s", detail, from, x->used_creds ? "" :
				 "; the repository may not exist, or may need credentials "
				 "(--creds USER:PASSWORD or an auth file)");
	case 403:
		return xfer_fail(x, err, "denied%s%s", detail, from);
	case 404:
		return xfer_fail(x, err, "%s unknown%s%s", x->blob ? "blob" : "manifest", detail,
				 from);
	default:
		return xfer_fail(x, err, "registry answered %ld%s%s%s%s", x->status,
				 iso_http_reason(x->status)[0] ? " " : "", iso_http_reason(x->status),
				 detail, from);
	}
}

static int follow_redirect(struct xfer *x, struct iso_error *err)
{
	cleanup_free char *old_scheme = NULL, *scheme = NULL, *ep_url = NULL;
	char host[300], ep_host[300];
	char *loc = NULL;
	bool insecure;

	if (curl_easy_getinfo(x->h, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || loc == NULL)
		return xfer_fail(x, err, "registry answered %ld %s without a Location", x->status,
				 iso_http_reason(x->status));
	if (++x->redirects > MAX_REDIRECTS)
		return xfer_fail(x, err, "more than %d redirects", MAX_REDIRECTS);
	if (!url_hostport(loc, host, sizeof(host), &scheme))
		return xfer_fail(x, err, "redirected to a URL that is not http(s)");
	if (!url_hostport(x->url, ep_host, sizeof(ep_host), &old_scheme))
		return xfer_fail(x, err, "bad URL");
	insecure = !x->r->tls_verify || iso_regconf_is_insecure(&x->r->conf, host);
	if (strcmp(old_scheme, "https") == 0 && strcmp(scheme, "http") == 0 && !insecure)
		return xfer_fail(x, err, "redirected from https to plain http at %s", host);
	/* the endpoint's own origin (scheme, host and port) keeps its
	 * Authorization and TLS settings; any other is a stranger */
	ep_url = xasprintf("%s://%s/", scheme_names[x->scheme], x->e->ep.host);
	if (!url_hostport(ep_url, ep_host, sizeof(ep_host), NULL))
		return xfer_fail(x, err, "bad URL");
	x->at_endpoint = strcmp(scheme, scheme_names[x->scheme]) == 0 &&
		strcasecmp(host, ep_host) == 0;
	x->verify = x->at_endpoint ? x->e->ep.verify : !insecure;
	free(x->url);
	x->url = xstrdup(loc);
	return 1;
}

static int endpoint_creds(struct iso_registry *r, struct endpoint *e,
			  const struct iso_creds **out, struct iso_error *err)
{
	*out = NULL;
	if (r->has_creds) {
		*out = &r->creds;
		return 0;
	}
	if (!e->creds_looked_up) {
		/* the registry's own endpoint is found under its name
		 * (docker.io, not registry-1.docker.io); a mirror under its host */
		if (iso_auth_lookup(r->authfile, e->ep.mirror ? e->ep.host : r->domain, &e->creds,
				    &e->has_creds, err) < 0)
			return -1;
		e->creds_looked_up = true;
	}
	if (e->has_creds)
		*out = &e->creds;
	return 0;
}

static void set_authz(struct endpoint *e, char *value)
{
	if (e->authz != NULL)
		explicit_bzero(e->authz, strlen(e->authz));
	free(e->authz);
	e->authz = value;
	e->authz_gen++;
}

/* A 401 at the endpoint: answer its challenge once. */
static int reauth(struct xfer *x, struct iso_error *err)
{
	struct iso_registry *r = x->r;
	struct iso_auth_challenge ch;
	const struct iso_creds *creds;
	char realm_host[300];

	if (!x->at_endpoint || ++x->auth_tries > 2)
		return http_fail(x, err);
	/* another request got new credentials since this one was sent */
	if (x->sent_gen != x->e->authz_gen)
		return 1;
	if (x->auth_tries > 1)
		return http_fail(x, err);
	if (x->challenge == NULL)
		return xfer_fail(x, err, "unauthorized, without a WWW-Authenticate challenge");
	if (iso_auth_parse_challenge(x->challenge, &ch, err) < 0 ||
	    endpoint_creds(r, x->e, &creds, err) < 0) {
		iso_auth_challenge_free(&ch);
		return iso_error_prefix(err, "%s", x->what);
	}
	x->used_creds = creds != NULL;
	if (ch.scheme == ISO_AUTH_BEARER) {
		cleanup_free char *scope = xasprintf("repository:%s:pull", r->name);
		bool insecure = !r->tls_verify ||
			(url_hostport(ch.realm, realm_host, sizeof(realm_host), NULL) &&
			 iso_regconf_is_insecure(&r->conf, realm_host));
		struct iso_token_req q = {
			.realm = ch.realm, .service = ch.service, .scope = scope, .creds = creds,
			.verify = !insecure, .allow_http = insecure, .user_agent = r->user_agent,
		};
		char *token = NULL;
		int rc = iso_auth_fetch_token(&q, &token, err);

		iso_auth_challenge_free(&ch);
		if (rc < 0)
			return iso_error_prefix(err, "%s", x->what);
		set_authz(x->e, xasprintf("Authorization: Bearer %s", token));
		explicit_bzero(token, strlen(token));
		free(token);
		return 1;
	}
	iso_auth_challenge_free(&ch);
	if (creds == NULL)
		return xfer_fail(x, err, "authentication required by %s (give --creds USER:PASSWORD "
				 "or log in to it in an auth file)", x->e->ep.host);
	{
		cleanup_free char *b64 = iso_creds_basic(creds);

		set_authz(x->e, xasprintf("Authorization: Basic %s", b64));
		explicit_bzero(b64, strlen(b64));
	}
	return 1;
}

/* After an attempt: 0 the answer is a 200, 1 try again (x->url may have
 * changed), -1 failed. */
static int xfer_done(struct xfer *x, CURLcode rc, struct iso_error *err)
{
	if (rc != CURLE_OK) {
		if (x->fail[0] != '\0')
			return xfer_fail(x, err, "%s", x->fail);
		if (rc == CURLE_PARTIAL_FILE && x->blob) {
			curl_off_t cl = -1;

			curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
			return xfer_fail(x, err, "truncated: got %llu of %lld bytes",
					 (unsigned long long)x->got,
					 x->size >= 0 ? (long long)x->size : (long long)cl);
		}
		/* an insecure registry may speak plain http: TLS refused,
		 * before any answer, on the first contact only */
		const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

		if (x->at_endpoint && x->status == 0 && x->e->scheme < 0 && x->scheme == 0 &&
		    x->e->ep.http) {
			iso_log(ISO_LOG_DEBUG, "%s: https: %s; trying http", x->e->ep.host, why);
			snprintf(x->https_error, sizeof(x->https_error), "%s", why);
			x->https_rc = rc;
			xfer_at_endpoint(x, 1);
			return x->url ? 1 : xfer_fail(x, err, "bad URL");
		}
		/* both schemes failed: say why each did, once if alike */
		if (x->https_error[0] != '\0' && x->https_rc != rc)
			return xfer_fail(x, err, "https: %s; http: %s", x->https_error, why);
		return xfer_fail(x, err, "%s", why);
	}
	if (x->at_endpoint)
		x->e->scheme = x->scheme;
	switch (x->status) {
	case 200:
		return 0;
	case 301: case 302: case 303: case 307: case 308:
		return follow_redirect(x, err);
	case 401:
		return reauth(x, err);
	default:
		return http_fail(x, err);
	}
}

static void xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->h != NULL) {
		curl_multi_remove_handle(x->r->multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->headers);
	answer_reset(x);
	if (x->hashing)
		iso_sha256_free(&x->sha);
	if (x->blob)
		iso_store_blob_abort(&x->w);
	free(x->wbuf);
	free(x->url);
	free(x->what);
	free(x);
}

static struct xfer *xfer_new(struct iso_registry *r, struct endpoint *e, const char *kind,
			     const char *reference, char *what)
{
	struct xfer *x = xcalloc(1, sizeof(*x));

	x->r = r;
	x->e = e;
	x->kind = kind;
	x->reference = reference;
	x->what = what;
	x->w.fd = -1;
	x->size = -1;
	xfer_at_endpoint(x, e->scheme >= 0 ? e->scheme : e->ep.https ? 0 : 1);
	return x;
}

static int multi_error(CURLMcode mc, struct iso_error *err)
{
	return iso_error_set(err, 0, "libcurl: %s", curl_multi_strerror(mc));
}

/* Runs X alone on the multi handle (so that its connection is pooled for
 * the requests that follow) until it has a 200 or has failed. */
static int xfer_run(struct xfer *x, struct iso_error *err)
{
	CURLM *m = x->r->multi;

	if (x->url == NULL)
		return xfer_fail(x, err, "bad repository name or reference");
	for (;;) {
		CURLcode rc = CURLE_OK;
		bool finished = false;
		CURLMcode mc;
		int running, r;

		if (xfer_arm(x, err) < 0)
			return -1;
		if ((mc = curl_multi_add_handle(m, x->h)) != CURLM_OK)
			return multi_error(mc, err);
		while (!finished) {
			CURLMsg *msg;
			int left;

			if ((mc = curl_multi_perform(m, &running)) != CURLM_OK)
				return multi_error(mc, err);
			while ((msg = curl_multi_info_read(m, &left)) != NULL)
				if (msg->msg == CURLMSG_DONE && msg->easy_handle == x->h) {
					rc = msg->data.result;
					finished = true;
				}
			if (!finished && (mc = curl_multi_poll(m, NULL, 0, 1000, NULL)) != CURLM_OK)
				return multi_error(mc, err);
		}
		curl_multi_remove_handle(m, x->h);
		r = xfer_done(x, rc, err);
		if (r <= 0)
			return r;
	}
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
	x = xfer_new(r, e, "manifests", reference,
		     xasprintf("fetch manifest %s%s%s%s%s", r->display, by_digest ? "@" : ":",
			       reference, e->ep.mirror ? " from mirror " : "",
			       e->ep.mirror ? e->ep.host : ""));
	x->max = max;
	if (xfer_run(x, err) < 0) {
		xfer_free(x);
		return -1;
	}
	iso_digest_buf(x->body ? x->body : "", x->len, digest);
	if (by_digest && strcmp(digest, reference) != 0) {
		int rc = xfer_fail(x, err, "digest mismatch (got %s)", digest);

		xfer_free(x);
		return rc;
	}
	*media_type = specific_type(x->content_type);
	if (*media_type == NULL)
		*media_type = body_media_type(x->body, x->len);
	*len = x->len;
	*body = x->body ? steal_ptr(&x->body) : xstrdup("");
	xfer_free(x);
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
	struct xfer *x = xfer_new(r, e, "blobs", f->reqs[i].digest,
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
		return xfer_fail(x, err, "bad repository name");
	if (iso_store_blob_begin(f->s, &x->w, err) < 0 || iso_sha256_init(&x->sha, err) < 0)
		return iso_error_prefix(err, "%s", x->what);
	x->hashing = true;
	progress(f, i, ISO_PROGRESS_START, 0, x->total);
	if (xfer_arm(x, err) < 0)
		return -1;
	if ((mc = curl_multi_add_handle(r->multi, x->h)) != CURLM_OK)
		return multi_error(mc, err);
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
		return xfer_fail(x, err, "truncated: got %llu of %lld bytes",
				 (unsigned long long)x->got, (long long)x->size);
	if (blob_flush(x) < 0)
		return xfer_fail(x, err, "%s", x->fail);
	iso_sha256_final(&x->sha, got);
	x->hashing = false;
	if (strcmp(got, x->digest) != 0)
		return xfer_fail(x, err, "digest mismatch (got %s)", got);
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
	r = xfer_done(x, rc, err);
	if (r == 1 && x->got > 0)
		r = xfer_fail(x, err, "answered again after %llu bytes", (unsigned long long)x->got);
	if (r == 1) {
		if (xfer_arm(x, err) < 0)
			return -1;
		if ((mc = curl_multi_add_handle(f->r->multi, x->h)) != CURLM_OK)
			return multi_error(mc, err);
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
	xfer_free(x);
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
			return multi_error(mc, err);
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
			return multi_error(mc, err);
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
		xfer_free(f.active[k]);
	free(f.state);
	return rc;
}
