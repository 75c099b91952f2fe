/* The host's mount table, read from /proc/self/mountinfo: the host-root
 * sandbox shows the host's root filesystem together with the filesystems
 * mounted below it (/home, /boot, ...), each one cloned on its own. */
#ifndef ISOLATE_MOUNTINFO_H
#define ISOLATE_MOUNTINFO_H

#include "error.h"

/* Mount points of the current mount namespace other than "/", decoded,
 * without duplicates, sorted so that a parent comes before its children. */
int iso_mountinfo_points(const char *mountinfo_path, char ***points, struct iso_error *err);

/* Decodes the octal escapes (\040 and kin) mountinfo uses in paths. */
char *iso_mountinfo_unescape(const char *s);

#endif
