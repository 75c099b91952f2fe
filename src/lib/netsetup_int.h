/* Between the files of one container's network (netsetup.c, netetc.c,
 * netrelease.c); not for the rest of the library. */
#ifndef ISOLATE_NETSETUP_INT_H
#define ISOLATE_NETSETUP_INT_H

#include "netsetup.h"

/* network.json in the container's state: what a reclaimer must undo. */
int iso_netsetup_write_record(const struct iso_netsetup *ns, struct iso_error *err);

int iso_netsetup_add_etc_files(const struct iso_netsetup *ns, struct iso_spec *spec,
			       struct iso_error *err);

#endif
