/* The registry client's insides, shared by registry.c (the API: manifests
 * and the blob scheduler) and registry_http.c (one request). */
#ifndef ISOLATE_IMAGE_REGISTRY_INT_H
#define ISOLATE_IMAGE_REGISTRY_INT_H

#include <curl/curl.h>

#include "auth.h"
#include "regconf.h"
#include "registry.h"

/* blobs are read from libcurl and written to the store this much at a time */
#define BLOB_BUFFER (256L << 10)

struct endpoint {
	struct iso_endpoint ep;
	int scheme;               /* 0 https, 1 http, once one answered; -1 before */
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

/* X for REFERENCE ("manifests" or "blobs" KIND) at endpoint E; WHAT
 * (taken) starts its messages.  x->url is NULL when the name or
 * reference cannot make a URL. */
struct xfer *iso_xfer_new(struct iso_registry *r, struct endpoint *e, const char *kind,
			  const char *reference, char *what);
/* Removes X from the multi handle, drops its unfinished blob file. */
void iso_xfer_free(struct xfer *x);
/* Sets the handle up for the next attempt at x->url. */
int iso_xfer_arm(struct xfer *x, struct iso_error *err);
/* After an attempt: 0 the answer is a 200, 1 try again (x->url may have
 * changed: a redirect, http after https, new credentials), -1 failed. */
int iso_xfer_done(struct xfer *x, CURLcode rc, struct iso_error *err);
/* Runs X alone until it has a 200 or has failed. */
int iso_xfer_run(struct xfer *x, struct iso_error *err);
/* Writes what the blob buffer holds; -1 with x->fail set. */
int iso_xfer_flush(struct xfer *x);
/* "WHAT: <fmt>"; returns -1. */
int iso_xfer_fail(struct xfer *x, struct iso_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int iso_curl_multi_error(CURLMcode mc, struct iso_error *err);

#endif
