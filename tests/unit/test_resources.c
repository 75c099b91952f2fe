/* resources.h: docker's rules for limits, and v1 <-> v2 scales. */
#include "helpers.h"

#include "resources.h"
#include "spec.h"

static struct iso_resources unset(void)
{
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources r = spec->linux_.resources;

	iso_spec_free(spec);
	return r;
}

#define assert_refused(r, what) check_refused(__FILE__, __LINE__, r, what)

static void check_refused(const char *file, int line, const struct iso_resources *r, const char *what)
{
	struct iso_error err;

	iso_error_clear(&err);
	_assert_int_equal(iso_resources_validate_on(r, "0-1", "0", &err), -1, file, line);
	if (strstr(err.msg, what) == NULL)
		fail_msg("%s:%d: \"%s\" does not say \"%s\"", file, line, err.msg, what);
}

static void nothing_asked_is_valid(void **state)
{
	struct iso_resources r = unset();
	struct iso_error err;

	(void)state;
	assert_false(iso_resources_any(&r));
	assert_int_equal(iso_resources_validate_on(&r, "0-1", "0", &err), 0);
	r.pids_limit = 5;
	assert_true(iso_resources_any(&r));
}

static void memory_rules_follow_docker(void **state)
{
	struct iso_resources r = unset();
	struct iso_error err;

	(void)state;
	r.memory_limit = 1 << 20;
	assert_refused(&r, "6MiB");
	r = unset();
	r.memory_swap = 64 << 20;
	assert_refused(&r, "needs a memory limit");
	r.memory_limit = 128 << 20;
	assert_refused(&r, "must not be below");
	r.memory_swap = -1;
	assert_int_equal(iso_resources_validate_on(&r, "0-1", "0", &err), 0);
	r.memory_reservation = 256 << 20;
	assert_refused(&r, "reservation");
}

static void cpu_rules(void **state)
{
	struct iso_resources r = unset();
	struct iso_error err;

	(void)state;
	r.cpu_period = 100000;
	r.cpu_quota = 300000;           /* 3 CPUs on a host of 2 */
	assert_refused(&r, "this host has only 2");
	r.cpu_quota = 200000;
	assert_int_equal(iso_resources_validate_on(&r, "0-1", "0", &err), 0);
	r.cpu_quota = 500;
	assert_refused(&r, "smallest");
	r = unset();
	r.cpu_shares = 1024;
	r.cpu_weight = 100;
	assert_refused(&r, "not both");
}

static void cpusets_must_exist_on_the_host(void **state)
{
	struct iso_resources r = unset();
	struct iso_error err;
	char cpus[] = "99", mems[] = "1", ok[] = "1";

	(void)state;
	r.cpuset_cpus = cpus;
	assert_refused(&r, "CPU 99 is not available (this host has 0-1)");
	r.cpuset_cpus = ok;
	assert_int_equal(iso_resources_validate_on(&r, "0-1", "0", &err), 0);
	r.cpuset_mems = mems;
	assert_refused(&r, "node 1 is not available");
}

static void other_ranges(void **state)
{
	struct iso_resources r = unset();

	(void)state;
	r.pids_limit = -5;
	assert_refused(&r, "pids limit");
	r = unset();
	r.blkio_weight = 5;
	assert_refused(&r, "block IO weight");
}

static void scales_convert_as_crun_does(void **state)
{
	(void)state;
	assert_int_equal(iso_shares_to_weight(2), 1);
	assert_int_equal(iso_shares_to_weight(1024), 39);
	assert_int_equal(iso_shares_to_weight(262144), 10000);
	assert_int_equal(iso_weight_to_shares(1), 2);
	assert_int_equal(iso_weight_to_shares(10000), 262144);
	assert_int_equal(iso_blkio_to_io_weight(10), 1);
	assert_int_equal(iso_blkio_to_io_weight(1000), 10000);
	assert_int_equal(iso_cpus_to_quota(500000000, 100000), 50000);
	assert_int_equal(iso_cpus_to_quota(1500000000, 100000), 150000);
	/* a million CPUs times a period would overflow in one product */
	assert_int_equal(iso_cpus_to_quota(1000000LL * 1000000000LL, 100000), 100000000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_asked_is_valid),
		cmocka_unit_test(memory_rules_follow_docker),
		cmocka_unit_test(cpu_rules),
		cmocka_unit_test(cpusets_must_exist_on_the_host),
		cmocka_unit_test(other_ranges),
		cmocka_unit_test(scales_convert_as_crun_does),
	};

	return cmocka_run_group_tests_name("resources", tests, NULL, NULL);
}
