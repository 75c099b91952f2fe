#include "volume.h"

#include <string.h>

#include "util.h"

static const char *const volume_options[] = { "ro", "rw", "private", "rprivate", NULL };

static int check_volume_options(const char *arg, const char *options, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(options);
	char *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o != NULL; o = strtok_r(NULL, ",", &save)) {
		bool known = false;

		for (size_t i = 0; volume_options[i] != NULL; i++)
			known |= strcmp(o, volume_options[i]) == 0;
		if (!known)
			return iso_error_set(err, 0, "invalid volume %s: unknown option %s (supported: ro, rw, private, rprivate)",
					     arg, o);
	}
	return 0;
}

static int check_container_path(const char *flag, const char *arg, const char *path,
				struct iso_error *err)
{
	cleanup_free char *norm = NULL;

	if (path[0] != '/')
		return iso_error_set(err, 0, "invalid %s %s: the container path %s is not absolute",
				     flag, arg, path);
	norm = path_normalize(path);
	if (norm == NULL)
		return iso_error_set(err, 0, "invalid %s %s: \"..\" is not allowed in %s", flag, arg, path);
	if (strcmp(norm, "/") == 0)
		return iso_error_set(err, 0, "invalid %s %s: cannot mount over /", flag, arg);
	return 0;
}

int iso_spec_add_volume(struct iso_spec *spec, const char *arg, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(arg);
	cleanup_free char *options = NULL;
	char *src = copy, *dst, *opts;

	dst = strchr(src, ':');
	if (dst == NULL || dst == src)
		return iso_error_set(err, 0, "invalid volume %s: expected HOSTPATH:CONTAINERPATH[:ro]", arg);
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts != NULL)
		*opts++ = '\0';
	if (src[0] != '/')
		return iso_error_set(err, 0, "invalid volume %s: %s is not an absolute host path (named volumes are not supported)",
				     arg, src);
	if (check_container_path("volume", arg, dst, err) < 0)
		return -1;
	if (opts != NULL && opts[0] == '\0')
		return iso_error_set(err, 0, "invalid volume %s: empty options", arg);
	if (opts != NULL && check_volume_options(arg, opts, err) < 0)
		return -1;
	options = xasprintf("rbind,idmap%s%s", opts ? "," : "", opts ? opts : "");
	iso_spec_add_mount(spec, "bind", src, dst, options);
	return 0;
}

int iso_spec_add_tmpfs(struct iso_spec *spec, const char *arg, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(arg);
	cleanup_free char *options = NULL;
	char *opts = strchr(copy, ':');

	if (opts != NULL)
		*opts++ = '\0';
	if (check_container_path("tmpfs", arg, copy, err) < 0)
		return -1;
	options = xasprintf("nosuid,nodev,noexec%s%s", opts ? "," : "", opts ? opts : "");
	iso_spec_add_mount(spec, "tmpfs", "tmpfs", copy, options);
	return 0;
}
