/* isolate rmi, image prune, image inspect, and the `image` dispatcher. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image/gc.h"
#include "image/inuse.h"
#include "image/ref.h"
#include "image_cli.h"
#include "util.h"

/* The container using image ID, or NULL. */
static const char *user_of(char *const *records, char *const *ids, const char *id)
{
	size_t n = strlen(id);

	for (size_t i = 0; records && records[i]; i++)
		if (strncmp(records[i], id, n) == 0 && records[i][n] == ' ')
			return ids[i];
	return NULL;
}

/* Whether NAME was given as one of the image's refs (not its id). */
static char *named_ref(const char *name, const struct iso_image_rec *rec)
{
	struct iso_imgref ref;
	struct iso_error ignored;
	char *full;

	if (iso_imgref_parse(name, &ref, &ignored) < 0)
		return NULL;
	full = iso_imgref_string(&ref);
	iso_imgref_free(&ref);
	for (size_t i = 0; rec->refs[i]; i++)
		if (strcmp(rec->refs[i], full) == 0)
			return full;
	free(full);
	return NULL;
}

static int remove_image(struct iso_store *s, const char *name, bool force, char *const *records,
			char *const *ids, struct iso_error *err)
{
	struct iso_image_rec rec;
	cleanup_free char *ref = NULL;
	const char *user;
	size_t left;
	bool found;

	if (iso_imagedb_lookup(s, name, &rec, &found, err) < 0)
		return -1;
	if (!found)
		return iso_error_set_status(err, 1, 0, "no such image: %s", name);
	ref = named_ref(name, &rec);
	/* one of several names: only that name goes (docker's untag) */
	if (ref && strv_len(rec.refs) > 1) {
		iso_image_rec_free(&rec);
		if (iso_imagedb_untag(s, ref, &left, err) < 0)
			return -1;
		printf("Untagged: %s\n", ref);
		return 0;
	}
	/* docker: an id names the image under all its names at once */
	if (ref == NULL && strv_len(rec.refs) > 1 && !force) {
		iso_error_set_status(err, 1, 0, "unable to remove image %s: it has %zu names (remove them one by one, or use --force)",
				     name, strv_len(rec.refs));
		iso_image_rec_free(&rec);
		return -1;
	}
	user = user_of(records, ids, rec.id);
	if (user && !force) {
		iso_error_set_status(err, 1, 0, "unable to remove image %s (%.12s): it is in use by running container %s (--force removes it anyway)",
				     name, iso_digest_hex(rec.id), user);
		iso_image_rec_free(&rec);
		return -1;
	}
	if (iso_imagedb_remove(s, rec.id, err) < 0) {
		iso_image_rec_free(&rec);
		return -1;
	}
	for (size_t i = 0; rec.refs[i]; i++)
		printf("Untagged: %s\n", rec.refs[i]);
	printf("Deleted: %s\n", rec.id);
	iso_image_rec_free(&rec);
	return 0;
}

static const char rmi_usage[] = "Usage: isolate rmi [-f] IMAGE [IMAGE...]";

int cmd_rmi(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_store s = { .fd = -1 };
	struct iso_error err;
	cleanup_strv char **records = NULL, **ids = NULL;
	cleanup_close int gc = -1;
	bool force = false;
	uint64_t freed = 0;
	int opt, status = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (opt == 'H') {
			printf("%s\n\nRemove images: a name removes that name, and the image with its last\n"
			       "name; an id removes the image.  An image a running container uses is\n"
			       "kept unless -f is given.\n\n"
			       "  -f, --force   Remove it even if a running container uses it\n", rmi_usage);
			return 0;
		}
		if (opt != 'f')
			return cli_usage_error(rmi_usage, "isolate rmi", "unknown flag: %s",
					       argv[optind - 1]);
		force = true;
	}
	if (optind == argc)
		return cli_usage_error(rmi_usage, "isolate rmi", "expected at least one image");
	/* held from what is in use to the end of the collection: a run that
	 * chose the image has recorded it before this gets the lock */
	if (cli_store_open(&s, &err) < 0 || (gc = iso_store_gc_lock(&s, &err)) < 0 ||
	    iso_images_in_use(&records, &ids, &err) < 0) {
		cli_print_error(&err);
		iso_store_close(&s);
		return ISO_EXIT_RUNTIME;
	}
	for (int i = optind; i < argc; i++)
		if (remove_image(&s, argv[i], force, records, ids, &err) < 0) {
			cli_print_error(&err);
			status = err.status ? err.status : ISO_EXIT_RUNTIME;
		}
	if (iso_store_gc(&s, records, ids, &freed, &err) < 0) {
		cli_print_error(&err);
		status = ISO_EXIT_RUNTIME;
	}
	iso_store_close(&s);
	return status;
}

/* ---- isolate image prune ---- */

static int prune(struct iso_store *s, bool all, struct iso_error *err)
{
	cleanup_strv char **records = NULL, **ids = NULL;
	cleanup_close int gc = iso_store_gc_lock(s, err);
	struct iso_image_list list;
	uint64_t freed = 0;
	bool header = false;

	if (gc < 0 || iso_images_in_use(&records, &ids, err) < 0 ||
	    iso_imagedb_list(s, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++) {
		const struct iso_image_rec *r = &list.v[i];

		if ((!all && r->refs[0] != NULL) || user_of(records, ids, r->id))
			continue;
		if (iso_imagedb_remove(s, r->id, err) < 0) {
			iso_image_list_free(&list);
			return -1;
		}
		if (!header)
			printf("Deleted Images:\n");
		header = true;
		for (size_t k = 0; r->refs[k]; k++)
			printf("untagged: %s\n", r->refs[k]);
		printf("deleted: %s\n", r->id);
	}
	iso_image_list_free(&list);
	if (iso_store_gc(s, records, ids, &freed, err) < 0)
		return -1;
	printf("%sTotal reclaimed space: %.3gMB\n", header ? "\n" : "", (double)freed / 1e6);
	return 0;
}

static const char prune_usage[] = "Usage: isolate image prune [-a] [-f]";

static int cmd_prune(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_store s = { .fd = -1 };
	struct iso_error err;
	bool all = false;
	int opt, status = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+af", opts, NULL)) != -1) {
		if (opt == 'H') {
			printf("%s\n\nRemove images no running container uses: untagged ones, or with -a\n"
			       "all of them; then the blobs and layers no image needs.\n\n"
			       "  -a, --all     Every unused image, not only untagged ones\n"
			       "  -f, --force   Accepted for docker's sake (isolate does not ask)\n",
			       prune_usage);
			return 0;
		}
		if (opt == 'a')
			all = true;
		else if (opt != 'f')
			return cli_usage_error(prune_usage, "isolate image prune", "unknown flag: %s",
					       argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error(prune_usage, "isolate image prune", "unexpected argument %s",
				       argv[optind]);
	if (cli_store_open(&s, &err) < 0 || prune(&s, all, &err) < 0) {
		cli_print_error(&err);
		status = ISO_EXIT_RUNTIME;
	}
	iso_store_close(&s);
	return status;
}

/* ---- isolate image inspect ---- */

static json_t *inspect_one(struct iso_store *s, const char *name, struct iso_error *err)
{
	struct iso_image_rec rec;
	cleanup_free char *body = NULL;
	json_t *config, *out;
	size_t len;
	bool found;
	struct iso_image img;

	if (iso_imagedb_lookup(s, name, &rec, &found, err) < 0)
		return NULL;
	if (!found) {
		iso_error_set_status(err, 1, 0, "no such image: %s", name);
		return NULL;
	}
	if (iso_image_load(s, &rec, &img, err) < 0) {
		iso_image_rec_free(&rec);
		return NULL;
	}
	if (iso_store_read_blob(s, rec.id, 4u << 20, &body, &len, err) < 0) {
		iso_image_free(&img);
		iso_image_rec_free(&rec);
		return NULL;
	}
	config = json_loadb(body, len, 0, NULL);
	out = json_pack("{s:s,s:[],s:s,s:I,s:o}", "Id", rec.id, "RepoTags", "Manifest",
			rec.manifest, "Size", (json_int_t)img.size, "Config",
			config ? config : json_null());
	for (size_t i = 0; rec.refs[i]; i++)
		json_array_append_new(json_object_get(out, "RepoTags"), json_string(rec.refs[i]));
	iso_image_free(&img);
	iso_image_rec_free(&rec);
	return out;
}

static int cmd_inspect(int argc, char **argv)
{
	struct iso_store s = { .fd = -1 };
	struct iso_error err;
	json_t *all = json_array();
	int status = 0;
	char *text;

	if (argc < 2)
		return cli_usage_error("Usage: isolate image inspect IMAGE [IMAGE...]",
				       "isolate image inspect", "expected at least one image");
	if (cli_store_open(&s, &err) < 0) {
		cli_print_error(&err);
		json_decref(all);
		return ISO_EXIT_RUNTIME;
	}
	for (int i = 1; i < argc; i++) {
		json_t *one = inspect_one(&s, argv[i], &err);

		if (one == NULL) {
			cli_print_error(&err);
			status = err.status ? err.status : ISO_EXIT_RUNTIME;
			continue;
		}
		json_array_append_new(all, one);
	}
	text = json_dumps(all, JSON_INDENT(4));
	puts(text);
	free(text);
	json_decref(all);
	iso_store_close(&s);
	return status;
}

static const char image_usage[] =
	"Usage: isolate image COMMAND (ls, pull, rm, prune, inspect, load, save, import)";

int cmd_image(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(image_usage, "isolate image", "no command given");
	if (strcmp(argv[1], "ls") == 0 || strcmp(argv[1], "list") == 0)
		return cmd_images(argc - 1, argv + 1);
	if (strcmp(argv[1], "pull") == 0)
		return cmd_pull(argc - 1, argv + 1);
	if (strcmp(argv[1], "rm") == 0)
		return cmd_rmi(argc - 1, argv + 1);
	if (strcmp(argv[1], "prune") == 0)
		return cmd_prune(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (strcmp(argv[1], "load") == 0)
		return cmd_load(argc - 1, argv + 1);
	if (strcmp(argv[1], "save") == 0)
		return cmd_save(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0) {
		printf("%s\n", image_usage);
		return 0;
	}
	return cli_usage_error(image_usage, "isolate image", "unknown command: %s", argv[1]);
}
