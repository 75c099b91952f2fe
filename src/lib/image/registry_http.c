/* One request of the registry client: a GET through its redirects and
 * its one answer to a 401 challenge, with the body kept in memory
 * (manifests, error answers) or streamed into a store writer (blobs). */
#include "registry_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "util.h"

#define MAX_REDIRECTS 10
#define ERROR_BODY_MAX (64u << 10)
#define HEADER_MAX (16u << 10)

static const char manifest_accept[] =
	"Accept: application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json";

static const char *const scheme_names[] = { "https", "http" };

int iso_xfer_fail(struct xfer *x, struct iso_error *err, const char *fmt, ...)
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

int iso_xfer_flush(struct xfer *x)
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
	if (x->wlen + len > BLOB_BUFFER && iso_xfer_flush(x) < 0)
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

int iso_xfer_arm(struct xfer *x, struct iso_error *err)
{
	bool ok;

	answer_reset(x);
	if (!url_hostport(x->url, x->hostport, sizeof(x->hostport), NULL))
		return iso_xfer_fail(x, err, "bad URL");
	if (x->h == NULL)
		x->h = curl_easy_init();
	else
		curl_easy_reset(x->h);
	if (x->h == NULL)
		return iso_xfer_fail(x, err, "libcurl could not start");
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (!x->blob)
		x->headers = curl_slist_append(x->headers, manifest_accept);
	/* The registry's Authorization goes to the registry's origin only,
	 * never to the storage a blob is redirected to.  Redirects are
	 * followed here, not by libcurl, so that this holds whatever its
	 * version: libcurl 7.83 and later keep a custom Authorization to the
	 * same scheme, host and port when they follow one (Debian 12 has
	 * 7.88), but 7.58 to 7.82 still sent it to another port or from
	 * https to http (CVE-2022-27776), and older ones to any host. */
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
		curl_easy_setopt(x->h, CURLOPT_OPENSOCKETFUNCTION, iso_curl_open_socket) == CURLE_OK &&
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
		return iso_xfer_fail(x, err, "libcurl refused an option");
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
		return iso_xfer_fail(x, err, "unauthorized%s%s%s", detail, from, x->used_creds ? "" :
				 "; the repository may not exist, or may need credentials "
				 "(--creds USER:PASSWORD or an auth file)");
	case 403:
		return iso_xfer_fail(x, err, "denied%s%s", detail, from);
	case 404:
		return iso_xfer_fail(x, err, "%s unknown%s%s", x->blob ? "blob" : "manifest", detail,
				 from);
	default:
		return iso_xfer_fail(x, err, "registry answered %ld%s%s%s%s", x->status,
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
		return iso_xfer_fail(x, err, "registry answered %ld %s without a Location", x->status,
				 iso_http_reason(x->status));
	if (++x->redirects > MAX_REDIRECTS)
		return iso_xfer_fail(x, err, "more than %d redirects", MAX_REDIRECTS);
	if (!url_hostport(loc, host, sizeof(host), &scheme))
		return iso_xfer_fail(x, err, "redirected to a URL that is not http(s)");
	if (!url_hostport(x->url, ep_host, sizeof(ep_host), &old_scheme))
		return iso_xfer_fail(x, err, "bad URL");
	insecure = !x->r->tls_verify || iso_regconf_is_insecure(&x->r->conf, host);
	if (strcmp(old_scheme, "https") == 0 && strcmp(scheme, "http") == 0 && !insecure)
		return iso_xfer_fail(x, err, "redirected from https to plain http at %s", host);
	/* the endpoint's own origin (scheme, host and port) keeps its
	 * Authorization and TLS settings; any other is a stranger */
	ep_url = xasprintf("%s://%s/", scheme_names[x->scheme], x->e->ep.host);
	if (!url_hostport(ep_url, ep_host, sizeof(ep_host), NULL))
		return iso_xfer_fail(x, err, "bad URL");
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
		return iso_xfer_fail(x, err, "unauthorized, without a WWW-Authenticate challenge");
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
		return iso_xfer_fail(x, err, "authentication required by %s (give --creds USER:PASSWORD "
				 "or log in to it in an auth file)", x->e->ep.host);
	{
		cleanup_free char *b64 = iso_creds_basic(creds);

		set_authz(x->e, xasprintf("Authorization: Basic %s", b64));
		explicit_bzero(b64, strlen(b64));
	}
	return 1;
}

int iso_xfer_done(struct xfer *x, CURLcode rc, struct iso_error *err)
{
	if (rc != CURLE_OK) {
		if (x->fail[0] != '\0')
			return iso_xfer_fail(x, err, "%s", x->fail);
		if (rc == CURLE_PARTIAL_FILE && x->blob) {
			curl_off_t cl = -1;

			curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
			return iso_xfer_fail(x, err, "truncated: got %llu of %lld bytes",
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
			return x->url ? 1 : iso_xfer_fail(x, err, "bad URL");
		}
		/* both schemes failed: say why each did, once if alike */
		if (x->https_error[0] != '\0' && x->https_rc != rc)
			return iso_xfer_fail(x, err, "https: %s; http: %s", x->https_error, why);
		return iso_xfer_fail(x, err, "%s", why);
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

void iso_xfer_free(struct xfer *x)
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

struct xfer *iso_xfer_new(struct iso_registry *r, struct endpoint *e, const char *kind,
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

int iso_curl_multi_error(CURLMcode mc, struct iso_error *err)
{
	return iso_error_set(err, 0, "libcurl: %s", curl_multi_strerror(mc));
}

/* alone on the multi handle, so that its connection is pooled for the
 * requests that follow */
int iso_xfer_run(struct xfer *x, struct iso_error *err)
{
	CURLM *m = x->r->multi;

	if (x->url == NULL)
		return iso_xfer_fail(x, err, "bad repository name or reference");
	for (;;) {
		CURLcode rc = CURLE_OK;
		bool finished = false;
		CURLMcode mc;
		int running, r;

		if (iso_xfer_arm(x, err) < 0)
			return -1;
		if ((mc = curl_multi_add_handle(m, x->h)) != CURLM_OK)
			return iso_curl_multi_error(mc, err);
		while (!finished) {
			CURLMsg *msg;
			int left;

			if ((mc = curl_multi_perform(m, &running)) != CURLM_OK)
				return iso_curl_multi_error(mc, err);
			while ((msg = curl_multi_info_read(m, &left)) != NULL)
				if (msg->msg == CURLMSG_DONE && msg->easy_handle == x->h) {
					rc = msg->data.result;
					finished = true;
				}
			if (!finished && (mc = curl_multi_poll(m, NULL, 0, 1000, NULL)) != CURLM_OK)
				return iso_curl_multi_error(mc, err);
		}
		curl_multi_remove_handle(m, x->h);
		r = iso_xfer_done(x, rc, err);
		if (r <= 0)
			return r;
	}
}
