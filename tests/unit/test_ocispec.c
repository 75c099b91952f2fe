/* ocispec.h: an OCI bundle's config.json into the container spec.  Every
 * field lands where isolate reads it; every bad value is refused with its
 * path and the line and column where it is; features isolate-oci does not
 * have are refused, unknown fields ignored.
 *
 * The JSON below is written with ' for " (see json()) so that it reads as
 * JSON; none of it holds a real apostrophe. */
#include "helpers.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "jsonpos.h"
#include "log.h"
#include "ocispec.h"

/* TEXT with ' made ", in a new string. */
static char *json(const char *text)
{
	char *s = xstrdup(text);

	for (char *p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

static struct iso_spec *parse(const char *text, struct iso_error *err)
{
	cleanup_free char *t = json(text);
	struct iso_spec *spec = NULL;

	if (iso_oci_spec_parse(t, strlen(t), "config.json", "/bundle", &spec, err) < 0)
		return NULL;
	return spec;
}

/* The smallest config this parser takes, open at the end for more. */
#define MIN "{'ociVersion':'1.2.0','root':{'path':'rootfs'},'process':{'args':['sh'],'cwd':'/'}"

/* TEXT is refused with exactly WANT, status 125. */
#define assert_refused(text, want) check_refused(__FILE__, __LINE__, text, want)

static void check_refused(const char *file, int line, const char *text, const char *want)
{
	struct iso_error err = { 0 };
	struct iso_spec *spec = parse(text, &err);

	if (spec != NULL) {
		iso_spec_free(spec);
		fail_msg("%s:%d: accepted, expected \"%s\"", file, line, want);
	}
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
}

/* "config.json:1:COL: PATH: WHAT" where COL is where MARK first is in
 * TEXT, a one-line document of ASCII. */
static char *at_mark(const char *text, const char *mark, const char *path_and_what)
{
	const char *p = strstr(text, mark);

	assert_non_null(p);
	return xasprintf("config.json:1:%d: %s", (int)(p - text) + 1, path_and_what);
}

#define assert_refused_at(text, mark, what) do { \
		cleanup_free char *want_ = at_mark(text, mark, what); \
		check_refused(__FILE__, __LINE__, text, want_); \
	} while (0)

static struct iso_spec *must_parse(const char *file, int line, const char *text)
{
	struct iso_error err = { 0 };
	struct iso_spec *spec = parse(text, &err);

	if (spec == NULL)
		fail_msg("%s:%d: refused: %s", file, line, err.msg);
	return spec;
}

#define parse_ok(text) must_parse(__FILE__, __LINE__, text)

static uint64_t cap(int c)
{
	return 1ULL << c;
}

/* Warnings the parser gave, joined. */
static char warnings[4096];

static void keep_warning(enum iso_log_level level, const char *msg)
{
	if (level == ISO_LOG_WARN)
		snprintf(warnings + strlen(warnings), sizeof(warnings) - strlen(warnings), "%s\n", msg);
}

static const char podman[] =
	"{'ociVersion':'1.2.0',"
	"'process':{'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[1001,10]},"
	"'terminal':true,'consoleSize':{'height':24,'width':80},"
	"'args':['/bin/sh','-c','echo hi'],'env':['PATH=/usr/bin','TERM=xterm','container=podman'],"
	"'cwd':'/home/app',"
	"'capabilities':{'bounding':['CAP_CHOWN','CAP_NET_BIND_SERVICE','CAP_KILL'],"
	"'effective':['CAP_CHOWN'],'inheritable':[],'permitted':['CAP_CHOWN','CAP_KILL'],"
	"'ambient':['CAP_KILL']},"
	"'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':524288},"
	"{'type':'RLIMIT_CORE','soft':18446744073709551615,'hard':18446744073709551615}],"
	"'noNewPrivileges':true,'oomScoreAdj':100,'apparmorProfile':'containers-default-0.50.1',"
	"'selinuxLabel':'system_u:system_r:container_t:s0:c1,c2'},"
	"'root':{'path':'/var/lib/containers/storage/overlay/abc/merged','readonly':true},"
	"'hostname':'abc','domainname':'example.org',"
	"'mounts':[{'destination':'/proc','type':'proc','source':'proc','options':['nosuid','noexec','nodev']},"
	"{'destination':'/etc/hosts','type':'bind','source':'/run/containers/abc/hosts','options':['bind','rprivate']},"
	"{'destination':'/data','source':'vol','options':['rbind','ro']},"
	"{'destination':'/srv','type':'none','source':'/srv/shared','options':['rbind'],"
	"'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
	"'gidMappings':[{'containerID':0,'hostID':200000,'size':65536}]},"
	"{'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup','options':['ro','nosuid']}],"
	"'hooks':{'prestart':[{'path':'/usr/libexec/a','args':['a','prestart'],'env':['X=1'],'timeout':5}],"
	"'createRuntime':[{'path':'/bin/cr'}],'createContainer':[{'path':'/bin/cc'}],"
	"'startContainer':[{'path':'/bin/sc'}],'poststart':[{'path':'/bin/ps1'},{'path':'/bin/ps2'}],"
	"'poststop':[{'path':'/usr/bin/podman','args':['podman','cleanup']}]},"
	"'annotations':{'io.container.manager':'libpod','org.opencontainers.image.stopSignal':'15'},"
	"'linux':{'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
	"'gidMappings':[{'containerID':0,'hostID':200000,'size':65536}],"
	"'sysctl':{'net.ipv4.ping_group_range':'0 0'},"
	"'resources':{'devices':[{'allow':false,'access':'rwm'},"
	"{'allow':true,'type':'c','major':1,'minor':3,'access':'wr'}],"
	"'memory':{'limit':536870912,'reservation':268435456,'swap':1073741824,'swappiness':60,"
	"'disableOOMKiller':true},"
	"'cpu':{'shares':512,'quota':50000,'period':100000,'cpus':'0-1','mems':'0'},"
	"'pids':{'limit':2048},"
	"'blockIO':{'weight':500,'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],"
	"'throttleWriteBpsDevice':[{'major':8,'minor':16,'rate':2097152}]},"
	"'hugepageLimits':[{'pageSize':'2MB','limit':1073741824}],"
	"'unified':{'memory.high':'400000000'}},"
	"'cgroupsPath':'machine.slice:libpod:abc',"
	"'namespaces':[{'type':'pid'},{'type':'network','path':'/run/netns/netns-abc'},{'type':'ipc'},"
	"{'type':'uts'},{'type':'mount'},{'type':'cgroup'},{'type':'user'}],"
	"'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':8630,'uid':0,'gid':5}],"
	"'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
	"'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
	"'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'}]},"
	"'rootfsPropagation':'rslave','maskedPaths':['/proc/acpi','/proc/kcore'],"
	"'readonlyPaths':['/proc/bus','/proc/sys'],"
	"'mountLabel':'system_u:object_r:container_file_t:s0:c1,c2','personality':{'domain':'LINUX32'}}}";

static void check_podman_process(const struct iso_process *p)
{
	const char *args[] = { "/bin/sh", "-c", "echo hi" };

	assert_int_equal(strv_len(p->args), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(p->args[i], args[i]);
	assert_int_equal(strv_len(p->env), 3);
	assert_string_equal(p->env[2], "container=podman");
	assert_string_equal(p->cwd, "/home/app");
	assert_true(p->terminal);
	assert_true(p->stdin_open);
	assert_int_equal(p->console_size.rows, 24);
	assert_int_equal(p->console_size.cols, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->has_umask);
	assert_int_equal(p->umask, 022);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 10);
	assert_true(p->has_caps);
	assert_int_equal(p->caps.bounding, cap(CAP_CHOWN) | cap(CAP_NET_BIND_SERVICE) | cap(CAP_KILL));
	assert_int_equal(p->caps.effective, cap(CAP_CHOWN));
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.permitted, cap(CAP_CHOWN) | cap(CAP_KILL));
	assert_int_equal(p->caps.ambient, cap(CAP_KILL));
	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 524288);
	/* 2^64-1, which jansson alone refuses */
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_true(p->rlimits[1].soft == RLIM_INFINITY && p->rlimits[1].hard == RLIM_INFINITY);
	assert_true(p->no_new_privileges);
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, 100);
	assert_string_equal(p->apparmor_profile, "containers-default-0.50.1");
	assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2");
}

static void check_podman_mounts(const struct iso_spec *spec)
{
	assert_int_equal(spec->n_mounts, 5);
	assert_string_equal(spec->mounts[0].type, "proc");
	assert_string_equal(spec->mounts[0].options[2], "nodev");
	assert_string_equal(spec->mounts[1].type, "bind");
	assert_string_equal(spec->mounts[1].source, "/run/containers/abc/hosts");
	/* no type and rbind: a bind mount, its source from the bundle */
	assert_string_equal(spec->mounts[2].destination, "/data");
	assert_string_equal(spec->mounts[2].type, "bind");
	assert_string_equal(spec->mounts[2].source, "/bundle/vol");
	assert_int_equal(strv_len(spec->mounts[2].options), 2);
	/* "none" with rbind is a bind too; the container's mappings make it
	 * an idmapped mount */
	assert_string_equal(spec->mounts[3].type, "bind");
	assert_int_equal(strv_len(spec->mounts[3].options), 2);
	assert_true(iso_mount_has_option(&spec->mounts[3], "idmap"));
	assert_string_equal(spec->mounts[4].destination, "/sys/fs/cgroup");
}

static void check_podman_hooks(const struct iso_spec *spec)
{
	const struct iso_hook *h = &spec->hooks.list[ISO_HOOK_PRESTART][0];

	assert_int_equal(spec->hooks.n[ISO_HOOK_PRESTART], 1);
	assert_string_equal(h->path, "/usr/libexec/a");
	assert_string_equal(h->args[1], "prestart");
	assert_string_equal(h->env[0], "X=1");
	assert_int_equal(h->timeout, 5);
	assert_string_equal(spec->hooks.list[ISO_HOOK_CREATE_RUNTIME][0].path, "/bin/cr");
	assert_string_equal(spec->hooks.list[ISO_HOOK_CREATE_CONTAINER][0].path, "/bin/cc");
	assert_string_equal(spec->hooks.list[ISO_HOOK_START_CONTAINER][0].path, "/bin/sc");
	assert_int_equal(spec->hooks.n[ISO_HOOK_POSTSTART], 2);
	assert_string_equal(spec->hooks.list[ISO_HOOK_POSTSTART][1].path, "/bin/ps2");
	assert_null(spec->hooks.list[ISO_HOOK_POSTSTOP][0].env);
	assert_string_equal(spec->hooks.list[ISO_HOOK_POSTSTOP][0].args[1], "cleanup");
	assert_int_equal(spec->hooks.list[ISO_HOOK_POSTSTOP][0].timeout, 0);
}

static void check_podman_resources(const struct iso_resources *r)
{
	assert_int_equal(r->n_devices, 2);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_int_equal(r->devices[0].major, -1);
	assert_int_equal(r->devices[0].minor, -1);
	assert_string_equal(r->devices[0].access, "rwm");
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].type, 'c');
	assert_int_equal(r->devices[1].major, 1);
	assert_int_equal(r->devices[1].minor, 3);
	assert_string_equal(r->devices[1].access, "rw");
	assert_int_equal(r->memory_limit, 536870912);
	assert_int_equal(r->memory_reservation, 268435456);
	assert_int_equal(r->memory_swap, 1073741824);
	assert_int_equal(r->memory_swappiness, 60);
	assert_true(r->disable_oom_killer);
	assert_int_equal(r->cpu_shares, 512);
	assert_true(r->cpu_weight == ISO_UNSET);
	assert_int_equal(r->cpu_quota, 50000);
	assert_int_equal(r->cpu_period, 100000);
	assert_string_equal(r->cpuset_cpus, "0-1");
	assert_string_equal(r->cpuset_mems, "0");
	assert_int_equal(r->pids_limit, 2048);
	assert_int_equal(r->blkio_weight, 500);
	assert_int_equal(r->n_read_bps, 1);
	assert_int_equal(r->read_bps[0].major, 8);
	assert_int_equal(r->read_bps[0].rate, 1048576);
	assert_int_equal(r->n_write_bps, 1);
	assert_int_equal(r->write_bps[0].minor, 16);
	assert_int_equal(r->write_bps[0].rate, 2097152);
	assert_int_equal(r->n_hugepages, 1);
	assert_string_equal(r->hugepages[0].pagesize, "2MB");
	assert_int_equal(r->hugepages[0].limit, 1073741824);
	assert_string_equal(r->unified[0], "memory.high");
	assert_string_equal(r->unified[1], "400000000");
	assert_null(r->unified[2]);
}

static void check_podman_linux(const struct iso_spec *spec)
{
	const struct iso_linux *l = &spec->linux_;

	assert_int_equal(l->new_namespaces, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS |
			 CLONE_NEWCGROUP | CLONE_NEWUSER);
	assert_int_equal(spec->n_ns_paths, 1);
	assert_int_equal(spec->ns_paths[0].type, CLONE_NEWNET);
	assert_string_equal(spec->ns_paths[0].path, "/run/netns/netns-abc");
	assert_int_equal(l->n_uid_mappings, 1);
	assert_int_equal(l->uid_mappings[0].host_id, 100000);
	assert_int_equal(l->uid_mappings[0].size, 65536);
	assert_int_equal(l->n_gid_mappings, 1);
	assert_int_equal(l->gid_mappings[0].host_id, 200000);
	assert_string_equal(l->cgroups_path, "machine.slice:libpod:abc");
	assert_int_equal(spec->n_sysctls, 1);
	assert_string_equal(spec->sysctls[0].key, "net.ipv4.ping_group_range");
	assert_string_equal(spec->sysctls[0].value, "0 0");
	assert_int_equal(spec->n_devices, 1);
	assert_string_equal(spec->devices[0].path, "/dev/fuse");
	assert_int_equal(spec->devices[0].type, 'c');
	assert_int_equal(spec->devices[0].major, 10);
	assert_int_equal(spec->devices[0].minor, 229);
	assert_true(spec->devices[0].has_mode && spec->devices[0].has_uid && spec->devices[0].has_gid);
	assert_int_equal(spec->devices[0].mode, 0666);
	assert_int_equal(spec->devices[0].gid, 5);
	assert_non_null(l->seccomp);
	assert_int_equal(l->seccomp->default_action, SCMP_ACT_ERRNO(ENOSYS));
	assert_int_equal(l->seccomp->n_arches, 1);
	assert_int_equal(l->seccomp->arches[0], SCMP_ARCH_X86);
	assert_int_equal(l->seccomp->n_rules, 1);
	assert_string_equal(l->seccomp->rules[0].names[1], "write");
	assert_int_equal(spec->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(strv_len(l->masked_paths), 2);
	assert_string_equal(l->masked_paths[1], "/proc/kcore");
	assert_string_equal(l->readonly_paths[1], "/proc/sys");
	assert_true(spec->has_personality);
	assert_int_equal(spec->personality, PER_LINUX32);
	check_podman_resources(&l->resources);
}

static void podman_config_lands_everywhere(void **state)
{
	struct iso_spec *spec = parse_ok(podman);

	(void)state;
	assert_true(spec->oci);
	assert_string_equal(spec->oci_version, "1.2.0");
	assert_string_equal(spec->root.path, "/var/lib/containers/storage/overlay/abc/merged");
	assert_true(spec->root.readonly);
	assert_string_equal(spec->hostname, "abc");
	assert_string_equal(spec->domainname, "example.org");
	assert_string_equal(spec->annotations_json, "{\"io.container.manager\":\"libpod\","
			    "\"org.opencontainers.image.stopSignal\":\"15\"}");
	check_podman_process(&spec->process);
	check_podman_mounts(spec);
	check_podman_hooks(spec);
	check_podman_linux(spec);
	iso_spec_free(spec);
}

/* `runc spec` (runc 1.2) as it prints it. */
static const char runc_spec[] =
	"{\n"
	"\t'ociVersion': '1.2.0',\n"
	"\t'process': {\n"
	"\t\t'terminal': true,\n"
	"\t\t'user': {\n"
	"\t\t\t'uid': 0,\n"
	"\t\t\t'gid': 0\n"
	"\t\t},\n"
	"\t\t'args': [\n"
	"\t\t\t'sh'\n"
	"\t\t],\n"
	"\t\t'env': [\n"
	"\t\t\t'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',\n"
	"\t\t\t'TERM=xterm'\n"
	"\t\t],\n"
	"\t\t'cwd': '/',\n"
	"\t\t'capabilities': {\n"
	"\t\t\t'bounding': [\n\t\t\t\t'CAP_AUDIT_WRITE',\n\t\t\t\t'CAP_KILL',\n\t\t\t\t'CAP_NET_BIND_SERVICE'\n\t\t\t],\n"
	"\t\t\t'effective': [\n\t\t\t\t'CAP_AUDIT_WRITE',\n\t\t\t\t'CAP_KILL',\n\t\t\t\t'CAP_NET_BIND_SERVICE'\n\t\t\t],\n"
	"\t\t\t'permitted': [\n\t\t\t\t'CAP_AUDIT_WRITE',\n\t\t\t\t'CAP_KILL',\n\t\t\t\t'CAP_NET_BIND_SERVICE'\n\t\t\t]\n"
	"\t\t},\n"
	"\t\t'rlimits': [\n\t\t\t{\n\t\t\t\t'type': 'RLIMIT_NOFILE',\n\t\t\t\t'hard': 1024,\n\t\t\t\t'soft': 1024\n\t\t\t}\n\t\t],\n"
	"\t\t'noNewPrivileges': true\n"
	"\t},\n"
	"\t'root': {\n\t\t'path': 'rootfs',\n\t\t'readonly': true\n\t},\n"
	"\t'hostname': 'runc',\n"
	"\t'mounts': [\n"
	"\t\t{\n\t\t\t'destination': '/proc',\n\t\t\t'type': 'proc',\n\t\t\t'source': 'proc'\n\t\t},\n"
	"\t\t{\n\t\t\t'destination': '/dev',\n\t\t\t'type': 'tmpfs',\n\t\t\t'source': 'tmpfs',\n"
	"\t\t\t'options': [\n\t\t\t\t'nosuid',\n\t\t\t\t'strictatime',\n\t\t\t\t'mode=755',\n\t\t\t\t'size=65536k'\n\t\t\t]\n\t\t},\n"
	"\t\t{\n\t\t\t'destination': '/dev/pts',\n\t\t\t'type': 'devpts',\n\t\t\t'source': 'devpts',\n"
	"\t\t\t'options': [\n\t\t\t\t'nosuid',\n\t\t\t\t'noexec',\n\t\t\t\t'newinstance',\n\t\t\t\t'ptmxmode=0666',\n"
	"\t\t\t\t'mode=0620',\n\t\t\t\t'gid=5'\n\t\t\t]\n\t\t},\n"
	"\t\t{\n\t\t\t'destination': '/dev/shm',\n\t\t\t'type': 'tmpfs',\n\t\t\t'source': 'shm',\n"
	"\t\t\t'options': [\n\t\t\t\t'nosuid',\n\t\t\t\t'noexec',\n\t\t\t\t'nodev',\n\t\t\t\t'mode=1777',\n\t\t\t\t'size=65536k'\n\t\t\t]\n\t\t},\n"
	"\t\t{\n\t\t\t'destination': '/dev/mqueue',\n\t\t\t'type': 'mqueue',\n\t\t\t'source': 'mqueue',\n"
	"\t\t\t'options': [\n\t\t\t\t'nosuid',\n\t\t\t\t'noexec',\n\t\t\t\t'nodev'\n\t\t\t]\n\t\t},\n"
	"\t\t{\n\t\t\t'destination': '/sys',\n\t\t\t'type': 'sysfs',\n\t\t\t'source': 'sysfs',\n"
	"\t\t\t'options': [\n\t\t\t\t'nosuid',\n\t\t\t\t'noexec',\n\t\t\t\t'nodev',\n\t\t\t\t'ro'\n\t\t\t]\n\t\t},\n"
	"\t\t{\n\t\t\t'destination': '/sys/fs/cgroup',\n\t\t\t'type': 'cgroup',\n\t\t\t'source': 'cgroup',\n"
	"\t\t\t'options': [\n\t\t\t\t'nosuid',\n\t\t\t\t'noexec',\n\t\t\t\t'nodev',\n\t\t\t\t'relatime',\n\t\t\t\t'ro'\n\t\t\t]\n\t\t}\n"
	"\t],\n"
	"\t'linux': {\n"
	"\t\t'resources': {\n\t\t\t'devices': [\n\t\t\t\t{\n\t\t\t\t\t'allow': false,\n\t\t\t\t\t'access': 'rwm'\n\t\t\t\t}\n\t\t\t]\n\t\t},\n"
	"\t\t'namespaces': [\n\t\t\t{\n\t\t\t\t'type': 'pid'\n\t\t\t},\n\t\t\t{\n\t\t\t\t'type': 'network'\n\t\t\t},\n"
	"\t\t\t{\n\t\t\t\t'type': 'ipc'\n\t\t\t},\n\t\t\t{\n\t\t\t\t'type': 'uts'\n\t\t\t},\n"
	"\t\t\t{\n\t\t\t\t'type': 'mount'\n\t\t\t},\n\t\t\t{\n\t\t\t\t'type': 'cgroup'\n\t\t\t}\n\t\t],\n"
	"\t\t'maskedPaths': [\n\t\t\t'/proc/acpi',\n\t\t\t'/proc/asound',\n\t\t\t'/proc/kcore',\n\t\t\t'/proc/keys',\n"
	"\t\t\t'/proc/latency_stats',\n\t\t\t'/proc/timer_list',\n\t\t\t'/proc/timer_stats',\n\t\t\t'/proc/sched_debug',\n"
	"\t\t\t'/sys/firmware',\n\t\t\t'/proc/scsi',\n\t\t\t'/sys/devices/virtual/tpm'\n\t\t],\n"
	"\t\t'readonlyPaths': [\n\t\t\t'/proc/bus',\n\t\t\t'/proc/fs',\n\t\t\t'/proc/irq',\n\t\t\t'/proc/sys',\n"
	"\t\t\t'/proc/sysrq-trigger'\n\t\t]\n"
	"\t}\n"
	"}\n";

static void runc_spec_default_config(void **state)
{
	struct iso_spec *spec = parse_ok(runc_spec);
	uint64_t three = cap(CAP_AUDIT_WRITE) | cap(CAP_KILL) | cap(CAP_NET_BIND_SERVICE);
	const struct iso_resources *r = &spec->linux_.resources;

	(void)state;
	assert_true(spec->process.terminal);
	assert_int_equal(spec->process.user.uid, 0);
	assert_false(spec->process.has_umask);
	assert_string_equal(spec->process.args[0], "sh");
	assert_string_equal(spec->process.env[1], "TERM=xterm");
	assert_int_equal(spec->process.caps.bounding, three);
	assert_int_equal(spec->process.caps.permitted, three);
	assert_int_equal(spec->process.caps.ambient, 0);
	assert_int_equal(spec->process.n_rlimits, 1);
	assert_false(spec->process.has_oom_score_adj);
	assert_string_equal(spec->root.path, "/bundle/rootfs");
	assert_string_equal(spec->hostname, "runc");
	assert_null(spec->domainname);
	assert_int_equal(spec->n_mounts, 7);
	assert_string_equal(spec->mounts[0].source, "proc");
	assert_int_equal(strv_len(spec->mounts[0].options), 0);
	assert_string_equal(spec->mounts[2].options[5], "gid=5");
	assert_int_equal(r->n_devices, 1);
	assert_int_equal(r->devices[0].type, 'a');
	assert_true(r->memory_limit == ISO_UNSET && r->pids_limit == ISO_UNSET);
	assert_int_equal(spec->linux_.new_namespaces, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
			 CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP);
	assert_int_equal(strv_len(spec->linux_.masked_paths), 11);
	assert_int_equal(strv_len(spec->linux_.readonly_paths), 5);
	assert_null(spec->linux_.seccomp);
	assert_null(spec->annotations_json);
	assert_int_equal(spec->rootfs_propagation, 0);
	assert_false(spec->has_personality);
	iso_spec_free(spec);
}

static void type_errors_name_the_path_and_the_place(void **state)
{
	(void)state;
	/* tabs are one column each, as jansson counts them */
	assert_refused("{\n\t'ociVersion': '1.2.0',\n\t'root': {'path': 'rootfs'},\n\t'process': {\n"
		       "\t\t'cwd': '/',\n\t\t'args': 'sh'\n\t}\n}\n",
		       "config.json:6:11: process.args: expected an array of strings");
	assert_refused("{\n\t'ociVersion': '1.2.0',\n\t'root': {'path': 'rootfs'},\n"
		       "\t'process': {'cwd': '/', 'args': ['sh']},\n\t'linux': {\n\t\t'namespaces': [\n"
		       "\t\t\t{'type': 'pid'},\n\t\t\t{'type': 'mount'},\n\t\t\t{'type': 'foo'}\n\t\t]\n\t}\n}\n",
		       "config.json:9:13: linux.namespaces[2].type: unknown namespace \"foo\"");
	/* columns count characters: żółw is 4 of them in 7 bytes */
	assert_refused("{'hostname': '\xc5\xbc\xc3\xb3\xc5\x82w', 'ociVersion': '1.2.0', 'root': {'path': 5}}",
		       "config.json:1:62: root.path: expected a string");
	/* a key given twice: jansson keeps the last, and so does the place */
	assert_refused("{'ociVersion': '1.2.0', 'root': {'path': 'x'},\n'root': {'path': 7}}",
		       "config.json:2:18: root.path: expected a string");
	/* a key with an escape in it is found as jansson decoded it */
	assert_refused(MIN ",'linux':{'sysctl':{'a':'1',\n'net.ipv4.ip\\u005fforward': true}}}",
		       "config.json:2:29: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string");
	assert_refused(MIN ",'annotations':{'caf\\u00e9':'x',\n'caf\\u00e9s':1}}",
		       "config.json:2:14: annotations[\"caf\xc3\xa9s\"]: expected a string");
	assert_refused_at(MIN ",'process':{'args':['sh',5],'cwd':'/'}}", "5]",
			  "process.args[1]: expected a string");
}

static void type_errors_everywhere(void **state)
{
	(void)state;
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'terminal':'yes'}}", "'yes'", "process.terminal: expected true or false");
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'user':{'uid':-1}}}", "-1", "process.user.uid: -1 is out of range (0 to 4294967295)");
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'user':{'umask':512}}}", "512", "process.user.umask: 512 is out of range (0 to 511)");
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'rlimits':[{'type':'RLIMIT_NOPE','soft':1,'hard':1}]}}", "'RLIMIT_NOPE'",
			  "process.rlimits[0].type: unknown resource limit \"RLIMIT_NOPE\"");
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'rlimits':[{'type':'RLIMIT_CPU','soft':1,'hard':1},{'type':'RLIMIT_CPU','soft':1,"
			  "'hard':1}]}}", "'RLIMIT_CPU','soft':1,'hard':1}]", "process.rlimits[1].type: "
			  "RLIMIT_CPU is given twice");
	assert_refused_at(MIN ",'mounts':[{'destination':'/a','type':'tmpfs'},{'destination':'/b',"
			  "'type':'tmpfs','options':[7]}]}", "7", "mounts[1].options[0]: expected a string");
	assert_refused_at(MIN ",'linux':{'resources':{'memory':{'limit':'1g'}}}}", "'1g'",
			  "linux.resources.memory.limit: expected an integer");
	/* 2^64-1 where an int64 belongs */
	assert_refused_at(MIN ",'linux':{'resources':{'memory':{'limit':18446744073709551615}}}}", "1844",
			  "linux.resources.memory.limit: 18446744073709551615 is out of range "
			  "(-1 to 9223372036854775807)");
	assert_refused_at(MIN ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_CPU',"
			  "'soft':-2,'hard':1}]}}", "-2", "process.rlimits[0].soft: -2 is out of range "
			  "(0 to 18446744073709551615)");
	assert_refused_at(MIN ",'hooks':{'poststop':[{'path':'rm'}]}}", "'rm'",
			  "hooks.poststop[0].path: \"rm\" is not an absolute path");
	assert_refused_at(MIN ",'hooks':{'prestart':[{'path':'/x','timeout':0}]}}", "0}",
			  "hooks.prestart[0].timeout: 0 is out of range (1 to 2147483647)");
	assert_refused_at(MIN ",'annotations':{'a':'b','c':1}}", "1}", "annotations.c: expected a string");
	assert_refused_at(MIN ",'linux':{'namespaces':[{'type':'pid'},{'type':'pid'}]}}", "'pid'}]",
			  "linux.namespaces[1].type: the pid namespace is listed twice");
	assert_refused_at(MIN ",'linux':{'namespaces':'pid'}}", "'pid'", "linux.namespaces: expected an array");
	assert_refused_at(MIN ",'linux':{'namespaces':['pid']}}", "'pid'",
			  "linux.namespaces[0]: expected an object");
	assert_refused_at(MIN ",'linux':{'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]}}",
			  "'x'", "linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)");
	assert_refused_at(MIN ",'linux':{'resources':{'devices':[{'allow':true,'access':'rwx'}]}}}",
			  "'rwx'", "linux.resources.devices[0].access: \"rwx\": expected letters of \"rwm\"");
	assert_refused_at(MIN ",'linux':{'rootfsPropagation':'sideways'}}", "'sideways'",
			  "linux.rootfsPropagation: unknown propagation \"sideways\" (expected shared, slave, "
			  "private or unbindable, or one of those with an r in front)");
	assert_refused_at(MIN ",'linux':{'maskedPaths':['proc/kcore']}}", "'proc/kcore'",
			  "linux.maskedPaths[0]: \"proc/kcore\" is not an absolute path");
	assert_refused_at(MIN ",'linux':{'personality':{'domain':'BSD'}}}", "'BSD'",
			  "linux.personality.domain: unknown domain \"BSD\" (expected LINUX or LINUX32)");
	assert_refused_at(MIN ",'mounts':[{'destination':'/x','type':'tmpfs','options':['']}]}", "[''",
			  "mounts[0].options: empty mount option");
	assert_refused_at("[1]", "[", "expected an object");
}

static void malformed_json_gives_janssons_place(void **state)
{
	(void)state;
	assert_refused("{\n  'ociVersion': '1.2.0',\n  'root': ,\n}",
		       "config.json:3:11: unexpected token near ','");
	assert_refused("{'ociVersion': '1.2.0'", "config.json:1:22: '}' expected near end of file");
	assert_refused("", "config.json:1:0: '[' or '{' expected near end of file");
	/* above 2^64-1 not even a uint64 holds it (jansson says where the
	 * token ends) */
	assert_refused(MIN ",'x':18446744073709551616}", "config.json:1:107: too big integer near "
		       "'18446744073709551616'");
}

static void missing_required_fields_are_named(void **state)
{
	(void)state;
	assert_refused("{'root':{'path':'r'},'process':{'args':['sh'],'cwd':'/'}}",
		       "config.json:1:1: ociVersion: required");
	assert_refused_at("{'ociVersion':'2.0.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/'}}",
			  "'2.0.0'", "ociVersion: version \"2.0.0\" is not supported (expected 1.x)");
	assert_refused("{'ociVersion':'1.0.2','process':{'args':['sh'],'cwd':'/'}}",
		       "config.json:1:1: root: required");
	/* a missing member points at the object it is missing from */
	assert_refused_at("{'ociVersion':'1.0.2','root':{'readonly':true},'process':{'args':['sh'],'cwd':'/'}}",
			  "{'readonly'", "root.path: required");
	assert_refused("{'ociVersion':'1.0.2','root':{'path':'r'}}", "config.json:1:1: process: required");
	assert_refused_at("{'ociVersion':'1.0.2','root':{'path':'r'},'process':{'cwd':'/'}}", "{'cwd'",
			  "process.args: required");
	assert_refused_at("{'ociVersion':'1.0.2','root':{'path':'r'},'process':{'args':[],'cwd':'/'}}", "[]",
			  "process.args: expected at least the program to run");
	assert_refused_at("{'ociVersion':'1.0.2','root':{'path':'r'},'process':{'args':['sh']}}", "{'args'",
			  "process.cwd: required");
	assert_refused_at("{'ociVersion':'1.0.2','root':{'path':'r'},'process':{'args':['sh'],'cwd':'tmp'}}",
			  "'tmp'", "process.cwd: \"tmp\" is not an absolute path");
	assert_refused_at(MIN ",'mounts':[{'type':'tmpfs'}]}", "{'type'", "mounts[0].destination: required");
	assert_refused_at(MIN ",'mounts':[{'destination':'/x'}]}", "{'destination'",
			  "mounts[0].type: required (unless the mount is a bind mount)");
	assert_refused_at(MIN ",'mounts':[{'destination':'/x','options':['bind']}]}", "{'destination'",
			  "mounts[0].source: required for a bind mount");
	assert_refused_at(MIN ",'linux':{'uidMappings':[{'containerID':0,'size':1}]}}", "{'containerID'",
			  "linux.uidMappings[0].hostID: required");
	assert_refused_at(MIN ",'hooks':{'prestart':[{'args':['x']}]}}", "{'args':['x']",
			  "hooks.prestart[0].path: required");
}

static void unknown_fields_are_ignored(void **state)
{
	struct iso_spec *spec = parse_ok(
		"{'ociVersion':'1.1.0','future':{'x':[1,2]},'windows':{'layerFolders':[]},'vm':{},"
		"'root':{'path':'/r','shiny':true},"
		"'process':{'args':['sh'],'cwd':'/','commandLine':'sh','user':{'username':'x'},'new':1},"
		"'linux':{'namespaces':[{'type':'pid','flavour':'x'}],'resources':{'memory':{'futureKnob':3}},"
		"'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
		"'action':'SCMP_ACT_ALLOW','includes':{'caps':['NOPE']},'excludes':{'arches':['amd64']}}],"
		"'archMap':[{'architecture':'SCMP_ARCH_X86_64','subArchitectures':['SCMP_ARCH_NOPE']}]},"
		"'zzz':null},'mounts':[{'destination':'/x','type':'tmpfs','hidden':1}],'hooks':{'later':[1]}}");

	(void)state;
	assert_string_equal(spec->root.path, "/r");
	assert_int_equal(spec->linux_.new_namespaces, CLONE_NEWPID);
	assert_int_equal(spec->n_mounts, 1);
	assert_string_equal(spec->mounts[0].source, "tmpfs");
	/* docker's archMap, includes and excludes are not OCI's */
	assert_int_equal(spec->linux_.seccomp->n_arches, 0);
	assert_int_equal(spec->linux_.seccomp->n_rules, 1);
	iso_spec_free(spec);
	/* null reads as absent, as Go's runtimes read it */
	spec = parse_ok(MIN ",'hostname':null,'linux':{'seccomp':null,'resources':{'memory':null}}}");
	assert_null(spec->hostname);
	assert_null(spec->linux_.seccomp);
	iso_spec_free(spec);
}

static void unsupported_features_are_errors(void **state)
{
	struct iso_spec *spec;

	(void)state;
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'ioPriority':{'class':'IOPRIO_CLASS_IDLE','priority':4}}}", "{'class'",
			  "process.ioPriority: not supported by isolate-oci");
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'scheduler':{'policy':'SCHED_OTHER'}}}", "{'policy'",
			  "process.scheduler: not supported by isolate-oci");
	assert_refused_at("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			  "'execCPUAffinity':{'final':'0'}}}", "{'final'",
			  "process.execCPUAffinity: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'timeOffsets':{'monotonic':{'secs':1}}}}", "{'monotonic'",
			  "linux.timeOffsets: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'memoryPolicy':{'mode':'MPOL_BIND'}}}", "{'mode'",
			  "linux.memoryPolicy: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'intelRdt':{'closID':'x'}}}", "{'closID'",
			  "linux.intelRdt: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'namespaces':[{'type':'time'}]}}", "'time'",
			  "linux.namespaces[0].type: the time namespace is not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'resources':{'network':{'classID':1048577}}}}", "{'classID'",
			  "linux.resources.network: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0,"
			  "'weight':10}]}}}}", "[{'major'", "linux.resources.blockIO.weightDevice: not "
			  "supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'resources':{'blockIO':{'throttleReadIOPSDevice':[{'major':8,"
			  "'minor':0,'rate':10}]}}}}", "[{'major'", "linux.resources.blockIO."
			  "throttleReadIOPSDevice: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'resources':{'cpu':{'realtimeRuntime':950000}}}}", "950000",
			  "linux.resources.cpu.realtimeRuntime: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'personality':{'domain':'LINUX','flags':['X']}}}", "['X']",
			  "linux.personality.flags: not supported by isolate-oci");
	assert_refused_at(MIN ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':"
			  "['SECCOMP_FILTER_FLAG_LOG']}}}", "'SECCOMP_FILTER_FLAG_LOG'", "linux.seccomp.flags[0]: "
			  "SECCOMP_FILTER_FLAG_LOG is not supported by isolate-oci");
	/* mappings other than the container's cannot be honoured */
	assert_refused_at(MIN ",'linux':{'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,"
			  "'hostID':1000,'size':1}],'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]},"
			  "'mounts':[{'destination':'/x','source':'/y','options':['rbind'],'uidMappings':"
			  "[{'containerID':0,'hostID':2000,'size':1}],'gidMappings':[{'containerID':0,"
			  "'hostID':1000,'size':1}]}]}", "[{'containerID':0,'hostID':2000",
			  "mounts[0].uidMappings: not supported by isolate-oci: an idmapped mount must have "
			  "the mappings of the container's new user namespace");
	assert_refused_at(MIN ",'mounts':[{'destination':'/x','source':'/y','options':['rbind','idmap']}]}",
			  "['rbind'", "mounts[0].options: an idmapped mount needs a user namespace");
	/* what asks for nothing is not refused: 0, {}, [] */
	spec = parse_ok(MIN ",'linux':{'resources':{'network':{},'rdma':{},'cpu':{'realtimeRuntime':0,"
			"'realtimePeriod':0},'blockIO':{'weightDevice':[],'leafWeight':0}},"
			"'personality':{'domain':'LINUX','flags':[]},'netDevices':{}}}");
	assert_int_equal(spec->personality, PER_LINUX);
	iso_spec_free(spec);
}

static void mounts_read_as_runc_reads_them(void **state)
{
	struct iso_spec *spec = parse_ok(
		MIN ",'mounts':[{'destination':'tmp','type':'tmpfs','source':'tmpfs','options':['mode=1777']},"
		"{'destination':'/etc/x','source':'files/x','options':['bind','ro']},"
		"{'destination':'/y','type':'none','source':'/srv/y','options':['rbind','ridmap']}],"
		"'linux':{'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]}}");

	(void)state;
	/* a relative destination is from /, a deprecated form still allowed */
	assert_string_equal(spec->mounts[0].destination, "/tmp");
	assert_string_equal(spec->mounts[0].type, "tmpfs");
	assert_string_equal(spec->mounts[0].options[0], "mode=1777");
	assert_string_equal(spec->mounts[1].type, "bind");
	assert_string_equal(spec->mounts[1].source, "/bundle/files/x");
	assert_string_equal(spec->mounts[2].type, "bind");
	/* ridmap, and a user namespace joined: no idmap added */
	assert_int_equal(strv_len(spec->mounts[2].options), 2);
	assert_int_equal(spec->linux_.new_namespaces, 0);
	assert_int_equal(spec->ns_paths[0].type, CLONE_NEWUSER);
	iso_spec_free(spec);
}

static void unknown_capabilities_are_warned_and_left_out(void **state)
{
	struct iso_spec *spec;

	(void)state;
	warnings[0] = '\0';
	iso_log_set_handler(keep_warning);
	spec = parse_ok("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/',"
			"'capabilities':{'bounding':['CAP_KILL','CAP_TELEPORT','NET_ADMIN'],'effective':[]}},"
			"'linux':{'resources':{'memory':{'kernel':1048576}}}}");
	iso_log_set_handler(NULL);
	assert_true(spec->process.has_caps);
	assert_int_equal(spec->process.caps.bounding, cap(CAP_KILL));
	assert_int_equal(spec->process.caps.effective, 0);
	assert_string_equal(warnings,
			    "config.json:1:117: process.capabilities.bounding[1]: unknown capability "
			    "\"CAP_TELEPORT\", left out\n"
			    "config.json:1:132: process.capabilities.bounding[2]: unknown capability "
			    "\"NET_ADMIN\", left out\n"
			    "config.json:1:203: linux.resources.memory.kernel: kernel memory limits are "
			    "deprecated and ignored\n");
	iso_spec_free(spec);
	/* no capabilities object: the sets are left as they are */
	spec = parse_ok(MIN "}");
	assert_false(spec->process.has_caps);
	iso_spec_free(spec);
}

static void seccomp_in_the_oci_form(void **state)
{
	struct iso_spec *spec = parse_ok(
		MIN ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
		"'architectures':['SCMP_ARCH_X86','SCMP_ARCH_X32'],'flags':['SECCOMP_FILTER_FLAG_TSYNC'],"
		"'syscalls':[{'names':['read','no_such_syscall_yet','write'],'action':'SCMP_ACT_ALLOW'},"
		"{'names':['only_unknown'],'action':'SCMP_ACT_ALLOW'},"
		"{'names':['mkdir'],'action':'SCMP_ACT_ERRNO'},"
		"{'names':['rmdir'],'action':'SCMP_ACT_ERRNO','errnoRet':13},"
		"{'names':['ioctl'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':18446744073709551615,"
		"'valueTwo':9223372036854775808,'op':'SCMP_CMP_MASKED_EQ'}]}]}}}");
	const struct iso_seccomp *s = spec->linux_.seccomp;

	(void)state;
	assert_int_equal(s->default_action, SCMP_ACT_ERRNO(ENOSYS));
	assert_int_equal(s->n_arches, 2);
	/* unknown names are skipped; a rule left with none goes */
	assert_int_equal(s->n_rules, 4);
	assert_int_equal(strv_len(s->rules[0].names), 2);
	assert_string_equal(s->rules[0].names[1], "write");
	/* a rule's ERRNO without errnoRet is EPERM, not defaultErrnoRet (runc) */
	assert_string_equal(s->rules[1].names[0], "mkdir");
	assert_int_equal(s->rules[1].action, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(s->rules[2].action, SCMP_ACT_ERRNO(EACCES));
	assert_int_equal(s->rules[3].n_args, 1);
	assert_true(s->rules[3].args[0].value == UINT64_MAX);
	assert_true(s->rules[3].args[0].value_two == 1ULL << 63);
	assert_int_equal(s->rules[3].args[0].op, SCMP_CMP_MASKED_EQ);
	iso_spec_free(spec);

#define SC MIN ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
	assert_refused_at(SC "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'},"
			  "{'names':['read'],'action':'SCMP_ACT_NOPE'}]}}}", "'SCMP_ACT_NOPE'",
			  "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_NOPE\"");
	assert_refused_at(SC "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
			  "'value':1,'op':'SCMP_CMP_ALMOST'}]}]}}}", "'SCMP_CMP_ALMOST'",
			  "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ALMOST\"");
	assert_refused_at(SC "'architectures':['SCMP_ARCH_X86','SCMP_ARCH_VAX']}}}", "'SCMP_ARCH_VAX'",
			  "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
	assert_refused_at(SC "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','errnoRet':1}]}}}",
			  "1}", "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW returns no errno");
	assert_refused_at(SC "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,"
			  "'value':1,'op':'SCMP_CMP_EQ'}]}]}}}", "6,", "linux.seccomp.syscalls[0].args[0].index: "
			  "expected 0 to 5");
	assert_refused_at(SC "'syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]}}}", "{'names'",
			  "linux.seccomp.syscalls[0]: no syscall names");
	assert_refused_at(SC "'flags':['SECCOMP_FILTER_FLAG_SOON']}}}", "'SECCOMP_FILTER_FLAG_SOON'",
			  "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_SOON\"");
	assert_refused_at(MIN ",'linux':{'seccomp':{'syscalls':[]}}}", "{'syscalls'",
			  "linux.seccomp.defaultAction: expected an action name");
	/* SCMP_ACT_NOTIFY's calls go to a listener, which must be named */
	assert_refused_at(SC "'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}}}",
			  "'SCMP_ACT_NOTIFY'", "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs "
			  "linux.seccomp.listenerPath");
	assert_refused_at(SC "'listenerPath':'run/a'}}}", "'run/a'",
			  "linux.seccomp.listenerPath: expected an absolute path");
	spec = parse_ok(SC "'listenerPath':'/run/a','listenerMetadata':'m',"
			"'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}}}");
	s = spec->linux_.seccomp;
	assert_string_equal(s->listener_path, "/run/a");
	assert_string_equal(s->listener_metadata, "m");
	assert_int_equal(s->rules[0].action, SCMP_ACT_NOTIFY);
	iso_spec_free(spec);
#undef SC
}

static void process_alone_for_exec(void **state)
{
	static const char good[] =
		"{'terminal':false,'args':['ps','aux'],'env':['A=1'],'cwd':'/work','user':{'uid':5,'gid':6},"
		"'capabilities':{'effective':['CAP_KILL']},'noNewPrivileges':true}";
	cleanup_free char *text = json(good);
	cleanup_free char *bad = json("{'args':['ps'],\n 'cwd': 7}");
	struct iso_process p;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_oci_process_parse(text, strlen(text), "process.json", &p, &err), 0);
	assert_string_equal(p.args[1], "aux");
	assert_string_equal(p.env[0], "A=1");
	assert_string_equal(p.cwd, "/work");
	assert_int_equal(p.user.uid, 5);
	assert_int_equal(p.user.gid, 6);
	assert_true(p.has_caps);
	assert_int_equal(p.caps.effective, cap(CAP_KILL));
	assert_true(p.no_new_privileges);
	assert_true(p.stdin_open);
	iso_process_clear(&p);
	assert_null(p.args);
	/* paths are from the process object; what was read goes with the error */
	assert_int_equal(iso_oci_process_parse(bad, strlen(bad), "process.json", &p, &err), -1);
	assert_string_equal(err.msg, "process.json:2:9: cwd: expected a string");
	assert_null(p.args);
}

static void resources_alone_for_update(void **state)
{
	cleanup_free char *text = json("{'memory':{'limit':1073741824,'swap':-1,'swappiness':"
				       "18446744073709551615},'cpu':{'shares':0,'quota':-1,'cpus':''},"
				       "'pids':{'limit':-5},'unified':{'io.max':'8:0 rbps=1'}}");
	cleanup_free char *bad = json("{'memory':{'limit':1073741824},\n'pids':{'limit':'many'}}");
	struct iso_resources r;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_oci_resources_parse(text, strlen(text), "r.json", &r, &err), 0);
	assert_int_equal(r.memory_limit, 1073741824);
	assert_int_equal(r.memory_swap, -1);
	/* docker's -1 as a uint64: swappiness not set */
	assert_true(r.memory_swappiness == ISO_UNSET);
	/* runc's zero is "not set" */
	assert_true(r.cpu_shares == ISO_UNSET);
	assert_int_equal(r.cpu_quota, -1);
	assert_null(r.cpuset_cpus);
	assert_int_equal(r.pids_limit, -1);
	assert_true(r.memory_reservation == ISO_UNSET && r.blkio_weight == ISO_UNSET);
	assert_string_equal(r.unified[1], "8:0 rbps=1");
	iso_resources_clear(&r);
	assert_null(r.unified);
	assert_int_equal(iso_oci_resources_parse(bad, strlen(bad), "r.json", &r, &err), -1);
	assert_string_equal(err.msg, "r.json:2:17: pids.limit: expected an integer");
	assert_true(r.memory_limit == ISO_UNSET);
}

static void load_reads_the_bundle(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *text = json(MIN "}");
	cleanup_free char *file = tmp_path(t, "config.json");
	cleanup_free char *rootfs = tmp_path(t, "rootfs");
	cleanup_free char *missing = tmp_path(t, "nothing");
	cleanup_free char *sub = tmp_path(t, "sub");
	cleanup_free char *roundabout = xasprintf("%s/sub/..", t->path);
	struct iso_spec *spec = NULL;
	struct iso_error err;

	write_file(file, text);
	assert_int_equal(mkdir(sub, 0755), 0);
	/* the bundle made absolute and real before root.path is joined to it */
	assert_int_equal(iso_oci_spec_load(roundabout, &spec, &err), 0);
	assert_string_equal(spec->root.path, rootfs);
	iso_spec_free(spec);
	assert_int_equal(iso_oci_spec_load(missing, &spec, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.msg, missing));
	write_file(file, "{\"ociVersion\": 1}");
	assert_int_equal(iso_oci_spec_load(t->path, &spec, &err), -1);
	assert_string_equal(err.msg, "config.json:1:16: ociVersion: expected a string");
}

/* The locator alone: paths that are not there, and the folding of big
 * numbers that keeps every place where it was. */
static void locator_and_folding(void **state)
{
	const char text[] = "{\"a\": [1, {\"b\": 18446744073709551615, \"c\\\"d\": [true]}], \"e\": \"18446744073709551615\"}";
	struct iso_jpath p = { 0 };
	cleanup_free char *folded = iso_json_fold_u64(text, strlen(text));
	char path[128];
	uint64_t v;
	int line, col;

	(void)state;
	iso_jpath_push_key(&p, "a");
	iso_jpath_push_index(&p, 1);
	iso_jpath_push_key(&p, "c\"d");
	iso_jpath_push_index(&p, 0);
	assert_int_equal(iso_json_locate(text, strlen(text), &p, &line, &col), 4);
	assert_int_equal(col, (int)(strstr(text, "true") - text) + 1);
	iso_jpath_format(&p, path, sizeof(path));
	assert_string_equal(path, "a[1][\"c\"d\"][0]");
	/* past the end of an array: the array's place */
	iso_jpath_pop(&p);
	iso_jpath_pop(&p);
	iso_jpath_pop(&p);
	iso_jpath_push_index(&p, 5);
	assert_int_equal(iso_json_locate(text, strlen(text), &p, &line, &col), 1);
	assert_int_equal(col, 7);
	/* the number in the object folded, the one in the string not */
	assert_non_null(folded);
	assert_int_equal(strlen(folded), strlen(text));
	assert_non_null(strstr(folded, "\"b\": -1                  ,"));
	assert_non_null(strstr(folded, "\"18446744073709551615\"}"));
	iso_jpath_pop(&p);
	iso_jpath_push_index(&p, 1);
	iso_jpath_push_key(&p, "b");
	assert_true(iso_json_big_u64(text, strlen(text), &p, &v));
	assert_true(v == UINT64_MAX);
	assert_null(iso_json_fold_u64("{\"a\": 9223372036854775807, \"b\": -9223372036854775808}", 53));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(podman_config_lands_everywhere),
		cmocka_unit_test(runc_spec_default_config),
		cmocka_unit_test(type_errors_name_the_path_and_the_place),
		cmocka_unit_test(type_errors_everywhere),
		cmocka_unit_test(malformed_json_gives_janssons_place),
		cmocka_unit_test(missing_required_fields_are_named),
		cmocka_unit_test(unknown_fields_are_ignored),
		cmocka_unit_test(unsupported_features_are_errors),
		cmocka_unit_test(mounts_read_as_runc_reads_them),
		cmocka_unit_test(unknown_capabilities_are_warned_and_left_out),
		cmocka_unit_test(seccomp_in_the_oci_form),
		cmocka_unit_test(process_alone_for_exec),
		cmocka_unit_test(resources_alone_for_update),
		cmocka_unit_test_setup_teardown(load_reads_the_bundle, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(locator_and_folding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
