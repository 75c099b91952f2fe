#include "userdb.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct pw_found {
	uid_t uid;
	gid_t gid;
	char *name;
	char *home;
};

/* Entry buffers grow as long lines need: glibc's fgetpwent_r and
 * fgetgrent_r return ERANGE and rewind to the start of the line when the
 * buffer is too small; a line past 1 MiB is an error. */
struct entbuf {
	char *buf;
	size_t size;
};

#define ENTBUF_MAX (1u << 20)

static struct entbuf entbuf_new(void)
{
	struct entbuf b = { .buf = xmalloc(4096), .size = 4096 };

	return b;
}

static bool entbuf_grow(struct entbuf *b, int r)
{
	if (r != ERANGE || b->size >= ENTBUF_MAX)
		return false;
	b->size *= 2;
	b->buf = xrealloc(b->buf, b->size);
	return true;
}

/* Returns 1 with the next entry, 0 at the end, -1 (errno set) on error. */
static int next_passwd(FILE *f, struct passwd *pw, struct entbuf *b)
{
	struct passwd *res;
	int r;

	while ((r = fgetpwent_r(f, pw, b->buf, b->size, &res)) != 0)
		if (!entbuf_grow(b, r))
			return r == ENOENT ? 0 : (errno = r, -1);
	return 1;
}

static int next_group(FILE *f, struct group *gr, struct entbuf *b)
{
	struct group *res;
	int r;

	while ((r = fgetgrent_r(f, gr, b->buf, b->size, &res)) != 0)
		if (!entbuf_grow(b, r))
			return r == ENOENT ? 0 : (errno = r, -1);
	return 1;
}

/* Finds a passwd entry by name, or by uid when NAME is NULL.  Returns 1
 * when found, 0 when not, -1 on a read error. */
static int find_passwd(const char *path, const char *name, uid_t uid, struct pw_found *out)
{
	cleanup_file FILE *f = fopen(path, "re");
	struct entbuf b;
	struct passwd pw;
	int r;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	b = entbuf_new();
	while ((r = next_passwd(f, &pw, &b)) > 0) {
		if (name != NULL ? strcmp(pw.pw_name, name) == 0 : pw.pw_uid == uid) {
			out->uid = pw.pw_uid;
			out->gid = pw.pw_gid;
			out->name = xstrdup(pw.pw_name);
			out->home = xstrdup(pw.pw_dir);
			break;
		}
	}
	free(b.buf);
	return r;
}

static int find_group(const char *path, const char *name, gid_t *gid)
{
	cleanup_file FILE *f = fopen(path, "re");
	struct entbuf b;
	struct group gr;
	int r;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	b = entbuf_new();
	while ((r = next_group(f, &gr, &b)) > 0) {
		if (strcmp(gr.gr_name, name) == 0) {
			*gid = gr.gr_gid;
			break;
		}
	}
	free(b.buf);
	return r;
}

static void add_group(struct iso_resolved_user *u, gid_t gid)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == gid)
			return;
	u->groups = xrealloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
	u->groups[u->n_groups++] = gid;
}

/* Every group that lists NAME as a member. */
static int add_member_groups(const char *path, const char *name, struct iso_resolved_user *u)
{
	cleanup_file FILE *f = fopen(path, "re");
	struct entbuf b;
	struct group gr;
	int r;

	if (name == NULL)
		return 0;
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	b = entbuf_new();
	while ((r = next_group(f, &gr, &b)) > 0)
		for (char **m = gr.gr_mem; m != NULL && *m != NULL; m++)
			if (strcmp(*m, name) == 0)
				add_group(u, gr.gr_gid);
	free(b.buf);
	return r;
}

static int resolve_group(const char *group_spec, const char *group_path, gid_t *gid,
			 struct iso_error *err)
{
	uint32_t n;
	int r;

	if (parse_u32(group_spec, &n) == 0) {
		*gid = n;
		return 0;
	}
	r = find_group(group_path, group_spec, gid);
	if (r < 0)
		return iso_error_set(err, errno, "read %s", group_path);
	if (r == 0)
		return iso_error_set(err, 0, "unable to find group %s: no matching entries in group file",
				     group_spec);
	return 0;
}

int iso_user_resolve(const char *spec, const char *passwd, const char *group,
		     struct iso_resolved_user *out, struct iso_error *err)
{
	cleanup_free char *user_part = xstrdup(spec ? spec : "0");
	char *group_part = strchr(user_part, ':');
	struct pw_found pw = { 0 };
	uint32_t n;
	bool numeric;
	int r;

	memset(out, 0, sizeof(*out));
	if (group_part != NULL)
		*group_part++ = '\0';
	if (user_part[0] == '\0' || (group_part != NULL && group_part[0] == '\0'))
		return iso_error_set(err, 0, "invalid user %s: expected USER[:GROUP]", spec);
	numeric = parse_u32(user_part, &n) == 0;
	r = find_passwd(passwd, numeric ? NULL : user_part, numeric ? n : 0, &pw);
	if (r < 0)
		return iso_error_set(err, errno, "read %s", passwd);
	if (r == 0 && !numeric)
		return iso_error_set(err, 0, "unable to find user %s: no matching entries in passwd file",
				     user_part);
	out->uid = r ? pw.uid : n;
	out->gid = r ? pw.gid : 0;
	out->home = r ? steal_ptr(&pw.home) : xstrdup(out->uid == 0 ? "/root" : "/");
	if (group_part != NULL && resolve_group(group_part, group, &out->gid, err) < 0) {
		free(pw.name);
		iso_resolved_user_free(out);
		return -1;
	}
	add_group(out, out->gid);
	/* An explicit group replaces the user's supplementary groups, as in
	 * docker; otherwise the user keeps those /etc/group gives it. */
	r = group_part == NULL ? add_member_groups(group, pw.name, out) : 0;
	free(pw.name);
	if (r < 0) {
		iso_error_set(err, errno, "read %s", group);
		iso_resolved_user_free(out);
		return -1;
	}
	return 0;
}

void iso_resolved_user_free(struct iso_resolved_user *u)
{
	free(u->groups);
	free(u->home);
	memset(u, 0, sizeof(*u));
}
