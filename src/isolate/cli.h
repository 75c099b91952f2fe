/* The person-facing CLI: each command parses its flags into a spec and
 * hands it to libisolate; only this layer prints. */
#ifndef ISOLATE_CLI_H
#define ISOLATE_CLI_H

#include "error.h"

/* Prints "isolate: <message>" on stderr. */
void cli_print_error(const struct iso_error *err);

/* Prints "isolate: <fmt>", a usage line and a pointer to --help; returns
 * the usage-error exit status (125, as docker). */
int cli_usage_error(const char *usage, const char *help_cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int cmd_run(int argc, char **argv);
int cmd_network(int argc, char **argv);

#endif
