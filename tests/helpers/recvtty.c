/* recvtty SOCKET: the receiving end of an OCI runtime's --console-socket,
 * for the tests (runc has one of the same name and purpose).
 *
 * It listens on the unix socket SOCKET, accepts one connection, receives
 * the pty master the runtime sends with SCM_RIGHTS, prints the name that
 * came with it as the first line ("name: PAYLOAD"), then copies everything
 * read from the master to stdout until end of file or EIO (the last
 * holder of the slave side has gone), and exits 0.  Errors go to stderr
 * with status 1.  The socket file is removed once a connection is in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One message: its bytes as the name, and the fd it carried. */
static int receive_fd(int conn, char *name, size_t name_size)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = name, .iov_len = name_size - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail("recvmsg");
	name[n] = '\0';
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "recvtty: the message carried no file descriptor\n");
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char name[4096], buf[4096];
	int sock, conn, master;

	if (argc != 2) {
		fprintf(stderr, "usage: recvtty SOCKET\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "recvtty: %s: path too long for a unix socket\n", argv[1]);
		return 1;
	}
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail("socket");
	/* listen before the path appears: whoever waits for it may connect */
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail(argv[1]);
	if (listen(sock, 1) < 0)
		return fail("listen");
	do
		conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return fail("accept");
	close(sock);
	unlink(argv[1]);
	master = receive_fd(conn, name, sizeof(name));
	if (master < 0)
		return 1;
	close(conn);
	printf("name: %s\n", name);
	fflush(stdout);
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno == EIO))
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail("read the terminal");
		}
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return fail("write");
	}
	return 0;
}
