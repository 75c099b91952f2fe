/* What a container's cgroups have counted, read in the same units on v1
 * and v2. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_int.h"
#include "util.h"

/* A file holding one number. */
static int64_t read_number(int dir, const char *file)
{
	cleanup_free char *text = dir >= 0 ? iso_cg_read(dir, file) : NULL;
	char *end;
	long long v;

	if (text == NULL)
		return -1;
	v = strtoll(text, &end, 10);
	return end == text ? -1 : v;
}

/* "KEY N" lines (cpu.stat, memory.events, memory.oom_control): N of KEY. */
static int64_t read_keyed(int dir, const char *file, const char *key)
{
	cleanup_free char *text = dir >= 0 ? iso_cg_read(dir, file) : NULL;
	size_t n = strlen(key);

	for (char *line = text; line != NULL && *line != '\0';) {
		char *next = strchrnul(line, '\n');

		if (strncmp(line, key, n) == 0 && line[n] == ' ')
			return strtoll(line + n + 1, NULL, 10);
		line = *next ? next + 1 : next;
	}
	return -1;
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N ..." per device, summed. */
static void read_io_v2(int dir, struct iso_cgroup_stats *st)
{
	cleanup_free char *text = dir >= 0 ? iso_cg_read(dir, "io.stat") : NULL;

	if (text == NULL)
		return;
	st->io_read_bytes = st->io_write_bytes = 0;
	for (char *p = text; (p = strpbrk(p, "rw")) != NULL; p++) {
		if (strncmp(p, "rbytes=", 7) == 0)
			st->io_read_bytes += strtoll(p + 7, NULL, 10);
		else if (strncmp(p, "wbytes=", 7) == 0)
			st->io_write_bytes += strtoll(p + 7, NULL, 10);
	}
}

/* blkio.throttle.io_service_bytes_recursive: "MAJ:MIN Read N" lines. */
static void read_io_v1(int dir, struct iso_cgroup_stats *st)
{
	cleanup_free char *text = dir >= 0 ? iso_cg_read(dir, "blkio.throttle.io_service_bytes_recursive") : NULL;

	if (text == NULL)
		return;
	st->io_read_bytes = st->io_write_bytes = 0;
	for (char *line = text; *line != '\0';) {
		char *next = strchrnul(line, '\n');
		char *op = strchr(line, ' ');

		if (op != NULL && op < next) {
			if (strncmp(op, " Read ", 6) == 0)
				st->io_read_bytes += strtoll(op + 6, NULL, 10);
			else if (strncmp(op, " Write ", 7) == 0)
				st->io_write_bytes += strtoll(op + 7, NULL, 10);
		}
		line = *next ? next + 1 : next;
	}
}

static int dir_of(const struct iso_cgroup *cg, const char *controller)
{
	int i = iso_cg_index(cg, controller);

	return i < 0 ? -1 : cg->dirs[i];
}

void iso_cgroup_stats(const struct iso_cgroup *cg, struct iso_cgroup_stats *st)
{
	*st = (struct iso_cgroup_stats){ -1, -1, -1, -1, -1, -1 };
	if (cg->dirs == NULL)
		return;
	if (cg->layout->unified) {
		int dir = iso_cgroup_v2_dir(cg);
		int64_t usec = read_keyed(dir, "cpu.stat", "usage_usec");

		st->cpu_usage_ns = usec < 0 ? -1 : usec * 1000;
		st->memory_current = read_number(dir, "memory.current");
		st->memory_peak = read_number(dir, "memory.peak");
		st->pids_current = read_number(dir, "pids.current");
		read_io_v2(dir, st);
		return;
	}
	st->cpu_usage_ns = read_number(dir_of(cg, "cpuacct"), "cpuacct.usage");
	st->memory_current = read_number(dir_of(cg, "memory"), "memory.usage_in_bytes");
	st->memory_peak = read_number(dir_of(cg, "memory"), "memory.max_usage_in_bytes");
	st->pids_current = read_number(dir_of(cg, "pids"), "pids.current");
	read_io_v1(dir_of(cg, "blkio"), st);
}

uint64_t iso_cgroup_oom_kills(const struct iso_cgroup *cg)
{
	int64_t n;

	if (cg->dirs == NULL)
		return 0;
	if (cg->layout->unified)
		n = read_keyed(iso_cgroup_v2_dir(cg), "memory.events", "oom_kill");
	else
		n = read_keyed(dir_of(cg, "memory"), "memory.oom_control", "oom_kill");
	return n > 0 ? (uint64_t)n : 0;
}
