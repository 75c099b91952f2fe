/* isolate-oci exec [--process FILE | ARGS...]: runc's flags change the
 * container's process (config.json's) when no --process is given. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "oci.h"
#include "oci_cli.h"
#include "ocispec.h"
#include "util.h"

enum {
	OPT_CONSOLE = 1000, OPT_CWD, OPT_PID_FILE, OPT_NNP, OPT_CAP, OPT_PRESERVE, OPT_GID,
	OPT_APPARMOR, OPT_LABEL, OPT_IGNORED,
};

struct exec_args {
	const char *process_file;
	const char *console_socket;
	const char *pid_file;
	const char *cwd;
	const char *user;
	char **env;
	char **caps;
	char **gids;
	bool tty, detach, nnp;
	unsigned int preserve_fds;
};

static int parse(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, OPT_GID },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "process-label", required_argument, NULL, OPT_LABEL },
		{ "apparmor", required_argument, NULL, OPT_APPARMOR },
		{ "no-new-privs", no_argument, NULL, OPT_NNP },
		{ "cap", required_argument, NULL, OPT_CAP },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
		{ "cgroup", required_argument, NULL, OPT_IGNORED },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint32_t n;
	int c;

	while ((c = getopt_long(argc, argv, "+p:e:tu:dg:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->process_file = optarg; break;
		case OPT_CONSOLE: a->console_socket = optarg; break;
		case OPT_CWD: a->cwd = optarg; break;
		case 'e': strv_push(&a->env, optarg); break;
		case 't': a->tty = true; break;
		case 'u': a->user = optarg; break;
		case 'g': case OPT_GID: strv_push(&a->gids, optarg); break;
		case 'd': a->detach = true; break;
		case OPT_PID_FILE: a->pid_file = optarg; break;
		case OPT_NNP: a->nnp = true; break;
		case OPT_CAP: strv_push(&a->caps, optarg); break;
		case OPT_PRESERVE:
			if (parse_u32(optarg, &n) < 0 || n > 1024)
				return cli_usage("exec", "--preserve-fds %s: expected a number of fds", optarg);
			a->preserve_fds = n;
			break;
		/* accepted as runc does where there is no LSM */
		case OPT_LABEL: case OPT_APPARMOR: case OPT_IGNORED: break;
		case 'h':
			printf("Usage: isolate-oci exec [--process FILE] [--tty] [--console-socket SOCK] [--detach]\n"
			       "       [--pid-file FILE] [--cwd DIR] [--env K=V] [--user UID[:GID]] [--cap CAP]\n"
			       "       [--no-new-privs] [--preserve-fds N] ID [COMMAND [ARG...]]\n");
			exit(0);
		default:
			return cli_usage("exec", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage("exec", "expected a container id");
	if (a->process_file == NULL && optind + 1 >= argc)
		return cli_usage("exec", "expected a command, or --process FILE");
	return cli_check_preserved("exec", a->preserve_fds);
}

static int load_process_file(const char *path, struct iso_process *p, struct iso_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	return iso_oci_process_parse(text, len, path, p, err);
}

static int apply_user(const char *user, struct iso_process *p, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(user);
	char *colon = strchr(copy, ':');
	uint32_t uid, gid = 0;

	if (colon != NULL)
		*colon = '\0';
	if (parse_u32(copy, &uid) < 0 || (colon != NULL && parse_u32(colon + 1, &gid) < 0))
		return iso_error_set(err, 0, "--user %s: expected UID[:GID]", user);
	p->user.uid = uid;
	p->user.gid = gid;
	return 0;
}

/* runc's flags over config.json's process. */
static int apply_flags(struct exec_args *a, char **args, struct iso_process *p, struct iso_error *err)
{
	strv_free(p->args);
	p->args = strv_dup(args);
	if (a->cwd != NULL) {
		free(p->cwd);
		p->cwd = xstrdup(a->cwd);
	}
	for (size_t i = 0; a->env && a->env[i]; i++)
		strv_push(&p->env, a->env[i]);
	if (a->user != NULL && apply_user(a->user, p, err) < 0)
		return -1;
	for (size_t i = 0; a->gids && a->gids[i]; i++) {
		uint32_t g;

		if (parse_u32(a->gids[i], &g) < 0)
			return iso_error_set(err, 0, "--additional-gids %s: expected a number", a->gids[i]);
		p->user.additional_gids = xrealloc(p->user.additional_gids,
						   (p->user.n_additional_gids + 1) * sizeof(gid_t));
		p->user.additional_gids[p->user.n_additional_gids++] = g;
	}
	for (size_t i = 0; a->caps && a->caps[i]; i++) {
		uint64_t bit;

		if (iso_caps_parse(a->caps[i], &bit, err) < 0)
			return -1;
		p->has_caps = true;
		p->caps.bounding |= bit;
		p->caps.effective |= bit;
		p->caps.permitted |= bit;
	}
	p->terminal = a->tty;
	if (a->nnp)
		p->no_new_privileges = true;
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_args a = { 0 };
	struct iso_process p = { 0 };
	struct iso_error err;
	int status = 0, r;
	const char *id;

	if (parse(argc, argv, &a) != 0)
		return 1;
	id = argv[optind];
	if (a.process_file != NULL)
		r = load_process_file(a.process_file, &p, &err);
	else
		r = iso_oci_exec_base_process(oci_g.root, id, &p, &err) < 0 ? -1
		    : apply_flags(&a, argv + optind + 1, &p, &err);
	if (r == 0) {
		cleanup_free char *pid_file = a.pid_file ? cli_abs_path(a.pid_file) : NULL;
		struct iso_oci_exec_opts o = {
			.root = oci_g.root, .id = id, .process = &p,
			.console_socket = a.console_socket, .pid_file = pid_file, .detach = a.detach,
		};

		p.preserve_fds = a.preserve_fds;
		r = iso_oci_exec(&o, &status, &err);
	}
	iso_process_clear(&p);
	strv_free(a.env);
	strv_free(a.caps);
	strv_free(a.gids);
	return r < 0 ? cli_fail(&err) : status;
}
