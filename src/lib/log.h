/* Warnings and notes from the library reach the user through one handler
 * that the CLI installs; the library never writes to stderr itself. */
#ifndef ISOLATE_LOG_H
#define ISOLATE_LOG_H

enum iso_log_level { ISO_LOG_DEBUG, ISO_LOG_NOTE, ISO_LOG_WARN };

typedef void (*iso_log_fn)(enum iso_log_level level, const char *msg);

void iso_log_set_handler(iso_log_fn fn);
void iso_log(enum iso_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
