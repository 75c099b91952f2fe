/* image/manifest.h: OCI and docker schema2 manifests, indexes and image
 * configs; the platform picked from an index; media types from the
 * transport and from the body. */
#include "helpers.h"

#include "image/manifest.h"

#define HEXA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEXB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEXC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DA "sha256:" HEXA
#define DB "sha256:" HEXB
#define DC "sha256:" HEXC

/* A descriptor's JSON. */
#define DESC(type, digest, size) \
	"{\"mediaType\": \"" type "\", \"digest\": \"" digest "\", \"size\": " #size "}"

#define OCI_MANIFEST_BODY(type_member, config, layers) \
	"{\"schemaVersion\": 2, " type_member "\"config\": " config ", \"layers\": [" layers "]}"

#define OCI_MANIFEST                                                                      \
	OCI_MANIFEST_BODY("\"mediaType\": \"" ISO_MT_OCI_MANIFEST "\", ",                      \
			  DESC(ISO_MT_OCI_CONFIG, DA, 1469),                                   \
			  DESC(ISO_MT_OCI_LAYER_GZIP, DB, 2000) ", " DESC(ISO_MT_OCI_LAYER, DC, 0))

#define DOCKER_MANIFEST                                                                   \
	"{\"schemaVersion\": 2, \"mediaType\": \"" ISO_MT_DOCKER_MANIFEST "\", "               \
	"\"config\": " DESC(ISO_MT_DOCKER_CONFIG, DA, 1500) ", "                              \
	"\"layers\": [" DESC(ISO_MT_DOCKER_LAYER, DB, 777) "]}"

#define ENTRY(digest, platform) \
	"{\"mediaType\": \"" ISO_MT_OCI_MANIFEST "\", \"digest\": \"" digest "\", \"size\": 500, " \
	"\"platform\": " platform "}"
#define PLAT(os, arch) "{\"os\": \"" os "\", \"architecture\": \"" arch "\"}"
#define PLATV(os, arch, v) "{\"os\": \"" os "\", \"architecture\": \"" arch "\", \"variant\": \"" v "\"}"

static int parse(const char *body, const char *type, struct iso_manifest *m, struct iso_error *err)
{
	return iso_manifest_parse(body, strlen(body), type, "busybox:latest", m, err);
}

/* The manifest BODY (served as TYPE) is refused with FRAGMENT. */
#define assert_manifest_refused(body, type, fragment) \
	check_manifest_refused(__FILE__, __LINE__, body, type, fragment)

static void check_msg(const char *file, int line, const struct iso_error *err, const char *fragment)
{
	if (strstr(err->msg, fragment) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err->msg, fragment);
		_fail(file, line);
	}
	_assert_int_equal(err->status, ISO_EXIT_RUNTIME, file, line);
}

static void check_manifest_refused(const char *file, int line, const char *body, const char *type,
				   const char *fragment)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };

	_assert_int_equal(parse(body, type, &m, &err), -1, file, line);
	check_msg(file, line, &err, fragment);
	/* nothing kept: the struct is empty (and ASan sees no leak) */
	_assert_true(m.media_type == NULL && m.layers == NULL && m.manifests == NULL &&
		     m.n_layers == 0, "nothing kept", file, line);
}

static void oci_manifest(void **state)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse(OCI_MANIFEST, ISO_MT_OCI_MANIFEST, &m, &err), 0);
	assert_false(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_OCI_MANIFEST);
	assert_string_equal(m.config.media_type, ISO_MT_OCI_CONFIG);
	assert_string_equal(m.config.digest, DA);
	assert_int_equal(m.config.size, 1469);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[0].media_type, ISO_MT_OCI_LAYER_GZIP);
	assert_string_equal(m.layers[0].digest, DB);
	assert_int_equal(m.layers[0].size, 2000);
	assert_string_equal(m.layers[1].media_type, ISO_MT_OCI_LAYER);
	assert_string_equal(m.layers[1].digest, DC);
	assert_int_equal(m.layers[1].size, 0);
	assert_int_equal(m.n_manifests, 0);
	iso_manifest_free(&m);
	assert_null(m.layers);
}

static void docker_schema2_manifest(void **state)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse(DOCKER_MANIFEST, ISO_MT_DOCKER_MANIFEST, &m, &err), 0);
	assert_false(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_DOCKER_MANIFEST);
	assert_string_equal(m.config.media_type, ISO_MT_DOCKER_CONFIG);
	assert_int_equal(m.n_layers, 1);
	assert_string_equal(m.layers[0].media_type, ISO_MT_DOCKER_LAYER);
	assert_int_equal(m.layers[0].size, 777);
	iso_manifest_free(&m);
}

/* Layer types a registry may serve, zstd and non-distributable included. */
static void known_layer_media_types(void **state)
{
	static const char *const types[] = {
		"application/vnd.oci.image.layer.v1.tar+zstd",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
		"application/vnd.docker.image.rootfs.diff.tar",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cleanup_free char *body = xasprintf(
			"{\"schemaVersion\": 2, \"config\": " DESC(ISO_MT_OCI_CONFIG, DA, 1)
			", \"layers\": [{\"mediaType\": \"%s\", \"digest\": \"" DB "\", \"size\": 1}]}",
			types[i]);
		struct iso_manifest m;
		struct iso_error err = { 0 };

		assert_int_equal(parse(body, NULL, &m, &err), 0);
		assert_string_equal(m.layers[0].media_type, types[i]);
		iso_manifest_free(&m);
	}
}

#define INDEX_BODY(type, entries) \
	"{\"schemaVersion\": 2, \"mediaType\": \"" type "\", \"manifests\": [" entries "]}"

#define FOUR_PLATFORMS                                                            \
	ENTRY(DA, PLAT("linux", "amd64")) ", " ENTRY(DB, PLAT("linux", "arm")) ", "   \
	ENTRY(DC, PLATV("linux", "arm", "v7")) ", " ENTRY(DA, PLATV("linux", "arm64", "v8"))

static void oci_index(void **state)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), ISO_MT_OCI_INDEX, &m,
			       &err), 0);
	assert_true(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_OCI_INDEX);
	assert_int_equal(m.n_manifests, 4);
	assert_int_equal(m.n_layers, 0);
	assert_string_equal(m.manifests[0].digest, DA);
	assert_string_equal(m.manifests[0].media_type, ISO_MT_OCI_MANIFEST);
	assert_string_equal(m.manifests[0].platform.os, "linux");
	assert_string_equal(m.manifests[0].platform.architecture, "amd64");
	assert_null(m.manifests[0].platform.variant);
	assert_string_equal(m.manifests[2].platform.variant, "v7");
	iso_manifest_free(&m);
}

static void docker_manifest_list(void **state)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse(INDEX_BODY(ISO_MT_DOCKER_LIST, ENTRY(DA, PLAT("linux", "amd64"))),
			       ISO_MT_DOCKER_LIST, &m, &err), 0);
	assert_true(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_DOCKER_LIST);
	assert_int_equal(m.n_manifests, 1);
	iso_manifest_free(&m);
}

/* Picks from INDEX the entry for PLATFORM: WANT, or -1 for none. */
#define assert_pick(index, platform, want) check_pick(__FILE__, __LINE__, index, platform, want)

static void check_pick(const char *file, int line, const char *index, const char *platform,
		       int want)
{
	struct iso_manifest m;
	struct iso_platform p;
	struct iso_error err = { 0 };
	size_t got = 99;

	_assert_int_equal(parse(index, NULL, &m, &err), 0, file, line);
	_assert_int_equal(iso_platform_parse(platform, &p, &err), 0, file, line);
	if (iso_manifest_pick(&m, &p, "busybox:latest", &got, &err) < 0) {
		print_error("%s\n", err.msg);
		_fail(file, line);
	}
	_assert_int_equal(got, want, file, line);
	iso_platform_free(&p);
	iso_manifest_free(&m);
}

static void pick_exact_platform(void **state)
{
	(void)state;
	assert_pick(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/amd64", 0);
	/* the variant-less arm entry comes first, but v7 is there exactly */
	assert_pick(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/arm/v7", 2);
	assert_pick(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/arm64/v8", 3);
}

/* docker: an entry without a variant serves any variant, and a request
 * without one takes any. */
static void pick_loose_variant(void **state)
{
	(void)state;
	assert_pick(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/arm/v6", 1);
	assert_pick(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/arm64", 3);
	assert_pick(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/arm", 1);
}

#define assert_pick_fails(index, platform, fragment) \
	check_pick_fails(__FILE__, __LINE__, index, platform, fragment)

static void check_pick_fails(const char *file, int line, const char *index, const char *platform,
			     const char *fragment)
{
	struct iso_manifest m;
	struct iso_platform p;
	struct iso_error err = { 0 };
	size_t got = 99;

	_assert_int_equal(parse(index, NULL, &m, &err), 0, file, line);
	_assert_int_equal(iso_platform_parse(platform, &p, &err), 0, file, line);
	_assert_int_equal(iso_manifest_pick(&m, &p, "busybox:latest", &got, &err), -1, file, line);
	check_msg(file, line, &err, fragment);
	_assert_int_equal(got, 99, file, line);
	iso_platform_free(&p);
	iso_manifest_free(&m);
}

static void pick_missing_platform_lists_what_is_offered(void **state)
{
	(void)state;
	assert_pick_fails(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), "linux/s390x",
			  "busybox:latest: no image for linux/s390x (the index has: linux/amd64, "
			  "linux/arm, linux/arm/v7, linux/arm64/v8)");
	/* a variant asked for is not served by another variant */
	assert_pick_fails(INDEX_BODY(ISO_MT_OCI_INDEX, ENTRY(DA, PLATV("linux", "arm", "v7"))),
			  "linux/arm/v6", "no image for linux/arm/v6 (the index has: linux/arm/v7)");
	assert_pick_fails(INDEX_BODY(ISO_MT_OCI_INDEX, ENTRY(DA, PLAT("windows", "amd64"))),
			  "linux/amd64", "(the index has: windows/amd64)");
	assert_pick_fails(INDEX_BODY(ISO_MT_OCI_INDEX, ), "linux/amd64",
			  "no image for linux/amd64 (the index has: nothing)");
	/* an entry without a platform (an attestation, say) is shown as ?/? */
	assert_pick_fails(INDEX_BODY(ISO_MT_OCI_INDEX, DESC(ISO_MT_OCI_MANIFEST, DA, 5)),
			  "linux/amd64", "(the index has: ?/?)");
}

/* ---- media types: the transport's and the body's ---- */

static void media_types_that_agree(void **state)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse(DOCKER_MANIFEST, ISO_MT_DOCKER_MANIFEST, &m, &err), 0);
	assert_string_equal(m.media_type, ISO_MT_DOCKER_MANIFEST);
	iso_manifest_free(&m);
	/* no transport type: the body's */
	assert_int_equal(parse(DOCKER_MANIFEST, NULL, &m, &err), 0);
	assert_string_equal(m.media_type, ISO_MT_DOCKER_MANIFEST);
	iso_manifest_free(&m);
	/* a transport type that is no manifest type says nothing */
	assert_int_equal(parse(DOCKER_MANIFEST, "application/json", &m, &err), 0);
	assert_string_equal(m.media_type, ISO_MT_DOCKER_MANIFEST);
	iso_manifest_free(&m);
}

static void media_types_that_disagree_are_an_error(void **state)
{
	(void)state;
	assert_manifest_refused(DOCKER_MANIFEST, ISO_MT_OCI_MANIFEST,
				"busybox:latest: its mediaType " ISO_MT_DOCKER_MANIFEST
				" disagrees with the " ISO_MT_OCI_MANIFEST " it was served as");
	assert_manifest_refused(INDEX_BODY(ISO_MT_OCI_INDEX, FOUR_PLATFORMS), ISO_MT_OCI_MANIFEST,
				"disagrees with the " ISO_MT_OCI_MANIFEST);
}

/* OCI lets a document omit its mediaType: the transport's is used, or
 * the members tell an index from a manifest. */
static void absent_media_type_is_inferred(void **state)
{
	struct iso_manifest m;
	struct iso_error err = { 0 };
	const char *bare_index = "{\"schemaVersion\": 2, \"manifests\": [" FOUR_PLATFORMS "]}";
	const char *bare_manifest = OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, 1),
						      DESC(ISO_MT_OCI_LAYER, DB, 2));

	(void)state;
	assert_int_equal(parse(bare_index, ISO_MT_DOCKER_LIST, &m, &err), 0);
	assert_true(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_DOCKER_LIST);
	iso_manifest_free(&m);
	assert_int_equal(parse(bare_index, NULL, &m, &err), 0);
	assert_true(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_OCI_INDEX);
	iso_manifest_free(&m);
	assert_int_equal(parse(bare_manifest, NULL, &m, &err), 0);
	assert_false(m.is_index);
	assert_string_equal(m.media_type, ISO_MT_OCI_MANIFEST);
	assert_int_equal(m.n_layers, 1);
	iso_manifest_free(&m);
	assert_int_equal(parse(bare_manifest, "text/plain", &m, &err), 0);
	assert_string_equal(m.media_type, ISO_MT_OCI_MANIFEST);
	iso_manifest_free(&m);
}

static void schema1_is_refused_with_its_reason(void **state)
{
	const char *v1 = "{\"schemaVersion\": 1, \"name\": \"library/busybox\", \"tag\": \"latest\", "
			 "\"fsLayers\": [{\"blobSum\": \"" DA "\"}], \"signatures\": []}";

	(void)state;
	assert_manifest_refused(v1, "application/vnd.docker.distribution.manifest.v1+prettyjws",
				"busybox:latest: docker image manifest schema 1 is not supported");
	assert_manifest_refused(v1, NULL, "schema 1 is not supported");
	assert_manifest_refused("{\"schemaVersion\": 3}", NULL, "schemaVersion: expected 2");
	assert_manifest_refused("{\"mediaType\": \"" ISO_MT_OCI_MANIFEST "\"}", NULL,
				"schemaVersion: expected 2");
}

static void unknown_media_types_are_refused(void **state)
{
	(void)state;
	assert_manifest_refused(
		OCI_MANIFEST_BODY("\"mediaType\": \"application/vnd.example.thing+json\", ",
				  DESC(ISO_MT_OCI_CONFIG, DA, 1), ""),
		NULL, "busybox:latest: unsupported manifest media type application/vnd.example.thing+json");
	/* an artifact: a manifest whose config is not an image config */
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC("application/vnd.cncf.helm.config.v1+json", DA, 1), ""),
		ISO_MT_OCI_MANIFEST,
		"config has media type application/vnd.cncf.helm.config.v1+json: not a container image");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, 1),
				  DESC(ISO_MT_OCI_LAYER, DB, 1) ", "
				  DESC("application/vnd.oci.image.layer.v1.tar+bzip2", DC, 1)),
		NULL, "busybox:latest: layers[1] (" DC "): unsupported media type "
		      "application/vnd.oci.image.layer.v1.tar+bzip2");
}

static void bad_descriptors_name_their_field(void **state)
{
	(void)state;
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, 1),
				  DESC(ISO_MT_OCI_LAYER, DB, 1) ", "
				  DESC(ISO_MT_OCI_LAYER, "sha256:xyz", 1)),
		NULL, "busybox:latest: layers[1]: invalid digest \"sha256:xyz\"");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, "sha512:" HEXA HEXA, 1), ""),
		NULL, "busybox:latest: config: unsupported digest algorithm \"sha512\"");
	assert_manifest_refused(INDEX_BODY(ISO_MT_OCI_INDEX, ENTRY(DA, PLAT("linux", "amd64")) ", "
					   ENTRY("sha256:" HEXA "0", PLAT("linux", "arm64"))),
				NULL, "busybox:latest: manifests[1]: invalid digest");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", "{\"mediaType\": \"" ISO_MT_OCI_CONFIG "\", \"size\": 1}", ""),
		NULL, "config: digest: expected a string");
	assert_manifest_refused(OCI_MANIFEST_BODY("", "\"" DA "\"", ""), NULL,
				"config: expected an object");
	assert_manifest_refused(OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, 1), "42"), NULL,
				"layers[0]: expected an object");
	assert_manifest_refused("{\"schemaVersion\": 2, \"layers\": []}", NULL, "config: missing");
	assert_manifest_refused("{\"schemaVersion\": 2, \"config\": " DESC(ISO_MT_OCI_CONFIG, DA, 1) "}",
				NULL, "busybox:latest: layers: expected an array");
	assert_manifest_refused(INDEX_BODY(ISO_MT_OCI_INDEX, "{\"digest\": \"" DA "\", \"size\": 1, "
							     "\"platform\": \"linux/amd64\"}"),
				NULL, "manifests[0]: platform: expected an object");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", "{\"mediaType\": 7, \"digest\": \"" DA "\", \"size\": 1}", ""),
		NULL, "config: mediaType: expected a string");
}

static void sizes_must_be_non_negative_integers(void **state)
{
	(void)state;
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, 1),
				  DESC(ISO_MT_OCI_LAYER, DB, -1)),
		NULL, "busybox:latest: layers[0]: size: expected a non-negative integer");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, "12"), ""),
		NULL, "config: size: expected a non-negative integer");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", DESC(ISO_MT_OCI_CONFIG, DA, 1.5), ""),
		NULL, "config: size: expected a non-negative integer");
	assert_manifest_refused(
		OCI_MANIFEST_BODY("", "{\"digest\": \"" DA "\"}", ""),
		NULL, "config: size: expected a non-negative integer");
}

/* jansson's position of the fault (the end of the token it choked on),
 * as WHAT:LINE:COLUMN */
static void malformed_json_reports_line_and_column(void **state)
{
	(void)state;
	assert_manifest_refused("{\n  \"schemaVersion\": 2,\n  oops\n}", NULL,
				"busybox:latest:3:6: string or '}' expected near 'oops'");
	assert_manifest_refused("", NULL, "busybox:latest:1:0: ");
	assert_manifest_refused("[1, 2]", NULL, "busybox:latest: not a JSON object");
	assert_manifest_refused("{\"schemaVersion\": 2} trailing", NULL, "busybox:latest:1:");
}

/* ---- image configs ---- */

static int parse_config(const char *body, struct iso_image_config *c, struct iso_error *err)
{
	return iso_image_config_parse(body, strlen(body), "config " DA, c, err);
}

#define CONFIG(config_member) \
	"{\"architecture\": \"arm\", \"os\": \"linux\", \"variant\": \"v7\", " \
	"\"created\": \"2024-01-01T00:00:00Z\", \"author\": \"me\", " config_member \
	"\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"" DA "\", \"" DB "\"]}}"

#define assert_strv(got, ...) check_strv(__FILE__, __LINE__, got, (const char *[]){ __VA_ARGS__, NULL })

static void check_strv(const char *file, int line, char *const *got, const char *const *want)
{
	size_t i;

	_assert_true(got != NULL, "a list", file, line);
	for (i = 0; want[i]; i++) {
		_assert_true(got[i] != NULL, "long enough", file, line);
		_assert_string_equal(got[i], want[i], file, line);
	}
	_assert_true(got[i] == NULL, "no more", file, line);
}

static void config_fields(void **state)
{
	struct iso_image_config c;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse_config(CONFIG("\"config\": {"
					     "\"Env\": [\"PATH=/bin\", \"A=1\"], "
					     "\"Entrypoint\": [\"/init\", \"--\"], \"Cmd\": [\"sh\"], "
					     "\"ExposedPorts\": {\"80/tcp\": {}, \"53/udp\": {}}, "
					     "\"Volumes\": {\"/data\": {}}, \"WorkingDir\": \"/srv\", "
					     "\"User\": \"nobody:nogroup\", \"StopSignal\": \"SIGQUIT\", "
					     "\"Labels\": {\"a\": \"b\"}}, "),
				      &c, &err), 0);
	assert_string_equal(c.architecture, "arm");
	assert_string_equal(c.os, "linux");
	assert_string_equal(c.variant, "v7");
	assert_string_equal(c.created, "2024-01-01T00:00:00Z");
	assert_string_equal(c.author, "me");
	assert_strv(c.env, "PATH=/bin", "A=1");
	assert_true(c.has_entrypoint);
	assert_strv(c.entrypoint, "/init", "--");
	assert_true(c.has_cmd);
	assert_strv(c.cmd, "sh");
	assert_strv(c.exposed_ports, "80/tcp", "53/udp");
	assert_strv(c.volumes, "/data");
	assert_string_equal(c.working_dir, "/srv");
	assert_string_equal(c.user, "nobody:nogroup");
	assert_string_equal(c.stop_signal, "SIGQUIT");
	assert_int_equal(c.n_diff_ids, 2);
	assert_strv(c.diff_ids, DA, DB);
	iso_image_config_free(&c);
	assert_null(c.env);
}

/* docker tells "Cmd": [] (an empty command, set) from null and absent
 * (none: the base image's stays). */
static void config_cmd_null_empty_and_absent(void **state)
{
	struct iso_image_config c;
	struct iso_error err = { 0 };

	(void)state;
	assert_int_equal(parse_config(CONFIG("\"config\": {\"Cmd\": null, \"Entrypoint\": []}, "),
				      &c, &err), 0);
	assert_false(c.has_cmd);
	assert_null(c.cmd);
	assert_true(c.has_entrypoint);
	assert_non_null(c.entrypoint);
	assert_null(c.entrypoint[0]);
	iso_image_config_free(&c);

	assert_int_equal(parse_config(CONFIG("\"config\": {\"Cmd\": [], \"Entrypoint\": null}, "),
				      &c, &err), 0);
	assert_true(c.has_cmd);
	assert_non_null(c.cmd);
	assert_null(c.cmd[0]);
	assert_false(c.has_entrypoint);
	iso_image_config_free(&c);

	assert_int_equal(parse_config(CONFIG("\"config\": {}, "), &c, &err), 0);
	assert_false(c.has_cmd);
	assert_false(c.has_entrypoint);
	assert_null(c.env);
	assert_null(c.exposed_ports);
	assert_null(c.working_dir);
	iso_image_config_free(&c);

	/* no config section at all, or null: an image with nothing set */
	assert_int_equal(parse_config(CONFIG(""), &c, &err), 0);
	assert_false(c.has_cmd);
	assert_int_equal(c.n_diff_ids, 2);
	iso_image_config_free(&c);
	assert_int_equal(parse_config(CONFIG("\"config\": null, "), &c, &err), 0);
	iso_image_config_free(&c);
}

static void config_without_layers(void **state)
{
	struct iso_image_config c;
	struct iso_error err = { 0 };
	const char *body = "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}";

	(void)state;
	assert_int_equal(parse_config(body, &c, &err), 0);
	assert_int_equal(c.n_diff_ids, 0);
	assert_non_null(c.diff_ids);
	assert_null(c.diff_ids[0]);
	assert_null(c.os);
	iso_image_config_free(&c);
}

#define assert_config_refused(body, fragment) \
	check_config_refused(__FILE__, __LINE__, body, fragment)

static void check_config_refused(const char *file, int line, const char *body, const char *fragment)
{
	struct iso_image_config c;
	struct iso_error err = { 0 };

	_assert_int_equal(parse_config(body, &c, &err), -1, file, line);
	check_msg(file, line, &err, fragment);
	_assert_true(c.env == NULL && c.cmd == NULL && c.diff_ids == NULL && c.os == NULL,
		     "nothing kept", file, line);
}

static void bad_configs_are_refused(void **state)
{
	(void)state;
	assert_config_refused(CONFIG("\"config\": {\"Env\": \"A=1\"}, "),
			      "config " DA ": Env: expected an array of strings");
	assert_config_refused(CONFIG("\"config\": {\"Env\": [\"A=1\", 2]}, "),
			      "config " DA ": Env[1]: expected a string");
	assert_config_refused(CONFIG("\"config\": {\"Cmd\": \"sh -c true\"}, "),
			      "Cmd: expected an array of strings");
	assert_config_refused(CONFIG("\"config\": {\"ExposedPorts\": [\"80/tcp\"]}, "),
			      "ExposedPorts: expected an object");
	assert_config_refused(CONFIG("\"config\": {\"WorkingDir\": 1}, "),
			      "WorkingDir: expected a string");
	assert_config_refused(CONFIG("\"config\": [], "), "config " DA ": config: expected an object");
	assert_config_refused(CONFIG("\"os\": 1, "), "os: expected a string");
	assert_config_refused("{\"config\": {}}", "config " DA ": rootfs.diff_ids: expected an array");
	assert_config_refused("{\"rootfs\": {\"diff_ids\": [\"" DA "\", \"sha256:00\"]}}",
			      "config " DA ": rootfs.diff_ids[1]: invalid digest \"sha256:00\"");
	assert_config_refused("{\"rootfs\": {\"diff_ids\": [\"" DA "\", 5]}}",
			      "rootfs.diff_ids[1]: expected a string");
	assert_config_refused("{\n\"rootfs\": {\n\"diff_ids\": [,]}}", "config " DA ":3:14: ");
	assert_config_refused("[\"just\", \"a list\"]", "config " DA ": not a JSON object");
	assert_config_refused("\"a string\"", "config " DA ":1:10: '[' or '{' expected");
}

/* ---- platforms ---- */

#define assert_platform(s, os, arch, variant) \
	check_platform(__FILE__, __LINE__, s, os, arch, variant)

static void check_platform(const char *file, int line, const char *s, const char *os,
			   const char *arch, const char *variant)
{
	struct iso_platform p;
	struct iso_error err = { 0 };

	_assert_int_equal(iso_platform_parse(s, &p, &err), 0, file, line);
	_assert_string_equal(p.os, os, file, line);
	_assert_string_equal(p.architecture, arch, file, line);
	if (variant)
		_assert_string_equal(p.variant, variant, file, line);
	else
		_assert_true(p.variant == NULL, "no variant", file, line);
	iso_platform_free(&p);
}

static void platform_parse_good(void **state)
{
	struct iso_platform p;
	struct iso_error err = { 0 };

	(void)state;
	assert_platform("linux/amd64", "linux", "amd64", NULL);
	assert_platform("linux/arm/v7", "linux", "arm", "v7");
	assert_platform("windows/arm64/v8", "windows", "arm64", "v8");
	/* the kernel's names and uppercase, as users type them */
	assert_platform("linux/x86_64", "linux", "amd64", NULL);
	assert_platform("Linux/AARCH64", "linux", "arm64", NULL);
	assert_platform("linux/armhf", "linux", "arm", "v7");
	/* NULL: this machine, in Go's names */
	assert_int_equal(iso_platform_parse(NULL, &p, &err), 0);
	assert_string_equal(p.os, "linux");
	assert_non_null(p.architecture);
#if defined(__x86_64__)
	assert_string_equal(p.architecture, "amd64");
	assert_null(p.variant);
#elif defined(__aarch64__)
	assert_string_equal(p.architecture, "arm64");
#endif
	iso_platform_free(&p);
}

#define assert_platform_refused(s) check_platform_refused(__FILE__, __LINE__, s)

static void check_platform_refused(const char *file, int line, const char *s)
{
	struct iso_platform p;
	struct iso_error err = { 0 };
	cleanup_free char *want = xasprintf("platform %s: expected OS/ARCH[/VARIANT]", s);

	_assert_int_equal(iso_platform_parse(s, &p, &err), -1, file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(err.status, ISO_EXIT_RUNTIME, file, line);
	_assert_true(p.os == NULL && p.architecture == NULL && p.variant == NULL, "nothing kept",
		     file, line);
}

static void platform_parse_bad(void **state)
{
	(void)state;
	assert_platform_refused("linux");
	assert_platform_refused("");
	assert_platform_refused("linux/");
	assert_platform_refused("/amd64");
	assert_platform_refused("linux//v7");
	assert_platform_refused("linux/arm/");
	assert_platform_refused("linux/arm/v7/extra");
	assert_platform_refused("linux/arm//");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oci_manifest),
		cmocka_unit_test(docker_schema2_manifest),
		cmocka_unit_test(known_layer_media_types),
		cmocka_unit_test(oci_index),
		cmocka_unit_test(docker_manifest_list),
		cmocka_unit_test(pick_exact_platform),
		cmocka_unit_test(pick_loose_variant),
		cmocka_unit_test(pick_missing_platform_lists_what_is_offered),
		cmocka_unit_test(media_types_that_agree),
		cmocka_unit_test(media_types_that_disagree_are_an_error),
		cmocka_unit_test(absent_media_type_is_inferred),
		cmocka_unit_test(schema1_is_refused_with_its_reason),
		cmocka_unit_test(unknown_media_types_are_refused),
		cmocka_unit_test(bad_descriptors_name_their_field),
		cmocka_unit_test(sizes_must_be_non_negative_integers),
		cmocka_unit_test(malformed_json_reports_line_and_column),
		cmocka_unit_test(config_fields),
		cmocka_unit_test(config_cmd_null_empty_and_absent),
		cmocka_unit_test(config_without_layers),
		cmocka_unit_test(bad_configs_are_refused),
		cmocka_unit_test(platform_parse_good),
		cmocka_unit_test(platform_parse_bad),
	};

	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
