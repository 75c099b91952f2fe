/* isolate: run commands in their own Linux namespaces, docker-style. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "image_cli.h"
#include "log.h"

static const char main_usage[] = "Usage: isolate [OPTIONS] COMMAND [ARG...]";

static const char main_help[] =
	"Usage: isolate [OPTIONS] COMMAND [ARG...]\n"
	"\n"
	"Run a command in a new process isolated by Linux namespaces.\n"
	"\n"
	"Commands:\n"
	"  run       Run a command in a new container\n"
	"  pull      Download an image from a registry\n"
	"  images    List images\n"
	"  rmi       Remove images\n"
	"  load      Load images from an archive or an OCI layout\n"
	"  save      Save images to a tar archive\n"
	"  import    Make an image of a rootfs tarball\n"
	"  image     Manage images (ls, pull, rm, prune, inspect, load, save, import)\n"
	"  network   Manage networks (create, ls, rm, prune)\n"
	"\n"
	"Options:\n"
	"      --storage-root DIR  Image store (default /var/lib/isolate, or\n"
	"                          $XDG_DATA_HOME/isolate without root)\n"
	"  -h, --help      Print this help\n"
	"  -v, --version   Print the version\n"
	"\n"
	"Run 'isolate COMMAND --help' for more about a command.\n";

void cli_print_error(const struct iso_error *err)
{
	fprintf(stderr, "isolate: %s\n", err->msg);
}

int cli_usage_error(const char *usage, const char *help_cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("isolate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s\nSee '%s --help'.\n", usage, help_cmd);
	return ISO_EXIT_RUNTIME;
}

static void log_to_stderr(enum iso_log_level level, const char *msg)
{
	static const char *const names[] = { "debug", "note", "warning" };

	if (level != ISO_LOG_DEBUG)
		fprintf(stderr, "isolate: %s: %s\n", names[level], msg);
}

/* With 0, 1 or 2 closed, the first files the runtime opens would take
 * their place and reach the command as its stdio. */
static void ensure_stdio_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", O_RDWR);  /* lands on fd */
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run }, { "network", cmd_network }, { "pull", cmd_pull },
	{ "images", cmd_images }, { "rmi", cmd_rmi }, { "image", cmd_image },
	{ "load", cmd_load }, { "save", cmd_save }, { "import", cmd_import },
};

int main(int argc, char **argv)
{
	ensure_stdio_open();
	iso_log_set_handler(log_to_stderr);
	if (argc < 2)
		return cli_usage_error(main_usage, "isolate", "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(main_help, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("isolate version %s\n", ISOLATE_VERSION);
		return 0;
	}
	while (argc >= 2 && strncmp(argv[1], "--storage-root", 14) == 0) {
		if (argv[1][14] == '=') {
			cli_storage_root = argv[1] + 15;
		} else if (argv[1][14] == '\0' && argc >= 3) {
			cli_storage_root = argv[2];
			argc--, argv++;
		} else {
			break;
		}
		argc--, argv++;
	}
	if (argc < 2)
		return cli_usage_error(main_usage, "isolate", "no command given");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage_error(main_usage, "isolate", "unknown flag: %s", argv[1]);
	return cli_usage_error(main_usage, "isolate", "unknown command: %s", argv[1]);
}
