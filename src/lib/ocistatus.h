/* A container's state as OCI tools read it: the runtime-spec's state
 * (runtime.md "State"), which hooks get on their stdin, and the larger
 * object `runc state` prints, which podman, containerd and CRI-O parse. */
#ifndef ISOLATE_OCISTATUS_H
#define ISOLATE_OCISTATUS_H

#include <sys/types.h>
#include <time.h>

/* Borrowed strings; NULL ones are printed as "". */
struct iso_oci_state {
	const char *oci_version;
	const char *id;
	const char *status;             /* "creating", "created", "running", "stopped", "paused" */
	pid_t pid;                      /* in the runtime's pid namespace; 0: none */
	const char *bundle;             /* absolute */
	const char *annotations_json;   /* config.json's annotations object, or NULL */
	const char *created;            /* RFC 3339 with nanoseconds, UTC (iso_rfc3339_nano) */
	const char *owner;
	const char *rootfs;
};

/* The spec's state, compact, for a hook's stdin: ociVersion, id, status,
 * pid (left out when 0 or stopped), bundle, annotations (left out when
 * there are none, or when ANNOTATIONS_JSON is not a JSON object). */
char *iso_oci_state_json(const struct iso_oci_state *st);

/* What `runc state` prints, in its order and 2-space indent, without a
 * trailing newline: ociVersion, id, pid (always; 0 when stopped), status,
 * bundle, rootfs, created (Go's zero time when NULL, so that it still
 * parses as a time), annotations (left out when none), owner. */
char *iso_oci_state_json_runc(const struct iso_oci_state *st);

/* Go's RFC 3339 with nanoseconds in UTC, as runc writes "created":
 * "2024-05-01T09:03:04.12345Z" (trailing zeros of the fraction dropped, no
 * fraction when it is 0). */
#define ISO_RFC3339_NANO_MAX 40
void iso_rfc3339_nano(const struct timespec *ts, char out[ISO_RFC3339_NANO_MAX]);

#endif
