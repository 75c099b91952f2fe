/* Compiling a seccomp filter (the model in secfilter.h) with libseccomp,
 * caching the program, and loading it. */
#include "secfilter.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

void iso_seccomp_free(struct iso_seccomp *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_rules; i++) {
		strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s->arches);
	free(s->bpf);
	free(s->listener_path);
	free(s->listener_metadata);
	free(s);
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def, const struct iso_seccomp_rule *r,
		    struct iso_error *err)
{
	struct scmp_arg_cmp cmp[6];

	if (r->action == def)
		return 0;       /* libseccomp refuses a rule that changes nothing */
	for (size_t i = 0; i < r->n_args && i < 6; i++)
		cmp[i] = (struct scmp_arg_cmp){ .arg = r->args[i].index, .op = (enum scmp_compare)r->args[i].op,
						.datum_a = r->args[i].value, .datum_b = r->args[i].value_two };
	for (size_t k = 0; r->names[k] != NULL; k++) {
		int nr = seccomp_syscall_resolve_name(r->names[k]);
		int ret;

		/* a name libseccomp does not know (docker's profile names
		 * syscalls of newer kernels) cannot be called here either */
		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add_array(ctx, r->action, nr, (unsigned int)r->n_args, cmp);
		if (ret < 0)
			return iso_error_set(err, -ret, "seccomp: add the rule for %s", r->names[k]);
	}
	return 0;
}

static scmp_filter_ctx build(const struct iso_seccomp *s, struct iso_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(s->default_action);
	int ret;

	if (ctx == NULL) {
		iso_error_set(err, ENOMEM, "seccomp: make the filter");
		return NULL;
	}
	/* libseccomp would set no_new_privs itself: that is the user's choice
	 * (--security-opt no-new-privileges), a setuid program works without */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (ret < 0)
		iso_error_set(err, -ret, "seccomp: leave no_new_privs alone");
	for (size_t i = 0; i < s->n_arches && ret == 0; i++) {
		ret = seccomp_arch_add(ctx, s->arches[i]);
		if (ret == -EEXIST)
			ret = 0;
		if (ret < 0)
			iso_error_set(err, -ret, "seccomp: add an architecture");
	}
	for (size_t i = 0; i < s->n_rules && ret == 0; i++)
		ret = add_rule(ctx, s->default_action, &s->rules[i], err);
	if (ret < 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* The program as libseccomp writes it, read back from a memfd. */
static int export_program(scmp_filter_ctx ctx, struct iso_seccomp *s, struct iso_error *err)
{
	cleanup_close int fd = memfd_create("isolate-seccomp", MFD_CLOEXEC);
	struct stat st;
	int ret;

	if (fd < 0)
		return iso_error_set(err, errno, "seccomp: memfd_create");
	ret = seccomp_export_bpf(ctx, fd);
	if (ret < 0)
		return iso_error_set(err, -ret, "seccomp: compile the filter");
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0)
		return iso_error_set(err, errno ? errno : EINVAL, "seccomp: the compiled filter");
	s->bpf = xmalloc((size_t)st.st_size);
	if (pread(fd, s->bpf, (size_t)st.st_size, 0) != st.st_size) {
		free(steal_ptr(&s->bpf));
		return iso_error_set(err, errno ? errno : EIO, "seccomp: read the compiled filter");
	}
	s->bpf_len = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

/* Everything the program is made of, as text: the cache's key, kept whole
 * in the cache file so that a hash collision cannot pick another filter. */
static char *describe(const struct iso_seccomp *s)
{
	const struct scmp_version *v = seccomp_version();
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		abort();        /* out of memory, as xmalloc */
	fprintf(f, "isolate-seccomp 1 libseccomp %u.%u.%u\ndefault %" PRIu32 "\n",
		v->major, v->minor, v->micro, s->default_action);
	for (size_t i = 0; i < s->n_arches; i++)
		fprintf(f, "arch %" PRIu32 "\n", s->arches[i]);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct iso_seccomp_rule *r = &s->rules[i];

		fprintf(f, "rule %" PRIu32, r->action);
		for (size_t k = 0; k < r->n_args; k++)
			fprintf(f, " arg %u %d %" PRIu64 " %" PRIu64, r->args[k].index, r->args[k].op,
				r->args[k].value, r->args[k].value_two);
		for (size_t k = 0; r->names[k] != NULL; k++)
			fprintf(f, " %s", r->names[k]);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		abort();
	return out;
}

static uint64_t fnv1a(const char *text)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* A cache file: the description, a NUL, the program. */
static bool read_cache(struct iso_seccomp *s, int dir, const char *name, const char *key)
{
	cleanup_free char *data = NULL;
	struct iso_error ignored;
	size_t len = 0, klen = strlen(key) + 1;

	if (read_file_at(dir, name, &data, &len, &ignored) < 0 || len <= klen ||
	    memcmp(data, key, klen) != 0 || (len - klen) % sizeof(struct sock_filter) != 0)
		return false;
	s->bpf_len = (len - klen) / sizeof(struct sock_filter);
	s->bpf = xmalloc(len - klen);
	memcpy(s->bpf, data + klen, len - klen);
	return true;
}

static void write_cache(const struct iso_seccomp *s, int dir, const char *name, const char *key)
{
	char suffix[13];
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;

	random_hex_id(suffix);
	tmp = xasprintf(".%s.%s", name, suffix);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write_all(fd, key, strlen(key) + 1) < 0 ||
	    write_all(fd, s->bpf, s->bpf_len * sizeof(struct sock_filter)) < 0 ||
	    renameat(dir, tmp, dir, name) < 0)
		unlinkat(dir, tmp, 0);
}

int iso_seccomp_compile(struct iso_seccomp *s, const char *cache_dir, struct iso_error *err)
{
	cleanup_free char *key = NULL;
	cleanup_close int dir = -1;
	char name[32];
	scmp_filter_ctx ctx;
	int ret;

	if (s->bpf != NULL)
		return 0;
	if (cache_dir != NULL) {
		key = describe(s);
		snprintf(name, sizeof(name), "%016" PRIx64 ".bpf", fnv1a(key));
		if (mkdir(cache_dir, 0700) == 0 || errno == EEXIST)
			dir = open(cache_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir >= 0 && read_cache(s, dir, name, key))
			return 0;
	}
	ctx = build(s, err);
	if (ctx == NULL)
		return -1;
	ret = export_program(ctx, s, err);
	seccomp_release(ctx);
	if (ret == 0 && dir >= 0)
		write_cache(s, dir, name, key);
	return ret;
}

int iso_seccomp_apply(const struct iso_seccomp *s, struct iso_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)s->bpf_len, .filter = s->bpf };

	if (s->bpf == NULL || s->bpf_len == 0 || s->bpf_len > BPF_MAXINSNS)
		return iso_error_set(err, EINVAL, "seccomp: the filter was not compiled");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return iso_error_set(err, errno, "seccomp: load the filter");
	return 0;
}

int iso_seccomp_apply_listener(const struct iso_seccomp *s, struct iso_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)s->bpf_len, .filter = s->bpf };
	int fd;

	if (s->bpf == NULL || s->bpf_len == 0 || s->bpf_len > BPF_MAXINSNS)
		return iso_error_set(err, EINVAL, "seccomp: the filter was not compiled");
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0)
		return iso_error_set(err, errno, "seccomp: load the filter with a listener");
	/* the kernel makes it close-on-exec already; said here for the reader */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		close(fd);
		return iso_error_set(err, errno, "seccomp: the listener fd");
	}
	return fd;
}
