/* auth.h, regconf.h and registry.h: WWW-Authenticate challenges, docker
 * auth files, the registries config, URLs, and the client itself against
 * a scripted HTTP server on loopback (127.0.0.1 as the registry,
 * 127.0.0.2 as a mirror or as the storage a blob is redirected to). */
#include "helpers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "image/auth.h"
#include "image/regconf.h"
#include "image/registry.h"
#include "log.h"

/* ---- WWW-Authenticate ---- */

#define assert_challenge(...) check_challenge(__FILE__, __LINE__, __VA_ARGS__)

static void check_challenge(const char *file, int line, const char *value,
			    enum iso_auth_scheme scheme, const char *realm, const char *service,
			    const char *scope)
{
	struct iso_auth_challenge c;
	struct iso_error err = { 0 };

	if (iso_auth_parse_challenge(value, &c, &err) < 0)
		_fail(file, line);
	_assert_int_equal(c.scheme, scheme, file, line);
#define SAME(got, want)                                                         \
	do {                                                                    \
		if ((want) == NULL)                                             \
			_assert_true((got) == NULL, #got " is NULL", file, line);   \
		else                                                            \
			_assert_string_equal((got), (want), file, line);        \
	} while (0)
	SAME(c.realm, realm);
	SAME(c.service, service);
	SAME(c.scope, scope);
#undef SAME
	iso_auth_challenge_free(&c);
}

#define assert_challenge_refused(...) check_challenge_refused(__FILE__, __LINE__, __VA_ARGS__)

static void check_challenge_refused(const char *file, int line, const char *value,
				    const char *fragment)
{
	struct iso_auth_challenge c;
	struct iso_error err = { 0 };

	_assert_int_equal(iso_auth_parse_challenge(value, &c, &err), -1, file, line);
	if (strstr(err.msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
		_fail(file, line);
	}
	_assert_true(c.realm == NULL && c.service == NULL, "nothing kept", file, line);
}

static void challenge_bearer_of_docker_hub(void **state)
{
	(void)state;
	assert_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
			 "scope=\"repository:library/busybox:pull\"",
			 ISO_AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
			 "repository:library/busybox:pull");
}

static void challenge_basic(void **state)
{
	(void)state;
	assert_challenge("Basic realm=\"basic-realm\"", ISO_AUTH_BASIC, "basic-realm", NULL, NULL);
	assert_challenge("Basic", ISO_AUTH_BASIC, NULL, NULL, NULL);
}

/* a comma or an escaped quote inside a quoted value is part of it */
static void challenge_quoted_values_keep_commas_and_escapes(void **state)
{
	(void)state;
	assert_challenge("Bearer realm=\"https://a.example/token?x=1,2\", "
			 "scope=\"repository:a/b:pull,push\", service=\"say \\\"hi\\\"\"",
			 ISO_AUTH_BEARER, "https://a.example/token?x=1,2", "say \"hi\"",
			 "repository:a/b:pull,push");
}

static void challenge_names_are_case_insensitive_and_spacing_free(void **state)
{
	(void)state;
	assert_challenge("bearer   REALM = \"https://r/t\" ,  Service=svc ,scope=\"s\"",
			 ISO_AUTH_BEARER, "https://r/t", "svc", "s");
	assert_challenge("BASIC realm=x", ISO_AUTH_BASIC, "x", NULL, NULL);
}

static void challenge_unknown_params_are_ignored(void **state)
{
	(void)state;
	assert_challenge("Bearer realm=\"https://r/t\",error=\"insufficient_scope\",service=\"s\"",
			 ISO_AUTH_BEARER, "https://r/t", "s", NULL);
}

/* several challenges in one value (or joined headers): Bearer wins */
static void challenge_bearer_is_preferred_over_basic(void **state)
{
	(void)state;
	assert_challenge("Basic realm=\"b\", Bearer realm=\"https://r/t\",service=\"s\"",
			 ISO_AUTH_BEARER, "https://r/t", "s", NULL);
	assert_challenge("Negotiate abc==, Basic realm=\"b\"", ISO_AUTH_BASIC, "b", NULL, NULL);
	assert_challenge("Digest realm=\"d\", nonce=\"n\", Basic realm=\"b\"", ISO_AUTH_BASIC, "b",
			 NULL, NULL);
}

static void challenge_bad_input_is_refused(void **state)
{
	(void)state;
	assert_challenge_refused("Bearer realm=\"https://r/t", "unterminated quoted string");
	assert_challenge_refused("Bearer realm=", "parameter realm has no value");
	assert_challenge_refused("Bearer realm=\"a\" service=\"b\"", "expected ','");
	assert_challenge_refused("Bearer service=\"s\"", "Bearer challenge without a realm");
	assert_challenge_refused("Negotiate abc==", "no Bearer or Basic challenge");
	assert_challenge_refused("", "no Bearer or Basic challenge");
	assert_challenge_refused("\"quoted\"", "expected an authentication scheme");
}

/* ---- credentials and base64 ---- */

static void base64_round_trips(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar",
					     "user:p\xc3\xa4ss:word" };
	static const char *const encoded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					       "Zm9vYmFy", "dXNlcjpww6Rzczp3b3Jk" };

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		cleanup_free char *e = iso_base64_encode(plain[i], strlen(plain[i]));
		cleanup_free char *d = NULL;
		size_t len;

		assert_string_equal(e, encoded[i]);
		assert_int_equal(iso_base64_decode(e, &d, &len), 0);
		assert_int_equal(len, strlen(plain[i]));
		assert_string_equal(d, plain[i]);
	}
}

static void base64_refuses_bad_text(void **state)
{
	static const char *const bad[] = { "Zg=", "Z", "Zm9v!", "Zm 9v", "Zg==Zg==", "=Zg=",
					   "Zm9vYg===", "Zm9v\n" };
	char *d = NULL;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(iso_base64_decode(bad[i], &d, &len), -1);
	/* missing padding is accepted, as docker's files are not all padded */
	assert_int_equal(iso_base64_decode("Zm8", &d, &len), 0);
	assert_string_equal(d, "fo");
	free(d);
}

static void creds_split_at_the_first_colon(void **state)
{
	struct iso_creds c;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_creds_parse("user:pa:ss", &c, &err), 0);
	assert_string_equal(c.user, "user");
	assert_string_equal(c.pass, "pa:ss");
	iso_creds_free(&c);
	assert_int_equal(iso_creds_parse("user:", &c, &err), 0);
	assert_string_equal(c.pass, "");
	iso_creds_free(&c);
	assert_int_equal(iso_creds_parse("user", &c, &err), -1);
	assert_non_null(strstr(err.msg, "expected USER:PASSWORD"));
	assert_int_equal(iso_creds_parse(":pass", &c, &err), -1);
}

/* ---- auth files ---- */

#define assert_auth(...) check_auth(__FILE__, __LINE__, __VA_ARGS__)

/* The credentials PATH holds for HOST are USERPASS ("user:pass"), or
 * none when USERPASS is NULL. */
static void check_auth(const char *file, int line, const char *path, const char *host,
		       const char *userpass)
{
	struct iso_creds c;
	struct iso_error err = { 0 };
	bool found = true;

	if (iso_auth_file_read(path, true, host, &c, &found, &err) < 0) {
		print_error("%s\n", err.msg);
		_fail(file, line);
	}
	if (userpass == NULL) {
		_assert_true(!found, "no credentials", file, line);
	} else {
		cleanup_free char *joined = NULL;

		_assert_true(found, "credentials found", file, line);
		joined = xasprintf("%s:%s", c.user, c.pass);
		_assert_string_equal(joined, userpass, file, line);
	}
	iso_creds_free(&c);
}

#define assert_auth_refused(...) check_auth_refused(__FILE__, __LINE__, __VA_ARGS__)

static void check_auth_refused(const char *file, int line, const char *path, const char *host,
			       const char *fragment)
{
	struct iso_creds c;
	struct iso_error err = { 0 };
	bool found;

	_assert_int_equal(iso_auth_file_read(path, true, host, &c, &found, &err), -1, file, line);
	if (strstr(err.msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
		_fail(file, line);
	}
	_assert_true(c.user == NULL && c.pass == NULL, "nothing kept", file, line);
}

/* dXNlcjpwYXNz is "user:pass", b3RoZXI6c2VjcmV0 "other:secret" */
static void auth_file_gives_the_host_entry(void **state)
{
	cleanup_free char *p = tmp_file(*state, "config.json",
		"{\"auths\": {\"quay.io\": {\"auth\": \"b3RoZXI6c2VjcmV0\"},"
		" \"127.0.0.1:5000\": {\"auth\": \"dXNlcjpwYXNz\"},"
		" \"https://ghcr.io\": {\"auth\": \"dXNlcjpwYXNz\", \"email\": \"x\"}},"
		" \"credsStore\": \"desktop\"}");

	assert_auth(p, "127.0.0.1:5000", "user:pass");
	assert_auth(p, "quay.io", "other:secret");
	assert_auth(p, "QUAY.IO", "other:secret");
	assert_auth(p, "ghcr.io", "user:pass");
	/* a port is part of the host */
	assert_auth(p, "127.0.0.1:5001", NULL);
	assert_auth(p, "127.0.0.1", NULL);
	assert_auth(p, "docker.io", NULL);
}

static void auth_file_knows_docker_hub_aliases(void **state)
{
	cleanup_free char *legacy = tmp_file(*state, "legacy.json",
		"{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"dXNlcjpwYXNz\"}}}");
	cleanup_free char *plain = tmp_file(*state, "plain.json",
		"{\"auths\": {\"docker.io\": {\"auth\": \"b3RoZXI6c2VjcmV0\"}}}");

	assert_auth(legacy, "docker.io", "user:pass");
	assert_auth(legacy, "registry-1.docker.io", "user:pass");
	assert_auth(legacy, "index.docker.io", "user:pass");
	assert_auth(plain, "registry-1.docker.io", "other:secret");
	assert_auth(plain, "docker.com", NULL);
}

static void auth_file_entries_without_auth_give_nothing(void **state)
{
	cleanup_free char *p = tmp_file(*state, "config.json",
		"{\"auths\": {\"a.example\": {}, \"b.example\": {\"auth\": \"\"},"
		" \"c.example\": {\"username\": \"u\", \"password\": \"p\"}}}");
	cleanup_free char *empty = tmp_file(*state, "empty.json", "{}");

	assert_auth(p, "a.example", NULL);
	assert_auth(p, "b.example", NULL);
	assert_auth(p, "c.example", "u:p");
	assert_auth(empty, "a.example", NULL);
}

static void auth_file_bad_entries_are_refused(void **state)
{
	cleanup_free char *p = tmp_file(*state, "config.json",
		"{\"auths\": {\"bad64.example\": {\"auth\": \"dXNlcjpwYXNz!\"},"
		" \"nocolon.example\": {\"auth\": \"dXNlcnBhc3M=\"},"
		" \"nouser.example\": {\"auth\": \"OnBhc3M=\"},"
		" \"array.example\": []}}");
	cleanup_free char *json = tmp_file(*state, "bad.json", "{\"auths\": {\n  \"x\": ,\n}}");
	cleanup_free char *shape = tmp_file(*state, "shape.json", "{\"auths\": []}");
	cleanup_free char *missing = tmp_path(*state, "missing.json");

	assert_auth_refused(p, "bad64.example", "entry bad64.example: \"auth\" is not base64");
	assert_auth_refused(p, "nocolon.example", "does not decode to USER:PASSWORD");
	assert_auth_refused(p, "nouser.example", "does not decode to USER:PASSWORD");
	assert_auth_refused(p, "array.example", "entry array.example is not an object");
	assert_auth_refused(json, "x", "bad.json:2:8:");
	assert_auth_refused(shape, "x", "expected {\"auths\"");
	assert_auth_refused(missing, "x", "missing.json: No such file or directory");
}

static void auth_lookup_follows_the_search_order(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *explicit_file = tmp_file(t, "explicit.json",
		"{\"auths\": {\"one.example\": {\"auth\": \"dXNlcjpwYXNz\"}}}");
	cleanup_free char *env_file = tmp_file(t, "env.json",
		"{\"auths\": {\"one.example\": {\"auth\": \"b3RoZXI6c2VjcmV0\"},"
		" \"two.example\": {\"auth\": \"b3RoZXI6c2VjcmV0\"}}}");
	cleanup_free char *run = tmp_path(t, "run");
	cleanup_free char *run_c = tmp_path(t, "run/containers");
	cleanup_free char *docker = tmp_path(t, "docker");
	cleanup_free char *home_d = tmp_path(t, ".docker");
	cleanup_free char *f3 = NULL, *f4 = NULL, *f5 = NULL, *missing = tmp_path(t, "nope.json");
	cleanup_strv char **paths = NULL;
	struct iso_creds c;
	struct iso_error err = { 0 };
	bool found;

	assert_int_equal(mkdir(run, 0700), 0);
	assert_int_equal(mkdir(run_c, 0700), 0);
	assert_int_equal(mkdir(docker, 0700), 0);
	assert_int_equal(mkdir(home_d, 0700), 0);
	f3 = tmp_file(t, "run/containers/auth.json",
		      "{\"auths\": {\"three.example\": {\"auth\": \"dXNlcjpwYXNz\"}}}");
	f4 = tmp_file(t, "docker/config.json",
		      "{\"auths\": {\"four.example\": {\"auth\": \"dXNlcjpwYXNz\"},"
		      " \"three.example\": {\"auth\": \"b3RoZXI6c2VjcmV0\"}}}");
	f5 = tmp_file(t, ".docker/config.json",
		      "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"dXNlcjpwYXNz\"}}}");
	setenv("REGISTRY_AUTH_FILE", env_file, 1);
	setenv("XDG_RUNTIME_DIR", run, 1);
	setenv("DOCKER_CONFIG", docker, 1);
	setenv("HOME", t->path, 1);

	paths = iso_auth_file_paths(explicit_file);
	assert_int_equal(strv_len(paths), 5);
	assert_string_equal(paths[0], explicit_file);
	assert_string_equal(paths[1], env_file);
	assert_string_equal(paths[2], f3);
	assert_string_equal(paths[3], f4);
	assert_string_equal(paths[4], f5);

	/* the first file that has the host wins */
	static const struct { const char *host, *want; } cases[] = {
		{ "one.example", "user" }, { "two.example", "other" },
		{ "three.example", "user" }, { "four.example", "user" },
		{ "registry-1.docker.io", "user" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(iso_auth_lookup(explicit_file, cases[i].host, &c, &found, &err), 0);
		assert_true(found);
		assert_string_equal(c.user, cases[i].want);
		iso_creds_free(&c);
	}
	assert_int_equal(iso_auth_lookup(NULL, "five.example", &c, &found, &err), 0);
	assert_false(found);
	/* an explicit file must exist; the usual places need not */
	assert_int_equal(iso_auth_lookup(missing, "one.example", &c, &found, &err), -1);
	assert_non_null(strstr(err.msg, "nope.json"));
	setenv("REGISTRY_AUTH_FILE", missing, 1);
	assert_int_equal(iso_auth_lookup(NULL, "three.example", &c, &found, &err), 0);
	assert_true(found);
	iso_creds_free(&c);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("DOCKER_CONFIG");
	setenv("HOME", "/nonexistent", 1);
}

/* ---- tokens ---- */

static void token_url_escapes_its_values(void **state)
{
	cleanup_free char *a = iso_auth_token_url("https://auth.docker.io/token", "registry.docker.io",
						  "repository:library/busybox:pull");
	cleanup_free char *b = iso_auth_token_url("https://r/t?account=x", "a b&c", "s");
	cleanup_free char *c = iso_auth_token_url("https://r/t", NULL, "repository:x:pull");

	(void)state;
	assert_string_equal(a, "https://auth.docker.io/token?service=registry.docker.io"
			    "&scope=repository%3Alibrary%2Fbusybox%3Apull");
	assert_string_equal(b, "https://r/t?account=x&service=a%20b%26c&scope=s");
	assert_string_equal(c, "https://r/t?scope=repository%3Ax%3Apull");
}

static void token_answer_gives_token_or_access_token(void **state)
{
	struct iso_error err = { 0 };
	char *t = NULL;

	(void)state;
	const char *b = "{\"token\":\"abc\",\"expires_in\":300}";
	assert_int_equal(iso_auth_token_parse(b, strlen(b), &t, &err), 0);
	assert_string_equal(t, "abc");
	free(t);
	b = "{\"access_token\":\"xyz\"}";
	assert_int_equal(iso_auth_token_parse(b, strlen(b), &t, &err), 0);
	assert_string_equal(t, "xyz");
	free(t);
	b = "{\"token\":\"\",\"access_token\":\"xyz\"}";
	assert_int_equal(iso_auth_token_parse(b, strlen(b), &t, &err), 0);
	assert_string_equal(t, "xyz");
	free(t);
	b = "{\"tokens\":\"abc\"}";
	assert_int_equal(iso_auth_token_parse(b, strlen(b), &t, &err), -1);
	assert_non_null(strstr(err.msg, "no \"token\" or \"access_token\""));
	b = "{\"token\":\"a\\r\\nX-Evil: 1\"}";
	assert_int_equal(iso_auth_token_parse(b, strlen(b), &t, &err), -1);
	b = "<html>";
	assert_int_equal(iso_auth_token_parse(b, strlen(b), &t, &err), -1);
	assert_non_null(strstr(err.msg, "token answer 1:1:"));
}

static void token_realm_must_be_https_unless_insecure(void **state)
{
	struct iso_token_req q = { .realm = "http://auth.example/token", .scope = "s" };
	struct iso_error err = { 0 };
	char *t = NULL;

	(void)state;
	assert_int_equal(iso_auth_fetch_token(&q, &t, &err), -1);
	assert_non_null(strstr(err.msg, "expected an https URL (plain http only for an insecure"));
	q.realm = "file:///etc/passwd";
	assert_int_equal(iso_auth_fetch_token(&q, &t, &err), -1);
	assert_non_null(strstr(err.msg, "expected an https URL"));
	assert_null(t);
}

static void registry_error_detail_reads_the_errors_list(void **state)
{
	const char *b = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to "
			"registry\",\"detail\":\"sha256:x\"}]}";
	cleanup_free char *d1 = iso_registry_error_detail(b, strlen(b));
	const char *b2 = "{\"details\":\"incorrect username\"}";
	const char *b5 = "{\"errors\":[{\"code\":\"X\\u001b[2J\"}]}";
	cleanup_free char *d2 = iso_registry_error_detail(b2, strlen(b2));
	cleanup_free char *d3 = iso_registry_error_detail("not json", 8);
	cleanup_free char *d4 = iso_registry_error_detail(NULL, 0);
	cleanup_free char *d5 = iso_registry_error_detail(b5, strlen(b5));

	(void)state;
	assert_string_equal(d1, " (BLOB_UNKNOWN: blob unknown to registry)");
	assert_string_equal(d2, " (incorrect username)");
	assert_string_equal(d3, "");
	assert_string_equal(d4, "");
	assert_string_equal(d5, " (X?[2J)");
	assert_string_equal(iso_http_reason(500), "Internal Server Error");
	assert_string_equal(iso_http_reason(299), "");
}

/* ---- registries config ---- */

static int conf_parse(struct iso_regconf *c, const char *text, struct iso_error *err)
{
	return iso_regconf_parse(c, text, strlen(text), "test.json", err);
}

#define assert_conf_refused(...) check_conf_refused(__FILE__, __LINE__, __VA_ARGS__)

static void check_conf_refused(const char *file, int line, const char *text, const char *fragment)
{
	struct iso_regconf c;
	struct iso_error err = { 0 };

	_assert_int_equal(conf_parse(&c, text, &err), -1, file, line);
	if (strstr(err.msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
		_fail(file, line);
	}
}

#define assert_endpoint(e, h, s, p, v, m)                                       \
	do {                                                                    \
		assert_string_equal((e).host, (h));                             \
		assert_int_equal((e).https, (s));                               \
		assert_int_equal((e).http, (p));                                \
		assert_int_equal((e).verify, (v));                              \
		assert_int_equal((e).mirror, (m));                              \
	} while (0)

static void conf_mirrors_come_first_in_order(void **state)
{
	struct iso_regconf c;
	struct iso_error err = { 0 };
	struct iso_endpoint *e;
	size_t n;

	(void)state;
	assert_int_equal(conf_parse(&c, "{\"mirrors\": {\"docker.io\": [\"https://mirror.example:5000\","
				    " \"http://127.0.0.1:5000\", \"plain.example\", \"[::1]:5000/\"],"
				    " \"quay.io\": [\"https://q.example\"]}}", &err), 0);
	assert_int_equal(iso_regconf_endpoints(&c, "docker.io", true, &e, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_endpoint(e[0], "mirror.example:5000", true, false, true, true);
	/* an http mirror was asked for by its URL */
	assert_endpoint(e[1], "127.0.0.1:5000", false, true, false, true);
	assert_endpoint(e[2], "plain.example", true, false, true, true);
	/* loopback: https without checks, then http */
	assert_endpoint(e[3], "[::1]:5000", true, true, false, true);
	/* docker.io's API has its own name */
	assert_endpoint(e[4], ISO_DOCKER_HUB_API, true, false, true, false);
	iso_endpoints_free(e, n);

	assert_int_equal(iso_regconf_endpoints(&c, "quay.io", true, &e, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_endpoint(e[0], "q.example", true, false, true, true);
	assert_endpoint(e[1], "quay.io", true, false, true, false);
	iso_endpoints_free(e, n);

	assert_int_equal(iso_regconf_endpoints(&c, "ghcr.io", true, &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_endpoint(e[0], "ghcr.io", true, false, true, false);
	iso_endpoints_free(e, n);
	iso_regconf_free(&c);
}

static void conf_docker_hub_aliases_share_mirrors(void **state)
{
	struct iso_regconf c;
	struct iso_error err = { 0 };
	struct iso_endpoint *e;
	size_t n;

	(void)state;
	assert_int_equal(conf_parse(&c, "{\"mirrors\": {\"index.docker.io\": [\"m.example\"]}}", &err), 0);
	assert_int_equal(iso_regconf_endpoints(&c, "docker.io", true, &e, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].host, "m.example");
	iso_endpoints_free(e, n);
	iso_regconf_free(&c);
	assert_conf_refused("{\"mirrors\": {\"docker.io\": [\"a.example\"], \"index.docker.io\": []}}",
			    "mirrors of docker.io are given twice");
}

static void conf_insecure_hosts_ports_and_cidrs(void **state)
{
	struct iso_regconf c;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(conf_parse(&c, "{\"insecure\": [\"reg.lan:5000\", \"any.lan\", \"10.1.0.0/16\","
				    " \"fd00::/8\", \"[fe80::1]\"]}", &err), 0);
	assert_true(iso_regconf_is_insecure(&c, "reg.lan:5000"));
	assert_true(iso_regconf_is_insecure(&c, "REG.LAN:5000"));
	assert_false(iso_regconf_is_insecure(&c, "reg.lan:5001"));
	assert_false(iso_regconf_is_insecure(&c, "reg.lan"));
	assert_true(iso_regconf_is_insecure(&c, "any.lan"));
	assert_true(iso_regconf_is_insecure(&c, "any.lan:443"));
	assert_false(iso_regconf_is_insecure(&c, "many.lan"));
	assert_true(iso_regconf_is_insecure(&c, "10.1.200.3:5000"));
	assert_false(iso_regconf_is_insecure(&c, "10.2.0.1:5000"));
	assert_true(iso_regconf_is_insecure(&c, "[fd12::1]:5000"));
	assert_true(iso_regconf_is_insecure(&c, "[fe80::1]:5000"));
	assert_false(iso_regconf_is_insecure(&c, "[fe80::2]:5000"));
	/* a name is not resolved to be matched against a CIDR */
	assert_false(iso_regconf_is_insecure(&c, "ten.example"));
	iso_regconf_free(&c);
}

static void conf_loopback_is_insecure_without_being_listed(void **state)
{
	static const char *const yes[] = { "localhost", "localhost:5000", "LocalHost:1",
					   "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "[::1]",
					   "[::ffff:127.0.0.1]:80" };
	static const char *const no[] = { "128.0.0.1", "localhost.example", "10.0.0.1:5000",
					  "[::2]:5000", "docker.io", "127.0.0.1.nip.io" };
	struct iso_endpoint *e;
	struct iso_error err = { 0 };
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_true(iso_host_is_loopback(yes[i]));
		assert_true(iso_regconf_is_insecure(NULL, yes[i]));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(iso_regconf_is_insecure(NULL, no[i]));
	assert_int_equal(iso_regconf_endpoints(NULL, "127.0.0.1:5000", true, &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_endpoint(e[0], "127.0.0.1:5000", true, true, false, false);
	iso_endpoints_free(e, n);
}

/* --tls-verify=false: any registry may be plain http, unchecked https */
static void conf_tls_verify_false_makes_every_registry_insecure(void **state)
{
	struct iso_endpoint *e;
	struct iso_error err = { 0 };
	size_t n;

	(void)state;
	assert_int_equal(iso_regconf_endpoints(NULL, "quay.io", false, &e, &n, &err), 0);
	assert_endpoint(e[0], "quay.io", true, true, false, false);
	iso_endpoints_free(e, n);
	assert_int_equal(iso_regconf_endpoints(NULL, "docker.io", false, &e, &n, &err), 0);
	assert_endpoint(e[0], ISO_DOCKER_HUB_API, true, true, false, false);
	iso_endpoints_free(e, n);
}

static void conf_bad_input_is_refused(void **state)
{
	(void)state;
	assert_conf_refused("{\"mirrors\": {\n  \"docker.io\": [\"a\",]\n}}", "test.json:2:21:");
	assert_conf_refused("", "test.json:1:0:");
	assert_conf_refused("[]", "test.json: expected an object");
	assert_conf_refused("{\"mirror\": {}}", "unknown key \"mirror\"");
	assert_conf_refused("{\"mirrors\": []}", "\"mirrors\" must be an object");
	assert_conf_refused("{\"mirrors\": {\"docker.io\": \"m.example\"}}",
			    "mirrors of docker.io must be an array");
	assert_conf_refused("{\"mirrors\": {\"docker.io\": [\"ftp://m.example\"]}}",
			    "mirror 1 of docker.io: expected [http[s]://]HOST[:PORT]");
	assert_conf_refused("{\"mirrors\": {\"docker.io\": [\"https://m.example/v2/x\"]}}",
			    "mirror 1 of docker.io");
	assert_conf_refused("{\"mirrors\": {\"docker.io\": [\"m.example\", \"https://u@m\"]}}",
			    "mirror 2 of docker.io");
	assert_conf_refused("{\"mirrors\": {\"docker.io\": [\"m.example:99999\"]}}",
			    "mirror 1 of docker.io");
	assert_conf_refused("{\"mirrors\": {\"https://docker.io\": []}}",
			    "mirrors of \"https://docker.io\": expected a registry HOST[:PORT]");
	assert_conf_refused("{\"insecure\": [\"http://reg.lan\"]}",
			    "insecure entry 1: expected HOST[:PORT] or a CIDR (no scheme)");
	assert_conf_refused("{\"insecure\": [\"reg.lan\", \"10.0.0.0/33\"]}", "insecure entry 2");
	assert_conf_refused("{\"insecure\": \"reg.lan\"}", "\"insecure\" must be an array");
	assert_conf_refused("{\"insecure\": [], \"insecure\": []}", "duplicate object key");
}

static void conf_load_reads_a_file_or_the_default(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *p = tmp_file(t, "registries.json",
					"{\n\"insecure\": [\"reg.lan\"]\n}\n");
	cleanup_free char *bad = tmp_file(t, "bad.json", "{\n\"insecure\": [\"reg.lan\"\n}\n");
	cleanup_free char *missing = tmp_path(t, "missing.json");
	struct iso_regconf c;
	struct iso_error err = { 0 };

	assert_int_equal(iso_regconf_load(&c, p, &err), 0);
	assert_string_equal(c.path, p);
	assert_true(iso_regconf_is_insecure(&c, "reg.lan:5000"));
	iso_regconf_free(&c);
	assert_int_equal(iso_regconf_load(&c, bad, &err), -1);
	assert_non_null(strstr(err.msg, "registries config "));
	assert_non_null(strstr(err.msg, "bad.json:3:1: ']' expected"));
	assert_int_equal(iso_regconf_load(&c, missing, &err), -1);
	assert_non_null(strstr(err.msg, "missing.json: No such file or directory"));
	if (geteuid() != 0) {
		/* without root, the default lives under XDG_CONFIG_HOME, and
		 * its absence is an empty config */
		setenv("XDG_CONFIG_HOME", t->path, 1);
		assert_int_equal(iso_regconf_load(&c, NULL, &err), 0);
		assert_null(c.path);
		iso_regconf_free(&c);
		unsetenv("XDG_CONFIG_HOME");
	} else {
		cleanup_free char *def = iso_regconf_default_path();

		assert_string_equal(def, "/etc/isolate/registries.json");
	}
}

static void registry_urls(void **state)
{
	cleanup_free char *a = iso_registry_url("https", "registry-1.docker.io", "library/busybox",
						"manifests", "latest");
	cleanup_free char *b = iso_registry_url("http", "[::1]:5000", "a/b-c/d_e.f", "blobs",
						"sha256:0123");

	(void)state;
	assert_string_equal(a, "https://registry-1.docker.io/v2/library/busybox/manifests/latest");
	assert_string_equal(b, "http://[::1]:5000/v2/a/b-c/d_e.f/blobs/sha256:0123");
	/* the last guard against a path or query smuggled into a request */
	assert_null(iso_registry_url("https", "h", "a/../b", "manifests", "latest"));
	assert_null(iso_registry_url("https", "h", "a", "manifests", "latest?x=1"));
	assert_null(iso_registry_url("https", "h", "a", "manifests", "la test"));
	assert_null(iso_registry_url("https", "h", "/a", "manifests", "latest"));
	assert_null(iso_registry_url("https", "h", "a", "manifests", ".."));
	assert_null(iso_registry_url("https", "h", "a", "manifests", ""));
	assert_null(iso_registry_url("https", "h/x", "a", "manifests", "latest"));
	assert_null(iso_registry_url("https", "u@h", "a", "manifests", "latest"));
}

/* ---- the client against a scripted server ---- */

enum fake_auth { FAKE_ANON, FAKE_BEARER, FAKE_BEARER_CREDS, FAKE_BASIC };

#define MANIFEST_BODY "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
#define GOOD_BLOB "good blob content\n"
#define REDIRECTED_BLOB "redirected blob content\n"
#define SHORT_BLOB "0123456789"  /* announced as 100 bytes */
#define WRONG_BLOB_WANT "expected"
#define WRONG_BLOB_SENT "expectee"
/* "user:pass" */
#define BASIC_CREDS "Basic dXNlcjpwYXNz"

struct fake {
	struct tmpdir t;        /* first: tmpdir_teardown frees the whole struct */
	pid_t pid;
	int port1, port2;       /* 127.0.0.1 (registry), 127.0.0.2 (mirror, storage) */
	enum fake_auth auth;
	const char *repo;       /* "img" unless set; "secret" is refused to everyone */
	const char *content_type;
	char *log;              /* "1|2 PATH AUTHORIZATION\n" per request */
	iso_digest_t good, redirected, short_blob, wrong, missing, boom;
	struct iso_store store;
};

static int listen_on(const char *addr, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static void respond(int c, int status, const char *reason, const char *headers, const char *body,
		    long content_length)
{
	char head[1024];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Length: %ld\r\n"
			 "Connection: close\r\n%s\r\n", status, reason,
			 content_length >= 0 ? content_length : (long)strlen(body), headers);

	(void)!write_all(c, head, (size_t)n);
	(void)!write_all(c, body, strlen(body));
}

static const char not_found[] =
	"{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}";

/* One request on connection C that came in on listener WHICH (1 or 2). */
static void serve(struct fake *f, int c, int which, int log_fd)
{
	char req[8192] = "", path[1024] = "", auth[512] = "-", hdrs[512];
	cleanup_free char *line = NULL, *blob_path = NULL;
	size_t len = 0;
	const char *a;
	bool authed;

	while (len < sizeof(req) - 1 && strstr(req, "\r\n\r\n") == NULL) {
		ssize_t n = read(c, req + len, sizeof(req) - 1 - len);

		if (n <= 0)
			return;
		req[len += (size_t)n] = '\0';
		if (req[0] < 'A' || req[0] > 'Z')
			return;     /* a TLS hello: the client falls back to http */
	}
	sscanf(req, "GET %1023s", path);
	a = strcasestr(req, "\r\nAuthorization: ");
	if (a != NULL)
		sscanf(a + 17, "%511[^\r]", auth);
	line = xasprintf("%d %s %s\n", which, path, auth);
	(void)!write_all(log_fd, line, strlen(line));

	if (strncmp(path, "/storage/", 9) == 0) {
		respond(c, 200, "OK", "", REDIRECTED_BLOB, -1);
		return;
	}
	if (strncmp(path, "/token", 6) == 0) {
		if (f->auth == FAKE_BEARER_CREDS && strcmp(auth, BASIC_CREDS) != 0)
			respond(c, 401, "Unauthorized", "", "{\"details\":\"incorrect username or password\"}", -1);
		else
			respond(c, 200, "OK", "", "{\"token\":\"T0K3N\",\"expires_in\":300}", -1);
		return;
	}
	authed = strncmp(path, "/v2/secret/", 11) != 0 && (f->auth == FAKE_ANON ||
		(f->auth == FAKE_BASIC && strcmp(auth, BASIC_CREDS) == 0) ||
		(f->auth != FAKE_BASIC && strcmp(auth, "Bearer T0K3N") == 0));
	if (!authed) {
		if (f->auth == FAKE_BASIC)
			snprintf(hdrs, sizeof(hdrs), "WWW-Authenticate: Basic realm=\"fake\"\r\n");
		else
			snprintf(hdrs, sizeof(hdrs), "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d"
				 "/token\",service=\"fake\",scope=\"repository:img:pull\"\r\n", f->port1);
		respond(c, 401, "Unauthorized", hdrs,
			"{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}", -1);
		return;
	}
	if (strncmp(path, "/v2/img/manifests/", 18) == 0) {
		snprintf(hdrs, sizeof(hdrs), "Content-Type: %s\r\n", f->content_type);
		respond(c, 200, "OK", hdrs, MANIFEST_BODY, -1);
		return;
	}
	if (strncmp(path, "/v2/img/blobs/", 14) != 0) {
		respond(c, 404, "Not Found", "", "", -1);
		return;
	}
	blob_path = xstrdup(path + 14);
	if (strcmp(blob_path, f->good) == 0) {
		respond(c, 200, "OK", "", GOOD_BLOB, -1);
	} else if (strcmp(blob_path, f->redirected) == 0) {
		snprintf(hdrs, sizeof(hdrs), "Location: http://127.0.0.2:%d/storage/x?sig=1\r\n",
			 f->port2);
		respond(c, 307, "Temporary Redirect", hdrs, "", -1);
	} else if (strcmp(blob_path, f->short_blob) == 0) {
		respond(c, 200, "OK", "", SHORT_BLOB, 100);
	} else if (strcmp(blob_path, f->wrong) == 0) {
		respond(c, 200, "OK", "", WRONG_BLOB_SENT, -1);
	} else if (strcmp(blob_path, f->boom) == 0) {
		respond(c, 500, "Internal Server Error", "", "oops", -1);
	} else {
		respond(c, 404, "Not Found", "", not_found, -1);
	}
}

static void fake_loop(struct fake *f, int l1, int l2, int log_fd)
{
	struct pollfd p[2] = { { .fd = l1, .events = POLLIN }, { .fd = l2, .events = POLLIN } };

	for (;;) {
		if (poll(p, 2, -1) < 0)
			_exit(1);
		for (int i = 0; i < 2; i++) {
			struct timeval tv = { .tv_sec = 2 };
			int c;

			if (!(p[i].revents & POLLIN))
				continue;
			c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			serve(f, c, i + 1, log_fd);
			shutdown(c, SHUT_WR);
			close(c);
		}
	}
}

/* Starts the server (new ports) and opens the store, unless running. */
static int fake_start(struct fake *f)
{
	cleanup_free char *store = tmp_path(&f->t, "store");
	cleanup_free char *log_path = tmp_path(&f->t, "requests.log");
	struct iso_error err = { 0 };
	int l1, l2, log_fd;

	if (f->pid > 0)
		return 0;
	l1 = listen_on("127.0.0.1", &f->port1);
	l2 = listen_on("127.0.0.2", &f->port2);
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (l1 < 0 || l2 < 0 || log_fd < 0)
		return -1;
	f->pid = fork();
	if (f->pid == 0)
		fake_loop(f, l1, l2, log_fd);
	close(l1);
	close(l2);
	close(log_fd);
	return f->pid < 0 || iso_store_open(&f->store, store, &err) < 0 ? -1 : 0;
}

/* Stops the server and closes the store: the next start is afresh. */
static void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = -1;
	if (f->store.root != NULL)
		iso_store_close(&f->store);
}

static int fake_setup(void **state)
{
	struct fake *f = xcalloc(1, sizeof(*f));
	void *t = NULL;

	if (tmpdir_setup(&t) < 0) {
		free(f);
		return -1;
	}
	f->t = *(struct tmpdir *)t;
	free(t);
	f->content_type = "application/vnd.oci.image.manifest.v1+json";
	iso_digest_buf(GOOD_BLOB, strlen(GOOD_BLOB), f->good);
	iso_digest_buf(REDIRECTED_BLOB, strlen(REDIRECTED_BLOB), f->redirected);
	iso_digest_buf("short", 5, f->short_blob);
	iso_digest_buf(WRONG_BLOB_WANT, strlen(WRONG_BLOB_WANT), f->wrong);
	iso_digest_buf("missing", 7, f->missing);
	iso_digest_buf("boom", 4, f->boom);
	f->pid = -1;
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	fake_stop(f);
	free(f->log);
	return tmpdir_teardown(state);
}

/* The requests the server saw so far. */
static const char *fake_log(struct fake *f)
{
	cleanup_free char *p = tmp_path(&f->t, "requests.log");
	struct iso_error err = { 0 };

	free(f->log);
	f->log = NULL;
	assert_int_equal(read_file_at(AT_FDCWD, p, &f->log, NULL, &err), 0);
	return f->log;
}

static struct iso_registry *fake_open(struct fake *f, const char *creds, const char *conf_text)
{
	cleanup_free char *conf = tmp_file(&f->t, "registries.json", conf_text ? conf_text : "{}");
	cleanup_free char *name = NULL;
	struct iso_registry_opts o = { .tls_verify = true, .creds = creds, .config = conf };
	struct iso_registry *r = NULL;
	struct iso_error err = { 0 };
	struct iso_imgref ref;

	assert_int_equal(fake_start(f), 0);
	name = xasprintf("127.0.0.1:%d/%s:latest", f->port1, f->repo ? f->repo : "img");
	assert_int_equal(iso_imgref_parse(name, &ref, &err), 0);
	if (iso_registry_open(&r, &ref, &o, &err) < 0)
		print_error("%s\n", err.msg);
	iso_imgref_free(&ref);
	assert_non_null(r);
	return r;
}

static int get_manifest(struct iso_registry *r, const char *reference, char **mt,
			struct iso_error *err)
{
	cleanup_free char *body = NULL;
	iso_digest_t d, want;
	size_t len;
	int rc = iso_registry_get_manifest(r, reference, 4096, &body, &len, mt, d, err);

	if (rc == 0) {
		assert_string_equal(body, MANIFEST_BODY);
		iso_digest_buf(MANIFEST_BODY, strlen(MANIFEST_BODY), want);
		assert_string_equal(d, want);
	}
	return rc;
}

static size_t count_entries(struct fake *f, const char *dir)
{
	cleanup_free char *p = xasprintf("%s/%s", f->store.root, dir);
	DIR *d = opendir(p);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

#define assert_ok(call, err) check_ok((call), (err), __FILE__, __LINE__)

static void check_ok(int rc, const struct iso_error *err, const char *file, int line)
{
	if (rc != 0)
		print_error("%s\n", err->msg);
	_assert_int_equal(rc, 0, file, line);
}

struct events {
	char text[1024];
};

static void record(void *ctx, size_t index, enum iso_progress_event ev, uint64_t done,
		   uint64_t total)
{
	struct events *e = ctx;
	size_t n = strlen(e->text);

	(void)total;
	if (ev != ISO_PROGRESS_BYTES)
		snprintf(e->text + n, sizeof(e->text) - n, "%zu:%d:%llu ", index, (int)ev,
			 (unsigned long long)done);
}

/* Bit i set when fd i (< 1024) is open and, if ONLY_INHERITABLE, lacks
 * FD_CLOEXEC. */
static void fd_set_of(uint8_t bits[128], bool only_inheritable)
{
	memset(bits, 0, 128);
	for (int fd = 0; fd < 1024; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0 && (!only_inheritable || !(flags & FD_CLOEXEC)))
			bits[fd / 8] |= (uint8_t)(1u << (fd % 8));
	}
}

/* Every fd opened since BEFORE (the connections libcurl keeps, its
 * wakeup socketpair) is close-on-exec. */
static void assert_new_fds_cloexec(const uint8_t before[128])
{
	uint8_t now[128];

	fd_set_of(now, true);
	for (int i = 0; i < 128; i++)
		if (now[i] & ~before[i])
			fail_msg("an fd in %d..%d is inheritable", i * 8, i * 8 + 7);
}

static void client_anonymous_pull(void **state)
{
	struct fake *f = *state;
	uint8_t fds_before[128];
	struct iso_registry *r = (fd_set_of(fds_before, false), fake_open(f, NULL, NULL));
	struct iso_blob_req reqs[] = {
		{ f->good, (int64_t)strlen(GOOD_BLOB) }, { f->redirected, -1 },
		{ f->good, (int64_t)strlen(GOOD_BLOB) },
	};
	struct iso_error err = { 0 };
	struct events ev = { "" };
	char *mt = NULL;

	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	assert_string_equal(mt, "application/vnd.oci.image.manifest.v1+json");
	free(mt);
	assert_new_fds_cloexec(fds_before);
	assert_ok(iso_registry_fetch_blobs(r, &f->store, reqs, 3, record, &ev, &err), &err);
	assert_new_fds_cloexec(fds_before);
	assert_true(iso_store_has_blob(&f->store, f->good));
	assert_true(iso_store_has_blob(&f->store, f->redirected));
	assert_int_equal(count_entries(f, "tmp"), 0);
	/* the duplicate waited for the first and was then found stored */
	assert_non_null(strstr(ev.text, "0:3:18 "));
	assert_non_null(strstr(ev.text, "1:3:24 "));
	assert_non_null(strstr(ev.text, "2:0:0 "));
	/* a second fetch downloads nothing */
	ev.text[0] = '\0';
	assert_ok(iso_registry_fetch_blobs(r, &f->store, reqs, 3, record, &ev, &err), &err);
	assert_string_equal(ev.text, "0:0:0 1:0:0 2:0:0 ");
	iso_registry_free(r);
}

static void client_manifest_type_falls_back_to_the_body(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_error err = { 0 };
	char *mt = NULL;

	f->content_type = "application/json; charset=utf-8";
	r = fake_open(f, NULL, NULL);
	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	assert_string_equal(mt, "application/vnd.oci.image.manifest.v1+json");
	free(mt);
	iso_registry_free(r);
}

static void client_manifest_by_digest_is_checked(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r = fake_open(f, NULL, NULL);
	struct iso_error err = { 0 };
	iso_digest_t want;
	cleanup_free char *expect = NULL;
	char *mt = NULL;

	assert_int_equal(get_manifest(r, f->good, &mt, &err), -1);
	iso_digest_buf(MANIFEST_BODY, strlen(MANIFEST_BODY), want);
	expect = xasprintf("fetch manifest 127.0.0.1:%d/img@%s: digest mismatch (got %s)", f->port1,
			   f->good, want);
	assert_string_equal(err.msg, expect);
	assert_int_equal(err.status, 125);
	assert_ok(get_manifest(r, want, &mt, &err), &err);
	free(mt);
	assert_int_equal(get_manifest(r, "sha512:abc", &mt, &err), -1);
	iso_registry_free(r);
}

/* the token is fetched once and sent with every request that follows;
 * it never reaches the storage a blob is redirected to */
static void client_bearer_token_stays_with_the_registry(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_blob_req reqs[] = { { f->good, -1 }, { f->redirected, -1 } };
	struct iso_error err = { 0 };
	cleanup_free char *want = NULL;
	const char *log;
	char *mt = NULL;

	f->auth = FAKE_BEARER;
	r = fake_open(f, NULL, NULL);
	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	free(mt);
	assert_ok(iso_registry_fetch_blobs(r, &f->store, reqs, 2, NULL, NULL, &err), &err);
	iso_registry_free(r);
	log = fake_log(f);
	want = xasprintf("1 /v2/img/manifests/latest -\n"
			 "1 /token?service=fake&scope=repository%%3Aimg%%3Apull -\n"
			 "1 /v2/img/manifests/latest Bearer T0K3N\n");
	assert_true(strncmp(log, want, strlen(want)) == 0);
	assert_non_null(strstr(log, "1 /v2/img/blobs/sha256:"));
	assert_non_null(strstr(log, "2 /storage/x?sig=1 -\n"));
	assert_null(strstr(log, "2 /storage/x?sig=1 Bearer"));
	/* one token for the whole pull */
	assert_null(strstr(strstr(log, "/token") + 1, "/token"));
}

static void client_bearer_token_with_credentials(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_error err = { 0 };
	cleanup_free char *want = NULL;
	char *mt = NULL;

	f->auth = FAKE_BEARER_CREDS;
	r = fake_open(f, "user:pass", NULL);
	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	free(mt);
	assert_non_null(strstr(fake_log(f), "/token?service=fake&scope=repository%3Aimg%3Apull "
				BASIC_CREDS "\n"));
	iso_registry_free(r);

	r = fake_open(f, "user:wrong", NULL);
	assert_int_equal(get_manifest(r, "latest", &mt, &err), -1);
	want = xasprintf("fetch manifest 127.0.0.1:%d/img:latest: fetch a token from "
			 "http://127.0.0.1:%d/token: unauthorized: 401 Unauthorized "
			 "(incorrect username or password)", f->port1, f->port1);
	assert_string_equal(err.msg, want);
	iso_registry_free(r);
}

/* docker hub's answer for a repository that does not exist */
static void client_refused_token_hints_at_credentials(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_error err = { 0 };
	cleanup_free char *want = NULL;
	const char *log;
	char *mt = NULL;

	f->auth = FAKE_BEARER;
	f->repo = "secret";
	r = fake_open(f, NULL, NULL);
	assert_int_equal(get_manifest(r, "latest", &mt, &err), -1);
	want = xasprintf("fetch manifest 127.0.0.1:%d/secret:latest: unauthorized (UNAUTHORIZED: "
			 "authentication required); the repository may not exist, or may need "
			 "credentials (--creds USER:PASSWORD or an auth file)", f->port1);
	assert_string_equal(err.msg, want);
	iso_registry_free(r);
	/* one token, one retry */
	log = fake_log(f);
	assert_string_equal(strstr(log, "/token"), "/token?service=fake&scope=repository%3Asecret%3Apull -\n"
			    "1 /v2/secret/manifests/latest Bearer T0K3N\n");
}

static void client_basic_auth(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_blob_req req = { f->good, -1 };
	struct iso_error err = { 0 };
	cleanup_free char *want = NULL;
	char *mt = NULL;

	f->auth = FAKE_BASIC;
	r = fake_open(f, NULL, NULL);
	assert_int_equal(get_manifest(r, "latest", &mt, &err), -1);
	want = xasprintf("fetch manifest 127.0.0.1:%d/img:latest: authentication required by "
			 "127.0.0.1:%d (give --creds USER:PASSWORD or log in to it in an auth file)",
			 f->port1, f->port1);
	assert_string_equal(err.msg, want);
	iso_registry_free(r);

	r = fake_open(f, "user:pass", NULL);
	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	free(mt);
	assert_ok(iso_registry_fetch_blobs(r, &f->store, &req, 1, NULL, NULL, &err), &err);
	iso_registry_free(r);
	assert_non_null(strstr(fake_log(f), "/v2/img/blobs/sha256:"));
	assert_non_null(strstr(f->log, "/v2/img/manifests/latest " BASIC_CREDS "\n"));

	r = fake_open(f, "user:wrong", NULL);
	assert_int_equal(get_manifest(r, "latest", &mt, &err), -1);
	free(want);
	want = xasprintf("fetch manifest 127.0.0.1:%d/img:latest: unauthorized (UNAUTHORIZED: "
			 "authentication required)", f->port1);
	assert_string_equal(err.msg, want);
	iso_registry_free(r);
}

/* basic credentials from an auth file in the usual places */
static void client_basic_auth_from_an_auth_file(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_error err = { 0 };
	cleanup_free char *dir = tmp_path(&f->t, "docker");
	cleanup_free char *file = NULL;
	char *mt = NULL;

	f->auth = FAKE_BASIC;
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(fake_start(f), 0);
	file = xasprintf("{\"auths\": {\"http://127.0.0.1:%d\": {\"auth\": \"dXNlcjpwYXNz\"}}}",
			 f->port1);
	free(tmp_file(&f->t, "docker/config.json", file));
	setenv("DOCKER_CONFIG", dir, 1);
	r = fake_open(f, NULL, NULL);
	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	free(mt);
	iso_registry_free(r);
	unsetenv("DOCKER_CONFIG");
}

#define assert_blob_fails(f, digest, size, fragment)                              \
	check_blob_fails(f, digest, size, fragment, __FILE__, __LINE__)

/* Fetching DIGEST fails with a message "fetch REPO: blob DIGEST: FRAGMENT"
 * and leaves nothing in the store. */
static void check_blob_fails(struct fake *f, const char *digest, int64_t size, const char *fragment,
			     const char *file, int line)
{
	struct iso_registry *r = fake_open(f, NULL, NULL);
	struct iso_blob_req reqs[] = { { digest, size } };
	struct iso_error err = { 0 };
	struct events ev = { "" };
	cleanup_free char *want = xasprintf("fetch 127.0.0.1:%d/img: blob %s: %s", f->port1, digest,
					    fragment);

	_assert_int_equal(iso_registry_fetch_blobs(r, &f->store, reqs, 1, record, &ev, &err), -1,
			  file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.status, 125, file, line);
	_assert_true(strstr(ev.text, "0:4:") != NULL, "FAILED reported", file, line);
	_assert_true(!iso_store_has_blob(&f->store, digest), "blob absent", file, line);
	_assert_int_equal(count_entries(f, "tmp"), 0, file, line);
	_assert_int_equal(count_entries(f, "blobs/sha256"), 0, file, line);
	iso_registry_free(r);
	fake_stop(f);
}

static void client_blob_errors_leave_nothing(void **state)
{
	struct fake *f = *state;
	iso_digest_t got;
	cleanup_free char *mismatch = NULL;

	iso_digest_buf(WRONG_BLOB_SENT, strlen(WRONG_BLOB_SENT), got);
	mismatch = xasprintf("digest mismatch (got %s)", got);
	assert_blob_fails(f, f->wrong, 8, mismatch);
	assert_blob_fails(f, f->wrong, -1, mismatch);
	assert_blob_fails(f, f->short_blob, 100, "truncated: got 10 of 100 bytes");
	assert_blob_fails(f, f->short_blob, -1, "truncated: got 10 of 100 bytes");
	assert_blob_fails(f, f->good, 10, "more than the 10 bytes the manifest gives");
	assert_blob_fails(f, f->good, 30, "truncated: got 18 of 30 bytes");
	assert_blob_fails(f, f->missing, -1, "blob unknown (BLOB_UNKNOWN: blob unknown to registry)");
	assert_blob_fails(f, f->boom, -1, "registry answered 500 Internal Server Error");
}

/* the first error stops the rest, and a failed fetch keeps what it
 * verified before */
static void client_first_error_stops_the_fetch(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r = fake_open(f, NULL, NULL);
	struct iso_blob_req reqs[] = { { f->good, -1 }, { f->boom, -1 }, { f->redirected, -1 },
				       { f->missing, -1 }, { f->short_blob, -1 } };
	struct iso_error err = { 0 };

	assert_int_equal(iso_registry_fetch_blobs(r, &f->store, reqs, 5, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "registry answered 500 Internal Server Error"));
	assert_int_equal(count_entries(f, "tmp"), 0);
	assert_false(iso_store_has_blob(&f->store, f->missing));
	iso_registry_free(r);
}

static void client_bad_digests_are_refused_before_any_request(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r = fake_open(f, NULL, NULL);
	struct iso_blob_req reqs[] = { { f->good, -1 }, { "sha256:../../etc", -1 } };
	struct iso_error err = { 0 };

	assert_int_equal(iso_registry_fetch_blobs(r, &f->store, reqs, 2, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "blob 2 of 127.0.0.1:"));
	assert_string_equal(fake_log(f), "");
	iso_registry_free(r);
}

static void client_connection_refused_names_the_registry(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_imgref ref;
	struct iso_error err = { 0 };
	cleanup_free char *conf = tmp_file(&f->t, "registries.json", "{}");
	struct iso_registry_opts o = { .tls_verify = true, .config = conf };
	char *mt = NULL;

	assert_int_equal(iso_imgref_parse("127.0.0.1:1/img:latest", &ref, &err), 0);
	assert_int_equal(iso_registry_open(&r, &ref, &o, &err), 0);
	iso_imgref_free(&ref);
	assert_int_equal(get_manifest(r, "latest", &mt, &err), -1);
	assert_non_null(strstr(err.msg, "fetch manifest 127.0.0.1:1/img:latest: "));
	assert_non_null(strstr(err.msg, "Couldn't connect to server"));
	iso_registry_free(r);
}

static void log_nothing(enum iso_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* mirrors are asked first, in order; one that fails hands over to the next */
static void client_mirrors_in_order(void **state)
{
	struct fake *f = *state;
	struct iso_registry *r;
	struct iso_error err = { 0 };
	struct iso_blob_req req = { NULL, -1 };
	cleanup_free char *conf = NULL, *mirror = NULL;
	char *mt = NULL;

	assert_int_equal(fake_start(f), 0);
	conf = xasprintf("{\"mirrors\": {\"127.0.0.1:%d\": [\"http://127.0.0.1:1\", "
			 "\"127.0.0.2:%d\"]}}", f->port1, f->port2);
	mirror = xasprintf("127.0.0.2:%d", f->port2);
	r = fake_open(f, NULL, conf);
	assert_string_equal(iso_registry_endpoint(r), "127.0.0.1:1");
	iso_log_set_handler(log_nothing);
	assert_ok(get_manifest(r, "latest", &mt, &err), &err);
	iso_log_set_handler(NULL);
	free(mt);
	assert_string_equal(iso_registry_endpoint(r), mirror);
	req.digest = f->good;
	assert_ok(iso_registry_fetch_blobs(r, &f->store, &req, 1, NULL, NULL, &err), &err);
	iso_registry_free(r);
	/* the registry itself was never asked */
	assert_null(strstr(fake_log(f), "\n1 "));
	assert_true(strncmp(f->log, "1 ", 2) != 0);
	assert_non_null(strstr(f->log, "2 /v2/img/blobs/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(challenge_bearer_of_docker_hub),
		cmocka_unit_test(challenge_basic),
		cmocka_unit_test(challenge_quoted_values_keep_commas_and_escapes),
		cmocka_unit_test(challenge_names_are_case_insensitive_and_spacing_free),
		cmocka_unit_test(challenge_unknown_params_are_ignored),
		cmocka_unit_test(challenge_bearer_is_preferred_over_basic),
		cmocka_unit_test(challenge_bad_input_is_refused),
		cmocka_unit_test(base64_round_trips),
		cmocka_unit_test(base64_refuses_bad_text),
		cmocka_unit_test(creds_split_at_the_first_colon),
		cmocka_unit_test_setup_teardown(auth_file_gives_the_host_entry, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(auth_file_knows_docker_hub_aliases, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(auth_file_entries_without_auth_give_nothing, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(auth_file_bad_entries_are_refused, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(auth_lookup_follows_the_search_order, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(token_url_escapes_its_values),
		cmocka_unit_test(token_answer_gives_token_or_access_token),
		cmocka_unit_test(token_realm_must_be_https_unless_insecure),
		cmocka_unit_test(registry_error_detail_reads_the_errors_list),
		cmocka_unit_test(conf_mirrors_come_first_in_order),
		cmocka_unit_test(conf_docker_hub_aliases_share_mirrors),
		cmocka_unit_test(conf_insecure_hosts_ports_and_cidrs),
		cmocka_unit_test(conf_loopback_is_insecure_without_being_listed),
		cmocka_unit_test(conf_tls_verify_false_makes_every_registry_insecure),
		cmocka_unit_test(conf_bad_input_is_refused),
		cmocka_unit_test_setup_teardown(conf_load_reads_a_file_or_the_default, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(registry_urls),
		cmocka_unit_test_setup_teardown(client_anonymous_pull, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_manifest_type_falls_back_to_the_body, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_manifest_by_digest_is_checked, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_bearer_token_stays_with_the_registry, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_bearer_token_with_credentials, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_refused_token_hints_at_credentials, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_basic_auth, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_basic_auth_from_an_auth_file, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_blob_errors_leave_nothing, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_first_error_stops_the_fetch, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_bad_digests_are_refused_before_any_request, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_connection_refused_names_the_registry, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(client_mirrors_in_order, fake_setup, fake_teardown),
	};

	/* the machine's own auth files and proxies stay out of the tests */
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("DOCKER_CONFIG");
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	setenv("HOME", "/nonexistent", 1);
	return cmocka_run_group_tests_name("registry_auth", tests, NULL, NULL);
}
