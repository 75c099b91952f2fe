/* Small helpers shared by the whole library: ownership made visible with
 * cleanup attributes, allocation that cannot fail silently, string vectors,
 * number parsing and path arithmetic. */
#ifndef ISOLATE_UTIL_H
#define ISOLATE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

void iso_freep(void *p);
void iso_closep(int *fd);
void iso_fclosep(FILE **f);
void iso_strv_freep(char ***v);

#define cleanup_free __attribute__((cleanup(iso_freep)))
#define cleanup_close __attribute__((cleanup(iso_closep)))
#define cleanup_file __attribute__((cleanup(iso_fclosep)))
#define cleanup_strv __attribute__((cleanup(iso_strv_freep)))

/* Hands ownership over: the variable is left empty so cleanup skips it. */
static inline int steal_fd(int *fd)
{
	int ret = *fd;

	*fd = -1;
	return ret;
}

static inline void *steal_ptr(void *pp)
{
	void **p = pp;
	void *ret = *p;

	*p = NULL;
	return ret;
}

/* Out of memory is not an error a runtime can recover from: these abort. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors */
size_t strv_len(char *const *v);
void strv_push(char ***v, const char *s);       /* pushes a copy */
void strv_push_owned(char ***v, char *s);       /* takes s */
char **strv_dup(char *const *v);
void strv_free(char **v);

/* Decimal unsigned numbers with full-string and range checks. */
int parse_u32(const char *s, uint32_t *out);

/* True when path equals dir or lies below it ("/a/b" is under "/a", "/ab"
 * is not).  Both must be normalised absolute paths. */
bool path_is_under(const char *path, const char *dir);

/* Collapses "//", "/./" and a trailing "/"; refuses ".." components so that
 * a container path can never be written to climb. Returns NULL on "..". */
char *path_normalize(const char *path);

/* S made safe to print in a message, into OUT (SIZE bytes): control
 * characters become '?', and a long S is cut with "..." at the end. */
void iso_printable(const char *s, char *out, size_t size);

/* A short random hexadecimal id (12 characters), as docker shows ids. */
void random_hex_id(char out[13]);

/* For a process that outlives its caller: stdin, stdout and stderr become
 * /dev/null and every other fd but KEEP is closed, so that it holds none
 * of the caller's pipes, locks or sockets. */
void iso_keep_only_fd(int keep);

/* Writes all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* Reads a whole (small) file into a NUL-terminated buffer. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len,
		 struct iso_error *err);

#endif
