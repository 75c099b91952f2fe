#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int error_vset(struct iso_error *err, int status, int errnum,
		      const char *fmt, va_list ap)
{
	int n;

	err->errnum = errnum;
	err->status = status;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (errnum != 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

int iso_error_set(struct iso_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, ISO_EXIT_RUNTIME, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int iso_error_set_status(struct iso_error *err, int status, int errnum,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int iso_error_prefix(struct iso_error *err, const char *fmt, ...)
{
	char joined[sizeof(err->msg) * 2];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(joined, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	snprintf(joined + n, sizeof(joined) - n, ": %s", err->msg);
	memcpy(err->msg, joined, sizeof(err->msg) - 1);
	err->msg[sizeof(err->msg) - 1] = '\0';
	return -1;
}

void iso_error_clear(struct iso_error *err)
{
	memset(err, 0, sizeof(*err));
}
