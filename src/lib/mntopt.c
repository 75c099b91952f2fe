#include "mntopt.h"

#include <string.h>
#include <sys/mount.h>

#include "util.h"

struct attr_opt {
	const char *name;
	uint64_t set;
	uint64_t clr;
};

/* Atime modes are one field: setting one clears the whole field first. */
static const struct attr_opt attr_opts[] = {
	{ "ro", MOUNT_ATTR_RDONLY, 0 },
	{ "rw", 0, MOUNT_ATTR_RDONLY },
	{ "nosuid", MOUNT_ATTR_NOSUID, 0 },
	{ "suid", 0, MOUNT_ATTR_NOSUID },
	{ "nodev", MOUNT_ATTR_NODEV, 0 },
	{ "dev", 0, MOUNT_ATTR_NODEV },
	{ "noexec", MOUNT_ATTR_NOEXEC, 0 },
	{ "exec", 0, MOUNT_ATTR_NOEXEC },
	{ "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
	{ "diratime", 0, MOUNT_ATTR_NODIRATIME },
	{ "nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "symfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
	{ "relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
	{ "norelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
	{ "atime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
};

struct prop_opt {
	const char *name;
	uint64_t propagation;
	bool recursive;
};

static const struct prop_opt prop_opts[] = {
	{ "private", MS_PRIVATE, false }, { "rprivate", MS_PRIVATE, true },
	{ "shared", MS_SHARED, false }, { "rshared", MS_SHARED, true },
	{ "slave", MS_SLAVE, false }, { "rslave", MS_SLAVE, true },
	{ "unbindable", MS_UNBINDABLE, false }, { "runbindable", MS_UNBINDABLE, true },
};

/* Options that say nothing new: the defaults of every mount. */
static const char *const noop_opts[] = { "defaults", "async", "nomand", "newinstance", NULL };

static bool parse_attr(const char *opt, struct iso_mntopts *out)
{
	for (size_t i = 0; i < sizeof(attr_opts) / sizeof(attr_opts[0]); i++) {
		const struct attr_opt *o = &attr_opts[i];
		/* the bits this option decides, one flag or the atime field */
		uint64_t field = o->clr ? o->clr : o->set;

		if (strcmp(opt, o->name) != 0)
			continue;
		out->attr_set = (out->attr_set & ~field) | o->set;
		out->attr_clr = (out->attr_clr & ~field) | o->clr;
		return true;
	}
	return false;
}

static bool parse_propagation(const char *opt, struct iso_mntopts *out)
{
	for (size_t i = 0; i < sizeof(prop_opts) / sizeof(prop_opts[0]); i++) {
		if (strcmp(opt, prop_opts[i].name) == 0) {
			out->propagation = prop_opts[i].propagation;
			out->recursive |= prop_opts[i].recursive;
			return true;
		}
	}
	return false;
}

static bool is_noop(const char *opt)
{
	for (size_t i = 0; noop_opts[i] != NULL; i++)
		if (strcmp(opt, noop_opts[i]) == 0)
			return true;
	return false;
}

int iso_mntopts_parse(char *const *options, struct iso_mntopts *out, struct iso_error *err)
{
	memset(out, 0, sizeof(*out));
	out->data = xcalloc(1, sizeof(char *));
	for (size_t i = 0; options != NULL && options[i] != NULL; i++) {
		const char *opt = options[i];

		if (opt[0] == '\0') {
			iso_mntopts_free(out);
			return iso_error_set(err, 0, "empty mount option");
		}
		if (parse_attr(opt, out) || parse_propagation(opt, out) || is_noop(opt))
			continue;
		if (strcmp(opt, "bind") == 0) {
			out->bind = true;
		} else if (strcmp(opt, "rbind") == 0) {
			out->bind = true;
			out->recursive = true;
		} else if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0) {
			out->idmap = true;
		} else {
			strv_push(&out->data, opt);
		}
	}
	return 0;
}

void iso_mntopts_free(struct iso_mntopts *o)
{
	strv_free(o->data);
	o->data = NULL;
}
