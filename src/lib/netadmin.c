#include "netadmin.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "lease.h"
#include "netlink.h"
#include "netsetup.h"
#include "nft.h"
#include "state.h"
#include "util.h"

#include <time.h>

/* Every command takes the state lock and sweeps first, so what a killed
 * isolate held never shows as in use; and waits (a few milliseconds, at
 * most a few seconds) for ended containers still being released, so what
 * an ended run held never shows either. */
static void restore_one(const char *id, void *ctx)
{
	(void)ctx;
	iso_netsetup_restore(id);
}

static int lock_and_sweep(struct iso_error *err)
{
	for (int tries = 0; ; tries++) {
		int lock = iso_state_lock(err);

		if (lock < 0)
			return -1;
		iso_state_sweep(iso_container_reclaim);
		if (tries == 600 || !iso_state_releasing())
			return lock;
		close(lock);
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	}
}

int iso_netadmin_create(const char *name, const char *subnet, const char *gateway,
			struct iso_network *net, struct iso_error *err)
{
	int lock = lock_and_sweep(err), r;

	if (lock < 0)
		return -1;
	r = iso_network_create(name, subnet, gateway, net, err);
	close(lock);
	return r;
}

int iso_netadmin_list(struct iso_network_info **infos, size_t *n, struct iso_error *err)
{
	struct iso_network *nets;
	int lock = lock_and_sweep(err);

	*infos = NULL;
	*n = 0;
	if (lock < 0)
		return -1;
	if (iso_network_list(&nets, n, err) < 0) {
		close(lock);
		return -1;
	}
	*infos = xcalloc(*n + 1, sizeof(**infos));
	for (size_t i = 0; i < *n; i++) {
		(*infos)[i].net = nets[i];
		(*infos)[i].containers = iso_lease_count(nets[i].name);
	}
	free(nets);
	close(lock);
	return 0;
}

void iso_netadmin_list_free(struct iso_network_info *infos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		iso_network_clear(&infos[i].net);
	free(infos);
}

/* With the lock held. */
static int remove_locked(const char *name, struct iso_error *err)
{
	struct iso_network net = { 0 };
	struct iso_nl nl = { 0 };
	unsigned used;
	int r = -1;

	if (iso_network_load(name, &net, err) < 0)
		return -1;
	used = iso_lease_count(name);
	if (used > 0) {
		iso_error_set(err, 0, "network %s is in use by %u container%s", name, used,
			      used == 1 ? "" : "s");
		goto out;
	}
	if (iso_nl_open(&nl, err) < 0)
		goto out;
	r = iso_nl_link_delete(&nl, net.bridge, err);
	iso_nl_close(&nl);
	if (r < 0)
		goto out;
	iso_nft_forget_network(net.bridge, &net.subnet);
	r = iso_network_forget(name, err);
out:
	iso_network_clear(&net);
	return r;
}

int iso_netadmin_remove(const char *name, struct iso_error *err)
{
	int lock = lock_and_sweep(err), r;

	if (lock < 0)
		return -1;
	r = remove_locked(name, err);
	if (iso_lease_count(NULL) == 0)
		iso_nft_remove_table(&(struct iso_error){ 0 });
	close(lock);
	return r;
}

int iso_netadmin_prune(bool all_unused, char ***removed, struct iso_error *err)
{
	struct iso_network *nets = NULL;
	size_t n = 0;
	int lock = lock_and_sweep(err), r = 0;

	if (lock < 0)
		return -1;
	if (all_unused && iso_network_list(&nets, &n, err) < 0)
		r = -1;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (iso_lease_count(nets[i].name) > 0)
			continue;
		r = remove_locked(nets[i].name, err);
		if (r == 0 && removed != NULL)
			strv_push(removed, nets[i].name);
	}
	iso_network_list_free(nets, n);
	if (iso_lease_count(NULL) == 0) {
		if (iso_nft_remove_table(err) < 0)
			r = -1;
	} else if (!iso_nft_table_present()) {
		/* the host's ruleset was flushed under running containers */
		iso_state_for_each_running(restore_one, NULL);
	}
	close(lock);
	return r;
}
