/* ocistatus.h: the state JSON hooks read on stdin (the runtime-spec's
 * fields only) and the one `state` prints (runc's, with its extras), and
 * the RFC 3339 time runc writes. */
#include "helpers.h"

#include <jansson.h>

#include "jsonutil.h"
#include "ocistatus.h"

static const struct iso_oci_state running = {
	.oci_version = "1.2.0",
	.id = "c1",
	.status = "running",
	.pid = 4242,
	.bundle = "/containers/c1",
	.annotations_json = "{\"org.example.key\": \"value\", \"b\": \"2\"}",
	.created = "2024-05-01T09:03:04.123456789Z",
	.owner = "root",
	.rootfs = "/containers/c1/rootfs",
};

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	assert_non_null(v);
	return v;
}

/* The spec's fields in the spec's order, compact, and none of runc's
 * extras: a hook's stdin. */
static void hook_state_has_the_spec_fields(void **state)
{
	cleanup_free char *text = iso_oci_state_json(&running);

	(void)state;
	assert_string_equal(text, "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"running\","
			    "\"pid\":4242,\"bundle\":\"/containers/c1\",\"annotations\":"
			    "{\"org.example.key\":\"value\",\"b\":\"2\"}}");
}

static void hook_state_leaves_out_pid_when_none_or_stopped(void **state)
{
	struct iso_oci_state creating = running, stopped = running;
	cleanup_free char *a = NULL, *b = NULL;
	cleanup_json json_t *ja = NULL, *jb = NULL;

	(void)state;
	creating.status = "creating";
	creating.pid = 0;
	stopped.status = "stopped";
	a = iso_oci_state_json(&creating);
	b = iso_oci_state_json(&stopped);
	ja = parse(a);
	jb = parse(b);
	assert_null(json_object_get(ja, "pid"));
	assert_null(json_object_get(jb, "pid"));
	assert_string_equal(json_string_value(json_object_get(jb, "status")), "stopped");
	assert_string_equal(json_string_value(json_object_get(ja, "bundle")), "/containers/c1");
}

/* No annotations, an empty object, or something that is not an object
 * at all: the property is absent, as runc's omitempty leaves it. */
static void annotations_left_out_when_there_are_none(void **state)
{
	const char *cases[] = { NULL, "{}", "[1]", "not json", "\"s\"" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iso_oci_state st = running;
		cleanup_free char *hook = NULL, *runc = NULL;
		cleanup_json json_t *jh = NULL, *jr = NULL;

		st.annotations_json = cases[i];
		hook = iso_oci_state_json(&st);
		runc = iso_oci_state_json_runc(&st);
		jh = parse(hook);
		jr = parse(runc);
		assert_null(json_object_get(jh, "annotations"));
		assert_null(json_object_get(jr, "annotations"));
	}
}

/* `runc state`: its order, 2-space indent, no trailing newline. */
static void runc_state_as_runc_prints_it(void **state)
{
	cleanup_free char *text = iso_oci_state_json_runc(&running);

	(void)state;
	assert_string_equal(text,
			    "{\n"
			    "  \"ociVersion\": \"1.2.0\",\n"
			    "  \"id\": \"c1\",\n"
			    "  \"pid\": 4242,\n"
			    "  \"status\": \"running\",\n"
			    "  \"bundle\": \"/containers/c1\",\n"
			    "  \"rootfs\": \"/containers/c1/rootfs\",\n"
			    "  \"created\": \"2024-05-01T09:03:04.123456789Z\",\n"
			    "  \"annotations\": {\n"
			    "    \"org.example.key\": \"value\",\n"
			    "    \"b\": \"2\"\n"
			    "  },\n"
			    "  \"owner\": \"root\"\n"
			    "}");
}

/* runc prints "pid": 0 for a stopped container, an empty owner, and a
 * created time go-runc can always parse. */
static void runc_state_of_a_stopped_container(void **state)
{
	struct iso_oci_state st = { .oci_version = "1.2.0", .id = "c2", .status = "stopped",
				    .pid = 99, .bundle = "/b" };
	cleanup_free char *text = iso_oci_state_json_runc(&st);
	cleanup_json json_t *j = parse(text);

	(void)state;
	assert_true(json_is_integer(json_object_get(j, "pid")));
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 0);
	assert_string_equal(json_string_value(json_object_get(j, "owner")), "");
	assert_string_equal(json_string_value(json_object_get(j, "rootfs")), "");
	assert_string_equal(json_string_value(json_object_get(j, "created")), "0001-01-01T00:00:00Z");
}

/* A bundle path need not be UTF-8; the JSON must still be JSON. */
static void a_path_that_is_not_utf8_is_still_json(void **state)
{
	struct iso_oci_state st = running;
	cleanup_free char *hook = NULL, *runc = NULL;
	cleanup_json json_t *jh = NULL, *jr = NULL;

	(void)state;
	st.bundle = "/b/\xff\xc3\xa9\xe2\x82";
	hook = iso_oci_state_json(&st);
	runc = iso_oci_state_json_runc(&st);
	jh = parse(hook);
	jr = parse(runc);
	assert_string_equal(json_string_value(json_object_get(jh, "bundle")),
			    "/b/\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(jr, "bundle")),
			    "/b/\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
}

static void rfc3339_nano_as_go_writes_it(void **state)
{
	struct { struct timespec ts; const char *want; } cases[] = {
		{ { 0, 0 }, "1970-01-01T00:00:00Z" },
		{ { 1700000000, 120000000 }, "2023-11-14T22:13:20.12Z" },
		{ { 1700000000, 1 }, "2023-11-14T22:13:20.000000001Z" },
		{ { 1714554184, 123456789 }, "2024-05-01T09:03:04.123456789Z" },
		{ { 1714554184, 500000000 }, "2024-05-01T09:03:04.5Z" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[ISO_RFC3339_NANO_MAX];

		iso_rfc3339_nano(&cases[i].ts, out);
		assert_string_equal(out, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hook_state_has_the_spec_fields),
		cmocka_unit_test(hook_state_leaves_out_pid_when_none_or_stopped),
		cmocka_unit_test(annotations_left_out_when_there_are_none),
		cmocka_unit_test(runc_state_as_runc_prints_it),
		cmocka_unit_test(runc_state_of_a_stopped_container),
		cmocka_unit_test(a_path_that_is_not_utf8_is_still_json),
		cmocka_unit_test(rfc3339_nano_as_go_writes_it),
	};

	return cmocka_run_group_tests_name("ocistatus", tests, NULL, NULL);
}
