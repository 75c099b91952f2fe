/* signals.h: iso_signal_parse, which reads an image's StopSignal as
 * docker does: a name with or without SIG, in any case, or a number. */
#include "helpers.h"

#include <signal.h>

#include "signals.h"

static void names_with_and_without_sig(void **state)
{
	(void)state;
	assert_int_equal(iso_signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(iso_signal_parse("TERM"), SIGTERM);
	assert_int_equal(iso_signal_parse("term"), SIGTERM);
	assert_int_equal(iso_signal_parse("sigTerm"), SIGTERM);
	assert_int_equal(iso_signal_parse("SIGQUIT"), SIGQUIT);
	assert_int_equal(iso_signal_parse("KILL"), SIGKILL);
	assert_int_equal(iso_signal_parse("SIGWINCH"), SIGWINCH);
	assert_int_equal(iso_signal_parse("SIGUSR2"), SIGUSR2);
	assert_int_equal(iso_signal_parse("SIGHUP"), SIGHUP);
}

static void numbers(void **state)
{
	(void)state;
	assert_int_equal(iso_signal_parse("15"), 15);
	assert_int_equal(iso_signal_parse("9"), 9);
	assert_int_equal(iso_signal_parse("1"), 1);
	assert_int_equal(iso_signal_parse("64"), 64);
}

/* Real-time signals by docker's names: systemd images have
 * STOPSIGNAL SIGRTMIN+3. */
static void realtime_names(void **state)
{
	(void)state;
	assert_int_equal(iso_signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(iso_signal_parse("rtmin+3"), SIGRTMIN + 3);
	assert_int_equal(iso_signal_parse("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(iso_signal_parse("RTMAX"), SIGRTMAX);
	assert_int_equal(iso_signal_parse("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(iso_signal_parse("SIGRTMIN+0"), SIGRTMIN);
	assert_int_equal(iso_signal_parse("SIGRTMAX-0"), SIGRTMAX);
	assert_int_equal(iso_signal_parse("RTMIN+30"), SIGRTMAX);
	assert_int_equal(iso_signal_parse("RTMIN+31"), -1);
	assert_int_equal(iso_signal_parse("RTMAX-31"), -1);
	assert_int_equal(iso_signal_parse("RTMIN-1"), -1);
	assert_int_equal(iso_signal_parse("RTMAX+1"), -1);
	assert_int_equal(iso_signal_parse("RTMIN+"), -1);
	assert_int_equal(iso_signal_parse("RTMIN+x"), -1);
	assert_int_equal(iso_signal_parse("RTMINX"), -1);
	assert_int_equal(iso_signal_parse("RT"), -1);
}

static void invalid_values(void **state)
{
	(void)state;
	assert_int_equal(iso_signal_parse("0"), -1);
	assert_int_equal(iso_signal_parse("65"), -1);
	assert_int_equal(iso_signal_parse("4294967296"), -1);
	assert_int_equal(iso_signal_parse("-9"), -1);
	assert_int_equal(iso_signal_parse("15x"), -1);
	assert_int_equal(iso_signal_parse(" 15"), -1);
	assert_int_equal(iso_signal_parse("SIGFOO"), -1);
	assert_int_equal(iso_signal_parse("SIG"), -1);
	assert_int_equal(iso_signal_parse("SIGSIGTERM"), -1);
	assert_int_equal(iso_signal_parse("TERM "), -1);
	assert_int_equal(iso_signal_parse(""), -1);
	assert_int_equal(iso_signal_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_with_and_without_sig),
		cmocka_unit_test(numbers),
		cmocka_unit_test(realtime_names),
		cmocka_unit_test(invalid_values),
	};

	return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
