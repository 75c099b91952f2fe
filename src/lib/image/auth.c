#include "auth.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "regconf.h"
#include "util.h"

/* ---- WWW-Authenticate (RFC 9110 section 11.6.1) ---- */

static bool is_tchar(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token at P (its length), or 0. */
static size_t token_len(const char *p)
{
	size_t n = 0;

	while (is_tchar(p[n]))
		n++;
	return n;
}

/* A quoted string at *P (opening quote included), unescaped; *P moves past
 * it.  NULL when it does not end. */
static char *quoted_string(const char **p)
{
	const char *s = *p + 1;
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s != '"'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		if (*s == '\0') {
			free(out);
			return NULL;
		}
		*o++ = *s;
	}
	*o = '\0';
	*p = s + 1;
	return out;
}

/* True when P starts an auth-param (token BWS "="), not a new challenge
 * or a token68 ("abc==", whose '=' are followed by more '=' or the end). */
static bool at_param(const char *p)
{
	size_t n = token_len(p);
	const char *q;

	if (n == 0)
		return false;
	q = skip_ws(p + n);
	return *q == '=' && q[1] != '=';
}

static void keep_param(struct iso_auth_challenge *c, const char *name, size_t n, char *value)
{
	char **slot = NULL;

	if (n == 5 && strncasecmp(name, "realm", 5) == 0)
		slot = &c->realm;
	else if (n == 7 && strncasecmp(name, "service", 7) == 0)
		slot = &c->service;
	else if (n == 5 && strncasecmp(name, "scope", 5) == 0)
		slot = &c->scope;
	if (slot != NULL && *slot == NULL)
		*slot = value;
	else
		free(value);
}

/* Parses the params of one challenge at *P into C (C may be a scratch
 * challenge of an unknown scheme); *P ends at the next challenge. */
static int parse_params(const char **p, struct iso_auth_challenge *c, const char *value,
			struct iso_error *err)
{
	const char *s = *p;

	for (;;) {
		const char *name;
		size_t n;
		char *v;

		s = skip_ws(s);
		while (*s == ',')
			s = skip_ws(s + 1);
		if (*s == '\0' || !at_param(s))
			break;
		name = s;
		n = token_len(s);
		s = skip_ws(skip_ws(s + n) + 1);
		if (*s == '"') {
			v = quoted_string(&s);
			if (v == NULL)
				return iso_error_set(err, 0, "WWW-Authenticate \"%s\": unterminated "
						     "quoted string", value);
		} else if (token_len(s) > 0) {
			v = xstrndup(s, token_len(s));
			s += token_len(s);
		} else {
			return iso_error_set(err, 0, "WWW-Authenticate \"%s\": parameter %.*s has "
					     "no value", value, (int)n, name);
		}
		keep_param(c, name, n, v);
		s = skip_ws(s);
		if (*s != ',' && *s != '\0')
			return iso_error_set(err, 0, "WWW-Authenticate \"%s\": expected ',' after "
					     "parameter %.*s", value, (int)n, name);
	}
	*p = s;
	return 0;
}

int iso_auth_parse_challenge(const char *value, struct iso_auth_challenge *c,
			     struct iso_error *err)
{
	struct iso_auth_challenge bearer = { 0 }, basic = { 0 };
	const char *p = value;

	memset(c, 0, sizeof(*c));
	for (;;) {
		struct iso_auth_challenge cur = { 0 };
		struct iso_auth_challenge *into = &cur;
		size_t n;

		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (*p == '\0')
			break;
		n = token_len(p);
		if (n == 0) {
			iso_auth_challenge_free(&bearer);
			iso_auth_challenge_free(&basic);
			return iso_error_set(err, 0, "WWW-Authenticate \"%s\": expected an "
					     "authentication scheme at \"%s\"", value, p);
		}
		if (n == 6 && strncasecmp(p, "Bearer", 6) == 0 && bearer.scheme == ISO_AUTH_NONE)
			into = &bearer, bearer.scheme = ISO_AUTH_BEARER;
		else if (n == 5 && strncasecmp(p, "Basic", 5) == 0 && basic.scheme == ISO_AUTH_NONE)
			into = &basic, basic.scheme = ISO_AUTH_BASIC;
		p += n;
		/* a token68 credential of another scheme is skipped whole */
		if (*skip_ws(p) != '\0' && !at_param(skip_ws(p)) && *skip_ws(p) != ',') {
			p = skip_ws(p);
			p += strcspn(p, ",");
		}
		if (parse_params(&p, into, value, err) < 0) {
			iso_auth_challenge_free(&cur);
			iso_auth_challenge_free(&bearer);
			iso_auth_challenge_free(&basic);
			return -1;
		}
		iso_auth_challenge_free(&cur);
	}
	if (bearer.scheme == ISO_AUTH_BEARER && bearer.realm != NULL) {
		iso_auth_challenge_free(&basic);
		*c = bearer;
		return 0;
	}
	if (basic.scheme == ISO_AUTH_BASIC) {
		iso_auth_challenge_free(&bearer);
		*c = basic;
		return 0;
	}
	if (bearer.scheme == ISO_AUTH_BEARER) {
		iso_auth_challenge_free(&bearer);
		return iso_error_set(err, 0, "WWW-Authenticate \"%s\": Bearer challenge without a "
				     "realm", value);
	}
	return iso_error_set(err, 0, "WWW-Authenticate \"%s\": no Bearer or Basic challenge",
			     value);
}

void iso_auth_challenge_free(struct iso_auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

/* ---- credentials ---- */

int iso_creds_parse(const char *s, struct iso_creds *c, struct iso_error *err)
{
	const char *colon = strchr(s, ':');

	memset(c, 0, sizeof(*c));
	if (colon == NULL || colon == s)
		return iso_error_set(err, 0, "credentials: expected USER:PASSWORD");
	c->user = xstrndup(s, (size_t)(colon - s));
	c->pass = xstrdup(colon + 1);
	return 0;
}

void iso_creds_free(struct iso_creds *c)
{
	free(c->user);
	if (c->pass != NULL) {
		explicit_bzero(c->pass, strlen(c->pass));
		free(c->pass);
	}
	memset(c, 0, sizeof(*c));
}

char *iso_creds_basic(const struct iso_creds *c)
{
	cleanup_free char *joined = xasprintf("%s:%s", c->user, c->pass);
	char *b64 = iso_base64_encode(joined, strlen(joined));

	explicit_bzero(joined, strlen(joined));
	return b64;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *iso_base64_encode(const void *buf, size_t len)
{
	const unsigned char *in = buf;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int iso_base64_decode(const char *s, char **out, size_t *len)
{
	size_t n = strlen(s), pad = 0, o = 0;
	uint32_t acc = 0;
	unsigned char *buf;

	while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
		pad++;
	if ((pad > 0 && n % 4 != 0) || (n - pad) % 4 == 1)
		return -1;
	n -= pad;
	buf = xmalloc(n / 4 * 3 + 3);
	for (size_t i = 0; i < n; i++) {
		const char *at = s[i] ? strchr(b64_alphabet, s[i]) : NULL;

		if (at == NULL) {
			free(buf);
			return -1;
		}
		acc = acc << 6 | (uint32_t)(at - b64_alphabet);
		if (i % 4 == 3) {
			buf[o++] = (unsigned char)(acc >> 16);
			buf[o++] = (unsigned char)(acc >> 8);
			buf[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (n % 4 == 2) {
		buf[o++] = (unsigned char)(acc >> 4);
	} else if (n % 4 == 3) {
		buf[o++] = (unsigned char)(acc >> 10);
		buf[o++] = (unsigned char)(acc >> 2);
	}
	buf[o] = '\0';
	*out = (char *)buf;
	*len = o;
	return 0;
}

/* ---- auth files ---- */

char **iso_auth_file_paths(const char *explicit_path)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *run = getenv("XDG_RUNTIME_DIR");
	const char *docker = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char **v = xcalloc(1, sizeof(char *));

	if (explicit_path != NULL)
		strv_push(&v, explicit_path);
	if (env != NULL && env[0] != '\0')
		strv_push(&v, env);
	if (run != NULL && run[0] == '/')
		strv_push_owned(&v, xasprintf("%s/containers/auth.json", run));
	if (docker != NULL && docker[0] != '\0')
		strv_push_owned(&v, xasprintf("%s/config.json", docker));
	if (home != NULL && home[0] == '/')
		strv_push_owned(&v, xasprintf("%s/.docker/config.json", home));
	return v;
}

/* An auths key ("https://index.docker.io/v1/", "host:5000") as the
 * canonical registry host it names. */
static char *key_host(const char *key)
{
	const char *p = key;
	cleanup_free char *host = NULL;

	if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	host = xstrndup(p, strcspn(p, "/"));
	return iso_registry_canonical(host);
}

static int entry_creds(json_t *entry, const char *path, const char *key, struct iso_creds *c,
		       bool *found, struct iso_error *err)
{
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *user = json_string_value(json_object_get(entry, "username"));
	const char *pass = json_string_value(json_object_get(entry, "password"));
	cleanup_free char *plain = NULL;
	size_t len;
	int r;

	if (auth != NULL && auth[0] != '\0') {
		if (iso_base64_decode(auth, &plain, &len) < 0)
			return iso_error_set(err, 0, "auth file %s: entry %s: \"auth\" is not base64",
					     path, key);
		if (strlen(plain) != len || strchr(plain, ':') == NULL || plain[0] == ':') {
			explicit_bzero(plain, len);
			return iso_error_set(err, 0, "auth file %s: entry %s: \"auth\" does not "
					     "decode to USER:PASSWORD", path, key);
		}
		r = iso_creds_parse(plain, c, err);
		explicit_bzero(plain, len);
		*found = r == 0;
		return r;
	}
	if (user != NULL && user[0] != '\0' && pass != NULL) {
		c->user = xstrdup(user);
		c->pass = xstrdup(pass);
		*found = true;
	}
	/* an empty entry: credentials kept by a helper isolate does not run */
	return 0;
}

int iso_auth_file_read(const char *path, bool must_exist, const char *host,
		       struct iso_creds *c, bool *found, struct iso_error *err)
{
	cleanup_free char *text = NULL, *want = iso_registry_canonical(host);
	json_error_t jerr;
	json_t *root, *auths, *entry;
	const char *key;
	size_t len;
	int r = 0;

	memset(c, 0, sizeof(*c));
	*found = false;
	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0) {
		if (!must_exist && err->errnum == ENOENT) {
			iso_error_clear(err);
			return 0;
		}
		return iso_error_prefix(err, "auth file");
	}
	root = json_loadb(text, len, 0, &jerr);
	explicit_bzero(text, len);
	if (root == NULL)
		return iso_error_set(err, 0, "auth file %s:%d:%d: %s", path, jerr.line, jerr.column,
				     jerr.text);
	auths = json_object_get(root, "auths");
	if (!json_is_object(root) || (auths != NULL && !json_is_object(auths))) {
		json_decref(root);
		return iso_error_set(err, 0, "auth file %s: expected {\"auths\": {HOST: {\"auth\": "
				     "...}}}", path);
	}
	json_object_foreach(auths, key, entry) {
		cleanup_free char *h = key_host(key);

		if (strcmp(h, want) != 0)
			continue;
		if (!json_is_object(entry))
			r = iso_error_set(err, 0, "auth file %s: entry %s is not an object", path, key);
		else
			r = entry_creds(entry, path, key, c, found, err);
		if (r < 0 || *found)
			break;
	}
	json_decref(root);
	return r;
}

int iso_auth_lookup(const char *explicit_path, const char *host, struct iso_creds *c, bool *found,
		    struct iso_error *err)
{
	cleanup_strv char **paths = iso_auth_file_paths(explicit_path);

	*found = false;
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; paths[i] != NULL; i++) {
		bool must = explicit_path != NULL && i == 0;

		if (iso_auth_file_read(paths[i], must, host, c, found, err) < 0)
			return -1;
		if (*found)
			return 0;
	}
	return 0;
}

/* ---- tokens ---- */

static void append_escaped(char **url, const char *name, const char *value)
{
	size_t n = strlen(*url), cap = n + strlen(name) + 3 * strlen(value) + 3;
	char *p;

	*url = xrealloc(*url, cap);
	p = *url + n;
	p += sprintf(p, "%s", name);
	for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
		if (isalnum(*v) || strchr("-._~", *v) != NULL)
			*p++ = (char)*v;
		else
			p += sprintf(p, "%%%02X", *v);
	}
	*p = '\0';
}

char *iso_auth_token_url(const char *realm, const char *service, const char *scope)
{
	char *url = xstrdup(realm);
	bool query = strchr(realm, '?') != NULL;

	if (service != NULL) {
		append_escaped(&url, query ? "&service=" : "?service=", service);
		query = true;
	}
	if (scope != NULL)
		append_escaped(&url, query ? "&scope=" : "?scope=", scope);
	return url;
}

int iso_auth_token_parse(const char *body, size_t len, char **token, struct iso_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);
	const char *t;

	if (root == NULL)
		return iso_error_set(err, 0, "token answer %d:%d: %s", jerr.line, jerr.column,
				     jerr.text);
	t = json_string_value(json_object_get(root, "token"));
	if (t == NULL || t[0] == '\0')
		t = json_string_value(json_object_get(root, "access_token"));
	if (t == NULL || t[0] == '\0' || strpbrk(t, "\r\n") != NULL) {
		json_decref(root);
		return iso_error_set(err, 0, "token answer has no \"token\" or \"access_token\"");
	}
	*token = xstrdup(t);
	json_decref(root);
	return 0;
}

struct token_body {
	char *buf;
	size_t len;
	bool too_long;
};

#define TOKEN_BODY_MAX (1u << 20)

static size_t token_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct token_body *b = ctx;
	size_t n = size * nmemb;

	if (b->len + n > TOKEN_BODY_MAX) {
		b->too_long = true;
		return 0;
	}
	b->buf = xrealloc(b->buf, b->len + n + 1);
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

static int token_request(CURL *h, const struct iso_token_req *q, const char *url,
			 struct token_body *body, char *errbuf, struct iso_error *err)
{
	bool ok = curl_easy_setopt(h, CURLOPT_URL, url) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, iso_curl_open_socket) == CURLE_OK &&
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
#else
		curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) == CURLE_OK &&
#endif
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, q->verify ? 1L : 0L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, q->verify ? 2L : 0L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, token_write) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_WRITEDATA, body) == CURLE_OK &&
		(q->user_agent == NULL ||
		 curl_easy_setopt(h, CURLOPT_USERAGENT, q->user_agent) == CURLE_OK) &&
		(q->creds == NULL ||
		 (curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_USERNAME, q->creds->user) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_PASSWORD, q->creds->pass) == CURLE_OK));
	CURLcode rc;

	if (!ok)
		return iso_error_set(err, 0, "fetch a token from %s: libcurl refused an option",
				     q->realm);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		return iso_error_set(err, 0, "fetch a token from %s: %s", q->realm,
				     body->too_long ? "answer too long" :
				     errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return 0;
}

/* True for an http(s) URL of a loopback host: those are asked directly,
 * never through a proxy from the environment. */
static bool url_is_loopback(const char *url)
{
	const char *p = strstr(url, "://");
	char host[256];
	size_t n;

	if (p == NULL)
		return false;
	p += 3;
	n = strcspn(p, "/?#");
	if (n >= sizeof(host) || memchr(p, '@', n) != NULL)
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	return iso_host_is_loopback(host);
}

int iso_auth_fetch_token(const struct iso_token_req *q, char **token, struct iso_error *err)
{
	cleanup_free char *url = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct token_body body = { 0 };
	long status = 0;
	CURL *h;
	int r;

	if (strncmp(q->realm, "https://", 8) != 0 &&
	    !(q->allow_http && strncmp(q->realm, "http://", 7) == 0))
		return iso_error_set(err, 0, "token realm \"%s\": expected an https URL%s",
				     q->realm, strncmp(q->realm, "http://", 7) == 0 ?
				     " (plain http only for an insecure registry)" : "");
	url = iso_auth_token_url(q->realm, q->service, q->scope);
	h = curl_easy_init();
	if (h == NULL)
		return iso_error_set(err, 0, "fetch a token from %s: libcurl could not start",
				     q->realm);
	if (url_is_loopback(url) && curl_easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK) {
		curl_easy_cleanup(h);
		return iso_error_set(err, 0, "fetch a token from %s: libcurl refused an option",
				     q->realm);
	}
	r = token_request(h, q, url, &body, errbuf, err);
	if (r == 0)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (r == 0 && status != 200) {
		cleanup_free char *detail = iso_registry_error_detail(body.buf, body.len);

		r = iso_error_set(err, 0, "fetch a token from %s: %s%ld %s%s", q->realm,
				  status == 401 ? "unauthorized: " : "", status,
				  iso_http_reason(status), detail);
	} else if (r == 0 && iso_auth_token_parse(body.buf ? body.buf : "", body.len, token,
						  err) < 0) {
		r = iso_error_prefix(err, "fetch a token from %s", q->realm);
	}
	if (body.buf != NULL)
		explicit_bzero(body.buf, body.len);
	free(body.buf);
	return r;
}

/* ---- HTTP ---- */

curl_socket_t iso_curl_open_socket(void *ctx, curlsocktype purpose,
				   struct curl_sockaddr *address)
{
	(void)ctx;
	(void)purpose;
	return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

const char *iso_http_reason(long status)
{
	static const struct {
		long code;
		const char *text;
	} reasons[] = {
		{ 200, "OK" }, { 206, "Partial Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 303, "See Other" }, { 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" }, { 408, "Request Timeout" }, { 409, "Conflict" },
		{ 410, "Gone" }, { 416, "Range Not Satisfiable" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "";
}

/* Keeps printable ASCII of S (at most 200 characters): a registry's
 * words reach a terminal. */
static void append_clean(char **out, const char *s)
{
	size_t n = strlen(*out), k = 0;

	*out = xrealloc(*out, n + 201 + 1);
	for (; s[k] != '\0' && k < 200; k++)
		(*out)[n + k] = isprint((unsigned char)s[k]) ? s[k] : '?';
	(*out)[n + k] = '\0';
}

char *iso_registry_error_detail(const char *body, size_t len)
{
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *first = json_array_get(json_object_get(root, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));
	const char *msg = json_string_value(json_object_get(first, "message"));
	const char *details = json_string_value(json_object_get(root, "details"));
	char *out = xstrdup("");

	if (code == NULL && msg == NULL && details != NULL)
		msg = details;
	if (code != NULL || msg != NULL) {
		append_clean(&out, " (");
		if (code != NULL)
			append_clean(&out, code);
		if (code != NULL && msg != NULL)
			append_clean(&out, ": ");
		if (msg != NULL)
			append_clean(&out, msg);
		append_clean(&out, ")");
	}
	json_decref(root);
	return out;
}
