/* isolate run: flags to a spec, then libisolate runs it. */
#include <getopt.h>
#include <pwd.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "devopt.h"
#include "container.h"
#include "env.h"
#include "idmap.h"
#include "netsetup.h"
#include "run_image.h"
#include "state.h"
#include "spec.h"
#include "util.h"
#include "volume.h"

extern char **environ;

static const char run_usage[] =
	"Usage: isolate run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	"       isolate run [OPTIONS] [--rootfs DIR] -- COMMAND [ARG...]";

static const char run_help[] =
	"Usage: isolate run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	"       isolate run [OPTIONS] [--rootfs DIR] -- COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND in new user, mount, PID, network, UTS, IPC and cgroup\n"
	"namespaces.  With IMAGE it sees the image's files through a writable layer\n"
	"of its own (gone with it); with --rootfs it sees only DIR; with \"--\" and\n"
	"no image, a read-only view of the host's root with its own /proc, /dev,\n"
	"/tmp and /run (isolate run -- sh).\n"
	"\n"
	"Image:\n"
	"      --pull POLICY          missing (default): pull if not in the store;\n"
	"                             always; never\n"
	"      --entrypoint CMD       Replace the image's entrypoint (\"\": none)\n"
	"      --platform OS/ARCH     Platform to pull (default: this machine's)\n"
	"      --tls-verify=false     Allow plain HTTP and unverified TLS to pull\n"
	"      --creds USER:PASS      Registry credentials to pull\n"
	"      --authfile FILE        docker config.json with credentials\n"
	"\n"
	"Filesystem:\n"
	"      --rootfs DIR           Use DIR as the root filesystem\n"
	"      --read-only            Mount the root filesystem read-only\n"
	"  -v, --volume SRC:DST[:OPTS]  Bind mount host path SRC on DST (OPTS: ro, rw)\n"
	"      --device HOST[:CTR][:rwm]  Add a host device (its cgroup rule allows rwm)\n"
	"      --tmpfs DST[:OPTS]     Mount a tmpfs on DST (e.g. size=64m,mode=1777)\n"
	"  -w, --workdir DIR          Working directory inside the container\n"
	"\n"
	"Process:\n"
	"  -e, --env KEY[=VALUE]      Set an environment variable (KEY alone: from the host)\n"
	"      --env-file FILE        Read environment variables from FILE\n"
	"  -u, --user USER[:GROUP]    User to run as: names or ids, looked up in the rootfs\n"
	"  -h, --hostname NAME        Container hostname (default: a random id)\n"
	"  -i, --interactive          Keep stdin attached\n"
	"      --rm                   Accepted for docker's sake: a container is always\n"
	"                             removed when it ends\n"
	"  -t, --tty                  Allocate a pseudo-terminal\n"
	"      --init                 Run a built-in init as PID 1 (signals, zombies)\n"
	"      --name NAME            Name the container (for --network container:NAME)\n"
	"      --preserve-fds N       Pass fds 3..3+N-1 on to the command (no other fd is)\n"
	"\n"
	"Network:\n"
	"      --network MODE         bridge (root's default): the default network;\n"
	"                             NAME: a network made with isolate network create;\n"
	"                             none (the default without root): only lo;\n"
	"                             host: the host's network;\n"
	"                             container:NAME|PID: another container's network;\n"
	"                             ns:PATH: a network namespace such as /run/netns/X\n"
	"  -p, --publish [IP:][HPORT:]CPORT[/udp]  Publish a container port on the host\n"
	"                             (no HPORT: a free port, printed)\n"
	"      --ip ADDR              Fixed IPv4 address on the network\n"
	"      --mac-address MAC      MAC address of eth0 (default: from the address)\n"
	"      --dns IP               Nameserver for /etc/resolv.conf (repeatable)\n"
	"      --dns-search DOMAIN    Search domain for /etc/resolv.conf (repeatable)\n"
	"      --dns-option OPT       Option for /etc/resolv.conf (repeatable)\n"
	"      --add-host NAME:IP     Add a line to /etc/hosts (IP may be host-gateway)\n"
	"\n"
	"Resources (cgroup v2 or v1; each container gets a cgroup of its own):\n"
	"  -m, --memory BYTES         Memory limit (e.g. 64m, 1.5g; at least 6m)\n"
	"      --memory-swap BYTES    Memory plus swap limit (-1: unlimited swap)\n"
	"      --memory-reservation BYTES  Soft memory limit\n"
	"      --oom-kill-disable     Disable the OOM killer (cgroup v1 only)\n"
	"      --oom-score-adj N      OOM score adjustment of the container, -1000..1000\n"
	"      --cpus N               CPU limit, fractional (e.g. 0.5)\n"
	"  -c, --cpu-shares N         Relative CPU weight, 2..262144 (v1 scale)\n"
	"      --cpu-weight N         Relative CPU weight, 1..10000 (v2 scale)\n"
	"      --cpuset-cpus LIST     CPUs allowed (e.g. 0-3,7)\n"
	"      --cpuset-mems LIST     Memory nodes allowed\n"
	"      --pids-limit N         Process limit (-1: unlimited)\n"
	"      --blkio-weight N       Relative block IO weight, 10..1000\n"
	"      --device-read-bps DEV:RATE   Read rate limit of a block device (e.g. /dev/sda:1mb)\n"
	"      --device-write-bps DEV:RATE  Write rate limit of a block device\n"
	"      --ulimit NAME=SOFT[:HARD]    Resource limit (e.g. nofile=1024:2048)\n"
	"      --cgroup-parent PATH   Parent cgroup (default: isolate)\n"
	"      --ignore-missing-limits  Warn, do not fail, for a limit the host cannot apply\n"
	"      --stats-file FILE      Write the container's usage (JSON) to FILE every second\n"
	"\n"
	"Security:\n"
	"      --cap-add CAP          Add a capability (NET_ADMIN or CAP_NET_ADMIN; ALL)\n"
	"      --cap-drop CAP         Drop a capability (ALL: every one)\n"
	"      --security-opt OPT     no-new-privileges[=true|false]: setuid binaries gain\n"
	"                             nothing; seccomp=PROFILE.json (docker's format) or\n"
	"                             seccomp=unconfined (no filter; default: docker's\n"
	"                             profile); systempaths=unconfined: /proc and /sys\n"
	"                             unmasked; label=, apparmor= (reported when the\n"
	"                             host has no such LSM)\n"
	"      --privileged           Every capability and device, no seccomp filter,\n"
	"                             nothing masked, /sys and /sys/fs/cgroup writable:\n"
	"                             the container is as strong as root in its user\n"
	"                             namespace (the host's root with --userns host)\n"
	"By default the container has docker's capabilities (CHOWN, DAC_OVERRIDE, FSETID,\n"
	"FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE,\n"
	"SYS_CHROOT, KILL, AUDIT_WRITE; none for a user other than root) and docker's\n"
	"masked and read-only paths in /proc and /sys.\n"
	"\n"
	"Namespaces (each new by default; MODE is private or host):\n"
	"      --userns MODE          User namespace\n"
	"      --pid MODE             PID namespace\n"
	"      --uts MODE             UTS namespace (hostname)\n"
	"      --ipc MODE             IPC namespace\n"
	"      --cgroupns MODE        cgroup namespace\n"
	"      --uidmap C:H:SIZE      Map container uids C.. to host uids H.. (repeatable)\n"
	"      --gidmap C:H:SIZE      Map container gids likewise (default: as --uidmap)\n"
	"\n"
	"      --help                 Print this help\n"
	"\n"
	"Exit status: the command's own; 128+N if killed by signal N; 125 if isolate\n"
	"failed; 126 if the command cannot be executed; 127 if it was not found.\n";

enum {
	OPT_ENV_FILE = 256, OPT_TMPFS, OPT_ROOTFS, OPT_READ_ONLY, OPT_USERNS, OPT_PID,
	OPT_NETWORK, OPT_UTS, OPT_IPC, OPT_CGROUPNS, OPT_UIDMAP, OPT_GIDMAP, OPT_INIT,
	OPT_HELP, OPT_NAME, OPT_IP, OPT_MAC, OPT_DNS, OPT_DNS_SEARCH, OPT_DNS_OPTION,
	OPT_ADD_HOST, OPT_IGNORE_MISSING, OPT_STATS_FILE, OPT_DEVICE, OPT_RM,
};

static const struct option run_options[] = {
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "hostname", required_argument, NULL, 'h' },
	{ "volume", required_argument, NULL, 'v' },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "userns", required_argument, NULL, OPT_USERNS },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "net", required_argument, NULL, OPT_NETWORK },
	{ "uts", required_argument, NULL, OPT_UTS },
	{ "ipc", required_argument, NULL, OPT_IPC },
	{ "cgroupns", required_argument, NULL, OPT_CGROUPNS },
	{ "uidmap", required_argument, NULL, OPT_UIDMAP },
	{ "gidmap", required_argument, NULL, OPT_GIDMAP },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "interactive", no_argument, NULL, 'i' },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "tty", no_argument, NULL, 't' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "publish", required_argument, NULL, 'p' },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "mac-address", required_argument, NULL, OPT_MAC },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
	{ "dns-option", required_argument, NULL, OPT_DNS_OPTION },
	{ "add-host", required_argument, NULL, OPT_ADD_HOST },
	{ "memory", required_argument, NULL, 'm' },
	{ "memory-swap", required_argument, NULL, CLI_OPT_MEMORY_SWAP },
	{ "memory-reservation", required_argument, NULL, CLI_OPT_MEMORY_RESERVATION },
	{ "oom-kill-disable", no_argument, NULL, CLI_OPT_OOM_KILL_DISABLE },
	{ "oom-score-adj", required_argument, NULL, CLI_OPT_OOM_SCORE_ADJ },
	{ "cpus", required_argument, NULL, CLI_OPT_CPUS },
	{ "cpu-shares", required_argument, NULL, 'c' },
	{ "cpu-weight", required_argument, NULL, CLI_OPT_CPU_WEIGHT },
	{ "cpuset-cpus", required_argument, NULL, CLI_OPT_CPUSET_CPUS },
	{ "cpuset-mems", required_argument, NULL, CLI_OPT_CPUSET_MEMS },
	{ "pids-limit", required_argument, NULL, CLI_OPT_PIDS_LIMIT },
	{ "blkio-weight", required_argument, NULL, CLI_OPT_BLKIO_WEIGHT },
	{ "device-read-bps", required_argument, NULL, CLI_OPT_DEVICE_READ_BPS },
	{ "device-write-bps", required_argument, NULL, CLI_OPT_DEVICE_WRITE_BPS },
	{ "ulimit", required_argument, NULL, CLI_OPT_ULIMIT },
	{ "cgroup-parent", required_argument, NULL, CLI_OPT_CGROUP_PARENT },
	{ "ignore-missing-limits", no_argument, NULL, OPT_IGNORE_MISSING },
	{ "stats-file", required_argument, NULL, OPT_STATS_FILE },
	{ "cap-add", required_argument, NULL, CLI_OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, CLI_OPT_CAP_DROP },
	{ "security-opt", required_argument, NULL, CLI_OPT_SECURITY_OPT },
	{ "privileged", no_argument, NULL, CLI_OPT_PRIVILEGED },
	{ "preserve-fds", required_argument, NULL, CLI_OPT_PRESERVE_FDS },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "pull", required_argument, NULL, CLI_OPT_PULL },
	{ "entrypoint", required_argument, NULL, CLI_OPT_ENTRYPOINT },
	{ "platform", required_argument, NULL, CLI_OPT_PLATFORM },
	{ "tls-verify", optional_argument, NULL, CLI_OPT_TLS_VERIFY },
	{ "creds", required_argument, NULL, CLI_OPT_CREDS },
	{ "authfile", required_argument, NULL, CLI_OPT_AUTHFILE },
	{ "registries-conf", required_argument, NULL, CLI_OPT_REGISTRIES_CONF },
	{ NULL, 0, NULL, 0 },
};

struct run_flags {
	struct iso_spec *spec;
	struct iso_netcfg net;
	char *name;
	char *stats_file;
	struct cli_security sec;
	struct cli_run_image image;
	bool ignore_missing_limits;
	bool hostname_set;
	bool network_set;
	bool help;
};

/* MODE of a namespace flag: "private" creates one, "host" shares the
 * host's. */
static int set_namespace(struct iso_spec *spec, int clone_flag, const char *flag,
			 const char *mode, struct iso_error *err)
{
	if (strcmp(mode, "host") == 0) {
		spec->linux_.new_namespaces &= ~clone_flag;
		return 0;
	}
	if (strcmp(mode, "private") == 0) {
		spec->linux_.new_namespaces |= clone_flag;
		return 0;
	}
	return iso_error_set(err, 0, "invalid %s mode %s: expected private or host", flag, mode);
}

static int add_idmap(struct iso_idmap *maps, size_t *n, const char *arg, struct iso_error *err)
{
	if (*n >= ISO_MAX_IDMAPS)
		return iso_error_set(err, 0, "too many id maps (at most %d)", ISO_MAX_IDMAPS);
	if (iso_idmap_parse(arg, &maps[*n], err) < 0)
		return -1;
	(*n)++;
	return 0;
}

static int add_env(struct iso_spec *spec, const char *arg, struct iso_error *err)
{
	char *entry;

	if (iso_env_parse_arg(arg, environ, &entry, err) < 0)
		return -1;
	if (entry != NULL)
		strv_push_owned(&spec->process.env, entry);
	return 0;
}

static int replace_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
	return 0;
}

static int apply_option(struct run_flags *f, int opt, const char *arg, struct iso_error *err)
{
	struct iso_spec *spec = f->spec;
	struct iso_linux *l = &spec->linux_;

	switch (opt) {
	case 'e': return add_env(spec, arg, err);
	case OPT_ENV_FILE: return iso_env_parse_file(arg, environ, &spec->process.env, err);
	case 'w': f->image.workdir_set = true; return replace_string(&spec->process.cwd, arg);
	case 'u': return replace_string(&spec->process.user.spec, arg);
	case 'h': f->hostname_set = true; return replace_string(&spec->hostname, arg);
	case 'v': return iso_spec_add_volume(spec, arg, err);
	case OPT_TMPFS: return iso_spec_add_tmpfs(spec, arg, err);
	case OPT_ROOTFS: return replace_string(&spec->root.path, arg);
	case OPT_READ_ONLY: spec->root.readonly = true; return 0;
	case OPT_USERNS: return set_namespace(spec, CLONE_NEWUSER, "--userns", arg, err);
	case OPT_PID: return set_namespace(spec, CLONE_NEWPID, "--pid", arg, err);
	case OPT_NETWORK: f->network_set = true; return iso_netcfg_set_mode(&f->net, spec, arg, err);
	case OPT_UTS: return set_namespace(spec, CLONE_NEWUTS, "--uts", arg, err);
	case OPT_IPC: return set_namespace(spec, CLONE_NEWIPC, "--ipc", arg, err);
	case OPT_CGROUPNS: return set_namespace(spec, CLONE_NEWCGROUP, "--cgroupns", arg, err);
	case OPT_UIDMAP: return add_idmap(l->uid_mappings, &l->n_uid_mappings, arg, err);
	case OPT_GIDMAP: return add_idmap(l->gid_mappings, &l->n_gid_mappings, arg, err);
	case OPT_INIT: spec->init = true; return 0;
	case 'i': spec->process.stdin_open = true; return 0;
	/* docker's habit: a container that runs in the foreground is always
	 * removed when it ends here, so --rm asks for what happens anyway */
	case OPT_RM: return 0;
	case 't': spec->process.terminal = true; return 0;
	case OPT_HELP: f->help = true; return 0;
	case OPT_NAME: return replace_string(&f->name, arg);
	case 'p': return iso_netcfg_add_port(&f->net, arg, err);
	case OPT_IP: return replace_string(&f->net.ip, arg);
	case OPT_MAC: return replace_string(&f->net.mac, arg);
	case OPT_DNS: strv_push(&f->net.dns.servers, arg); return 0;
	case OPT_DNS_SEARCH: strv_push(&f->net.dns.search, arg); return 0;
	case OPT_DNS_OPTION: strv_push(&f->net.dns.options, arg); return 0;
	case OPT_ADD_HOST: return iso_netcfg_add_host(&f->net, arg, err);
	case OPT_IGNORE_MISSING: f->ignore_missing_limits = true; return 0;
	case OPT_STATS_FILE: return replace_string(&f->stats_file, arg);
	case OPT_DEVICE: return iso_spec_add_device(spec, arg, err);
	case 'm': case 'c': return cli_limit_option(spec, opt, arg, err);
	}
	if (opt >= CLI_OPT_MEMORY_SWAP && opt < CLI_OPT_LIMITS_END)
		return cli_limit_option(spec, opt, arg, err);
	if (opt > CLI_OPT_LIMITS_END && opt < CLI_OPT_SECURITY_END)
		return cli_security_option(&f->sec, opt, arg, err);
	if ((opt >= CLI_OPT_PLATFORM && opt <= CLI_OPT_REGISTRIES_CONF) || opt == CLI_OPT_PULL ||
	    opt == CLI_OPT_ENTRYPOINT)
		return cli_run_image_option(&f->image, opt, arg, err);
	return iso_error_set(err, 0, "internal error: option %d not handled", opt);
}

/* Returns 0 when parsed, 1 when a usage error was printed. */
static int parse_flags(int argc, char **argv, struct run_flags *f, struct iso_error *err)
{
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:e:w:u:h:v:p:m:c:it", run_options, NULL)) != -1) {
		if (opt == '?') {
			cli_usage_error(run_usage, "isolate run", "unknown flag: %s", argv[optind - 1]);
			return 1;
		}
		if (opt == ':') {
			cli_usage_error(run_usage, "isolate run", "flag needs an argument: %s",
					argv[optind - 1]);
			return 1;
		}
		if (apply_option(f, opt, optarg, err) < 0)
			return -1;
	}
	return 0;
}

/* Root maps onto isolate's subordinate range; a user maps onto itself,
 * plus its own subordinate range when it has one. */
static int fill_idmaps(struct iso_spec *spec, struct iso_error *err)
{
	struct passwd *pw;

	if (geteuid() == 0)
		return iso_idmap_fill_defaults(spec, "/etc/subuid", "/etc/subgid", err);
	pw = getpwuid(geteuid());
	return iso_idmap_fill_rootless(spec, geteuid(), getegid(), pw ? pw->pw_name : NULL,
				       "/etc/subuid", "/etc/subgid", err);
}

/* Everything that depends on more than one flag, once all are known. */
static int finish_spec(struct run_flags *f, char **args, const char *id, struct iso_error *err)
{
	struct iso_spec *spec = f->spec;
	struct iso_linux *l = &spec->linux_;
	char host[256];

	spec->process.args = strv_dup(args);
	/* root gets docker's default bridge; without root there is none */
	if (!f->network_set &&
	    iso_netcfg_set_mode(&f->net, spec, geteuid() == 0 ? "bridge" : "none", err) < 0)
		return -1;
	if (iso_netcfg_check(&f->net, err) < 0)
		return -1;
	if (!(l->new_namespaces & CLONE_NEWUTS)) {
		if (f->hostname_set)
			return iso_error_set(err, 0, "conflicting options: --hostname and --uts host");
		if (gethostname(host, sizeof(host)) == 0)
			replace_string(&spec->hostname, host);
	} else if (!f->hostname_set) {
		replace_string(&spec->hostname, id);
	}
	if (iso_spec_has_userns(spec)) {
		if (fill_idmaps(spec, err) < 0)
			return -1;
	} else if (l->n_uid_mappings > 0 || l->n_gid_mappings > 0) {
		return iso_error_set(err, 0, "conflicting options: --uidmap/--gidmap and --userns host");
	}
	iso_spec_add_default_mounts(spec);
	return cli_security_finish(&f->sec, spec, err);
}

/* The positionals: IMAGE [COMMAND...] or COMMAND...; the image's layers
 * and config go into the spec. */
/* docker's grammar, with the host-root sandbox after "--":
 *   isolate run [OPTIONS] IMAGE [COMMAND...]
 *   isolate run [OPTIONS] --rootfs DIR [--] COMMAND...
 *   isolate run [OPTIONS] -- COMMAND...        (no image: the host's root)
 * The image's layers and config go into the spec. */
static int resolve_positionals(struct run_flags *f, int argc, char **argv, const char *id,
			       struct iso_run_opts *opts, char ***args, bool *image,
			       struct iso_error *err)
{
	const char *first = optind < argc ? argv[optind] : NULL;
	bool dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;

	*args = argv + optind;
	*image = f->spec->root.path == NULL && !dashdash;
	if (!*image) {
		if (f->image.pull != NULL || f->image.entrypoint != NULL)
			return cli_usage_error(run_usage, "isolate run", "--pull and --entrypoint need an image");
		if (first == NULL)
			return cli_usage_error(run_usage, "isolate run", "no command given");
		return 0;
	}
	if (first == NULL)
		return cli_usage_error(run_usage, "isolate run",
				       "no image given (for the host-root sandbox: isolate run -- COMMAND)");
	*args = argv + optind + 1;
	return cli_run_image_prepare(&f->image, first, id, f->spec, opts, err) < 0 ? -1 : 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_flags flags = { .spec = iso_spec_new(),
				   .image = { .gc_lock = -1, .pull_flags = { .tls_verify = true } } };
	struct iso_run_opts opts = { .net = &flags.net };
	struct iso_run_result result = { 0 };
	struct iso_error err;
	char id[ISO_ID_LEN + 1];
	char **args = NULL;
	bool image = false;
	int r, status = ISO_EXIT_RUNTIME;

	iso_error_clear(&err);
	random_hex_id(id);
	opts.id = id;
	flags.spec->linux_.new_namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
					    CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
					    CLONE_NEWCGROUP;
	r = parse_flags(argc, argv, &flags, &err);
	if (r > 0)
		goto out;
	if (r == 0 && flags.help) {
		fputs(run_help, stdout);
		status = 0;
		goto out;
	}
	if (r == 0)
		r = resolve_positionals(&flags, argc, argv, id, &opts, &args, &image, &err);
	if (r > 0) {
		status = r;
		goto out;
	}
	opts.name = flags.name;
	opts.stats_file = flags.stats_file;
	opts.ignore_missing_limits = flags.ignore_missing_limits;
	if (r < 0 || finish_spec(&flags, args, id, &err) < 0 ||
	    (image && cli_run_image_apply(&flags.image, args, flags.spec, &err) < 0) ||
	    iso_container_run(flags.spec, &opts, &result, &err) < 0) {
		cli_print_error(&err);
		status = err.status ? err.status : ISO_EXIT_RUNTIME;
	} else {
		status = result.exit_status;
		cli_report_oom(flags.spec, &result);
	}
out:
	cli_run_image_free(&flags.image);
	iso_spec_free(flags.spec);
	iso_netcfg_free(&flags.net);
	free(flags.name);
	free(flags.stats_file);
	free(flags.sec.seccomp);
	return status;
}
