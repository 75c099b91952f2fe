/* lease.h: addresses leased as symlinks leases/NETWORK/ADDRESS -> ID.
 *
 * The library keeps its run and data directories from the first call on,
 * so main() points ISOLATE_RUN_DIR and ISOLATE_DATA_DIR at a fresh
 * directory once, and every test starts and ends with both emptied.  A
 * lease counts as stale when its container has no state directory, so
 * the tests make one (iso_state_create) for every id that leases. */
#include "helpers.h"

#include <errno.h>

#include "lease.h"
#include "state.h"

#define ID_A "0123456789ab"
#define ID_B "abcdef012345"
#define ID_C "fedcba987654"
#define ID_D "00000000000d"
#define ID_E "00000000000e"

static char top[] = "/tmp/isolate-unit-XXXXXX";
static char *run_dir, *data_dir;

static int remove_below(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int empty_state_dirs(void **state)
{
	(void)state;
	if (nftw(run_dir, remove_below, 16, FTW_DEPTH | FTW_PHYS) < 0 ||
	    nftw(data_dir, remove_below, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -1;
	return 0;
}

static uint32_t ip(const char *text)
{
	struct iso_error err = { 0 };
	uint32_t a = 0;

	assert_int_equal(iso_ipv4_parse(text, &a, &err), 0);
	return a;
}

/* A network as iso_network_load would give it, without a file. */
static struct iso_network network(const char *name, const char *subnet, const char *gateway)
{
	struct iso_network net = { .name = (char *)name };
	struct iso_error err = { 0 };

	assert_int_equal(iso_subnet_parse(subnet, &net.subnet, &err), 0);
	net.gateway = ip(gateway);
	snprintf(net.bridge, sizeof(net.bridge), "isolate9");
	return net;
}

static void container(const char *id)
{
	struct iso_error err = { 0 };

	assert_int_equal(iso_state_create(id, NULL, &err), 0);
}

/* The holder of leases/NETWORK/ADDRESS, or "" without one. */
static char *holder(const char *network, const char *address)
{
	cleanup_free char *path = xasprintf("%s/leases/%s/%s", run_dir, network, address);
	char buf[64];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

#define assert_holder(network, address, id) \
	check_holder(__FILE__, __LINE__, network, address, id)

static void check_holder(const char *file, int line, const char *network, const char *address,
			 const char *id)
{
	cleanup_free char *got = holder(network, address);

	_assert_string_equal(got, id, file, line);
}

/* ID leases on NET (ADDRESS, or the lowest free one when NULL), which must
 * give WANT. */
#define assert_take(...) check_take(__FILE__, __LINE__, __VA_ARGS__)

static void check_take(const char *file, int line, const struct iso_network *net, const char *id,
		       const char *address, const char *want)
{
	struct iso_error err = { 0 };
	uint32_t leased = 0;
	char text[ISO_IPV4_STRLEN];
	int r = iso_lease_take(net, id, address ? ip(address) : 0, &leased, &err);

	if (r != 0)
		print_error("%s\n", err.msg);
	_assert_int_equal(r, 0, file, line);
	iso_ipv4_format(leased, text);
	_assert_string_equal(text, want, file, line);
	check_holder(file, line, net->name, want, id);
}

#define assert_take_fails(...) check_take_fails(__FILE__, __LINE__, __VA_ARGS__)

static void check_take_fails(const char *file, int line, const struct iso_network *net,
			     const char *id, const char *address, const char *want)
{
	struct iso_error err = { 0 };
	uint32_t leased = 12345;
	unsigned before = iso_lease_count(net->name);

	_assert_int_equal(iso_lease_take(net, id, address ? ip(address) : 0, &leased, &err), -1,
			  file, line);
	_assert_string_equal(err.msg, want, file, line);
	_assert_int_equal(leased, 12345, file, line);
	_assert_int_equal(iso_lease_count(net->name), before, file, line);
}

static void leases_start_after_the_gateway(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&net, ID_A, NULL, "10.88.0.2");
	assert_take(&net, ID_B, NULL, "10.88.0.3");
	assert_int_equal(iso_lease_count("n1"), 2);
}

static void leases_fill_the_lowest_hole(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	container(ID_C);
	container(ID_D);
	container(ID_E);
	assert_take(&net, ID_A, NULL, "10.88.0.2");
	assert_take(&net, ID_B, NULL, "10.88.0.3");
	assert_take(&net, ID_C, NULL, "10.88.0.4");
	iso_lease_drop("n1", ip("10.88.0.3"), ID_B);
	assert_holder("n1", "10.88.0.3", "");
	assert_take(&net, ID_D, NULL, "10.88.0.3");
	assert_take(&net, ID_E, NULL, "10.88.0.5");
}

/* The scan must compare addresses as numbers, not as the names' text:
 * 10.88.0.10 sorts before 10.88.0.9 as a string. */
static void leases_past_nine_keep_numeric_order(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");
	const char *ids[] = { "000000000001", "000000000002", "000000000003", "000000000004",
			      "000000000005", "000000000006", "000000000007", "000000000008",
			      "000000000009", "00000000000a", "00000000000b" };
	char want[ISO_IPV4_STRLEN];

	(void)state;
	for (size_t i = 0; i < 11; i++) {
		container(ids[i]);
		snprintf(want, sizeof(want), "10.88.0.%zu", i + 2);
		assert_take(&net, ids[i], NULL, want);
	}
	iso_lease_drop("n1", ip("10.88.0.9"), ids[7]);
	container(ID_A);
	assert_take(&net, ID_A, NULL, "10.88.0.9");
	container(ID_B);
	assert_take(&net, ID_B, NULL, "10.88.0.13");
}

static void leases_skip_a_gateway_elsewhere(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/29", "10.88.0.3");

	(void)state;
	container(ID_A);
	container(ID_B);
	container(ID_C);
	assert_take(&net, ID_A, NULL, "10.88.0.1");
	assert_take(&net, ID_B, NULL, "10.88.0.2");
	assert_take(&net, ID_C, NULL, "10.88.0.4");
}

static void leases_cross_an_octet(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/16", "10.88.0.1");
	char want[ISO_IPV4_STRLEN];

	(void)state;
	container(ID_A);
	/* 10.88.0.2 .. 10.88.0.255 taken */
	for (unsigned i = 2; i <= 255; i++) {
		snprintf(want, sizeof(want), "10.88.0.%u", i);
		assert_take(&net, ID_A, want, want);
	}
	container(ID_B);
	assert_take(&net, ID_B, NULL, "10.88.1.0");
}

static void fixed_address_is_leased_as_asked(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&net, ID_A, "10.88.0.77", "10.88.0.77");
	/* a fixed lease does not move the next free one */
	assert_take(&net, ID_B, NULL, "10.88.0.2");
	assert_int_equal(iso_lease_count("n1"), 2);
}

static void fixed_address_in_use_names_its_holder(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&net, ID_A, NULL, "10.88.0.2");
	assert_take_fails(&net, ID_B, "10.88.0.2",
			  "address 10.88.0.2 is already in use by container " ID_A " on network n1");
	assert_holder("n1", "10.88.0.2", ID_A);
	/* the same container twice is no different */
	assert_take_fails(&net, ID_A, "10.88.0.2",
			  "address 10.88.0.2 is already in use by container " ID_A " on network n1");
}

static void fixed_address_must_be_a_host_of_the_subnet(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	assert_take_fails(&net, ID_A, "10.89.0.5",
			  "address 10.89.0.5 is not a host address of network n1 (10.88.0.0/24)");
	assert_take_fails(&net, ID_A, "10.88.0.0",
			  "address 10.88.0.0 is not a host address of network n1 (10.88.0.0/24)");
	assert_take_fails(&net, ID_A, "10.88.0.255",
			  "address 10.88.0.255 is not a host address of network n1 (10.88.0.0/24)");
	assert_take_fails(&net, ID_A, "10.88.0.1",
			  "address 10.88.0.1 is the gateway of network n1");
	assert_int_equal(iso_lease_count(NULL), 0);
}

static void exhausted_network_says_so(void **state)
{
	struct iso_network tiny = network("tiny", "10.88.0.0/30", "10.88.0.1");
	struct iso_network small = network("small", "10.88.1.0/29", "10.88.1.1");
	char want[ISO_IPV4_STRLEN];

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&tiny, ID_A, NULL, "10.88.0.2");
	assert_take_fails(&tiny, ID_B, NULL, "network tiny has no free address left in 10.88.0.0/30");
	/* .2 .. .6: five hosts besides the gateway, never the broadcast .7 */
	for (unsigned i = 2; i <= 6; i++) {
		snprintf(want, sizeof(want), "10.88.1.%u", i);
		assert_take(&small, ID_A, NULL, want);
	}
	assert_take_fails(&small, ID_B, NULL,
			  "network small has no free address left in 10.88.1.0/29");
	/* and one given back is free again */
	iso_lease_drop("small", ip("10.88.1.4"), ID_A);
	assert_take(&small, ID_B, NULL, "10.88.1.4");
}

static void stale_lease_is_reclaimed(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	container(ID_C);
	assert_take(&net, ID_A, NULL, "10.88.0.2");
	assert_take(&net, ID_B, NULL, "10.88.0.3");
	/* B's isolate died before it wrote a record: its state is gone */
	iso_state_remove(ID_B);
	assert_take(&net, ID_C, NULL, "10.88.0.3");
	assert_holder("n1", "10.88.0.2", ID_A);
	assert_int_equal(iso_lease_count("n1"), 2);
}

static void stale_lease_gives_way_to_a_fixed_address(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&net, ID_A, "10.88.0.9", "10.88.0.9");
	iso_state_remove(ID_A);
	assert_take(&net, ID_B, "10.88.0.9", "10.88.0.9");
	assert_int_equal(iso_lease_count("n1"), 1);
}

/* A container whose owner died still has its state: its lease waits for
 * the sweep, which releases it with the rest of the container's share. */
static void lease_of_a_dead_owner_is_not_stale(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");
	struct iso_error err = { 0 };

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&net, ID_A, NULL, "10.88.0.2");
	assert_int_equal(iso_state_write(ID_A, "owner", "999999999 1\n", &err), 0);
	assert_take(&net, ID_B, NULL, "10.88.0.3");
	assert_holder("n1", "10.88.0.2", ID_A);
}

static void drop_needs_the_holders_id(void **state)
{
	struct iso_network net = network("n1", "10.88.0.0/24", "10.88.0.1");
	cleanup_free char *dir = xasprintf("%s/leases/n1", run_dir);

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&net, ID_A, NULL, "10.88.0.2");
	assert_take(&net, ID_B, NULL, "10.88.0.3");
	iso_lease_drop("n1", ip("10.88.0.2"), ID_B);
	assert_holder("n1", "10.88.0.2", ID_A);
	iso_lease_drop("n1", ip("10.88.0.4"), ID_A);     /* never leased */
	iso_lease_drop("n2", ip("10.88.0.2"), ID_A);     /* another network */
	assert_int_equal(iso_lease_count("n1"), 2);
	iso_lease_drop("n1", ip("10.88.0.2"), ID_A);
	assert_holder("n1", "10.88.0.2", "");
	assert_holder("n1", "10.88.0.3", ID_B);
	assert_int_equal(access(dir, F_OK), 0);
	/* the last one takes the network's directory along */
	iso_lease_drop("n1", ip("10.88.0.3"), ID_B);
	assert_int_equal(iso_lease_count("n1"), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

static void count_per_network_and_in_all(void **state)
{
	struct iso_network n1 = network("n1", "10.88.0.0/24", "10.88.0.1");
	struct iso_network n2 = network("n2", "10.89.0.0/24", "10.89.0.1");

	(void)state;
	assert_int_equal(iso_lease_count(NULL), 0);
	assert_int_equal(iso_lease_count("n1"), 0);
	container(ID_A);
	container(ID_B);
	container(ID_C);
	assert_take(&n1, ID_A, NULL, "10.88.0.2");
	assert_take(&n1, ID_B, NULL, "10.88.0.3");
	assert_take(&n2, ID_C, NULL, "10.89.0.2");
	assert_int_equal(iso_lease_count("n1"), 2);
	assert_int_equal(iso_lease_count("n2"), 1);
	assert_int_equal(iso_lease_count("n3"), 0);
	assert_int_equal(iso_lease_count(NULL), 3);
}

static void networks_lease_independently(void **state)
{
	struct iso_network n1 = network("n1", "10.88.0.0/24", "10.88.0.1");
	struct iso_network n2 = network("n2", "10.89.0.0/24", "10.89.0.1");

	(void)state;
	container(ID_A);
	container(ID_B);
	assert_take(&n1, ID_A, NULL, "10.88.0.2");
	assert_take(&n2, ID_B, NULL, "10.89.0.2");
	assert_take(&n2, ID_A, NULL, "10.89.0.3");
	iso_lease_drop("n2", ip("10.89.0.3"), ID_A);
	assert_holder("n1", "10.88.0.2", ID_A);
	assert_holder("n2", "10.89.0.2", ID_B);
}

#define LEASE_TEST(f) cmocka_unit_test_setup_teardown(f, empty_state_dirs, empty_state_dirs)

int main(void)
{
	const struct CMUnitTest tests[] = {
		LEASE_TEST(leases_start_after_the_gateway),
		LEASE_TEST(leases_fill_the_lowest_hole),
		LEASE_TEST(leases_past_nine_keep_numeric_order),
		LEASE_TEST(leases_skip_a_gateway_elsewhere),
		LEASE_TEST(leases_cross_an_octet),
		LEASE_TEST(fixed_address_is_leased_as_asked),
		LEASE_TEST(fixed_address_in_use_names_its_holder),
		LEASE_TEST(fixed_address_must_be_a_host_of_the_subnet),
		LEASE_TEST(exhausted_network_says_so),
		LEASE_TEST(stale_lease_is_reclaimed),
		LEASE_TEST(stale_lease_gives_way_to_a_fixed_address),
		LEASE_TEST(lease_of_a_dead_owner_is_not_stale),
		LEASE_TEST(drop_needs_the_holders_id),
		LEASE_TEST(count_per_network_and_in_all),
		LEASE_TEST(networks_lease_independently),
	};
	int r;

	if (mkdtemp(top) == NULL)
		return 1;
	run_dir = xasprintf("%s/run", top);
	data_dir = xasprintf("%s/data", top);
	if (mkdir(run_dir, 0700) < 0 || mkdir(data_dir, 0700) < 0 ||
	    setenv("ISOLATE_RUN_DIR", run_dir, 1) < 0 || setenv("ISOLATE_DATA_DIR", data_dir, 1) < 0)
		return 1;
	/* never a real installation's state */
	if (strcmp(iso_run_dir(), run_dir) != 0 || strcmp(iso_data_dir(), data_dir) != 0) {
		fprintf(stderr, "the library ignores ISOLATE_RUN_DIR/ISOLATE_DATA_DIR\n");
		return 1;
	}
	r = cmocka_run_group_tests_name("lease", tests, NULL, NULL);
	nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(run_dir);
	free(data_dir);
	return r;
}
