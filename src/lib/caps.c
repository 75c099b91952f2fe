#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "util.h"

static uint64_t bit(cap_value_t cap)
{
	return 1ULL << cap;
}

uint64_t iso_caps_docker_default(void)
{
	return bit(CAP_CHOWN) | bit(CAP_DAC_OVERRIDE) | bit(CAP_FSETID) | bit(CAP_FOWNER) |
	       bit(CAP_MKNOD) | bit(CAP_NET_RAW) | bit(CAP_SETGID) | bit(CAP_SETUID) |
	       bit(CAP_SETFCAP) | bit(CAP_SETPCAP) | bit(CAP_NET_BIND_SERVICE) |
	       bit(CAP_SYS_CHROOT) | bit(CAP_KILL) | bit(CAP_AUDIT_WRITE);
}

uint64_t iso_caps_all(void)
{
	int n = (int)cap_max_bits();

	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

int iso_caps_parse(const char *name, uint64_t *bits, struct iso_error *err)
{
	cleanup_free char *lower = xstrdup(name);
	cleanup_free char *full = NULL;
	cap_value_t cap;

	for (char *p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(lower, "all") == 0) {
		*bits = iso_caps_all();
		return 0;
	}
	full = strncmp(lower, "cap_", 4) == 0 ? xstrdup(lower) : xasprintf("cap_%s", lower);
	/* libcap reads "cap_net_admin2" as cap_net_admin: the name must come
	 * back the same */
	if (cap_from_name(full, &cap) == 0 && cap >= 0 && cap < (cap_value_t)cap_max_bits()) {
		char *back = cap_to_name(cap);
		bool same = back != NULL && strcmp(back, full) == 0;

		cap_free(back);
		if (same) {
			*bits = bit(cap);
			return 0;
		}
	}
	return iso_error_set(err, 0, "unknown capability %s", name);
}

uint64_t iso_caps_tweak(uint64_t add, bool add_all, uint64_t drop, bool drop_all)
{
	if (add_all)
		return iso_caps_all() & ~drop;
	return ((drop_all ? 0 : iso_caps_docker_default()) & ~drop) | add;
}

int iso_caps_drop_bounding(const struct iso_caps *c, struct iso_error *err)
{
	int n = (int)cap_max_bits();

	for (cap_value_t cap = 0; cap < n; cap++) {
		if (c->bounding & bit(cap))
			continue;
		if (cap_drop_bound(cap) < 0 && errno != EINVAL)
			return iso_error_set(err, errno, "drop %s from the bounding set",
					     cap_to_name(cap));
	}
	return 0;
}

/* FLAG of CAPS set to exactly the bits of WANT. */
static int set_flag(cap_t caps, cap_flag_t flag, uint64_t want)
{
	int n = (int)cap_max_bits();

	if (cap_clear_flag(caps, flag) < 0)
		return -1;
	for (cap_value_t cap = 0; cap < n; cap++)
		if ((want & bit(cap)) && cap_set_flag(caps, flag, 1, &cap, CAP_SET) < 0)
			return -1;
	return 0;
}

static uint64_t have(cap_t caps, cap_flag_t flag)
{
	int n = (int)cap_max_bits();
	uint64_t out = 0;

	for (cap_value_t cap = 0; cap < n; cap++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(caps, cap, flag, &v) == 0 && v == CAP_SET)
			out |= bit(cap);
	}
	return out;
}

int iso_caps_apply(const struct iso_caps *c, struct iso_error *err)
{
	cap_t caps = cap_get_proc();
	uint64_t permitted, inheritable;
	int n = (int)cap_max_bits();

	if (caps == NULL)
		return iso_error_set(err, errno, "read the process's capabilities");
	/* a set can only shrink here: what the change of user took stays
	 * gone; the inheritable set may take what is permitted still */
	permitted = c->permitted & have(caps, CAP_PERMITTED);
	inheritable = c->inheritable & (have(caps, CAP_INHERITABLE) | have(caps, CAP_PERMITTED));
	if (set_flag(caps, CAP_PERMITTED, permitted) < 0 ||
	    set_flag(caps, CAP_EFFECTIVE, c->effective & permitted) < 0 ||
	    set_flag(caps, CAP_INHERITABLE, inheritable) < 0 ||
	    cap_set_proc(caps) < 0) {
		iso_error_set(err, errno, "set the capabilities");
		cap_free(caps);
		return -1;
	}
	cap_free(caps);
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return iso_error_set(err, errno, "clear the ambient capabilities");
	for (cap_value_t cap = 0; cap < n; cap++)
		if ((c->ambient & bit(cap)) && cap_set_ambient(cap, CAP_SET) < 0)
			return iso_error_set(err, errno, "raise the ambient capability %s",
					     cap_to_name(cap));
	return 0;
}
