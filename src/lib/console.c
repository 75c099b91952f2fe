#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mount.h"
#include "util.h"

static int bind_console(const char *slave_path, struct iso_error *err)
{
	cleanup_close int mnt = iso_mount_clone(AT_FDCWD, slave_path, false, err);
	cleanup_close int target = -1;

	if (mnt < 0)
		return -1;
	target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return iso_error_set(err, errno, "open /dev/console");
	if (iso_mount_attach(mnt, target) < 0)
		return iso_error_set(err, errno, "bind %s on /dev/console", slave_path);
	return 0;
}

int iso_console_open(int *master, int *slave, bool as_console, struct iso_error *err)
{
	cleanup_close int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	char name[64];

	if (m < 0)
		return iso_error_set(err, errno, "open /dev/ptmx");
	if (unlockpt(m) < 0)
		return iso_error_set(err, errno, "unlock the pty");
	if (ptsname_r(m, name, sizeof(name)) != 0)
		return iso_error_set(err, errno, "name the pty");
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return iso_error_set(err, errno, "open %s", name);
	if (as_console && bind_console(name, err) < 0) {
		close(*slave);
		*slave = -1;
		return -1;
	}
	*master = steal_fd(&m);
	return 0;
}

int iso_console_attach(int slave, struct iso_error *err)
{
	if (setsid() < 0)
		return iso_error_set(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return iso_error_set(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return iso_error_set(err, errno, "dup the pty onto fd %d", fd);
	return 0;
}

int iso_tty_make_raw(int fd, struct iso_tty_state *st, struct iso_error *err)
{
	struct termios raw;

	st->fd = fd;
	st->saved = false;
	if (tcgetattr(fd, &st->termios) < 0)
		return errno == ENOTTY || errno == EINVAL ? 0
			: iso_error_set(err, errno, "read the terminal settings");
	raw = st->termios;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return iso_error_set(err, errno, "set the terminal to raw mode");
	st->saved = true;
	return 0;
}

void iso_tty_restore(struct iso_tty_state *st)
{
	if (st->saved) {
		tcsetattr(st->fd, TCSADRAIN, &st->termios);
		st->saved = false;
	}
}

void iso_tty_copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}
