/* The registries config: where an image is pulled from before its own
 * registry is asked (mirrors), and which registries may be spoken to
 * without verified TLS (insecure).  A small JSON file:
 *
 *   {"mirrors": {"docker.io": ["https://mirror.example:5000",
 *                              "http://127.0.0.1:5000"]},
 *    "insecure": ["registry.lan:5000", "10.0.0.0/8"]}
 *
 * Root reads /etc/isolate/registries.json, others
 * $XDG_CONFIG_HOME/isolate/registries.json (~/.config/...); a missing
 * default file is an empty config.  As docker does, loopback registries
 * (localhost, 127.0.0.0/8, ::1) are insecure without being listed. */
#ifndef ISOLATE_IMAGE_REGCONF_H
#define ISOLATE_IMAGE_REGCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Docker Hub's names (docker.io, index.docker.io, registry-1.docker.io)
 * are one registry; its API answers at ISO_DOCKER_HUB_API. */
#define ISO_DOCKER_HUB_API "registry-1.docker.io"

struct iso_regmirrors {
	char *registry;         /* canonical: "docker.io", "quay.io", "host:5000" */
	char **urls;            /* as written, in order */
};

struct iso_regconf {
	char *path;             /* the file read; NULL when there was none */
	struct iso_regmirrors *mirrors;
	size_t n_mirrors;
	char **insecure;        /* "host", "host:port" or a CIDR */
};

/* One place to send a repository's requests to, tried in order. */
struct iso_endpoint {
	char *host;             /* "registry-1.docker.io", "127.0.0.1:5000", "[::1]:5000" */
	bool https, http;       /* schemes to try, https first */
	bool verify;            /* verify the https certificate and name */
	bool mirror;
};

/* The default path for this user (see above); NULL without a home. */
char *iso_regconf_default_path(void);

/* Reads PATH, or the default path when PATH is NULL (its absence is then
 * an empty config).  Errors name the file, with line:column for bad JSON. */
int iso_regconf_load(struct iso_regconf *c, const char *path, struct iso_error *err);
/* As iso_regconf_load, from text; SOURCE names it in messages. */
int iso_regconf_parse(struct iso_regconf *c, const char *text, size_t len, const char *source,
		      struct iso_error *err);
void iso_regconf_free(struct iso_regconf *c);

/* "index.docker.io" and "registry-1.docker.io" -> "docker.io"; other
 * hosts lowercased.  The key of mirrors and auth entries. */
char *iso_registry_canonical(const char *host);

/* "host[:port]" or "[v6]:port" well formed (no scheme, path or user). */
bool iso_host_valid(const char *host);
/* True for localhost, 127.0.0.0/8 and ::1, with or without a port. */
bool iso_host_is_loopback(const char *host);
/* Listed in "insecure" (by host:port, by host alone for any port, or by
 * a CIDR holding its address), or loopback. */
bool iso_regconf_is_insecure(const struct iso_regconf *c, const char *host);

/* The endpoints of registry DOMAIN: its mirrors in order, then the
 * registry itself (docker.io at ISO_DOCKER_HUB_API).  A mirror written
 * with a scheme keeps it; any other endpoint speaks https, with http as
 * a fallback and no certificate check when it is insecure or when
 * TLS_VERIFY is false. */
int iso_regconf_endpoints(const struct iso_regconf *c, const char *domain, bool tls_verify,
			  struct iso_endpoint **out, size_t *n, struct iso_error *err);
void iso_endpoints_free(struct iso_endpoint *e, size_t n);

/* "SCHEME://HOST/v2/NAME/KIND/REFERENCE" (KIND "manifests" or "blobs");
 * NULL when NAME or REFERENCE holds a character a URL path would need
 * escaped (references are checked when parsed; this is the last guard). */
char *iso_registry_url(const char *scheme, const char *host, const char *name, const char *kind,
		       const char *reference);

#endif
