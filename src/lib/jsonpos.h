/* Where a value is in JSON text, for messages that point at it.
 *
 * jansson parses a document into values that do not remember where they
 * were: only a syntax error comes with a line and a column.  A message
 * about a value of the wrong type or out of range ("process.args:
 * expected an array of strings") is only half as useful without them, so
 * the parser keeps the path it has walked down (keys and indexes) and,
 * when it has something to say, this module finds that path again in the
 * text by a walk over its tokens.
 *
 * It also works around jansson's integers, which are signed 64-bit: OCI
 * writes uint64 values (rlimits, seccomp arguments) up to 2^64-1 as plain
 * numbers, which jansson refuses as "too big integer". */
#ifndef ISOLATE_JSONPOS_H
#define ISOLATE_JSONPOS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ISO_JPATH_MAX 16

struct iso_jpath_step {
	const char *key;        /* NULL: an array index */
	size_t index;
};

/* The keys are borrowed: they must outlive the path (string literals, or
 * jansson's keys while the document is alive). */
struct iso_jpath {
	struct iso_jpath_step steps[ISO_JPATH_MAX];
	size_t depth;
	size_t dropped;         /* steps pushed past ISO_JPATH_MAX, not kept */
};

void iso_jpath_push_key(struct iso_jpath *p, const char *key);
void iso_jpath_push_index(struct iso_jpath *p, size_t index);
void iso_jpath_pop(struct iso_jpath *p);

/* "linux.namespaces[2].type"; a key that is not a plain word (a sysctl,
 * an annotation) as ["net.ipv4.ip_forward"]; "" for the top. */
void iso_jpath_format(const struct iso_jpath *p, char *buf, size_t size);

/* The line and column (from 1, in characters, as jansson counts them) at
 * which the value at P starts in TEXT, a document jansson has accepted.
 * When P goes further than the document (a key that is missing), the place
 * of the deepest value on P that is there.  Returns how many steps of P
 * were found.  Of keys given twice, the last counts, as in jansson. */
size_t iso_json_locate(const char *text, size_t len, const struct iso_jpath *p,
		       int *line, int *column);

/* Fills ERR with "SOURCE:LINE:COLUMN: PATH: <fmt>" for the value at P. */
int iso_json_verror(struct iso_error *err, const char *text, size_t len, const char *source,
		    const struct iso_jpath *p, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* A copy of TEXT in which every integer between 2^63 and 2^64-1 (outside
 * strings) is replaced by "-1" padded with spaces to the same length, so
 * that jansson accepts it and every line and column stays where it was;
 * NULL when TEXT has none.  A reader that finds a negative number where
 * an unsigned one belongs asks iso_json_big_u64 for the real value. */
char *iso_json_fold_u64(const char *text, size_t len);

/* True when the value at P in TEXT (the document before folding) is an
 * integer above INT64_MAX: its value in *OUT. */
bool iso_json_big_u64(const char *text, size_t len, const struct iso_jpath *p, uint64_t *out);

#endif
