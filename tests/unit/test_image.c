/* image/image.h and image/gc.h: docker's rules for an image's config and
 * the user's flags (iso_image_apply); an image's layers unpacked from its
 * stored blobs and the image recorded (iso_image_unpack, _commit, _load);
 * and the store's gc once an image is forgotten.
 *
 * The store tests get a fresh store at T/store holding one image made
 * here: a gzip'd layer (etc/, etc/hello) written with libarchive, its
 * config (the diff_id is the sha256 of the plain tar) and an OCI
 * manifest. */
#include "helpers.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>

#include "env.h"
#include "image/gc.h"
#include "image/image.h"
#include "spec.h"

#define ZERO "sha256:0000000000000000000000000000000000000000000000000000000000000000"

/* ---- iso_image_apply ---- */

#define strv(...) ((char *[]){ __VA_ARGS__, NULL })

struct applied {
	struct iso_spec *spec;
	struct iso_error err;
	int r;
};

/* CONFIG applied with RUN to a spec whose -e gave ENV (may be NULL). */
static struct applied apply(const struct iso_image_config *c, const struct iso_image_run *run,
			    char *const *env)
{
	struct applied a = { .spec = iso_spec_new() };

	a.spec->process.env = env ? strv_dup(env) : NULL;
	a.r = iso_image_apply(c, run, a.spec, &a.err);
	return a;
}

#define assert_args(spec, ...) check_strv(__FILE__, __LINE__, (spec)->process.args, \
					   (const char *[]){ __VA_ARGS__, NULL })

static void check_strv(const char *file, int line, char *const *got, const char *const *want)
{
	size_t i;

	_assert_true(got != NULL, "a list", file, line);
	for (i = 0; want[i]; i++) {
		if (got[i] == NULL)
			print_error("ends at %zu, expected \"%s\"\n", i, want[i]);
		_assert_true(got[i] != NULL, "long enough", file, line);
		_assert_string_equal(got[i], want[i], file, line);
	}
	if (got[i] != NULL)
		print_error("unexpected \"%s\" at %zu\n", got[i], i);
	_assert_true(got[i] == NULL, "no more", file, line);
}

#define assert_no_command(c, run) check_no_command(__FILE__, __LINE__, c, run)

static void check_no_command(const char *file, int line, const struct iso_image_config *c,
			     const struct iso_image_run *run)
{
	struct applied a = apply(c, run, NULL);

	_assert_int_equal(a.r, -1, file, line);
	_assert_string_equal(a.err.msg, "no command specified: the image has no Entrypoint or Cmd, "
					"and none was given", file, line);
	_assert_int_equal(a.err.status, ISO_EXIT_RUNTIME, file, line);
	iso_spec_free(a.spec);
}

static void image_entrypoint_and_cmd_together(void **state)
{
	struct iso_image_config c = { .entrypoint = strv("/ep", "-x"), .cmd = strv("c1", "c2"),
				      .has_entrypoint = true, .has_cmd = true };
	struct iso_image_run run = { 0 };
	struct applied a = apply(&c, &run, NULL);

	(void)state;
	assert_int_equal(a.r, 0);
	assert_args(a.spec, "/ep", "-x", "c1", "c2");
	iso_spec_free(a.spec);
}

/* docker run IMAGE ARGS: the args replace the Cmd, the Entrypoint stays. */
static void user_args_replace_cmd_only(void **state)
{
	struct iso_image_config c = { .entrypoint = strv("/ep", "-x"), .cmd = strv("c1", "c2") };
	struct iso_image_run run = { .args = strv("u1", "u2") };
	struct iso_image_config cmd_only = { .cmd = strv("sh") };
	struct iso_image_run empty_args = { .args = strv(NULL) };
	struct applied a = apply(&c, &run, NULL);
	struct applied b = apply(&cmd_only, &run, NULL);
	struct applied e = apply(&c, &empty_args, NULL);

	(void)state;
	assert_int_equal(a.r, 0);
	assert_args(a.spec, "/ep", "-x", "u1", "u2");
	assert_int_equal(b.r, 0);
	assert_args(b.spec, "u1", "u2");
	/* an empty command is no command: the image's Cmd stays */
	assert_int_equal(e.r, 0);
	assert_args(e.spec, "/ep", "-x", "c1", "c2");
	iso_spec_free(a.spec);
	iso_spec_free(b.spec);
	iso_spec_free(e.spec);
}

/* --entrypoint replaces the image's and drops its Cmd, with or without
 * args. */
static void entrypoint_flag_drops_the_image_cmd(void **state)
{
	struct iso_image_config c = { .entrypoint = strv("/ep"), .cmd = strv("c1") };
	struct iso_image_run bare = { .entrypoint = "/bin/sh" };
	struct iso_image_run with_args = { .entrypoint = "/bin/sh", .args = strv("-c", "echo hi") };
	struct iso_image_config cmd_only = { .cmd = strv("c1") };
	struct applied a = apply(&c, &bare, NULL);
	struct applied b = apply(&c, &with_args, NULL);
	struct applied d = apply(&cmd_only, &bare, NULL);

	(void)state;
	assert_int_equal(a.r, 0);
	assert_args(a.spec, "/bin/sh");
	assert_int_equal(b.r, 0);
	assert_args(b.spec, "/bin/sh", "-c", "echo hi");
	assert_int_equal(d.r, 0);
	assert_args(d.spec, "/bin/sh");
	iso_spec_free(a.spec);
	iso_spec_free(b.spec);
	iso_spec_free(d.spec);
}

/* --entrypoint "" clears the entrypoint: the args alone are the command,
 * and without args there is none (the image's Cmd is dropped too). */
static void empty_entrypoint_flag_leaves_the_args(void **state)
{
	struct iso_image_config c = { .entrypoint = strv("/ep"), .cmd = strv("c1") };
	struct iso_image_run with_args = { .entrypoint = "", .args = strv("ls", "-l") };
	struct iso_image_run bare = { .entrypoint = "" };
	struct applied a = apply(&c, &with_args, NULL);

	(void)state;
	assert_int_equal(a.r, 0);
	assert_args(a.spec, "ls", "-l");
	iso_spec_free(a.spec);
	assert_no_command(&c, &bare);
}

static void no_command_at_all_is_an_error(void **state)
{
	struct iso_image_config none = { 0 };
	struct iso_image_config empty = { .entrypoint = strv(NULL), .cmd = strv(NULL),
					  .has_entrypoint = true, .has_cmd = true };
	struct iso_image_run run = { 0 };

	(void)state;
	assert_no_command(&none, &run);
	assert_no_command(&empty, &run);
}

/* The image's Env goes first so that -e, later in the list, wins once
 * the list becomes the process's environment (the last of a name wins). */
static void env_image_first_and_user_wins(void **state)
{
	struct iso_image_config c = { .cmd = strv("sh"),
				      .env = strv("PATH=/opt/bin:/bin", "A=image", "B=image") };
	struct iso_image_run run = { 0 };
	struct applied a = apply(&c, &run, strv("A=user", "C=user"));
	struct applied none = apply(&c, &run, NULL);
	cleanup_strv char **env = NULL;

	(void)state;
	assert_int_equal(a.r, 0);
	check_strv(__FILE__, __LINE__, a.spec->process.env,
		   (const char *[]){ "PATH=/opt/bin:/bin", "A=image", "B=image", "A=user", "C=user",
				     NULL });
	env = iso_env_build(a.spec->process.env, "h", "/root", false);
	assert_string_equal(iso_env_get(env, "A"), "user");
	assert_string_equal(iso_env_get(env, "B"), "image");
	assert_string_equal(iso_env_get(env, "C"), "user");
	/* the image's PATH replaces the default */
	assert_string_equal(iso_env_get(env, "PATH"), "/opt/bin:/bin");
	assert_int_equal(none.r, 0);
	check_strv(__FILE__, __LINE__, none.spec->process.env,
		   (const char *[]){ "PATH=/opt/bin:/bin", "A=image", "B=image", NULL });
	iso_spec_free(a.spec);
	iso_spec_free(none.spec);
}

static void working_dir_unless_w_was_given(void **state)
{
	struct iso_image_config c = { .cmd = strv("sh"), .working_dir = "/srv/app" };
	struct iso_image_config unset = { .cmd = strv("sh"), .working_dir = "" };
	struct iso_image_run plain = { 0 };
	struct iso_image_run w = { .cwd_set = true };
	struct applied a = apply(&c, &plain, NULL);
	struct applied b = apply(&c, &w, NULL);
	struct applied d = apply(&unset, &plain, NULL);

	(void)state;
	assert_string_equal(a.spec->process.cwd, "/srv/app");
	/* -w /: the spec's cwd, even when it is the default */
	assert_string_equal(b.spec->process.cwd, "/");
	assert_string_equal(d.spec->process.cwd, "/");
	iso_spec_free(a.spec);
	iso_spec_free(b.spec);
	iso_spec_free(d.spec);
}

static void user_unless_u_was_given(void **state)
{
	struct iso_image_config c = { .cmd = strv("sh"), .user = "nobody:nogroup" };
	struct iso_image_config unset = { .cmd = strv("sh"), .user = "" };
	struct iso_image_run run = { 0 };
	struct applied a = apply(&c, &run, NULL);
	struct applied d = apply(&unset, &run, NULL);
	struct iso_spec *u = iso_spec_new();
	struct iso_error err = { 0 };

	(void)state;
	assert_string_equal(a.spec->process.user.spec, "nobody:nogroup");
	assert_null(d.spec->process.user.spec);
	u->process.user.spec = xstrdup("0");
	assert_int_equal(iso_image_apply(&c, &run, u, &err), 0);
	assert_string_equal(u->process.user.spec, "0");
	iso_spec_free(a.spec);
	iso_spec_free(d.spec);
	iso_spec_free(u);
}

/* ---- an image in a store ---- */

struct img {
	struct tmpdir *t;
	struct iso_store s;
	iso_digest_t diff_id;     /* the plain tar's digest */
	iso_digest_t layer;       /* the gzip'd blob's */
	size_t layer_size;
	iso_digest_t config;
	size_t config_size;
	char *body;               /* the manifest */
	iso_digest_t mdigest;
	struct iso_manifest m;
	struct iso_image_config c;
};

/* The plain tar of etc/ and etc/hello, in memory; its length in *LEN. */
static char *layer_tar(size_t *len)
{
	size_t cap = 64 * 1024;
	char *buf = xcalloc(1, cap);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
	archive_entry_set_pathname(e, "etc");
	archive_entry_set_filetype(e, AE_IFDIR);
	archive_entry_set_perm(e, 0755);
	archive_entry_set_mtime(e, 1500000000, 0);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "etc/hello");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1500000000, 0);
	archive_entry_set_size(e, 3);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, "hi\n", 3), 3);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return buf;
}

/* DATA gzip'd (libarchive's raw format: the bytes as they are). */
static char *gzip(const char *data, size_t n, size_t *len)
{
	size_t cap = n + 4096;
	char *buf = xcalloc(1, cap);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, n), (la_ssize_t)n);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return buf;
}

/* Stores the config (claiming DIFF_ID) and makes the manifest. */
static void make_image(struct img *f, const char *diff_id)
{
	cleanup_free char *config = xasprintf(
		"{\"architecture\": \"amd64\", \"os\": \"linux\", "
		"\"config\": {\"Cmd\": [\"/bin/sh\"], \"Env\": [\"PATH=/bin\"]}, "
		"\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"%s\"]}}", diff_id);
	struct iso_error err = { 0 };

	iso_manifest_free(&f->m);
	iso_image_config_free(&f->c);
	free(f->body);
	f->config_size = strlen(config);
	assert_int_equal(iso_store_put_blob(&f->s, config, f->config_size, f->config, &err), 0);
	f->body = xasprintf("{\"schemaVersion\": 2, \"mediaType\": \"" ISO_MT_OCI_MANIFEST "\", "
			    "\"config\": {\"mediaType\": \"" ISO_MT_OCI_CONFIG "\", "
			    "\"digest\": \"%s\", \"size\": %zu}, "
			    "\"layers\": [{\"mediaType\": \"" ISO_MT_OCI_LAYER_GZIP "\", "
			    "\"digest\": \"%s\", \"size\": %zu}]}",
			    f->config, f->config_size, f->layer, f->layer_size);
	iso_digest_buf(f->body, strlen(f->body), f->mdigest);
	assert_int_equal(iso_manifest_parse(f->body, strlen(f->body), NULL, "manifest", &f->m, &err), 0);
	assert_int_equal(iso_image_config_parse(config, strlen(config), "config", &f->c, &err), 0);
}

static int img_teardown(void **state);

/* A setup that fails is not torn down by cmocka: it undoes itself. */
static int img_setup(void **state)
{
	struct img *f = xcalloc(1, sizeof(*f));
	struct iso_error err = { 0 };
	cleanup_free char *root = NULL;
	cleanup_free char *tar = NULL;
	cleanup_free char *gz = NULL;
	size_t tar_len = 0;

	if (tmpdir_setup((void **)&f->t) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	root = tmp_path(f->t, "store");
	if (iso_store_open(&f->s, root, &err) < 0)
		goto fail;
	tar = layer_tar(&tar_len);
	iso_digest_buf(tar, tar_len, f->diff_id);
	gz = gzip(tar, tar_len, &f->layer_size);
	if (iso_store_put_blob(&f->s, gz, f->layer_size, f->layer, &err) < 0)
		goto fail;
	make_image(f, f->diff_id);
	return 0;
fail:
	print_error("%s\n", err.msg);
	img_teardown(state);
	return -1;
}

static int img_teardown(void **state)
{
	struct img *f = *state;
	int r;

	if (f == NULL)
		return 0;
	iso_manifest_free(&f->m);
	iso_image_config_free(&f->c);
	free(f->body);
	if (f->s.root)
		iso_store_close(&f->s);
	r = tmpdir_teardown((void **)&f->t);
	free(f);
	return r;
}

static int count_entries(const struct img *f, const char *sub)
{
	cleanup_free char *path = xasprintf("%s/%s", f->s.root, sub);
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct notes {
	size_t n;
	size_t index;
	char diff_id[ISO_DIGEST_STRLEN + 1];
};

static void note(void *ctx, size_t index, const char *diff_id)
{
	struct notes *n = ctx;

	n->n++;
	n->index = index;
	snprintf(n->diff_id, sizeof(n->diff_id), "%s", diff_id);
}

static void unpack_and_commit(struct img *f, const char *ref)
{
	struct iso_error err = { 0 };
	iso_digest_t id;

	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, NULL, NULL, &err), 0);
	assert_int_equal(iso_image_commit(&f->s, f->body, strlen(f->body), &f->m, &f->c, ref, id,
					  &err), 0);
	assert_string_equal(id, f->config);
}

/* The layer is unpacked once, under its diff_id (not its blob's digest),
 * and the image is then found by its name, with its config and layers. */
static void unpack_commit_and_load(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	struct notes notes = { 0 };
	struct iso_image_rec rec;
	struct iso_image img;
	cleanup_free char *hello = NULL;
	cleanup_free char *data = NULL;
	cleanup_free char *lpath = NULL;
	iso_digest_t id;
	size_t len;
	bool found;

	assert_string_not_equal(f->layer, f->diff_id);
	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, note, &notes, &err), 0);
	assert_int_equal(notes.n, 1);
	assert_int_equal(notes.index, 0);
	assert_string_equal(notes.diff_id, f->diff_id);
	assert_true(iso_store_has_layer(&f->s, f->diff_id));
	assert_false(iso_store_has_layer(&f->s, f->layer));
	lpath = iso_store_layer_path(&f->s, f->diff_id);
	hello = xasprintf("%s/etc/hello", lpath);
	assert_int_equal(read_file_at(AT_FDCWD, hello, &data, &len, &err), 0);
	assert_string_equal(data, "hi\n");
	assert_int_equal(count_entries(f, "tmp"), 0);

	/* a second unpack finds it there */
	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, note, &notes, &err), 0);
	assert_int_equal(notes.n, 1);

	assert_int_equal(iso_image_commit(&f->s, f->body, strlen(f->body), &f->m, &f->c,
					  "docker.io/library/tiny:1", id, &err), 0);
	assert_string_equal(id, f->config);
	assert_true(iso_store_has_blob(&f->s, f->mdigest));
	assert_int_equal(iso_imagedb_lookup(&f->s, "tiny:1", &rec, &found, &err), 0);
	assert_true(found);
	assert_string_equal(rec.id, f->config);
	assert_string_equal(rec.manifest, f->mdigest);

	assert_int_equal(iso_image_load(&f->s, &rec, &img, &err), 0);
	iso_image_rec_free(&rec);
	assert_string_equal(img.rec.id, f->config);
	assert_string_equal(img.rec.refs[0], "docker.io/library/tiny:1");
	assert_int_equal(img.manifest.n_layers, 1);
	assert_string_equal(img.config.cmd[0], "/bin/sh");
	assert_string_equal(img.layers[0], lpath);
	assert_null(img.layers[1]);
	assert_int_equal(img.size, f->config_size + f->layer_size);
	iso_image_free(&img);
}

/* A layer whose content is not the diff_id its config claims is an
 * error, and nothing of it is kept. */
static void mismatching_diff_id_is_refused_and_leaves_nothing(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	struct notes notes = { 0 };
	cleanup_free char *want = NULL;

	make_image(f, ZERO);
	want = xasprintf("layer %s: its content is %s, but the image config says " ZERO, f->layer,
			 f->diff_id);
	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, note, &notes, &err), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
	assert_int_equal(notes.n, 0);
	assert_false(iso_store_has_layer(&f->s, ZERO));
	assert_false(iso_store_has_layer(&f->s, f->diff_id));
	assert_int_equal(count_entries(f, "layers/sha256"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void layer_blob_that_is_no_tar_leaves_nothing(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *want = NULL;

	assert_int_equal(iso_store_put_blob(&f->s, "not a tar at all", 16, f->layer, &err), 0);
	make_image(f, f->diff_id);
	want = xasprintf("layer %s: ", f->layer);
	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, NULL, NULL, &err), -1);
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
	assert_int_equal(count_entries(f, "layers/sha256"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

/* A config that lists fewer layers than the manifest is refused before
 * any is read (its diff_ids are looked up by the layers' index). */
static void layer_count_mismatch_is_refused(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	iso_digest_t id;
	char **ids = f->c.diff_ids;
	size_t n = f->c.n_diff_ids;

	f->c.diff_ids = strv(NULL);
	f->c.n_diff_ids = 0;
	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "the config lists 0 layers, the manifest 1"));
	assert_int_equal(iso_image_commit(&f->s, f->body, strlen(f->body), &f->m, &f->c, NULL, id,
					  &err), -1);
	assert_non_null(strstr(err.msg, "the config lists 0 layers, the manifest 1"));
	f->c.diff_ids = ids;
	f->c.n_diff_ids = n;
	assert_int_equal(count_entries(f, "layers/sha256"), 0);
}

#define assert_commit_refused(f, fragment) check_commit_refused(__FILE__, __LINE__, f, fragment)

static void check_commit_refused(const char *file, int line, struct img *f, const char *fragment)
{
	struct iso_error err = { 0 };
	struct iso_image_list l;
	iso_digest_t id;

	_assert_int_equal(iso_image_commit(&f->s, f->body, strlen(f->body), &f->m, &f->c,
					   "docker.io/library/tiny:1", id, &err), -1, file, line);
	if (strstr(err.msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
		_fail(file, line);
	}
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
	/* nothing recorded, and the manifest not stored */
	_assert_int_equal(iso_imagedb_list(&f->s, &l, &err), 0, file, line);
	_assert_int_equal(l.n, 0, file, line);
	iso_image_list_free(&l);
	_assert_true(!iso_store_has_blob(&f->s, f->mdigest), "no manifest blob", file, line);
}

/* An image is recorded only once all it needs is in the store. */
static void commit_needs_unpacked_layers_and_blobs(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *cpath = iso_store_blob_path(&f->s, f->config);
	cleanup_free char *lpath = iso_store_blob_path(&f->s, f->layer);

	cleanup_free char *want = NULL;

	assert_commit_refused(f, " is not unpacked");
	assert_int_equal(iso_image_unpack(&f->s, &f->m, &f->c, NULL, NULL, &err), 0);
	assert_int_equal(unlink(lpath), 0);
	want = xasprintf("image %s: layer blob %s is not in the store", f->config, f->layer);
	assert_commit_refused(f, want);
	assert_int_equal(unlink(cpath), 0);
	free(want);
	want = xasprintf("image %s: its config blob is not in the store", f->config);
	assert_commit_refused(f, want);
}

/* ---- gc ---- */

static int count_blobs(const struct img *f)
{
	return count_entries(f, "blobs/sha256");
}

static void gc_after_remove_frees_blobs_and_layers(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	uint64_t reclaimed = 99;

	unpack_and_commit(f, "docker.io/library/tiny:1");
	assert_int_equal(count_blobs(f), 3);
	assert_int_equal(iso_store_gc(&f->s, NULL, NULL, &reclaimed, &err), 0);
	assert_int_equal(reclaimed, 0);
	assert_int_equal(count_blobs(f), 3);
	assert_true(iso_store_has_layer(&f->s, f->diff_id));

	assert_int_equal(iso_imagedb_remove(&f->s, f->config, &err), 0);
	assert_int_equal(iso_store_gc(&f->s, NULL, NULL, &reclaimed, &err), 0);
	assert_int_equal(count_blobs(f), 0);
	assert_int_equal(count_entries(f, "layers/sha256"), 0);
	/* the three blobs and the layer's one file (etc/hello) */
	assert_int_equal(reclaimed, f->layer_size + f->config_size + strlen(f->body) + 3);
}

/* A running container's image ("ID MANIFEST") keeps what it needs even
 * after a forced rmi; other leftovers still go. */
static void gc_keeps_what_running_containers_use(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	iso_digest_t stray;
	uint64_t reclaimed = 0;
	cleanup_free char *record = NULL;

	unpack_and_commit(f, NULL);
	record = xasprintf("%s %s", f->config, f->mdigest);
	assert_int_equal(iso_store_put_blob(&f->s, "stray", 5, stray, &err), 0);
	assert_int_equal(iso_imagedb_remove(&f->s, f->config, &err), 0);
	assert_int_equal(iso_store_gc(&f->s, strv(record), NULL, &reclaimed, &err), 0);
	assert_int_equal(reclaimed, 5);
	assert_false(iso_store_has_blob(&f->s, stray));
	assert_true(iso_store_has_blob(&f->s, f->mdigest));
	assert_true(iso_store_has_blob(&f->s, f->config));
	assert_true(iso_store_has_blob(&f->s, f->layer));
	assert_true(iso_store_has_layer(&f->s, f->diff_id));
	/* a record without a manifest protects nothing, and is no error */
	assert_int_equal(iso_store_gc(&f->s, strv("garbage", record), NULL, &reclaimed, &err), 0);
	assert_int_equal(count_blobs(f), 3);
}

/* A manifest gc cannot read keeps only itself: the gc never guesses
 * what it referred to, and never fails on it. */
static void gc_with_a_corrupt_manifest_keeps_only_it(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *mpath = NULL;
	uint64_t reclaimed = 0;

	unpack_and_commit(f, "docker.io/library/tiny:1");
	mpath = iso_store_blob_path(&f->s, f->mdigest);
	write_file(mpath, "{}");
	assert_int_equal(iso_store_gc(&f->s, NULL, NULL, &reclaimed, &err), 0);
	assert_true(iso_store_has_blob(&f->s, f->mdigest));
	assert_false(iso_store_has_blob(&f->s, f->config));
	assert_false(iso_store_has_layer(&f->s, f->diff_id));
}

/* With the index unreadable, the gc cannot know what is needed: it
 * fails and removes nothing. */
static void gc_with_an_unreadable_index_removes_nothing(void **state)
{
	struct img *f = *state;
	struct iso_error err = { 0 };
	cleanup_free char *db = xasprintf("%s/images.json", f->s.root);
	uint64_t reclaimed = 99;

	unpack_and_commit(f, "docker.io/library/tiny:1");
	write_file(db, "{\"images\": {\n");
	assert_int_equal(iso_store_gc(&f->s, NULL, NULL, &reclaimed, &err), -1);
	assert_int_equal(strncmp(err.msg, db, strlen(db)), 0);
	assert_non_null(strstr(err.msg, "images.json:2:"));
	assert_int_equal(reclaimed, 0);
	assert_int_equal(count_blobs(f), 3);
	assert_true(iso_store_has_layer(&f->s, f->diff_id));
}

#define IMG_TEST(fn) cmocka_unit_test_setup_teardown(fn, img_setup, img_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(image_entrypoint_and_cmd_together),
		cmocka_unit_test(user_args_replace_cmd_only),
		cmocka_unit_test(entrypoint_flag_drops_the_image_cmd),
		cmocka_unit_test(empty_entrypoint_flag_leaves_the_args),
		cmocka_unit_test(no_command_at_all_is_an_error),
		cmocka_unit_test(env_image_first_and_user_wins),
		cmocka_unit_test(working_dir_unless_w_was_given),
		cmocka_unit_test(user_unless_u_was_given),
		IMG_TEST(unpack_commit_and_load),
		IMG_TEST(mismatching_diff_id_is_refused_and_leaves_nothing),
		IMG_TEST(layer_blob_that_is_no_tar_leaves_nothing),
		IMG_TEST(layer_count_mismatch_is_refused),
		IMG_TEST(commit_needs_unpacked_layers_and_blobs),
		IMG_TEST(gc_after_remove_frees_blobs_and_layers),
		IMG_TEST(gc_keeps_what_running_containers_use),
		IMG_TEST(gc_with_a_corrupt_manifest_keeps_only_it),
		IMG_TEST(gc_with_an_unreadable_index_removes_nothing),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
