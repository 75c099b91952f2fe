/* Files of isolate-oci's state directory and its console socket. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/capability.h>

#include "log.h"
#include "oci_int.h"
#include "rmtree.h"
#include "util.h"

int iso_oci_write_file(int dirfd, const char *name, const char *text, mode_t mode,
		       struct iso_error *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp", name);
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
				      mode);

	if (fd < 0)
		return iso_error_set(err, errno, "create %s", name);
	if (write_all(fd, text, strlen(text)) < 0)
		return iso_error_set(err, errno, "write %s", name);
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		return iso_error_set(err, errno, "rename %s", name);
	return 0;
}

void iso_oci_remove_dir(const char *root, const char *id)
{
	cleanup_free char *dir = xasprintf("%s/%s", root, id);
	struct iso_error err;

	if (iso_rmtree(dir, NULL, &err) < 0)
		iso_log(ISO_LOG_WARN, "%s", err.msg);
}

int iso_oci_connect_console(const char *socket_path, struct iso_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int sock = -1;

	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return iso_error_set(err, 0, "console socket %s: path too long", socket_path);
	strcpy(addr.sun_path, socket_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return iso_error_set(err, errno, "socket for the console socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return iso_error_set(err, errno, "connect to the console socket %s", socket_path);
	return steal_fd(&sock);
}

int iso_oci_send_console(int sock, int master, struct iso_error *err)
{
	/* the payload is the terminal's name, as runc sends it */
	char name[] = "/dev/ptmx";
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return iso_error_set(err, errno, "send the terminal to the console socket");
	return 0;
}

void iso_oci_fix_ambient(struct iso_process *p)
{
	char names[1024] = "";
	size_t len = 0;
	uint64_t lost;

	if (!p->has_caps)
		return;
	lost = p->caps.ambient & ~(p->caps.permitted & p->caps.inheritable);
	if (lost == 0)
		return;
	for (int cap = 0; cap < 64; cap++) {
		char *name;

		if (!(lost & (1ULL << cap)) || (name = cap_to_name((cap_value_t)cap)) == NULL)
			continue;
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? " " : "", name);
		cap_free(name);
	}
	iso_log(ISO_LOG_WARN, "ambient capabilities left out, not being both permitted and "
		"inheritable (as runc does): %s", names);
	p->caps.ambient &= ~lost;
}
