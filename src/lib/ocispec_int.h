/* Shared by the parts of the config.json parser (ocispec*.c): the reading
 * context, and typed getters that name the value's path and place in
 * their messages.
 *
 * Every getter reads the member KEY of the object OBJ with KEY pushed on
 * the context's path, so that a message about it says
 * "config.json:14:9: process.args: expected an array of strings".  A
 * member that is absent or null is left as it was (Go's runtimes read
 * null as absent), and unknown members are never looked at: the spec
 * says to ignore them. */
#ifndef ISOLATE_OCISPEC_INT_H
#define ISOLATE_OCISPEC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "jsonpos.h"
#include "spec.h"

struct oci_ctx {
	const char *text;       /* the document as given (before folding), for positions */
	size_t len;
	const char *source;     /* "config.json" */
	const char *bundle;     /* absolute; NULL when there is none */
	struct iso_jpath path;  /* of the value being read */
	struct iso_error *err;
};

/* Parses TEXT (big uint64 numbers folded, see jsonpos.h) into *ROOT, which
 * must be an object. */
int oci_load(struct oci_ctx *c, json_t **root);

/* ERR filled for the value at the context's path; returns -1. */
int oci_fail(struct oci_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same with KEY pushed first (the path is left as is after a failure). */
int oci_fail_at(struct oci_ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A warning about the value at the context's path. */
void oci_warn(struct oci_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* S made printable and short, for quoting a value in a message. */
struct oci_shown { char s[80]; };
struct oci_shown oci_show(const char *s);

int oci_get_string(struct oci_ctx *c, json_t *obj, const char *key, char **out);
/* As oci_get_string, without a copy: the string while OBJ lives, or NULL. */
int oci_peek_string(struct oci_ctx *c, json_t *obj, const char *key, const char **out);
int oci_get_bool(struct oci_ctx *c, json_t *obj, const char *key, bool *out);
/* An integer from MIN to MAX; *PRESENT (may be NULL) says whether it was given. */
int oci_get_int(struct oci_ctx *c, json_t *obj, const char *key, int64_t min, int64_t max,
		bool *present, int64_t *out);
/* An unsigned integer up to 2^64-1. */
int oci_get_u64(struct oci_ctx *c, json_t *obj, const char *key, bool *present, uint64_t *out);
/* An array of strings into a new NULL-terminated vector (absent: *OUT as is). */
int oci_get_strv(struct oci_ctx *c, json_t *obj, const char *key, char ***out);

/* A required member: "KEY: required" at OBJ when it is absent or null. */
int oci_require(struct oci_ctx *c, json_t *obj, const char *key);

/* The member KEY, if there, must be an object: FN reads it with KEY on the path. */
typedef int (*oci_object_fn)(struct oci_ctx *c, json_t *obj, void *arg);
int oci_object(struct oci_ctx *c, json_t *obj, const char *key, oci_object_fn fn, void *arg);

/* The member KEY, if there, must be an array of objects: FN reads each
 * with KEY[i] on the path. */
typedef int (*oci_element_fn)(struct oci_ctx *c, json_t *elem, size_t i, void *arg);
int oci_each(struct oci_ctx *c, json_t *obj, const char *key, oci_element_fn fn, void *arg);

/* The member KEY names a feature isolate-oci does not have: an error when
 * it is there.  With IF_SET, only when it says something (a value other
 * than 0, false, "", [] or {} somewhere in it). */
int oci_unsupported(struct oci_ctx *c, json_t *obj, const char *key, bool if_set);

/* An absolute path (for messages about it: KEY on the path). */
int oci_check_absolute(struct oci_ctx *c, const char *key, const char *path);

/* The parts of config.json, each in its own file. */
int oci_parse_process(struct oci_ctx *c, json_t *obj, struct iso_process *p);
int oci_parse_linux(struct oci_ctx *c, json_t *obj, struct iso_spec *spec);
int oci_parse_resources(struct oci_ctx *c, json_t *obj, struct iso_resources *r);
int oci_parse_seccomp(struct oci_ctx *c, json_t *linux_obj, struct iso_linux *l);
int oci_parse_mounts(struct oci_ctx *c, json_t *root, struct iso_spec *spec);
int oci_parse_hooks(struct oci_ctx *c, json_t *root, struct iso_spec *spec);
int oci_parse_idmaps(struct oci_ctx *c, json_t *obj, const char *key, struct iso_idmap *maps,
		     size_t *n);

void oci_resources_init(struct iso_resources *r);

#endif
