/* isolate pull: an image from a registry into the store.
 *
 * The manifest is fetched by tag or digest (an index resolved to the
 * platform's manifest), then the config and the layers not already stored
 * are downloaded, a few at a time, each checked against its digest as it
 * streams; the layers are unpacked once; the ref is recorded last, so
 * that an interrupted pull leaves no image and no unverified blob. */
#ifndef ISOLATE_IMAGE_PULL_H
#define ISOLATE_IMAGE_PULL_H

#include "imagedb.h"
#include "registry.h"
#include "store.h"

struct iso_pull_opts {
	struct iso_registry_opts registry;
	const char *platform;            /* "os/arch[/variant]"; NULL: this machine's */
	/* told which blobs the download will be about, then of each one's
	 * progress (ctx first), and of each layer unpacked */
	void (*begin)(void *ctx, const struct iso_blob_req *reqs, size_t n);
	iso_progress_fn progress;
	void (*unpacked)(void *ctx, size_t index, const char *diff_id);
	void *ctx;
};

struct iso_pull_result {
	iso_digest_t id;                 /* the image id (config digest) */
	iso_digest_t digest;             /* the manifest digest the ref named */
	char *ref;                       /* the full ref recorded */
	unsigned downloaded;             /* blobs that had to be fetched */
};

int iso_pull(struct iso_store *s, const char *name, const struct iso_pull_opts *o,
	     struct iso_pull_result *res, struct iso_error *err);
void iso_pull_result_free(struct iso_pull_result *res);

#endif
