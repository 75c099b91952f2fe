/* The container's seccomp filter: docker's default profile, or a profile
 * in docker's JSON format, reduced (includes/excludes of capabilities,
 * architectures and kernels) to the rules that apply to this container on
 * this machine, compiled to BPF with libseccomp by the runtime (once: the
 * program is kept in a cache under the run directory, since compiling
 * docker's profile for three ABIs takes a dozen milliseconds), and loaded
 * by the container's first process. */
#ifndef ISOLATE_SECFILTER_H
#define ISOLATE_SECFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct iso_seccomp_arg {
	unsigned int index;
	uint64_t value;
	uint64_t value_two;
	int op;                 /* enum scmp_compare */
};

struct iso_seccomp_rule {
	char **names;
	uint32_t action;        /* SCMP_ACT_*, errno included */
	struct iso_seccomp_arg *args;
	size_t n_args;
};

struct sock_filter;

struct iso_seccomp {
	uint32_t default_action;
	uint32_t *arches;       /* SCMP_ARCH_* besides the native one */
	size_t n_arches;
	struct iso_seccomp_rule *rules;
	size_t n_rules;
	/* OCI linux.seccomp.listenerPath: SCMP_ACT_NOTIFY's listener, which
	 * gets the filter's notification fd from the container (NULL: none) */
	char *listener_path;
	char *listener_metadata;
	struct sock_filter *bpf;        /* the compiled program, once compiled */
	size_t bpf_len;                 /* in instructions */
};

void iso_seccomp_free(struct iso_seccomp *s);

/* docker's default profile for a container whose capabilities are CAPS
 * (a rule that needs CAP_SYS_ADMIN, say, only with it). */
struct iso_seccomp *iso_seccomp_docker_default(uint64_t caps);

/* A profile in docker's format (defaultAction, defaultErrnoRet,
 * architectures or archMap, syscalls with names/action/errnoRet/args and
 * includes/excludes), SOURCE naming it in messages.  An unknown syscall
 * name, action, operator or architecture is an error naming it and where
 * it is (syscalls[3].names[1]). */
int iso_seccomp_from_json(const char *text, size_t len, const char *source, uint64_t caps,
			  struct iso_seccomp **out, struct iso_error *err);

/* Compiles S to BPF (S->bpf), from the cache in CACHE_DIR when it holds
 * this very filter (CACHE_DIR NULL: no cache); a cache that cannot be read
 * or written is only not used. */
int iso_seccomp_compile(struct iso_seccomp *s, const char *cache_dir, struct iso_error *err);

/* Loads the compiled filter into the calling process. */
int iso_seccomp_apply(const struct iso_seccomp *s, struct iso_error *err);

/* The same, with a listener: returns the filter's notification fd
 * (SECCOMP_FILTER_FLAG_NEW_LISTENER), close-on-exec. */
int iso_seccomp_apply_listener(const struct iso_seccomp *s, struct iso_error *err);

#endif
