/* Checks of linux.resources before anything is created, and the
 * conversions between cgroup v1's and v2's scales. */
#ifndef ISOLATE_RESOURCES_H
#define ISOLATE_RESOURCES_H

#include <stdint.h>

#include "error.h"
#include "spec.h"

/* docker's rules: a memory limit of at least 6MiB, swap only with a
 * memory limit and not below it, a reservation not above the limit, CPU
 * numbers in range, CPU and memory-node lists that this host has. */
int iso_resources_validate(const struct iso_resources *r, struct iso_error *err);

/* The same, against the given online CPUs and memory nodes ("0-1", "0"):
 * for tests. */
int iso_resources_validate_on(const struct iso_resources *r, const char *cpus_online,
			      const char *mems_online, struct iso_error *err);

/* cpu.shares (2..262144) <-> cpu.weight (1..10000), as crun and runc
 * convert them. */
uint64_t iso_shares_to_weight(uint64_t shares);
uint64_t iso_weight_to_shares(uint64_t weight);

/* blkio.weight (10..1000) -> io.weight (1..10000). */
uint64_t iso_blkio_to_io_weight(uint64_t weight);

/* --cpus in billionths of a CPU -> a CFS quota for a period (microseconds). */
int64_t iso_cpus_to_quota(int64_t nano_cpus, int64_t period);

#define ISO_CPU_PERIOD_DEFAULT 100000

#endif
