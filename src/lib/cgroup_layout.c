/* Which cgroup hierarchies this host has, and where; see cgroup.h. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_int.h"
#include "mountinfo.h"
#include "util.h"

/* Mount options of a v1 hierarchy that are not controllers. */
static bool is_controller_token(const char *tok)
{
	static const char *const not_controllers[] = {
		"rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
		"favordynmods", "none", NULL,
	};

	for (size_t i = 0; not_controllers[i] != NULL; i++)
		if (strcmp(tok, not_controllers[i]) == 0)
			return false;
	return strncmp(tok, "release_agent=", 14) != 0;
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct" (the kernel's order, which is also
 * /proc/self/cgroup's); NULL when nothing is left. */
static char *controllers_of(const char *superopts)
{
	cleanup_free char *copy = xstrdup(superopts);
	char *save = NULL, *out = NULL;

	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *joined;

		if (!is_controller_token(t))
			continue;
		joined = out ? xasprintf("%s,%s", out, t) : xstrdup(t);
		free(out);
		out = joined;
	}
	return out;
}

static bool same_hierarchy(const struct iso_cgroup_hier *h, bool v2, const char *controllers)
{
	if (h->v2 || v2)
		return h->v2 && v2;
	return strcmp(h->controllers, controllers) == 0;
}

static void add_hier(struct iso_cgroup_layout *l, const char *mount, bool v2, char *controllers)
{
	struct iso_cgroup_hier *h;
	const char *slash = strrchr(mount, '/');

	for (size_t i = 0; i < l->n; i++)
		if (same_hierarchy(&l->h[i], v2, controllers)) {
			free(controllers);      /* mounted twice: the first wins */
			return;
		}
	l->h = xrealloc(l->h, (l->n + 1) * sizeof(*l->h));
	h = &l->h[l->n++];
	*h = (struct iso_cgroup_hier){
		.mount = xstrdup(mount), .name = xstrdup(slash ? slash + 1 : mount),
		.controllers = controllers, .v2 = v2,
	};
}

/* A hierarchy with a later mount on its mount point, or on a directory
 * above it, is hidden: whoever mounted over it means it not to be used. */
static void drop_hidden(struct iso_cgroup_layout *l, const char *mount_point)
{
	for (size_t i = 0; i < l->n;) {
		struct iso_cgroup_hier *h = &l->h[i];

		if (!path_is_under(h->mount, mount_point)) {
			i++;
			continue;
		}
		free(h->mount);
		free(h->name);
		free(h->controllers);
		free(h->own);
		memmove(h, h + 1, (l->n - i - 1) * sizeof(*h));
		l->n--;
	}
}

/* One mountinfo line: fields up to " - ", then fstype, source, superopts. */
static void parse_mount_line(struct iso_cgroup_layout *l, char *line)
{
	char *sep = strstr(line, " - "), *save = NULL, *f[6], *fstype, *superopts;
	int i = 0;

	if (sep == NULL)
		return;
	*sep = '\0';
	for (char *t = strtok_r(line, " ", &save); t != NULL && i < 6; t = strtok_r(NULL, " ", &save))
		f[i++] = t;
	if (i < 5)
		return;
	save = NULL;
	fstype = strtok_r(sep + 3, " ", &save);
	strtok_r(NULL, " ", &save);             /* source */
	superopts = strtok_r(NULL, " \n", &save);
	if (fstype == NULL || superopts == NULL)
		return;
	{
		cleanup_free char *mp = iso_mountinfo_unescape(f[4]);

		drop_hidden(l, mp);
	}
	/* f[3]: the mount's root; a cgroup shown from below its root is a
	 * container's view, not a hierarchy to manage */
	if (strcmp(f[3], "/") != 0)
		return;
	if (strcmp(fstype, "cgroup2") == 0) {
		cleanup_free char *mp = iso_mountinfo_unescape(f[4]);

		add_hier(l, mp, true, NULL);
	} else if (strcmp(fstype, "cgroup") == 0) {
		char *controllers = controllers_of(superopts);
		cleanup_free char *mp = iso_mountinfo_unescape(f[4]);

		if (controllers != NULL)
			add_hier(l, mp, false, controllers);
	}
}

/* "N:CONTROLLERS:PATH" lines: the caller's cgroup in each hierarchy. */
static void find_own(struct iso_cgroup_layout *l, const char *proc_cgroup)
{
	cleanup_free char *copy = xstrdup(proc_cgroup);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (c2 == NULL)
			continue;
		*c2 = '\0';
		for (size_t i = 0; i < l->n; i++) {
			struct iso_cgroup_hier *h = &l->h[i];
			bool match = h->v2 ? c1[1] == '\0' : strcmp(c1 + 1, h->controllers) == 0;

			if (match && h->own == NULL)
				h->own = xstrdup(c2 + 1);
		}
	}
}

int iso_cgroup_layout_parse(const char *mountinfo, const char *proc_cgroup,
			    struct iso_cgroup_layout *out, struct iso_error *err)
{
	cleanup_free char *copy = xstrdup(mountinfo);
	char *save = NULL;
	bool v1_controllers = false;

	(void)err;
	*out = (struct iso_cgroup_layout){ 0 };
	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		parse_mount_line(out, line);
	find_own(out, proc_cgroup);
	for (size_t i = 0; i < out->n; i++) {
		struct iso_cgroup_hier *h = &out->h[i];

		if (h->own == NULL)
			h->own = xstrdup("/");
		if (!h->v2 && strncmp(h->controllers, "name=", 5) != 0)
			v1_controllers = true;
	}
	out->unified = !v1_controllers && out->n > 0;
	return 0;
}

void iso_cgroup_layout_free(struct iso_cgroup_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->h[i].mount);
		free(l->h[i].name);
		free(l->h[i].controllers);
		free(l->h[i].own);
	}
	free(l->h);
	*l = (struct iso_cgroup_layout){ 0 };
}

const struct iso_cgroup_layout *iso_cgroup_layout_host(struct iso_error *err)
{
	static struct iso_cgroup_layout host;
	static bool read_once;
	cleanup_free char *mountinfo = NULL;
	cleanup_free char *own = NULL;

	if (read_once)
		return &host;
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/self/cgroup", &own, NULL, err) < 0)
		return NULL;
	if (iso_cgroup_layout_parse(mountinfo, own, &host, err) < 0)
		return NULL;
	read_once = true;
	return &host;
}

bool iso_cg_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *end = p + strcspn(p, ", \n");

		if ((size_t)(end - p) == n && strncmp(p, item, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

const struct iso_cgroup_hier *iso_cgroup_layout_find(const struct iso_cgroup_layout *l,
						     const char *controller)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct iso_cgroup_hier *h = &l->h[i];

		if (l->unified ? h->v2 : (!h->v2 && iso_cg_list_has(h->controllers, controller)))
			return h;
	}
	return NULL;
}
