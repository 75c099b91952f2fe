#include "statsfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void set_count(json_t *obj, const char *key, int64_t v)
{
	json_object_set_new(obj, key, v < 0 ? json_null() : json_integer(v));
}

char *iso_statsfile_json(const struct iso_cgroup_stats *st)
{
	json_t *obj = json_object();
	char *text;

	set_count(obj, "cpu_usage_ns", st->cpu_usage_ns);
	set_count(obj, "memory_current", st->memory_current);
	set_count(obj, "memory_peak", st->memory_peak);
	set_count(obj, "pids_current", st->pids_current);
	set_count(obj, "io_read_bytes", st->io_read_bytes);
	set_count(obj, "io_write_bytes", st->io_write_bytes);
	text = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(obj);
	if (text == NULL)
		abort();        /* only out of memory makes dumps fail */
	return text;
}

int iso_statsfile_open(struct iso_statsfile *sf, const char *path, struct iso_error *err)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *dir = NULL;

	*sf = (struct iso_statsfile){ .dir = -1 };
	if (slash != NULL && slash[1] == '\0')
		return iso_error_set(err, 0, "stats file %s: not a file name", path);
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	sf->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sf->dir < 0)
		return iso_error_set(err, errno, "stats file %s: open %s", path, dir);
	sf->name = xstrdup(slash ? slash + 1 : path);
	sf->path = xstrdup(path);
	return 0;
}

void iso_statsfile_close(struct iso_statsfile *sf)
{
	if (sf->dir >= 0)
		close(sf->dir);
	free(sf->name);
	free(sf->path);
	*sf = (struct iso_statsfile){ .dir = -1 };
}

int iso_statsfile_write(const struct iso_statsfile *sf, const struct iso_cgroup_stats *st,
			struct iso_error *err)
{
	cleanup_free char *text = iso_statsfile_json(st);
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;
	char suffix[13];

	/* a fresh name, made here: in a directory others can write (/tmp),
	 * nobody can have put a FIFO or a file of theirs in its way */
	random_hex_id(suffix);
	tmp = xasprintf(".%s.%s", sf->name, suffix);
	fd = openat(sf->dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);

	if (fd < 0)
		return iso_error_set(err, errno, "write the stats file %s", sf->path);
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 ||
	    renameat(sf->dir, tmp, sf->dir, sf->name) < 0) {
		iso_error_set(err, errno, "write the stats file %s", sf->path);
		unlinkat(sf->dir, tmp, 0);
		return -1;
	}
	return 0;
}
