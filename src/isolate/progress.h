/* The pull's progress display, fed by iso_registry_fetch_blobs.  On a
 * terminal each blob has one line, redrawn in place as it changes
 *
 *   a1b2c3d4e5f6: downloading  3.1MiB / 12.0MiB
 *   0f9e8d7c6b5a: already exists
 *
 * and elsewhere (a log, a pipe) a plain line is printed at each change of
 * state only, so that logs hold no byte counters.  Everything goes to
 * stderr: stdout is left to what the command prints for scripts. */
#ifndef ISOLATE_CLI_PROGRESS_H
#define ISOLATE_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "image/registry.h"

struct cli_progress;

/* A display for REQS on stderr, live when stderr is a terminal (and TERM
 * is not "dumb").  Lines are named by the first 12 hex digits of each
 * digest. */
struct cli_progress *cli_progress_new(const struct iso_blob_req *reqs, size_t n);
/* As cli_progress_new on OUT, live or not as asked (for tests). */
struct cli_progress *cli_progress_new_on(FILE *out, bool live, const struct iso_blob_req *reqs,
					 size_t n);
/* The iso_progress_fn: pass the display as its context. */
void cli_progress_event(void *ctx, size_t index, enum iso_progress_event ev, uint64_t done,
			uint64_t total);
/* Leaves the cursor below the display and frees it; NULL is fine. */
void cli_progress_free(struct cli_progress *p);

#endif
