/* units.h: docker's sizes, CPU counts, CPU lists, ulimits and device rates. */
#include "helpers.h"

#include <sys/resource.h>

#include "units.h"

#define assert_bytes(s, want) check_bytes(__FILE__, __LINE__, s, want)

static void check_bytes(const char *file, int line, const char *s, int64_t want)
{
	struct iso_error err;
	int64_t got = 0;

	_assert_int_equal(iso_parse_bytes(s, false, &got, &err), 0, file, line);
	_assert_int_equal(got, want, file, line);
}

static void bytes_take_docker_units(void **state)
{
	(void)state;
	assert_bytes("100", 100);
	assert_bytes("64m", 64LL << 20);
	assert_bytes("64M", 64LL << 20);
	assert_bytes("64mb", 64LL << 20);
	assert_bytes("64MiB", 64LL << 20);
	assert_bytes("1g", 1LL << 30);
	assert_bytes("1.5g", 3LL << 29);
	assert_bytes("10k", 10240);
	assert_bytes("7b", 7);
	assert_bytes("2 t", 2LL << 40);
}

static void bytes_refuse_what_docker_refuses(void **state)
{
	static const char *const bad[] = { "12q", "", "m", "-5m", "1.m", "64mm", "1e3", " 5", "5m ", NULL };
	struct iso_error err;
	int64_t v;

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++) {
		assert_int_equal(iso_parse_bytes(bad[i], false, &v, &err), -1);
		assert_non_null(strstr(err.msg, "size"));
	}
	assert_int_equal(iso_parse_bytes("-1", false, &v, &err), -1);
	assert_int_equal(iso_parse_bytes("-1", true, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(iso_parse_bytes("99999999999p", false, &v, &err), -1);
	assert_non_null(strstr(err.msg, "too large"));
	/* a fraction of a large unit is exact, without overflow */
	assert_int_equal(iso_parse_bytes("1.999999999t", false, &v, &err), 0);
	assert_int_equal(v, (2LL << 40) - 1100);
}

static void cpus_become_billionths(void **state)
{
	struct iso_error err;
	int64_t nano;

	(void)state;
	assert_int_equal(iso_parse_cpus("0.5", &nano, &err), 0);
	assert_int_equal(nano, 500000000);
	assert_int_equal(iso_parse_cpus("2", &nano, &err), 0);
	assert_int_equal(nano, 2000000000);
	assert_int_equal(iso_parse_cpus("1.25", &nano, &err), 0);
	assert_int_equal(nano, 1250000000);
	assert_int_equal(iso_parse_cpus("0.01", &nano, &err), 0);
	assert_int_equal(nano, 10000000);
}

static void cpus_refuse_negative_zero_and_junk(void **state)
{
	static const char *const bad[] = { "-1", "0", "0.001", "abc", "1.5x", "", NULL };
	struct iso_error err;
	int64_t nano;

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++)
		assert_int_equal(iso_parse_cpus(bad[i], &nano, &err), -1);
}

static void cpu_list_sets_members(void **state)
{
	uint8_t bits[8], have[8];
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_parse_cpu_list("0-3,7,9-10", bits, 64, &err), 0);
	assert_int_equal(bits[0], 0x8f);
	assert_int_equal(bits[1], 0x06);
	assert_int_equal(iso_parse_cpu_list("0-15", have, 64, &err), 0);
	assert_int_equal(iso_cpu_list_first_missing(bits, have, 64), -1);
	assert_int_equal(iso_parse_cpu_list("0-1", have, 64, &err), 0);
	assert_int_equal(iso_cpu_list_first_missing(bits, have, 64), 2);
}

static void cpu_list_refuses_bad_syntax_and_range(void **state)
{
	static const char *const bad[] = { "", "0-", "-1", "3-1", "1,,2", "a", "1 ", "0,", NULL };
	uint8_t bits[8];
	struct iso_error err;

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++)
		assert_int_equal(iso_parse_cpu_list(bad[i], bits, 64, &err), -1);
	assert_int_equal(iso_parse_cpu_list("64", bits, 64, &err), -1);
	assert_non_null(strstr(err.msg, "out of range"));
}

static void ulimit_takes_soft_and_hard(void **state)
{
	struct iso_rlimit r;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_parse_ulimit("nofile=64", &r, &err), 0);
	assert_int_equal(r.resource, RLIMIT_NOFILE);
	assert_int_equal(r.soft, 64);
	assert_int_equal(r.hard, 64);
	assert_int_equal(iso_parse_ulimit("nproc=10:20", &r, &err), 0);
	assert_int_equal(r.resource, RLIMIT_NPROC);
	assert_int_equal(r.soft, 10);
	assert_int_equal(r.hard, 20);
	assert_int_equal(iso_parse_ulimit("core=-1", &r, &err), 0);
	assert_true(r.soft == RLIM_INFINITY && r.hard == RLIM_INFINITY);
	assert_int_equal(iso_parse_ulimit("stack=8192:unlimited", &r, &err), 0);
	assert_true(r.soft == 8192 && r.hard == RLIM_INFINITY);
	assert_string_equal(iso_rlimit_name(RLIMIT_NOFILE), "nofile");
}

static void ulimit_refuses_bad_input(void **state)
{
	static const char *const bad[] = { "nofile", "nofil=1", "nofile=", "nofile=x", "nofile=10:5",
					   "nofile=1:2:3", "=5", NULL };
	struct iso_rlimit r;
	struct iso_error err;

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++)
		assert_int_equal(iso_parse_ulimit(bad[i], &r, &err), -1);
	assert_int_equal(iso_parse_ulimit("nofile=10:5", &r, &err), -1);
	assert_non_null(strstr(err.msg, "soft limit is above the hard limit"));
}

static void throttle_needs_a_block_device(void **state)
{
	struct iso_throttle t;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_parse_throttle("/dev/null:1mb", &t, &err), -1);
	assert_non_null(strstr(err.msg, "not a block device"));
	assert_int_equal(iso_parse_throttle("/nonexistent:1mb", &t, &err), -1);
	assert_non_null(strstr(err.msg, "No such file"));
	assert_int_equal(iso_parse_throttle("1mb", &t, &err), -1);
	assert_int_equal(iso_parse_throttle("/dev/null:1q", &t, &err), -1);
	assert_non_null(strstr(err.msg, "invalid size"));
	{
		char dev[64] = "";

		/* any block device this machine has, for the rate-0 check */
		for (const char *c = "/dev/vda\0/dev/sda\0/dev/nvme0n1\0"; *c; c += strlen(c) + 1) {
			struct stat st;

			if (stat(c, &st) == 0 && S_ISBLK(st.st_mode)) {
				snprintf(dev, sizeof(dev), "%s:0", c);
				break;
			}
		}
		if (dev[0] != '\0') {
			assert_int_equal(iso_parse_throttle(dev, &t, &err), -1);
			assert_non_null(strstr(err.msg, "a rate of 0 is not a limit"));
		}
	}
}

static void format_bytes_is_exact(void **state)
{
	char buf[32];

	(void)state;
	iso_format_bytes(64LL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "64MiB");
	iso_format_bytes(1LL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "1GiB");
	iso_format_bytes(1536 * 1024, buf, sizeof(buf));
	assert_string_equal(buf, "1536KiB");
	iso_format_bytes(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000 bytes");
}

static void int64_checks_range_and_form(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(iso_parse_int64("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(iso_parse_int64("11", -10, 10, &v), -1);
	assert_int_equal(iso_parse_int64("1x", -10, 10, &v), -1);
	assert_int_equal(iso_parse_int64(" 1", -10, 10, &v), -1);
	assert_int_equal(iso_parse_int64("", -10, 10, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytes_take_docker_units),
		cmocka_unit_test(bytes_refuse_what_docker_refuses),
		cmocka_unit_test(cpus_become_billionths),
		cmocka_unit_test(cpus_refuse_negative_zero_and_junk),
		cmocka_unit_test(cpu_list_sets_members),
		cmocka_unit_test(cpu_list_refuses_bad_syntax_and_range),
		cmocka_unit_test(ulimit_takes_soft_and_hard),
		cmocka_unit_test(ulimit_refuses_bad_input),
		cmocka_unit_test(throttle_needs_a_block_device),
		cmocka_unit_test(format_bytes_is_exact),
		cmocka_unit_test(int64_checks_range_and_form),
	};

	return cmocka_run_group_tests_name("units", tests, NULL, NULL);
}
