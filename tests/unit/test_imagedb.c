/* image/imagedb.h: which images the store holds, and by what names
 * (ROOT/images.json): lookups by name as a user types it, by id and by
 * id prefix; tags moved, removed, and images forgotten.
 *
 * Each test gets a fresh store at T/store. */
#include "helpers.h"

#include <time.h>

#include "image/imagedb.h"

#define HEX_A "abcd1111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "abcd2222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "0123cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ID_A "sha256:" HEX_A
#define ID_B "sha256:" HEX_B
#define ID_C "sha256:" HEX_C
#define MAN_A "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define MAN_B "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define MAN_C "sha256:3333333333333333333333333333333333333333333333333333333333333333"

#define BUSYBOX "docker.io/library/busybox:latest"

struct db {
	struct tmpdir *t;
	struct iso_store s;
};

static int db_teardown(void **state);

/* A setup that fails is not torn down by cmocka: it undoes itself. */
static int db_setup(void **state)
{
	struct db *f = xcalloc(1, sizeof(*f));
	struct iso_error err = { 0 };
	cleanup_free char *root = NULL;

	if (tmpdir_setup((void **)&f->t) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	root = tmp_path(f->t, "store");
	if (iso_store_open(&f->s, root, &err) < 0) {
		print_error("%s\n", err.msg);
		db_teardown(state);
		return -1;
	}
	return 0;
}

static int db_teardown(void **state)
{
	struct db *f = *state;
	int r;

	if (f == NULL)
		return 0;
	if (f->s.root)
		iso_store_close(&f->s);
	r = tmpdir_teardown((void **)&f->t);
	free(f);
	return r;
}

static void add(struct db *f, const char *id, const char *manifest, const char *ref)
{
	struct iso_error err = { 0 };

	if (iso_imagedb_add(&f->s, id, manifest, ref, &err) < 0) {
		print_error("%s\n", err.msg);
		fail();
	}
}

/* NAME finds image ID, whose refs are exactly the NULL-ended REFS. */
#define assert_finds(f, name, id, ...) \
	check_finds(__FILE__, __LINE__, f, name, id, (const char *[]){ __VA_ARGS__ })

static void check_finds(const char *file, int line, struct db *f, const char *name, const char *id,
			const char *const *refs)
{
	struct iso_image_rec r;
	struct iso_error err = { 0 };
	bool found = false;
	size_t n = 0;

	if (iso_imagedb_lookup(&f->s, name, &r, &found, &err) < 0) {
		print_error("%s: %s\n", name, err.msg);
		_fail(file, line);
	}
	if (!found)
		print_error("%s: not found\n", name);
	_assert_true(found, "found", file, line);
	_assert_string_equal(r.id, id, file, line);
	for (; refs[n]; n++) {
		bool has = false;

		for (size_t i = 0; r.refs[i]; i++)
			has = has || strcmp(r.refs[i], refs[n]) == 0;
		if (!has)
			print_error("%s: no ref %s\n", name, refs[n]);
		_assert_true(has, "has the ref", file, line);
	}
	_assert_int_equal(strv_len(r.refs), n, file, line);
	iso_image_rec_free(&r);
}

#define assert_not_found(f, name) check_not_found(__FILE__, __LINE__, f, name)

static void check_not_found(const char *file, int line, struct db *f, const char *name)
{
	struct iso_image_rec r;
	struct iso_error err = { 0 };
	bool found = true;

	_assert_int_equal(iso_imagedb_lookup(&f->s, name, &r, &found, &err), 0, file, line);
	_assert_true(!found, name, file, line);
}

static void lookup_in_an_empty_store(void **state)
{
	struct db *f = *state;
	struct iso_image_list l;
	struct iso_error err = { 0 };
	cleanup_free char *path = xasprintf("%s/images.json", f->s.root);

	assert_not_found(f, "busybox");
	assert_not_found(f, ID_A);
	assert_int_equal(iso_imagedb_list(&f->s, &l, &err), 0);
	assert_int_equal(l.n, 0);
	iso_image_list_free(&l);
	/* reading made no file */
	assert_int_equal(access(path, F_OK), -1);
}

static void add_then_lookup_by_full_ref_and_familiar_name(void **state)
{
	struct db *f = *state;

	add(f, ID_A, MAN_A, BUSYBOX);
	assert_finds(f, BUSYBOX, ID_A, BUSYBOX, NULL);
	assert_finds(f, "busybox", ID_A, BUSYBOX, NULL);
	assert_finds(f, "busybox:latest", ID_A, BUSYBOX, NULL);
	assert_finds(f, "docker.io/busybox", ID_A, BUSYBOX, NULL);
	assert_finds(f, "index.docker.io/library/busybox:latest", ID_A, BUSYBOX, NULL);
	assert_not_found(f, "busybox:1.36");
	assert_not_found(f, "library/busybox:other");
	assert_not_found(f, "localhost/busybox");
}

static void record_holds_manifest_and_time_added(void **state)
{
	struct db *f = *state;
	struct iso_image_rec r;
	struct iso_error err = { 0 };
	bool found;
	time_t before = time(NULL);

	add(f, ID_A, MAN_A, "127.0.0.1:5000/app:1");
	assert_int_equal(iso_imagedb_lookup(&f->s, "127.0.0.1:5000/app:1", &r, &found, &err), 0);
	assert_true(found);
	assert_string_equal(r.id, ID_A);
	assert_string_equal(r.manifest, MAN_A);
	assert_true(r.added >= before && r.added <= time(NULL));
	assert_string_equal(r.refs[0], "127.0.0.1:5000/app:1");
	iso_image_rec_free(&r);
}

static void lookup_by_id_and_unique_prefix(void **state)
{
	struct db *f = *state;

	add(f, ID_A, MAN_A, BUSYBOX);
	add(f, ID_C, MAN_C, NULL);
	assert_finds(f, ID_A, ID_A, BUSYBOX, NULL);
	assert_finds(f, ID_C, ID_C, NULL);
	assert_finds(f, "abcd", ID_A, BUSYBOX, NULL);
	assert_finds(f, "abcd1111aaaa", ID_A, BUSYBOX, NULL);
	assert_finds(f, HEX_A, ID_A, BUSYBOX, NULL);
	assert_finds(f, "0123", ID_C, NULL);
	/* fewer than 4 digits, uppercase, or not a prefix: nothing */
	assert_not_found(f, "abc");
	assert_not_found(f, "ABCD");
	assert_not_found(f, "abcd1112");
	assert_not_found(f, "sha256:abc");
	assert_not_found(f, HEX_A "0");
	/* docker takes a short id after "sha256:" too */
	assert_finds(f, "sha256:abcd", ID_A, BUSYBOX, NULL);
}

static void ambiguous_prefix_is_an_error(void **state)
{
	struct db *f = *state;
	struct iso_image_rec r;
	struct iso_error err = { 0 };
	bool found = true;

	add(f, ID_A, MAN_A, NULL);
	add(f, ID_B, MAN_B, NULL);
	assert_int_equal(iso_imagedb_lookup(&f->s, "abcd", &r, &found, &err), -1);
	assert_false(found);
	assert_string_equal(err.msg, "image id prefix abcd is ambiguous");
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
	assert_finds(f, "abcd1", ID_A, NULL);
	assert_finds(f, "abcd2", ID_B, NULL);
}

/* A ref is looked up before an id prefix (docker's order): an image
 * named "abcd" is found by that name even when an id starts so. */
static void ref_wins_over_id_prefix(void **state)
{
	struct db *f = *state;

	add(f, ID_A, MAN_A, NULL);
	add(f, ID_C, MAN_C, "docker.io/library/abcd:latest");
	assert_finds(f, "abcd", ID_C, "docker.io/library/abcd:latest", NULL);
	assert_finds(f, "abcd1", ID_A, NULL);
}

/* docker: a tag pulled again for a newer image leaves the older one
 * "<none>" (dangling), still there. */
static void moving_a_tag_leaves_the_old_image_untagged(void **state)
{
	struct db *f = *state;
	struct iso_image_list l;
	struct iso_error err = { 0 };

	add(f, ID_A, MAN_A, BUSYBOX);
	add(f, ID_B, MAN_B, BUSYBOX);
	assert_finds(f, "busybox", ID_B, BUSYBOX, NULL);
	assert_finds(f, ID_A, ID_A, NULL);
	assert_int_equal(iso_imagedb_list(&f->s, &l, &err), 0);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(strv_len(l.v[i].refs),
				 strcmp(l.v[i].id, ID_A) == 0 ? 0 : 1);
	iso_image_list_free(&l);
}

static void one_image_with_several_refs(void **state)
{
	struct db *f = *state;
	struct iso_image_rec r;
	struct iso_error err = { 0 };
	bool found;

	add(f, ID_A, MAN_A, BUSYBOX);
	add(f, ID_A, MAN_B, "docker.io/library/busybox:1.36");
	add(f, ID_A, MAN_B, NULL);
	assert_finds(f, "busybox:1.36", ID_A, BUSYBOX, "docker.io/library/busybox:1.36", NULL);
	/* the manifest recorded last is the image's */
	assert_int_equal(iso_imagedb_lookup(&f->s, "busybox", &r, &found, &err), 0);
	assert_string_equal(r.manifest, MAN_B);
	iso_image_rec_free(&r);
}

static void untag_reports_the_refs_left(void **state)
{
	struct db *f = *state;
	struct iso_error err = { 0 };
	size_t left = 99;

	add(f, ID_A, MAN_A, BUSYBOX);
	add(f, ID_A, MAN_A, "docker.io/library/busybox:1.36");
	add(f, ID_B, MAN_B, "docker.io/library/other:latest");
	assert_int_equal(iso_imagedb_untag(&f->s, BUSYBOX, &left, &err), 0);
	assert_int_equal(left, 1);
	assert_not_found(f, "busybox");
	assert_finds(f, "busybox:1.36", ID_A, "docker.io/library/busybox:1.36", NULL);
	assert_int_equal(iso_imagedb_untag(&f->s, "docker.io/library/busybox:1.36", &left, &err), 0);
	assert_int_equal(left, 0);
	/* untagged, not forgotten */
	assert_finds(f, ID_A, ID_A, NULL);
	assert_finds(f, "other", ID_B, "docker.io/library/other:latest", NULL);
}

static void untag_of_an_unknown_ref_is_an_error(void **state)
{
	struct db *f = *state;
	struct iso_error err = { 0 };
	size_t left = 99;

	add(f, ID_A, MAN_A, BUSYBOX);
	assert_int_equal(iso_imagedb_untag(&f->s, "docker.io/library/nope:latest", &left, &err), -1);
	assert_string_equal(err.msg, "no such image: docker.io/library/nope:latest");
	assert_int_equal(left, 99);
	assert_finds(f, "busybox", ID_A, BUSYBOX, NULL);
}

static void remove_forgets_the_image_and_its_refs(void **state)
{
	struct db *f = *state;
	struct iso_image_list l;
	struct iso_error err = { 0 };

	add(f, ID_A, MAN_A, BUSYBOX);
	add(f, ID_A, MAN_A, "localhost:5000/bb:1");
	add(f, ID_B, MAN_B, "docker.io/library/other:latest");
	assert_int_equal(iso_imagedb_remove(&f->s, ID_A, &err), 0);
	assert_not_found(f, "busybox");
	assert_not_found(f, "localhost:5000/bb:1");
	assert_not_found(f, ID_A);
	assert_finds(f, "other", ID_B, "docker.io/library/other:latest", NULL);
	assert_int_equal(iso_imagedb_list(&f->s, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].id, ID_B);
	iso_image_list_free(&l);
	/* an id that is not there: nothing to do */
	assert_int_equal(iso_imagedb_remove(&f->s, ID_A, &err), 0);
}

/* Written whole through a temporary file, private to the store's owner. */
static void the_file_is_replaced_whole(void **state)
{
	struct db *f = *state;
	cleanup_free char *path = xasprintf("%s/images.json", f->s.root);
	cleanup_free char *tmp = xasprintf("%s/images.json.tmp", f->s.root);
	cleanup_free char *text = NULL;
	struct iso_error err = { 0 };
	struct stat st;
	size_t len;

	add(f, ID_A, MAN_A, BUSYBOX);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(read_file_at(AT_FDCWD, path, &text, &len, &err), 0);
	assert_non_null(strstr(text, "\"" BUSYBOX "\": \"" ID_A "\""));
	assert_non_null(strstr(text, "\"manifest\": \"" MAN_A "\""));
	assert_int_equal(text[len - 1], '\n');
}

#define assert_db_refused(f, content, fragment) \
	check_db_refused(__FILE__, __LINE__, f, content, fragment)

/* With images.json holding CONTENT, every call fails with FRAGMENT after
 * the file's path, and the file is left as it was. */
static void check_db_refused(const char *file, int line, struct db *f, const char *content,
			     const char *fragment)
{
	cleanup_free char *path = xasprintf("%s/images.json", f->s.root);
	cleanup_free char *want = xasprintf("%s%s", path, fragment);
	cleanup_free char *after = NULL;
	struct iso_image_rec r;
	struct iso_image_list l;
	struct iso_error err = { 0 };
	bool found = true;
	size_t left, len;

	write_file(path, content);
	_assert_int_equal(iso_imagedb_lookup(&f->s, "busybox", &r, &found, &err), -1, file, line);
	_assert_true(!found, "not found", file, line);
	if (strncmp(err.msg, want, strlen(want)) != 0) {
		print_error("message \"%s\" does not start with \"%s\"\n", err.msg, want);
		_fail(file, line);
	}
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
	_assert_int_equal(iso_imagedb_list(&f->s, &l, &err), -1, file, line);
	_assert_int_equal(strncmp(err.msg, want, strlen(want)), 0, file, line);
	_assert_int_equal(iso_imagedb_add(&f->s, ID_A, MAN_A, BUSYBOX, &err), -1, file, line);
	_assert_int_equal(iso_imagedb_untag(&f->s, BUSYBOX, &left, &err), -1, file, line);
	_assert_int_equal(iso_imagedb_remove(&f->s, ID_A, &err), -1, file, line);
	_assert_int_equal(read_file_at(AT_FDCWD, path, &after, &len, &err), 0, file, line);
	_assert_string_equal(after, content, file, line);
}

static void corrupt_file_is_reported_with_line_and_column(void **state)
{
	struct db *f = *state;

	assert_db_refused(f, "{\"images\": {},\n \"refs\": {\n  \"busybox\" \"sha256:\"}}\n",
			  ":3:21: ':' expected near '\"sha256:\"'");
	assert_db_refused(f, "", ":1:0: ");
	assert_db_refused(f, "{\"images\": {}, \"refs\": [] }", ": expected the objects \"images\" and \"refs\"");
	assert_db_refused(f, "{\"refs\": {}}", ": expected the objects \"images\" and \"refs\"");
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, db_setup, db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(lookup_in_an_empty_store),
		DB_TEST(add_then_lookup_by_full_ref_and_familiar_name),
		DB_TEST(record_holds_manifest_and_time_added),
		DB_TEST(lookup_by_id_and_unique_prefix),
		DB_TEST(ambiguous_prefix_is_an_error),
		DB_TEST(ref_wins_over_id_prefix),
		DB_TEST(moving_a_tag_leaves_the_old_image_untagged),
		DB_TEST(one_image_with_several_refs),
		DB_TEST(untag_reports_the_refs_left),
		DB_TEST(untag_of_an_unknown_ref_is_an_error),
		DB_TEST(remove_forgets_the_image_and_its_refs),
		DB_TEST(the_file_is_replaced_whole),
		DB_TEST(corrupt_file_is_reported_with_line_and_column),
	};

	return cmocka_run_group_tests_name("imagedb", tests, NULL, NULL);
}
