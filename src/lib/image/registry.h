/* The OCI distribution API client (libcurl): manifests by tag or digest
 * and blobs streamed into the store, verified as they arrive.
 *
 * One iso_registry is one repository on one registry, reached through
 * its endpoints (regconf.h): mirrors first, then the registry itself.
 * Authentication follows the 401's challenge: a bearer token from the
 * realm (anonymous, or with the credentials of --creds or an auth
 * file), or basic auth; the token is kept for the repository's later
 * requests.  Nothing is sent anywhere but to the endpoints, the token
 * realm they name, and where they redirect a request to. */
#ifndef ISOLATE_IMAGE_REGISTRY_H
#define ISOLATE_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"
#include "ref.h"
#include "store.h"

/* Blobs downloaded at once by iso_registry_fetch_blobs. */
#define ISO_REGISTRY_PARALLEL 3

struct iso_registry_opts {
	bool tls_verify;          /* false: any registry may be insecure */
	const char *creds;        /* "user:pass" (--creds) or NULL */
	const char *authfile;     /* searched first; NULL: only the usual places (auth.h) */
	const char *config;       /* registries config path; NULL: the default */
	const char *user_agent;   /* NULL: "isolate/VERSION" */
};

struct iso_registry;

/* Prepares requests for REF's repository: reads the registries config
 * and checks --creds; nothing is sent yet.  OPTS may be NULL (verify
 * TLS, no credentials, defaults). */
int iso_registry_open(struct iso_registry **out, const struct iso_imgref *ref,
		      const struct iso_registry_opts *opts, struct iso_error *err);
void iso_registry_free(struct iso_registry *r);

/* The endpoint that answered the last manifest request ("host:port"),
 * the one blobs are fetched from: the first endpoint before any. */
const char *iso_registry_endpoint(const struct iso_registry *r);

/* GET /v2/NAME/manifests/REFERENCE, accepting OCI manifests and indexes
 * and docker schema2 manifests and lists, from each endpoint in turn
 * until one answers.  Returns the body (at most MAX bytes, NUL-ended),
 * its media type (Content-Type without parameters; if that is absent or
 * generic, the body's "mediaType"; NULL when neither says) and its
 * sha256.  When REFERENCE is a digest, a body of another digest is an
 * error naming both. */
int iso_registry_get_manifest(struct iso_registry *r, const char *reference, size_t max,
			      char **body, size_t *len, char **media_type, iso_digest_t digest,
			      struct iso_error *err);

struct iso_blob_req {
	const char *digest;
	int64_t size;             /* -1: unknown */
};

enum iso_progress_event {
	ISO_PROGRESS_EXISTS,      /* in the store already: not downloaded */
	ISO_PROGRESS_START,       /* download begins; TOTAL is its size or 0 */
	ISO_PROGRESS_BYTES,       /* DONE of TOTAL bytes arrived */
	ISO_PROGRESS_DONE,        /* verified and stored */
	ISO_PROGRESS_FAILED,      /* the blob that failed the fetch */
};

/* INDEX is the request's position in REQS. */
typedef void (*iso_progress_fn)(void *ctx, size_t index, enum iso_progress_event ev,
				uint64_t done, uint64_t total);

/* Downloads the blobs of REQS not already in S, ISO_REGISTRY_PARALLEL at
 * a time from the endpoint of the last manifest, each hashed and
 * size-checked as it streams into a store writer and committed only when
 * both match.  A mismatch, a short body or an HTTP error fails the
 * fetch with the blob's digest in the message, stops the other
 * downloads and leaves none of them in the store (blobs committed
 * before stay: they are whole and verified).  FN may be NULL. */
int iso_registry_fetch_blobs(struct iso_registry *r, struct iso_store *s,
			     const struct iso_blob_req *reqs, size_t n, iso_progress_fn fn,
			     void *ctx, struct iso_error *err);

#endif
