#include "state.h"

#include <ctype.h>
#include <signal.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char *xdg_dir(const char *var, const char *fallback_fmt)
{
	const char *base = getenv(var);

	if (base != NULL && base[0] == '/')
		return xasprintf("%s/isolate", base);
	return xasprintf(fallback_fmt, (unsigned)geteuid());
}

/* ISOLATE_RUN_DIR and ISOLATE_DATA_DIR move the state elsewhere, for tests
 * of the library that must not touch a real installation's. */
const char *iso_run_dir(void)
{
	static char *dir;
	const char *env = getenv("ISOLATE_RUN_DIR");

	if (dir == NULL && env != NULL && env[0] == '/')
		dir = xstrdup(env);
	if (dir == NULL)
		dir = geteuid() == 0 ? xstrdup("/run/isolate")
				     : xdg_dir("XDG_RUNTIME_DIR", "/tmp/isolate-%u");
	return dir;
}

const char *iso_data_dir(void)
{
	static char *dir;
	const char *home = getenv("HOME"), *env = getenv("ISOLATE_DATA_DIR");

	if (dir != NULL)
		return dir;
	if (env != NULL && env[0] == '/')
		dir = xstrdup(env);
	else if (geteuid() == 0)
		dir = xstrdup("/var/lib/isolate");
	else if (getenv("XDG_DATA_HOME") != NULL || home == NULL)
		dir = xdg_dir("XDG_DATA_HOME", "/tmp/isolate-data-%u");
	else
		dir = xasprintf("%s/.local/share/isolate", home);
	return dir;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int iso_mkdir_p(const char *dir, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(dir);

	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			return iso_error_set(err, errno, "create %s", copy);
		if (c == '\0' && errno == EEXIST && !is_dir(copy))
			return iso_error_set(err, ENOTDIR, "create %s", copy);
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/* Without XDG_RUNTIME_DIR the run directory is a fixed name in /tmp,
 * which another user could have made first, or made a symlink: it must be
 * a directory of ours that nobody else can write. */
static int check_run_dir(const char *dir, struct iso_error *err)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return iso_error_set(err, errno, "stat %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0)
		return iso_error_set(err, 0, "run directory %s is not a directory of uid %u that only it can write; remove it or set XDG_RUNTIME_DIR",
				     dir, (unsigned)geteuid());
	return 0;
}

int iso_state_lock(struct iso_error *err)
{
	cleanup_free char *path = xasprintf("%s/lock", iso_run_dir());
	int fd;

	if (iso_mkdir_p(iso_run_dir(), err) < 0 || check_run_dir(iso_run_dir(), err) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			iso_error_set(err, errno, "lock %s", path);
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Field 22 of /proc/PID/stat, after the command name, which may hold
 * spaces and parentheses: count from the last ')'. */
int iso_owner_of(pid_t pid, struct iso_owner *owner)
{
	char path[64], buf[1024], *p;
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	for (int field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return -1;
	owner->pid = pid;
	owner->start = strtoull(p + 1, NULL, 10);
	return 0;
}

bool iso_owner_alive(const struct iso_owner *owner)
{
	struct iso_owner now;

	return owner->pid > 0 && iso_owner_of(owner->pid, &now) == 0 &&
	       now.start == owner->start;
}

char *iso_state_path(const char *id, const char *file)
{
	if (file == NULL)
		return xasprintf("%s/containers/%s", iso_run_dir(), id);
	return xasprintf("%s/containers/%s/%s", iso_run_dir(), id, file);
}

int iso_state_write(const char *id, const char *file, const char *text, struct iso_error *err)
{
	cleanup_free char *path = iso_state_path(id, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
				    0644);

	if (fd < 0)
		return iso_error_set(err, errno, "create %s", path);
	if (write_all(fd, text, strlen(text)) < 0)
		return iso_error_set(err, errno, "write %s", path);
	return 0;
}

char *iso_state_read(const char *id, const char *file)
{
	cleanup_free char *path = iso_state_path(id, file);
	struct iso_error ignored;
	char *text = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, path, &text, &len, &ignored) < 0)
		return NULL;
	return text;
}

static bool read_owner(const char *id, struct iso_owner *owner)
{
	cleanup_free char *text = iso_state_read(id, "owner");

	return text != NULL && sscanf(text, "%d %llu", &owner->pid, &owner->start) == 2;
}

static bool container_alive(const char *id)
{
	struct iso_owner owner;

	return read_owner(id, &owner) && iso_owner_alive(&owner);
}

/* Ended, its state still being released (see netrelease.c). */
static bool releasing(const char *id)
{
	cleanup_free char *marker = iso_state_path(id, "releasing");

	return access(marker, F_OK) == 0;
}

static bool name_valid(const char *name)
{
	if (!isalnum((unsigned char)name[0]) || strlen(name) > 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

static int claim_name(const char *id, const char *name, struct iso_error *err)
{
	cleanup_free char *link = xasprintf("%s/names/%s", iso_run_dir(), name);
	char held[ISO_ID_LEN + 1];
	ssize_t n;

	if (!name_valid(name))
		return iso_error_set(err, 0, "invalid container name %s: letters, digits, '_', '.' and '-', starting with a letter or digit, at most 64",
				     name);
	if (symlink(id, link) == 0)
		return 0;
	if (errno != EEXIST)
		return iso_error_set(err, errno, "create %s", link);
	n = readlink(link, held, sizeof(held) - 1);
	held[n > 0 ? n : 0] = '\0';
	if (container_alive(held))
		return iso_error_set(err, 0, "container name %s is already in use by container %s",
				     name, held);
	/* the holder is gone; the sweep would free the name too */
	if (unlink(link) < 0 || symlink(id, link) < 0)
		return iso_error_set(err, errno, "claim the name %s", name);
	return 0;
}

int iso_state_create(const char *id, const char *name, struct iso_error *err)
{
	cleanup_free char *dir = iso_state_path(id, NULL);
	cleanup_free char *names = xasprintf("%s/names", iso_run_dir());
	struct iso_owner self;
	char text[64];

	if (iso_mkdir_p(names, err) < 0 || iso_mkdir_p(dir, err) < 0)
		return -1;
	if (iso_owner_of(getpid(), &self) < 0)
		return iso_error_set(err, errno, "read /proc/self/stat");
	snprintf(text, sizeof(text), "%d %llu\n", (int)self.pid, self.start);
	if (iso_state_write(id, "owner", text, err) < 0)
		return -1;
	if (name != NULL && (iso_state_write(id, "name", name, err) < 0 ||
			     claim_name(id, name, err) < 0)) {
		iso_state_remove(id);
		return -1;
	}
	return 0;
}

/* The record first and the owner last: a sweep that looks meanwhile sees
 * a live owner, or nothing left to undo. */
static void remove_dir_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	unlinkat(dirfd(d), "network.json", 0);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strcmp(e->d_name, "owner") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	unlinkat(dirfd(d), "owner", 0);
	closedir(d);
	rmdir(path);
}

void iso_state_release_name(const char *id)
{
	cleanup_free char *name = iso_state_read(id, "name");

	if (name != NULL) {
		cleanup_free char *link = xasprintf("%s/names/%s", iso_run_dir(), name);
		char held[ISO_ID_LEN + 1];
		ssize_t n = readlink(link, held, sizeof(held) - 1);

		/* only our own: the name may have passed to a new container */
		if (n == ISO_ID_LEN && memcmp(held, id, ISO_ID_LEN) == 0)
			unlink(link);
	}
}

void iso_state_remove(const char *id)
{
	cleanup_free char *dir = iso_state_path(id, NULL);

	iso_state_release_name(id);
	remove_dir_files(dir);
}

static bool is_id(const char *s)
{
	if (strlen(s) != ISO_ID_LEN)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static int find_by_pid(const char *text, pid_t *pid, struct iso_error *err)
{
	uint32_t v;

	if (parse_u32(text, &v) < 0 || v == 0 || v > INT_MAX)
		return iso_error_set(err, 0, "invalid pid %s", text);
	if (kill((pid_t)v, 0) < 0 && errno == ESRCH)
		return iso_error_set(err, 0, "no process with pid %s", text);
	*pid = (pid_t)v;
	return 0;
}

int iso_state_find(const char *name_or_id, pid_t *pid, char id[ISO_ID_LEN + 1],
		   struct iso_error *err)
{
	cleanup_free char *link = xasprintf("%s/names/%s", iso_run_dir(), name_or_id);
	cleanup_free char *text = NULL;
	struct iso_owner proc;
	ssize_t n;

	id[0] = '\0';
	if (name_or_id[0] == '\0')
		return iso_error_set(err, 0, "no such container: \"\"");
	n = readlink(link, id, ISO_ID_LEN + 1);
	if (n == ISO_ID_LEN)
		id[n] = '\0';
	else if (is_id(name_or_id))
		snprintf(id, ISO_ID_LEN + 1, "%s", name_or_id);
	else if (strspn(name_or_id, "0123456789") == strlen(name_or_id))
		return find_by_pid(name_or_id, pid, err);
	else
		return iso_error_set(err, 0, "no such container: %s", name_or_id);
	if (!container_alive(id) || (text = iso_state_read(id, "pid")) == NULL)
		return iso_error_set(err, 0, "no such container: %s", name_or_id);
	if (releasing(id) || sscanf(text, "%d %llu", &proc.pid, &proc.start) != 2 ||
	    !iso_owner_alive(&proc))
		return iso_error_set(err, 0, "container %s is not running", name_or_id);
	*pid = proc.pid;
	return 0;
}

bool iso_state_releasing(void)
{
	cleanup_free char *path = xasprintf("%s/containers", iso_run_dir());
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		found = is_id(e->d_name) && releasing(e->d_name) && container_alive(e->d_name);
	closedir(d);
	return found;
}

void iso_state_for_each_running(void (*fn)(const char *id, void *ctx), void *ctx)
{
	cleanup_free char *path = xasprintf("%s/containers", iso_run_dir());
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (is_id(e->d_name) && container_alive(e->d_name) && !releasing(e->d_name))
			fn(e->d_name, ctx);
	closedir(d);
}

void iso_state_sweep(void (*release)(const char *id))
{
	cleanup_free char *path = xasprintf("%s/containers", iso_run_dir());
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!is_id(e->d_name) || container_alive(e->d_name))
			continue;
		/* a container being created has no owner file for a moment:
		 * its creator holds the lock while it writes one */
		release(e->d_name);
		iso_state_remove(e->d_name);
	}
	closedir(d);
}
