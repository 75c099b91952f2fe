/* isolate load, save, import: images in and out of the store as files. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "image/archive.h"
#include "image/ref.h"
#include "image_cli.h"
#include "util.h"

/* getopt's verdict on a bad flag, as the other commands word it */
static int bad_flag(const char *usage, const char *cmd, int opt, char **argv)
{
	return cli_usage_error(usage, cmd, "%s: %s",
			       opt == ':' ? "flag needs an argument" : "unknown flag",
			       argv[optind - 1]);
}

/* ---- isolate load ---- */

static const char load_usage[] = "Usage: isolate load [-i FILE | --dir DIR] [-q]";
static const char load_help[] =
	"Usage: isolate load [-i FILE | --dir DIR] [-q]\n"
	"\n"
	"Load images from a `docker save` archive (either format) or an OCI image\n"
	"layout, as a tar (plain, gzip, zstd, xz or bzip2) or as a directory.\n"
	"\n"
	"  -i, --input FILE   Read the archive from FILE (default: stdin); a\n"
	"                     directory is read as a layout\n"
	"      --dir DIR      Read the OCI image layout directory DIR\n"
	"  -q, --quiet        Only the names of the images loaded\n"
	"      --help         Print this help\n";

static void load_note(void *ctx, enum iso_load_event ev, const char *digest)
{
	(void)ctx;
	fprintf(stderr, "%s %.12s\n", ev == ISO_LOAD_BLOB ? "Copied blob" : "Unpacked layer",
		iso_digest_hex(digest));
}

static void print_loaded(const struct iso_load_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		if (res->v[i].refs[0] == NULL)
			printf("Loaded image ID: %s\n", res->v[i].id);
		for (size_t k = 0; res->v[i].refs[k]; k++) {
			struct iso_imgref ref;
			struct iso_error ignored;
			cleanup_free char *shown = NULL;

			if (iso_imgref_parse(res->v[i].refs[k], &ref, &ignored) == 0) {
				shown = iso_imgref_familiar(&ref);
				iso_imgref_free(&ref);
			}
			printf("Loaded image: %s\n", shown ? shown : res->v[i].refs[k]);
		}
	}
}

static int do_load(struct iso_store *s, const char *input, const char *dir, bool quiet,
		   struct iso_error *err)
{
	struct iso_load_opts o = { .note = quiet ? NULL : load_note };
	struct iso_load_result res;
	cleanup_close int fd = -1;
	struct stat st;
	int r;

	if (input && strcmp(input, "-") == 0)
		input = NULL;
	if (dir == NULL && input == NULL) {
		if (isatty(STDIN_FILENO))
			return iso_error_set(err, 0, "requested load from stdin, but stdin is a terminal (give -i FILE or --dir DIR, or redirect stdin)");
		r = iso_load_archive(s, STDIN_FILENO, "stdin", &o, &res, err);
	} else if (dir != NULL) {
		r = iso_load_dir(s, dir, &o, &res, err);
	} else {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return iso_error_set(err, errno, "open %s", input);
		r = S_ISDIR(st.st_mode) ? iso_load_dir(s, input, &o, &res, err)
					: iso_load_archive(s, fd, input, &o, &res, err);
	}
	if (r < 0)
		return -1;
	print_loaded(&res);
	iso_load_result_free(&res);
	return 0;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "dir", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_store s = { .fd = -1 };
	const char *input = NULL, *dir = NULL;
	struct iso_error err;
	bool quiet = false;
	int opt, status = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:i:q", opts, NULL)) != -1) {
		switch (opt) {
		case 'H': fputs(load_help, stdout); return 0;
		case 'i': input = optarg; break;
		case 'D': dir = optarg; break;
		case 'q': quiet = true; break;
		default: return bad_flag(load_usage, "isolate load", opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(load_usage, "isolate load", "unexpected argument %s",
				       argv[optind]);
	if (input && dir)
		return cli_usage_error(load_usage, "isolate load", "-i and --dir cannot be used together");
	if (cli_store_open(&s, &err) < 0 || do_load(&s, input, dir, quiet, &err) < 0) {
		cli_print_error(&err);
		status = ISO_EXIT_RUNTIME;
	}
	iso_store_close(&s);
	return status;
}

/* ---- isolate save ---- */

static const char save_usage[] = "Usage: isolate save [-o FILE] IMAGE [IMAGE...]";
static const char save_help[] =
	"Usage: isolate save [-o FILE] IMAGE [IMAGE...]\n"
	"\n"
	"Save images to a tar archive: an OCI image layout with docker's\n"
	"manifest.json beside it, which isolate load, docker load, podman load\n"
	"and skopeo read.  A repository name without a tag saves all its tags;\n"
	"an image id saves the image untagged.\n"
	"\n"
	"  -o, --output FILE  Write to FILE (replaced once the archive is whole)\n"
	"                     instead of stdout; \"-\" is stdout\n"
	"      --help         Print this help\n";

/* Writes the archive to a temporary file next to PATH, renamed over it
 * once whole: a failed save leaves no partial file.  A path that is not
 * a regular file (/dev/stdout, a fifo) is written in place. */
static int save_to_file(struct iso_store *s, char *const *names, const char *path,
			struct iso_error *err)
{
	cleanup_free char *tmp = xasprintf("%s.XXXXXX", path);
	cleanup_close int fd = -1;
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return iso_error_set(err, errno, "open %s", path);
		return iso_save(s, names, fd, err);
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(err, errno, "create %s", tmp);
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0) {
		int e = errno;

		unlink(tmp);
		return iso_error_set(err, e, "chmod %s", tmp);
	}
	if (iso_save(s, names, fd, err) < 0) {
		unlink(tmp);
		return -1;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return iso_error_set(err, e, "write %s", path);
	}
	return 0;
}

int cmd_save(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_store s = { .fd = -1 };
	const char *output = NULL;
	struct iso_error err;
	int opt, r, status = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:o:", opts, NULL)) != -1) {
		if (opt == 'H') {
			fputs(save_help, stdout);
			return 0;
		}
		if (opt != 'o')
			return bad_flag(save_usage, "isolate save", opt, argv);
		output = optarg;
	}
	if (optind == argc)
		return cli_usage_error(save_usage, "isolate save", "expected at least one image");
	if (output && strcmp(output, "-") == 0)
		output = NULL;
	if (output == NULL && isatty(STDOUT_FILENO))
		return cli_usage_error(save_usage, "isolate save",
				       "refusing to write an archive to a terminal: use -o FILE or redirect stdout");
	r = cli_store_open(&s, &err);
	if (r == 0)
		r = output ? save_to_file(&s, argv + optind, output, &err)
			   : iso_save(&s, argv + optind, STDOUT_FILENO, &err);
	if (r < 0) {
		cli_print_error(&err);
		status = err.status ? err.status : ISO_EXIT_RUNTIME;
	}
	iso_store_close(&s);
	return status;
}

/* ---- isolate import ---- */

static const char import_usage[] = "Usage: isolate import [OPTIONS] FILE|- [REPOSITORY[:TAG]]";
static const char import_help[] =
	"Usage: isolate import [OPTIONS] FILE|- [REPOSITORY[:TAG]]\n"
	"\n"
	"Make a one-layer image of a rootfs tarball (plain, gzip, zstd, xz or\n"
	"bzip2; \"-\" reads stdin).  A gzip file is stored as it is, any other\n"
	"is compressed with gzip.  Prints the image id.\n"
	"\n"
	"  -c, --change LINE   Apply a Dockerfile instruction to the config: CMD,\n"
	"                      ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER,\n"
	"                      VOLUME, WORKDIR (repeatable)\n"
	"  -m, --message TEXT  The comment in the image's history\n"
	"      --help          Print this help\n";

static int do_import(struct iso_store *s, const char *file, const struct iso_import_opts *o,
		     struct iso_error *err)
{
	struct iso_import_result res;
	cleanup_close int fd = -1;
	bool in = strcmp(file, "-") == 0;

	if (in && isatty(STDIN_FILENO))
		return iso_error_set(err, 0, "import from stdin, but stdin is a terminal");
	if (!in) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return iso_error_set(err, errno, "open %s", file);
	}
	if (iso_import(s, in ? STDIN_FILENO : fd, in ? "stdin" : file, o, &res, err) < 0)
		return -1;
	printf("%s\n", res.id);
	iso_import_result_free(&res);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_store s = { .fd = -1 };
	struct iso_import_opts o = { 0 };
	cleanup_strv char **changes = xcalloc(1, sizeof(char *));
	struct iso_error err;
	int opt, status = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:c:m:", opts, NULL)) != -1) {
		switch (opt) {
		case 'H': fputs(import_help, stdout); return 0;
		case 'c': strv_push(&changes, optarg); break;
		case 'm': o.message = optarg; break;
		default: return bad_flag(import_usage, "isolate import", opt, argv);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_error(import_usage, "isolate import",
				       "expected a file and at most one name");
	o.changes = changes;
	o.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (cli_store_open(&s, &err) < 0 || do_import(&s, argv[optind], &o, &err) < 0) {
		cli_print_error(&err);
		status = ISO_EXIT_RUNTIME;
	}
	iso_store_close(&s);
	return status;
}
