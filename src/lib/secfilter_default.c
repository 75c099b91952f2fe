/* docker's default seccomp profile (moby's profiles/seccomp/default.json),
 * as the rules that can apply on x86: everything a program needs is
 * allowed, the rest returns EPERM; what needs a capability is allowed only
 * with it; clone may not make namespaces and clone3 returns ENOSYS (so that
 * the C library falls back to clone) unless the container has
 * CAP_SYS_ADMIN. */
#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>

#include "secfilter.h"
#include "util.h"

static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset",
	"chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
	"dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
	"epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
	"execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown",
	"fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
	"fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
	"fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64", "futex_waitv",
	"futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
	"geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
	"getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
	"getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
	"getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid",
	"gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup",
	"io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
	"lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
	"memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
	"mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
	"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
	"mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
	"munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect",
	"open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
	"pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
	"pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
	"rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
	"sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select",
	"semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
	"sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid",
	"setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid",
	"setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
	"setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid",
	"setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr",
	"shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
	"sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64",
	"statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
	"sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
	"timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
	"timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
	"tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
	"utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
	"waitpid", "write", "writev",
	/* with a kernel of 4.8 or later, which isolate needs anyway */
	"process_vm_readv", "process_vm_writev", "ptrace",
	/* x86 only */
	"arch_prctl", "modify_ldt", NULL,
};

#define NONE (-1)

/* Allowed only with a capability. */
static const struct {
	int cap;
	const char *names[24];
} with_cap[] = {
	{ CAP_DAC_READ_SEARCH, { "open_by_handle_at" } },
	{ CAP_SYS_ADMIN, { "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
			   "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
			   "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname",
			   "sethostname", "setns", "syslog", "umount", "umount2", "unshare" } },
	{ CAP_SYS_BOOT, { "reboot" } },
	{ CAP_SYS_CHROOT, { "chroot" } },
	{ CAP_SYS_MODULE, { "delete_module", "init_module", "finit_module" } },
	{ CAP_SYS_PACCT, { "acct" } },
	{ CAP_SYS_PTRACE, { "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
			    "process_vm_writev", "ptrace" } },
	{ CAP_SYS_RAWIO, { "iopl", "ioperm" } },
	{ CAP_SYS_TIME, { "settimeofday", "stime", "clock_settime", "clock_settime64" } },
	{ CAP_SYS_TTY_CONFIG, { "vhangup" } },
	{ CAP_SYS_NICE, { "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node" } },
	{ CAP_SYSLOG, { "syslog" } },
	{ CAP_BPF, { "bpf" } },
	{ CAP_PERFMON, { "perf_event_open" } },
};

/* The namespace flags of clone(2): CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC,
 * NEWUSER, NEWPID, NEWNET (docker's 2114060288). */
#define NS_FLAGS 0x7E020000ULL

static struct iso_seccomp_rule *add(struct iso_seccomp *s, uint32_t action)
{
	struct iso_seccomp_rule *r;

	s->rules = xrealloc(s->rules, (s->n_rules + 1) * sizeof(*s->rules));
	r = &s->rules[s->n_rules++];
	*r = (struct iso_seccomp_rule){ .names = xcalloc(1, sizeof(char *)), .action = action };
	return r;
}

static void add_arg(struct iso_seccomp_rule *r, unsigned int index, int op, uint64_t a, uint64_t b)
{
	r->args = xrealloc(r->args, (r->n_args + 1) * sizeof(*r->args));
	r->args[r->n_args++] = (struct iso_seccomp_arg){ .index = index, .op = op, .value = a, .value_two = b };
}

static bool has(uint64_t caps, int cap)
{
	return (caps & (1ULL << cap)) != 0;
}

struct iso_seccomp *iso_seccomp_docker_default(uint64_t caps)
{
	static const uint64_t personalities[] = { 0, 8, 131072, 131080, 4294967295ULL };
	struct iso_seccomp *s = xcalloc(1, sizeof(*s));
	struct iso_seccomp_rule *r;

	s->default_action = SCMP_ACT_ERRNO(EPERM);
	s->arches = xcalloc(2, sizeof(uint32_t));
	s->arches[s->n_arches++] = SCMP_ARCH_X86;
	s->arches[s->n_arches++] = SCMP_ARCH_X32;
	r = add(s, SCMP_ACT_ALLOW);
	for (size_t i = 0; allowed[i] != NULL; i++)
		strv_push(&r->names, allowed[i]);
	for (size_t i = 0; i < sizeof(with_cap) / sizeof(with_cap[0]); i++) {
		if (!has(caps, with_cap[i].cap))
			continue;
		r = add(s, SCMP_ACT_ALLOW);
		for (size_t k = 0; k < 24 && with_cap[i].names[k] != NULL; k++)
			strv_push(&r->names, with_cap[i].names[k]);
	}
	/* socket: anything but AF_VSOCK (40) */
	r = add(s, SCMP_ACT_ALLOW);
	strv_push(&r->names, "socket");
	add_arg(r, 0, SCMP_CMP_NE, 40, 0);
	/* personality: Linux, with UNAME26 and/or PER_LINUX32, or a query */
	for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++) {
		r = add(s, SCMP_ACT_ALLOW);
		strv_push(&r->names, "personality");
		add_arg(r, 0, SCMP_CMP_EQ, personalities[i], 0);
	}
	if (!has(caps, CAP_SYS_ADMIN)) {
		r = add(s, SCMP_ACT_ALLOW);
		strv_push(&r->names, "clone");
		add_arg(r, 0, SCMP_CMP_MASKED_EQ, NS_FLAGS, 0);
		r = add(s, SCMP_ACT_ERRNO(ENOSYS));
		strv_push(&r->names, "clone3");
	}
	return s;
}
