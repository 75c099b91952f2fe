/* --init: a small PID 1 built into isolate.  A command run as PID 1 of a
 * PID namespace gets no default signal actions (the kernel protects a
 * namespace's init) and inherits every orphan; this init takes both jobs:
 * it passes signals on to the command and reaps whatever exits. */
#ifndef ISOLATE_INIT_H
#define ISOLATE_INIT_H

#include <sys/types.h>

/* Waits for CHILD while forwarding signals and reaping zombies; returns
 * CHILD's exit status in shell form (128+N for a signal).  The caller
 * must have blocked the forwarded signals and SIGCHLD. */
int iso_init_wait(pid_t child);

#endif
