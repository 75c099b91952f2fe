#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int iso_net_loopback_up(struct iso_error *err)
{
	cleanup_close int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (sock < 0)
		return iso_error_set(err, errno, "socket for lo");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return iso_error_set(err, errno, "read the flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return iso_error_set(err, errno, "bring lo up");
	return 0;
}

static int write_sysctl(const char *path, const char *value, struct iso_error *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	/* a kernel without the knob has nothing to relax */
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return iso_error_set(err, errno, "open %s", path);
	if (write_all(fd, value, strlen(value)) < 0)
		return iso_error_set(err, errno, "write %s", path);
	return 0;
}

/* The highest gid the container has. */
static uint64_t last_gid(const struct iso_spec *spec)
{
	uint64_t last = 0;

	if (!iso_spec_has_userns(spec))
		return 2147483647;
	for (size_t i = 0; i < spec->linux_.n_gid_mappings; i++) {
		const struct iso_idmap *m = &spec->linux_.gid_mappings[i];

		if ((uint64_t)m->container_id + m->size - 1 > last)
			last = (uint64_t)m->container_id + m->size - 1;
	}
	return last > 2147483647 ? 2147483647 : last;
}

int iso_net_namespace_defaults(const struct iso_spec *spec, struct iso_error *err)
{
	char range[48];

	snprintf(range, sizeof(range), "0 %llu", (unsigned long long)last_gid(spec));
	if (write_sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0", err) < 0 ||
	    write_sysctl("/proc/sys/net/ipv4/ping_group_range", range, err) < 0)
		return -1;
	return 0;
}
