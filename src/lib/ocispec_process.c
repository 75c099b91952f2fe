/* config.json's process object (also alone: runc exec --process FILE). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "jsonutil.h"
#include "ocispec.h"
#include "ocispec_int.h"
#include "util.h"

static int parse_console_size(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_process *p = arg;
	int64_t height = 0, width = 0;

	if (oci_require(c, obj, "height") < 0 || oci_require(c, obj, "width") < 0 ||
	    oci_get_int(c, obj, "height", 0, UINT16_MAX, NULL, &height) < 0 ||
	    oci_get_int(c, obj, "width", 0, UINT16_MAX, NULL, &width) < 0)
		return -1;
	p->console_size.rows = (unsigned short)height;
	p->console_size.cols = (unsigned short)width;
	return 0;
}

static int parse_gids(struct oci_ctx *c, json_t *obj, struct iso_user *u)
{
	json_t *list = json_object_get(obj, "additionalGids"), *g;
	size_t i;

	if (list == NULL || json_is_null(list))
		return 0;
	iso_jpath_push_key(&c->path, "additionalGids");
	if (!json_is_array(list))
		return oci_fail(c, "expected an array of group ids");
	u->additional_gids = xcalloc(json_array_size(list) + 1, sizeof(gid_t));
	json_array_foreach(list, i, g) {
		iso_jpath_push_index(&c->path, i);
		if (!json_is_integer(g) || json_integer_value(g) < 0 ||
		    json_integer_value(g) > UINT32_MAX)
			return oci_fail(c, "expected a group id (0 to %u)", UINT32_MAX);
		u->additional_gids[u->n_additional_gids++] = (gid_t)json_integer_value(g);
		iso_jpath_pop(&c->path);
	}
	iso_jpath_pop(&c->path);
	return 0;
}

static int parse_user(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_process *p = arg;
	int64_t uid = 0, gid = 0, umask = 0;

	if (oci_get_int(c, obj, "uid", 0, UINT32_MAX, NULL, &uid) < 0 ||
	    oci_get_int(c, obj, "gid", 0, UINT32_MAX, NULL, &gid) < 0 ||
	    oci_get_int(c, obj, "umask", 0, 0777, &p->has_umask, &umask) < 0 ||
	    parse_gids(c, obj, &p->user) < 0)
		return -1;
	p->user.uid = (uid_t)uid;
	p->user.gid = (gid_t)gid;
	p->umask = (mode_t)umask;
	return 0;
}

static const char *const cap_sets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

/* A name this kernel does not know is a warning, and is left out: the
 * spec says a runtime should not fail on capabilities it cannot grant,
 * and runc does the same. */
static int parse_cap_set(struct oci_ctx *c, json_t *obj, const char *key, uint64_t *bits)
{
	cleanup_strv char **names = NULL;

	if (oci_get_strv(c, obj, key, &names) < 0)
		return -1;
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		struct iso_error ignored;
		uint64_t bit;

		if (strncmp(names[i], "CAP_", 4) == 0 && iso_caps_parse(names[i], &bit, &ignored) == 0) {
			*bits |= bit;
			continue;
		}
		iso_jpath_push_key(&c->path, key);
		iso_jpath_push_index(&c->path, i);
		oci_warn(c, "unknown capability \"%s\", left out", oci_show(names[i]).s);
		iso_jpath_pop(&c->path);
		iso_jpath_pop(&c->path);
	}
	return 0;
}

static int parse_caps(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_process *p = arg;
	uint64_t *sets[] = { &p->caps.bounding, &p->caps.effective, &p->caps.inheritable,
			     &p->caps.permitted, &p->caps.ambient };

	p->has_caps = true;
	for (size_t i = 0; i < sizeof(cap_sets) / sizeof(cap_sets[0]); i++)
		if (parse_cap_set(c, obj, cap_sets[i], sets[i]) < 0)
			return -1;
	return 0;
}

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, by units.c's names ("nofile"). */
static int rlimit_resource(const char *type)
{
	if (strncmp(type, "RLIMIT_", 7) != 0)
		return -1;
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		const char *name = iso_rlimit_name(r);

		if (name != NULL && strcasecmp(name, type + 7) == 0)
			return r;
	}
	return -1;
}

static int parse_rlimit(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_process *p = arg;
	struct iso_rlimit *rl = &p->rlimits[i];
	const char *type = NULL;

	if (oci_require(c, obj, "type") < 0 || oci_peek_string(c, obj, "type", &type) < 0)
		return -1;
	rl->resource = rlimit_resource(type);
	if (rl->resource < 0)
		return oci_fail_at(c, "type", "unknown resource limit \"%s\"", oci_show(type).s);
	for (size_t k = 0; k < p->n_rlimits; k++)
		if (p->rlimits[k].resource == rl->resource)
			return oci_fail_at(c, "type", "%s is given twice", oci_show(type).s);
	if (oci_require(c, obj, "soft") < 0 || oci_require(c, obj, "hard") < 0 ||
	    oci_get_u64(c, obj, "soft", NULL, &rl->soft) < 0 ||
	    oci_get_u64(c, obj, "hard", NULL, &rl->hard) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return oci_fail_at(c, "soft", "the soft limit is above the hard limit");
	p->n_rlimits++;
	return 0;
}

static int parse_rlimits(struct oci_ctx *c, json_t *obj, struct iso_process *p)
{
	json_t *list = json_object_get(obj, "rlimits");

	if (json_array_size(list) > 0)
		p->rlimits = xcalloc(json_array_size(list), sizeof(*p->rlimits));
	return oci_each(c, obj, "rlimits", parse_rlimit, p);
}

static int parse_args_cwd(struct oci_ctx *c, json_t *obj, struct iso_process *p)
{
	if (oci_require(c, obj, "args") < 0 || oci_get_strv(c, obj, "args", &p->args) < 0)
		return -1;
	if (p->args[0] == NULL)
		return oci_fail_at(c, "args", "expected at least the program to run");
	if (oci_require(c, obj, "cwd") < 0 || oci_get_string(c, obj, "cwd", &p->cwd) < 0)
		return -1;
	return oci_check_absolute(c, "cwd", p->cwd);
}

/* Scheduling, I/O priority and CPU affinity isolate cannot set (yet). */
static int refuse_unsupported(struct oci_ctx *c, json_t *obj)
{
	static const char *const keys[] = { "ioPriority", "scheduler", "execCPUAffinity" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (oci_unsupported(c, obj, keys[i], false) < 0)
			return -1;
	return 0;
}

int oci_parse_process(struct oci_ctx *c, json_t *obj, struct iso_process *p)
{
	int64_t oom = 0;

	/* OCI hands the caller's stdio to the process as it is */
	p->stdin_open = true;
	if (parse_args_cwd(c, obj, p) < 0 || oci_get_strv(c, obj, "env", &p->env) < 0 ||
	    oci_get_bool(c, obj, "terminal", &p->terminal) < 0 ||
	    oci_object(c, obj, "consoleSize", parse_console_size, p) < 0 ||
	    oci_object(c, obj, "user", parse_user, p) < 0 ||
	    oci_object(c, obj, "capabilities", parse_caps, p) < 0 ||
	    parse_rlimits(c, obj, p) < 0 ||
	    oci_get_bool(c, obj, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    oci_get_int(c, obj, "oomScoreAdj", -1000, 1000, &p->has_oom_score_adj, &oom) < 0 ||
	    oci_get_string(c, obj, "apparmorProfile", &p->apparmor_profile) < 0 ||
	    oci_get_string(c, obj, "selinuxLabel", &p->selinux_label) < 0 ||
	    refuse_unsupported(c, obj) < 0)
		return -1;
	p->oom_score_adj = (int)oom;
	return 0;
}

void iso_process_clear(struct iso_process *p)
{
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->user.additional_gids);
	free(p->user.spec);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	memset(p, 0, sizeof(*p));
}

int iso_oci_process_parse(const char *text, size_t len, const char *source, struct iso_process *out,
			  struct iso_error *err)
{
	struct oci_ctx c = { .text = text, .len = len, .source = source, .err = err };
	cleanup_json json_t *root = NULL;

	memset(out, 0, sizeof(*out));
	if (oci_load(&c, &root) < 0)
		return -1;
	if (oci_parse_process(&c, root, out) < 0) {
		iso_process_clear(out);
		return -1;
	}
	return 0;
}
