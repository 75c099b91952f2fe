/* hooks.h: OCI hooks run as the runtime-spec says: in order, with their
 * own argv and environment, the state on stdin, a timeout that kills,
 * and errors that name the hook and what went wrong.  Hooks are small
 * shell scripts in the test's directory. */
#include "helpers.h"

#include <errno.h>
#include <linux/close_range.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "hooks.h"

/* A hook script: writes its argv and environment (NULs as spaces) after
 * a line of its own to LOG. */
static char *logging_script(const struct tmpdir *t, const char *log)
{
	cleanup_free char *text = xasprintf(
		"#!/bin/sh\n"
		"/usr/bin/tr '\\0' ' ' < /proc/$$/cmdline >> %s\n"
		"echo \"| $(/usr/bin/tr '\\0' ' ' < /proc/$$/environ)\" >> %s\n", log, log);
	char *path = tmp_file(t, "hook.sh", text);

	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

/* A hook running "/bin/sh -c SCRIPT", freed by iso_hook_clear. */
static struct iso_hook sh_hook(const char *script, int timeout)
{
	char *args[] = { "sh", "-c", (char *)script, NULL };

	return (struct iso_hook){ .path = xstrdup("/bin/sh"), .args = strv_dup(args),
				  .timeout = timeout };
}

static char *read_text(const char *path)
{
	struct iso_error err = { 0 };
	char *text = NULL;
	size_t len;

	assert_int_equal(read_file_at(AT_FDCWD, path, &text, &len, &err), 0);
	return text;
}

static void kind_names(void **state)
{
	(void)state;
	assert_string_equal(iso_hook_kind_name(ISO_HOOK_PRESTART), "prestart");
	assert_string_equal(iso_hook_kind_name(ISO_HOOK_CREATE_RUNTIME), "createRuntime");
	assert_string_equal(iso_hook_kind_name(ISO_HOOK_CREATE_CONTAINER), "createContainer");
	assert_string_equal(iso_hook_kind_name(ISO_HOOK_START_CONTAINER), "startContainer");
	assert_string_equal(iso_hook_kind_name(ISO_HOOK_POSTSTART), "poststart");
	assert_string_equal(iso_hook_kind_name(ISO_HOOK_POSTSTOP), "poststop");
	assert_null(iso_hook_kind_name(ISO_HOOK_KINDS));
	assert_null(iso_hook_kind_name((enum iso_hook_kind)-1));
}

/* args[0] as given, args NULL as {path}, env NULL as no environment at
 * all (the test's own variables must not reach the hook), in order. */
static void hooks_run_in_order_with_their_args_and_env(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *log = tmp_path(t, "log");
	cleanup_free char *script = logging_script(t, log);
	char *args1[] = { "zero-1", script, "a", NULL }, *env1[] = { "WHO=one", NULL };
	char *args3[] = { "zero-3", script, NULL }, *env2[] = { "WHO=two", NULL };
	struct iso_hook hooks[] = {
		{ .path = "/bin/sh", .args = args1, .env = env1 },
		{ .path = script, .env = env2 },
		{ .path = "/bin/sh", .args = args3 },
	};
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("zero-1 %s a | WHO=one \n"
					    "/bin/sh %s | WHO=two \n"
					    "zero-3 %s | \n", script, script, script);
	cleanup_free char *got = NULL;

	assert_int_equal(setenv("ISOLATE_UNIT_HOOK_MARK", "leaked", 1), 0);
	assert_int_equal(iso_hooks_run(hooks, 3, "{}", "prestart", &err), 0);
	unsetenv("ISOLATE_UNIT_HOOK_MARK");
	got = read_text(log);
	assert_string_equal(got, want);
}

/* The first failure stops the list: later hooks do not run. */
static void a_failing_hook_stops_the_rest(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *mark = tmp_path(t, "ran");
	cleanup_free char *touch = xasprintf(": > %s", mark);
	struct iso_hook hooks[] = { sh_hook("exit 1", 0), sh_hook(touch, 0) };
	struct iso_error err = { 0 };

	assert_int_equal(iso_hooks_run(hooks, 2, NULL, "createRuntime", &err), -1);
	assert_string_equal(err.msg, "createRuntime hook /bin/sh: exited with status 1");
	assert_int_equal(access(mark, F_OK), -1);
	iso_hook_clear(&hooks[0]);
	iso_hook_clear(&hooks[1]);
}

static void state_reaches_the_hook_on_stdin(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *out = tmp_path(t, "state");
	cleanup_free char *cmd = xasprintf("/bin/cat > %s", out);
	struct iso_hook hook = sh_hook(cmd, 0);
	const char *json = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"created\","
			   "\"pid\":42,\"bundle\":\"/b\"}";
	struct iso_error err = { 0 };
	cleanup_free char *got = NULL;

	assert_int_equal(iso_hook_run(&hook, json, "createRuntime", &err), 0);
	got = read_text(out);
	assert_string_equal(got, json);
	iso_hook_clear(&hook);
}

/* With the runtime's fd 0 closed, the pipe is made on fd 0 and must not
 * keep its close-on-exec flag in the hook. */
static void state_reaches_the_hook_when_our_stdin_is_closed(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *out = tmp_path(t, "state");
	cleanup_free char *cmd = xasprintf("/bin/cat > %s", out);
	struct iso_hook hook = sh_hook(cmd, 0);
	struct iso_error err = { 0 };
	int saved = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	cleanup_free char *got = NULL;
	int r;

	assert_true(saved >= 0);
	close(STDIN_FILENO);
	r = iso_hook_run(&hook, "{\"id\":\"c2\"}", "poststart", &err);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	assert_int_equal(r, 0);
	got = read_text(out);
	assert_string_equal(got, "{\"id\":\"c2\"}");
	iso_hook_clear(&hook);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* No child of ours is left: neither running nor a zombie. */
static void assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void a_hook_past_its_timeout_is_killed(void **state)
{
	char *args[] = { "sleep", "30", NULL };
	struct iso_hook hook = { .path = "/bin/sleep", .args = args, .timeout = 1 };
	struct iso_error err = { 0 };
	struct timespec start;
	double took;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(iso_hook_run(&hook, "{}", "prestart", &err), -1);
	took = seconds_since(&start);
	assert_string_equal(err.msg, "prestart hook /bin/sleep: timed out after 1 s");
	assert_true(took >= 0.9 && took < 10);
	assert_no_children();
}

static void a_hook_within_its_timeout_succeeds(void **state)
{
	struct iso_hook hook = sh_hook("exit 0", 5);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_hook_run(&hook, "{}", "poststart", &err), 0);
	assert_no_children();
	iso_hook_clear(&hook);
}

static void non_zero_status_is_an_error(void **state)
{
	struct iso_hook hook = sh_hook("exit 3", 0);
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(iso_hook_run(&hook, "{}", "createContainer", &err), -1);
	assert_string_equal(err.msg, "createContainer hook /bin/sh: exited with status 3");
	assert_int_equal(err.status, ISO_EXIT_RUNTIME);
	iso_hook_clear(&hook);
}

/* The runtime blocks SIGTERM and ignores SIGINT here: the hook must get
 * neither the mask nor the disposition, or it would live through its own
 * kill and exit 0. */
static void a_hook_starts_with_default_signals(void **state)
{
	struct iso_hook term = sh_hook("kill -TERM $$; exit 0", 0);
	struct iso_hook intr = sh_hook("kill -INT $$; exit 0", 0);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int;
	struct iso_error err_term = { 0 }, err_int = { 0 };
	sigset_t block, old_mask;
	int r_term, r_int;

	(void)state;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);
	assert_int_equal(sigaction(SIGINT, &ign, &old_int), 0);
	r_term = iso_hook_run(&term, "{}", "poststop", &err_term);
	r_int = iso_hook_run(&intr, "{}", "poststop", &err_int);
	sigaction(SIGINT, &old_int, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	assert_int_equal(r_term, -1);
	assert_string_equal(err_term.msg, "poststop hook /bin/sh: killed by SIGTERM");
	assert_int_equal(r_int, -1);
	assert_string_equal(err_int.msg, "poststop hook /bin/sh: killed by SIGINT");
	iso_hook_clear(&term);
	iso_hook_clear(&intr);
}

static void a_missing_hook_is_an_exec_error(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_path(t, "missing");
	cleanup_free char *want = xasprintf("poststart hook %s: exec: No such file or directory",
					    path);
	struct iso_hook hook = { .path = path };
	struct iso_error err = { 0 };

	assert_int_equal(iso_hook_run(&hook, "{}", "poststart", &err), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.errnum, ENOENT);
	assert_no_children();
}

static void a_hook_that_is_not_executable_is_an_exec_error(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *path = tmp_file(t, "plain", "#!/bin/sh\nexit 0\n");
	cleanup_free char *want = xasprintf("startContainer hook %s: exec: Permission denied", path);
	struct iso_hook hook = { .path = path };
	struct iso_error err = { 0 };

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(iso_hook_run(&hook, "{}", "startContainer", &err), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.errnum, EACCES);
}

/* 1 MiB: far more than a pipe holds. */
static char *big_state(void)
{
	size_t n = 1 << 20;
	char *s = xmalloc(n + 1);

	memset(s, ' ', n);
	s[0] = '{';
	s[n - 1] = '}';
	s[n] = '\0';
	return s;
}

/* A hook that never reads its stdin, ending at once or after a while
 * with the pipe full: neither blocks the runtime, nor kills it with
 * SIGPIPE (left at its default here), nor leaves a SIGPIPE pending. */
static void a_hook_that_does_not_read_a_big_state_does_not_block(void **state)
{
	cleanup_free char *json = big_state();
	struct iso_hook quick = sh_hook("exit 0", 0);
	struct iso_hook slow = sh_hook("/bin/sleep 0.3; exit 0", 0);
	struct iso_error err = { 0 };
	sigset_t pending;

	(void)state;
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(iso_hook_run(&quick, json, "prestart", &err), 0);
	assert_int_equal(iso_hook_run(&slow, json, "prestart", &err), 0);
	assert_int_equal(sigpending(&pending), 0);
	assert_false(sigismember(&pending, SIGPIPE));
	iso_hook_clear(&quick);
	iso_hook_clear(&slow);
}

/* A hook that reads all of a big state gets all of it. */
static void a_big_state_arrives_whole(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *json = big_state();
	cleanup_free char *out = tmp_path(t, "state");
	cleanup_free char *cmd = xasprintf("/bin/sleep 0.1; /bin/cat > %s", out);
	struct iso_hook hook = sh_hook(cmd, 0);
	struct iso_error err = { 0 };
	cleanup_free char *got = NULL;

	assert_int_equal(iso_hook_run(&hook, json, "prestart", &err), 0);
	got = read_text(out);
	assert_string_equal(got, json);
	iso_hook_clear(&hook);
}

/* The hook sees fds 0, 1 and 2 and nothing of the runtime's: ls, exec'd
 * by the hook, lists its own fds (3 being the one it lists them with).
 * The test process's inherited fds are made CLOEXEC in main(). */
static void no_fd_of_the_runtime_reaches_the_hook(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *out = tmp_path(t, "fds");
	cleanup_free char *cmd = xasprintf("exec /bin/ls /proc/self/fd > %s", out);
	struct iso_hook hook = sh_hook(cmd, 0);
	struct iso_error err = { 0 };
	cleanup_free char *got = NULL;

	assert_int_equal(iso_hook_run(&hook, "{}", "poststart", &err), 0);
	got = read_text(out);
	assert_string_equal(got, "0\n1\n2\n3\n");
	iso_hook_clear(&hook);
}

/* The hook is waited for by its pid: another child of the caller's that
 * ends meanwhile is left for the caller to reap. */
static void another_child_is_not_reaped(void **state)
{
	struct iso_hook hook = sh_hook("/bin/sleep 0.2", 0);
	struct iso_error err = { 0 };
	pid_t other = fork();
	int status;

	(void)state;
	assert_true(other >= 0);
	if (other == 0)
		_exit(7);
	assert_int_equal(iso_hook_run(&hook, "{}", "poststart", &err), 0);
	assert_int_equal(waitpid(other, &status, 0), other);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	iso_hook_clear(&hook);
}

/* In a child whose seccomp filter refuses pidfd_open (as an old kernel
 * would), hooks are still waited for, timed out, and fed. */
static int without_pidfd(void)
{
	cleanup_free char *json = big_state();
	struct iso_hook fails = sh_hook("/bin/sleep 0.1; exit 4", 0);
	struct iso_hook sleeps = sh_hook("exec /bin/sleep 30", 1);
	struct iso_error err = { 0 };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (ctx == NULL || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) < 0 ||
	    seccomp_load(ctx) < 0 || syscall(SYS_pidfd_open, getpid(), 0) >= 0 || errno != ENOSYS)
		return 10;
	seccomp_release(ctx);
	if (iso_hook_run(&fails, json, "prestart", &err) != -1 ||
	    strcmp(err.msg, "prestart hook /bin/sh: exited with status 4") != 0)
		return 11;
	if (iso_hook_run(&sleeps, json, "prestart", &err) != -1 ||
	    strcmp(err.msg, "prestart hook /bin/sh: timed out after 1 s") != 0)
		return 12;
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 13;
	iso_hook_clear(&fails);
	iso_hook_clear(&sleeps);
	return 0;
}

static void hooks_run_without_pidfd(void **state)
{
	pid_t pid = fork();
	int status;

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(without_pidfd());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_names),
		cmocka_unit_test_setup_teardown(hooks_run_in_order_with_their_args_and_env,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(a_failing_hook_stops_the_rest, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(state_reaches_the_hook_on_stdin, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(state_reaches_the_hook_when_our_stdin_is_closed,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(a_hook_past_its_timeout_is_killed),
		cmocka_unit_test(a_hook_within_its_timeout_succeeds),
		cmocka_unit_test(non_zero_status_is_an_error),
		cmocka_unit_test(a_hook_starts_with_default_signals),
		cmocka_unit_test_setup_teardown(a_missing_hook_is_an_exec_error, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(a_hook_that_is_not_executable_is_an_exec_error,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(a_hook_that_does_not_read_a_big_state_does_not_block),
		cmocka_unit_test_setup_teardown(a_big_state_arrives_whole, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(no_fd_of_the_runtime_reaches_the_hook, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test(another_child_is_not_reaped),
		cmocka_unit_test(hooks_run_without_pidfd),
	};

	/* what this process inherited (a make jobserver's pipes) is not the
	 * runtime's to leak: it must not be counted against it */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
