/* The listener end of linux.seccomp.listenerPath, for oci-runtime.bats:
 *
 *   seccomp-listener SOCKET STATE_FILE
 *
 * listens on SOCKET, takes one connection, receives the notification fd
 * (SCM_RIGHTS) with the container process state, which it writes to
 * STATE_FILE, then answers every notification as if the call had
 * succeeded (returning 0, doing nothing), until the container's filter is
 * gone.  The test runs `mkdir` under SCMP_ACT_NOTIFY: it "succeeds" and no
 * directory appears. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int receive(int conn, char *buf, size_t size)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.b, .msg_controllen = sizeof(control.b),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	int fd;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void answer(int notify)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		perror("seccomp-listener: SECCOMP_GET_NOTIF_SIZES");
		exit(1);
	}
	req = calloc(1, sizes.seccomp_notif);
	resp = calloc(1, sizes.seccomp_notif_resp);
	for (;;) {
		struct pollfd p = { .fd = notify, .events = POLLIN };

		/* the filter's last user gone: POLLHUP (RECV may block on
		 * older kernels rather than fail) */
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		if ((p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN))
			break;
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(notify, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR)
				continue;
			break;  /* ENOENT: the filter's last user is gone */
		}
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		resp->val = 0;
		resp->error = 0;
		ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	free(req);
	free(resp);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536];
	int sock, conn, notify;
	FILE *out;

	if (argc != 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: seccomp-listener SOCKET STATE_FILE\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0) {
		perror("seccomp-listener: listen");
		return 1;
	}
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0 || (notify = receive(conn, buf, sizeof(buf))) < 0) {
		fprintf(stderr, "seccomp-listener: no fd received\n");
		return 1;
	}
	out = fopen(argv[2], "w");
	if (out == NULL || fprintf(out, "%s\n", buf) < 0 || fclose(out) != 0) {
		perror("seccomp-listener: write the state");
		return 1;
	}
	answer(notify);
	unlink(argv[1]);
	return 0;
}
