#include "mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *iso_mountinfo_unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t o = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Field 5 of a mountinfo line is the mount point. */
static char *mount_point_of(char *line)
{
	char *save = NULL, *field = strtok_r(line, " ", &save);

	for (int i = 1; field != NULL && i < 5; i++)
		field = strtok_r(NULL, " ", &save);
	return field;
}

int iso_mountinfo_points(const char *mountinfo_path, char ***points, struct iso_error *err)
{
	cleanup_file FILE *f = fopen(mountinfo_path, "re");
	cleanup_free char *line = NULL;
	char **v = xcalloc(1, sizeof(char *));
	size_t cap = 0, n, kept = 0;

	if (f == NULL) {
		free(v);
		return iso_error_set(err, errno, "open %s", mountinfo_path);
	}
	while (getline(&line, &cap, f) >= 0) {
		char *mp = mount_point_of(line);

		if (mp != NULL && strcmp(mp, "/") != 0)
			strv_push_owned(&v, iso_mountinfo_unescape(mp));
	}
	n = strv_len(v);
	qsort(v, n, sizeof(char *), compare_paths);
	for (size_t i = 0; i < n; i++) {
		if (kept > 0 && strcmp(v[kept - 1], v[i]) == 0)
			free(v[i]);
		else
			v[kept++] = v[i];
	}
	v[kept] = NULL;
	*points = v;
	return 0;
}
