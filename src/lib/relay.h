/* The parent's side of -t: output of the container's pty to stdout, and
 * with -i stdin to the pty.  The pty master is non-blocking and input is
 * buffered, so the parent never blocks writing into the pty while the
 * command blocks writing output the parent would have to read; and when
 * stdout goes away the pty is hung up, so the command gets SIGHUP rather
 * than blocking forever on a full pty.  The relay owns the master. */
#ifndef ISOLATE_RELAY_H
#define ISOLATE_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct iso_relay {
	int pty;
	bool pty_open;
	bool want_stdin;
	bool stdin_eof;
	bool eof_sent;
	char last_in;           /* the last byte passed to the pty */
	size_t in_len, in_off;
	char in[16384];
};

#define ISO_RELAY_MAX_FDS 2

void iso_relay_init(struct iso_relay *r, int pty, bool with_stdin);

/* Fills FDS (room for ISO_RELAY_MAX_FDS) with what to poll; returns how many. */
nfds_t iso_relay_poll_fds(const struct iso_relay *r, struct pollfd *fds);

/* Acts on the poll results for the fds iso_relay_poll_fds gave. */
void iso_relay_handle(struct iso_relay *r, const struct pollfd *fds, nfds_t n);

/* After the command exited: what it wrote last, until every slave closed. */
void iso_relay_drain(struct iso_relay *r);

#endif
