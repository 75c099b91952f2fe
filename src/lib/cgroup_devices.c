/* The device rules of a container's cgroup: who may make (mknod), read or
 * write which device node.  On cgroup v1 the devices controller's
 * devices.deny and devices.allow; on cgroup v2 a BPF program of type
 * cgroup_device attached to the cgroup, which returns 1 to allow. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "util.h"

static void rule_text(const struct iso_device_rule *r, char *buf, size_t len)
{
	char major[24] = "*", minor[24] = "*";

	if (r->major >= 0)
		snprintf(major, sizeof(major), "%" PRId64, r->major);
	if (r->minor >= 0)
		snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
	if (r->type == 'a')
		snprintf(buf, len, "a");
	else
		snprintf(buf, len, "%c %s:%s %s", r->type, major, minor, r->access);
}

/* v1: everything denied, then the rules in order. */
static int apply_v1(const struct iso_cgroup *cg, int dir, const struct iso_resources *r,
		    struct iso_error *err)
{
	int i = iso_cg_index(cg, "devices");

	if (iso_cg_write(dir, "devices.deny", "a") < 0)
		return iso_error_set(err, errno, "cgroup: deny every device in %s/%s",
				     cg->layout->h[i].mount, cg->paths[i]);
	for (size_t k = 0; k < r->n_devices; k++) {
		char text[64];

		rule_text(&r->devices[k], text, sizeof(text));
		if (iso_cg_write(dir, r->devices[k].allow ? "devices.allow" : "devices.deny", text) < 0)
			return iso_error_set(err, errno, "cgroup: device rule \"%s\"", text);
	}
	return 0;
}

/* ---- v2: a small BPF program, one block of tests per rule ------------------ */

struct prog {
	struct bpf_insn insn[1024];
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n < sizeof(p->insn) / sizeof(p->insn[0]))
		p->insn[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	p->n++;
}

/* A jump to the end of the block that starts at BLOCK_END - filled in
 * once the block's length is known. */
static void emit_jne_next(struct prog *p, uint8_t reg, int32_t imm)
{
	emit(p, BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0 /* patched */, imm);
}

static uint32_t access_bits(const char *access)
{
	uint32_t bits = 0;

	bits |= strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0;
	bits |= strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0;
	bits |= strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0;
	return bits;
}

/* Registers: r2 device type, r3 access asked, r4 major, r5 minor (from
 * struct bpf_cgroup_dev_ctx in r1); the first rule that matches decides,
 * as on v1, and nothing matched is a refusal. */
static void build_program(struct prog *p, const struct iso_resources *r)
{
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);         /* access_type */
	emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);            /* type */
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);                /* access */
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);         /* major */
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);         /* minor */
	/* a later rule decides over an earlier one on v1's "a" resets; here
	 * the rules are walked last to first, the first match deciding */
	for (size_t k = r->n_devices; k-- > 0;) {
		const struct iso_device_rule *d = &r->devices[k];
		size_t start = p->n;

		if (d->type != 'a') {
			emit_jne_next(p, BPF_REG_2, d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
			/* every access asked must be among the rule's */
			emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_3, 0, 0);
			emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_6, 0, 0, (int32_t)~access_bits(d->access));
			emit_jne_next(p, BPF_REG_6, 0);
			if (d->major >= 0)
				emit_jne_next(p, BPF_REG_4, (int32_t)d->major);
			if (d->minor >= 0)
				emit_jne_next(p, BPF_REG_5, (int32_t)d->minor);
		}
		emit(p, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, d->allow ? 1 : 0);
		emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (size_t j = start; j < p->n && j < sizeof(p->insn) / sizeof(p->insn[0]); j++)
			if (BPF_OP(p->insn[j].code) == BPF_JNE && BPF_CLASS(p->insn[j].code) == BPF_JMP)
				p->insn[j].off = (int16_t)(p->n - j - 1);
		/* "a" matches everything: the rules before it never decide,
		 * and the verifier refuses code that cannot be reached */
		if (d->type == 'a')
			return;
	}
	emit(p, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int load_program(const struct prog *p, char *log, size_t log_size)
{
	union bpf_attr load = { 0 };

	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uint64_t)(uintptr_t)p->insn;
	load.insn_cnt = (uint32_t)p->n;
	load.license = (uint64_t)(uintptr_t)"GPL";
	if (log != NULL) {
		load.log_buf = (uint64_t)(uintptr_t)log;
		load.log_size = (uint32_t)log_size;
		load.log_level = 1;
	}
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
}

static int apply_v2(int dir, const struct iso_resources *r, struct iso_error *err)
{
	static struct prog p;
	static char log[65536];
	union bpf_attr attach = { 0 };
	cleanup_close int prog = -1;
	cleanup_close int target = -1;

	p.n = 0;
	build_program(&p, r);
	if (p.n > sizeof(p.insn) / sizeof(p.insn[0]))
		return iso_error_set(err, 0, "cgroup: too many device rules (%zu)", r->n_devices);
	prog = load_program(&p, NULL, 0);
	if (prog < 0) {
		int saved = errno;

		/* again, for the verifier's reason: its last line says it */
		log[0] = '\0';
		if (load_program(&p, log, sizeof(log)) < 0) {
			char *end = log + strlen(log);

			while (end > log && end[-1] == '\n')
				*--end = '\0';
			end = strrchr(log, '\n');
			return iso_error_set(err, saved, "cgroup: load the device program (%.200s)",
					     end ? end + 1 : log);
		}
		return iso_error_set(err, saved, "cgroup: load the device program");
	}
	target = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (target < 0)
		return iso_error_set(err, errno, "cgroup: open the container's cgroup");
	attach.target_fd = (uint32_t)target;
	attach.attach_bpf_fd = (uint32_t)prog;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
		return iso_error_set(err, errno, "cgroup: attach the device program");
	return 0;
}

int iso_cg_apply_devices(const struct iso_cgroup *cg, const struct iso_resources *r,
			 struct iso_error *err)
{
	int i;

	if (r->n_devices == 0)
		return 0;
	if (cg->layout->unified) {
		int dir = iso_cgroup_v2_dir(cg);

		/* without root no program can be attached; the kernel's own
		 * rules for a user namespace hold devices back there */
		return dir < 0 || geteuid() != 0 ? 0 : apply_v2(dir, r, err);
	}
	i = iso_cg_index(cg, "devices");
	if (i < 0 || cg->dirs[i] < 0)
		return 0;
	return apply_v1(cg, cg->dirs[i], r, err);
}
