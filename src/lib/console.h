/* Terminals.  With -t the container opens a pty in its own devpts (so the
 * command's tty is a node it can see) and hands the master to the parent,
 * which relays it to the user's terminal, switched to raw mode for the
 * run and restored on every way out. */
#ifndef ISOLATE_CONSOLE_H
#define ISOLATE_CONSOLE_H

#include <stdbool.h>
#include <termios.h>

#include "error.h"

/* In the container, after pivot_root: a new pty from /dev/ptmx; the slave
 * is bound onto /dev/console when AS_CONSOLE (the first process, not one
 * exec'd later). */
int iso_console_open(int *master, int *slave, bool as_console, struct iso_error *err);

/* Makes SLAVE the controlling terminal of a new session and the stdio. */
int iso_console_attach(int slave, struct iso_error *err);

struct iso_tty_state {
	int fd;
	bool saved;
	struct termios termios;
};

/* Puts the terminal on FD in raw mode, remembering how it was; a FD that
 * is not a terminal is left alone. */
int iso_tty_make_raw(int fd, struct iso_tty_state *st, struct iso_error *err);
void iso_tty_restore(struct iso_tty_state *st);

/* Copies the window size of terminal FROM to pty TO, if FROM has one. */
void iso_tty_copy_winsize(int from, int to);

#endif
