/* linux.seccomp: the profile itself is read by secfilter_json.c's reader
 * with OCI's rules (secfilter_int.h); here are the fields only OCI has:
 * flags, and the listener (listenerPath, listenerMetadata) that gets the
 * notification fd of SCMP_ACT_NOTIFY's rules. */
#include <stdlib.h>
#include <string.h>

#include "ocispec_int.h"
#include "secfilter_int.h"
#include "util.h"

/* TSYNC syncs the filter to the process's other threads: the container's
 * first process has none when it loads it, so it changes nothing.
 * WAIT_KILLABLE_RECV changes how the listener's replies wait; the kernel
 * default is kept.  LOG and SPEC_ALLOW would change the filter's behaviour and
 * struct iso_seccomp has no place for them. */
static int check_flags(struct oci_ctx *c, json_t *obj)
{
	cleanup_strv char **flags = NULL;

	if (oci_get_strv(c, obj, "flags", &flags) < 0)
		return -1;
	for (size_t i = 0; flags != NULL && flags[i] != NULL; i++) {
		const char *f = flags[i];

		if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0 ||
		    strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			continue;
		iso_jpath_push_key(&c->path, "flags");
		iso_jpath_push_index(&c->path, i);
		if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0 ||
		    strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			return oci_fail(c, "%s is not supported by isolate-oci", f);
		return oci_fail(c, "unknown flag \"%s\"", oci_show(f).s);
	}
	return 0;
}

static int parse_seccomp(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_linux *l = arg;
	struct iso_seccomp_loader ld = {
		.oci = true, .source = c->source, .text = c->text, .len = c->len,
		.path = c->path, .err = c->err,
	};
	const char *listener = NULL, *metadata = NULL;
	struct iso_seccomp *s;

	if (oci_peek_string(c, obj, "listenerPath", &listener) < 0 ||
	    oci_peek_string(c, obj, "listenerMetadata", &metadata) < 0)
		return -1;
	if (listener != NULL && listener[0] != '\0' && listener[0] != '/')
		return oci_fail_at(c, "listenerPath", "expected an absolute path");
	ld.listener = listener != NULL && listener[0] != '\0';
	if (check_flags(c, obj) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	if (iso_seccomp_load_profile(&ld, obj, s) < 0) {
		iso_seccomp_free(s);
		return -1;
	}
	if (ld.listener) {
		s->listener_path = xstrdup(listener);
		s->listener_metadata = xstrdup(metadata ? metadata : "");
	}
	l->seccomp = s;
	return 0;
}

int oci_parse_seccomp(struct oci_ctx *c, json_t *linux_obj, struct iso_linux *l)
{
	return oci_object(c, linux_obj, "seccomp", parse_seccomp, l);
}
