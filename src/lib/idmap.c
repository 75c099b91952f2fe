#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

int iso_idmap_parse(const char *s, struct iso_idmap *out, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(s);
	char *fields[3];
	char *p = copy;

	for (int i = 0; i < 3; i++) {
		fields[i] = p;
		p = strchr(p, ':');
		if ((i < 2) != (p != NULL))
			return iso_error_set(err, 0, "invalid id map %s: expected CONTAINER:HOST:SIZE", s);
		if (p != NULL)
			*p++ = '\0';
	}
	if (parse_u32(fields[0], &out->container_id) < 0 ||
	    parse_u32(fields[1], &out->host_id) < 0 ||
	    parse_u32(fields[2], &out->size) < 0)
		return iso_error_set(err, 0, "invalid id map %s: expected CONTAINER:HOST:SIZE in decimal", s);
	if (out->size == 0)
		return iso_error_set(err, 0, "invalid id map %s: size must be at least 1", s);
	return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

int iso_idmap_validate(const struct iso_idmap *maps, size_t n, struct iso_error *err)
{
	if (n == 0)
		return iso_error_set(err, 0, "no mapping given");
	if (n > ISO_MAX_IDMAPS)
		return iso_error_set(err, 0, "more than %d ranges", ISO_MAX_IDMAPS);
	for (size_t i = 0; i < n; i++) {
		const struct iso_idmap *m = &maps[i];

		if (m->size == 0)
			return iso_error_set(err, 0, "%u:%u:%u: size must be at least 1",
					     m->container_id, m->host_id, m->size);
		if ((uint64_t)m->container_id + m->size > UINT32_MAX ||
		    (uint64_t)m->host_id + m->size > UINT32_MAX)
			return iso_error_set(err, 0, "%u:%u:%u: range goes past the largest id",
					     m->container_id, m->host_id, m->size);
		for (size_t j = 0; j < i; j++) {
			const struct iso_idmap *o = &maps[j];

			if (ranges_overlap(m->container_id, m->size, o->container_id, o->size) ||
			    ranges_overlap(m->host_id, m->size, o->host_id, o->size))
				return iso_error_set(err, 0, "%u:%u:%u overlaps %u:%u:%u",
						     m->container_id, m->host_id, m->size,
						     o->container_id, o->host_id, o->size);
		}
	}
	return 0;
}

int iso_idmap_to_host(const struct iso_idmap *maps, size_t n, uint32_t id, uint32_t *host)
{
	for (size_t i = 0; i < n; i++) {
		if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size) {
			if (host != NULL)
				*host = maps[i].host_id + (id - maps[i].container_id);
			return 0;
		}
	}
	return -1;
}

static bool subid_owner_matches(const char *owner, const char *name, uid_t uid)
{
	uint32_t n;

	if (name != NULL && strcmp(owner, name) == 0)
		return true;
	return parse_u32(owner, &n) == 0 && n == uid;
}

int iso_subid_lookup(const char *path, const char *name, uid_t uid,
		     uint32_t *start, uint32_t *count, struct iso_error *err)
{
	cleanup_file FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;

	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		return iso_error_set(err, errno, "open %s", path);
	}
	while (getline(&line, &cap, f) >= 0) {
		char *rest = line, *owner, *s_start, *s_count;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		/* exactly three fields, none empty, as newuidmap reads them */
		owner = strsep(&rest, ":");
		s_start = strsep(&rest, ":");
		s_count = strsep(&rest, ":");
		if (owner[0] == '\0' || s_start == NULL || s_count == NULL || rest != NULL ||
		    parse_u32(s_start, start) < 0 || parse_u32(s_count, count) < 0)
			return iso_error_set(err, 0, "%s:%u: expected NAME:START:COUNT", path, lineno);
		if (subid_owner_matches(owner, name, uid) && *count > 0)
			return 0;
	}
	return 1;
}

static int default_range(const char *path, struct iso_idmap *out, struct iso_error *err)
{
	uint32_t start = ISO_DEFAULT_SUBID_START, count = ISO_DEFAULT_SUBID_COUNT;
	int r = iso_subid_lookup(path, ISO_SUBID_USER, (uid_t)-1, &start, &count, err);

	if (r < 0)
		return -1;
	if (r > 0) {
		start = ISO_DEFAULT_SUBID_START;
		count = ISO_DEFAULT_SUBID_COUNT;
	}
	out->container_id = 0;
	out->host_id = start;
	out->size = count < 65536 ? count : 65536;
	return 0;
}

int iso_idmap_fill_defaults(struct iso_spec *spec, const char *subuid_path,
			    const char *subgid_path, struct iso_error *err)
{
	struct iso_linux *l = &spec->linux_;

	if (l->n_uid_mappings == 0) {
		if (default_range(subuid_path, &l->uid_mappings[0], err) < 0)
			return -1;
		l->n_uid_mappings = 1;
		if (l->n_gid_mappings == 0) {
			if (default_range(subgid_path, &l->gid_mappings[0], err) < 0)
				return -1;
			l->n_gid_mappings = 1;
		}
	}
	if (l->n_gid_mappings == 0) {
		memcpy(l->gid_mappings, l->uid_mappings, l->n_uid_mappings * sizeof(struct iso_idmap));
		l->n_gid_mappings = l->n_uid_mappings;
	}
	return 0;
}

static int write_proc_file(pid_t pid, const char *name, const char *data, struct iso_error *err)
{
	char path[64];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	if (write_all(fd, data, strlen(data)) < 0)
		return iso_error_set(err, errno, "write %s", path);
	return 0;
}

static char *format_map(const struct iso_idmap *maps, size_t n)
{
	size_t cap = n * 40 + 1, len = 0;
	char *buf = xmalloc(cap);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n",
					maps[i].container_id, maps[i].host_id, maps[i].size);
	return buf;
}

int iso_idmap_write(pid_t pid, const struct iso_spec *spec, struct iso_error *err)
{
	cleanup_free char *uid_map = format_map(spec->linux_.uid_mappings, spec->linux_.n_uid_mappings);
	cleanup_free char *gid_map = format_map(spec->linux_.gid_mappings, spec->linux_.n_gid_mappings);

	if (write_proc_file(pid, "uid_map", uid_map, err) < 0)
		return -1;
	return write_proc_file(pid, "gid_map", gid_map, err);
}

static void fill_rootless_range(struct iso_idmap *maps, size_t *n, uint32_t own,
				const char *path, const char *name, uid_t uid)
{
	uint32_t start, count;
	struct iso_error ignored;

	maps[0] = (struct iso_idmap){ .container_id = 0, .host_id = own, .size = 1 };
	*n = 1;
	/* a malformed or missing subid file only means: no extra range */
	if (iso_subid_lookup(path, name, uid, &start, &count, &ignored) == 0) {
		maps[1] = (struct iso_idmap){ .container_id = 1, .host_id = start,
					      .size = count < 65535 ? count : 65535 };
		*n = 2;
	}
}

int iso_idmap_fill_rootless(struct iso_spec *spec, uid_t uid, gid_t gid, const char *name,
			    const char *subuid_path, const char *subgid_path,
			    struct iso_error *err)
{
	struct iso_linux *l = &spec->linux_;

	(void)err;
	if (l->n_uid_mappings == 0) {
		fill_rootless_range(l->uid_mappings, &l->n_uid_mappings, uid, subuid_path, name, uid);
		if (l->n_gid_mappings == 0)
			fill_rootless_range(l->gid_mappings, &l->n_gid_mappings, gid, subgid_path,
					    name, uid);
	}
	if (l->n_gid_mappings == 0) {
		memcpy(l->gid_mappings, l->uid_mappings, l->n_uid_mappings * sizeof(struct iso_idmap));
		l->n_gid_mappings = l->n_uid_mappings;
	}
	return 0;
}

bool iso_idmap_is_single(const struct iso_spec *spec, uid_t uid, gid_t gid)
{
	const struct iso_linux *l = &spec->linux_;

	return l->n_uid_mappings == 1 && l->n_gid_mappings == 1 &&
	       l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].host_id == uid &&
	       l->uid_mappings[0].size == 1 && l->gid_mappings[0].container_id == 0 &&
	       l->gid_mappings[0].host_id == gid && l->gid_mappings[0].size == 1;
}

/* Runs newuidmap or newgidmap: "PID C H S [C H S ...]"; they print their
 * own reason on stderr when they refuse. */
static int run_map_helper(const char *helper, pid_t pid, const struct iso_idmap *maps,
			  size_t n, struct iso_error *err)
{
	char **argv = xcalloc(3 + 3 * n, sizeof(char *));
	int status = 0;
	pid_t child;
	size_t a = 0;

	argv[a++] = xstrdup(helper);
	argv[a++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		argv[a++] = xasprintf("%u", maps[i].container_id);
		argv[a++] = xasprintf("%u", maps[i].host_id);
		argv[a++] = xasprintf("%u", maps[i].size);
	}
	child = fork();
	if (child == 0) {
		execvp(helper, argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	strv_free(argv);
	if (child < 0)
		return iso_error_set(err, errno, "fork %s", helper);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return iso_error_set(err, errno, "wait for %s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return iso_error_set(err, 0, "%s not found: install Debian's uidmap package, or map only your own id",
				     helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return iso_error_set(err, 0, "%s refused the map (is it within your range in /etc/sub%sid?)",
				     helper, strcmp(helper, "newuidmap") == 0 ? "u" : "g");
	return 0;
}

int iso_idmap_write_rootless(pid_t pid, const struct iso_spec *spec, uid_t uid, gid_t gid,
			     struct iso_error *err)
{
	const struct iso_linux *l = &spec->linux_;

	if (iso_idmap_is_single(spec, uid, gid)) {
		if (write_proc_file(pid, "setgroups", "deny", err) < 0)
			return -1;
		return iso_idmap_write(pid, spec, err);
	}
	if (run_map_helper("newuidmap", pid, l->uid_mappings, l->n_uid_mappings, err) < 0)
		return -1;
	return run_map_helper("newgidmap", pid, l->gid_mappings, l->n_gid_mappings, err);
}
