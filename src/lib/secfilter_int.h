/* The seccomp profile reader shared by docker's profile format
 * (secfilter_json.c) and OCI's linux.seccomp (ocispec_seccomp.c): one
 * JSON shape read with either side's rules.
 *
 *            unknown syscall   rule's ERRNO without errnoRet   errnoRet on ALLOW
 *   docker   an error          the profile's defaultErrnoRet  ignored
 *   OCI      skipped (runc)    EPERM (runc)                    an error (the spec)
 *
 * docker's includes/excludes and archMap are read in docker's form only;
 * OCI's flags and listenerPath by ocispec_seccomp.c. */
#ifndef ISOLATE_SECFILTER_INT_H
#define ISOLATE_SECFILTER_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "jsonpos.h"
#include "secfilter.h"

struct iso_seccomp_loader {
	bool oci;
	bool listener;          /* OCI with a listenerPath: SCMP_ACT_NOTIFY allowed */
	const char *source;
	/* OCI: the whole document as given, for positions in messages and
	 * for uint64 values jansson cannot hold (jsonpos.h) */
	const char *text;
	size_t len;
	uint64_t caps;          /* docker: the container's, for includes/excludes */
	struct iso_jpath path;  /* of the profile object, then of what is read */
	struct iso_error *err;
};

/* The profile object ROOT into S (zeroed by the caller). */
int iso_seccomp_load_profile(struct iso_seccomp_loader *ld, json_t *root, struct iso_seccomp *s);

#endif
