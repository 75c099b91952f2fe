/* cgroup.h: the layout read from the mount table, and limits, stats and
 * OOM counts on a fake hierarchy of plain files (the real ones are tested
 * by tests/integration/cgroups.bats, on v1 here and on v2 in a VM). */
#include "helpers.h"

#include "cgroup.h"
#include "cgroup_int.h"
#include "spec.h"

/* This machine's hybrid layout, as /proc/self/mountinfo shows it. */
static const char hybrid_mountinfo[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
	"42 35 0:32 / /mnt/again rw,relatime - cgroup cgroup rw,memory\n";

static const char hybrid_cgroup[] =
	"9:name=systemd:/\n8:pids:/\n4:memory:/process_api/e36a\n3:cpuset:/\n"
	"2:cpuacct:/\n1:cpu:/\n0::/\n";

static void hybrid_layout_has_every_hierarchy_once(void **state)
{
	struct iso_cgroup_layout l;
	struct iso_error err;
	const struct iso_cgroup_hier *h;

	(void)state;
	assert_int_equal(iso_cgroup_layout_parse(hybrid_mountinfo, hybrid_cgroup, &l, &err), 0);
	assert_false(l.unified);
	assert_int_equal(l.n, 7);
	h = iso_cgroup_layout_find(&l, "memory");
	assert_non_null(h);
	assert_string_equal(h->mount, "/sys/fs/cgroup/memory");
	assert_string_equal(h->name, "memory");
	assert_string_equal(h->own, "/process_api/e36a");
	assert_false(h->v2);
	h = iso_cgroup_layout_find(&l, "pids");
	assert_string_equal(h->own, "/");
	assert_null(iso_cgroup_layout_find(&l, "io"));
	assert_string_equal(l.h[5].controllers, "name=systemd");
	assert_true(l.h[6].v2);
	assert_string_equal(l.h[6].name, "unified");
	iso_cgroup_layout_free(&l);
}

static void pure_v2_layout_finds_every_controller_in_it(void **state)
{
	static const char mi[] =
		"25 20 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
	struct iso_cgroup_layout l;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_cgroup_layout_parse(mi, "0::/user.slice/x.scope\n", &l, &err), 0);
	assert_true(l.unified);
	assert_int_equal(l.n, 1);
	assert_ptr_equal(iso_cgroup_layout_find(&l, "memory"), &l.h[0]);
	assert_ptr_equal(iso_cgroup_layout_find(&l, "io"), &l.h[0]);
	assert_string_equal(l.h[0].own, "/user.slice/x.scope");
	assert_string_equal(l.h[0].name, "cgroup");
	iso_cgroup_layout_free(&l);
}

static void comounted_v1_controllers_share_a_hierarchy(void **state)
{
	static const char mi[] =
		"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
		"33 31 0:30 /sub /var/view rw - cgroup cgroup rw,pids\n";
	struct iso_cgroup_layout l;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_cgroup_layout_parse(mi, "3:cpu,cpuacct:/a\n", &l, &err), 0);
	/* a view from below a hierarchy's root is not a hierarchy */
	assert_int_equal(l.n, 1);
	assert_ptr_equal(iso_cgroup_layout_find(&l, "cpu"), iso_cgroup_layout_find(&l, "cpuacct"));
	assert_string_equal(l.h[0].own, "/a");
	assert_string_equal(l.h[0].name, "cpu,cpuacct");
	assert_null(iso_cgroup_layout_find(&l, "pids"));
	iso_cgroup_layout_free(&l);
}

static void a_hierarchy_mounted_over_is_not_used(void **state)
{
	static const char mi[] =
		"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
		"90 41 0:90 / /sys/fs/cgroup/unified rw - tmpfs bench rw\n"
		"91 35 0:91 / /sys/fs/cgroup/memory2 rw - tmpfs other rw\n";
	struct iso_cgroup_layout l;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_cgroup_layout_parse(mi, "", &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.h[0].name, "memory");
	assert_string_equal(l.h[1].name, "pids");
	iso_cgroup_layout_free(&l);
	/* a tmpfs over the whole directory hides every hierarchy below it */
	assert_int_equal(iso_cgroup_layout_parse("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
						 "92 31 0:92 / /sys/fs/cgroup rw - tmpfs t rw\n", "", &l, &err), 0);
	assert_int_equal(l.n, 0);
	iso_cgroup_layout_free(&l);
}

static void no_cgroups_no_layout(void **state)
{
	struct iso_cgroup_layout l;
	struct iso_error err;

	(void)state;
	assert_int_equal(iso_cgroup_layout_parse("1 0 0:1 / / rw - ext4 /dev/vda rw\n", "", &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_false(l.unified);
	iso_cgroup_layout_free(&l);
}

static void plan_places_the_container_under_its_parent(void **state)
{
	struct iso_cgroup_layout l;
	struct iso_cgroup cg;
	struct iso_error err;
	cleanup_free char *record = NULL;

	(void)state;
	assert_int_equal(iso_cgroup_layout_parse(hybrid_mountinfo, hybrid_cgroup, &l, &err), 0);
	assert_int_equal(iso_cgroup_plan(&cg, &l, NULL, "abc", true, &err), 0);
	assert_string_equal(cg.paths[3], "isolate/abc");
	iso_cgroup_destroy(&cg);
	assert_int_equal(iso_cgroup_plan(&cg, &l, "/a//b/", "abc", true, &err), 0);
	assert_string_equal(cg.paths[0], "a/b/abc");
	record = iso_cgroup_record(&cg);
	assert_non_null(strstr(record, "/sys/fs/cgroup/memory\ta/b/abc\n"));
	iso_cgroup_destroy(&cg);
	/* without root: below the caller's own cgroup */
	assert_int_equal(iso_cgroup_plan(&cg, &l, NULL, "abc", false, &err), 0);
	assert_string_equal(cg.paths[3], "process_api/e36a/isolate/abc");
	assert_string_equal(cg.paths[4], "isolate/abc");
	iso_cgroup_destroy(&cg);
	assert_int_equal(iso_cgroup_plan(&cg, &l, "../x", "abc", true, &err), -1);
	assert_non_null(strstr(err.msg, "\"..\""));
	/* one line per hierarchy in the record: no newline or tab in a parent */
	assert_int_equal(iso_cgroup_plan(&cg, &l, "a\nb", "abc", true, &err), -1);
	assert_non_null(strstr(err.msg, "control characters"));
	assert_int_equal(iso_cgroup_parent_check("a\tb", &err), -1);
	assert_int_equal(iso_cgroup_parent_check("a/b", &err), 0);
	iso_cgroup_layout_free(&l);
}

/* Writes CONTENT to the file named by the format. */
static void __attribute__((format(printf, 2, 3))) put_file(const char *content, const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	assert_true(vasprintf(&path, fmt, ap) >= 0);
	va_end(ap);
	write_file(path, content);
	free(path);
}

/* A fake hierarchy per controller under the test's directory, the
 * container's cgroup made with the files the kernel would show. */
struct fake {
	struct iso_cgroup_layout layout;
	struct iso_cgroup cg;
};

static void fake_make(struct fake *f, const struct tmpdir *t, bool v2, const char *const *files)
{
	static const char *const v1_controllers[] = { "memory", "cpu", "cpuacct", "cpuset", "pids", "blkio" };
	char *mi = xstrdup("");
	struct iso_error err;

	for (size_t i = 0; i < (v2 ? 1 : 6); i++) {
		const char *name = v2 ? "unified" : v1_controllers[i];
		cleanup_free char *dir = tmp_path(t, name);
		char *next;

		assert_int_equal(mkdir(dir, 0755), 0);
		next = v2 ? xasprintf("%s1 0 0:1 / %s rw - cgroup2 cgroup2 rw\n", mi, dir)
			  : xasprintf("%s1 0 0:1 / %s rw - cgroup cgroup rw,%s\n", mi, dir, name);
		free(mi);
		mi = next;
	}
	assert_int_equal(iso_cgroup_layout_parse(mi, "", &f->layout, &err), 0);
	free(mi);
	assert_int_equal(iso_cgroup_plan(&f->cg, &f->layout, "p", "c1", true, &err), 0);
	for (size_t i = 0; i < f->layout.n; i++) {
		cleanup_free char *parent = xasprintf("%s/p", f->layout.h[i].mount);
		cleanup_free char *leaf = xasprintf("%s/p/c1", f->layout.h[i].mount);

		assert_int_equal(mkdir(parent, 0755), 0);
		assert_int_equal(mkdir(leaf, 0755), 0);
		for (size_t k = 0; files[k] != NULL; k++) {
			cleanup_free char *file = xasprintf("%s/%s", leaf, files[k]);

			write_file(file, "");
		}
		f->cg.dirs[i] = open(leaf, O_PATH | O_DIRECTORY | O_CLOEXEC);
		assert_true(f->cg.dirs[i] >= 0);
	}
	f->cg.any = true;
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->layout.n; i++)
		close(f->cg.dirs[i]);
	strv_free(f->cg.paths);
	free(f->cg.dirs);
	iso_cgroup_layout_free(&f->layout);
}

#define assert_file(f, ctl, file, want) check_file(__FILE__, __LINE__, f, ctl, file, want)

static void check_file(const char *file, int line, const struct fake *f, const char *ctl,
		       const char *name, const char *want)
{
	int i = iso_cg_index(&f->cg, ctl);
	cleanup_free char *got = NULL;

	_assert_true(i >= 0, "controller", file, line);
	got = iso_cg_read(f->cg.dirs[i], name);
	_assert_string_equal(got ? got : "(missing)", want, file, line);
}

static struct iso_resources all_limits(struct iso_spec *spec)
{
	struct iso_resources r = spec->linux_.resources;
	static struct iso_throttle rd = { 8, 0, 1048576 }, wr = { 8, 16, 2097152 };
	static char cpus[] = "0", mems[] = "0";

	r.memory_limit = 64 << 20;
	r.memory_reservation = 32 << 20;
	r.cpu_shares = 1024;
	r.cpu_quota = 50000;
	r.cpu_period = 100000;
	r.cpuset_cpus = cpus;
	r.cpuset_mems = mems;
	r.pids_limit = 64;
	r.blkio_weight = 500;
	r.read_bps = &rd;
	r.n_read_bps = 1;
	r.write_bps = &wr;
	r.n_write_bps = 1;
	return r;
}

static void v1_limits_land_in_v1_files(void **state)
{
	static const char *const files[] = {
		"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
		"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpuset.cpus", "cpuset.mems",
		"pids.max", "blkio.weight", "blkio.throttle.read_bps_device",
		"blkio.throttle.write_bps_device", NULL,
	};
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources r = all_limits(spec);
	struct fake f;
	struct iso_error err;

	fake_make(&f, *state, false, files);
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	assert_file(&f, "memory", "memory.limit_in_bytes", "67108864");
	assert_file(&f, "memory", "memory.memsw.limit_in_bytes", "134217728");
	assert_file(&f, "memory", "memory.soft_limit_in_bytes", "33554432");
	assert_file(&f, "cpu", "cpu.shares", "1024");
	assert_file(&f, "cpu", "cpu.cfs_period_us", "100000");
	assert_file(&f, "cpu", "cpu.cfs_quota_us", "50000");
	assert_file(&f, "cpuset", "cpuset.cpus", "0");
	assert_file(&f, "pids", "pids.max", "64");
	assert_file(&f, "blkio", "blkio.weight", "500");
	assert_file(&f, "blkio", "blkio.throttle.read_bps_device", "8:0 1048576");
	assert_file(&f, "blkio", "blkio.throttle.write_bps_device", "8:16 2097152");
	fake_free(&f);
	iso_spec_free(spec);
}

static void v2_limits_land_in_v2_files(void **state)
{
	static const char *const files[] = {
		"memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max", "cpuset.cpus",
		"cpuset.mems", "pids.max", "io.weight", "io.max", NULL,
	};
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources r = all_limits(spec);
	struct fake f;
	struct iso_error err;

	fake_make(&f, *state, true, files);
	put_file("cpuset cpu io memory pids\n", "%s/p/c1/cgroup.controllers", f.layout.h[0].mount);
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	assert_file(&f, "memory", "memory.max", "67108864");
	assert_file(&f, "memory", "memory.swap.max", "67108864");
	assert_file(&f, "memory", "memory.low", "33554432");
	assert_file(&f, "cpu", "cpu.weight", "39");
	assert_file(&f, "cpu", "cpu.max", "50000 100000");
	assert_file(&f, "cpuset", "cpuset.mems", "0");
	assert_file(&f, "pids", "pids.max", "64");
	assert_file(&f, "io", "io.weight", "default 4950");
	/* io.max takes one line per write: the file keeps the last here */
	assert_file(&f, "io", "io.max", "8:16 wbps=2097152");
	r = spec->linux_.resources;
	r.pids_limit = -1;
	r.memory_limit = 64 << 20;
	r.memory_swap = -1;
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	assert_file(&f, "pids", "pids.max", "max");
	assert_file(&f, "memory", "memory.swap.max", "max");
	fake_free(&f);
	iso_spec_free(spec);
}

/* OCI's swappiness (v1), hugepageLimits and unified (v2 files by name). */
static void oci_extra_limits_land_where_they_belong(void **state)
{
	static const char *const v1_files[] = { "memory.swappiness", NULL };
	static const char *const v2_files[] = {
		"hugetlb.2MB.max", "memory.high", "cgroup.max.depth", NULL,
	};
	static struct iso_hugepage_limit huge = { "2MB", 4194304 };
	static char *unified_kv[] = { "memory.high", "100000000", "cgroup.max.depth", "3", NULL };
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources r = spec->linux_.resources;
	struct fake f;
	struct iso_error err;

	r.memory_swappiness = 10;
	fake_make(&f, *state, false, v1_files);
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	assert_file(&f, "memory", "memory.swappiness", "10");
	/* unified on a v1 host is refused, not skipped */
	r.unified = unified_kv;
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), -1);
	assert_non_null(strstr(err.msg, "needs a cgroup v2 host"));
	fake_free(&f);
	tmpdir_teardown(state);
	assert_int_equal(tmpdir_setup(state), 0);

	r = spec->linux_.resources;
	r.hugepages = &huge;
	r.n_hugepages = 1;
	r.unified = unified_kv;
	fake_make(&f, *state, true, v2_files);
	put_file("hugetlb memory\n", "%s/p/c1/cgroup.controllers", f.layout.h[0].mount);
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	assert_file(&f, "hugetlb", "hugetlb.2MB.max", "4194304");
	assert_file(&f, "memory", "memory.high", "100000000");
	assert_file(&f, "memory", "cgroup.max.depth", "3");
	assert_true(iso_resources_any(&r));
	fake_free(&f);
	iso_spec_free(spec);
}

static void a_missing_file_names_the_controller(void **state)
{
	static const char *const files[] = { "memory.limit_in_bytes", NULL };
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources r = spec->linux_.resources;
	struct fake f;
	struct iso_error err;

	fake_make(&f, *state, false, files);
	r.memory_limit = 64 << 20;
	/* no memsw file (swap accounting off): docker's default swap is skipped */
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	r.memory_swap = 128 << 20;
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), -1);
	assert_non_null(strstr(err.msg, "memory+swap limit"));
	assert_non_null(strstr(err.msg, "memory.memsw.limit_in_bytes"));
	f.cg.ignore_missing = true;
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), 0);
	fake_free(&f);
	iso_spec_free(spec);
}

static void v2_controller_not_enabled_is_named(void **state)
{
	static const char *const files[] = { "pids.max", NULL };
	struct iso_spec *spec = iso_spec_new();
	struct iso_resources r = spec->linux_.resources;
	struct fake f;
	struct iso_error err;

	fake_make(&f, *state, true, files);
	put_file("memory\n", "%s/p/c1/cgroup.controllers", f.layout.h[0].mount);
	r.pids_limit = 10;
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), -1);
	assert_non_null(strstr(err.msg, "the pids controller is not enabled"));
	r = spec->linux_.resources;
	r.disable_oom_killer = true;
	assert_int_equal(iso_cg_apply(&f.cg, &r, &err), -1);
	assert_non_null(strstr(err.msg, "cannot disable the OOM killer"));
	fake_free(&f);
	iso_spec_free(spec);
}

static void stats_read_the_same_on_v1_and_v2(void **state)
{
	static const char *const none[] = { NULL };
	struct tmpdir *t = *state;
	struct fake f;
	struct iso_cgroup_stats st;
	char *leaf;

	fake_make(&f, t, true, none);
	leaf = xasprintf("%s/p/c1", f.layout.h[0].mount);
	put_file("usage_usec 1500\nuser_usec 1000\n", "%s/cpu.stat", leaf);
	put_file("4096\n", "%s/memory.current", leaf);
	put_file("8192\n", "%s/memory.peak", leaf);
	put_file("3\n", "%s/pids.current", leaf);
	put_file("8:0 rbytes=100 wbytes=200 rios=1 wios=2\n8:16 rbytes=1 wbytes=2 rios=1 wios=1\n", "%s/io.stat", leaf);
	put_file("low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n", "%s/memory.events", leaf);
	iso_cgroup_stats(&f.cg, &st);
	assert_int_equal(st.cpu_usage_ns, 1500000);
	assert_int_equal(st.memory_current, 4096);
	assert_int_equal(st.memory_peak, 8192);
	assert_int_equal(st.pids_current, 3);
	assert_int_equal(st.io_read_bytes, 101);
	assert_int_equal(st.io_write_bytes, 202);
	assert_int_equal(iso_cgroup_oom_kills(&f.cg), 2);
	free(leaf);
	fake_free(&f);
}

static void stats_v1(void **state)
{
	static const char *const none[] = { NULL };
	struct tmpdir *t = *state;
	struct fake f;
	struct iso_cgroup_stats st;

	fake_make(&f, t, false, none);
	put_file("123456789\n", "%s/cpuacct/p/c1/cpuacct.usage", t->path);
	put_file("4096\n", "%s/memory/p/c1/memory.usage_in_bytes", t->path);
	put_file("8192\n", "%s/memory/p/c1/memory.max_usage_in_bytes", t->path);
	put_file("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", "%s/memory/p/c1/memory.oom_control", t->path);
	put_file("2\n", "%s/pids/p/c1/pids.current", t->path);
	put_file("254:0 Read 4096\n254:0 Write 512\n254:0 Sync 0\n254:0 Total 4608\nTotal 4608\n", "%s/blkio/p/c1/blkio.throttle.io_service_bytes_recursive", t->path);
	iso_cgroup_stats(&f.cg, &st);
	assert_int_equal(st.cpu_usage_ns, 123456789);
	assert_int_equal(st.memory_current, 4096);
	assert_int_equal(st.memory_peak, 8192);
	assert_int_equal(st.pids_current, 2);
	assert_int_equal(st.io_read_bytes, 4096);
	assert_int_equal(st.io_write_bytes, 512);
	assert_int_equal(iso_cgroup_oom_kills(&f.cg), 1);
	fake_free(&f);
}

static void unaccounted_stats_are_minus_one(void **state)
{
	struct iso_cgroup cg = { 0 };
	struct iso_cgroup_stats st;

	(void)state;
	iso_cgroup_stats(&cg, &st);
	assert_int_equal(st.cpu_usage_ns, -1);
	assert_int_equal(st.memory_peak, -1);
	assert_int_equal(iso_cgroup_oom_kills(&cg), 0);
}

static void a_record_never_removes_a_hierarchy_root(void **state)
{
	struct tmpdir *t = *state;
	cleanup_free char *record = xasprintf("%s\t/\n%s\t..\nnot-absolute\tabc\n%s\tp/abc\n%s\tp/other\n",
					      t->path, t->path, t->path, t->path);
	cleanup_free char *abc = tmp_path(t, "p/abc");
	cleanup_free char *other = tmp_path(t, "p/other");
	cleanup_free char *p = tmp_path(t, "p");
	struct stat st;

	/* neither a hierarchy's root, nor another container's cgroup, nor a
	 * directory that is not on a cgroup filesystem */
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(mkdir(abc, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	iso_cgroup_destroy_record(record, "abc");
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(stat(abc, &st), 0);
	assert_int_equal(stat(other, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hybrid_layout_has_every_hierarchy_once),
		cmocka_unit_test(pure_v2_layout_finds_every_controller_in_it),
		cmocka_unit_test(comounted_v1_controllers_share_a_hierarchy),
		cmocka_unit_test(a_hierarchy_mounted_over_is_not_used),
		cmocka_unit_test(no_cgroups_no_layout),
		cmocka_unit_test(plan_places_the_container_under_its_parent),
		cmocka_unit_test_setup_teardown(v1_limits_land_in_v1_files, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(v2_limits_land_in_v2_files, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(oci_extra_limits_land_where_they_belong, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(a_missing_file_names_the_controller, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(v2_controller_not_enabled_is_named, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(stats_read_the_same_on_v1_and_v2, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(stats_v1, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(unaccounted_stats_are_minus_one),
		cmocka_unit_test_setup_teardown(a_record_never_removes_a_hierarchy_root, tmpdir_setup, tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
