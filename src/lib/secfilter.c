/* Loading a seccomp filter (the model in secfilter.h) with libseccomp. */
#include "secfilter.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

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

int iso_seccomp_apply(const struct iso_seccomp *s, struct iso_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(s->default_action);
	int ret = 0;

	if (ctx == NULL)
		return iso_error_set(err, ENOMEM, "seccomp: make the filter");
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
	if (ret == 0) {
		ret = seccomp_load(ctx);
		if (ret < 0)
			iso_error_set(err, -ret, "seccomp: load the filter");
	}
	seccomp_release(ctx);
	return ret < 0 ? -1 : 0;
}
