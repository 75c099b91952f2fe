/* The channel between the parent and the container's setup process: a
 * SOCK_SEQPACKET socketpair, so that every message arrives whole, errors
 * travel back as values, and a file descriptor (the pty master) can ride
 * along.  Both ends are close-on-exec: the parent learns that the command
 * was executed when it reads end-of-file. */
#ifndef ISOLATE_SYNC_H
#define ISOLATE_SYNC_H

#include <stdint.h>

#include "error.h"

enum iso_sync_type {
	ISO_SYNC_GO = 1,        /* parent -> child: namespaces are ready */
	ISO_SYNC_ERROR,         /* child -> parent: setup failed, see error */
	ISO_SYNC_PTY,           /* child -> parent: the pty master, as an fd */
	ISO_SYNC_PTY_ACK,       /* parent -> child: window size set */
	ISO_SYNC_READY,         /* child -> parent: set up, waiting for start (OCI create) */
};

struct iso_sync_msg {
	uint32_t type;
	struct iso_error error;
};

/* fds[0] for the parent, fds[1] for the child. */
int iso_sync_open(int fds[2], struct iso_error *err);

/* Sends a message, with fd attached when fd >= 0. */
int iso_sync_send(int sock, uint32_t type, const struct iso_error *error, int fd,
		  struct iso_error *err);

/* Receives one message.  Returns 1 with *msg filled (and *fd when one came
 * along, else -1), 0 on end-of-file, -1 on error. */
int iso_sync_recv(int sock, struct iso_sync_msg *msg, int *fd, struct iso_error *err);

/* Receives a message and checks it is of the expected type. */
int iso_sync_expect(int sock, uint32_t type, struct iso_error *err);

#endif
