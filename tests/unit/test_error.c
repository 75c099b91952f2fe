/* error.h: "op: strerror" messages, exit statuses and prefixed context. */
#include "helpers.h"

#include <errno.h>

#include "error.h"

static void set_appends_strerror_of_errnum(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_error_set(&err, ENOENT, "open %s", "/x"), -1);
	assert_string_equal(err.msg, "open /x: No such file or directory");
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
}

static void set_without_errnum_is_the_message_alone(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_error_set(&err, 0, "no command %s", "given"), -1);
	assert_string_equal(err.msg, "no command given");
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
}

static void set_replaces_the_previous_error(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	iso_error_set_status(&err, ISO_EXIT_NOT_FOUND, ENOENT, "first");
	iso_error_set(&err, 0, "second");
	assert_string_equal(err.msg, "second");
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
}

static void set_status_keeps_the_status_given(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_error_set_status(&err, ISO_EXIT_CANNOT_EXEC, EACCES,
					      "exec %s", "sh"), -1);
	assert_string_equal(err.msg, "exec sh: Permission denied");
	assert_int_equal(err.errnum, EACCES);
	assert_int_equal(err.status, ISO_EXIT_CANNOT_EXEC);
}

static void prefix_puts_context_in_front(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	iso_error_set_status(&err, ISO_EXIT_NOT_FOUND, ENOENT, "open %s", "f");
	assert_int_equal(iso_error_prefix(&err, "%s:%u", "env.list", 3u), -1);
	assert_string_equal(err.msg, "env.list:3: open f: No such file or directory");
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(err.status, ISO_EXIT_NOT_FOUND);
}

static void prefix_stacks(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	iso_error_set(&err, 0, "inner");
	iso_error_prefix(&err, "middle");
	iso_error_prefix(&err, "outer");
	assert_string_equal(err.msg, "outer: middle: inner");
}

static void set_truncates_an_overlong_message(void **state)
{
	struct iso_error err = { 0 };
	char long_arg[2000];

	(void)state;
	memset(long_arg, 'a', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	iso_error_set(&err, ENOENT, "%s", long_arg);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_int_equal(strspn(err.msg, "a"), sizeof(err.msg) - 1);
}

static void prefix_truncates_to_the_buffer(void **state)
{
	struct iso_error err = { 0 };
	char long_arg[1500];

	(void)state;
	memset(long_arg, 'b', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	iso_error_set(&err, 0, "%s", long_arg);
	iso_error_prefix(&err, "ctx");
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_memory_equal(err.msg, "ctx: bbb", 8);
}

static void clear_empties_the_error(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	iso_error_set(&err, EIO, "boom");
	iso_error_clear(&err);
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.status, 0);
	assert_string_equal(err.msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_appends_strerror_of_errnum),
		cmocka_unit_test(set_without_errnum_is_the_message_alone),
		cmocka_unit_test(set_replaces_the_previous_error),
		cmocka_unit_test(set_status_keeps_the_status_given),
		cmocka_unit_test(prefix_puts_context_in_front),
		cmocka_unit_test(prefix_stacks),
		cmocka_unit_test(set_truncates_an_overlong_message),
		cmocka_unit_test(prefix_truncates_to_the_buffer),
		cmocka_unit_test(clear_empties_the_error),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
