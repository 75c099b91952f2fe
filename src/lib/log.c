#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static iso_log_fn log_handler;

void iso_log_set_handler(iso_log_fn fn)
{
	log_handler = fn;
}

void iso_log(enum iso_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (log_handler == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_handler(level, msg);
}
