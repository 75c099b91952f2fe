#include "signals.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void iso_signals_forwarded(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
}

int iso_signals_reset(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);  /* fails only for signals glibc reserves */
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

/* docker's names of the real-time signals: RTMIN, RTMIN+N, RTMAX-N and
 * RTMAX (systemd images stop on SIGRTMIN+3). */
static int realtime_signal(const char *s)
{
	int span = SIGRTMAX - SIGRTMIN;
	uint32_t n = 0;
	char sign;
	int base;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = '+';
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = '-';
	} else {
		return -1;
	}
	s += 5;
	if (*s != '\0' && (*s != sign || parse_u32(s + 1, &n) < 0))
		return -1;
	if (n > (uint32_t)span)
		return -1;
	return sign == '+' ? base + (int)n : base - (int)n;
}

int iso_signal_parse(const char *s)
{
	uint32_t n;

	if (s == NULL || *s == '\0')
		return -1;
	if (parse_u32(s, &n) == 0)
		return n >= 1 && n < (uint32_t)NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncasecmp(s, "RT", 2) == 0)
		return realtime_signal(s);
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name != NULL && strcasecmp(name, s) == 0)
			return sig;
	}
	return -1;
}
