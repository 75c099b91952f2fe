/* isolate-oci start, state, kill, delete, pause, resume, list, ps. */
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonutil.h"
#include "oci.h"
#include "oci_cli.h"
#include "signals.h"
#include "util.h"

/* Flags a command does not take, only --help: its one argument, the id. */
static const char *only_id(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: isolate-oci %s ID\n", cmd);
			exit(0);
		}
		cli_usage(cmd, "unknown option");
		return NULL;
	}
	if (optind != argc - 1) {
		cli_usage(cmd, "expected one container id");
		return NULL;
	}
	return argv[optind];
}

int cmd_start(int argc, char **argv)
{
	const char *id = only_id("start", argc, argv);
	struct iso_error err;

	if (id == NULL)
		return 1;
	return iso_oci_start(oci_g.root, id, &err) < 0 ? cli_fail(&err) : 0;
}

int cmd_state(int argc, char **argv)
{
	const char *id = only_id("state", argc, argv);
	struct iso_oci_container c;
	struct iso_error err;
	char *json;

	if (id == NULL)
		return 1;
	if (iso_oci_load(oci_g.root, id, 0, &c, &err) < 0)
		return cli_fail(&err);
	json = iso_oci_container_json(&c, true);
	printf("%s\n", json);
	free(json);
	iso_oci_unload(&c);
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool all = false;
	int c, sig = SIGTERM;
	struct iso_error err;

	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'h') {
			printf("Usage: isolate-oci kill [--all] ID [SIGNAL]\n");
			return 0;
		} else
			return cli_usage("kill", "unknown option");
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("kill", "expected a container id and at most one signal");
	if (argc - optind == 2) {
		sig = iso_signal_parse(argv[optind + 1]);
		if (sig <= 0)
			return cli_usage("kill", "unknown signal %s", argv[optind + 1]);
	}
	if (iso_oci_kill(oci_g.root, argv[optind], sig, all, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool force = false;
	int c;
	struct iso_error err;

	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h') {
			printf("Usage: isolate-oci delete [--force] ID\n");
			return 0;
		} else
			return cli_usage("delete", "unknown option");
	}
	if (optind != argc - 1)
		return cli_usage("delete", "expected one container id");
	if (iso_oci_delete(oci_g.root, argv[optind], force, &err) < 0)
		return cli_fail(&err);
	return 0;
}

static int pause_or_resume(const char *cmd, int argc, char **argv, bool pause)
{
	const char *id = only_id(cmd, argc, argv);
	struct iso_error err;

	if (id == NULL)
		return 1;
	return iso_oci_pause(oci_g.root, id, pause, &err) < 0 ? cli_fail(&err) : 0;
}

int cmd_pause(int argc, char **argv)
{
	return pause_or_resume("pause", argc, argv, true);
}

int cmd_resume(int argc, char **argv)
{
	return pause_or_resume("resume", argc, argv, false);
}

static int parse_format(const char *cmd, const char *arg, bool *json)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "table") == 0)
		*json = false;
	else
		return cli_usage(cmd, "--format %s: expected table or json", arg);
	return 0;
}

static void list_table(char *const *ids)
{
	printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; ids[i] != NULL; i++) {
		struct iso_oci_container c;
		struct iso_error err;

		if (iso_oci_load(oci_g.root, ids[i], 0, &c, &err) < 0)
			continue;
		printf("%-12s %-8d %-10s %-40s %-31s %s\n", c.id,
		       c.status == ISO_OCI_STOPPED ? 0 : (int)c.pid, iso_oci_status_name(c.status),
		       c.bundle ? c.bundle : "", c.created ? c.created : "", c.owner ? c.owner : "");
		iso_oci_unload(&c);
	}
}

static void list_json(char *const *ids)
{
	cleanup_json json_t *all = json_array();
	char *text;

	for (size_t i = 0; ids[i] != NULL; i++) {
		struct iso_oci_container c;
		struct iso_error err;
		char *one;

		if (iso_oci_load(oci_g.root, ids[i], 0, &c, &err) < 0)
			continue;
		one = iso_oci_container_json(&c, true);
		json_array_append_new(all, json_loads(one, 0, NULL));
		free(one);
		iso_oci_unload(&c);
	}
	text = json_dumps(all, JSON_COMPACT);
	printf("%s\n", text);
	free(text);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool json = false, quiet = false;
	cleanup_strv char **ids = NULL;
	struct iso_error err;
	int c;

	while ((c = getopt_long(argc, argv, "+f:qh", opts, NULL)) != -1) {
		if (c == 'f') {
			if (parse_format("list", optarg, &json) != 0)
				return 1;
		} else if (c == 'q') {
			quiet = true;
		} else if (c == 'h') {
			printf("Usage: isolate-oci list [--format table|json] [--quiet]\n");
			return 0;
		} else {
			return cli_usage("list", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("list", "takes no arguments");
	ids = iso_oci_list(oci_g.root, &err);
	if (ids == NULL)
		return cli_fail(&err);
	if (quiet)
		for (size_t i = 0; ids[i] != NULL; i++)
			printf("%s\n", ids[i]);
	else if (json)
		list_json(ids);
	else
		list_table(ids);
	return 0;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* As runc: ps(1) with the arguments given (default -ef), its header and
 * the lines of the container's processes. */
static int ps_table(const pid_t *pids, size_t n, char **ps_args)
{
	cleanup_strv char **argv = xcalloc(1, sizeof(char *));
	int fds[2], status, pid_col = -1;
	char line[4096];
	FILE *out;
	pid_t child;

	strv_push(&argv, "ps");
	if (ps_args[0] == NULL)
		strv_push(&argv, "-ef");
	for (size_t i = 0; ps_args[i] != NULL; i++)
		strv_push(&argv, ps_args[i]);
	if (pipe2(fds, O_CLOEXEC) < 0 || (child = fork()) < 0) {
		perror("isolate-oci: ps");
		return 1;
	}
	if (child == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	for (int lineno = 0; out != NULL && fgets(line, sizeof(line), out) != NULL; lineno++) {
		if (lineno == 0) {
			char copy[4096], *save = NULL;
			int col = 0;

			snprintf(copy, sizeof(copy), "%s", line);
			for (char *f = strtok_r(copy, " \t\n", &save); f; f = strtok_r(NULL, " \t\n", &save), col++)
				if (strcmp(f, "PID") == 0)
					pid_col = col;
			fputs(line, stdout);
			continue;
		}
		char copy[4096], *save = NULL, *f;
		int col = 0;

		snprintf(copy, sizeof(copy), "%s", line);
		for (f = strtok_r(copy, " \t\n", &save); f && col < pid_col; f = strtok_r(NULL, " \t\n", &save))
			col++;
		if (f != NULL && has_pid(pids, n, strtol(f, NULL, 10)))
			fputs(line, stdout);
	}
	if (out != NULL)
		fclose(out);
	waitpid(child, &status, 0);
	if (pid_col < 0) {
		fprintf(stderr, "isolate-oci: ps: no PID column in ps's output\n");
		return 1;
	}
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool json = false;
	pid_t *pids = NULL;
	size_t n = 0;
	struct iso_error err;
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		if (c == 'f') {
			if (parse_format("ps", optarg, &json) != 0)
				return 1;
		} else if (c == 'h') {
			printf("Usage: isolate-oci ps [--format table|json] ID [PS_ARGS...]\n");
			return 0;
		} else {
			return cli_usage("ps", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage("ps", "expected a container id");
	if (iso_oci_pids(oci_g.root, argv[optind], &pids, &n, &err) < 0)
		return cli_fail(&err);
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
	} else {
		r = ps_table(pids, n, argv + optind + 1);
	}
	free(pids);
	return r;
}
