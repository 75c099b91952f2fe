#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

void iso_freep(void *p)
{
	free(*(void **)p);
}

void iso_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

void iso_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

void iso_strv_freep(char ***v)
{
	strv_free(*v);
}

static void *check_alloc(void *p)
{
	if (p == NULL) {
		static const char msg[] = "isolate: out of memory\n";

		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		abort();
	}
	return p;
}

void *xmalloc(size_t size)
{
	return check_alloc(malloc(size ? size : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
	return check_alloc(realloc(ptr, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return check_alloc(strndup(s, n));
}

char *xasprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return check_alloc(n < 0 ? NULL : s);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

void strv_push_owned(char ***v, char *s)
{
	size_t n = strv_len(*v);

	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

void strv_push(char ***v, const char *s)
{
	strv_push_owned(v, xstrdup(s));
}

char **strv_dup(char *const *v)
{
	char **out = xcalloc(strv_len(v) + 1, sizeof(char *));

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

char *path_normalize(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t o = 0;
	const char *p = path;

	out[o++] = '/';
	while (*p != '\0') {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	return out;
}

void random_hex_id(char out[13])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[6];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		/* getrandom cannot fail for 6 bytes once the pool is up; fall
		 * back to something unique enough for a hostname. */
		unsigned long v = (unsigned long)getpid() ^ (unsigned long)&raw;

		memcpy(raw, &v, sizeof(raw));
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[12] = '\0';
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len,
		 struct iso_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t size = 0, cap = 0;

	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	for (;;) {
		ssize_t n;

		if (cap - size < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return iso_error_set(err, errno, "read %s", path);
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	buf[size] = '\0';
	if (len != NULL)
		*len = size;
	*out = steal_ptr(&buf);
	return 0;
}

void iso_keep_only_fd(int keep)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range((unsigned)keep + 1, ~0U, 0);
}

void iso_printable(const char *s, char *out, size_t size)
{
	size_t i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < size; s++, i++)
		out[i] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	out[i] = '\0';
	if (s != NULL && *s != '\0' && size > 4)
		memcpy(out + size - 4, "...", 4);
}
