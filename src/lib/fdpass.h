/* An fd handed to another program over a unix socket (SCM_RIGHTS): the
 * pty master to a --console-socket, a seccomp notification fd to its
 * listener. */
#ifndef ISOLATE_FDPASS_H
#define ISOLATE_FDPASS_H

#include "error.h"

/* A stream connection to the unix socket at PATH, close-on-exec. */
int iso_connect_unix(const char *path, struct iso_error *err);

/* FD over SOCK with PAYLOAD (not empty) as the message's bytes. */
int iso_send_fd(int sock, const char *payload, int fd, struct iso_error *err);

#endif
