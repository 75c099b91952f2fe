/* The image commands' shared pieces: the store the global --storage-root
 * names, and a pull with the progress display. */
#ifndef ISOLATE_CLI_IMAGE_H
#define ISOLATE_CLI_IMAGE_H

#include <stdbool.h>

#include "image/image.h"
#include "image/pull.h"
#include "image/store.h"

/* --storage-root, before the command; NULL: the default */
extern const char *cli_storage_root;

int cli_store_open(struct iso_store *s, struct iso_error *err);

/* The flags a pull takes (isolate pull, and run --pull). */
struct cli_pull_flags {
	const char *platform;
	const char *creds;
	const char *authfile;
	const char *registries_conf;
	bool tls_verify;
	bool quiet;
};

/* Pulls NAME, showing progress on stderr unless QUIET; *REC is the image. */
int cli_pull(struct iso_store *s, const char *name, const struct cli_pull_flags *f,
	     struct iso_image_rec *rec, struct iso_error *err);

/* getopt values of the pull flags, shared by pull and run */
enum {
	CLI_OPT_PLATFORM = 2000, CLI_OPT_TLS_VERIFY, CLI_OPT_CREDS, CLI_OPT_AUTHFILE,
	CLI_OPT_REGISTRIES_CONF,
};
/* Applies one of them; returns -1 with ERR on a bad value. */
int cli_pull_option(struct cli_pull_flags *f, int opt, const char *arg, struct iso_error *err);

#endif
