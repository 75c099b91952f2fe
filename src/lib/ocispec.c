/* config.json's top level: ociVersion, root, process, hostname,
 * domainname, linux, mounts, hooks and annotations, each read into the
 * spec as it is met; the spec (and so all it holds) goes on any error. */
#include "ocispec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "ocispec_int.h"
#include "util.h"

static void spec_freep(struct iso_spec **spec)
{
	iso_spec_free(*spec);
}

#define cleanup_spec __attribute__((cleanup(spec_freep)))

/* "1.0.2-dev", "1.2.0": any 1.x, the versions this parser reads. */
static int parse_version(struct oci_ctx *c, json_t *root, struct iso_spec *spec)
{
	if (oci_require(c, root, "ociVersion") < 0 ||
	    oci_get_string(c, root, "ociVersion", &spec->oci_version) < 0)
		return -1;
	if (strncmp(spec->oci_version, "1.", 2) != 0 ||
	    spec->oci_version[2] < '0' || spec->oci_version[2] > '9')
		return oci_fail_at(c, "ociVersion", "version \"%s\" is not supported (expected 1.x)",
				   oci_show(spec->oci_version).s);
	return 0;
}

static int parse_root(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_spec *spec = arg;
	const char *path = NULL;

	if (oci_require(c, obj, "path") < 0 || oci_peek_string(c, obj, "path", &path) < 0 ||
	    oci_get_bool(c, obj, "readonly", &spec->root.readonly) < 0)
		return -1;
	if (path[0] == '\0')
		return oci_fail_at(c, "path", "expected a directory");
	if (path[0] == '/')
		spec->root.path = xstrdup(path);
	else if (c->bundle != NULL)
		spec->root.path = xasprintf("%s/%s", c->bundle, path);
	else
		return oci_fail_at(c, "path", "a relative path needs a bundle directory");
	return 0;
}

static int parse_process(struct oci_ctx *c, json_t *obj, void *arg)
{
	return oci_parse_process(c, obj, arg);
}

static int parse_linux(struct oci_ctx *c, json_t *obj, void *arg)
{
	return oci_parse_linux(c, obj, arg);
}

/* Kept as given (compact), for the state and the hooks; only strings. */
static int parse_annotations(struct oci_ctx *c, json_t *root, struct iso_spec *spec)
{
	json_t *obj = json_object_get(root, "annotations"), *v;
	const char *key;

	if (obj == NULL || json_is_null(obj))
		return 0;
	iso_jpath_push_key(&c->path, "annotations");
	if (!json_is_object(obj))
		return oci_fail(c, "expected an object of strings");
	json_object_foreach(obj, key, v)
		if (!json_is_string(v))
			return oci_fail_at(c, key, "expected a string");
	iso_jpath_pop(&c->path);
	spec->annotations_json = json_dumps(obj, JSON_COMPACT);
	if (spec->annotations_json == NULL)
		abort();        /* only out of memory */
	return 0;
}

static int parse_spec(struct oci_ctx *c, json_t *root, struct iso_spec *spec)
{
	if (parse_version(c, root, spec) < 0 || oci_require(c, root, "root") < 0 ||
	    oci_object(c, root, "root", parse_root, spec) < 0 ||
	    oci_require(c, root, "process") < 0 ||
	    oci_object(c, root, "process", parse_process, &spec->process) < 0 ||
	    oci_get_string(c, root, "hostname", &spec->hostname) < 0 ||
	    oci_get_string(c, root, "domainname", &spec->domainname) < 0 ||
	    oci_object(c, root, "linux", parse_linux, spec) < 0 ||
	    /* after linux: an idmapped mount is checked against its mappings */
	    oci_parse_mounts(c, root, spec) < 0 || oci_parse_hooks(c, root, spec) < 0 ||
	    parse_annotations(c, root, spec) < 0)
		return -1;
	return 0;
}

int iso_oci_spec_parse(const char *text, size_t len, const char *source, const char *bundle,
		       struct iso_spec **out, struct iso_error *err)
{
	struct oci_ctx c = { .text = text, .len = len, .source = source, .bundle = bundle,
			     .err = err };
	cleanup_json json_t *root = NULL;
	cleanup_spec struct iso_spec *spec = NULL;

	if (oci_load(&c, &root) < 0)
		return -1;
	spec = iso_spec_new();
	spec->oci = true;
	if (parse_spec(&c, root, spec) < 0)
		return -1;
	*out = steal_ptr(&spec);
	return 0;
}

int iso_oci_spec_load(const char *bundle, struct iso_spec **out, struct iso_error *err)
{
	cleanup_free char *dir = realpath(bundle, NULL);
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	size_t len;

	if (dir == NULL)
		return iso_error_set(err, errno, "bundle %s", bundle);
	path = xasprintf("%s/config.json", dir);
	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	return iso_oci_spec_parse(text, len, "config.json", dir, out, err);
}

static const char *const hook_keys[ISO_HOOK_KINDS] = {
	[ISO_HOOK_PRESTART] = "prestart",
	[ISO_HOOK_CREATE_RUNTIME] = "createRuntime",
	[ISO_HOOK_CREATE_CONTAINER] = "createContainer",
	[ISO_HOOK_START_CONTAINER] = "startContainer",
	[ISO_HOOK_POSTSTART] = "poststart",
	[ISO_HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_hook *h = &((struct iso_hook *)arg)[i];
	int64_t timeout = 0;

	if (oci_require(c, obj, "path") < 0 || oci_get_string(c, obj, "path", &h->path) < 0 ||
	    oci_check_absolute(c, "path", h->path) < 0 ||
	    oci_get_strv(c, obj, "args", &h->args) < 0 || oci_get_strv(c, obj, "env", &h->env) < 0 ||
	    oci_get_int(c, obj, "timeout", 1, INT_MAX, NULL, &timeout) < 0)
		return -1;
	h->timeout = (int)timeout;
	return 0;
}

static int parse_hook_lists(struct oci_ctx *c, json_t *obj, void *arg)
{
	struct iso_hooks *hooks = arg;

	for (int k = 0; k < ISO_HOOK_KINDS; k++) {
		size_t n = json_array_size(json_object_get(obj, hook_keys[k]));

		/* all of them counted now, so that the spec frees what a
		 * failure leaves half read */
		hooks->list[k] = n > 0 ? xcalloc(n, sizeof(struct iso_hook)) : NULL;
		hooks->n[k] = n;
		if (oci_each(c, obj, hook_keys[k], parse_hook, hooks->list[k]) < 0)
			return -1;
	}
	return 0;
}

int oci_parse_hooks(struct oci_ctx *c, json_t *root, struct iso_spec *spec)
{
	return oci_object(c, root, "hooks", parse_hook_lists, &spec->hooks);
}
