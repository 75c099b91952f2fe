/* isolate-oci create and run. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "oci_cli.h"
#include "ocispec.h"
#include "util.h"

struct create_args {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_new_keyring;
	bool detach;
	unsigned int preserve_fds;
	const char *id;
};

enum { OPT_PID_FILE = 1000, OPT_CONSOLE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_PRESERVE, OPT_NO_SUBREAPER, OPT_KEEP };

static int parse(const char *cmd, int argc, char **argv, struct create_args *a, bool run)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
		{ "detach", no_argument, NULL, 'd' },
		{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	uint32_t n;

	while ((c = getopt_long(argc, argv, run ? "+b:dh" : "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': a->bundle = optarg; break;
		case OPT_PID_FILE: a->pid_file = optarg; break;
		case OPT_CONSOLE: a->console_socket = optarg; break;
		case OPT_NO_KEYRING: a->no_new_keyring = true; break;
		case OPT_PRESERVE:
			if (parse_u32(optarg, &n) < 0 || n > 1024)
				return cli_usage(cmd, "--preserve-fds %s: expected a number of fds", optarg);
			a->preserve_fds = n;
			break;
		/* the root is always pivoted into: it is a mount of its own
		 * (docs/oci.md), so --no-pivot's case does not arise */
		case OPT_NO_PIVOT: case OPT_NO_SUBREAPER: case OPT_KEEP: break;
		case 'd': if (run) { a->detach = true; break; } /* fall through */
		case 'h':
			if (c == 'h') {
				printf("Usage: isolate-oci %s [--bundle DIR] [--pid-file FILE] [--console-socket SOCK]\n"
				       "       [--no-pivot] [--no-new-keyring] [--preserve-fds N]%s ID\n",
				       cmd, run ? " [--detach]" : "");
				exit(0);
			}
			/* fall through */
		default: return cli_usage(cmd, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage(cmd, "expected one container id, got %d arguments", argc - optind);
	a->id = argv[optind];
	return cli_check_preserved(cmd, a->preserve_fds);
}

static int load(const struct create_args *a, char bundle[PATH_MAX], struct iso_spec **spec,
		char **text, struct iso_error *err)
{
	cleanup_free char *path = NULL;
	size_t len;

	if (realpath(a->bundle ? a->bundle : ".", bundle) == NULL)
		return iso_error_set(err, errno, "bundle %s", a->bundle ? a->bundle : ".");
	path = xasprintf("%s/config.json", bundle);
	if (read_file_at(AT_FDCWD, path, text, &len, err) < 0)
		return -1;
	if (iso_oci_spec_parse(*text, len, "config.json", bundle, spec, err) < 0)
		return -1;
	(*spec)->process.preserve_fds = a->preserve_fds;
	return 0;
}

static int create_or_run(const char *cmd, int argc, char **argv, bool run)
{
	struct create_args a = { 0 };
	char bundle[PATH_MAX];
	struct iso_spec *spec = NULL;
	cleanup_free char *text = NULL;
	struct iso_error err;
	int r, status = 0;
	pid_t pid;

	if (parse(cmd, argc, argv, &a, run) != 0)
		return 1;
	if (load(&a, bundle, &spec, &text, &err) < 0) {
		iso_spec_free(spec);
		return cli_fail(&err);
	}
	cleanup_free char *pid_file = a.pid_file ? cli_abs_path(a.pid_file) : NULL;
	cleanup_free char *console = a.console_socket ? cli_abs_path(a.console_socket) : NULL;
	struct iso_oci_create_opts o = {
		.root = oci_g.root, .id = a.id, .bundle = bundle, .config_text = text,
		.pid_file = pid_file, .console_socket = console,
		.no_new_keyring = a.no_new_keyring, .systemd_cgroup = oci_g.systemd_cgroup,
	};
	r = run ? iso_oci_run(spec, &o, a.detach, &status, &err) : iso_oci_create(spec, &o, &pid, &err);
	iso_spec_free(spec);
	if (r < 0)
		return cli_fail(&err);
	return status;
}

int cmd_create(int argc, char **argv)
{
	return create_or_run("create", argc, argv, false);
}

int cmd_run(int argc, char **argv)
{
	return create_or_run("run", argc, argv, true);
}
