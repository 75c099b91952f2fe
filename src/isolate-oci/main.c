/* isolate-oci: an OCI runtime with runc's command line, for podman,
 * containerd, CRI-O and whoever else drives runc. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "oci.h"
#include "oci_cli.h"
#include "ocistatus.h"
#include "util.h"

struct oci_globals oci_g;

static FILE *log_file;
static bool log_json;

static const char usage_text[] =
	"Usage: isolate-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]\n"
	"\n"
	"An OCI runtime (runtime-spec " ISO_OCI_VERSION ") with runc's command line.\n"
	"\n"
	"Commands:\n"
	"  create    Create a container from a bundle; it waits for start\n"
	"  start     Run the command of a created container\n"
	"  run       Create and start a container\n"
	"  state     Print a container's state as JSON\n"
	"  kill      Send a signal to a container's first process (--all: every one)\n"
	"  delete    Remove a stopped container (--force: any)\n"
	"  exec      Run another process in a container\n"
	"  ps        The processes of a container\n"
	"  list      The containers under --root\n"
	"  pause     Freeze every process of a container\n"
	"  resume    Thaw them\n"
	"  update    Change a container's resource limits\n"
	"  features  What this runtime supports, as JSON\n"
	"  spec      Write a default config.json\n"
	"\n"
	"Global options:\n"
	"  --root DIR             State directory (default /run/isolate-oci,\n"
	"                         $XDG_RUNTIME_DIR/isolate-oci without root)\n"
	"  --log FILE             Also write messages to FILE\n"
	"  --log-format text|json Format of the --log file (json: one object per line)\n"
	"  --debug                Debug messages too\n"
	"  --systemd-cgroup       cgroupsPath is slice:prefix:name\n"
	"  -v, --version          Print the version\n"
	"  -h, --help             Print this help\n";

static void now_text(char out[ISO_RFC3339_NANO_MAX])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	iso_rfc3339_nano(&ts, out);
}

static void log_line(const char *level, const char *msg)
{
	char when[ISO_RFC3339_NANO_MAX];

	if (log_file == NULL)
		return;
	now_text(when);
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (text != NULL)
			fprintf(log_file, "%s\n", text);
		free(text);
		json_decref(o);
	} else {
		fprintf(log_file, "time=\"%s\" level=%s msg=\"%s\"\n", when, level, msg);
	}
	fflush(log_file);
}

static void log_handler(enum iso_log_level level, const char *msg)
{
	static const char *const names[] = { "debug", "info", "warning" };

	if (level == ISO_LOG_DEBUG && !oci_g.debug)
		return;
	log_line(names[level], msg);
	if (log_file == NULL || level != ISO_LOG_DEBUG)
		fprintf(stderr, "isolate-oci: %s: %s\n", names[level], msg);
}

int cli_fail(const struct iso_error *err)
{
	log_line("error", err->msg);
	fprintf(stderr, "isolate-oci: %s\n", err->msg);
	return 1;
}

int cli_usage(const char *command, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line("error", msg);
	fprintf(stderr, "isolate-oci: %s\nSee 'isolate-oci %s --help'.\n", msg, command);
	return 1;
}

char *cli_abs_path(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

int cli_check_preserved(const char *command, unsigned int n)
{
	if (n > 0 && 3 + (int)n > oci_g.inherited_end)
		return cli_usage(command, "--preserve-fds %u: the caller passed %d fds above stdio",
				 n, oci_g.inherited_end - 3);
	return 0;
}

static int open_log(const char *path, const char *format)
{
	int fd;

	if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
		fprintf(stderr, "isolate-oci: --log-format %s: expected text or json\n", format);
		return -1;
	}
	log_json = format != NULL && strcmp(format, "json") == 0;
	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || (log_file = fdopen(fd, "a")) == NULL) {
		fprintf(stderr, "isolate-oci: open the log %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int print_version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("isolate-oci version %s\nspec: %s\n", ISOLATE_VERSION, ISO_OCI_VERSION);
	if (v != NULL)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run },
	{ "state", cmd_state }, { "kill", cmd_kill }, { "delete", cmd_delete },
	{ "exec", cmd_exec }, { "ps", cmd_ps }, { "list", cmd_list },
	{ "pause", cmd_pause }, { "resume", cmd_resume }, { "update", cmd_update },
	{ "features", cmd_features }, { "spec", cmd_spec },
};

/* With 0, 1 or 2 closed, the first files opened would take their place
 * and reach the container as its stdio. */
static void ensure_stdio_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", O_RDWR);
}

enum { OPT_ROOT = 1000, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_CRIU, OPT_ROOTLESS };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
		{ "criu", required_argument, NULL, OPT_CRIU },
		{ "rootless", required_argument, NULL, OPT_ROOTLESS },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *log_path = NULL, *log_format = NULL;
	static char *root_abs;
	int c;

	ensure_stdio_open();
	/* before the runtime opens anything of its own */
	for (oci_g.inherited_end = 3; fcntl(oci_g.inherited_end, F_GETFD) >= 0; oci_g.inherited_end++)
		;
	iso_log_set_handler(log_handler);
	oci_g.root = iso_oci_default_root();
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: oci_g.root = optarg; break;
		case OPT_LOG: log_path = optarg; break;
		case OPT_LOG_FORMAT: log_format = optarg; break;
		case OPT_DEBUG: oci_g.debug = true; break;
		case OPT_SYSTEMD: oci_g.systemd_cgroup = true; break;
		case OPT_CRIU: case OPT_ROOTLESS: break;        /* runc's; nothing to do here */
		case 'v': return print_version();
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 1;
		}
	}
	if (open_log(log_path, log_format) < 0)
		return 1;
	/* create moves to the bundle: every command's --root must not
	 * depend on where it stands */
	oci_g.root = root_abs = cli_abs_path(oci_g.root);
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argv += optind;
			argc -= optind;
			optind = 1;
			return commands[i].fn(argc, argv);
		}
	}
	return cli_usage("--help", "unknown command %s", argv[optind]);
}
