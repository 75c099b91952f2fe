/* Seccomp profiles in JSON, into the model of secfilter.h: docker's
 * format (iso_seccomp_from_json) and, through secfilter_int.h, OCI's
 * linux.seccomp, which has the same shape. */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "caps.h"
#include "log.h"
#include "secfilter.h"
#include "secfilter_int.h"
#include "util.h"

typedef struct iso_seccomp_loader loader;

/* The message, for the value at LD->path: docker's as it always was,
 * OCI's with the file's line and column. */
static int vfail(loader *ld, const char *fmt, va_list ap)
{
	char where[256], msg[512];

	if (ld->oci)
		return iso_json_verror(ld->err, ld->text, ld->len, ld->source, &ld->path, fmt, ap);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	iso_jpath_format(&ld->path, where, sizeof(where));
	return iso_error_set(ld->err, 0, "seccomp profile %s: %s: %s", ld->source,
			     where[0] != '\0' ? where : "(top)", msg);
}

static __attribute__((format(printf, 2, 3))) int fail(loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ld, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same, about member KEY of the value at LD->path. */
static __attribute__((format(printf, 3, 4))) int fail_at(loader *ld, const char *key,
							 const char *fmt, ...)
{
	va_list ap;

	iso_jpath_push_key(&ld->path, key);
	va_start(ap, fmt);
	vfail(ld, fmt, ap);
	va_end(ap);
	return -1;
}

struct shown { char s[64]; };

static struct shown show(const char *s)
{
	struct shown out;

	iso_printable(s ? s : "(none)", out.s, sizeof(out.s));
	return out;
}

static const struct { const char *name; uint32_t action; bool takes_errno; } actions[] = {
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(EPERM), true },
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(EPERM), true },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
};

/* OBJ's ACTION_KEY with its ERRNO_KEY (DEFAULT_ERRNO when not given). */
static int parse_action(loader *ld, json_t *obj, const char *action_key, const char *errno_key,
			uint32_t default_errno, uint32_t *out)
{
	const char *name = json_string_value(json_object_get(obj, action_key));
	json_t *errno_ret = json_object_get(obj, errno_key);
	bool has_errno = errno_ret != NULL && !json_is_null(errno_ret);
	json_int_t e = default_errno;

	if (name == NULL)
		return fail_at(ld, action_key, "expected an action name");
	if (has_errno) {
		if (!json_is_integer(errno_ret) || json_integer_value(errno_ret) < 0 ||
		    json_integer_value(errno_ret) > 65535)
			return fail_at(ld, errno_key, "expected an errno number");
		e = json_integer_value(errno_ret);
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name) != 0)
			continue;
		/* the OCI spec: an errno for an action that returns none fails */
		if (ld->oci && has_errno && !actions[i].takes_errno)
			return fail_at(ld, errno_key, "%s returns no errno", name);
		*out = actions[i].takes_errno
		       ? (actions[i].action & ~(uint32_t)0xffff) | ((uint32_t)e & 0xffff) : actions[i].action;
		return 0;
	}
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0 && ld->listener && !has_errno) {
		*out = SCMP_ACT_NOTIFY;
		return 0;
	}
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return fail_at(ld, action_key, ld->oci ? "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"
						       : "SCMP_ACT_NOTIFY needs a listener, which isolate does not have");
	return fail_at(ld, action_key, "unknown action \"%s\"", show(name).s);
}

static const struct { const char *name; int op; } ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* A uint64 value.  jansson holds up to 2^63-1: in OCI's form a bigger one
 * was folded (jsonpos.h) and is read back from the text; docker's form
 * reads a negative number as its two's complement, as it always has. */
static int get_u64(loader *ld, json_t *obj, const char *key, bool required, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if ((v == NULL || json_is_null(v)) && !required)
		return 0;
	if (!json_is_integer(v))
		return fail_at(ld, key, "expected a number");
	*out = (uint64_t)json_integer_value(v);
	if (!ld->oci || json_integer_value(v) >= 0)
		return 0;
	iso_jpath_push_key(&ld->path, key);
	if (!iso_json_big_u64(ld->text, ld->len, &ld->path, out))
		return fail(ld, "expected a number from 0 to %llu", (unsigned long long)UINT64_MAX);
	iso_jpath_pop(&ld->path);
	return 0;
}

static int parse_arg(loader *ld, json_t *a, struct iso_seccomp_arg *out)
{
	json_t *index = json_object_get(a, "index");
	const char *op = json_string_value(json_object_get(a, "op"));

	if (!json_is_object(a))
		return fail(ld, "expected an object");
	if (!json_is_integer(index) || json_integer_value(index) < 0 || json_integer_value(index) > 5)
		return fail_at(ld, "index", "expected 0 to 5");
	out->index = (unsigned int)json_integer_value(index);
	if (get_u64(ld, a, "value", true, &out->value) < 0 ||
	    get_u64(ld, a, "valueTwo", false, &out->value_two) < 0)
		return -1;
	for (size_t i = 0; op != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, op) == 0) {
			out->op = ops[i].op;
			return 0;
		}
	return fail_at(ld, "op", "unknown operator \"%s\"", show(op).s);
}

/* docker's names of architectures in includes/excludes: this machine's. */
static bool arch_listed(json_t *arches)
{
	size_t i;
	json_t *v;

	json_array_foreach(arches, i, v) {
		const char *a = json_string_value(v);

		if (a != NULL && (strcmp(a, "amd64") == 0 || strcmp(a, "x86_64") == 0))
			return true;
	}
	return false;
}

/* Every capability of the list is the container's. */
static int caps_all_held(loader *ld, json_t *caps, bool *held)
{
	size_t i;
	json_t *v;

	*held = true;
	json_array_foreach(caps, i, v) {
		uint64_t bits;

		if (!json_is_string(v) || iso_caps_parse(json_string_value(v), &bits, ld->err) < 0)
			return fail_at(ld, "caps", "expected capability names");
		if ((ld->caps & bits) != bits)
			*held = false;
	}
	return 0;
}

static bool kernel_at_least(const char *min)
{
	struct utsname u;
	unsigned int a = 0, b = 0, x = 0, y = 0;

	if (min == NULL || uname(&u) < 0 || sscanf(min, "%u.%u", &a, &b) < 1)
		return true;
	sscanf(u.release, "%u.%u", &x, &y);
	return x > a || (x == a && y >= b);
}

/* docker: whether a rule applies to this container (all its includes
 * hold, none of its excludes does). */
static int applies(loader *ld, json_t *rule, bool *yes)
{
	json_t *inc = json_object_get(rule, "includes"), *exc = json_object_get(rule, "excludes");
	bool held;

	*yes = true;
	if (json_is_object(inc)) {
		json_t *arches = json_object_get(inc, "arches");

		if (json_array_size(arches) > 0 && !arch_listed(arches))
			*yes = false;
		iso_jpath_push_key(&ld->path, "includes");
		if (caps_all_held(ld, json_object_get(inc, "caps"), &held) < 0)
			return -1;
		iso_jpath_pop(&ld->path);
		if (json_array_size(json_object_get(inc, "caps")) > 0 && !held)
			*yes = false;
		if (!kernel_at_least(json_string_value(json_object_get(inc, "minKernel"))))
			*yes = false;
	}
	if (json_is_object(exc)) {
		json_t *arches = json_object_get(exc, "arches");

		if (json_array_size(arches) > 0 && arch_listed(arches))
			*yes = false;
		iso_jpath_push_key(&ld->path, "excludes");
		if (caps_all_held(ld, json_object_get(exc, "caps"), &held) < 0)
			return -1;
		iso_jpath_pop(&ld->path);
		if (json_array_size(json_object_get(exc, "caps")) > 0 && held)
			*yes = false;
	}
	return 0;
}

/* One name of a rule: an unknown one is an error in docker's form, and
 * skipped in OCI's, as runc does (the profile may be newer than
 * libseccomp).  Returns 1 when it was skipped. */
static int add_name(loader *ld, const char *name, char ***names)
{
	if (name == NULL)
		return fail(ld, "expected a syscall name");
	if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR) {
		strv_push(names, name);
		return 0;
	}
	if (!ld->oci)
		return fail(ld, "unknown syscall \"%s\"", show(name).s);
	iso_log(ISO_LOG_DEBUG, "seccomp: syscall %s is unknown to libseccomp, skipped", show(name).s);
	return 1;
}

/* The rule's names into *NAMES; *SKIPPED counts those left out. */
static int parse_names(loader *ld, json_t *rule, char ***names, size_t *skipped)
{
	json_t *list = json_object_get(rule, "names"), *one = json_object_get(rule, "name");
	size_t i;
	json_t *v;

	*names = xcalloc(1, sizeof(char *));
	*skipped = 0;
	if (!ld->oci && json_is_string(one))
		strv_push(names, json_string_value(one));
	if (list != NULL && !json_is_null(list) && !json_is_array(list))
		return fail_at(ld, "names", "expected an array of syscall names");
	json_array_foreach(list, i, v) {
		int r;

		iso_jpath_push_key(&ld->path, "names");
		iso_jpath_push_index(&ld->path, i);
		r = add_name(ld, json_string_value(v), names);
		if (r < 0)
			return -1;
		*skipped += (size_t)r;
		iso_jpath_pop(&ld->path);
		iso_jpath_pop(&ld->path);
	}
	if ((*names)[0] == NULL && *skipped == 0)
		return fail(ld, "no syscall names");
	return 0;
}

static int parse_args(loader *ld, json_t *rule, struct iso_seccomp_rule *r)
{
	json_t *args = json_object_get(rule, "args"), *a;
	size_t k;

	if (args != NULL && !json_is_null(args) && (!json_is_array(args) || json_array_size(args) > 6))
		return fail_at(ld, "args", "expected at most 6 conditions");
	r->args = xcalloc(json_array_size(args) + 1, sizeof(*r->args));
	json_array_foreach(args, k, a) {
		iso_jpath_push_key(&ld->path, "args");
		iso_jpath_push_index(&ld->path, k);
		if (parse_arg(ld, a, &r->args[r->n_args++]) < 0)
			return -1;
		iso_jpath_pop(&ld->path);
		iso_jpath_pop(&ld->path);
	}
	return 0;
}

static int parse_rule(loader *ld, struct iso_seccomp *s, json_t *rule, uint32_t default_errno)
{
	struct iso_seccomp_rule r = { 0 };
	bool yes = true;
	size_t skipped;
	int ret = -1;

	if (!json_is_object(rule))
		return fail(ld, "expected an object");
	if (parse_names(ld, rule, &r.names, &skipped) < 0 ||
	    parse_action(ld, rule, "action", "errnoRet", default_errno, &r.action) < 0 ||
	    (!ld->oci && applies(ld, rule, &yes) < 0) || parse_args(ld, rule, &r) < 0)
		goto out;
	ret = 0;
	/* a rule whose every name was skipped has nothing left to match */
	if (!yes || r.names[0] == NULL)
		goto out;
	s->rules = xrealloc(s->rules, (s->n_rules + 1) * sizeof(*s->rules));
	s->rules[s->n_rules++] = r;
	return 0;
out:
	strv_free(r.names);
	free(r.args);
	return ret;
}

static int add_arch(loader *ld, struct iso_seccomp *s, json_t *v)
{
	const char *name = json_string_value(v);
	uint32_t arch = name && strncmp(name, "SCMP_ARCH_", 10) == 0 ? seccomp_arch_resolve_name(name + 10) : 0;
	cleanup_free char *lower = NULL;

	if (name != NULL && arch == 0 && strncmp(name, "SCMP_ARCH_", 10) == 0) {
		lower = xstrdup(name + 10);
		for (char *p = lower; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		arch = seccomp_arch_resolve_name(lower);
	}
	if (arch == 0)
		return fail(ld, "unknown architecture \"%s\"", show(name).s);
	if (arch == seccomp_arch_native())
		return 0;
	s->arches = xrealloc(s->arches, (s->n_arches + 1) * sizeof(uint32_t));
	s->arches[s->n_arches++] = arch;
	return 0;
}

static int add_arches(loader *ld, struct iso_seccomp *s, json_t *obj, const char *key)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(obj, key), i, v) {
		iso_jpath_push_key(&ld->path, key);
		iso_jpath_push_index(&ld->path, i);
		if (add_arch(ld, s, v) < 0)
			return -1;
		iso_jpath_pop(&ld->path);
		iso_jpath_pop(&ld->path);
	}
	return 0;
}

/* "architectures": a list; docker's "archMap": this machine's entry and
 * its sub-architectures. */
static int parse_arches(loader *ld, struct iso_seccomp *s, json_t *root)
{
	json_t *list = json_object_get(root, "architectures"), *v;
	size_t i;

	if (list != NULL && !json_is_null(list) && !json_is_array(list))
		return fail_at(ld, "architectures", "expected an array");
	if (add_arches(ld, s, root, "architectures") < 0)
		return -1;
	if (ld->oci)
		return 0;
	json_array_foreach(json_object_get(root, "archMap"), i, v) {
		const char *arch = json_string_value(json_object_get(v, "architecture"));

		if (arch == NULL || strcmp(arch, "SCMP_ARCH_X86_64") != 0)
			continue;
		iso_jpath_push_key(&ld->path, "archMap");
		iso_jpath_push_index(&ld->path, i);
		if (add_arches(ld, s, v, "subArchitectures") < 0)
			return -1;
		iso_jpath_pop(&ld->path);
		iso_jpath_pop(&ld->path);
	}
	return 0;
}

int iso_seccomp_load_profile(loader *ld, json_t *root, struct iso_seccomp *s)
{
	json_t *errno_ret = json_object_get(root, "defaultErrnoRet");
	json_t *syscalls = json_object_get(root, "syscalls");
	uint32_t rule_errno = EPERM;
	size_t i;
	json_t *rule;

	if (!json_is_object(root))
		return fail(ld, "expected an object");
	/* docker: a rule's ERRNO without errnoRet is the profile's default;
	 * OCI (runc): EPERM */
	if (!ld->oci && json_is_integer(errno_ret))
		rule_errno = (uint32_t)json_integer_value(errno_ret);
	if (parse_action(ld, root, "defaultAction", "defaultErrnoRet", EPERM, &s->default_action) < 0 ||
	    parse_arches(ld, s, root) < 0)
		return -1;
	if (syscalls != NULL && !json_is_null(syscalls) && !json_is_array(syscalls))
		return fail_at(ld, "syscalls", "expected an array");
	json_array_foreach(syscalls, i, rule) {
		iso_jpath_push_key(&ld->path, "syscalls");
		iso_jpath_push_index(&ld->path, i);
		if (parse_rule(ld, s, rule, rule_errno) < 0)
			return -1;
		iso_jpath_pop(&ld->path);
		iso_jpath_pop(&ld->path);
	}
	return 0;
}

int iso_seccomp_from_json(const char *text, size_t len, const char *source, uint64_t caps,
			  struct iso_seccomp **out, struct iso_error *err)
{
	loader ld = { .source = source, .caps = caps, .err = err };
	struct iso_seccomp *s = xcalloc(1, sizeof(*s));
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (root == NULL) {
		free(s);
		return iso_error_set(err, 0, "seccomp profile %s:%d:%d: %s", source, jerr.line,
				     jerr.column, jerr.text);
	}
	if (iso_seccomp_load_profile(&ld, root, s) < 0) {
		json_decref(root);
		iso_seccomp_free(s);
		return -1;
	}
	json_decref(root);
	*out = s;
	return 0;
}
