/* state.h: the run directory, its lock, owners told apart by pid and start
 * time, containers/ID/ and names/NAME, finding a container, the sweep.
 *
 * The library keeps its run and data directories from the first call on,
 * so main() points ISOLATE_RUN_DIR and ISOLATE_DATA_DIR at a fresh
 * directory once, and every test starts and ends with both emptied. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "state.h"

#define ID_A "0123456789ab"
#define ID_B "abcdef012345"
#define ID_C "fedcba987654"
#define ID_D "00000000000d"

static char top[] = "/tmp/isolate-unit-XXXXXX";
static char *run_dir, *data_dir;

static int remove_below(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int empty_state_dirs(void **state)
{
	(void)state;
	if (nftw(run_dir, remove_below, 16, FTW_DEPTH | FTW_PHYS) < 0 ||
	    nftw(data_dir, remove_below, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -1;
	return 0;
}

/* RUN_DIR/REL, malloc'd. */
static char *run_path(const char *rel)
{
	return xasprintf("%s/%s", run_dir, rel);
}

static bool run_exists(const char *rel)
{
	cleanup_free char *path = run_path(rel);
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Where the symlink RUN_DIR/REL points, or "" when it is not one. */
static char *run_link(const char *rel)
{
	cleanup_free char *path = run_path(rel);
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

#define assert_run_link(rel, want) check_run_link(__FILE__, __LINE__, rel, want)

static void check_run_link(const char *file, int line, const char *rel, const char *want)
{
	cleanup_free char *got = run_link(rel);

	_assert_string_equal(got, want, file, line);
}

/* The pid of a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return pid;
}

static struct iso_owner self_owner(void)
{
	struct iso_owner self;

	assert_int_equal(iso_owner_of(getpid(), &self), 0);
	return self;
}

/* Makes ID's owner file say PID START, as if another process owned it. */
static void set_owner(const char *id, pid_t pid, unsigned long long start)
{
	struct iso_error err = { 0 };
	char text[64];

	snprintf(text, sizeof(text), "%d %llu\n", (int)pid, start);
	assert_int_equal(iso_state_write(id, "owner", text, &err), 0);
}

static void create(const char *id, const char *name)
{
	struct iso_error err = { 0 };

	assert_int_equal(iso_state_create(id, name, &err), 0);
}

/* ---- directories ------------------------------------------------------- */

static void dirs_come_from_the_environment(void **state)
{
	cleanup_free char *dir = iso_state_path(ID_A, NULL);
	cleanup_free char *file = iso_state_path(ID_A, "owner");
	cleanup_free char *want_dir = run_path("containers/" ID_A);
	cleanup_free char *want_file = run_path("containers/" ID_A "/owner");

	(void)state;
	assert_string_equal(iso_run_dir(), run_dir);
	assert_string_equal(iso_data_dir(), data_dir);
	assert_string_equal(dir, want_dir);
	assert_string_equal(file, want_file);
}

static void mkdir_p_makes_every_missing_parent_0700(void **state)
{
	cleanup_free char *deep = run_path("a/b/c");
	struct iso_error err = { 0 };
	const char *made[] = { "a", "a/b", "a/b/c" };
	struct stat st;

	(void)state;
	umask(022);
	assert_int_equal(iso_mkdir_p(deep, &err), 0);
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = run_path(made[i]);

		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0700);
	}
	/* again: what exists is fine */
	assert_int_equal(iso_mkdir_p(deep, &err), 0);
}

static void mkdir_p_below_a_file_fails_naming_the_path(void **state)
{
	cleanup_free char *file = run_path("file");
	cleanup_free char *below = run_path("file/x/y");
	cleanup_free char *want = xasprintf("create %s/file/x: Not a directory", run_dir);
	struct iso_error err = { 0 };

	(void)state;
	write_file(file, "");
	assert_int_equal(iso_mkdir_p(below, &err), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.errnum, ENOTDIR);
}

/* ---- the lock ----------------------------------------------------------- */

static void lock_excludes_every_other_holder(void **state)
{
	cleanup_free char *path = run_path("lock");
	struct iso_error err = { 0 };
	int fd = iso_state_lock(&err), other;

	(void)state;
	assert_true(fd >= 0);
	assert_true(run_exists("lock"));
	other = open(path, O_RDWR | O_CLOEXEC);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
}

static void lock_waits_for_the_holder(void **state)
{
	struct iso_error err = { 0 };
	int fd = iso_state_lock(&err), p[2], status;
	struct pollfd pfd;
	pid_t child;
	char c;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct iso_error cerr = { 0 };
		int lock;

		/* the parent's lock, shared until closed */
		close(fd);
		close(p[0]);
		lock = iso_state_lock(&cerr);
		_exit(lock >= 0 && write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	/* the child must still be waiting while we hold it */
	assert_int_equal(poll(&pfd, 1, 200), 0);
	close(fd);
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	close(p[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void lock_on_a_directory_fails_naming_it(void **state)
{
	cleanup_free char *path = run_path("lock");
	cleanup_free char *want = xasprintf("open %s: Is a directory", path);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(iso_state_lock(&err), -1);
	assert_string_equal(err.msg, want);
}

/* ---- owners ------------------------------------------------------------- */

/* A run directory others can write (a /tmp/isolate-UID made by someone
 * else) is refused, never used. */
static void lock_refuses_a_run_directory_others_can_write(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(chmod(run_dir, 0777), 0);
	assert_int_equal(iso_state_lock(&err), -1);
	assert_non_null(strstr(err.msg, "that only it can write"));
	assert_int_equal(chmod(run_dir, 0700), 0);
	int fd = iso_state_lock(&err);
	assert_true(fd >= 0);
	close(fd);
}

static void owner_of_self_is_alive(void **state)
{
	struct iso_owner self = self_owner(), again;

	(void)state;
	assert_int_equal(self.pid, getpid());
	assert_true(self.start > 0);
	assert_int_equal(iso_owner_of(getpid(), &again), 0);
	assert_int_equal(again.start, self.start);
	assert_true(iso_owner_alive(&self));
}

static void owner_of_a_reaped_child_is_gone(void **state)
{
	struct iso_owner owner = { .pid = 4242, .start = 77 };
	pid_t dead = dead_pid();

	(void)state;
	assert_int_equal(iso_owner_of(dead, &owner), -1);
	/* left as it was */
	assert_int_equal(owner.pid, 4242);
	assert_int_equal(owner.start, 77);
	owner = (struct iso_owner){ .pid = dead, .start = self_owner().start };
	assert_false(iso_owner_alive(&owner));
}

static void owner_with_another_start_time_is_a_reused_pid(void **state)
{
	struct iso_owner self = self_owner();
	struct iso_owner later = { .pid = self.pid, .start = self.start + 1 };
	struct iso_owner earlier = { .pid = self.pid, .start = self.start - 1 };

	(void)state;
	assert_false(iso_owner_alive(&later));
	assert_false(iso_owner_alive(&earlier));
}

static void owner_without_a_pid_is_not_alive(void **state)
{
	struct iso_owner zero = { .pid = 0, .start = 0 };
	struct iso_owner negative = { .pid = -1, .start = 0 };

	(void)state;
	assert_false(iso_owner_alive(&zero));
	assert_false(iso_owner_alive(&negative));
}

/* The start time is read after the last ')', so a command name with
 * spaces and parentheses does not shift the fields. */
static void owner_of_a_process_named_with_parens(void **state)
{
	static const char odd[] = "x) 1 2 (3";
	struct iso_owner before, after;
	int go[2], ready[2], status;
	char c, comm[64] = "", path[64];
	pid_t child;
	int fd;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(go[1]);
		close(ready[0]);
		if (read(go[0], &c, 1) != 1 || prctl(PR_SET_NAME, odd) < 0 ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		/* until the parent closes its end */
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	assert_int_equal(iso_owner_of(child, &before), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	assert_true(n > 0);
	comm[n] = '\0';
	assert_string_equal(comm, "x) 1 2 (3\n");
	assert_int_equal(iso_owner_of(child, &after), 0);
	close(go[1]);
	close(ready[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(after.pid, child);
	assert_int_equal(after.start, before.start);
	assert_true(after.start >= self_owner().start);
}

/* ---- containers and names ----------------------------------------------- */

static void create_records_the_owner_and_the_name(void **state)
{
	struct iso_owner self = self_owner();
	cleanup_free char *owner = NULL, *name = NULL;
	cleanup_free char *want = xasprintf("%d %llu\n", (int)self.pid, self.start);
	cleanup_free char *dir = iso_state_path(ID_A, NULL);
	struct stat st;

	(void)state;
	create(ID_A, "web");
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* other users may reach the files inside, not list them */
	assert_int_equal(st.st_mode & 07777, 0700);
	owner = iso_state_read(ID_A, "owner");
	assert_non_null(owner);
	assert_string_equal(owner, want);
	name = iso_state_read(ID_A, "name");
	assert_non_null(name);
	assert_string_equal(name, "web");
	assert_run_link("names/web", ID_A);
}

static void create_without_a_name_claims_none(void **state)
{
	cleanup_free char *names = run_path("names");
	struct dirent **list = NULL;
	int n;

	(void)state;
	create(ID_A, NULL);
	assert_true(run_exists("containers/" ID_A "/owner"));
	assert_null(iso_state_read(ID_A, "name"));
	n = scandir(names, &list, NULL, NULL);
	assert_int_equal(n, 2);         /* "." and ".." */
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void create_refuses_a_name_a_live_container_holds(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	create(ID_A, "web");
	assert_int_equal(iso_state_create(ID_B, "web", &err), -1);
	assert_string_equal(err.msg, "container name web is already in use by container " ID_A);
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
	assert_run_link("names/web", ID_A);
	/* the loser leaves nothing behind */
	assert_false(run_exists("containers/" ID_B));
	assert_true(run_exists("containers/" ID_A "/owner"));
}

static void create_takes_a_name_from_a_dead_holder(void **state)
{
	(void)state;
	create(ID_A, "web");
	set_owner(ID_A, dead_pid(), self_owner().start);
	create(ID_B, "web");
	assert_run_link("names/web", ID_B);
}

static void create_takes_a_name_from_a_reused_pid(void **state)
{
	struct iso_owner self = self_owner();

	(void)state;
	create(ID_A, "web");
	set_owner(ID_A, self.pid, self.start + 1);
	create(ID_B, "web");
	assert_run_link("names/web", ID_B);
}

#define assert_bad_name(name) check_bad_name(__FILE__, __LINE__, name)

static void check_bad_name(const char *file, int line, const char *name)
{
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("invalid container name %s: letters, digits, '_', '.' and '-', starting with a letter or digit, at most 64",
					    name);

	_assert_int_equal(iso_state_create(ID_A, name, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_true(!run_exists("containers/" ID_A), "state left behind", file, line);
}

static void create_refuses_invalid_names(void **state)
{
	char longest[66];
	cleanup_free char *link = NULL;

	(void)state;
	assert_bad_name("");
	assert_bad_name("-web");
	assert_bad_name(".web");
	assert_bad_name("_web");
	assert_bad_name("we b");
	assert_bad_name("a/b");
	assert_bad_name("../x");
	assert_bad_name("web:1");
	memset(longest, 'a', 65);
	longest[65] = '\0';
	assert_bad_name(longest);
	/* 64 is the most */
	longest[64] = '\0';
	create(ID_A, longest);
	link = xasprintf("names/%s", longest);
	assert_run_link(link, ID_A);
}

static void create_accepts_the_documented_characters(void **state)
{
	(void)state;
	create(ID_A, "Web-1.db_2");
	assert_run_link("names/Web-1.db_2", ID_A);
	create(ID_B, "9lives");
	assert_run_link("names/9lives", ID_B);
}

static void state_files_are_written_and_read(void **state)
{
	struct iso_error err = { 0 };
	cleanup_free char *text = NULL;

	(void)state;
	create(ID_A, NULL);
	assert_int_equal(iso_state_write(ID_A, "pid", "4242", &err), 0);
	text = iso_state_read(ID_A, "pid");
	assert_non_null(text);
	assert_string_equal(text, "4242");
	/* replaced, not appended */
	assert_int_equal(iso_state_write(ID_A, "pid", "7", &err), 0);
	free(text);
	text = iso_state_read(ID_A, "pid");
	assert_string_equal(text, "7");
	assert_null(iso_state_read(ID_A, "missing"));
	assert_null(iso_state_read(ID_B, "pid"));
}

static void state_write_without_a_container_fails(void **state)
{
	cleanup_free char *want = xasprintf("create %s/containers/" ID_B "/pid: No such file or directory",
					    run_dir);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_state_write(ID_B, "pid", "1", &err), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.errnum, ENOENT);
}

static void release_name_frees_the_name_and_keeps_the_state(void **state)
{
	(void)state;
	create(ID_A, "web");
	iso_state_release_name(ID_A);
	assert_false(run_exists("names/web"));
	assert_true(run_exists("containers/" ID_A "/owner"));
	/* and a new container may take it while the old state stays */
	create(ID_B, "web");
	assert_run_link("names/web", ID_B);
}

static void release_name_leaves_a_name_passed_on(void **state)
{
	(void)state;
	create(ID_A, "web");
	set_owner(ID_A, dead_pid(), 1);
	create(ID_B, "web");
	iso_state_release_name(ID_A);
	assert_run_link("names/web", ID_B);
	/* a container without a name has nothing to give back */
	create(ID_C, NULL);
	iso_state_release_name(ID_C);
	assert_run_link("names/web", ID_B);
}

static void remove_deletes_the_state_and_the_name(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	create(ID_A, "web");
	assert_int_equal(iso_state_write(ID_A, "pid", "1", &err), 0);
	assert_int_equal(iso_state_write(ID_A, "hosts", "127.0.0.1 localhost\n", &err), 0);
	create(ID_B, "db");
	iso_state_remove(ID_A);
	assert_false(run_exists("containers/" ID_A));
	assert_false(run_exists("names/web"));
	assert_true(run_exists("containers/" ID_B "/owner"));
	assert_run_link("names/db", ID_B);
	/* twice, or a container never made: nothing happens */
	iso_state_remove(ID_A);
	iso_state_remove(ID_C);
	assert_true(run_exists("containers/" ID_B));
}

/* ---- finding containers ------------------------------------------------- */

#define assert_found(what, pid, id) check_found(__FILE__, __LINE__, what, pid, id)

static void check_found(const char *file, int line, const char *what, pid_t want_pid,
			const char *want_id)
{
	struct iso_error err = { 0 };
	char id[ISO_ID_LEN + 1] = "garbage";
	pid_t pid = -1;

	_assert_int_equal(iso_state_find(what, &pid, id, &err), 0, file, line);
	_assert_int_equal(pid, want_pid, file, line);
	if (want_id != NULL)
		_assert_string_equal(id, want_id, file, line);
}

#define assert_not_found(what, msg) check_not_found(__FILE__, __LINE__, what, msg)

static void check_not_found(const char *file, int line, const char *what, const char *want)
{
	struct iso_error err = { 0 };
	char id[ISO_ID_LEN + 1];
	pid_t pid = -7;

	_assert_int_equal(iso_state_find(what, &pid, id, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(pid, -7, file, line);
}

static void find_by_name_and_by_id(void **state)
{
	struct iso_error err = { 0 };
	struct iso_owner self;
	char text[64];

	(void)state;
	assert_int_equal(iso_owner_of(getpid(), &self), 0);
	/* the container's pid with its start time, as the runtime writes it */
	snprintf(text, sizeof(text), "%d %llu\n", (int)self.pid, self.start);
	create(ID_A, "web");
	assert_int_equal(iso_state_write(ID_A, "pid", text, &err), 0);
	create(ID_B, NULL);
	assert_int_equal(iso_state_write(ID_B, "pid", text, &err), 0);
	assert_found("web", getpid(), ID_A);
	assert_found(ID_A, getpid(), ID_A);
	assert_found(ID_B, getpid(), ID_B);
	/* a later process with the same pid is not the container */
	snprintf(text, sizeof(text), "%d %llu\n", (int)self.pid, self.start + 1);
	assert_int_equal(iso_state_write(ID_B, "pid", text, &err), 0);
	assert_not_found(ID_B, "container " ID_B " is not running");
}

static void find_by_pid_checks_the_process(void **state)
{
	char text[32];
	pid_t dead = dead_pid();
	cleanup_free char *want = NULL;

	(void)state;
	snprintf(text, sizeof(text), "%d", (int)getpid());
	assert_found(text, getpid(), NULL);
	snprintf(text, sizeof(text), "%d", (int)dead);
	want = xasprintf("no process with pid %s", text);
	assert_not_found(text, want);
	assert_not_found("0", "invalid pid 0");
	assert_not_found("99999999999", "invalid pid 99999999999");
	assert_not_found("2147483648", "invalid pid 2147483648");
}

static void find_refuses_what_is_not_running(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_not_found("nope", "no such container: nope");
	assert_not_found(ID_C, "no such container: " ID_C);
	/* being created: no pid yet */
	create(ID_A, "web");
	assert_not_found("web", "no such container: web");
	assert_not_found(ID_A, "no such container: " ID_A);
	/* its owner is gone */
	assert_int_equal(iso_state_write(ID_A, "pid", "4242", &err), 0);
	set_owner(ID_A, dead_pid(), self_owner().start);
	assert_not_found("web", "no such container: web");
	assert_not_found(ID_A, "no such container: " ID_A);
	/* its owner's pid went to another process */
	set_owner(ID_A, getpid(), self_owner().start + 1);
	assert_not_found("web", "no such container: web");
}

/* ---- releasing and the sweep --------------------------------------------- */

static void releasing_needs_a_marker_and_a_live_owner(void **state)
{
	struct iso_error err = { 0 };

	(void)state;
	assert_false(iso_state_releasing());          /* no containers/ at all */
	create(ID_A, NULL);
	assert_false(iso_state_releasing());          /* alive, not releasing */
	create(ID_B, NULL);
	assert_int_equal(iso_state_write(ID_B, "releasing", "", &err), 0);
	set_owner(ID_B, dead_pid(), 1);
	assert_false(iso_state_releasing());          /* its releaser died */
	assert_int_equal(iso_state_write(ID_A, "releasing", "", &err), 0);
	assert_true(iso_state_releasing());
	set_owner(ID_A, getpid(), self_owner().start + 1);
	assert_false(iso_state_releasing());          /* pid reused */
}

static char released[8][ISO_ID_LEN + 1];
static size_t n_released;

static void record_release(const char *id)
{
	cleanup_free char *dir = iso_state_path(id, NULL);

	assert_true(n_released < 8);
	/* the state is still there for the callback to read */
	assert_int_equal(access(dir, F_OK), 0);
	snprintf(released[n_released++], ISO_ID_LEN + 1, "%s", id);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void sweep_releases_only_the_dead(void **state)
{
	cleanup_free char *odd = run_path("containers/notanid");
	struct iso_owner self = self_owner();
	cleanup_free char *bare = NULL;

	(void)state;
	n_released = 0;
	create(ID_A, "alive");
	create(ID_B, "dead");
	set_owner(ID_B, dead_pid(), self.start);
	create(ID_C, "reused");
	set_owner(ID_C, self.pid, self.start + 1);
	create(ID_D, NULL);
	bare = iso_state_path(ID_D, "owner");
	assert_int_equal(unlink(bare), 0);         /* crashed before it wrote one */
	assert_int_equal(mkdir(odd, 0700), 0);
	iso_state_sweep(record_release);
	assert_int_equal(n_released, 3);
	qsort(released, n_released, sizeof(released[0]), compare_ids);
	assert_string_equal(released[0], ID_D);
	assert_string_equal(released[1], ID_B);
	assert_string_equal(released[2], ID_C);
	assert_true(run_exists("containers/" ID_A "/owner"));
	assert_run_link("names/alive", ID_A);
	assert_false(run_exists("containers/" ID_B));
	assert_false(run_exists("containers/" ID_C));
	assert_false(run_exists("containers/" ID_D));
	assert_false(run_exists("names/dead"));
	assert_false(run_exists("names/reused"));
	assert_true(run_exists("containers/notanid"));
	/* nothing left to sweep */
	n_released = 0;
	iso_state_sweep(record_release);
	assert_int_equal(n_released, 0);
}

static void sweep_keeps_a_name_passed_to_a_new_container(void **state)
{
	(void)state;
	n_released = 0;
	create(ID_A, "web");
	set_owner(ID_A, dead_pid(), 1);
	create(ID_B, "web");
	iso_state_sweep(record_release);
	assert_int_equal(n_released, 1);
	assert_string_equal(released[0], ID_A);
	assert_run_link("names/web", ID_B);
	assert_true(run_exists("containers/" ID_B "/owner"));
}

static void sweep_of_an_empty_run_dir_does_nothing(void **state)
{
	(void)state;
	n_released = 0;
	iso_state_sweep(record_release);
	assert_int_equal(n_released, 0);
}

#define STATE_TEST(f) cmocka_unit_test_setup_teardown(f, empty_state_dirs, empty_state_dirs)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STATE_TEST(dirs_come_from_the_environment),
		STATE_TEST(mkdir_p_makes_every_missing_parent_0700),
		STATE_TEST(mkdir_p_below_a_file_fails_naming_the_path),
		STATE_TEST(lock_excludes_every_other_holder),
		STATE_TEST(lock_waits_for_the_holder),
		STATE_TEST(lock_on_a_directory_fails_naming_it),
		STATE_TEST(lock_refuses_a_run_directory_others_can_write),
		STATE_TEST(owner_of_self_is_alive),
		STATE_TEST(owner_of_a_reaped_child_is_gone),
		STATE_TEST(owner_with_another_start_time_is_a_reused_pid),
		STATE_TEST(owner_without_a_pid_is_not_alive),
		STATE_TEST(owner_of_a_process_named_with_parens),
		STATE_TEST(create_records_the_owner_and_the_name),
		STATE_TEST(create_without_a_name_claims_none),
		STATE_TEST(create_refuses_a_name_a_live_container_holds),
		STATE_TEST(create_takes_a_name_from_a_dead_holder),
		STATE_TEST(create_takes_a_name_from_a_reused_pid),
		STATE_TEST(create_refuses_invalid_names),
		STATE_TEST(create_accepts_the_documented_characters),
		STATE_TEST(state_files_are_written_and_read),
		STATE_TEST(state_write_without_a_container_fails),
		STATE_TEST(release_name_frees_the_name_and_keeps_the_state),
		STATE_TEST(release_name_leaves_a_name_passed_on),
		STATE_TEST(remove_deletes_the_state_and_the_name),
		STATE_TEST(find_by_name_and_by_id),
		STATE_TEST(find_by_pid_checks_the_process),
		STATE_TEST(find_refuses_what_is_not_running),
		STATE_TEST(releasing_needs_a_marker_and_a_live_owner),
		STATE_TEST(sweep_releases_only_the_dead),
		STATE_TEST(sweep_keeps_a_name_passed_to_a_new_container),
		STATE_TEST(sweep_of_an_empty_run_dir_does_nothing),
	};
	int r;

	if (mkdtemp(top) == NULL)
		return 1;
	run_dir = xasprintf("%s/run", top);
	data_dir = xasprintf("%s/data", top);
	if (mkdir(run_dir, 0700) < 0 || mkdir(data_dir, 0700) < 0 ||
	    setenv("ISOLATE_RUN_DIR", run_dir, 1) < 0 || setenv("ISOLATE_DATA_DIR", data_dir, 1) < 0)
		return 1;
	/* never a real installation's state */
	if (strcmp(iso_run_dir(), run_dir) != 0 || strcmp(iso_data_dir(), data_dir) != 0) {
		fprintf(stderr, "the library ignores ISOLATE_RUN_DIR/ISOLATE_DATA_DIR\n");
		return 1;
	}
	r = cmocka_run_group_tests_name("state", tests, NULL, NULL);
	nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(run_dir);
	free(data_dir);
	return r;
}
