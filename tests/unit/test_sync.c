/* sync.h: the parent/child channel: whole messages, errors as values,
 * a file descriptor along, end-of-file when the other side is gone. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <sys/socket.h>

#include "sync.h"

struct chan {
	int fds[2];
	struct tmpdir *dir;
};

static void close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int chan_teardown(void **state)
{
	struct chan *c = *state;

	close_end(&c->fds[0]);
	close_end(&c->fds[1]);
	*state = c->dir;
	free(c);
	return tmpdir_teardown(state);
}

static int chan_setup(void **state)
{
	struct chan *c = xcalloc(1, sizeof(*c));
	struct iso_error err = { 0 };

	if (tmpdir_setup(state) < 0) {
		free(c);
		return -1;
	}
	c->dir = *state;
	*state = c;
	if (iso_sync_open(c->fds, &err) < 0) {
		c->fds[0] = c->fds[1] = -1;
		chan_teardown(state);
		return -1;
	}
	return 0;
}

static void assert_same_file(int a, int b)
{
	struct stat sa, sb;

	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	assert_int_equal(sa.st_dev, sb.st_dev);
	assert_int_equal(sa.st_ino, sb.st_ino);
}

static size_t open_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void open_gives_a_seqpacket_pair_closed_on_exec(void **state)
{
	struct chan *c = *state;
	int type = 0;
	socklen_t len = sizeof(type);

	for (int i = 0; i < 2; i++) {
		assert_true(c->fds[i] >= 0);
		assert_true(fcntl(c->fds[i], F_GETFD) & FD_CLOEXEC);
	}
	assert_int_equal(getsockopt(c->fds[0], SOL_SOCKET, SO_TYPE, &type, &len), 0);
	assert_int_equal(type, SOCK_SEQPACKET);
}

static void an_error_travels_whole(void **state)
{
	struct chan *c = *state;
	struct iso_error sent = { 0 }, err = { 0 };
	struct iso_sync_msg msg;
	int fd = 99;

	iso_error_set_status(&sent, ISO_EXIT_NOT_FOUND, ENOENT, "exec %s", "/bin/nope");
	assert_int_equal(iso_sync_send(c->fds[1], ISO_SYNC_ERROR, &sent, -1, &err), 0);
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, &fd, &err), 1);
	assert_int_equal(msg.type, ISO_SYNC_ERROR);
	assert_int_equal(msg.error.status, ISO_EXIT_NOT_FOUND);
	assert_int_equal(msg.error.errnum, ENOENT);
	assert_string_equal(msg.error.msg, "exec /bin/nope: No such file or directory");
	assert_int_equal(fd, -1);
}

static void a_message_without_error_carries_an_empty_one(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };
	struct iso_sync_msg msg;

	memset(&msg, 'x', sizeof(msg));
	assert_int_equal(iso_sync_send(c->fds[0], ISO_SYNC_GO, NULL, -1, &err), 0);
	assert_int_equal(iso_sync_recv(c->fds[1], &msg, NULL, &err), 1);
	assert_int_equal(msg.type, ISO_SYNC_GO);
	assert_int_equal(msg.error.errnum, 0);
	assert_int_equal(msg.error.status, 0);
	assert_string_equal(msg.error.msg, "");
}

static void messages_arrive_in_order(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };
	struct iso_sync_msg msg;

	assert_int_equal(iso_sync_send(c->fds[0], ISO_SYNC_GO, NULL, -1, &err), 0);
	assert_int_equal(iso_sync_send(c->fds[0], ISO_SYNC_PTY_ACK, NULL, -1, &err), 0);
	assert_int_equal(iso_sync_recv(c->fds[1], &msg, NULL, &err), 1);
	assert_int_equal(msg.type, ISO_SYNC_GO);
	assert_int_equal(iso_sync_recv(c->fds[1], &msg, NULL, &err), 1);
	assert_int_equal(msg.type, ISO_SYNC_PTY_ACK);
}

static void a_file_descriptor_rides_along(void **state)
{
	struct chan *c = *state;
	cleanup_free char *path = tmp_file(c->dir, "pty", "master");
	cleanup_close int file = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_close int got = -1;
	struct iso_error err = { 0 };
	struct iso_sync_msg msg;

	assert_true(file >= 0);
	assert_int_equal(iso_sync_send(c->fds[1], ISO_SYNC_PTY, NULL, file, &err), 0);
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, &got, &err), 1);
	assert_int_equal(msg.type, ISO_SYNC_PTY);
	assert_true(got >= 0);
	assert_int_not_equal(got, file);
	assert_same_file(got, file);
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
}

static void recv_returns_0_once_the_peer_closed(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };
	struct iso_sync_msg msg;
	int fd = 99;

	assert_int_equal(iso_sync_send(c->fds[1], ISO_SYNC_GO, NULL, -1, &err), 0);
	close_end(&c->fds[1]);
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, &fd, &err), 1);
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, &fd, &err), 0);
	assert_int_equal(fd, -1);
}

static void recv_refuses_a_short_message(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };
	struct iso_sync_msg msg;

	assert_int_equal(send(c->fds[1], "abc", 3, 0), 3);
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, NULL, &err), -1);
	assert_string_equal(err.msg, "sync channel: short message (3 bytes)");
}

/* Sends LEN bytes of BUF with FD attached, bypassing iso_sync_send. */
static void send_raw(int sock, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(&control, 0, sizeof(control));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)len);
}

static void recv_closes_the_fd_of_a_short_message(void **state)
{
	struct chan *c = *state;
	cleanup_free char *path = tmp_file(c->dir, "f", "");
	cleanup_close int file = open(path, O_RDONLY | O_CLOEXEC);
	struct iso_error err = { 0 };
	struct iso_sync_msg msg;
	size_t before;
	int fd = 99;

	assert_true(file >= 0);
	before = open_fd_count();
	send_raw(c->fds[1], "abc", 3, file);
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, &fd, &err), -1);
	assert_string_equal(err.msg, "sync channel: short message (3 bytes)");
	assert_int_equal(fd, -1);
	assert_int_equal(open_fd_count(), before);
}

static void recv_terminates_the_error_message(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };
	struct iso_sync_msg raw, msg;

	memset(&raw, 'x', sizeof(raw));
	raw.type = ISO_SYNC_ERROR;
	assert_int_equal(send(c->fds[1], &raw, sizeof(raw), 0), (ssize_t)sizeof(raw));
	assert_int_equal(iso_sync_recv(c->fds[0], &msg, NULL, &err), 1);
	assert_int_equal(strlen(msg.error.msg), sizeof(msg.error.msg) - 1);
}

static void send_to_a_closed_peer_is_an_error(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };

	close_end(&c->fds[0]);
	assert_int_equal(iso_sync_send(c->fds[1], ISO_SYNC_GO, NULL, -1, &err), -1);
	assert_int_equal(err.errnum, EPIPE);
	assert_string_equal(err.msg, "send on the sync channel: Broken pipe");
}

static void expect_accepts_the_expected_type(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_sync_send(c->fds[0], ISO_SYNC_GO, NULL, -1, &err), 0);
	assert_int_equal(iso_sync_expect(c->fds[1], ISO_SYNC_GO, &err), 0);
}

static void expect_refuses_another_type(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };

	assert_int_equal(iso_sync_send(c->fds[0], ISO_SYNC_PTY_ACK, NULL, -1, &err), 0);
	assert_int_equal(iso_sync_expect(c->fds[1], ISO_SYNC_GO, &err), -1);
	assert_string_equal(err.msg, "sync channel: message 4 where 1 was expected");
}

static void expect_at_end_of_file_is_an_error(void **state)
{
	struct chan *c = *state;
	struct iso_error err = { 0 };

	close_end(&c->fds[0]);
	assert_int_equal(iso_sync_expect(c->fds[1], ISO_SYNC_GO, &err), -1);
	assert_string_equal(err.msg, "sync channel closed by the other side");
}

static void expect_closes_a_descriptor_nobody_asked_for(void **state)
{
	struct chan *c = *state;
	cleanup_free char *path = tmp_file(c->dir, "f", "");
	cleanup_close int file = open(path, O_RDONLY | O_CLOEXEC);
	struct iso_error err = { 0 };
	size_t before;

	assert_true(file >= 0);
	before = open_fd_count();
	assert_int_equal(iso_sync_send(c->fds[0], ISO_SYNC_GO, NULL, file, &err), 0);
	assert_int_equal(iso_sync_expect(c->fds[1], ISO_SYNC_GO, &err), 0);
	assert_int_equal(open_fd_count(), before);
}

#define CHAN_TEST(f) cmocka_unit_test_setup_teardown(f, chan_setup, chan_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CHAN_TEST(open_gives_a_seqpacket_pair_closed_on_exec),
		CHAN_TEST(an_error_travels_whole),
		CHAN_TEST(a_message_without_error_carries_an_empty_one),
		CHAN_TEST(messages_arrive_in_order),
		CHAN_TEST(a_file_descriptor_rides_along),
		CHAN_TEST(recv_returns_0_once_the_peer_closed),
		CHAN_TEST(recv_refuses_a_short_message),
		CHAN_TEST(recv_closes_the_fd_of_a_short_message),
		CHAN_TEST(recv_terminates_the_error_message),
		CHAN_TEST(send_to_a_closed_peer_is_an_error),
		CHAN_TEST(expect_accepts_the_expected_type),
		CHAN_TEST(expect_refuses_another_type),
		CHAN_TEST(expect_at_end_of_file_is_an_error),
		CHAN_TEST(expect_closes_a_descriptor_nobody_asked_for),
	};

	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
