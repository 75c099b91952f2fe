/* Image references, by docker's rules (distribution/reference):
 *   busybox                 -> docker.io/library/busybox:latest
 *   user/app:1.0            -> docker.io/user/app:1.0
 *   localhost:5000/app      -> localhost:5000/app:latest
 *   host.tld/ns/app@sha256:.. (a digest, with or without a tag)
 * The first component is a registry when it has a '.' or a ':', or is
 * "localhost"; repository components are lowercase. */
#ifndef ISOLATE_IMAGE_REF_H
#define ISOLATE_IMAGE_REF_H

#include "error.h"

#define ISO_DEFAULT_REGISTRY "docker.io"

struct iso_imgref {
	char *domain;     /* "docker.io", "127.0.0.1:5000" */
	char *path;       /* "library/busybox" */
	char *tag;        /* "latest"; NULL when only a digest was given */
	char *digest;     /* "sha256:..." or NULL */
};

int iso_imgref_parse(const char *s, struct iso_imgref *ref, struct iso_error *err);
void iso_imgref_free(struct iso_imgref *ref);

/* "docker.io/library/busybox" */
char *iso_imgref_name(const struct iso_imgref *ref);
/* "docker.io/library/busybox:latest", "...@sha256:..", or both */
char *iso_imgref_string(const struct iso_imgref *ref);
/* As docker shows it: "busybox:latest", "user/app:1.0", "host:5000/app:1" */
char *iso_imgref_familiar(const struct iso_imgref *ref);
/* The tag or, without one, the digest: what a manifest is fetched by. */
const char *iso_imgref_reference(const struct iso_imgref *ref);

#endif
