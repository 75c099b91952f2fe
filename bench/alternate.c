/*
 * bench-alternate: times a few commands against each other, interleaving
 * their runs so that none of them is favoured by the order.
 *
 * Usage:
 *
 *   bench-alternate [-n ROUNDS] [-w WARMUP] [--baseline LABEL] [--raw FILE]
 *                   [--no-reap]
 *                   [--label NAME] -- CMD [ARG...]
 *                   [--- [--label NAME] -- CMD [ARG...]]...
 *
 * e.g.
 *
 *   bench-alternate -n 200 --baseline crun \
 *       --label isolate -- isolate run --rootfs R /bin/true \
 *       --- --label crun -- crun run --bundle B c1 \
 *       --- --label bwrap -- bwrap --unshare-all ... /bin/true
 *
 * The options come first.  Then each command is an optional "--label NAME"
 * (default: the command's basename), a "--", the command and its arguments,
 * which run up to a lone "---" or the end of the line; a command therefore
 * cannot have "---" among its own arguments.  The command is run with
 * execvp(), with stdin, stdout and stderr on /dev/null.
 *
 *   -n, --rounds N      measured rounds (default 100); each round runs every
 *                       command once.  N is rounded up to a whole number of
 *                       order periods (see below).
 *   -w, --warmup N      rounds run first and not counted (default 5)
 *   --baseline LABEL    also print each median relative to LABEL's
 *   --raw FILE          also write every measured run to FILE, one line
 *                       each, tab-separated: round, position in the round,
 *                       label, label of the run just before, ms, peak RSS
 *                       in KiB, orphans, ms until the command itself
 *                       exited (see below)
 *   --no-reap           do not wait for the orphans of a command
 *
 * Order.  On the machines this is meant for, a command timed right after a
 * different one can run up to twice as slow as right after itself, so the
 * order of the runs is chosen so that every command is timed right after
 * every command, itself included, equally often.  The rounds form a cycle
 * in which each round begins with the command that ended the one before:
 * with two commands that is "A B, B A", with three for example
 * "A B C, C A B, B C A, A C B, B A C, C B A".  The cycle for K commands is
 * found by a small search when the program starts; should that fail (it
 * does not for up to 16 commands, the limit), plain rotation is used and a
 * warning says that the order is not balanced.  Warm-up rounds run the end
 * of the cycle, so the first measured run follows the same command it
 * follows in every other period.
 *
 * Measures.  Wall time from just before fork() to the return of the last
 * wait4() (for the command and its orphans, below), with CLOCK_MONOTONIC.  Peak RSS is the ru_maxrss that wait4() reports for
 * the child: the largest resident set of the process (across its execs,
 * and counting the copy of this program that fork() made) and of any
 * descendant it reaped itself.  A run that exits non-zero, is killed, or
 * cannot be executed stops the benchmark with a message naming the command.
 *
 * Orphans.  A command may exit before some of its descendants, which its
 * parent would then never wait for: bwrap, for one, exits as soon as it
 * learns the sandboxed command's status and leaves the sandbox's pid 1 to
 * init.  Their exit would then be done while the next command is timed.
 * So this program makes itself a child subreaper (PR_SET_CHILD_SUBREAPER)
 * and a run lasts until the command and all such orphans have exited; the
 * peak RSS is the largest of theirs.  (A command that leaves a daemon
 * running therefore never ends; --no-reap turns this off.)  The time at
 * which the command itself exited, which is what its caller waits for, is
 * kept too: when any command left orphans, a second table gives those times.
 *
 * Output: per command the runs, median, 10th and 90th percentiles and mean
 * of the wall time in ms, median and maximum peak RSS in MB (MiB), the ratio
 * of its median to the first command's median (and to the baseline's), and
 * how many orphans per run a command left, if any; then, if any command
 * left orphans, the same wall-time figures up to the command's own exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "bench-alternate"
#define MAX_COMMANDS 16

struct command {
	const char *label;
	char **argv;     /* NULL-terminated; the strings belong to main's argv */
	double *wall_ms; /* one per measured run */
	double *exit_ms; /* the same, up to the command's own exit */
	double *rss_mb;
	size_t runs;
	unsigned long orphans; /* over the measured runs */
};

struct options {
	unsigned long rounds;
	unsigned long warmup;
	const char *baseline;
	const char *raw;
	bool reap_orphans;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [-n ROUNDS] [-w WARMUP] [--baseline LABEL] [--raw FILE] [--no-reap]\n"
		"       [--label NAME] -- CMD [ARG...] [--- [--label NAME] -- CMD [ARG...]]...\n"
		"\n"
		"Times each command ROUNDS times (default 100), interleaved so that each one\n"
		"runs right after each one equally often, after WARMUP uncounted rounds\n"
		"(default 5), and prints wall-time and peak-RSS statistics.\n");
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(2);
	}
	return p;
}

static bool parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 10000000)
		return false;
	*out = v;
	return true;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* Parses the options and the command groups.  Returns the number of
 * commands, or -1 after printing why the line is wrong. */
static int parse_args(int argc, char **argv, struct options *o, struct command *cmds)
{
	int i = 1, k = 0;

	o->rounds = 100;
	o->warmup = 5;
	o->baseline = NULL;
	o->raw = NULL;
	o->reap_orphans = true;
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0 || strcmp(a, "--label") == 0)
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(a, "--no-reap") == 0) {
			o->reap_orphans = false;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, PROG ": %s: missing value or unknown option\n", a);
			return -1;
		}
		if (strcmp(a, "-n") == 0 || strcmp(a, "--rounds") == 0) {
			if (!parse_count(argv[++i], &o->rounds) || o->rounds == 0) {
				fprintf(stderr, PROG ": %s: not a positive count: %s\n", a, argv[i]);
				return -1;
			}
		} else if (strcmp(a, "-w") == 0 || strcmp(a, "--warmup") == 0) {
			if (!parse_count(argv[++i], &o->warmup)) {
				fprintf(stderr, PROG ": %s: not a count: %s\n", a, argv[i]);
				return -1;
			}
		} else if (strcmp(a, "--baseline") == 0) {
			o->baseline = argv[++i];
		} else if (strcmp(a, "--raw") == 0) {
			o->raw = argv[++i];
		} else {
			fprintf(stderr, PROG ": unknown option %s\n", a);
			return -1;
		}
	}

	while (i < argc) {
		const char *label = NULL;
		int start, end;

		if (k == MAX_COMMANDS) {
			fprintf(stderr, PROG ": at most %d commands\n", MAX_COMMANDS);
			return -1;
		}
		if (strcmp(argv[i], "--label") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, PROG ": --label needs a name\n");
				return -1;
			}
			label = argv[i + 1];
			i += 2;
		}
		if (i >= argc || strcmp(argv[i], "--") != 0) {
			fprintf(stderr, PROG ": expected \"--\" before command %d\n", k + 1);
			return -1;
		}
		start = ++i;
		while (i < argc && strcmp(argv[i], "---") != 0)
			i++;
		end = i;
		if (end == start) {
			fprintf(stderr, PROG ": command %d is empty\n", k + 1);
			return -1;
		}
		cmds[k].argv = xcalloc((size_t)(end - start) + 1, sizeof(char *));
		for (int j = start; j < end; j++)
			cmds[k].argv[j - start] = argv[j];
		cmds[k].label = label != NULL ? label : basename_of(argv[start]);
		k++;
		if (i < argc) /* skip "---" */
			i++;
		if (i == argc && strcmp(argv[i - 1], "---") == 0) {
			fprintf(stderr, PROG ": nothing after the last \"---\"\n");
			return -1;
		}
	}
	if (k == 0) {
		usage(stderr);
		return -1;
	}
	for (int a = 0; a < k; a++)
		for (int b = a + 1; b < k; b++)
			if (strcmp(cmds[a].label, cmds[b].label) == 0) {
				fprintf(stderr, PROG ": two commands are labelled %s\n", cmds[a].label);
				return -1;
			}
	return k;
}

/* ---- Order of the runs ------------------------------------------------ */

/* A search for a cycle of rounds (see the comment at the top): a stream of
 * PERIOD rounds of K commands, each round a permutation that begins with the
 * last command of the round before (cyclically), in which each ordered pair
 * of neighbours (a, b), a == b included, occurs exactly PER_PAIR times. */
struct order_search {
	size_t k, len, per_pair;
	size_t *stream; /* len = period * k entries */
	size_t *pairs;  /* k * k counts of neighbours placed so far */
	unsigned long budget;
};

static bool in_current_round(const struct order_search *s, size_t pos, size_t c)
{
	for (size_t p = pos - pos % s->k; p < pos; p++)
		if (s->stream[p] == c)
			return true;
	return false;
}

/* Puts C at POS, counting the pair it makes with POS - 1, then fills the
 * rest of the stream depth first.  Returns false, with C's pair uncounted
 * again, when the stream cannot be completed from there. */
static bool place(struct order_search *s, size_t pos, size_t c)
{
	size_t *pair = &s->pairs[s->stream[pos - 1] * s->k + c];
	bool found;

	if (*pair == s->per_pair)
		return false;
	++*pair;
	s->stream[pos] = c;
	found = false;
	if (pos + 1 == s->len) {
		/* The cycle closes: the first round follows the last. */
		size_t *wrap = &s->pairs[c * s->k + s->stream[0]];

		found = c == s->stream[0] && *wrap < s->per_pair;
	} else if (s->budget > 0) {
		s->budget--;
		if ((pos + 1) % s->k == 0) {
			found = place(s, pos + 1, c); /* a round starts with the last one's end */
		} else {
			for (size_t n = 0; n < s->k && !found; n++)
				if (!in_current_round(s, pos + 1, n))
					found = place(s, pos + 1, n);
		}
	}
	if (!found)
		--*pair;
	return found;
}

/* Fills *ORDER with the cycle of rounds (period * k command indices) and
 * returns the period.  Returns 0 for plain rotation, which is not balanced. */
static size_t make_order(size_t k, size_t **order)
{
	for (size_t period = k; period <= 4 * k * k; period += k) {
		struct order_search s = {
			.k = k,
			.len = period * k,
			.per_pair = period / k,
			.stream = xcalloc(period * k, sizeof(size_t)),
			.pairs = xcalloc(k * k, sizeof(size_t)),
			.budget = 2000000,
		};
		bool found;

		/* The first round may as well be 0, 1, ..., k - 1. */
		s.stream[0] = 0;
		found = k == 1;
		for (size_t i = 1; i < k - 1; i++) {
			s.stream[i] = i;
			s.pairs[(i - 1) * k + i]++;
		}
		if (k > 1)
			found = place(&s, k - 1, k - 1);
		free(s.pairs);
		if (found) {
			*order = s.stream;
			return period;
		}
		free(s.stream);
	}

	*order = xcalloc(k * k, sizeof(size_t));
	for (size_t r = 0; r < k; r++)
		for (size_t i = 0; i < k; i++)
			(*order)[r * k + i] = (r + i) % k;
	return 0;
}

/* ---- Running ------------------------------------------------------------ */

static void print_command(FILE *f, const struct command *c)
{
	for (char **a = c->argv; *a != NULL; a++)
		fprintf(f, "%s%s", a == c->argv ? "" : " ", *a);
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* What one run measured. */
struct run {
	double ms, rss_mb;
	double exit_ms;   /* up to the command's own exit, before its orphans' */
	unsigned orphans; /* processes that outlived the command */
};

/* Waits for PID, retrying on EINTR.  Returns its pid, or -1 with errno. */
static pid_t wait_for(pid_t pid, int *status, struct rusage *ru)
{
	pid_t got;

	do
		got = wait4(pid, status, 0, ru);
	while (got < 0 && errno == EINTR);
	return got;
}

/* Runs C once.  Returns 0 and what it measured, or -1 after printing why
 * the run failed.  With REAP_ORPHANS this program is a child subreaper
 * (see main), and the run lasts until every process the command left
 * behind has exited too. */
static int run_once(const struct command *c, int devnull, bool reap_orphans, struct run *out)
{
	struct timespec t0, t_exit, t1;
	struct rusage ru, ru_orphan;
	int status, exec_errno, report[2];
	long max_kib;
	ssize_t got;
	pid_t pid;

	/* The child reports a failed exec through this pipe; a successful
	 * exec closes it. */
	if (pipe2(report, O_CLOEXEC) < 0) {
		fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
		close(report[0]);
		close(report[1]);
		return -1;
	}
	if (pid == 0) {
		close(report[0]);
		if (dup2(devnull, STDIN_FILENO) >= 0 && dup2(devnull, STDOUT_FILENO) >= 0 &&
		    dup2(devnull, STDERR_FILENO) >= 0)
			execvp(c->argv[0], c->argv);
		exec_errno = errno;
		(void)!write(report[1], &exec_errno, sizeof(exec_errno));
		_exit(127);
	}
	close(report[1]);
	do
		got = read(report[0], &exec_errno, sizeof(exec_errno));
	while (got < 0 && errno == EINTR);
	close(report[0]);

	if (wait_for(pid, &status, &ru) < 0) {
		fprintf(stderr, PROG ": wait4: %s\n", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t_exit);
	max_kib = ru.ru_maxrss; /* in KiB */
	out->orphans = 0;
	/* A process whose parent exits is handed to us before that parent can
	 * be waited for, so once the command is reaped, its orphans (and
	 * theirs, in turn) are all our children, and ECHILD means none is left. */
	while (reap_orphans && wait_for(-1, NULL, &ru_orphan) > 0) {
		out->orphans++;
		if (ru_orphan.ru_maxrss > max_kib)
			max_kib = ru_orphan.ru_maxrss;
	}
	if (reap_orphans && errno != ECHILD) {
		fprintf(stderr, PROG ": wait4: %s\n", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (got == (ssize_t)sizeof(exec_errno)) {
		fprintf(stderr, PROG ": %s: cannot execute %s: %s\n", c->label, c->argv[0],
			strerror(exec_errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			fprintf(stderr, PROG ": %s: exited with status %d: ", c->label,
				WEXITSTATUS(status));
		else
			fprintf(stderr, PROG ": %s: killed by signal %d (%s): ", c->label,
				WTERMSIG(status), strsignal(WTERMSIG(status)));
		print_command(stderr, c);
		fputc('\n', stderr);
		return -1;
	}
	out->ms = elapsed_ms(&t0, &t1);
	out->exit_ms = elapsed_ms(&t0, &t_exit);
	out->rss_mb = (double)max_kib / 1024.0;
	return 0;
}

/* ---- Statistics --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The P-quantile of the N sorted values, interpolated between ranks. */
static double quantile(const double *v, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t lo = (size_t)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (v[lo + 1] - v[lo]) * (pos - (double)lo);
}

struct summary {
	double median, p10, p90, mean, rss_median, rss_max;
};

/* C's wall times, or with EXIT_TIMES the times up to its own exit. */
static void summarize(struct command *c, bool exit_times, struct summary *s)
{
	double *ms = exit_times ? c->exit_ms : c->wall_ms, sum = 0;

	qsort(ms, c->runs, sizeof(double), cmp_double);
	qsort(c->rss_mb, c->runs, sizeof(double), cmp_double);
	for (size_t i = 0; i < c->runs; i++)
		sum += ms[i];
	s->median = quantile(ms, c->runs, 0.5);
	s->p10 = quantile(ms, c->runs, 0.1);
	s->p90 = quantile(ms, c->runs, 0.9);
	s->mean = sum / (double)c->runs;
	s->rss_median = quantile(c->rss_mb, c->runs, 0.5);
	s->rss_max = c->rss_mb[c->runs - 1];
}

/* The table of wall times and peak RSS, or with EXIT_TIMES of the times up
 * to each command's own exit (without RSS, which is the same). */
static void print_table(struct command *cmds, size_t k, size_t baseline, bool exit_times)
{
	struct summary s[MAX_COMMANDS];
	int w = 7;
	char first_col[64], base_col[64];

	for (size_t i = 0; i < k; i++) {
		summarize(&cmds[i], exit_times, &s[i]);
		if ((int)strlen(cmds[i].label) > w)
			w = (int)strlen(cmds[i].label);
	}
	snprintf(first_col, sizeof(first_col), "/%s", cmds[0].label);
	snprintf(base_col, sizeof(base_col), "/%s", cmds[baseline].label);

	printf("%-*s %6s %8s %8s %8s %8s", w, "command", "runs", "median", "p10", "p90", "mean");
	if (!exit_times)
		printf(" %8s %8s", "rss-med", "rss-max");
	printf(" %10s", first_col);
	if (baseline != 0)
		printf(" %10s", base_col);
	printf("\n%-*s %6s %8s %8s %8s %8s", w, "", "", "ms", "ms", "ms", "ms");
	if (!exit_times)
		printf(" %8s %8s", "MB", "MB");
	printf(" %10s", "median");
	if (baseline != 0)
		printf(" %10s", "median");
	printf("\n");
	for (size_t i = 0; i < k; i++) {
		printf("%-*s %6zu %8.3f %8.3f %8.3f %8.3f", w, cmds[i].label, cmds[i].runs,
		       s[i].median, s[i].p10, s[i].p90, s[i].mean);
		if (!exit_times)
			printf(" %8.2f %8.2f", s[i].rss_median, s[i].rss_max);
		printf(" %10.2f", s[i].median / s[0].median);
		if (baseline != 0)
			printf(" %10.2f", s[i].median / s[baseline].median);
		printf("\n");
	}
}

/* ---- Main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct command cmds[MAX_COMMANDS] = { 0 };
	struct options o;
	size_t k, period, cycle, baseline = 0, *order = NULL;
	const struct command *prev = NULL;
	unsigned long rounds, total;
	int n, devnull = -1, ret = 1;
	struct rusage self;
	FILE *raw = NULL;
	bool orphans = false;

	n = parse_args(argc, argv, &o, cmds);
	if (n <= 0)
		goto out;
	k = (size_t)n;
	if (o.baseline != NULL) {
		while (baseline < k && strcmp(cmds[baseline].label, o.baseline) != 0)
			baseline++;
		if (baseline == k) {
			fprintf(stderr, PROG ": --baseline %s: no command has that label\n", o.baseline);
			goto out;
		}
	}

	/* Become the parent of whatever a command leaves behind (see run_once). */
	if (o.reap_orphans && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		fprintf(stderr, PROG ": PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		goto out;
	}
	period = make_order(k, &order);
	cycle = period != 0 ? period : k;
	rounds = (o.rounds + cycle - 1) / cycle * cycle;
	for (size_t i = 0; i < k; i++) {
		cmds[i].wall_ms = xcalloc(rounds, sizeof(double));
		cmds[i].exit_ms = xcalloc(rounds, sizeof(double));
		cmds[i].rss_mb = xcalloc(rounds, sizeof(double));
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		fprintf(stderr, PROG ": /dev/null: %s\n", strerror(errno));
		goto out;
	}
	if (o.raw != NULL) {
		raw = fopen(o.raw, "we");
		if (raw == NULL) {
			fprintf(stderr, PROG ": %s: %s\n", o.raw, strerror(errno));
			goto out;
		}
		fprintf(raw, "round\tposition\tlabel\tafter\tms\trss_kib\torphans\texit_ms\n");
	}

	printf("%zu command%s, %lu rounds", k, k == 1 ? "" : "s", rounds);
	if (rounds != o.rounds)
		printf(" (%lu asked, rounded up to whole order periods)", o.rounds);
	printf(", %lu warm-up rounds\n", o.warmup);
	if (period != 0)
		printf("order: a cycle of %zu round%s; each command ran right after each command"
		       " (itself included) %lu times%s\n", period, period == 1 ? "" : "s",
		       rounds / k, o.warmup == 0 ? " (less the very first run)" : "");
	else
		fprintf(stderr, PROG ": warning: no balanced order found for %zu commands;"
			" rotating, which is not balanced\n", k);
	for (size_t i = 0; i < k; i++) {
		printf("  %s: ", cmds[i].label);
		print_command(stdout, &cmds[i]);
		printf("\n");
	}
	printf("\n");
	fflush(stdout);

	/* Warm-up round w runs round (w - warmup) mod cycle of the cycle, so
	 * that the measured rounds start at its beginning. */
	total = o.warmup + rounds;
	for (unsigned long r = 0; r < total; r++) {
		size_t row = (size_t)((r + cycle - o.warmup % cycle) % cycle);
		bool measured = r >= o.warmup;

		for (size_t j = 0; j < k; j++) {
			struct command *c = &cmds[order[row * k + j]];
			struct run run;

			if (run_once(c, devnull, o.reap_orphans, &run) < 0) {
				fprintf(stderr, PROG ": stopped in %s round %lu of %lu\n",
					measured ? "measured" : "warm-up",
					measured ? r - o.warmup + 1 : r + 1,
					measured ? rounds : o.warmup);
				goto out;
			}
			if (measured) {
				c->wall_ms[c->runs] = run.ms;
				c->exit_ms[c->runs] = run.exit_ms;
				c->rss_mb[c->runs] = run.rss_mb;
				c->runs++;
				c->orphans += run.orphans;
				if (raw != NULL)
					fprintf(raw, "%lu\t%zu\t%s\t%s\t%.4f\t%.0f\t%u\t%.4f\n",
						r - o.warmup + 1, j + 1, c->label,
						prev != NULL ? prev->label : "-", run.ms,
						run.rss_mb * 1024.0, run.orphans, run.exit_ms);
			}
			prev = c;
		}
	}

	print_table(cmds, k, baseline, false);
	for (size_t i = 0; i < k; i++)
		if (cmds[i].orphans > 0) {
			printf("(%s: %.2f processes per run outlived the command; its time and RSS"
			       " include them)\n", cmds[i].label,
			       (double)cmds[i].orphans / (double)cmds[i].runs);
			orphans = true;
		}
	if (orphans) {
		printf("until the command itself exited, without the processes it left behind:\n");
		print_table(cmds, k, baseline, true);
	}
	/* A child's figure counts the pages of this program that fork() copied
	 * into it and that were still mapped before its exec. */
	if (getrusage(RUSAGE_SELF, &self) == 0)
		printf("(%s's own peak RSS: %.2f MB; fork() copies part of it into each"
		       " child's figure)\n", PROG, (double)self.ru_maxrss / 1024.0);
	ret = 0;
out:
	if (raw != NULL && fclose(raw) != 0 && ret == 0) {
		fprintf(stderr, PROG ": %s: %s\n", o.raw, strerror(errno));
		ret = 1;
	}
	if (devnull >= 0)
		close(devnull);
	free(order);
	for (size_t i = 0; i < MAX_COMMANDS; i++) {
		free(cmds[i].argv);
		free(cmds[i].wall_ms);
		free(cmds[i].exit_ms);
		free(cmds[i].rss_mb);
	}
	return ret;
}
