/* isolate run's security flags: --cap-add, --cap-drop, --security-opt and
 * --privileged, into the spec's capabilities, no_new_privs and masked
 * paths. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devopt.h"
#include "log.h"
#include "util.h"

static int add_caps(struct cli_security *s, const char *arg, bool drop, struct iso_error *err)
{
	uint64_t bits;

	if (iso_caps_parse(arg, &bits, err) < 0)
		return iso_error_prefix(err, "%s", drop ? "--cap-drop" : "--cap-add");
	if (strcasecmp(arg, "all") == 0)
		*(drop ? &s->drop_all : &s->add_all) = true;
	else
		*(drop ? &s->drop : &s->add) |= bits;
	return 0;
}

/* Whether the kernel runs the LSM NAME (from securityfs, or the kernel's
 * boot-time list when securityfs is not mounted). */
static bool lsm_enabled(const char *name)
{
	cleanup_free char *list = NULL;
	struct iso_error ignored;

	if (read_file_at(AT_FDCWD, "/sys/kernel/security/lsm", &list, NULL, &ignored) < 0)
		return false;
	return strstr(list, name) != NULL;
}

static int set_flag_value(bool *flag, const char *opt, const char *value, struct iso_error *err)
{
	if (value == NULL || strcmp(value, "true") == 0) {
		*flag = true;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		*flag = false;
		return 0;
	}
	return iso_error_set(err, 0, "--security-opt %s: expected true or false", opt);
}

/* docker's --security-opt KEY=VALUE (or KEY:VALUE for a few of them). */
static int cli_security_opt(struct cli_security *s, const char *arg, struct iso_error *err)
{
	cleanup_free char *key = xstrdup(arg);
	char *value = strpbrk(key, "=:");

	if (value != NULL)
		*value++ = '\0';
	if (strcmp(key, "no-new-privileges") == 0)
		return set_flag_value(&s->no_new_privileges, arg, value, err);
	if (strcmp(key, "systempaths") == 0 && value != NULL && strcmp(value, "unconfined") == 0) {
		s->unmasked = true;
		return 0;
	}
	if (strcmp(key, "seccomp") == 0 && value != NULL && value[0] != '\0') {
		free(s->seccomp);
		s->seccomp = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "seccomp") == 0)
		return iso_error_set(err, 0, "--security-opt %s: expected seccomp=PROFILE.json or seccomp=unconfined", arg);
	if ((strcmp(key, "label") == 0 && !lsm_enabled("selinux")) ||
	    (strcmp(key, "apparmor") == 0 && !lsm_enabled("apparmor"))) {
		iso_log(ISO_LOG_WARN, "--security-opt %s: %s is not enabled on this host; ignored", arg,
			strcmp(key, "label") == 0 ? "SELinux" : "AppArmor");
		return 0;
	}
	if (strcmp(key, "label") == 0 || strcmp(key, "apparmor") == 0)
		return iso_error_set(err, 0, "--security-opt %s: isolate does not apply %s labels yet", arg,
				     strcmp(key, "label") == 0 ? "SELinux" : "AppArmor");
	return iso_error_set(err, 0, "--security-opt %s: unknown option", arg);
}

static int set_preserve_fds(struct cli_security *s, const char *arg, struct iso_error *err)
{
	uint32_t n;

	if (parse_u32(arg, &n) < 0 || n > 1000000)
		return iso_error_set(err, 0, "--preserve-fds %s: expected a number of fds", arg);
	s->preserve_fds = n;
	return 0;
}

int cli_security_option(struct cli_security *s, int opt, const char *arg, struct iso_error *err)
{
	switch (opt) {
	case CLI_OPT_CAP_ADD: return add_caps(s, arg, false, err);
	case CLI_OPT_CAP_DROP: return add_caps(s, arg, true, err);
	case CLI_OPT_SECURITY_OPT: return cli_security_opt(s, arg, err);
	case CLI_OPT_PRIVILEGED: s->privileged = true; return 0;
	case CLI_OPT_PRESERVE_FDS: return set_preserve_fds(s, arg, err);
	}
	return iso_error_set(err, 0, "internal error: security option %d not handled", opt);
}

/* --privileged: /sys and the cgroup filesystem writable, as docker does. */
static void make_sys_writable(struct iso_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct iso_mount *m = &spec->mounts[i];
		size_t kept = 0;

		if (strcmp(m->destination, "/sys") != 0 && strcmp(m->destination, "/sys/fs/cgroup") != 0)
			continue;
		for (size_t k = 0; m->options != NULL && m->options[k] != NULL; k++) {
			if (strcmp(m->options[k], "ro") == 0)
				free(m->options[k]);
			else
				m->options[kept++] = m->options[k];
		}
		if (m->options != NULL)
			m->options[kept] = NULL;
	}
}

/* docker's default filter, a profile of the user's, or none. */
static int set_seccomp(const struct cli_security *s, struct iso_spec *spec, uint64_t caps,
		       struct iso_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;

	if (s->privileged || (s->seccomp != NULL && strcmp(s->seccomp, "unconfined") == 0))
		return 0;
	if (s->seccomp == NULL) {
		spec->linux_.seccomp = iso_seccomp_docker_default(caps);
		return 0;
	}
	if (read_file_at(AT_FDCWD, s->seccomp, &text, &len, err) < 0)
		return iso_error_prefix(err, "--security-opt seccomp");
	return iso_seccomp_from_json(text, len, s->seccomp, caps, &spec->linux_.seccomp, err);
}

/* docker's defaults, or with --privileged every capability and nothing
 * masked or filtered. */
int cli_security_finish(const struct cli_security *s, struct iso_spec *spec, struct iso_error *err)
{
	struct iso_caps *c = &spec->process.caps;
	uint64_t set = s->privileged ? iso_caps_all()
				     : iso_caps_tweak(s->add, s->add_all, s->drop, s->drop_all);

	spec->process.has_caps = true;
	/* nothing inheritable: a file with inheritable capabilities gains
	 * nothing (CVE-2022-24769), as in docker since 20.10.14 */
	*c = (struct iso_caps){ .bounding = set, .effective = set, .permitted = set };
	spec->process.no_new_privileges = s->no_new_privileges;
	spec->process.preserve_fds = s->preserve_fds;
	if (!s->privileged && !s->unmasked)
		iso_spec_add_default_masks(spec);
	if (s->privileged)
		make_sys_writable(spec);
	iso_spec_default_device_rules(spec, s->privileged);
	return set_seccomp(s, spec, set, err);
}
