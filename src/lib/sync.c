#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int iso_sync_open(int fds[2], struct iso_error *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return iso_error_set(err, errno, "socketpair for the sync channel");
	return 0;
}

int iso_sync_send(int sock, uint32_t type, const struct iso_error *error, int fd,
		  struct iso_error *err)
{
	struct iso_sync_msg msg = { .type = type };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (error != NULL)
		msg.error = *error;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return iso_error_set(err, errno, "send on the sync channel");
	}
	return 0;
}

static int take_fd(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		return fd;
	}
	return -1;
}

int iso_sync_recv(int sock, struct iso_sync_msg *msg, int *fd, struct iso_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	int passed;

	if (fd != NULL)
		*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return iso_error_set(err, errno, "receive on the sync channel");
	if (n == 0)
		return 0;
	passed = take_fd(&mh);
	if ((size_t)n != sizeof(*msg)) {
		if (passed >= 0)
			close(passed);
		return iso_error_set(err, 0, "sync channel: short message (%zd bytes)", n);
	}
	if (fd != NULL)
		*fd = passed;
	else if (passed >= 0)
		close(passed);
	msg->error.msg[sizeof(msg->error.msg) - 1] = '\0';
	return 1;
}

int iso_sync_expect(int sock, uint32_t type, struct iso_error *err)
{
	struct iso_sync_msg msg;
	int r = iso_sync_recv(sock, &msg, NULL, err);

	if (r < 0)
		return -1;
	if (r == 0)
		return iso_error_set(err, 0, "sync channel closed by the other side");
	if (msg.type != type)
		return iso_error_set(err, 0, "sync channel: message %u where %u was expected",
				     msg.type, type);
	return 0;
}
