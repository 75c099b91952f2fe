/* Finding a value's place in JSON text again (see jsonpos.h for why).
 *
 * The walk reads only what jansson has already accepted, so it relies on
 * the text being well formed; it still checks every index against the
 * length, so that a wrong guess costs a wrong position, never a read past
 * the end. */
#include "jsonpos.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void iso_jpath_push_key(struct iso_jpath *p, const char *key)
{
	if (p->depth == ISO_JPATH_MAX) {
		p->dropped++;
		return;
	}
	p->steps[p->depth++] = (struct iso_jpath_step){ .key = key };
}

void iso_jpath_push_index(struct iso_jpath *p, size_t index)
{
	if (p->depth == ISO_JPATH_MAX) {
		p->dropped++;
		return;
	}
	p->steps[p->depth++] = (struct iso_jpath_step){ .index = index };
}

void iso_jpath_pop(struct iso_jpath *p)
{
	if (p->dropped > 0)
		p->dropped--;
	else if (p->depth > 0)
		p->depth--;
}

static bool plain_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

void iso_jpath_format(const struct iso_jpath *p, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->depth && n < size; i++) {
		const struct iso_jpath_step *s = &p->steps[i];
		char key[128];
		int w;

		if (s->key == NULL) {
			w = snprintf(buf + n, size - n, "[%zu]", s->index);
		} else if (plain_word(s->key)) {
			w = snprintf(buf + n, size - n, "%s%s", i > 0 ? "." : "", s->key);
		} else {
			iso_printable(s->key, key, sizeof(key));
			w = snprintf(buf + n, size - n, "[\"%s\"]", key);
		}
		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (p->dropped > 0 && n < size)
		snprintf(buf + n, size - n, "...");
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* From a string's opening quote to just past its closing one. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len && t[i] != '"'; i++)
		if (t[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* From a value's first character to just past its last. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
	size_t depth = 0;

	if (i < len && t[i] == '"')
		return skip_string(t, len, i);
	if (i < len && t[i] != '{' && t[i] != '[') {
		while (i < len && !strchr(",]} \t\n\r", t[i]))
			i++;
		return i;
	}
	while (i < len) {
		if (t[i] == '"') {
			i = skip_string(t, len, i);
			continue;
		}
		if (t[i] == '{' || t[i] == '[')
			depth++;
		else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

static int hex4(const char *t, size_t len, size_t i, unsigned int *out)
{
	*out = 0;
	for (size_t k = 0; k < 4; k++) {
		char c = i + k < len ? t[i + k] : '\0';
		unsigned int d = c >= '0' && c <= '9' ? (unsigned int)(c - '0')
				 : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
				 : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10) : 16;

		if (d == 16)
			return -1;
		*out = *out * 16 + d;
	}
	return 0;
}

static size_t utf8_encode(unsigned int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One character of the string at T[*I] decoded into OUT (its UTF-8 bytes,
 * escapes resolved); *I moves past it. */
static size_t decode_char(const char *t, size_t len, size_t *i, char out[4])
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned int cp, lo;
	const char *e;

	if (t[*i] != '\\' || *i + 1 >= len) {
		out[0] = t[(*i)++];
		return 1;
	}
	if (t[*i + 1] != 'u') {
		e = strchr(from, t[*i + 1]);
		*i += 2;
		out[0] = e != NULL ? to[e - from] : '?';
		return 1;
	}
	if (hex4(t, len, *i + 2, &cp) < 0) {
		*i += 2;
		out[0] = '?';
		return 1;
	}
	*i += 6;
	/* a surrogate pair: two escapes, one character */
	if (cp >= 0xd800 && cp < 0xdc00 && *i + 1 < len && t[*i] == '\\' && t[*i + 1] == 'u' &&
	    hex4(t, len, *i + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*i += 6;
	}
	return utf8_encode(cp, out);
}

/* Whether the string at T[*I] (its opening quote) is KEY, escapes decoded;
 * *I moves past its closing quote. */
static bool string_is(const char *t, size_t len, size_t *i, const char *key)
{
	size_t k = 0, end = skip_string(t, len, *i);
	bool same = true;

	for ((*i)++; *i < len && *i + 1 < end; ) {
		char c[4];
		size_t n = decode_char(t, len, i, c);

		if (same && strncmp(key + k, c, n) == 0 && strlen(key + k) >= n)
			k += n;
		else
			same = false;
	}
	*i = end;
	return same && key[k] == '\0';
}

/* The value of KEY in the object at T[I] ('{'), the last if it is given
 * twice; LEN when it has none. */
static size_t member(const char *t, size_t len, size_t i, const char *key)
{
	size_t found = len;

	if (i >= len || t[i] != '{')
		return len;
	i = skip_ws(t, len, i + 1);
	while (i < len && t[i] == '"') {
		bool match = string_is(t, len, &i, key);

		i = skip_ws(t, len, i);
		if (i >= len || t[i] != ':')
			return found;
		i = skip_ws(t, len, i + 1);
		if (match)
			found = i;
		i = skip_ws(t, len, skip_value(t, len, i));
		if (i >= len || t[i] != ',')
			break;
		i = skip_ws(t, len, i + 1);
	}
	return found;
}

/* Element INDEX of the array at T[I] ('['); LEN when it is shorter. */
static size_t element(const char *t, size_t len, size_t i, size_t index)
{
	if (i >= len || t[i] != '[')
		return len;
	i = skip_ws(t, len, i + 1);
	if (i < len && t[i] == ']')
		return len;
	for (size_t k = 0; i < len; k++) {
		if (k == index)
			return i;
		i = skip_ws(t, len, skip_value(t, len, i));
		if (i >= len || t[i] != ',')
			return len;
		i = skip_ws(t, len, i + 1);
	}
	return len;
}

/* The offset of the value at P, or of the deepest one on P that is there;
 * *FOUND steps of P were. */
static size_t locate_offset(const char *text, size_t len, const struct iso_jpath *p, size_t *found)
{
	size_t at = skip_ws(text, len, 0);

	*found = 0;
	for (size_t d = 0; d < p->depth; d++) {
		const struct iso_jpath_step *s = &p->steps[d];
		size_t next = s->key != NULL ? member(text, len, at, s->key)
					     : element(text, len, at, s->index);

		if (next >= len)
			break;
		at = next;
		(*found)++;
	}
	return at;
}

size_t iso_json_locate(const char *text, size_t len, const struct iso_jpath *p,
		       int *line, int *column)
{
	size_t found, at = locate_offset(text, len, p, &found);

	/* columns count characters, not bytes: UTF-8 continuation bytes
	 * (10xxxxxx) do not start one */
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < at && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
	return found;
}

int iso_json_verror(struct iso_error *err, const char *text, size_t len, const char *source,
		    const struct iso_jpath *p, const char *fmt, va_list ap)
{
	char path[256], msg[640];
	int line, column;

	iso_json_locate(text, len, p, &line, &column);
	iso_jpath_format(p, path, sizeof(path));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (path[0] == '\0')
		return iso_error_set(err, 0, "%s:%d:%d: %s", source, line, column, msg);
	return iso_error_set(err, 0, "%s:%d:%d: %s: %s", source, line, column, path, msg);
}

/* An integer token of TEXT at I (digits only: no sign, fraction or
 * exponent) above INT64_MAX and within uint64: its value and length. */
static bool big_u64_token(const char *t, size_t len, size_t i, uint64_t *value, size_t *n)
{
	char digits[24];
	char *end;

	*n = 0;
	while (i + *n < len && t[i + *n] >= '0' && t[i + *n] <= '9')
		(*n)++;
	/* what follows must end the number: not a fraction, an exponent or
	 * more of a longer token */
	if (*n < 19 || *n > 20 || t[i] == '0' ||
	    (i + *n < len && strchr(".eE+-", t[i + *n]) != NULL))
		return false;
	memcpy(digits, t + i, *n);
	digits[*n] = '\0';
	errno = 0;
	*value = strtoull(digits, &end, 10);
	return errno == 0 && *end == '\0' && *value > (uint64_t)INT64_MAX;
}

char *iso_json_fold_u64(const char *text, size_t len)
{
	char *copy = NULL;

	for (size_t i = 0; i < len; ) {
		uint64_t v;
		size_t n;
		char c = text[i];

		if (c == '"') {
			i = skip_string(text, len, i);
			continue;
		}
		/* the start of a number: not preceded by a part of one */
		if (c >= '0' && c <= '9' && (i == 0 || !strchr("0123456789.eE+-", text[i - 1])) &&
		    big_u64_token(text, len, i, &v, &n)) {
			if (copy == NULL) {
				copy = xmalloc(len + 1);
				memcpy(copy, text, len);
				copy[len] = '\0';
			}
			memset(copy + i, ' ', n);
			memcpy(copy + i, "-1", 2);
			i += n;
			continue;
		}
		i++;
	}
	return copy;
}

bool iso_json_big_u64(const char *text, size_t len, const struct iso_jpath *p, uint64_t *out)
{
	size_t found, n, at = locate_offset(text, len, p, &found);

	if (found != p->depth || p->dropped > 0 || at >= len)
		return false;
	return big_u64_token(text, len, at, out, &n);
}
