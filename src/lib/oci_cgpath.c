/* Where an OCI container's cgroup goes: linux.cgroupsPath, or with
 * --systemd-cgroup its "slice:prefix:name" form, which isolate-oci lays
 * out on the cgroup filesystem as systemd would (there is no systemd to
 * ask on the hosts it has been run on; docs/oci.md). */
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "util.h"

/* systemd's slice names nest by their dashes: "a-b-c.slice" is
 * a.slice/a-b.slice/a-b-c.slice. */
static char *expand_slice(const char *slice, struct iso_error *err)
{
	size_t len = strlen(slice);
	char *out = xstrdup("");

	if (len < 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/') != NULL) {
		free(out);
		iso_error_set(err, 0, "cgroupsPath: %s is not a systemd slice", slice);
		return NULL;
	}
	if (strcmp(slice, "-.slice") == 0)
		return out;
	for (const char *dash = slice; ; dash++) {
		char *prev = out;

		dash = strchr(dash, '-');
		if (dash == NULL)
			break;
		if (dash == slice || dash[1] == '-' || dash[1] == '.') {
			free(out);
			iso_error_set(err, 0, "cgroupsPath: %s is not a systemd slice", slice);
			return NULL;
		}
		out = xasprintf("%s/%.*s.slice", prev, (int)(dash - slice), slice);
		free(prev);
	}
	{
		char *prev = out;

		out = xasprintf("%s/%s", prev, slice);
		free(prev);
	}
	return out;
}

static char *systemd_path(const char *p, const char *id, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(p);
	char *prefix = strchr(copy, ':');
	char *name = prefix ? strchr(prefix + 1, ':') : NULL;
	cleanup_free char *slice = NULL;

	if (name == NULL || strchr(name + 1, ':') != NULL) {
		iso_error_set(err, 0, "cgroupsPath %s: expected slice:prefix:name with --systemd-cgroup", p);
		return NULL;
	}
	*prefix++ = '\0';
	*name++ = '\0';
	slice = expand_slice(copy[0] ? copy : "system.slice", err);
	if (slice == NULL)
		return NULL;
	if (name[0] == '\0')
		name = (char *)id;
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		return xasprintf("%s/%s", slice, name);
	return xasprintf("%s/%s%s%s.scope", slice, prefix, prefix[0] ? "-" : "", name);
}

char *iso_oci_cgroup_path(const char *p, const char *id, bool systemd, struct iso_error *err)
{
	if (p == NULL || p[0] == '\0')
		return systemd ? systemd_path("system.slice:isolate-oci:", id, err)
			       : xasprintf("/isolate-oci/%s", id);
	if (systemd || (p[0] != '/' && strchr(p, ':') != NULL))
		return systemd_path(p, id, err);
	return xstrdup(p);
}
