/* An OCI bundle's config.json (runtime-spec 1.2) into the container spec,
 * for isolate-oci.
 *
 * A malformed file is refused with jansson's line, column and text; a
 * value of the wrong type, out of range or unknown with its path and
 * place ("config.json:20:17: linux.namespaces[2].type: unknown namespace
 * \"foo\""); a feature isolate-oci does not have with "PATH: not
 * supported by isolate-oci", never skipped.  Unknown fields are ignored,
 * as the spec asks.  Errors have exit status 125. */
#ifndef ISOLATE_OCISPEC_H
#define ISOLATE_OCISPEC_H

#include <stddef.h>

#include "error.h"
#include "spec.h"

/* config.json text into a new spec; SOURCE names the file in messages
 * ("config.json"); BUNDLE (absolute) resolves a relative root.path and
 * relative bind sources. */
int iso_oci_spec_parse(const char *text, size_t len, const char *source, const char *bundle,
		       struct iso_spec **out, struct iso_error *err);

/* Reads BUNDLE/config.json (BUNDLE made absolute with realpath). */
int iso_oci_spec_load(const char *bundle, struct iso_spec **out, struct iso_error *err);

/* A process object alone (runc exec --process FILE) into *OUT (zeroed
 * first; free with iso_process_clear). */
int iso_oci_process_parse(const char *text, size_t len, const char *source,
			  struct iso_process *out, struct iso_error *err);
void iso_process_clear(struct iso_process *p);

/* A linux.resources object alone (runc update --resources FILE) into *OUT
 * (initialised to ISO_UNSET like iso_spec_new does; free with
 * iso_resources_clear). */
int iso_oci_resources_parse(const char *text, size_t len, const char *source,
			    struct iso_resources *out, struct iso_error *err);
void iso_resources_clear(struct iso_resources *r);

#endif
