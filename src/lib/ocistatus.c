#include "ocistatus.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at S, 0 if there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		   : (s[0] & 0xf0) == 0xe0 ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates, past U+10FFFF */
	if ((len == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (len == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (len == 4 && s[0] == 0xf0 && s[1] < 0x90) || (len == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* A JSON string of S, NULL as "".  A path need not be UTF-8: bytes that
 * are not become U+FFFD, as Go's encoder (runc's) does. */
static json_t *str(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	cleanup_free char *fixed = NULL;
	size_t n = 0;
	json_t *v = json_string((const char *)p);

	if (v != NULL)
		return v;
	fixed = xmalloc(strlen((const char *)p) * 3 + 1);
	while (*p != '\0') {
		size_t len = utf8_seq(p);

		if (len == 0) {
			memcpy(fixed + n, "\xef\xbf\xbd", 3);
			n += 3;
			p++;
		} else {
			memcpy(fixed + n, p, len);
			n += len;
			p += len;
		}
	}
	fixed[n] = '\0';
	return json_string(fixed);
}

/* The annotations object, when there is a non-empty one. */
static json_t *annotations(const char *text)
{
	json_t *obj;

	if (text == NULL)
		return NULL;
	obj = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(obj) || json_object_size(obj) == 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static char *dump(json_t *root, size_t flags)
{
	char *text = json_dumps(root, flags);

	if (text == NULL)
		abort();        /* jansson fails here only for want of memory */
	return text;
}

char *iso_oci_state_json(const struct iso_oci_state *st)
{
	cleanup_json json_t *root = json_object();
	json_t *ann = annotations(st->annotations_json);
	bool stopped = st->status != NULL && strcmp(st->status, "stopped") == 0;

	json_object_set_new(root, "ociVersion", str(st->oci_version));
	json_object_set_new(root, "id", str(st->id));
	json_object_set_new(root, "status", str(st->status));
	if (st->pid > 0 && !stopped)
		json_object_set_new(root, "pid", json_integer(st->pid));
	json_object_set_new(root, "bundle", str(st->bundle));
	if (ann != NULL)
		json_object_set_new(root, "annotations", ann);
	return dump(root, JSON_COMPACT);
}

char *iso_oci_state_json_runc(const struct iso_oci_state *st)
{
	cleanup_json json_t *root = json_object();
	json_t *ann = annotations(st->annotations_json);
	bool stopped = st->status != NULL && strcmp(st->status, "stopped") == 0;

	json_object_set_new(root, "ociVersion", str(st->oci_version));
	json_object_set_new(root, "id", str(st->id));
	json_object_set_new(root, "pid", json_integer(stopped || st->pid < 0 ? 0 : st->pid));
	json_object_set_new(root, "status", str(st->status));
	json_object_set_new(root, "bundle", str(st->bundle));
	json_object_set_new(root, "rootfs", str(st->rootfs));
	json_object_set_new(root, "created",
			    str(st->created != NULL ? st->created : "0001-01-01T00:00:00Z"));
	if (ann != NULL)
		json_object_set_new(root, "annotations", ann);
	json_object_set_new(root, "owner", str(st->owner));
	return dump(root, JSON_INDENT(2));
}

void iso_rfc3339_nano(const struct timespec *ts, char out[ISO_RFC3339_NANO_MAX])
{
	struct tm tm;
	time_t t = ts->tv_sec;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, ISO_RFC3339_NANO_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ts->tv_nsec > 0 && ts->tv_nsec < 1000000000L) {
		n += (size_t)snprintf(out + n, ISO_RFC3339_NANO_MAX - n, ".%09ld", ts->tv_nsec);
		while (out[n - 1] == '0')
			n--;
	}
	snprintf(out + n, ISO_RFC3339_NANO_MAX - n, "Z");
}
