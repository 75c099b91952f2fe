/* Values of docker's resource flags: sizes ("64m", "1.5g"), CPU counts
 * ("0.5"), CPU and memory-node lists ("0-3,7"), rlimits ("nofile=64:128")
 * and device rates ("/dev/sda:1mb"), each parsed with docker's rules and
 * refused with a message that names what was wrong. */
#ifndef ISOLATE_UNITS_H
#define ISOLATE_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* "64m", "64MB", "64MiB", "1.5g", "100": binary multiples as docker's
 * RAMInBytes; "-1" only when ALLOW_UNLIMITED (then *out is -1). */
int iso_parse_bytes(const char *s, bool allow_unlimited, int64_t *out, struct iso_error *err);

/* "0.5" -> 500000000: a number of CPUs in billionths, as docker's
 * NanoCPUs; at least 0.01. */
int iso_parse_cpus(const char *s, int64_t *nano, struct iso_error *err);

/* A signed decimal with full-string and range checks. */
int iso_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* A CPU or memory-node list ("0-3,7"); sets bit i of BITS (NBITS long)
 * for each member.  Syntax errors and members >= NBITS are refused. */
int iso_parse_cpu_list(const char *s, uint8_t *bits, size_t nbits, struct iso_error *err);

/* First member of WANT missing from HAVE, or -1 when WANT is a subset. */
long iso_cpu_list_first_missing(const uint8_t *want, const uint8_t *have, size_t nbits);

struct iso_rlimit {
	int resource;           /* RLIMIT_* */
	uint64_t soft, hard;    /* RLIM_INFINITY for unlimited */
};

/* "nofile=64", "nofile=64:128", "core=-1", "nproc=unlimited". */
int iso_parse_ulimit(const char *s, struct iso_rlimit *out, struct iso_error *err);

/* The rlimit's name as docker spells it ("nofile"), or NULL. */
const char *iso_rlimit_name(int resource);

struct iso_throttle {
	uint32_t major, minor;
	uint64_t rate;          /* bytes per second */
};

/* "PATH:RATE": PATH must be a block device; RATE a size as above. */
int iso_parse_throttle(const char *s, struct iso_throttle *out, struct iso_error *err);

/* "64MiB", "1GiB", "1536KiB", "1000 bytes": exact, for messages. */
void iso_format_bytes(int64_t bytes, char *buf, size_t len);

#endif
