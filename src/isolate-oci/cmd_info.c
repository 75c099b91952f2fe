/* isolate-oci features and spec. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci_cli.h"
#include "ocidefault.h"
#include "ocifeatures.h"
#include "util.h"

int cmd_features(int argc, char **argv)
{
	char *json;

	(void)argv;
	if (argc > 1 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)
		return cli_usage("features", "takes no arguments");
	if (argc > 1) {
		printf("Usage: isolate-oci features\n");
		return 0;
	}
	json = iso_oci_features_json();
	printf("%s\n", json);
	free(json);
	return 0;
}

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' }, { "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *bundle = ".";
	bool rootless = false;
	cleanup_free char *path = NULL;
	cleanup_free char *json = NULL;
	cleanup_close int fd = -1;
	struct iso_error err;
	int c;

	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else if (c == 'h') {
			printf("Usage: isolate-oci spec [--bundle DIR] [--rootless]\n");
			return 0;
		} else
			return cli_usage("spec", "unknown option");
	}
	if (optind != argc)
		return cli_usage("spec", "takes no arguments");
	path = xasprintf("%s/config.json", bundle);
	json = iso_oci_default_config(rootless);
	/* as runc: an existing config.json is not overwritten */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			iso_error_set(&err, 0, "%s already exists; remove it first", path);
		else
			iso_error_set(&err, errno, "create %s", path);
		return cli_fail(&err);
	}
	if (write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0) {
		iso_error_set(&err, errno, "write %s", path);
		return cli_fail(&err);
	}
	return 0;
}
