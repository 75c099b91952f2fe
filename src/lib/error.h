/* Errors are values: a failing library call fills one iso_error with the
 * operation, the object and the system's reason, and returns -1.  Only the
 * CLI prints it, once.  The struct is plain data so that the container's
 * setup process can send it to the parent over the sync channel as is. */
#ifndef ISOLATE_ERROR_H
#define ISOLATE_ERROR_H

#include <stddef.h>

/* docker's exit statuses for failures of the runtime itself */
enum {
	ISO_EXIT_RUNTIME = 125,   /* isolate itself failed */
	ISO_EXIT_CANNOT_EXEC = 126,
	ISO_EXIT_NOT_FOUND = 127,
};

struct iso_error {
	int errnum;               /* errno of the failing call, 0 if none */
	int status;               /* exit status the CLI should use */
	char msg[1024];
};

/* Sets the error: "<fmt>: <strerror(errnum)>", or just "<fmt>" when errnum
 * is 0.  The exit status is ISO_EXIT_RUNTIME.  Always returns -1. */
int iso_error_set(struct iso_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As iso_error_set, with the given exit status. */
int iso_error_set_status(struct iso_error *err, int status, int errnum,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Puts "<fmt>: " in front of the message already there; returns -1. */
int iso_error_prefix(struct iso_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void iso_error_clear(struct iso_error *err);

#endif
