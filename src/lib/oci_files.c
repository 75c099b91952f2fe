/* Files of isolate-oci's state directory and its console socket. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/capability.h>

#include "fdpass.h"
#include "jsonutil.h"
#include "sync.h"
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
	int sock = iso_connect_unix(socket_path, err);

	return sock < 0 ? iso_error_prefix(err, "console socket") : sock;
}

int iso_oci_send_console(int sock, int master, struct iso_error *err)
{
	/* the payload is the terminal's name, as runc sends it */
	if (iso_send_fd(sock, "/dev/ptmx", master, err) < 0)
		return iso_error_prefix(err, "console socket: the terminal");
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

int iso_oci_send_go(int sync, const char *state, const char *listener_msg, const char *started,
		    struct iso_error *err)
{
	const char *parts[3] = { state, listener_msg ? listener_msg : "", started ? started : "" };
	cleanup_close int rd = -1;
	cleanup_close int wr = -1;
	size_t len = 0;
	int fds[2];

	for (int i = 0; i < 3; i++)
		len += strlen(parts[i]) + 1;
	/* written whole before the child reads: a pipe holds 64 KiB */
	if (len >= 65536)
		return iso_error_set(err, 0, "the container's state is too large for its hooks");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return iso_error_set(err, errno, "pipe");
	rd = fds[0];
	wr = fds[1];
	for (int i = 0; i < 3; i++)
		if (write_all(wr, parts[i], strlen(parts[i]) + 1) < 0)
			return iso_error_set(err, errno, "write the state for the container");
	close(wr);
	wr = -1;
	return iso_sync_send(sync, ISO_SYNC_GO, NULL, rd, err);
}

char *iso_oci_listener_json(const struct iso_oci_container *c, pid_t pid, const char *metadata)
{
	cleanup_free char *state = iso_oci_container_json(c, false);
	json_t *o = json_pack("{s:s, s:[s], s:i, s:s, s:o}", "ociVersion", ISO_OCI_VERSION,
			      "fds", "seccompFd", "pid", (json_int_t)pid, "metadata", metadata ? metadata : "",
			      "state", json_loads(state, 0, NULL));
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}
