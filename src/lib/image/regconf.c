#include "regconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

char *iso_regconf_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		return xstrdup("/etc/isolate/registries.json");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/isolate/registries.json", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.config/isolate/registries.json", home);
	return NULL;
}

char *iso_registry_canonical(const char *host)
{
	char *s = xstrdup(host);

	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(s, "index.docker.io") == 0 || strcmp(s, ISO_DOCKER_HUB_API) == 0) {
		free(s);
		s = xstrdup("docker.io");
	}
	return s;
}

static bool port_valid(const char *p)
{
	size_t n = strspn(p, "0123456789");

	return n > 0 && n <= 5 && p[n] == '\0' && atoi(p) > 0 && atoi(p) <= 65535;
}

/* The address or name of "host[:port]" without brackets or port, in BUF. */
static bool host_name(const char *host, char *buf, size_t size)
{
	const char *end;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (end == NULL || (end[1] != '\0' && (end[1] != ':' || !port_valid(end + 2))))
			return false;
		host++;
	} else {
		end = strchr(host, ':');
		if (end == NULL)
			end = host + strlen(host);
		else if (!port_valid(end + 1))
			return false;
	}
	if (end == host || (size_t)(end - host) >= size)
		return false;
	memcpy(buf, host, (size_t)(end - host));
	buf[end - host] = '\0';
	return true;
}

bool iso_host_valid(const char *host)
{
	char name[256];
	unsigned char addr[16];

	if (!host_name(host, name, sizeof(name)))
		return false;
	if (host[0] == '[')
		return inet_pton(AF_INET6, name, addr) == 1;
	/* DNS labels: letters, digits and hyphens, dots between */
	if (name[0] == '.' || name[strlen(name) - 1] == '.' || strstr(name, "..") != NULL)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			return false;
	return true;
}

bool iso_host_is_loopback(const char *host)
{
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char name[256];
	unsigned char a[16];

	if (!host_name(host, name, sizeof(name)))
		return false;
	if (strcasecmp(name, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, name, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, name, a) == 1)
		return memcmp(a, in6addr_loopback.s6_addr, 16) == 0 ||
		       (memcmp(a, v4mapped, 12) == 0 && a[12] == 127);
	return false;
}

/* "a.b.c.d/n" or "v6/n" into an address, its family and prefix length. */
static bool cidr_parse(const char *s, int *family, unsigned char addr[16], unsigned *bits)
{
	const char *slash = strchr(s, '/');
	char ip[64];
	uint32_t n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(ip) || parse_u32(slash + 1, &n) < 0)
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (inet_pton(AF_INET, ip, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		*family = AF_INET6;
	else
		return false;
	*bits = n;
	return n <= (*family == AF_INET ? 32u : 128u);
}

static bool cidr_holds(const char *cidr, const char *name)
{
	unsigned char net[16], a[16];
	unsigned bits;
	int family;

	if (!cidr_parse(cidr, &family, net, &bits) || inet_pton(family, name, a) != 1)
		return false;
	for (unsigned i = 0; i < bits; i++) {
		unsigned char mask = (unsigned char)(0x80u >> (i % 8));

		if ((net[i / 8] & mask) != (a[i / 8] & mask))
			return false;
	}
	return true;
}

/* True when "host:port" or "[v6]:port" names a port. */
static bool host_has_port(const char *host)
{
	const char *bracket = strchr(host, ']');

	return bracket ? bracket[1] == ':' : strchr(host, ':') != NULL;
}

bool iso_regconf_is_insecure(const struct iso_regconf *c, const char *host)
{
	char name[256], ename[256];

	if (iso_host_is_loopback(host))
		return true;
	if (c == NULL || c->insecure == NULL || !host_name(host, name, sizeof(name)))
		return false;
	for (char **e = c->insecure; *e; e++) {
		if (strchr(*e, '/') != NULL) {
			if (cidr_holds(*e, name))
				return true;
		} else if (host_has_port(*e)) {
			if (strcasecmp(*e, host) == 0)
				return true;
		} else if (host_name(*e, ename, sizeof(ename)) && strcasecmp(ename, name) == 0) {
			return true;
		}
	}
	return false;
}

/* "[http[s]://]HOST[:PORT][/]": the scheme ("" without one) and host. */
static bool mirror_parse(const char *url, char **scheme, char **host)
{
	const char *rest = url, *slash;

	*scheme = NULL;
	*host = NULL;
	if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strstr(url, "://") != NULL)
		return false;
	slash = strchr(rest, '/');
	if (slash != NULL && strcmp(slash, "/") != 0)
		return false;
	*host = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	if (!iso_host_valid(*host)) {
		free(steal_ptr(host));
		return false;
	}
	*scheme = xstrndup(url, rest == url ? 0 : (size_t)(rest - url - 3));
	return true;
}

void iso_regconf_free(struct iso_regconf *c)
{
	for (size_t i = 0; i < c->n_mirrors; i++) {
		free(c->mirrors[i].registry);
		strv_free(c->mirrors[i].urls);
	}
	free(c->mirrors);
	strv_free(c->insecure);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static int parse_mirrors(struct iso_regconf *c, json_t *obj, const char *source,
			 struct iso_error *err)
{
	const char *key;
	json_t *list;

	if (!json_is_object(obj))
		return iso_error_set(err, 0, "registries config %s: \"mirrors\" must be an object of "
				     "registry: [URL, ...]", source);
	c->mirrors = xcalloc(json_object_size(obj), sizeof(*c->mirrors));
	json_object_foreach(obj, key, list) {
		struct iso_regmirrors *m = &c->mirrors[c->n_mirrors];
		size_t i;
		json_t *v;

		if (!iso_host_valid(key))
			return iso_error_set(err, 0, "registries config %s: mirrors of \"%s\": expected "
					     "a registry HOST[:PORT]", source, key);
		if (!json_is_array(list))
			return iso_error_set(err, 0, "registries config %s: mirrors of %s must be an "
					     "array of URLs", source, key);
		m->registry = iso_registry_canonical(key);
		c->n_mirrors++;
		for (size_t j = 0; j + 1 < c->n_mirrors; j++)
			if (strcmp(c->mirrors[j].registry, m->registry) == 0)
				return iso_error_set(err, 0, "registries config %s: mirrors of %s are "
						     "given twice", source, m->registry);
		m->urls = xcalloc(1, sizeof(char *));
		json_array_foreach(list, i, v) {
			cleanup_free char *scheme = NULL, *host = NULL;

			if (!json_is_string(v) || !mirror_parse(json_string_value(v), &scheme, &host))
				return iso_error_set(err, 0, "registries config %s: mirror %zu of %s: "
						     "expected [http[s]://]HOST[:PORT]", source, i + 1,
						     key);
			strv_push(&m->urls, json_string_value(v));
		}
	}
	return 0;
}

static int parse_insecure(struct iso_regconf *c, json_t *list, const char *source,
			  struct iso_error *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return iso_error_set(err, 0, "registries config %s: \"insecure\" must be an array of "
				     "HOST[:PORT] or CIDR", source);
	c->insecure = xcalloc(1, sizeof(char *));
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		unsigned char a[16];
		unsigned bits;
		int family;

		if (s == NULL || !(strchr(s, '/') ? cidr_parse(s, &family, a, &bits) : iso_host_valid(s)))
			return iso_error_set(err, 0, "registries config %s: insecure entry %zu: expected "
					     "HOST[:PORT] or a CIDR (no scheme)", source, i + 1);
		strv_push(&c->insecure, s);
	}
	return 0;
}

int iso_regconf_parse(struct iso_regconf *c, const char *text, size_t len, const char *source,
		      struct iso_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *key;
	int r = 0;

	memset(c, 0, sizeof(*c));
	if (root == NULL)
		return iso_error_set(err, 0, "registries config %s:%d:%d: %s", source, jerr.line,
				     jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return iso_error_set(err, 0, "registries config %s: expected an object", source);
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "mirrors") == 0)
			r = parse_mirrors(c, v, source, err);
		else if (strcmp(key, "insecure") == 0)
			r = parse_insecure(c, v, source, err);
		else
			r = iso_error_set(err, 0, "registries config %s: unknown key \"%s\" (expected "
					  "\"mirrors\" or \"insecure\")", source, key);
		if (r < 0)
			break;
	}
	json_decref(root);
	if (r < 0)
		iso_regconf_free(c);
	return r;
}

int iso_regconf_load(struct iso_regconf *c, const char *path, struct iso_error *err)
{
	cleanup_free char *def = path ? NULL : iso_regconf_default_path();
	cleanup_free char *text = NULL;
	const char *p = path ? path : def;
	size_t len;

	memset(c, 0, sizeof(*c));
	if (p == NULL)
		return 0;
	if (read_file_at(AT_FDCWD, p, &text, &len, err) < 0) {
		if (path == NULL && err->errnum == ENOENT) {
			iso_error_clear(err);
			return 0;
		}
		return iso_error_prefix(err, "registries config");
	}
	if (iso_regconf_parse(c, text, len, p, err) < 0)
		return -1;
	c->path = xstrdup(p);
	return 0;
}

static void endpoint_set(struct iso_endpoint *e, const struct iso_regconf *c, const char *host,
			 const char *scheme, bool tls_verify, bool insecure)
{
	insecure = insecure || !tls_verify || iso_regconf_is_insecure(c, host);
	e->host = xstrdup(host);
	e->https = scheme[0] == '\0' || strcmp(scheme, "https") == 0;
	e->http = strcmp(scheme, "http") == 0 || (scheme[0] == '\0' && insecure);
	e->verify = !insecure;
}

int iso_regconf_endpoints(const struct iso_regconf *c, const char *domain, bool tls_verify,
			  struct iso_endpoint **out, size_t *n, struct iso_error *err)
{
	cleanup_free char *canon = iso_registry_canonical(domain);
	const struct iso_regmirrors *m = NULL;
	struct iso_endpoint *e;
	size_t count = 0;

	if (!iso_host_valid(domain))
		return iso_error_set(err, 0, "registry \"%s\": expected HOST[:PORT]", domain);
	for (size_t i = 0; c != NULL && i < c->n_mirrors; i++)
		if (strcmp(c->mirrors[i].registry, canon) == 0)
			m = &c->mirrors[i];
	e = xcalloc(strv_len(m ? m->urls : NULL) + 1, sizeof(*e));
	for (size_t i = 0; m != NULL && m->urls[i] != NULL; i++) {
		cleanup_free char *scheme = NULL, *host = NULL;

		if (!mirror_parse(m->urls[i], &scheme, &host)) {
			iso_endpoints_free(e, count);
			return iso_error_set(err, 0, "mirror \"%s\": expected [http[s]://]HOST[:PORT]",
					     m->urls[i]);
		}
		endpoint_set(&e[count], c, host, scheme, tls_verify, false);
		e[count++].mirror = true;
	}
	if (strcmp(canon, "docker.io") == 0)
		endpoint_set(&e[count++], c, ISO_DOCKER_HUB_API, "", tls_verify,
			     iso_regconf_is_insecure(c, domain));
	else
		endpoint_set(&e[count++], c, domain, "", tls_verify, false);
	*out = e;
	*n = count;
	return 0;
}

void iso_endpoints_free(struct iso_endpoint *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++)
		free(e[i].host);
	free(e);
}

static bool url_chars(const char *s, const char *extra)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return false;
	return true;
}

char *iso_registry_url(const char *scheme, const char *host, const char *name, const char *kind,
		       const char *reference)
{
	if (!iso_host_valid(host) || !url_chars(name, "._-/") || !url_chars(reference, "._-:") ||
	    name[0] == '/' || strstr(name, "..") != NULL || strstr(name, "//") != NULL ||
	    reference[0] == '.')
		return NULL;
	return xasprintf("%s://%s/v2/%s/%s/%s", scheme, host, name, kind, reference);
}
