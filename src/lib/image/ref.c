#include "ref.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "util.h"

#define NAME_MAX_TOTAL 255
#define TAG_MAX 128

/* A path component: [a-z0-9]+ joined by one of ".", "_", "__" or any run
 * of "-". */
static bool valid_component(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0;

		while (i < n && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
			i++, run++;
		if (run == 0)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
		if (i == n)
			return false;
	}
	return n > 0;
}

static bool valid_path(const char *p)
{
	const char *start = p;

	for (;;) {
		const char *slash = strchr(start, '/');
		size_t n = slash ? (size_t)(slash - start) : strlen(start);

		if (!valid_component(start, n))
			return false;
		if (slash == NULL)
			return true;
		start = slash + 1;
	}
}

/* host[:port], where host is dot-separated labels of letters, digits and
 * inner hyphens, or a bracketed IPv6 address. */
static bool valid_domain(const char *d)
{
	const char *port = NULL;
	const char *p = d;

	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (close == NULL || close == p + 1)
			return false;
		for (const char *q = p + 1; q < close; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':')
				return false;
		p = close + 1;
		if (*p == '\0')
			return true;
		if (*p != ':')
			return false;
		port = p + 1;
	} else {
		size_t label = 0;

		for (; *p && *p != ':'; p++) {
			if (isalnum((unsigned char)*p)) {
				label++;
			} else if (*p == '-' && label > 0 && p[1] != '.' && p[1] != ':' && p[1]) {
				label++;
			} else if (*p == '.' && label > 0) {
				label = 0;
			} else {
				return false;
			}
		}
		if (label == 0)
			return false;
		if (*p == ':')
			port = p + 1;
	}
	if (port == NULL)
		return true;
	if (*port == '\0' || strlen(port) > 5)
		return false;
	for (const char *q = port; *q; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	return true;
}

static bool valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > TAG_MAX || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

/* docker's rule: the first component names a registry when it contains
 * "." or ":", is "localhost", or has an uppercase letter. */
static bool is_domain(const char *first, size_t n)
{
	if (n == 9 && strncmp(first, "localhost", 9) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (first[i] == '.' || first[i] == ':' || isupper((unsigned char)first[i]))
			return true;
	return false;
}

static int split_name(struct iso_imgref *ref, const char *name, const char *input,
		      struct iso_error *err)
{
	const char *slash = strchr(name, '/');

	if (slash && is_domain(name, (size_t)(slash - name))) {
		ref->domain = xstrndup(name, (size_t)(slash - name));
		ref->path = xstrdup(slash + 1);
	} else {
		ref->domain = xstrdup(ISO_DEFAULT_REGISTRY);
		ref->path = xstrdup(name);
	}
	if (strcmp(ref->domain, "index.docker.io") == 0) {
		free(ref->domain);
		ref->domain = xstrdup(ISO_DEFAULT_REGISTRY);
	}
	/* "docker.io/busybox" is the official image, as "busybox" is */
	if (strcmp(ref->domain, ISO_DEFAULT_REGISTRY) == 0 && strchr(ref->path, '/') == NULL) {
		char *official = xasprintf("library/%s", ref->path);

		free(ref->path);
		ref->path = official;
	}
	if (!valid_domain(ref->domain))
		return iso_error_set(err, 0, "invalid reference \"%s\": bad registry \"%s\"",
				     input, ref->domain);
	for (const char *p = ref->path; *p; p++)
		if (isupper((unsigned char)*p))
			return iso_error_set(err, 0, "invalid reference \"%s\": repository name must be lowercase",
					     input);
	if (!valid_path(ref->path))
		return iso_error_set(err, 0, "invalid reference \"%s\": bad repository name \"%s\"",
				     input, ref->path);
	if (strlen(ref->domain) + 1 + strlen(ref->path) > NAME_MAX_TOTAL)
		return iso_error_set(err, 0, "invalid reference \"%.64s...\": name longer than %d characters",
				     input, NAME_MAX_TOTAL);
	return 0;
}

/* 64 lowercase hex digits: what docker shows as an image id */
static bool is_full_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == ISO_DIGEST_HEXLEN && s[n] == '\0';
}

int iso_imgref_parse(const char *s, struct iso_imgref *ref, struct iso_error *err)
{
	cleanup_free char *name = NULL;
	const char *at, *last_slash, *colon;

	memset(ref, 0, sizeof(*ref));
	if (s == NULL || *s == '\0')
		return iso_error_set(err, 0, "invalid reference: empty image name");
	/* docker refuses these as names: they would be taken for image ids */
	if (is_full_id(s))
		return iso_error_set(err, 0, "invalid reference \"%s\": a repository name cannot be 64 hexadecimal digits (an image id)",
				     s);
	at = strchr(s, '@');
	name = at ? xstrndup(s, (size_t)(at - s)) : xstrdup(s);
	if (at) {
		cleanup_free char *what = xasprintf("invalid reference \"%s\"", s);

		if (iso_digest_check(at + 1, what, err) < 0)
			return -1;
		ref->digest = xstrdup(at + 1);
	}
	last_slash = strrchr(name, '/');
	colon = strrchr(name, ':');
	if (colon && (last_slash == NULL || colon > last_slash)) {
		if (!valid_tag(colon + 1)) {
			iso_imgref_free(ref);
			return iso_error_set(err, 0, "invalid reference \"%s\": bad tag \"%s\"", s, colon + 1);
		}
		ref->tag = xstrdup(colon + 1);
		name[colon - name] = '\0';
	}
	if (name[0] == '\0') {
		iso_imgref_free(ref);
		return iso_error_set(err, 0, "invalid reference \"%s\": empty repository name", s);
	}
	if (split_name(ref, name, s, err) < 0) {
		iso_imgref_free(ref);
		return -1;
	}
	if (ref->tag == NULL && ref->digest == NULL)
		ref->tag = xstrdup("latest");
	return 0;
}

void iso_imgref_free(struct iso_imgref *ref)
{
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

char *iso_imgref_name(const struct iso_imgref *ref)
{
	return xasprintf("%s/%s", ref->domain, ref->path);
}

static char *with_suffix(const char *name, const struct iso_imgref *ref)
{
	return xasprintf("%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "",
			 ref->digest ? "@" : "", ref->digest ? ref->digest : "");
}

char *iso_imgref_string(const struct iso_imgref *ref)
{
	cleanup_free char *name = iso_imgref_name(ref);

	return with_suffix(name, ref);
}

char *iso_imgref_familiar(const struct iso_imgref *ref)
{
	cleanup_free char *name = NULL;

	if (strcmp(ref->domain, ISO_DEFAULT_REGISTRY) != 0)
		name = iso_imgref_name(ref);
	else if (strncmp(ref->path, "library/", 8) == 0 && strchr(ref->path + 8, '/') == NULL)
		name = xstrdup(ref->path + 8);
	else
		name = xstrdup(ref->path);
	return with_suffix(name, ref);
}

const char *iso_imgref_reference(const struct iso_imgref *ref)
{
	return ref->digest ? ref->digest : ref->tag;
}
