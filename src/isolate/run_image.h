/* isolate run IMAGE (run_image.c). */
#ifndef ISOLATE_CLI_RUN_IMAGE_H
#define ISOLATE_CLI_RUN_IMAGE_H

#include <stdbool.h>

#include "container.h"
#include "image/image.h"
#include "image_cli.h"

enum { CLI_OPT_PULL = 2100, CLI_OPT_ENTRYPOINT };

struct cli_run_image {
	const char *pull;               /* --pull policy; NULL: missing */
	const char *entrypoint;         /* --entrypoint */
	bool workdir_set;               /* -w */
	struct cli_pull_flags pull_flags;
	struct iso_store store;
	struct iso_image image;
	int gc_lock;
	char *record;                   /* "ID MANIFEST" for the state */
};

int cli_run_image_option(struct cli_run_image *ri, int opt, const char *arg,
			 struct iso_error *err);
/* Finds or pulls NAME, unpacks what is missing, and points the spec's
 * root at its layers and container ID's upper dir. */
int cli_run_image_prepare(struct cli_run_image *ri, const char *name, const char *id,
			  struct iso_spec *spec, struct iso_run_opts *opts, struct iso_error *err);
/* The image's config under the flags (after the spec is otherwise done). */
int cli_run_image_apply(struct cli_run_image *ri, char *const *args, struct iso_spec *spec,
			struct iso_error *err);
void cli_run_image_free(struct cli_run_image *ri);

#endif
