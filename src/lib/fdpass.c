#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

int iso_connect_unix(const char *path, struct iso_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int sock = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return iso_error_set(err, 0, "socket %s: path too long", path);
	strcpy(addr.sun_path, path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return iso_error_set(err, errno, "socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return iso_error_set(err, errno, "connect to %s", path);
	return steal_fd(&sock);
}

int iso_send_fd(int sock, const char *payload, int fd, struct iso_error *err)
{
	struct iovec iov = { .iov_base = (void *)payload, .iov_len = strlen(payload) };
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
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return iso_error_set(err, errno, "send an fd");
	return 0;
}
