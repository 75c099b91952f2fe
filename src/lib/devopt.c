#include "devopt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util.h"

static void add_rule(struct iso_resources *r, struct iso_device_rule rule)
{
	r->devices = xrealloc(r->devices, (r->n_devices + 1) * sizeof(*r->devices));
	r->devices[r->n_devices++] = rule;
}

static bool perms_valid(const char *p)
{
	if (*p == '\0' || strlen(p) > 3)
		return false;
	for (const char *c = p; *c != '\0'; c++)
		if (strchr("rwm", *c) == NULL || strchr(c + 1, *c) != NULL)
			return false;
	return true;
}

int iso_spec_add_device(struct iso_spec *spec, const char *arg, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(arg);
	char *host = copy, *ctr = NULL, *perms = "rwm", *colon = strchr(copy, ':');
	struct iso_device_rule rule = { .allow = true };
	struct stat st;

	if (colon != NULL) {
		*colon = '\0';
		ctr = colon + 1;
		colon = strchr(ctr, ':');
		if (colon != NULL) {
			*colon = '\0';
			perms = colon + 1;
		} else if (ctr[0] != '/') {
			perms = ctr;    /* HOST:PERMS */
			ctr = NULL;
		}
	}
	if (ctr == NULL || *ctr == '\0')
		ctr = host;
	if (host[0] != '/' || ctr[0] != '/')
		return iso_error_set(err, 0, "invalid device %s: paths must be absolute", arg);
	if (!perms_valid(perms))
		return iso_error_set(err, 0, "invalid device %s: permissions %s: expected some of rwm", arg, perms);
	if (stat(host, &st) < 0)
		return iso_error_set(err, errno, "device %s", host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return iso_error_set(err, 0, "device %s: not a character or block device", host);
	rule.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	rule.major = major(st.st_rdev);
	rule.minor = minor(st.st_rdev);
	snprintf(rule.access, sizeof(rule.access), "%s", perms);
	add_rule(&spec->linux_.resources, rule);
	/* as the default devices: the host's node, not idmapped (devtmpfs
	 * cannot be), its mode deciding who opens it */
	iso_spec_add_mount(spec, "bind", host, ctr, "bind");
	return 0;
}

void iso_spec_default_device_rules(struct iso_spec *spec, bool allow_all)
{
	static const struct iso_device_rule defaults[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },
		{ true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
		{ true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
		{ true, 'c', 5, 1, "rwm" }, { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
		{ true, 'c', 10, 200, "rwm" },
	};
	static const struct iso_device_rule all = { true, 'a', -1, -1, "rwm" };
	struct iso_resources *r = &spec->linux_.resources;
	struct iso_device_rule *user = r->devices;
	size_t n_user = r->n_devices;

	r->devices = NULL;
	r->n_devices = 0;
	if (allow_all)
		add_rule(r, all);
	else
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			add_rule(r, defaults[i]);
	for (size_t i = 0; i < n_user; i++)
		add_rule(r, user[i]);
	free(user);
}

void iso_spec_oci_device_rules(struct iso_spec *spec)
{
	/* docker's defaults past the deny and the mknod rules */
	static const struct iso_device_rule allowed[] = {
		{ true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },
		{ true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
		{ true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
		{ true, 'c', 5, 1, "rwm" }, { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
		{ true, 'c', 10, 200, "rwm" },
	};
	static const struct iso_device_rule deny = { false, 'a', -1, -1, "rwm" };
	struct iso_resources *r = &spec->linux_.resources;

	/* no rules is not all devices: runc starts from none as well */
	if (r->n_devices == 0)
		add_rule(r, deny);
	for (size_t i = 0; i < spec->n_devices; i++) {
		const struct iso_device *d = &spec->devices[i];
		struct iso_device_rule rule = {
			.allow = true, .type = d->type == 'b' ? 'b' : 'c',
			.major = d->major, .minor = d->minor, .access = "rwm",
		};

		if (d->type != 'p')
			add_rule(r, rule);
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		add_rule(r, allowed[i]);
}
