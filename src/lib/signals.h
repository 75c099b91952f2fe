/* The signals isolate passes on to the container, as docker does. */
#ifndef ISOLATE_SIGNALS_H
#define ISOLATE_SIGNALS_H

#include <signal.h>

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH: passed on.
 * SIGCHLD is added by whoever waits. */
void iso_signals_forwarded(sigset_t *set);

/* Unblocks everything and puts every disposition back to its default:
 * what the command must start with, whatever the runtime had. */
int iso_signals_reset(void);

/* A signal by name ("SIGTERM", "TERM", any case; "SIGRTMIN+3") or number;
 * -1 if none. */
int iso_signal_parse(const char *s);

#endif
