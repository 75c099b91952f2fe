#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

void iso_relay_init(struct iso_relay *r, int pty, bool with_stdin)
{
	r->pty = pty;
	r->pty_open = pty >= 0;
	r->want_stdin = with_stdin;
	r->stdin_eof = r->eof_sent = false;
	r->last_in = '\n';
	r->in_len = r->in_off = 0;
	if (pty >= 0)
		fcntl(pty, F_SETFL, fcntl(pty, F_GETFL) | O_NONBLOCK);
}

static bool input_pending(const struct iso_relay *r)
{
	return r->in_off < r->in_len || (r->stdin_eof && !r->eof_sent);
}

nfds_t iso_relay_poll_fds(const struct iso_relay *r, struct pollfd *fds)
{
	nfds_t n = 0;

	if (!r->pty_open)
		return 0;
	fds[n++] = (struct pollfd){
		.fd = r->pty,
		.events = (short)(POLLIN | (input_pending(r) ? POLLOUT : 0)),
	};
	if (r->want_stdin && !r->stdin_eof && r->in_off == r->in_len)
		fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	return n;
}

/* Nobody reads the output any more (stdout closed): hang up, as a
 * terminal whose line dropped, so the container's session gets SIGHUP
 * instead of blocking forever on a full pty. */
static void hang_up(struct iso_relay *r)
{
	close(r->pty);
	r->pty = -1;
	r->pty_open = false;
}

/* Everything the pty has now. */
static void pump_output(struct iso_relay *r)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(r->pty, buf, sizeof(buf));

		if (n > 0) {
			if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
				hang_up(r);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN)
			r->pty_open = false;    /* EIO: every slave is closed */
		return;
	}
}

/* stdin ended: the pty's end-of-file character tells a reading command.
 * In the middle of a line it only hands the line over, so a second one
 * then says end-of-file. */
static void send_eof(struct iso_relay *r)
{
	struct termios t;
	char eof[2] = { 4, 4 };
	size_t n = r->last_in == '\n' ? 1 : 2;

	if (tcgetattr(r->pty, &t) == 0)
		eof[0] = eof[1] = (char)t.c_cc[VEOF];
	if (write(r->pty, eof, n) == (ssize_t)n || errno != EAGAIN)
		r->eof_sent = true;
}

static void pump_input(struct iso_relay *r)
{
	while (r->in_off < r->in_len) {
		ssize_t n = write(r->pty, r->in + r->in_off, r->in_len - r->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {            /* the pty refuses input: drop it */
			r->in_off = r->in_len;
			r->want_stdin = false;
			break;
		}
		r->in_off += (size_t)n;
		r->last_in = r->in[r->in_off - 1];
	}
	r->in_off = r->in_len = 0;
	if (r->stdin_eof && !r->eof_sent)
		send_eof(r);
}

static void read_stdin(struct iso_relay *r)
{
	ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		r->stdin_eof = true;
		return;
	}
	r->in_off = 0;
	r->in_len = (size_t)n;
}

void iso_relay_handle(struct iso_relay *r, const struct pollfd *fds, nfds_t n)
{
	for (nfds_t i = 0; i < n; i++) {
		if (fds[i].revents == 0)
			continue;
		if (fds[i].fd == STDIN_FILENO) {
			read_stdin(r);
			continue;
		}
		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
			pump_output(r);
		if (r->pty_open && (fds[i].revents & POLLOUT))
			pump_input(r);
	}
	if (r->pty_open && input_pending(r))
		pump_input(r);
}

void iso_relay_drain(struct iso_relay *r)
{
	while (r->pty_open) {
		struct pollfd pfd = { .fd = r->pty, .events = POLLIN };

		if (poll(&pfd, 1, 100) <= 0)
			return;
		pump_output(r);
	}
}
