#include "manifest.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "jsonutil.h"
#include "util.h"

static json_t *load_json(const char *buf, size_t len, const char *what, struct iso_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);

	if (root == NULL) {
		iso_error_set(err, 0, "%s:%d:%d: %s", what, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		iso_error_set(err, 0, "%s: not a JSON object", what);
		return NULL;
	}
	return root;
}

/* An optional string member; a member of another type is an error. */
static int opt_string(json_t *obj, const char *key, char **out, const char *what,
		      struct iso_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return iso_error_set(err, 0, "%s: %s: expected a string", what, key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* An optional array of strings; PRESENT tells null/absent from []. */
static int opt_strv(json_t *obj, const char *key, char ***out, bool *present, const char *what,
		    struct iso_error *err)
{
	json_t *v = json_object_get(obj, key);
	size_t i;
	json_t *e;

	*out = NULL;
	if (present)
		*present = v != NULL && !json_is_null(v);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return iso_error_set(err, 0, "%s: %s: expected an array of strings", what, key);
	*out = xcalloc(1, sizeof(char *));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return iso_error_set(err, 0, "%s: %s[%zu]: expected a string", what, key, i);
		strv_push(out, json_string_value(e));
	}
	return 0;
}

/* The keys of an object ({"8080/tcp": {}}), docker's form for sets. */
static int opt_keys(json_t *obj, const char *key, char ***out, const char *what,
		    struct iso_error *err)
{
	json_t *v = json_object_get(obj, key);
	const char *k;
	json_t *e;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return iso_error_set(err, 0, "%s: %s: expected an object", what, key);
	*out = xcalloc(1, sizeof(char *));
	json_object_foreach(v, k, e)
		strv_push(out, k);
	return 0;
}

static int parse_descriptor(json_t *d, const char *what, const char *field,
			    struct iso_descriptor *out, struct iso_error *err)
{
	json_t *digest = json_object_get(d, "digest");
	json_t *size = json_object_get(d, "size");
	json_t *platform;
	cleanup_free char *where = xasprintf("%s: %s", what, field);

	if (!json_is_object(d))
		return iso_error_set(err, 0, "%s: expected an object", where);
	if (opt_string(d, "mediaType", &out->media_type, where, err) < 0)
		return -1;
	if (!json_is_string(digest))
		return iso_error_set(err, 0, "%s: digest: expected a string", where);
	if (iso_digest_check(json_string_value(digest), where, err) < 0)
		return -1;
	strcpy(out->digest, json_string_value(digest));
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return iso_error_set(err, 0, "%s: size: expected a non-negative integer", where);
	out->size = json_integer_value(size);
	platform = json_object_get(d, "platform");
	if (platform == NULL)
		return 0;
	if (!json_is_object(platform))
		return iso_error_set(err, 0, "%s: platform: expected an object", where);
	if (opt_string(platform, "os", &out->platform.os, where, err) < 0 ||
	    opt_string(platform, "architecture", &out->platform.architecture, where, err) < 0 ||
	    opt_string(platform, "variant", &out->platform.variant, where, err) < 0)
		return -1;
	return 0;
}

static int parse_descriptors(json_t *root, const char *key, const char *what,
			     struct iso_descriptor **out, size_t *n, struct iso_error *err)
{
	json_t *arr = json_object_get(root, key);
	json_t *e;
	size_t i;

	if (!json_is_array(arr))
		return iso_error_set(err, 0, "%s: %s: expected an array", what, key);
	*out = xcalloc(json_array_size(arr) + 1, sizeof(**out));
	json_array_foreach(arr, i, e) {
		char field[64];

		snprintf(field, sizeof(field), "%s[%zu]", key, i);
		*n = i + 1;
		if (parse_descriptor(e, what, field, &(*out)[i], err) < 0)
			return -1;
	}
	return 0;
}

static bool is_index_type(const char *t)
{
	return strcmp(t, ISO_MT_OCI_INDEX) == 0 || strcmp(t, ISO_MT_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *t)
{
	return strcmp(t, ISO_MT_OCI_MANIFEST) == 0 || strcmp(t, ISO_MT_DOCKER_MANIFEST) == 0;
}

/* The type is the body's mediaType, else the one the transport gave;
 * an OCI document may omit it, and is then told by its members. */
static int manifest_type(json_t *root, const char *given, const char *what, char **out,
			 struct iso_error *err)
{
	cleanup_free char *body = NULL;
	json_t *schema = json_object_get(root, "schemaVersion");

	if (opt_string(root, "mediaType", &body, what, err) < 0)
		return -1;
	if (json_is_integer(schema) && json_integer_value(schema) == 1)
		return iso_error_set(err, 0, "%s: docker image manifest schema 1 is not supported (deprecated by docker; push the image again with a current client)", what);
	if (!json_is_integer(schema) || json_integer_value(schema) != 2)
		return iso_error_set(err, 0, "%s: schemaVersion: expected 2", what);
	if (body && given && (is_index_type(given) || is_manifest_type(given)) &&
	    strcmp(body, given) != 0)
		return iso_error_set(err, 0, "%s: its mediaType %s disagrees with the %s it was served as",
				     what, body, given);
	if (body == NULL && given && (is_index_type(given) || is_manifest_type(given)))
		body = xstrdup(given);
	if (body == NULL)
		body = xstrdup(json_object_get(root, "manifests") ? ISO_MT_OCI_INDEX : ISO_MT_OCI_MANIFEST);
	if (!is_index_type(body) && !is_manifest_type(body))
		return iso_error_set(err, 0, "%s: unsupported manifest media type %s", what, body);
	*out = steal_ptr(&body);
	return 0;
}

static bool known_layer_type(const char *t)
{
	static const char *const prefixes[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.nondistributable.v1.tar",
		"application/vnd.docker.image.rootfs.diff.tar",
		"application/vnd.docker.image.rootfs.foreign.diff.tar",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(t, prefixes[i], n) == 0 &&
		    (t[n] == '\0' || strcmp(t + n, "+gzip") == 0 || strcmp(t + n, "+zstd") == 0 ||
		     strcmp(t + n, ".gzip") == 0))
			return true;
	}
	return false;
}

static int check_image_manifest(const struct iso_manifest *m, const char *what,
				struct iso_error *err)
{
	const char *ct = m->config.media_type;

	if (ct && strcmp(ct, ISO_MT_OCI_CONFIG) != 0 && strcmp(ct, ISO_MT_DOCKER_CONFIG) != 0)
		return iso_error_set(err, 0, "%s: config has media type %s: not a container image (an OCI artifact?)",
				     what, ct);
	for (size_t i = 0; i < m->n_layers; i++)
		if (m->layers[i].media_type && !known_layer_type(m->layers[i].media_type))
			return iso_error_set(err, 0, "%s: layers[%zu] (%s): unsupported media type %s",
					     what, i, m->layers[i].digest, m->layers[i].media_type);
	return 0;
}

int iso_manifest_parse(const char *buf, size_t len, const char *media_type, const char *what,
		       struct iso_manifest *m, struct iso_error *err)
{
	cleanup_json json_t *root = NULL;
	json_t *config;

	memset(m, 0, sizeof(*m));
	root = load_json(buf, len, what, err);
	if (root == NULL || manifest_type(root, media_type, what, &m->media_type, err) < 0)
		goto fail;
	m->is_index = is_index_type(m->media_type);
	if (m->is_index) {
		if (parse_descriptors(root, "manifests", what, &m->manifests, &m->n_manifests, err) < 0)
			goto fail;
		return 0;
	}
	config = json_object_get(root, "config");
	if (config == NULL) {
		iso_error_set(err, 0, "%s: config: missing", what);
		goto fail;
	}
	if (parse_descriptor(config, what, "config", &m->config, err) < 0 ||
	    parse_descriptors(root, "layers", what, &m->layers, &m->n_layers, err) < 0 ||
	    check_image_manifest(m, what, err) < 0)
		goto fail;
	return 0;
fail:
	iso_manifest_free(m);
	return -1;
}

void iso_platform_free(struct iso_platform *p)
{
	free(p->os);
	free(p->architecture);
	free(p->variant);
	memset(p, 0, sizeof(*p));
}

static void free_descriptor(struct iso_descriptor *d)
{
	free(d->media_type);
	iso_platform_free(&d->platform);
}

void iso_manifest_free(struct iso_manifest *m)
{
	free(m->media_type);
	free_descriptor(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		free_descriptor(&m->layers[i]);
	for (size_t i = 0; i < m->n_manifests; i++)
		free_descriptor(&m->manifests[i]);
	free(m->layers);
	free(m->manifests);
	memset(m, 0, sizeof(*m));
}

/* uname's machine in Go's GOARCH names, which images use */
static void host_platform(struct iso_platform *p)
{
	static const struct { const char *machine, *arch, *variant; } names[] = {
		{ "x86_64", "amd64", NULL },   { "aarch64", "arm64", NULL },
		{ "armv7l", "arm", "v7" },     { "armv6l", "arm", "v6" },
		{ "i686", "386", NULL },       { "i386", "386", NULL },
		{ "ppc64le", "ppc64le", NULL }, { "s390x", "s390x", NULL },
		{ "riscv64", "riscv64", NULL },
	};
	struct utsname u;

	p->os = xstrdup("linux");
	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(u.machine, names[i].machine) == 0) {
				p->architecture = xstrdup(names[i].arch);
				p->variant = names[i].variant ? xstrdup(names[i].variant) : NULL;
				return;
			}
	p->architecture = xstrdup(uname(&u) == 0 ? u.machine : "unknown");
}

/* As containerd normalises what users type: lowercase, and the kernel's
 * names for the architectures (x86_64, aarch64) in Go's. */
static void normalize_platform(struct iso_platform *p)
{
	static const struct { const char *alias, *arch, *variant; } aliases[] = {
		{ "x86_64", "amd64", NULL }, { "x86-64", "amd64", NULL },
		{ "aarch64", "arm64", NULL }, { "armhf", "arm", "v7" }, { "armel", "arm", "v6" },
		{ "i386", "386", NULL }, { "i686", "386", NULL },
	};

	for (char *c = p->os; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = p->architecture; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(p->architecture, aliases[i].alias) != 0)
			continue;
		free(p->architecture);
		p->architecture = xstrdup(aliases[i].arch);
		if (p->variant == NULL && aliases[i].variant)
			p->variant = xstrdup(aliases[i].variant);
		return;
	}
}

int iso_platform_parse(const char *s, struct iso_platform *p, struct iso_error *err)
{
	cleanup_free char *copy = NULL;
	char *arch, *variant;

	memset(p, 0, sizeof(*p));
	if (s == NULL) {
		host_platform(p);
		return 0;
	}
	copy = xstrdup(s);
	arch = strchr(copy, '/');
	if (arch == NULL || arch == copy || arch[1] == '\0' || arch[1] == '/')
		return iso_error_set(err, 0, "platform %s: expected OS/ARCH[/VARIANT]", s);
	*arch++ = '\0';
	variant = strchr(arch, '/');
	if (variant) {
		*variant++ = '\0';
		if (*variant == '\0' || strchr(variant, '/'))
			return iso_error_set(err, 0, "platform %s: expected OS/ARCH[/VARIANT]", s);
	}
	p->os = xstrdup(copy);
	p->architecture = xstrdup(arch);
	p->variant = variant ? xstrdup(variant) : NULL;
	normalize_platform(p);
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int iso_manifest_pick(const struct iso_manifest *index, const struct iso_platform *p,
		      const char *what, size_t *out, struct iso_error *err)
{
	cleanup_free char *offered = xstrdup("");
	ssize_t loose = -1;

	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct iso_platform *q = &index->manifests[i].platform;
		char *more;

		if (str_eq(q->os, p->os) && str_eq(q->architecture, p->architecture)) {
			if (p->variant == NULL || str_eq(q->variant, p->variant)) {
				*out = i;
				return 0;
			}
			/* an entry without a variant serves any variant */
			if (q->variant == NULL && loose < 0)
				loose = (ssize_t)i;
		}
		more = xasprintf("%s%s%s/%s%s%s", offered, *offered ? ", " : "",
				 q->os ? q->os : "?", q->architecture ? q->architecture : "?",
				 q->variant ? "/" : "", q->variant ? q->variant : "");
		free(offered);
		offered = more;
	}
	if (loose >= 0) {
		*out = (size_t)loose;
		return 0;
	}
	return iso_error_set(err, 0, "%s: no image for %s/%s%s%s (the index has: %s)", what, p->os,
			     p->architecture, p->variant ? "/" : "", p->variant ? p->variant : "",
			     *offered ? offered : "nothing");
}

static int parse_config_section(json_t *c, const char *what, struct iso_image_config *cfg,
				struct iso_error *err)
{
	if (!json_is_object(c))
		return c == NULL || json_is_null(c) ? 0 : iso_error_set(err, 0, "%s: config: expected an object", what);
	if (opt_strv(c, "Env", &cfg->env, NULL, what, err) < 0 ||
	    opt_strv(c, "Entrypoint", &cfg->entrypoint, &cfg->has_entrypoint, what, err) < 0 ||
	    opt_strv(c, "Cmd", &cfg->cmd, &cfg->has_cmd, what, err) < 0 ||
	    opt_keys(c, "ExposedPorts", &cfg->exposed_ports, what, err) < 0 ||
	    opt_keys(c, "Volumes", &cfg->volumes, what, err) < 0 ||
	    opt_string(c, "WorkingDir", &cfg->working_dir, what, err) < 0 ||
	    opt_string(c, "User", &cfg->user, what, err) < 0 ||
	    opt_string(c, "StopSignal", &cfg->stop_signal, what, err) < 0)
		return -1;
	return 0;
}

static int parse_diff_ids(json_t *root, const char *what, struct iso_image_config *cfg,
			  struct iso_error *err)
{
	json_t *rootfs = json_object_get(root, "rootfs");
	json_t *ids = json_is_object(rootfs) ? json_object_get(rootfs, "diff_ids") : NULL;
	json_t *e;
	size_t i;

	if (!json_is_array(ids))
		return iso_error_set(err, 0, "%s: rootfs.diff_ids: expected an array", what);
	cfg->diff_ids = xcalloc(json_array_size(ids) + 1, sizeof(char *));
	json_array_foreach(ids, i, e) {
		cleanup_free char *where = xasprintf("%s: rootfs.diff_ids[%zu]", what, i);

		if (!json_is_string(e) || iso_digest_check(json_string_value(e), where, err) < 0)
			return json_is_string(e) ? -1 : iso_error_set(err, 0, "%s: expected a string", where);
		cfg->diff_ids[i] = xstrdup(json_string_value(e));
		cfg->n_diff_ids = i + 1;
	}
	return 0;
}

int iso_image_config_parse(const char *buf, size_t len, const char *what,
			   struct iso_image_config *cfg, struct iso_error *err)
{
	cleanup_json json_t *root = NULL;

	memset(cfg, 0, sizeof(*cfg));
	root = load_json(buf, len, what, err);
	if (root == NULL ||
	    opt_string(root, "architecture", &cfg->architecture, what, err) < 0 ||
	    opt_string(root, "os", &cfg->os, what, err) < 0 ||
	    opt_string(root, "variant", &cfg->variant, what, err) < 0 ||
	    opt_string(root, "created", &cfg->created, what, err) < 0 ||
	    opt_string(root, "author", &cfg->author, what, err) < 0 ||
	    parse_config_section(json_object_get(root, "config"), what, cfg, err) < 0 ||
	    parse_diff_ids(root, what, cfg, err) < 0) {
		iso_image_config_free(cfg);
		return -1;
	}
	return 0;
}

void iso_image_config_free(struct iso_image_config *c)
{
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->created);
	free(c->author);
	strv_free(c->env);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->exposed_ports);
	strv_free(c->volumes);
	free(c->working_dir);
	free(c->user);
	free(c->stop_signal);
	strv_free(c->diff_ids);
	memset(c, 0, sizeof(*c));
}
