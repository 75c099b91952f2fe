/* Registry authentication: the WWW-Authenticate challenge of a 401,
 * credentials from --creds or docker's config.json auth files, and
 * bearer tokens from the challenge's realm (the distribution token
 * protocol: GET realm?service=S&scope=repository:NAME:pull). */
#ifndef ISOLATE_IMAGE_AUTH_H
#define ISOLATE_IMAGE_AUTH_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum iso_auth_scheme { ISO_AUTH_NONE, ISO_AUTH_BASIC, ISO_AUTH_BEARER };

struct iso_auth_challenge {
	enum iso_auth_scheme scheme;
	char *realm, *service, *scope;  /* NULL when absent */
};

/* Parses a WWW-Authenticate value (several headers joined by ", " are
 * one value, as RFC 9110 says) and keeps the challenge isolate can
 * answer: Bearer (which needs a realm) before Basic.  Malformed text,
 * or no Bearer or Basic challenge, is an error that quotes the value. */
int iso_auth_parse_challenge(const char *value, struct iso_auth_challenge *c,
			     struct iso_error *err);
void iso_auth_challenge_free(struct iso_auth_challenge *c);

struct iso_creds {
	char *user, *pass;
};

/* "user:password" (the password may hold ':'; the user may not be empty). */
int iso_creds_parse(const char *s, struct iso_creds *c, struct iso_error *err);
void iso_creds_free(struct iso_creds *c);
/* The value of an "Authorization: Basic ..." header. */
char *iso_creds_basic(const struct iso_creds *c);

/* Standard base64 (RFC 4648), padded.  Decoding refuses any other
 * character, misplaced padding and impossible lengths (missing padding
 * is accepted); the result is NUL-terminated. */
char *iso_base64_encode(const void *buf, size_t len);
int iso_base64_decode(const char *s, char **out, size_t *len);

/* Auth files in the order they are searched: EXPLICIT (if not NULL),
 * $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 * $DOCKER_CONFIG/config.json, ~/.docker/config.json. */
char **iso_auth_file_paths(const char *explicit_path);
/* The credentials for HOST in one docker config.json: the first entry of
 * "auths" whose key, less any scheme and path, names HOST (docker.io's
 * keys include "https://index.docker.io/v1/").  FOUND is false when the
 * file has none; a missing file is an error only when MUST_EXIST. */
int iso_auth_file_read(const char *path, bool must_exist, const char *host,
		       struct iso_creds *c, bool *found, struct iso_error *err);
/* The first credentials for HOST along iso_auth_file_paths(EXPLICIT);
 * EXPLICIT must exist, the others may not. */
int iso_auth_lookup(const char *explicit_path, const char *host, struct iso_creds *c, bool *found,
		    struct iso_error *err);

/* REALM?service=SERVICE&scope=SCOPE, each value percent-encoded (SERVICE
 * left out when NULL; '&' when REALM has a query already). */
char *iso_auth_token_url(const char *realm, const char *service, const char *scope);
/* The token of a token server's JSON answer: "token", else "access_token". */
int iso_auth_token_parse(const char *body, size_t len, char **token, struct iso_error *err);

struct iso_token_req {
	const char *realm, *service, *scope;
	const struct iso_creds *creds;  /* sent as basic auth; NULL: anonymous */
	bool verify;                    /* verify the realm's certificate */
	bool allow_http;                /* the realm may be plain http (insecure host) */
	const char *user_agent;
};
/* GETs a token from the challenge's realm.  Errors name the realm. */
int iso_auth_fetch_token(const struct iso_token_req *q, char **token, struct iso_error *err);

/* CURLOPT_OPENSOCKETFUNCTION: libcurl's sockets, made with SOCK_CLOEXEC
 * (libcurl makes them without it). */
curl_socket_t iso_curl_open_socket(void *ctx, curlsocktype purpose,
				   struct curl_sockaddr *address);

/* The reason phrase of an HTTP status ("Not Found"), "" when unknown:
 * HTTP/2 answers carry none, and messages should read the same. */
const char *iso_http_reason(long status);
/* " (CODE: message)" from a registry's JSON error body
 * ({"errors": [{"code", "message"}]}, or a token server's "details"),
 * "" when it has none. */
char *iso_registry_error_detail(const char *body, size_t len);

#endif
