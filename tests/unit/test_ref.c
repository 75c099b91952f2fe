/* image/ref.h: image references normalised as docker does
 * (distribution/reference: ParseNormalizedNamed and FamiliarString). */
#include "helpers.h"

#include "image/ref.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

/* What a reference parses to; NULL members are expected to be NULL. */
struct want {
	const char *domain, *path, *tag, *digest;
	const char *string;       /* iso_imgref_string */
	const char *familiar;     /* iso_imgref_familiar */
};

#define assert_ref(s, ...) check_ref(__FILE__, __LINE__, s, &(struct want){ __VA_ARGS__ })

static void check_same(const char *file, int line, const char *got, const char *want,
		       const char *what)
{
	if (want == NULL) {
		if (got != NULL)
			print_error("%s: \"%s\", expected none\n", what, got);
		_assert_true(got == NULL, what, file, line);
	} else {
		_assert_true(got != NULL, what, file, line);
		_assert_string_equal(got, want, file, line);
	}
}

static void check_ref(const char *file, int line, const char *s, const struct want *w)
{
	struct iso_imgref ref;
	struct iso_error err = { 0 };
	cleanup_free char *name = NULL, *string = NULL, *familiar = NULL;

	if (iso_imgref_parse(s, &ref, &err) < 0) {
		print_error("%s: %s\n", s, err.msg);
		_fail(file, line);
	}
	check_same(file, line, ref.domain, w->domain, "domain");
	check_same(file, line, ref.path, w->path, "path");
	check_same(file, line, ref.tag, w->tag, "tag");
	check_same(file, line, ref.digest, w->digest, "digest");
	name = iso_imgref_name(&ref);
	string = iso_imgref_string(&ref);
	familiar = iso_imgref_familiar(&ref);
	check_same(file, line, string, w->string, "string");
	check_same(file, line, familiar, w->familiar, "familiar");
	/* the name is the string without its tag and digest */
	_assert_true(strncmp(string, name, strlen(name)) == 0 &&
		     (string[strlen(name)] == ':' || string[strlen(name)] == '@'),
		     "name is a prefix of the string", file, line);
	/* a manifest is fetched by the digest when there is one */
	check_same(file, line, iso_imgref_reference(&ref), w->digest ? w->digest : w->tag,
		   "reference");
	iso_imgref_free(&ref);
	_assert_true(ref.domain == NULL && ref.path == NULL, "freed", file, line);
}

#define assert_refused(s, fragment) check_refused(__FILE__, __LINE__, s, fragment)

static void check_refused(const char *file, int line, const char *s, const char *fragment)
{
	struct iso_imgref ref;
	struct iso_error err = { 0 };

	_assert_int_equal(iso_imgref_parse(s, &ref, &err), -1, file, line);
	if (strstr(err.msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
		_fail(file, line);
	}
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
	/* nothing kept (ASan would see a leak of anything allocated) */
	_assert_true(ref.domain == NULL && ref.path == NULL && ref.tag == NULL &&
		     ref.digest == NULL, "nothing kept", file, line);
}

/* "aaaa...a" of N characters; the caller frees it. */
static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void official_image_gets_docker_io_library_and_latest(void **state)
{
	(void)state;
	assert_ref("busybox", .domain = "docker.io", .path = "library/busybox", .tag = "latest",
		   .string = "docker.io/library/busybox:latest", .familiar = "busybox:latest");
	assert_ref("busybox:1.36", .domain = "docker.io", .path = "library/busybox", .tag = "1.36",
		   .string = "docker.io/library/busybox:1.36", .familiar = "busybox:1.36");
}

static void user_repository_on_docker_hub(void **state)
{
	(void)state;
	assert_ref("user/app:1.0", .domain = "docker.io", .path = "user/app", .tag = "1.0",
		   .string = "docker.io/user/app:1.0", .familiar = "user/app:1.0");
	assert_ref("user/team/app", .domain = "docker.io", .path = "user/team/app", .tag = "latest",
		   .string = "docker.io/user/team/app:latest", .familiar = "user/team/app:latest");
}

/* "localhost" is a registry even without a dot or a port. */
static void localhost_is_a_registry(void **state)
{
	(void)state;
	assert_ref("localhost/app", .domain = "localhost", .path = "app", .tag = "latest",
		   .string = "localhost/app:latest", .familiar = "localhost/app:latest");
	assert_ref("localhost:5000/a/b:t", .domain = "localhost:5000", .path = "a/b", .tag = "t",
		   .string = "localhost:5000/a/b:t", .familiar = "localhost:5000/a/b:t");
}

static void registry_with_address_and_port(void **state)
{
	(void)state;
	assert_ref("127.0.0.1:5000/x", .domain = "127.0.0.1:5000", .path = "x", .tag = "latest",
		   .string = "127.0.0.1:5000/x:latest", .familiar = "127.0.0.1:5000/x:latest");
	assert_ref("[::1]:5000/x:t", .domain = "[::1]:5000", .path = "x", .tag = "t",
		   .string = "[::1]:5000/x:t", .familiar = "[::1]:5000/x:t");
	assert_ref("[fe80::1]/ns/x", .domain = "[fe80::1]", .path = "ns/x", .tag = "latest",
		   .string = "[fe80::1]/ns/x:latest", .familiar = "[fe80::1]/ns/x:latest");
	assert_ref("registry-1.example.com/x", .domain = "registry-1.example.com", .path = "x",
		   .tag = "latest", .string = "registry-1.example.com/x:latest",
		   .familiar = "registry-1.example.com/x:latest");
}

/* A first component with an uppercase letter cannot be a repository:
 * docker takes it for a registry. */
static void uppercase_first_component_is_a_domain(void **state)
{
	(void)state;
	assert_ref("Host.TLD/x", .domain = "Host.TLD", .path = "x", .tag = "latest",
		   .string = "Host.TLD/x:latest", .familiar = "Host.TLD/x:latest");
	assert_ref("MyRegistry/x:1", .domain = "MyRegistry", .path = "x", .tag = "1",
		   .string = "MyRegistry/x:1", .familiar = "MyRegistry/x:1");
}

/* index.docker.io is docker.io's old name; both hold the official
 * images under library/. */
static void docker_hub_names_are_normalised(void **state)
{
	(void)state;
	assert_ref("index.docker.io/library/x", .domain = "docker.io", .path = "library/x",
		   .tag = "latest", .string = "docker.io/library/x:latest", .familiar = "x:latest");
	assert_ref("index.docker.io/x", .domain = "docker.io", .path = "library/x",
		   .tag = "latest", .string = "docker.io/library/x:latest", .familiar = "x:latest");
	assert_ref("docker.io/busybox:1", .domain = "docker.io", .path = "library/busybox",
		   .tag = "1", .string = "docker.io/library/busybox:1", .familiar = "busybox:1");
	assert_ref("docker.io/library/busybox", .domain = "docker.io", .path = "library/busybox",
		   .tag = "latest", .string = "docker.io/library/busybox:latest",
		   .familiar = "busybox:latest");
	assert_ref("docker.io/user/app", .domain = "docker.io", .path = "user/app",
		   .tag = "latest", .string = "docker.io/user/app:latest",
		   .familiar = "user/app:latest");
	/* only one level under library/ is an official image */
	assert_ref("library/a/b", .domain = "docker.io", .path = "library/a/b", .tag = "latest",
		   .string = "docker.io/library/a/b:latest", .familiar = "library/a/b:latest");
}

/* A digest alone: no tag is made up, and the digest is the reference. */
static void digest_without_tag(void **state)
{
	(void)state;
	assert_ref("x@" DIGEST, .domain = "docker.io", .path = "library/x", .digest = DIGEST,
		   .string = "docker.io/library/x@" DIGEST, .familiar = "x@" DIGEST);
	assert_ref("localhost:5000/a@" DIGEST, .domain = "localhost:5000", .path = "a",
		   .digest = DIGEST, .string = "localhost:5000/a@" DIGEST,
		   .familiar = "localhost:5000/a@" DIGEST);
}

static void tag_and_digest_together(void **state)
{
	(void)state;
	assert_ref("x:t@" DIGEST, .domain = "docker.io", .path = "library/x", .tag = "t",
		   .digest = DIGEST, .string = "docker.io/library/x:t@" DIGEST,
		   .familiar = "x:t@" DIGEST);
	assert_ref("127.0.0.1:5000/x:t@" DIGEST, .domain = "127.0.0.1:5000", .path = "x",
		   .tag = "t", .digest = DIGEST, .string = "127.0.0.1:5000/x:t@" DIGEST,
		   .familiar = "127.0.0.1:5000/x:t@" DIGEST);
}

/* Components: [a-z0-9]+ joined by ".", "_", "__" or a run of "-". */
static void component_separators(void **state)
{
	(void)state;
	assert_ref("a_b__c---d/e.f-g", .domain = "docker.io", .path = "a_b__c---d/e.f-g",
		   .tag = "latest", .string = "docker.io/a_b__c---d/e.f-g:latest",
		   .familiar = "a_b__c---d/e.f-g:latest");
	assert_refused("a___b", "bad repository name \"library/a___b\"");
	assert_refused("a..b", "bad repository name \"library/a..b\"");
	assert_refused("a._b", "bad repository name");
	assert_refused("-a", "bad repository name \"library/-a\"");
	assert_refused("a-", "bad repository name");
	assert_refused("_a", "bad repository name");
	assert_refused("a.", "bad repository name");
}

static void tags(void **state)
{
	cleanup_free char *t128 = repeat('t', 128);
	cleanup_free char *s128 = xasprintf("x:%s", t128);
	cleanup_free char *full = xasprintf("docker.io/library/x:%s", t128);
	cleanup_free char *fam = xasprintf("x:%s", t128);

	(void)state;
	assert_ref("x:_Tag.9-X", .domain = "docker.io", .path = "library/x", .tag = "_Tag.9-X",
		   .string = "docker.io/library/x:_Tag.9-X", .familiar = "x:_Tag.9-X");
	assert_ref(s128, .domain = "docker.io", .path = "library/x", .tag = t128, .string = full,
		   .familiar = fam);
}

static void uppercase_repository_is_refused(void **state)
{
	(void)state;
	assert_refused("BusyBox", "invalid reference \"BusyBox\": repository name must be lowercase");
	assert_refused("user/App", "repository name must be lowercase");
	assert_refused("Host.TLD/X", "repository name must be lowercase");
}

static void empty_components_are_refused(void **state)
{
	(void)state;
	assert_refused("a//b", "invalid reference \"a//b\": bad repository name \"a//b\"");
	assert_refused("a/", "invalid reference \"a/\": bad repository name \"a/\"");
	assert_refused("localhost/", "bad repository name \"\"");
	assert_refused("/a", "bad repository name");
	assert_refused(":tag", "invalid reference \":tag\": empty repository name");
	assert_refused("@" DIGEST, "empty repository name");
	assert_refused("", "invalid reference: empty image name");
	assert_refused(NULL, "empty image name");
}

static void bad_tags_are_refused(void **state)
{
	cleanup_free char *t129 = repeat('t', 129);
	cleanup_free char *s129 = xasprintf("x:%s", t129);

	(void)state;
	assert_refused("x:", "invalid reference \"x:\": bad tag \"\"");
	assert_refused(s129, "bad tag \"ttt");
	assert_refused("x:.t", "bad tag \".t\"");
	assert_refused("x:-t", "bad tag \"-t\"");
	assert_refused("x:t+1", "bad tag \"t+1\"");
}

static void bad_digests_are_refused(void **state)
{
	(void)state;
	assert_refused("x@sha256:short", "invalid reference \"x@sha256:short\": invalid digest");
	assert_refused("x@md5:d41d8cd98f00b204e9800998ecf8427e",
		       "unsupported digest algorithm \"md5\"");
	assert_refused("x@sha512:" HEX64 HEX64, "unsupported digest algorithm \"sha512\"");
	assert_refused("x@", "invalid digest");
	assert_refused("x@" DIGEST ":t", "invalid digest");
}

static void bad_registries_are_refused(void **state)
{
	(void)state;
	assert_refused("a_b.com/x", "bad registry \"a_b.com\"");
	assert_refused("-a.com/x", "bad registry");
	assert_refused("a-.com/x", "bad registry");
	assert_refused("a..com/x", "bad registry");
	assert_refused("host:/x", "bad registry \"host:\"");
	assert_refused("host:http/x", "bad registry \"host:http\"");
	assert_refused("[]:5000/x", "bad registry");
	assert_refused("[::g]/x", "bad registry");
}

/* docker: at most 255 characters in the whole name, registry included. */
static void names_longer_than_255_are_refused(void **state)
{
	/* "docker.io/library/" is 18 characters */
	cleanup_free char *n237 = repeat('a', 255 - 18);
	cleanup_free char *n238 = repeat('a', 256 - 18);
	cleanup_free char *full = xasprintf("docker.io/library/%s:latest", n237);
	cleanup_free char *path = xasprintf("library/%s", n237);
	cleanup_free char *fam = xasprintf("%s:latest", n237);

	(void)state;
	assert_ref(n237, .domain = "docker.io", .path = path, .tag = "latest", .string = full,
		   .familiar = fam);
	assert_refused(n238, "name longer than 255 characters");
}

/* docker refuses a name that is an image id, rather than pull
 * docker.io/library/<id>. */
static void a_full_image_id_is_no_name(void **state)
{
	(void)state;
	assert_refused(HEX64, "cannot be 64 hexadecimal digits");
	/* one digit short, or with a tag, it is a name again */
	assert_ref(HEX64 ":t", .domain = "docker.io", .path = "library/" HEX64, .tag = "t",
		   .string = "docker.io/library/" HEX64 ":t", .familiar = HEX64 ":t");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(official_image_gets_docker_io_library_and_latest),
		cmocka_unit_test(user_repository_on_docker_hub),
		cmocka_unit_test(localhost_is_a_registry),
		cmocka_unit_test(registry_with_address_and_port),
		cmocka_unit_test(uppercase_first_component_is_a_domain),
		cmocka_unit_test(docker_hub_names_are_normalised),
		cmocka_unit_test(digest_without_tag),
		cmocka_unit_test(tag_and_digest_together),
		cmocka_unit_test(component_separators),
		cmocka_unit_test(tags),
		cmocka_unit_test(uppercase_repository_is_refused),
		cmocka_unit_test(empty_components_are_refused),
		cmocka_unit_test(bad_tags_are_refused),
		cmocka_unit_test(bad_digests_are_refused),
		cmocka_unit_test(bad_registries_are_refused),
		cmocka_unit_test(names_longer_than_255_are_refused),
		cmocka_unit_test(a_full_image_id_is_no_name),
	};

	return cmocka_run_group_tests_name("ref", tests, NULL, NULL);
}
