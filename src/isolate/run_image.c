/* isolate run IMAGE: which positional names an image, the pull policy,
 * and the image's layers and config into the spec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "image/imagedb.h"
#include "image_cli.h"
#include "log.h"
#include "overlay.h"
#include "run_image.h"
#include "signals.h"
#include "util.h"

int cli_run_image_option(struct cli_run_image *ri, int opt, const char *arg,
			 struct iso_error *err)
{
	if (opt == CLI_OPT_PULL) {
		if (strcmp(arg, "missing") != 0 && strcmp(arg, "always") != 0 &&
		    strcmp(arg, "never") != 0)
			return iso_error_set(err, 0, "invalid --pull policy %s: expected missing, always or never",
					     arg);
		ri->pull = arg;
		return 0;
	}
	if (opt == CLI_OPT_ENTRYPOINT) {
		ri->entrypoint = arg;
		return 0;
	}
	return cli_pull_option(&ri->pull_flags, opt, arg, err);
}

/* Whether NAME is a command on the caller's PATH: a bare word that did
 * not pull may have been meant for the sandbox. */
static bool on_host_path(const char *name)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path ? path : "/usr/bin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *p = xasprintf("%s/%s", dir, name);

		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

static int find_image(struct cli_run_image *ri, struct iso_store *s, const char *name,
		      struct iso_image_rec *rec, struct iso_error *err)
{
	const char *policy = ri->pull ? ri->pull : "missing";
	bool found = false;

	if (strcmp(policy, "always") != 0 && iso_imagedb_lookup(s, name, rec, &found, err) < 0)
		return -1;
	if (found)
		return 0;
	if (strcmp(policy, "never") == 0)
		return iso_error_set(err, 0, "image %s is not in the store, and --pull never forbids pulling it",
				     name);
	if (cli_pull(s, name, &ri->pull_flags, rec, err) == 0)
		return 0;
	if (strpbrk(name, "/:@") == NULL && on_host_path(name))
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
			 " (for the host's %s in the host-root sandbox: isolate run -- %s)", name, name);
	return -1;
}

/* The trial mount's success is kept in the store, for this kernel: it
 * would cost every run a mount and the sync of its unmount. */
static char *probe_stamp(void)
{
	struct utsname u;

	return xasprintf("%s\n", uname(&u) == 0 ? u.release : "?");
}

static bool overlay_known_good(const struct iso_store *s)
{
	cleanup_free char *want = probe_stamp();
	cleanup_free char *have = NULL;
	size_t len;
	struct iso_error ignored;

	return read_file_at(s->fd, "overlay-ok", &have, &len, &ignored) == 0 &&
	       strcmp(have, want) == 0;
}

static void remember_overlay_good(const struct iso_store *s)
{
	cleanup_free char *stamp = probe_stamp();
	cleanup_free char *tmp = xasprintf("%s/overlay-ok.%d", s->root, (int)getpid());
	cleanup_free char *path = xasprintf("%s/overlay-ok", s->root);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	if (write_all(fd, stamp, strlen(stamp)) < 0 || rename(tmp, path) < 0)
		unlink(tmp);
}

static bool use_overlay(struct cli_run_image *ri)
{
	const char *hook = getenv("ISOLATE_TEST_NO_OVERLAY");
	struct iso_layer_writer probe;
	struct iso_error why;
	int r;

	if ((hook == NULL || strcmp(hook, "1") != 0) && overlay_known_good(&ri->store))
		return true;
	/* a directory of the store's tmp/, locked: the sweep leaves it be */
	if (iso_store_layer_begin(&ri->store, &probe, &why) == 0) {
		r = iso_overlay_probe(probe.tmp_path, &why);
		iso_store_layer_abort(&ri->store, &probe);
		if (r == 0) {
			remember_overlay_good(&ri->store);
			return true;
		}
	}
	iso_log(ISO_LOG_NOTE, "overlayfs cannot be used for the image store %s (%s): the container gets a copy of the image's files",
		ri->store.root, why.msg);
	return false;
}

/* The copy lands in the container's upper/ directory, which is then its
 * root as a --rootfs would be. */
static int fill_copy(void *ctx, const char *dir, struct iso_error *err)
{
	struct cli_run_image *ri = ctx;
	cleanup_free char *root = xasprintf("%s/upper", dir);
	cleanup_close int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return iso_error_set(err, errno, "open %s", root);
	return iso_image_flatten(&ri->store, &ri->image, fd, err);
}

static void use_copy(struct cli_run_image *ri, struct iso_spec *spec, struct iso_run_opts *opts)
{
	spec->root.path = xasprintf("%s/upper", spec->root.upper);
	opts->fill_root = fill_copy;
	opts->fill_ctx = ri;
}

int cli_run_image_prepare(struct cli_run_image *ri, const char *name, const char *id,
			  struct iso_spec *spec, struct iso_run_opts *opts, struct iso_error *err)
{
	struct iso_image_rec rec = { 0 };
	int r;

	if (spec->root.path != NULL)
		return iso_error_set(err, 0, "conflicting options: an image (%s) and --rootfs", name);
	if (cli_store_open(&ri->store, err) < 0)
		return -1;
	/* held until the container's state names the image (the gc waits) */
	ri->gc_lock = iso_store_lock_shared(&ri->store, "gc", err);
	if (ri->gc_lock < 0 || find_image(ri, &ri->store, name, &rec, err) < 0)
		return -1;
	r = iso_image_load(&ri->store, &rec, &ri->image, err);
	iso_image_rec_free(&rec);
	if (r < 0 || iso_image_unpack(&ri->store, &ri->image.manifest, &ri->image.config, NULL, NULL,
				      err) < 0)
		return -1;
	spec->root.upper = xasprintf("%s/containers/%s", ri->store.root, id);
	if (use_overlay(ri))
		spec->root.layers = strv_dup(ri->image.layers);
	else
		use_copy(ri, spec, opts);
	ri->record = xasprintf("%s %s", ri->image.rec.id, ri->image.rec.manifest);
	opts->image = ri->record;
	opts->image_lock = &ri->gc_lock;
	if (ri->image.config.stop_signal && ri->image.config.stop_signal[0]) {
		opts->stop_signal = iso_signal_parse(ri->image.config.stop_signal);
		if (opts->stop_signal < 0)
			return iso_error_set(err, 0, "image %s: unknown StopSignal %s", name,
					     ri->image.config.stop_signal);
	}
	return 0;
}

int cli_run_image_apply(struct cli_run_image *ri, char *const *args, struct iso_spec *spec,
			struct iso_error *err)
{
	struct iso_image_run run = { .args = args, .entrypoint = ri->entrypoint,
				     .cwd_set = ri->workdir_set };

	return iso_image_apply(&ri->image.config, &run, spec, err);
}

void cli_run_image_free(struct cli_run_image *ri)
{
	if (ri->gc_lock >= 0)
		close(ri->gc_lock);
	ri->gc_lock = -1;
	iso_image_free(&ri->image);
	if (ri->store.root)
		iso_store_close(&ri->store);
	free(ri->record);
	ri->record = NULL;
}
