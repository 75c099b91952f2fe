/* image/digest.h: sha256 content digests, whole and streamed, and the
 * check of a digest string (only "sha256:" and 64 lowercase hex digits).
 *
 * The expected values are FIPS 180-2's test vectors. */
#include "helpers.h"

#include <errno.h>

#include "image/digest.h"

#define SHA256_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define TWO_BLOCKS "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA256_TWO_BLOCKS "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
/* a million times 'a' */
#define SHA256_MILLION_A "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* iso_digest_check refuses D with a message holding FRAGMENT. */
#define assert_check_refused(d, what, fragment) \
	check_check_refused(__FILE__, __LINE__, d, what, fragment)

static void check_check_refused(const char *file, int line, const char *d, const char *what,
				const char *fragment)
{
	struct iso_error err = { 0 };

	_assert_true(!iso_digest_valid(d), "not valid", file, line);
	_assert_int_equal(iso_digest_check(d, what, &err), -1, file, line);
	if (strstr(err.msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, fragment);
		_fail(file, line);
	}
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
	_assert_int_equal(err.errnum, 0, file, line);
}

static void buf_digest_of_known_vectors(void **state)
{
	iso_digest_t d;

	(void)state;
	iso_digest_buf("", 0, d);
	assert_string_equal(d, SHA256_EMPTY);
	iso_digest_buf("abc", 3, d);
	assert_string_equal(d, SHA256_ABC);
	iso_digest_buf(TWO_BLOCKS, strlen(TWO_BLOCKS), d);
	assert_string_equal(d, SHA256_TWO_BLOCKS);
	assert_int_equal(strlen(d), ISO_DIGEST_STRLEN);
}

/* The stream's digest does not depend on how the data was cut. */
static void streamed_digest_matches_across_updates(void **state)
{
	struct iso_sha256 h;
	struct iso_error err = { 0 };
	iso_digest_t d;
	const char *s = TWO_BLOCKS;

	(void)state;
	assert_int_equal(iso_sha256_init(&h, &err), 0);
	iso_sha256_update(&h, "a", 1);
	iso_sha256_update(&h, "", 0);
	iso_sha256_update(&h, "bc", 2);
	iso_sha256_final(&h, d);
	assert_string_equal(d, SHA256_ABC);
	assert_null(h.ctx);

	/* a cut inside the first 64-byte block and one across it */
	assert_int_equal(iso_sha256_init(&h, &err), 0);
	iso_sha256_update(&h, s, 5);
	iso_sha256_update(&h, s + 5, 50);
	iso_sha256_update(&h, s + 55, strlen(s) - 55);
	iso_sha256_final(&h, d);
	assert_string_equal(d, SHA256_TWO_BLOCKS);

	assert_int_equal(iso_sha256_init(&h, &err), 0);
	iso_sha256_final(&h, d);
	assert_string_equal(d, SHA256_EMPTY);
}

/* A stream given up before its end frees its context (ASan's leak check
 * would see it otherwise). */
static void streamed_digest_can_be_abandoned(void **state)
{
	struct iso_sha256 h;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_sha256_init(&h, &err), 0);
	iso_sha256_update(&h, "abc", 3);
	iso_sha256_free(&h);
	assert_null(h.ctx);
	iso_sha256_free(&h);
}

/* A million bytes crosses the reader's 64 KiB buffer many times. */
static void fd_digest_reads_to_the_end(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "million");
	cleanup_free char *a = xmalloc(1000000);
	cleanup_close int fd = -1;
	struct iso_error err = { 0 };
	iso_digest_t d;

	memset(a, 'a', 1000000);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, a, 1000000), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(iso_digest_fd(fd, d, &err), 0);
	assert_string_equal(d, SHA256_MILLION_A);
	iso_digest_buf(a, 1000000, d);
	assert_string_equal(d, SHA256_MILLION_A);
}

static void fd_digest_starts_at_the_current_offset(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "f", "xyzabc");
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct iso_error err = { 0 };
	iso_digest_t d;

	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	assert_int_equal(iso_digest_fd(fd, d, &err), 0);
	assert_string_equal(d, SHA256_ABC);
	/* at the end: what is left is nothing */
	assert_int_equal(iso_digest_fd(fd, d, &err), 0);
	assert_string_equal(d, SHA256_EMPTY);
}

static void fd_digest_of_an_unreadable_fd_is_an_error(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "f", "abc");
	cleanup_close int wronly = open(path, O_WRONLY | O_CLOEXEC);
	cleanup_close int dir = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct iso_error err = { 0 };
	iso_digest_t d;

	assert_true(wronly >= 0 && dir >= 0);
	assert_int_equal(iso_digest_fd(wronly, d, &err), -1);
	assert_int_equal(err.errnum, EBADF);
	assert_non_null(strstr(err.msg, "read to digest"));
	assert_int_equal(iso_digest_fd(dir, d, &err), -1);
	assert_int_equal(err.errnum, EISDIR);
}

static void valid_digests(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_true(iso_digest_valid(SHA256_EMPTY));
	assert_true(iso_digest_valid("sha256:" HEX64));
	assert_int_equal(iso_digest_check(SHA256_ABC, "blob", &err), 0);
	assert_string_equal(iso_digest_hex(SHA256_ABC), SHA256_ABC + 7);
}

/* The OCI spec's encoded part of sha256 is lowercase only. */
static void uppercase_hex_is_refused(void **state)
{
	(void)state;
	assert_check_refused("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
			     "config", "config: invalid digest \"sha256:E3B0C4");
	assert_check_refused("sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF",
			     "config", "invalid digest");
}

static void wrong_lengths_are_refused(void **state)
{
	(void)state;
	assert_check_refused("sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
			     "layers[0]", "layers[0]: invalid digest");
	assert_check_refused("sha256:" HEX64 "0", "layers[0]", "layers[0]: invalid digest");
	assert_check_refused("sha256:", "blob", "blob: invalid digest \"sha256:\"");
	assert_check_refused("", "blob", "blob: invalid digest \"\"");
}

/* sha512 is a digest the spec knows: the message says which algorithm. */
static void other_algorithms_are_named(void **state)
{
	(void)state;
	assert_check_refused("sha512:" HEX64 HEX64, "manifest",
			     "manifest: unsupported digest algorithm \"sha512\" (only sha256)");
	assert_check_refused("md5:d41d8cd98f00b204e9800998ecf8427e", "blob",
			     "unsupported digest algorithm \"md5\"");
	assert_check_refused("SHA256:" HEX64, "blob", "unsupported digest algorithm \"SHA256\"");
}

static void missing_colon_is_refused(void **state)
{
	(void)state;
	assert_check_refused("sha256" HEX64, "blob", "blob: invalid digest \"sha256" HEX64);
	assert_check_refused(HEX64, "blob", "blob: invalid digest");
	assert_check_refused(NULL, "blob", "blob: invalid digest \"\"");
}

/* A hostile digest is cut in the message, never overflows it. */
static void long_garbage_is_quoted_shortly(void **state)
{
	cleanup_free char *junk = xmalloc(4096);
	struct iso_error err = { 0 };

	(void)state;
	memset(junk, 'x', 4095);
	junk[4095] = '\0';
	assert_int_equal(iso_digest_check(junk, "blob", &err), -1);
	assert_true(strlen(err.msg) < 120);
	junk[10] = ':';
	assert_int_equal(iso_digest_check(junk, "blob", &err), -1);
	assert_non_null(strstr(err.msg, "unsupported digest algorithm \"xxxxxxxxxx\""));
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_digest_of_known_vectors),
		cmocka_unit_test(streamed_digest_matches_across_updates),
		cmocka_unit_test(streamed_digest_can_be_abandoned),
		TMP_TEST(fd_digest_reads_to_the_end),
		TMP_TEST(fd_digest_starts_at_the_current_offset),
		TMP_TEST(fd_digest_of_an_unreadable_fd_is_an_error),
		cmocka_unit_test(valid_digests),
		cmocka_unit_test(uppercase_hex_is_refused),
		cmocka_unit_test(wrong_lengths_are_refused),
		cmocka_unit_test(other_algorithms_are_named),
		cmocka_unit_test(missing_colon_is_refused),
		cmocka_unit_test(long_garbage_is_quoted_shortly),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
