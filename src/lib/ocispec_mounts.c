/* config.json's mounts[]: destination, type, source, options, and the
 * mappings of an idmapped mount. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mntopt.h"
#include "ocispec_int.h"
#include "util.h"

static bool has_option(char *const *options, const char *a, const char *b)
{
	for (size_t i = 0; options != NULL && options[i] != NULL; i++)
		if (strcmp(options[i], a) == 0 || strcmp(options[i], b) == 0)
			return true;
	return false;
}

/* The container gets a user namespace, made or joined. */
static bool has_userns(const struct iso_spec *spec)
{
	if (spec->linux_.new_namespaces & CLONE_NEWUSER)
		return true;
	for (size_t i = 0; i < spec->n_ns_paths; i++)
		if (spec->ns_paths[i].type == CLONE_NEWUSER)
			return true;
	return false;
}

static bool same_maps(const struct iso_idmap *a, size_t na, const struct iso_idmap *b, size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

/* uidMappings/gidMappings of a mount.  isolate's idmapped mounts (the
 * "idmap" option, see mntopt.c and rootfs.c) use the container's user
 * namespace, so only mappings equal to the container's can be honoured;
 * the spec says a runtime must use the ones given, so any other is an
 * error rather than a silently different mapping. */
static int parse_mount_maps(struct oci_ctx *c, json_t *obj, struct iso_spec *spec,
			    struct iso_mount *m)
{
	struct iso_linux *l = &spec->linux_;
	size_t nu = 0, ng = 0;
	cleanup_free struct iso_idmap *uids = xcalloc(ISO_MAX_IDMAPS, sizeof(*uids));
	cleanup_free struct iso_idmap *gids = xcalloc(ISO_MAX_IDMAPS, sizeof(*gids));
	json_t *u = json_object_get(obj, "uidMappings"), *g = json_object_get(obj, "gidMappings");
	bool has_u = u != NULL && !json_is_null(u), has_g = g != NULL && !json_is_null(g);

	if (!has_u && !has_g)
		return 0;
	if (oci_require(c, obj, "uidMappings") < 0 || oci_require(c, obj, "gidMappings") < 0 ||
	    oci_parse_idmaps(c, obj, "uidMappings", uids, &nu) < 0 ||
	    oci_parse_idmaps(c, obj, "gidMappings", gids, &ng) < 0)
		return -1;
	if (!(l->new_namespaces & CLONE_NEWUSER) ||
	    !same_maps(uids, nu, l->uid_mappings, l->n_uid_mappings) ||
	    !same_maps(gids, ng, l->gid_mappings, l->n_gid_mappings))
		return oci_fail_at(c, "uidMappings", "not supported by isolate-oci: an idmapped mount "
				   "must have the mappings of the container's new user namespace");
	if (!has_option(m->options, "idmap", "ridmap"))
		strv_push(&m->options, "idmap");
	return 0;
}

static int parse_options(struct oci_ctx *c, json_t *obj, const struct iso_spec *spec,
			 struct iso_mount *m)
{
	struct iso_mntopts opts;

	if (oci_get_strv(c, obj, "options", &m->options) < 0)
		return -1;
	if (m->options == NULL)
		m->options = xcalloc(1, sizeof(char *));
	if (iso_mntopts_parse(m->options, &opts, c->err) < 0)
		return oci_fail_at(c, "options", "%s", c->err->msg);
	iso_mntopts_free(&opts);
	if (opts.idmap && !has_userns(spec))
		return oci_fail_at(c, "options", "an idmapped mount needs a user namespace");
	return 0;
}

/* A bind mount is one with "bind" or "rbind" among its options, whatever
 * its type says (often "none"), or of type "bind" (as runc reads it); its
 * source may be relative to the bundle. */
static int parse_type_source(struct oci_ctx *c, json_t *obj, struct iso_mount *m)
{
	bool bind;

	if (oci_get_string(c, obj, "type", &m->type) < 0 ||
	    oci_get_string(c, obj, "source", &m->source) < 0)
		return -1;
	bind = has_option(m->options, "bind", "rbind") || (m->type && strcmp(m->type, "bind") == 0);
	if (bind) {
		free(m->type);
		m->type = xstrdup("bind");
	} else if (m->type == NULL || m->type[0] == '\0') {
		return oci_fail_at(c, "type", "required (unless the mount is a bind mount)");
	}
	if (bind && (m->source == NULL || m->source[0] == '\0'))
		return oci_fail_at(c, "source", "required for a bind mount");
	if (bind && m->source[0] != '/') {
		char *rel = m->source;

		if (c->bundle == NULL)
			return oci_fail_at(c, "source", "a relative path needs a bundle directory");
		m->source = xasprintf("%s/%s", c->bundle, rel);
		free(rel);
	}
	if (m->source == NULL)
		m->source = xstrdup(m->type);
	return 0;
}

static int parse_mount(struct oci_ctx *c, json_t *obj, size_t i, void *arg)
{
	struct iso_spec *spec = arg;
	struct iso_mount *m = &spec->mounts[i];

	if (oci_require(c, obj, "destination") < 0 ||
	    oci_get_string(c, obj, "destination", &m->destination) < 0)
		return -1;
	if (m->destination[0] == '\0')
		return oci_fail_at(c, "destination", "expected a path");
	/* relative: from "/", a deprecated form the spec still allows */
	if (m->destination[0] != '/') {
		char *rel = m->destination;

		m->destination = xasprintf("/%s", rel);
		free(rel);
	}
	if (parse_options(c, obj, spec, m) < 0 || parse_type_source(c, obj, m) < 0)
		return -1;
	return parse_mount_maps(c, obj, spec, m);
}

int oci_parse_mounts(struct oci_ctx *c, json_t *root, struct iso_spec *spec)
{
	size_t n = json_array_size(json_object_get(root, "mounts"));

	/* all of them counted now, so that the spec frees what a failure
	 * leaves half read */
	if (n > 0) {
		spec->mounts = xcalloc(n, sizeof(*spec->mounts));
		spec->n_mounts = n;
	}
	return oci_each(c, root, "mounts", parse_mount, spec);
}
