/* The typed getters of the config.json parser (see ocispec_int.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ocispec_int.h"
#include "util.h"

int oci_load(struct oci_ctx *c, json_t **root)
{
	cleanup_free char *folded = iso_json_fold_u64(c->text, c->len);
	json_error_t jerr;

	*root = json_loadb(folded != NULL ? folded : c->text, c->len, 0, &jerr);
	if (*root == NULL)
		return iso_error_set(c->err, 0, "%s:%d:%d: %s", c->source, jerr.line, jerr.column,
				     jerr.text);
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return oci_fail(c, "expected an object");
	}
	return 0;
}

int oci_fail(struct oci_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	iso_json_verror(c->err, c->text, c->len, c->source, &c->path, fmt, ap);
	va_end(ap);
	return -1;
}

int oci_fail_at(struct oci_ctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;

	iso_jpath_push_key(&c->path, key);
	va_start(ap, fmt);
	iso_json_verror(c->err, c->text, c->len, c->source, &c->path, fmt, ap);
	va_end(ap);
	return -1;
}

void oci_warn(struct oci_ctx *c, const char *fmt, ...)
{
	struct iso_error w;
	va_list ap;

	va_start(ap, fmt);
	iso_json_verror(&w, c->text, c->len, c->source, &c->path, fmt, ap);
	va_end(ap);
	iso_log(ISO_LOG_WARN, "%s", w.msg);
}

struct oci_shown oci_show(const char *s)
{
	struct oci_shown out;

	iso_printable(s, out.s, sizeof(out.s));
	return out;
}

/* OBJ's member KEY; null reads as absent. */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

int oci_peek_string(struct oci_ctx *c, json_t *obj, const char *key, const char **out)
{
	json_t *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return oci_fail_at(c, key, "expected a string");
	*out = json_string_value(v);
	return 0;
}

int oci_get_string(struct oci_ctx *c, json_t *obj, const char *key, char **out)
{
	const char *s = NULL;

	if (oci_peek_string(c, obj, key, &s) < 0)
		return -1;
	if (s != NULL) {
		free(*out);
		*out = xstrdup(s);
	}
	return 0;
}

int oci_get_bool(struct oci_ctx *c, json_t *obj, const char *key, bool *out)
{
	json_t *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return oci_fail_at(c, key, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

int oci_get_int(struct oci_ctx *c, json_t *obj, const char *key, int64_t min, int64_t max,
		bool *present, int64_t *out)
{
	json_t *v = member(obj, key);
	uint64_t big;
	int64_t x;

	if (present != NULL)
		*present = v != NULL;
	if (v == NULL)
		return 0;
	iso_jpath_push_key(&c->path, key);
	if (!json_is_integer(v))
		return oci_fail(c, "expected an integer");
	x = json_integer_value(v);
	if (x < 0 && iso_json_big_u64(c->text, c->len, &c->path, &big))
		return oci_fail(c, "%llu is out of range (%lld to %lld)", (unsigned long long)big,
				(long long)min, (long long)max);
	if (x < min || x > max)
		return oci_fail(c, "%lld is out of range (%lld to %lld)", (long long)x,
				(long long)min, (long long)max);
	iso_jpath_pop(&c->path);
	*out = x;
	return 0;
}

int oci_get_u64(struct oci_ctx *c, json_t *obj, const char *key, bool *present, uint64_t *out)
{
	json_t *v = member(obj, key);
	uint64_t x;

	if (present != NULL)
		*present = v != NULL;
	if (v == NULL)
		return 0;
	iso_jpath_push_key(&c->path, key);
	if (!json_is_integer(v))
		return oci_fail(c, "expected an integer from 0 to %llu", (unsigned long long)UINT64_MAX);
	x = (uint64_t)json_integer_value(v);
	if (json_integer_value(v) < 0 && !iso_json_big_u64(c->text, c->len, &c->path, &x))
		return oci_fail(c, "%lld is out of range (0 to %llu)", (long long)json_integer_value(v),
				(unsigned long long)UINT64_MAX);
	iso_jpath_pop(&c->path);
	*out = x;
	return 0;
}

int oci_get_strv(struct oci_ctx *c, json_t *obj, const char *key, char ***out)
{
	json_t *v = member(obj, key), *e;
	cleanup_strv char **list = NULL;
	size_t i;

	if (v == NULL)
		return 0;
	iso_jpath_push_key(&c->path, key);
	if (!json_is_array(v))
		return oci_fail(c, "expected an array of strings");
	list = xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			iso_jpath_push_index(&c->path, i);
			return oci_fail(c, "expected a string");
		}
		list[i] = xstrdup(json_string_value(e));
	}
	iso_jpath_pop(&c->path);
	strv_free(*out);
	*out = steal_ptr(&list);
	return 0;
}

int oci_require(struct oci_ctx *c, json_t *obj, const char *key)
{
	if (member(obj, key) == NULL)
		return oci_fail_at(c, key, "required");
	return 0;
}

int oci_object(struct oci_ctx *c, json_t *obj, const char *key, oci_object_fn fn, void *arg)
{
	json_t *v = member(obj, key);

	if (v == NULL)
		return 0;
	iso_jpath_push_key(&c->path, key);
	if (!json_is_object(v))
		return oci_fail(c, "expected an object");
	if (fn(c, v, arg) < 0)
		return -1;
	iso_jpath_pop(&c->path);
	return 0;
}

int oci_each(struct oci_ctx *c, json_t *obj, const char *key, oci_element_fn fn, void *arg)
{
	json_t *v = member(obj, key), *e;
	size_t i;

	if (v == NULL)
		return 0;
	iso_jpath_push_key(&c->path, key);
	if (!json_is_array(v))
		return oci_fail(c, "expected an array");
	json_array_foreach(v, i, e) {
		iso_jpath_push_index(&c->path, i);
		if (!json_is_object(e))
			return oci_fail(c, "expected an object");
		if (fn(c, e, i, arg) < 0)
			return -1;
		iso_jpath_pop(&c->path);
	}
	iso_jpath_pop(&c->path);
	return 0;
}

/* Whether V asks for anything: not null, false, 0, "", [] or an object
 * of such. */
static bool says_something(json_t *v)
{
	const char *k;
	json_t *m;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, k, m)
			if (says_something(m))
				return true;
		return false;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return true;
	default:
		return false;
	}
}

int oci_unsupported(struct oci_ctx *c, json_t *obj, const char *key, bool if_set)
{
	json_t *v = member(obj, key);

	if (v == NULL || (if_set && !says_something(v)))
		return 0;
	return oci_fail_at(c, key, "not supported by isolate-oci");
}

int oci_check_absolute(struct oci_ctx *c, const char *key, const char *path)
{
	if (path[0] != '/')
		return oci_fail_at(c, key, "\"%s\" is not an absolute path", oci_show(path).s);
	return 0;
}
