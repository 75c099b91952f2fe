#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* a live line is redrawn for new bytes at most this often */
#define REDRAW_NS (100 * 1000000LL)

struct line {
	char id[13];
	enum iso_progress_event state;
	bool seen;
	uint64_t done, total;
	long long drawn_ns;
};

struct cli_progress {
	FILE *out;
	bool live;
	bool drawn;             /* the live lines are on the screen */
	size_t n;
	struct line *lines;
};

struct cli_progress *cli_progress_new_on(FILE *out, bool live, const struct iso_blob_req *reqs,
					 size_t n)
{
	struct cli_progress *p = xcalloc(1, sizeof(*p));

	p->out = out;
	p->live = live;
	p->n = n;
	p->lines = xcalloc(n ? n : 1, sizeof(*p->lines));
	for (size_t i = 0; i < n; i++) {
		const char *hex = strchr(reqs[i].digest, ':');

		snprintf(p->lines[i].id, sizeof(p->lines[i].id), "%s", hex ? hex + 1 : reqs[i].digest);
		p->lines[i].total = reqs[i].size > 0 ? (uint64_t)reqs[i].size : 0;
	}
	return p;
}

struct cli_progress *cli_progress_new(const struct iso_blob_req *reqs, size_t n)
{
	const char *term = getenv("TERM");
	bool live = isatty(STDERR_FILENO) && !(term != NULL && strcmp(term, "dumb") == 0);

	return cli_progress_new_on(stderr, live, reqs, n);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "512B", "3.1KiB", "12.0MiB", "1.2GiB" */
static void human(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%lluB", (unsigned long long)n);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%s", v, units[u]);
}

static void line_text(const struct line *l, bool live, char *buf, size_t len)
{
	char done[32], total[32];

	human(l->done, done, sizeof(done));
	human(l->total, total, sizeof(total));
	if (!l->seen) {
		snprintf(buf, len, "%s: waiting", l->id);
		return;
	}
	switch (l->state) {
	case ISO_PROGRESS_EXISTS:
		snprintf(buf, len, "%s: already exists", l->id);
		break;
	case ISO_PROGRESS_START:
	case ISO_PROGRESS_BYTES:
		if (!live)
			snprintf(buf, len, "%s: downloading%s%s%s", l->id, l->total ? " (" : "",
				 l->total ? total : "", l->total ? ")" : "");
		else if (l->total)
			snprintf(buf, len, "%s: downloading  %s / %s", l->id, done, total);
		else
			snprintf(buf, len, "%s: downloading  %s", l->id, done);
		break;
	case ISO_PROGRESS_DONE:
		snprintf(buf, len, "%s: done", l->id);
		break;
	case ISO_PROGRESS_FAILED:
		snprintf(buf, len, "%s: failed", l->id);
		break;
	}
}

static int columns(FILE *out)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col - 1;
	return 200;
}

/* Redraws line I in place: up to it, clear, write, back down. */
static void redraw(struct cli_progress *p, size_t i)
{
	char text[256];
	size_t up = p->n - i;

	line_text(&p->lines[i], true, text, sizeof(text));
	fprintf(p->out, "\033[%zuA\r\033[2K%.*s\033[%zuB\r", up, columns(p->out), text, up);
	fflush(p->out);
}

static void draw_all(struct cli_progress *p)
{
	int cols = columns(p->out);

	for (size_t i = 0; i < p->n; i++) {
		char text[256];

		line_text(&p->lines[i], true, text, sizeof(text));
		fprintf(p->out, "%.*s\n", cols, text);
	}
	fflush(p->out);
	p->drawn = true;
}

void cli_progress_event(void *ctx, size_t index, enum iso_progress_event ev, uint64_t done,
			uint64_t total)
{
	struct cli_progress *p = ctx;
	struct line *l;
	bool changed;

	if (p == NULL || index >= p->n)
		return;
	l = &p->lines[index];
	changed = !l->seen || (l->state != ev && !(l->state == ISO_PROGRESS_START &&
						   ev == ISO_PROGRESS_BYTES));
	l->seen = true;
	l->state = ev;
	l->done = done;
	if (total != 0)
		l->total = total;
	if (!p->live) {
		char text[256];

		if (changed) {
			line_text(l, false, text, sizeof(text));
			fprintf(p->out, "%s\n", text);
			fflush(p->out);
		}
		return;
	}
	if (!p->drawn) {
		draw_all(p);
		l->drawn_ns = now_ns();
		return;
	}
	if (ev == ISO_PROGRESS_BYTES) {
		long long t = now_ns();

		if (t - l->drawn_ns < REDRAW_NS)
			return;
		l->drawn_ns = t;
	}
	redraw(p, index);
}

void cli_progress_free(struct cli_progress *p)
{
	if (p == NULL)
		return;
	if (p->live && p->drawn) {
		/* the last bytes may not have been drawn: the final state is */
		for (size_t i = 0; i < p->n; i++)
			redraw(p, i);
	}
	free(p->lines);
	free(p);
}
