#include "gc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagedb.h"
#include "rmtree.h"
#include "manifest.h"
#include "util.h"

struct live {
	char **blobs;     /* hex digests */
	char **layers;
};

static bool has(char *const *v, const char *hex)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], hex) == 0)
			return true;
	return false;
}

/* Marks a manifest, its config and its layers (blobs and unpacked). A
 * manifest that cannot be read keeps only itself: gc never guesses. */
static void mark_manifest(struct iso_store *s, const char *digest, struct live *l)
{
	cleanup_free char *body = NULL, *cbody = NULL;
	struct iso_manifest m;
	struct iso_image_config c;
	struct iso_error ignored;
	size_t len, clen;

	if (!iso_digest_valid(digest))
		return;
	strv_push(&l->blobs, iso_digest_hex(digest));
	if (iso_store_read_blob(s, digest, ISO_MANIFEST_MAX, &body, &len, &ignored) < 0 ||
	    iso_manifest_parse(body, len, NULL, digest, &m, &ignored) < 0)
		return;
	if (!m.is_index) {
		strv_push(&l->blobs, iso_digest_hex(m.config.digest));
		for (size_t i = 0; i < m.n_layers; i++)
			strv_push(&l->blobs, iso_digest_hex(m.layers[i].digest));
		if (iso_store_read_blob(s, m.config.digest, ISO_MANIFEST_MAX, &cbody, &clen,
					&ignored) == 0 &&
		    iso_image_config_parse(cbody, clen, digest, &c, &ignored) == 0) {
			for (size_t i = 0; i < c.n_diff_ids; i++)
				strv_push(&l->layers, iso_digest_hex(c.diff_ids[i]));
			iso_image_config_free(&c);
		}
	}
	iso_manifest_free(&m);
}

/* Removes what DIR (blobs/sha256, layers/sha256, containers) holds and
 * LIVE does not; on, past a failure, to report the first. */
static int sweep(struct iso_store *s, const char *dir, char *const *live, uint64_t *reclaimed,
		 struct iso_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", s->root, dir);
	DIR *d = opendir(path);
	struct dirent *e;
	int r = 0;

	if (d == NULL)
		return iso_error_set(err, errno, "open %s", path);
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *victim = NULL;
		struct iso_error this;

		if (e->d_name[0] == '.' || has(live, e->d_name))
			continue;
		victim = xasprintf("%s/%s", path, e->d_name);
		if (iso_rmtree(victim, reclaimed, &this) < 0 && r == 0) {
			*err = this;
			r = -1;
		}
	}
	closedir(d);
	return r;
}

int iso_store_gc_lock(struct iso_store *s, struct iso_error *err)
{
	return iso_store_lock(s, "gc", err);
}

int iso_store_gc(struct iso_store *s, char *const *in_use, char *const *running,
		 uint64_t *reclaimed, struct iso_error *err)
{
	struct live l = { xcalloc(1, sizeof(char *)), xcalloc(1, sizeof(char *)) };
	struct iso_image_list images = { 0 };
	struct iso_error ignored;
	int r = -1;

	*reclaimed = 0;
	if (iso_imagedb_list(s, &images, err) < 0)
		goto out;
	for (size_t i = 0; i < images.n; i++)
		mark_manifest(s, images.v[i].manifest, &l);
	for (size_t i = 0; in_use && in_use[i]; i++) {
		const char *space = strchr(in_use[i], ' ');

		if (space)
			mark_manifest(s, space + 1, &l);
	}
	r = sweep(s, "blobs/sha256", l.blobs, reclaimed, err);
	if (sweep(s, "layers/sha256", l.layers, reclaimed, r < 0 ? &ignored : err) < 0)
		r = -1;
	if (running && sweep(s, "containers", running, reclaimed, r < 0 ? &ignored : err) < 0)
		r = -1;
out:
	iso_image_list_free(&images);
	strv_free(l.blobs);
	strv_free(l.layers);
	return r;
}
