/* jansson values owned by a scope: `cleanup_json json_t *v = ...;` is
 * released (json_decref) when the scope ends. */
#ifndef ISOLATE_JSONUTIL_H
#define ISOLATE_JSONUTIL_H

#include <jansson.h>

static inline void iso_json_decrefp(json_t **j)
{
	json_decref(*j);
}

#define cleanup_json __attribute__((cleanup(iso_json_decrefp)))

#endif
