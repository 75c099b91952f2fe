#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layer.h"
#include "log.h"
#include "util.h"

static int load_config(struct iso_store *s, const struct iso_manifest *m,
		       struct iso_image_config *c, struct iso_error *err)
{
	cleanup_free char *buf = NULL;
	cleanup_free char *what = xasprintf("config %s", m->config.digest);
	size_t len;

	if (iso_store_read_blob(s, m->config.digest, ISO_MANIFEST_MAX, &buf, &len, err) < 0 ||
	    iso_image_config_parse(buf, len, what, c, err) < 0)
		return -1;
	if (c->n_diff_ids != m->n_layers)
		return iso_error_set(err, 0, "image %s: the config lists %zu layers, the manifest %zu",
				     m->config.digest, c->n_diff_ids, m->n_layers);
	return 0;
}

int iso_image_load(struct iso_store *s, const struct iso_image_rec *rec, struct iso_image *img,
		   struct iso_error *err)
{
	cleanup_free char *body = NULL;
	cleanup_free char *what = xasprintf("manifest %s", rec->manifest);
	size_t len;

	memset(img, 0, sizeof(*img));
	img->rec = *rec;
	img->rec.refs = strv_dup(rec->refs);
	if (iso_store_read_blob(s, rec->manifest, ISO_MANIFEST_MAX, &body, &len, err) < 0 ||
	    iso_manifest_parse(body, len, NULL, what, &img->manifest, err) < 0)
		goto fail;
	if (img->manifest.is_index) {
		iso_error_set(err, 0, "image %s: its manifest %s is an index", rec->id, rec->manifest);
		goto fail;
	}
	if (load_config(s, &img->manifest, &img->config, err) < 0)
		goto fail;
	img->layers = xcalloc(img->config.n_diff_ids + 1, sizeof(char *));
	for (size_t i = 0; i < img->config.n_diff_ids; i++)
		img->layers[i] = iso_store_layer_path(s, img->config.diff_ids[i]);
	img->size = (uint64_t)img->manifest.config.size;
	for (size_t i = 0; i < img->manifest.n_layers; i++)
		img->size += (uint64_t)img->manifest.layers[i].size;
	return 0;
fail:
	iso_image_free(img);
	return -1;
}

void iso_image_free(struct iso_image *img)
{
	iso_image_rec_free(&img->rec);
	iso_manifest_free(&img->manifest);
	iso_image_config_free(&img->config);
	strv_free(img->layers);
	memset(img, 0, sizeof(*img));
}

struct pending {
	size_t index;                /* in the manifest */
	const char *diff_id;
	int lock;
	struct iso_layer_writer w;
	bool unpacked;
};

static int by_diff_id(const void *a, const void *b)
{
	return strcmp(((const struct pending *)a)->diff_id, ((const struct pending *)b)->diff_id);
}

/* Unpacks one layer blob into a fresh directory of the store's tmp/, if
 * its content is the diff_id it should be. */
static int unpack_one(struct iso_store *s, const char *blob, struct pending *p,
		      struct iso_error *err)
{
	struct iso_layer_opts opts = { .mode = ISO_LAYER_OVERLAY, .rootless = geteuid() != 0,
				       .userxattr = geteuid() != 0 };
	struct iso_layer_stats st;
	cleanup_close int fd = iso_store_open_blob(s, blob, err);
	iso_digest_t got;

	if (fd < 0 || iso_store_layer_begin(s, &p->w, err) < 0)
		return -1;
	p->unpacked = true;
	if (iso_layer_unpack(fd, p->w.dir_fd, &opts, got, &st, err) < 0)
		return iso_error_prefix(err, "layer %s", blob);
	if (strcmp(got, p->diff_id) != 0)
		return iso_error_set(err, 0, "layer %s: its content is %s, but the image config says %s",
				     blob, got, p->diff_id);
	/* without root, some of a layer cannot be made: say what */
	if (st.skipped_devices > 0)
		iso_log(ISO_LOG_NOTE, "layer %.19s: %llu device node(s) not made (no privilege to)",
			blob, (unsigned long long)st.skipped_devices);
	return 0;
}

/* The layers not in the store yet, each once (an image may repeat one,
 * such as the empty layer), sorted by diff_id: their locks are taken in
 * that order, so that two pulls sharing layers cannot wait on each other. */
static struct pending *missing_layers(struct iso_store *s, const struct iso_manifest *m,
				      const struct iso_image_config *c, size_t *n)
{
	struct pending *v = xcalloc(m->n_layers + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < m->n_layers; i++) {
		bool dup = false;

		for (size_t k = 0; k < *n; k++)
			dup = dup || strcmp(v[k].diff_id, c->diff_ids[i]) == 0;
		if (dup || iso_store_has_layer(s, c->diff_ids[i]))
			continue;
		v[*n] = (struct pending){ .index = i, .diff_id = c->diff_ids[i], .lock = -1,
					  .w = { .dir_fd = -1, .lock_fd = -1 } };
		(*n)++;
	}
	qsort(v, *n, sizeof(*v), by_diff_id);
	return v;
}

static void release(struct iso_store *s, struct pending *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].unpacked)
			iso_store_layer_abort(s, &v[i].w);
		if (v[i].lock >= 0)
			close(v[i].lock);
	}
	free(v);
}

int iso_image_unpack(struct iso_store *s, const struct iso_manifest *manifest,
		     const struct iso_image_config *config,
		     void (*note)(void *ctx, size_t index, const char *diff_id), void *ctx,
		     struct iso_error *err)
{
	struct pending *v;
	size_t n;
	bool any = false;

	/* the diff_ids are read by the layers' index */
	if (config->n_diff_ids != manifest->n_layers)
		return iso_error_set(err, 0, "image %s: the config lists %zu layers, the manifest %zu",
				     manifest->config.digest, config->n_diff_ids, manifest->n_layers);
	v = missing_layers(s, manifest, config, &n);
	for (size_t i = 0; i < n; i++) {
		char lock_name[16 + ISO_DIGEST_HEXLEN];

		snprintf(lock_name, sizeof(lock_name), "layer-%s", iso_digest_hex(v[i].diff_id));
		v[i].lock = iso_store_lock(s, lock_name, err);
		if (v[i].lock < 0)
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		/* another process may have unpacked it while this one waited */
		if (iso_store_has_layer(s, v[i].diff_id))
			continue;
		if (unpack_one(s, manifest->layers[v[i].index].digest, &v[i], err) < 0)
			goto fail;
		any = true;
	}
	/* once for them all: a per-layer sync costs the whole filesystem's
	 * unwritten data each time */
	if (any && iso_store_sync(s, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].unpacked)
			continue;
		v[i].unpacked = false;
		if (iso_store_layer_commit(s, &v[i].w, v[i].diff_id, err) < 0)
			goto fail;
		if (note)
			note(ctx, v[i].index, v[i].diff_id);
	}
	release(s, v, n);
	return 0;
fail:
	release(s, v, n);
	return -1;
}

int iso_image_flatten(struct iso_store *s, const struct iso_image *img, int dest_fd,
		      struct iso_error *err)
{
	struct iso_layer_opts opts = { .mode = ISO_LAYER_FLATTEN, .rootless = geteuid() != 0 };

	for (size_t i = 0; i < img->manifest.n_layers; i++) {
		const char *blob = img->manifest.layers[i].digest;
		cleanup_close int fd = iso_store_open_blob(s, blob, err);
		iso_digest_t got;

		if (fd < 0)
			return -1;
		if (iso_layer_unpack(fd, dest_fd, &opts, got, NULL, err) < 0)
			return iso_error_prefix(err, "layer %s", blob);
		if (strcmp(got, img->config.diff_ids[i]) != 0)
			return iso_error_set(err, 0, "layer %s: its content is %s, but the image config says %s",
					     blob, got, img->config.diff_ids[i]);
	}
	return 0;
}

int iso_image_commit(struct iso_store *s, const char *manifest_body, size_t manifest_len,
		     const struct iso_manifest *manifest, const struct iso_image_config *config,
		     const char *ref, iso_digest_t id, struct iso_error *err)
{
	iso_digest_t mdigest;

	if (config->n_diff_ids != manifest->n_layers)
		return iso_error_set(err, 0, "image %s: the config lists %zu layers, the manifest %zu",
				     manifest->config.digest, config->n_diff_ids, manifest->n_layers);
	if (!iso_store_has_blob(s, manifest->config.digest))
		return iso_error_set(err, 0, "image %s: its config blob is not in the store",
				     manifest->config.digest);
	for (size_t i = 0; i < manifest->n_layers; i++) {
		if (!iso_store_has_blob(s, manifest->layers[i].digest))
			return iso_error_set(err, 0, "image %s: layer blob %s is not in the store",
					     manifest->config.digest, manifest->layers[i].digest);
		if (!iso_store_has_layer(s, config->diff_ids[i]))
			return iso_error_set(err, 0, "image %s: layer %s is not unpacked",
					     manifest->config.digest, config->diff_ids[i]);
	}
	if (iso_store_put_blob(s, manifest_body, manifest_len, mdigest, err) < 0)
		return -1;
	strcpy(id, manifest->config.digest);
	return iso_imagedb_add(s, id, mdigest, ref, err);
}

static void set_args(struct iso_spec *spec, char *const *entrypoint, char *const *cmd)
{
	char **args = xcalloc(1, sizeof(char *));

	for (size_t i = 0; entrypoint && entrypoint[i]; i++)
		strv_push(&args, entrypoint[i]);
	for (size_t i = 0; cmd && cmd[i]; i++)
		strv_push(&args, cmd[i]);
	strv_free(spec->process.args);
	spec->process.args = args;
}

int iso_image_apply(const struct iso_image_config *c, const struct iso_image_run *run,
		    struct iso_spec *spec, struct iso_error *err)
{
	char *entry_override[2] = { (char *)run->entrypoint, NULL };
	char *const *entrypoint = c->entrypoint;
	char *const *cmd = c->cmd;
	char **env;

	/* docker: --entrypoint replaces the image's entrypoint and drops its
	 * Cmd; a command given replaces the Cmd */
	if (run->entrypoint != NULL) {
		entrypoint = run->entrypoint[0] ? entry_override : NULL;
		cmd = NULL;
	}
	if (run->args != NULL && run->args[0] != NULL)
		cmd = run->args;
	set_args(spec, entrypoint, cmd);
	if (spec->process.args[0] == NULL)
		return iso_error_set(err, 0, "no command specified: the image has no Entrypoint or Cmd, and none was given");
	env = xcalloc(1, sizeof(char *));
	for (size_t i = 0; c->env && c->env[i]; i++)
		strv_push(&env, c->env[i]);
	for (size_t i = 0; spec->process.env && spec->process.env[i]; i++)
		strv_push(&env, spec->process.env[i]);
	strv_free(spec->process.env);
	spec->process.env = env;
	if (!run->cwd_set && c->working_dir && c->working_dir[0]) {
		free(spec->process.cwd);
		spec->process.cwd = xstrdup(c->working_dir);
	}
	if (spec->process.user.spec == NULL && c->user && c->user[0])
		spec->process.user.spec = xstrdup(c->user);
	return 0;
}
