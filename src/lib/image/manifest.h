/* Manifests, indexes and image configs (OCI image spec 1.1, and docker's
 * schema2 manifests and manifest lists, which have the same shape), read
 * with jansson.  Parsing checks what isolate relies on (digests, sizes,
 * media types) and names the document and field of anything wrong. */
#ifndef ISOLATE_IMAGE_MANIFEST_H
#define ISOLATE_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"

#define ISO_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define ISO_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define ISO_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define ISO_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define ISO_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define ISO_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define ISO_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define ISO_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define ISO_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* Manifests and configs are small; a larger document is refused. */
#define ISO_MANIFEST_MAX (4u << 20)

struct iso_platform {
	char *os, *architecture, *variant;
};

struct iso_descriptor {
	char *media_type;
	iso_digest_t digest;
	int64_t size;
	struct iso_platform platform;   /* entries of an index */
};

struct iso_manifest {
	bool is_index;
	char *media_type;
	struct iso_descriptor config;   /* image manifests */
	struct iso_descriptor *layers;
	size_t n_layers;
	struct iso_descriptor *manifests; /* indexes */
	size_t n_manifests;
};

/* MEDIA_TYPE: what the registry or the layout said (may be NULL); the
 * body's own mediaType wins when both are there and they agree, and a
 * disagreement is an error.  WHAT names the document in messages. */
int iso_manifest_parse(const char *buf, size_t len, const char *media_type, const char *what,
		       struct iso_manifest *m, struct iso_error *err);
void iso_manifest_free(struct iso_manifest *m);

/* "os/arch[/variant]"; NULL is this machine's platform. */
int iso_platform_parse(const char *s, struct iso_platform *p, struct iso_error *err);
void iso_platform_free(struct iso_platform *p);
/* The index entry for P (a missing variant matches any, as docker does,
 * preferring an exact match); an error lists what the index offers. */
int iso_manifest_pick(const struct iso_manifest *index, const struct iso_platform *p,
		      const char *what, size_t *out, struct iso_error *err);

struct iso_image_config {
	char *architecture, *os, *variant, *created, *author;
	char **env, **entrypoint, **cmd, **exposed_ports, **volumes;
	char *working_dir, *user, *stop_signal;
	bool has_entrypoint, has_cmd;
	char **diff_ids;
	size_t n_diff_ids;
};

int iso_image_config_parse(const char *buf, size_t len, const char *what,
			   struct iso_image_config *c, struct iso_error *err);
void iso_image_config_free(struct iso_image_config *c);

#endif
