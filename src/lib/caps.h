/* The container's capabilities: docker's default set, --cap-add and
 * --cap-drop, and applying the sets in the container's first process. */
#ifndef ISOLATE_CAPS_H
#define ISOLATE_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* OCI process.capabilities, one bit per CAP_* number. */
struct iso_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

/* docker's default: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID
 * SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE. */
uint64_t iso_caps_docker_default(void);

/* Every capability this kernel knows. */
uint64_t iso_caps_all(void);

/* "NET_ADMIN", "cap_net_admin", "CAP_NET_ADMIN" -> its bit; "ALL" ->
 * iso_caps_all(). */
int iso_caps_parse(const char *name, uint64_t *bits, struct iso_error *err);

/* docker's rule for --cap-add/--cap-drop over the default set: ALL added
 * gives every capability but those dropped; ALL dropped starts from none;
 * else the default, minus the dropped, plus the added. */
uint64_t iso_caps_tweak(uint64_t add, bool add_all, uint64_t drop, bool drop_all);

/* In the container, before it changes its user: drops what is not in the
 * bounding set. */
int iso_caps_drop_bounding(const struct iso_caps *c, struct iso_error *err);

/* After the change of user: the permitted, effective and inheritable sets
 * (those the change left, for a user other than root: none), and the
 * ambient set cleared then raised to C's. */
int iso_caps_apply(const struct iso_caps *c, struct iso_error *err);

#endif
