/* userdb.h: -u USER[:GROUP] resolved against passwd and group files. */
#include "helpers.h"

#include "userdb.h"

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	"bob:x:1001:1001::/home/bob:/bin/sh\n";

static const char group_text[] =
	"root:x:0:\n"
	"wheel:x:10:alice,root\n"
	"audio:x:29:bob\n"
	"staff:x:50:alice\n"
	"users:x:100:bob,alice\n"
	"alice:x:1000:alice\n"
	"bob:x:1001:\n";

struct db {
	struct tmpdir *dir;
	char *passwd;
	char *group;
	struct iso_resolved_user user;
};

static int db_setup(void **state)
{
	struct db *db = xcalloc(1, sizeof(*db));

	if (tmpdir_setup(state) < 0) {
		free(db);
		return -1;
	}
	db->dir = *state;
	db->passwd = tmp_file(db->dir, "passwd", passwd_text);
	db->group = tmp_file(db->dir, "group", group_text);
	*state = db;
	return 0;
}

static int db_teardown(void **state)
{
	struct db *db = *state;

	iso_resolved_user_free(&db->user);
	free(db->passwd);
	free(db->group);
	*state = db->dir;
	free(db);
	return tmpdir_teardown(state);
}

static int resolve(struct db *db, const char *spec, struct iso_error *err)
{
	iso_resolved_user_free(&db->user);
	return iso_user_resolve(spec, db->passwd, db->group, &db->user, err);
}

/* Resolves SPEC, which must succeed, and checks the result. */
#define assert_resolves(...) check_resolves(__FILE__, __LINE__, __VA_ARGS__)

static void check_resolves(const char *file, int line, struct db *db, const char *spec,
			   uid_t uid, gid_t gid, const char *home, const gid_t *groups,
			   size_t n_groups)
{
	struct iso_error err = { 0 };
	int r = resolve(db, spec, &err);

	_assert_string_equal(err.msg, "", file, line);
	_assert_int_equal(r, 0, file, line);
	_assert_int_equal(db->user.uid, uid, file, line);
	_assert_int_equal(db->user.gid, gid, file, line);
	_assert_string_equal(db->user.home, home, file, line);
	_assert_int_equal(db->user.n_groups, n_groups, file, line);
	for (size_t i = 0; i < n_groups; i++)
		_assert_int_equal(db->user.groups[i], groups[i], file, line);
}

/* SPEC is refused with exactly WANT and nothing is left allocated. */
#define assert_fails(...) check_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_fails(const char *file, int line, struct db *db, const char *spec,
			const char *want)
{
	struct iso_error err = { 0 };
	int r = resolve(db, spec, &err);

	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(r, -1, file, line);
	_assert_true(db->user.home == NULL, "home == NULL", file, line);
	_assert_true(db->user.groups == NULL, "groups == NULL", file, line);
	_assert_int_equal(db->user.n_groups, 0, file, line);
}

static void a_name_gives_its_ids_home_and_member_groups(void **state)
{
	static const gid_t groups[] = { 1000, 10, 50, 100 };

	assert_resolves(*state, "alice", 1000, 1000, "/home/alice", groups, 4);
}

static void a_known_uid_resolves_like_its_name(void **state)
{
	static const gid_t groups[] = { 1001, 29, 100 };

	assert_resolves(*state, "1001", 1001, 1001, "/home/bob", groups, 3);
}

static void an_unknown_uid_gets_gid_0_and_home_slash(void **state)
{
	static const gid_t groups[] = { 0 };

	assert_resolves(*state, "4242", 4242, 0, "/", groups, 1);
}

static void uid_0_without_a_passwd_entry_gets_home_root(void **state)
{
	struct db *db = *state;
	static const gid_t groups[] = { 0 };

	free(db->passwd);
	db->passwd = tmp_file(db->dir, "passwd.noroot", "alice:x:1000:1000::/home/alice:/bin/sh\n");
	assert_resolves(db, "0", 0, 0, "/root", groups, 1);
}

static void no_user_given_means_root(void **state)
{
	static const gid_t groups[] = { 0, 10 };

	assert_resolves(*state, NULL, 0, 0, "/root", groups, 2);
}

static void a_group_name_replaces_the_supplementary_groups(void **state)
{
	static const gid_t groups[] = { 29 };

	assert_resolves(*state, "alice:audio", 1000, 29, "/home/alice", groups, 1);
}

static void a_group_number_needs_no_group_entry(void **state)
{
	static const gid_t groups[] = { 4343 };
	static const gid_t staff[] = { 50 };

	assert_resolves(*state, "1000:4343", 1000, 4343, "/home/alice", groups, 1);
	assert_resolves(*state, "bob:50", 1001, 50, "/home/bob", staff, 1);
	assert_resolves(*state, "4242:4343", 4242, 4343, "/", groups, 1);
}

static void an_unknown_user_name_is_an_error(void **state)
{
	assert_fails(*state, "nobody",
		     "unable to find user nobody: no matching entries in passwd file");
	assert_fails(*state, "nobody:audio",
		     "unable to find user nobody: no matching entries in passwd file");
}

static void an_unknown_group_name_is_an_error(void **state)
{
	assert_fails(*state, "alice:nogroup",
		     "unable to find group nogroup: no matching entries in group file");
	assert_fails(*state, "4242:nogroup",
		     "unable to find group nogroup: no matching entries in group file");
}

static void an_empty_user_or_group_is_an_error(void **state)
{
	assert_fails(*state, "", "invalid user : expected USER[:GROUP]");
	assert_fails(*state, ":audio", "invalid user :audio: expected USER[:GROUP]");
	assert_fails(*state, "alice:", "invalid user alice:: expected USER[:GROUP]");
}

static void missing_files_are_fine_for_numeric_ids(void **state)
{
	struct db *db = *state;
	static const gid_t gid0[] = { 0 };
	static const gid_t gid7[] = { 7 };

	free(db->passwd);
	free(db->group);
	db->passwd = tmp_path(db->dir, "no-passwd");
	db->group = tmp_path(db->dir, "no-group");
	assert_resolves(db, "1234", 1234, 0, "/", gid0, 1);
	assert_resolves(db, "1234:7", 1234, 7, "/", gid7, 1);
	assert_resolves(db, NULL, 0, 0, "/root", gid0, 1);
	assert_fails(db, "alice", "unable to find user alice: no matching entries in passwd file");
	assert_fails(db, "0:wheel", "unable to find group wheel: no matching entries in group file");
}

/* A passwd line longer than userdb.c's 4 KiB buffer (a long GECOS field)
 * must not hide the entries after it. */
static void a_user_after_a_long_passwd_line_is_found(void **state)
{
	struct db *db = *state;
	static const gid_t groups[] = { 1000, 10, 50, 100 };
	char gecos[5001], text[6000];

	memset(gecos, 'g', sizeof(gecos) - 1);
	gecos[sizeof(gecos) - 1] = '\0';
	snprintf(text, sizeof(text), "root:x:0:0:root:/root:/bin/sh\n"
		 "big:x:5:5:%s:/home/big:/bin/sh\n"
		 "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n", gecos);
	write_file(db->passwd, text);
	assert_resolves(db, "alice", 1000, 1000, "/home/alice", groups, 4);
}

/* A group line longer than userdb.c's 8 KiB buffer (a group with many
 * members) must not hide the groups after it. */
static void a_group_after_a_long_group_line_is_found(void **state)
{
	struct db *db = *state;
	static const gid_t groups[] = { 29 };
	char members[9002], text[10000];

	for (size_t i = 0; i < sizeof(members) - 1; i++)
		members[i] = i % 2 ? ',' : 'u';
	members[sizeof(members) - 1] = '\0';
	snprintf(text, sizeof(text), "crowd:x:500:%s\naudio:x:29:bob\n", members);
	write_file(db->group, text);
	assert_resolves(db, "alice:audio", 1000, 29, "/home/alice", groups, 1);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(a_name_gives_its_ids_home_and_member_groups),
		DB_TEST(a_known_uid_resolves_like_its_name),
		DB_TEST(an_unknown_uid_gets_gid_0_and_home_slash),
		DB_TEST(uid_0_without_a_passwd_entry_gets_home_root),
		DB_TEST(no_user_given_means_root),
		DB_TEST(a_group_name_replaces_the_supplementary_groups),
		DB_TEST(a_group_number_needs_no_group_entry),
		DB_TEST(an_unknown_user_name_is_an_error),
		DB_TEST(an_unknown_group_name_is_an_error),
		DB_TEST(an_empty_user_or_group_is_an_error),
		DB_TEST(missing_files_are_fine_for_numeric_ids),
		DB_TEST(a_user_after_a_long_passwd_line_is_found),
		DB_TEST(a_group_after_a_long_group_line_is_found),
	};

	return cmocka_run_group_tests_name("userdb", tests, NULL, NULL);
}
