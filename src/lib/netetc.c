/* A container's /etc/hosts, /etc/resolv.conf and /etc/hostname: written
 * to its state directory and mounted in front of the user's mounts. */
#include "netsetup.h"
#include "netsetup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathres.h"
#include "state.h"
#include "util.h"

static char *resolv_conf(const struct iso_netsetup *ns)
{
	cleanup_free char *host = NULL;
	struct iso_error ignored;
	size_t len;

	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &host, &len, &ignored) < 0)
		host = NULL;
	return iso_resolv_conf_build(host, &ns->cfg->dns, ns->cfg->mode == ISO_NET_HOST);
}

static int hosts_extra(const struct iso_netsetup *ns, char ***extra, struct iso_error *err)
{
	char gateway[ISO_IPV4_STRLEN];
	char **pairs = ns->cfg->add_hosts;

	for (size_t i = 0; pairs != NULL && pairs[i] != NULL; i += 2) {
		const char *ip = pairs[i + 1];

		if (strcmp(ip, "host-gateway") == 0) {
			if (ns->cfg->mode != ISO_NET_BRIDGE)
				return iso_error_set(err, 0, "--add-host %s:host-gateway needs a bridge network",
						     pairs[i]);
			iso_ipv4_format(ns->net.gateway, gateway);
			ip = gateway;
		}
		strv_push(extra, ip);
		strv_push(extra, pairs[i]);
	}
	return 0;
}

static char *hosts_file(const struct iso_netsetup *ns, const char *hostname, struct iso_error *err)
{
	cleanup_strv char **extra = NULL;
	char ip[ISO_IPV4_STRLEN];
	char *host = NULL;
	size_t len;

	if (ns->cfg->mode == ISO_NET_HOST && ns->cfg->add_hosts == NULL &&
	    read_file_at(AT_FDCWD, "/etc/hosts", &host, &len, err) == 0)
		return host;
	if (hosts_extra(ns, &extra, err) < 0)
		return NULL;
	iso_ipv4_format(ns->ip, ip);
	return iso_hosts_build(hostname, ns->ip ? ip : NULL, extra);
}

/* In the rootfs ROOT: 1 when /etc/NAME can carry a mount (a regular file
 * or nothing), 0 when it cannot, -1 when ROOT has no /etc/NAME entry or
 * hides it (an overlay whiteout, a 0/0 character device). */
static int can_mount_in(int root, const char *name)
{
	cleanup_close int etc = iso_open_in_root(root, "/etc", O_PATH | O_DIRECTORY);
	struct stat st;

	if (etc < 0)
		return errno == ENOENT ? -1 : 0;
	if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? -1 : 0;
	if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
		return -1;
	return S_ISREG(st.st_mode);
}

/* An image's view is the topmost layer that has the entry. */
static bool can_mount_on_layers(char *const *layers, const char *name)
{
	for (size_t i = strv_len(layers); i-- > 0;) {
		cleanup_close int root = open(layers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		int r = root < 0 ? 0 : can_mount_in(root, name);

		if (r >= 0)
			return r == 1;
	}
	return true;
}

/* Whether /etc/NAME can carry a mount: in the host's root, an existing
 * regular file; in a rootfs, a regular file or nothing (a mount point is
 * made), below an /etc directory.  Never a symlink from the image. */
static bool can_mount_on(const struct iso_spec *spec, const char *name)
{
	cleanup_free char *path = xasprintf("/etc/%s", name);
	cleanup_close int root = -1, etc = -1;
	struct stat st;

	for (size_t i = 0; i < spec->n_mounts; i++)
		if (strcmp(spec->mounts[i].destination, path) == 0 ||
		    strcmp(spec->mounts[i].destination, "/etc") == 0)
			return false;
	if (spec->root.layers != NULL)
		return can_mount_on_layers(spec->root.layers, name);
	if (spec->root.path == NULL)
		return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	root = open(spec->root.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* a root filled later (an image's copy, made with the container's
	 * directory) gets its mount points then */
	if (root < 0)
		return errno == ENOENT && spec->root.upper != NULL;
	/* a rootfs without /etc gets none; without /etc/NAME, a mount point */
	etc = iso_open_in_root(root, "/etc", O_PATH | O_DIRECTORY);
	return etc >= 0 && can_mount_in(root, name) != 0;
}

static int add_file(const struct iso_netsetup *ns, struct iso_spec *spec, const char *name,
		    const char *text, struct iso_error *err)
{
	cleanup_free char *source = iso_state_path(ns->id, name);
	cleanup_free char *dest = xasprintf("/etc/%s", name);

	if (text == NULL)
		return -1;
	if (iso_state_write(ns->id, name, text, err) < 0)
		return -1;
	if (can_mount_on(spec, name))
		/* in front of the user's mounts: one on /etc, or on a path
		 * that leads there, covers these as it would the image's */
		iso_spec_add_mount_first(spec, "bind", source, dest, "rbind,idmap");
	return 0;
}

int iso_netsetup_add_etc_files(const struct iso_netsetup *ns, struct iso_spec *spec,
			       struct iso_error *err)
{
	cleanup_free char *hosts = hosts_file(ns, spec->hostname, err);
	cleanup_free char *resolv = NULL, *hostname = NULL;

	if (hosts == NULL)
		return -1;
	resolv = resolv_conf(ns);
	hostname = xasprintf("%s\n", spec->hostname ? spec->hostname : "");
	if (add_file(ns, spec, "hosts", hosts, err) < 0 ||
	    add_file(ns, spec, "resolv.conf", resolv, err) < 0 ||
	    add_file(ns, spec, "hostname", hostname, err) < 0)
		return -1;
	return 0;
}
