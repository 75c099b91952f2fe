/* docker's seccomp profile format (JSON), into the model of secfilter.h. */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "caps.h"
#include "secfilter.h"
#include "util.h"

struct loader {
	const char *source;
	uint64_t caps;
	struct iso_error *err;
};

static int fail(struct loader *ld, const char *where, const char *fmt, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, what);
	return iso_error_set(ld->err, 0, "seccomp profile %s: %s: %s", ld->source, where, msg);
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

/* ACTION with ERRNO (or the default when the profile gives none). */
static int parse_action(struct loader *ld, const char *where, json_t *v, json_t *errno_ret,
			uint32_t default_errno, uint32_t *out)
{
	const char *name = json_string_value(v);
	json_int_t e = default_errno;

	if (name == NULL)
		return fail(ld, where, "%s", "expected an action name");
	if (errno_ret != NULL && !json_is_null(errno_ret)) {
		if (!json_is_integer(errno_ret) || json_integer_value(errno_ret) < 0 ||
		    json_integer_value(errno_ret) > 65535)
			return fail(ld, where, "%s", "errnoRet: expected an errno number");
		e = json_integer_value(errno_ret);
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name) != 0)
			continue;
		*out = actions[i].takes_errno
		       ? (actions[i].action & ~(uint32_t)0xffff) | ((uint32_t)e & 0xffff) : actions[i].action;
		return 0;
	}
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return fail(ld, where, "%s", "SCMP_ACT_NOTIFY needs a listener, which isolate does not have");
	return fail(ld, where, "unknown action \"%s\"", name);
}

static const struct { const char *name; int op; } ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int parse_arg(struct loader *ld, const char *where, json_t *a, struct iso_seccomp_arg *out)
{
	json_t *index = json_object_get(a, "index"), *value = json_object_get(a, "value");
	json_t *two = json_object_get(a, "valueTwo");
	const char *op = json_string_value(json_object_get(a, "op"));

	if (!json_is_object(a) || !json_is_integer(index) || json_integer_value(index) < 0 ||
	    json_integer_value(index) > 5)
		return fail(ld, where, "%s", "index: expected 0 to 5");
	if (!json_is_integer(value) || (two != NULL && !json_is_null(two) && !json_is_integer(two)))
		return fail(ld, where, "%s", "value/valueTwo: expected numbers");
	*out = (struct iso_seccomp_arg){
		.index = (unsigned int)json_integer_value(index),
		.value = (uint64_t)json_integer_value(value),
		.value_two = json_is_integer(two) ? (uint64_t)json_integer_value(two) : 0,
	};
	for (size_t i = 0; op != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, op) == 0) {
			out->op = ops[i].op;
			return 0;
		}
	return fail(ld, where, "unknown operator \"%s\"", op ? op : "(none)");
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
static int caps_all_held(struct loader *ld, const char *where, json_t *caps, bool *held)
{
	size_t i;
	json_t *v;

	*held = true;
	json_array_foreach(caps, i, v) {
		uint64_t bits;

		if (!json_is_string(v) || iso_caps_parse(json_string_value(v), &bits, ld->err) < 0)
			return fail(ld, where, "%s", "caps: expected capability names");
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

/* Whether a rule applies to this container: all its includes hold, none
 * of its excludes does. */
static int applies(struct loader *ld, const char *where, json_t *rule, bool *yes)
{
	json_t *inc = json_object_get(rule, "includes"), *exc = json_object_get(rule, "excludes");
	bool held;

	*yes = true;
	if (json_is_object(inc)) {
		json_t *arches = json_object_get(inc, "arches");

		if (json_array_size(arches) > 0 && !arch_listed(arches))
			*yes = false;
		if (caps_all_held(ld, where, json_object_get(inc, "caps"), &held) < 0)
			return -1;
		if (json_array_size(json_object_get(inc, "caps")) > 0 && !held)
			*yes = false;
		if (!kernel_at_least(json_string_value(json_object_get(inc, "minKernel"))))
			*yes = false;
	}
	if (json_is_object(exc)) {
		json_t *arches = json_object_get(exc, "arches");

		if (json_array_size(arches) > 0 && arch_listed(arches))
			*yes = false;
		if (caps_all_held(ld, where, json_object_get(exc, "caps"), &held) < 0)
			return -1;
		if (json_array_size(json_object_get(exc, "caps")) > 0 && held)
			*yes = false;
	}
	return 0;
}

static int parse_names(struct loader *ld, const char *where, json_t *rule, char ***names)
{
	json_t *list = json_object_get(rule, "names"), *one = json_object_get(rule, "name");
	size_t i;
	json_t *v;

	*names = xcalloc(1, sizeof(char *));
	if (json_is_string(one))
		strv_push(names, json_string_value(one));
	if (list != NULL && !json_is_array(list))
		return fail(ld, where, "%s", "names: expected an array of syscall names");
	json_array_foreach(list, i, v) {
		char at[96];
		const char *name = json_string_value(v);

		snprintf(at, sizeof(at), "%s.names[%zu]", where, i);
		if (name == NULL)
			return fail(ld, at, "%s", "expected a syscall name");
		if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
			return fail(ld, at, "unknown syscall \"%s\"", name);
		strv_push(names, name);
	}
	if ((*names)[0] == NULL)
		return fail(ld, where, "%s", "no syscall names");
	return 0;
}

static int parse_rule(struct loader *ld, struct iso_seccomp *s, size_t i, json_t *rule,
		      uint32_t default_errno)
{
	char where[64];
	struct iso_seccomp_rule r = { 0 };
	json_t *args = json_object_get(rule, "args");
	bool yes;
	size_t k;
	json_t *a;

	snprintf(where, sizeof(where), "syscalls[%zu]", i);
	if (!json_is_object(rule))
		return fail(ld, where, "%s", "expected an object");
	if (parse_names(ld, where, rule, &r.names) < 0 ||
	    parse_action(ld, where, json_object_get(rule, "action"), json_object_get(rule, "errnoRet"),
			 default_errno, &r.action) < 0 || applies(ld, where, rule, &yes) < 0)
		goto fail;
	if (args != NULL && !json_is_null(args) && (!json_is_array(args) || json_array_size(args) > 6)) {
		fail(ld, where, "%s", "args: expected at most 6 conditions");
		goto fail;
	}
	r.args = xcalloc(json_array_size(args) + 1, sizeof(*r.args));
	json_array_foreach(args, k, a) {
		char at[96];

		snprintf(at, sizeof(at), "%s.args[%zu]", where, k);
		if (parse_arg(ld, at, a, &r.args[r.n_args++]) < 0)
			goto fail;
	}
	if (!yes)
		goto skip;
	s->rules = xrealloc(s->rules, (s->n_rules + 1) * sizeof(*s->rules));
	s->rules[s->n_rules++] = r;
	return 0;
fail:
	strv_free(r.names);
	free(r.args);
	return -1;
skip:
	strv_free(r.names);
	free(r.args);
	return 0;
}

static int add_arch(struct loader *ld, struct iso_seccomp *s, const char *where, json_t *v)
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
		return fail(ld, where, "unknown architecture \"%s\"", name ? name : "(none)");
	if (arch == seccomp_arch_native())
		return 0;
	s->arches = xrealloc(s->arches, (s->n_arches + 1) * sizeof(uint32_t));
	s->arches[s->n_arches++] = arch;
	return 0;
}

/* "architectures": a list; "archMap": this machine's entry and its
 * sub-architectures. */
static int parse_arches(struct loader *ld, struct iso_seccomp *s, json_t *root)
{
	json_t *list = json_object_get(root, "architectures"), *map = json_object_get(root, "archMap");
	size_t i, k;
	json_t *v, *sub;

	json_array_foreach(list, i, v) {
		char where[64];

		snprintf(where, sizeof(where), "architectures[%zu]", i);
		if (add_arch(ld, s, where, v) < 0)
			return -1;
	}
	json_array_foreach(map, i, v) {
		char where[64];
		const char *arch = json_string_value(json_object_get(v, "architecture"));

		snprintf(where, sizeof(where), "archMap[%zu]", i);
		if (arch == NULL || strcmp(arch, "SCMP_ARCH_X86_64") != 0)
			continue;
		json_array_foreach(json_object_get(v, "subArchitectures"), k, sub)
			if (add_arch(ld, s, where, sub) < 0)
				return -1;
	}
	return 0;
}

static int parse_profile(struct loader *ld, json_t *root, struct iso_seccomp *s)
{
	json_t *errno_ret = json_object_get(root, "defaultErrnoRet");
	json_t *syscalls = json_object_get(root, "syscalls");
	uint32_t def_errno = EPERM;
	size_t i;
	json_t *rule;

	if (!json_is_object(root))
		return fail(ld, "(top)", "%s", "expected an object");
	if (json_is_integer(errno_ret))
		def_errno = (uint32_t)json_integer_value(errno_ret);
	if (parse_action(ld, "defaultAction", json_object_get(root, "defaultAction"), errno_ret,
			 EPERM, &s->default_action) < 0 || parse_arches(ld, s, root) < 0)
		return -1;
	if (syscalls != NULL && !json_is_null(syscalls) && !json_is_array(syscalls))
		return fail(ld, "syscalls", "%s", "expected an array");
	json_array_foreach(syscalls, i, rule)
		if (parse_rule(ld, s, i, rule, def_errno) < 0)
			return -1;
	return 0;
}

int iso_seccomp_from_json(const char *text, size_t len, const char *source, uint64_t caps,
			  struct iso_seccomp **out, struct iso_error *err)
{
	struct loader ld = { .source = source, .caps = caps, .err = err };
	struct iso_seccomp *s = xcalloc(1, sizeof(*s));
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (root == NULL) {
		free(s);
		return iso_error_set(err, 0, "seccomp profile %s:%d:%d: %s", source, jerr.line,
				     jerr.column, jerr.text);
	}
	if (parse_profile(&ld, root, s) < 0) {
		json_decref(root);
		iso_seccomp_free(s);
		return -1;
	}
	json_decref(root);
	*out = s;
	return 0;
}
