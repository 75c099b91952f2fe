#include "init.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "signals.h"

static int shell_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/* Reaps every exited child; returns CHILD's status once it is among them,
 * else -1. */
static int reap(pid_t child)
{
	int status = -1, wstatus;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
		if (pid == child)
			status = shell_status(wstatus);
	return status;
}

int iso_init_wait(pid_t child)
{
	sigset_t set;

	iso_signals_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info), status;

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return 125;
		}
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		status = reap(child);
		if (status >= 0)
			return status;
	}
}
