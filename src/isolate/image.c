/* isolate pull, images, rmi, image prune|inspect|ls|rm|pull. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "image/ref.h"
#include "image_cli.h"
#include "log.h"
#include "image/gc.h"
#include "image/inuse.h"
#include "progress.h"
#include "util.h"

const char *cli_storage_root;

int cli_store_open(struct iso_store *s, struct iso_error *err)
{
	cleanup_free char *root = cli_storage_root ? xstrdup(cli_storage_root)
						   : iso_store_default_root();

	return iso_store_open(s, root, err);
}

int cli_pull_option(struct cli_pull_flags *f, int opt, const char *arg, struct iso_error *err)
{
	switch (opt) {
	case CLI_OPT_PLATFORM: f->platform = arg; return 0;
	case CLI_OPT_CREDS: f->creds = arg; return 0;
	case CLI_OPT_AUTHFILE: f->authfile = arg; return 0;
	case CLI_OPT_REGISTRIES_CONF: f->registries_conf = arg; return 0;
	case CLI_OPT_TLS_VERIFY:
		if (arg == NULL || strcmp(arg, "true") == 0)
			f->tls_verify = true;
		else if (strcmp(arg, "false") == 0)
			f->tls_verify = false;
		else
			return iso_error_set(err, 0, "invalid --tls-verify value %s: expected true or false", arg);
		return 0;
	}
	return iso_error_set(err, 0, "internal error: pull option %d", opt);
}

struct pull_display {
	struct cli_progress *progress;
	bool quiet;
};

static void pull_begin(void *ctx, const struct iso_blob_req *reqs, size_t n)
{
	struct pull_display *d = ctx;

	if (!d->quiet)
		d->progress = cli_progress_new(reqs, n);
}

static void pull_progress(void *ctx, size_t index, enum iso_progress_event ev, uint64_t done,
			  uint64_t total)
{
	struct pull_display *d = ctx;

	if (d->progress)
		cli_progress_event(d->progress, index, ev, done, total);
}

int cli_pull(struct iso_store *s, const char *name, const struct cli_pull_flags *f,
	     struct iso_image_rec *rec, struct iso_error *err)
{
	struct pull_display d = { .quiet = f->quiet };
	struct iso_pull_opts o = {
		.registry = { .tls_verify = f->tls_verify, .creds = f->creds,
			      .authfile = f->authfile, .config = f->registries_conf },
		.platform = f->platform, .begin = pull_begin, .progress = pull_progress, .ctx = &d,
	};
	struct iso_pull_result res;
	bool found;
	int r;

	r = iso_pull(s, name, &o, &res, err);
	cli_progress_free(d.progress);
	if (r < 0)
		return -1;
	if (!f->quiet) {
		fprintf(stderr, "Digest: %s\n", res.digest);
		fprintf(stderr, "Status: %s for %s\n",
			res.downloaded ? "Downloaded newer image" : "Image is up to date", res.ref);
	}
	r = iso_imagedb_lookup(s, res.id, rec, &found, err);
	if (r == 0 && !found)
		r = iso_error_set(err, 0, "image %s vanished from the store during the pull", res.id);
	iso_pull_result_free(&res);
	return r;
}

/* ---- isolate pull ---- */

static const char pull_usage[] = "Usage: isolate pull [OPTIONS] NAME[:TAG|@DIGEST]";
static const char pull_help[] =
	"Usage: isolate pull [OPTIONS] NAME[:TAG|@DIGEST]\n"
	"\n"
	"Download an image from a registry into the store.\n"
	"\n"
	"      --platform OS/ARCH[/VARIANT]  Platform to pick from an index (default: this machine's)\n"
	"      --tls-verify=false     Allow plain HTTP and unverified TLS for this registry\n"
	"      --creds USER:PASS      Credentials for the registry\n"
	"      --authfile FILE        docker config.json with credentials\n"
	"      --registries-conf FILE Mirrors and insecure registries (JSON)\n"
	"  -q, --quiet                No progress output\n"
	"      --help                 Print this help\n";

#define PULL_LONG_OPTIONS \
	{ "platform", required_argument, NULL, CLI_OPT_PLATFORM }, \
	{ "tls-verify", optional_argument, NULL, CLI_OPT_TLS_VERIFY }, \
	{ "creds", required_argument, NULL, CLI_OPT_CREDS }, \
	{ "authfile", required_argument, NULL, CLI_OPT_AUTHFILE }, \
	{ "registries-conf", required_argument, NULL, CLI_OPT_REGISTRIES_CONF }

int cmd_pull(int argc, char **argv)
{
	static const struct option opts[] = {
		PULL_LONG_OPTIONS,
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_pull_flags f = { .tls_verify = true };
	struct iso_image_rec rec = { 0 };
	struct iso_store s = { .fd = -1 };
	struct iso_error err;
	int opt, status = ISO_EXIT_RUNTIME;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:q", opts, NULL)) != -1) {
		if (opt == 'H') {
			fputs(pull_help, stdout);
			return 0;
		}
		if (opt == '?' || opt == ':')
			return cli_usage_error(pull_usage, "isolate pull", "%s: %s",
					       opt == '?' ? "unknown flag" : "flag needs an argument",
					       argv[optind - 1]);
		if (opt == 'q')
			f.quiet = true;
		else if (cli_pull_option(&f, opt, optarg, &err) < 0)
			goto fail;
	}
	if (argc - optind != 1)
		return cli_usage_error(pull_usage, "isolate pull", "expected one image name");
	if (cli_store_open(&s, &err) < 0 || cli_pull(&s, argv[optind], &f, &rec, &err) < 0)
		goto fail;
	printf("%s\n", rec.refs && rec.refs[0] ? argv[optind] : rec.id);
	status = 0;
	goto out;
fail:
	cli_print_error(&err);
out:
	iso_image_rec_free(&rec);
	iso_store_close(&s);
	return status;
}

/* ---- isolate images ---- */

/* "docker.io/library/busybox:latest" -> "busybox" and "latest" */
static void split_ref(const char *full, char **repo, char **tag)
{
	struct iso_imgref ref;
	struct iso_error ignored;

	*repo = *tag = NULL;
	if (iso_imgref_parse(full, &ref, &ignored) < 0) {
		*repo = xstrdup(full);
		*tag = xstrdup("<none>");
		return;
	}
	free(ref.digest);
	ref.digest = NULL;
	*tag = xstrdup(ref.tag ? ref.tag : "<none>");
	free(ref.tag);
	ref.tag = NULL;
	*repo = iso_imgref_familiar(&ref);
	iso_imgref_free(&ref);
}

static char *human_size(uint64_t n)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	return u == 0 ? xasprintf("%lluB", (unsigned long long)n)
		      : xasprintf("%.3g%s", v, units[u]);
}

static char *human_age(const char *created)
{
	struct tm tm = { 0 };
	time_t t, now = time(NULL);
	long long d;

	if (created == NULL || strptime(created, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return xstrdup("N/A");
	t = timegm(&tm);
	d = (long long)(now - t);
	if (d < 60)
		return xstrdup("Less than a minute ago");
	if (d < 3600)
		return xasprintf("%lld minutes ago", d / 60);
	if (d < 172800)
		return xasprintf("%lld hours ago", d / 3600);
	if (d < 1209600)
		return xasprintf("%lld days ago", d / 86400);
	if (d < 5259600)
		return xasprintf("%lld weeks ago", d / 604800);
	if (d < 63115200)
		return xasprintf("%lld months ago", d / 2629800);
	return xasprintf("%lld years ago", d / 31557600);
}

static void image_row(json_t *rows, const struct iso_image *img, const char *full)
{
	cleanup_free char *repo = NULL, *tag = NULL;

	if (full)
		split_ref(full, &repo, &tag);
	json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}",
		"Repository", repo ? repo : "<none>", "Tag", tag ? tag : "<none>",
		"Id", img->rec.id, "Digest", img->rec.manifest,
		"Created", img->config.created ? img->config.created : "",
		"Size", (json_int_t)img->size));
}

static void print_table(json_t *rows, bool quiet)
{
	size_t i;
	json_t *r;

	if (!quiet)
		printf("%-40s %-16s %-14s %-20s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
		       "SIZE");
	json_array_foreach(rows, i, r) {
		const char *id = json_string_value(json_object_get(r, "Id"));
		cleanup_free char *age = human_age(json_string_value(json_object_get(r, "Created")));
		cleanup_free char *size = human_size((uint64_t)json_integer_value(json_object_get(r, "Size")));

		if (quiet) {
			printf("%.12s\n", iso_digest_hex(id));
			continue;
		}
		printf("%-40s %-16s %-14.12s %-20s %s\n",
		       json_string_value(json_object_get(r, "Repository")),
		       json_string_value(json_object_get(r, "Tag")), iso_digest_hex(id), age, size);
	}
}

/* A broken image (a blob gone or corrupt) is said, and the rest listed. */
static int list_images(struct iso_store *s, bool json, bool quiet, struct iso_error *err)
{
	cleanup_close int gc = iso_store_lock_shared(s, "gc", err);
	struct iso_image_list list;
	json_t *rows;

	if (gc < 0 || iso_imagedb_list(s, &list, err) < 0)
		return -1;
	rows = json_array();
	for (size_t i = 0; i < list.n; i++) {
		struct iso_image img;
		struct iso_error why;

		if (iso_image_load(s, &list.v[i], &img, &why) < 0) {
			iso_log(ISO_LOG_WARN, "image %.19s: %s", list.v[i].id, why.msg);
			continue;
		}
		if (list.v[i].refs[0] == NULL)
			image_row(rows, &img, NULL);
		for (size_t k = 0; list.v[i].refs[k]; k++)
			image_row(rows, &img, list.v[i].refs[k]);
		iso_image_free(&img);
	}
	if (json) {
		char *text = json_dumps(rows, JSON_INDENT(2));

		puts(text);
		free(text);
	} else {
		print_table(rows, quiet);
	}
	json_decref(rows);
	iso_image_list_free(&list);
	return 0;
}

static const char images_usage[] = "Usage: isolate images [--format table|json] [-q]";

int cmd_images(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_store s = { .fd = -1 };
	struct iso_error err;
	bool json = false, quiet = false;
	int opt, status = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:q", opts, NULL)) != -1) {
		if (opt == 'H') {
			printf("%s\n\nList the images in the store.\n\n"
			       "      --format FORMAT   table (default) or json\n"
			       "  -q, --quiet           Only the image ids\n", images_usage);
			return 0;
		}
		if (opt == 'q')
			quiet = true;
		else if (opt == 'f' && strcmp(optarg, "json") == 0)
			json = true;
		else if (opt != 'f' || strcmp(optarg, "table") != 0)
			return cli_usage_error(images_usage, "isolate images", "%s: %s",
					       opt == 'f' ? "unknown format" : "unknown flag",
					       opt == 'f' ? optarg : argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error(images_usage, "isolate images", "unexpected argument %s",
				       argv[optind]);
	if (cli_store_open(&s, &err) < 0 || list_images(&s, json, quiet, &err) < 0) {
		cli_print_error(&err);
		status = ISO_EXIT_RUNTIME;
	}
	iso_store_close(&s);
	return status;
}
