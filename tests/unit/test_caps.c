/* caps.h: capability names and docker's --cap-add/--cap-drop rule. */
#include "helpers.h"

#include <linux/capability.h>

#include "caps.h"

static void names_with_or_without_cap_prefix_in_any_case(void **state)
{
	struct iso_error err;
	uint64_t bits;

	(void)state;
	assert_int_equal(iso_caps_parse("NET_ADMIN", &bits, &err), 0);
	assert_int_equal(bits, 1ULL << CAP_NET_ADMIN);
	assert_int_equal(iso_caps_parse("cap_net_admin", &bits, &err), 0);
	assert_int_equal(bits, 1ULL << CAP_NET_ADMIN);
	assert_int_equal(iso_caps_parse("CAP_SYS_ADMIN", &bits, &err), 0);
	assert_int_equal(bits, 1ULL << CAP_SYS_ADMIN);
	assert_int_equal(iso_caps_parse("all", &bits, &err), 0);
	assert_int_equal(bits, iso_caps_all());
	assert_true(iso_caps_all() & (1ULL << CAP_SYS_ADMIN));
}

static void unknown_names_are_refused(void **state)
{
	static const char *const bad[] = { "NOPE", "CAP_", "", "cap_net_admin2", "12", NULL };
	struct iso_error err;
	uint64_t bits;

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++) {
		assert_int_equal(iso_caps_parse(bad[i], &bits, &err), -1);
		assert_non_null(strstr(err.msg, "unknown capability"));
	}
}

static void docker_default_is_the_fourteen(void **state)
{
	(void)state;
	assert_int_equal(iso_caps_docker_default(), 0xa80425fbULL);
	assert_int_equal(__builtin_popcountll(iso_caps_docker_default()), 14);
}

static void tweak_follows_docker(void **state)
{
	uint64_t def = iso_caps_docker_default();
	uint64_t admin = 1ULL << CAP_SYS_ADMIN, chown_ = 1ULL << CAP_CHOWN;

	(void)state;
	assert_int_equal(iso_caps_tweak(0, false, 0, false), def);
	assert_int_equal(iso_caps_tweak(admin, false, chown_, false), (def & ~chown_) | admin);
	assert_int_equal(iso_caps_tweak(admin, false, 0, true), admin);
	assert_int_equal(iso_caps_tweak(0, true, admin, false), iso_caps_all() & ~admin);
	/* ALL added wins over ALL dropped, as in docker */
	assert_int_equal(iso_caps_tweak(0, true, 0, true), iso_caps_all());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_with_or_without_cap_prefix_in_any_case),
		cmocka_unit_test(unknown_names_are_refused),
		cmocka_unit_test(docker_default_is_the_fourteen),
		cmocka_unit_test(tweak_follows_docker),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
