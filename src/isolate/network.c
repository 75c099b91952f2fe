/* isolate network create|ls|rm|prune */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "netadmin.h"
#include "util.h"

static const char network_usage[] = "Usage: isolate network COMMAND";

static const char network_help[] =
	"Usage: isolate network COMMAND\n"
	"\n"
	"Manage networks: a bridge on the host, a subnet and a gateway.  The\n"
	"network 'bridge' (bridge isolate0) is the default of isolate run as root;\n"
	"it is defined on first use, or made with 'network create bridge'.\n"
	"\n"
	"Commands:\n"
	"  create [--subnet CIDR] [--gateway IP] NAME   Define a network\n"
	"  ls [--quiet]                                  List networks\n"
	"  rm NAME...                                    Remove networks no container uses\n"
	"  prune                                         Remove every unused network,\n"
	"                                                reclaim what killed runs left, and\n"
	"                                                rebuild isolate's nftables table if a\n"
	"                                                flush of the ruleset removed it\n";

static int fail(const struct iso_error *err)
{
	cli_print_error(err);
	return err->status ? err->status : ISO_EXIT_RUNTIME;
}

/* Options and then exactly MIN..MAX operands; returns 0, or an exit status. */
static int parse(int argc, char **argv, const char *shortopts, const struct option *longopts,
		 int (*apply)(int opt, const char *arg, void *data), void *data,
		 int min, int max, const char *cmd)
{
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == '?')
			return cli_usage_error(network_usage, cmd, "unknown flag: %s", argv[optind - 1]);
		if (opt == ':')
			return cli_usage_error(network_usage, cmd, "flag needs an argument: %s",
					       argv[optind - 1]);
		if (opt == 'H') {
			fputs(network_help, stdout);
			return -1;
		}
		apply(opt, optarg, data);
	}
	if (argc - optind < min || (max >= 0 && argc - optind > max))
		return cli_usage_error(network_usage, cmd, "%s", argc - optind < min ?
				       "not enough arguments" : "too many arguments");
	return 0;
}

struct create_flags {
	const char *subnet, *gateway;
};

static int create_apply(int opt, const char *arg, void *data)
{
	struct create_flags *f = data;

	if (opt == 's')
		f->subnet = arg;
	else if (opt == 'g')
		f->gateway = arg;
	return 0;
}

static int network_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subnet", required_argument, NULL, 's' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct create_flags f = { 0 };
	struct iso_network net;
	struct iso_error err;
	int r = parse(argc, argv, "+:", opts, create_apply, &f, 1, 1, "isolate network");

	if (r != 0)
		return r < 0 ? 0 : r;
	iso_error_clear(&err);
	if (iso_netadmin_create(argv[optind], f.subnet, f.gateway, &net, &err) < 0)
		return fail(&err);
	puts(net.name);
	iso_network_clear(&net);
	return 0;
}

static int quiet_apply(int opt, const char *arg, void *data)
{
	(void)arg;
	if (opt == 'q')
		*(bool *)data = true;
	return 0;
}

static int network_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct iso_network_info *infos;
	struct iso_error err;
	bool quiet = false;
	size_t n;
	int r = parse(argc, argv, "+:q", opts, quiet_apply, &quiet, 0, 0, "isolate network");

	if (r != 0)
		return r < 0 ? 0 : r;
	iso_error_clear(&err);
	if (iso_netadmin_list(&infos, &n, &err) < 0)
		return fail(&err);
	if (!quiet)
		printf("%-20s %-18s %-15s %-10s %s\n", "NAME", "SUBNET", "GATEWAY", "BRIDGE",
		       "CONTAINERS");
	for (size_t i = 0; i < n; i++) {
		const struct iso_network *net = &infos[i].net;
		char subnet[ISO_CIDR_STRLEN], gateway[ISO_IPV4_STRLEN];

		if (quiet) {
			puts(net->name);
			continue;
		}
		iso_subnet_format(&net->subnet, subnet);
		iso_ipv4_format(net->gateway, gateway);
		printf("%-20s %-18s %-15s %-10s %u\n", net->name, subnet, gateway, net->bridge,
		       infos[i].containers);
	}
	iso_netadmin_list_free(infos, n);
	return 0;
}

static int no_apply(int opt, const char *arg, void *data)
{
	(void)opt;
	(void)arg;
	(void)data;
	return 0;
}

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

static int network_rm(int argc, char **argv)
{
	struct iso_error err;
	int r = parse(argc, argv, "+:", help_only, no_apply, NULL, 1, -1, "isolate network");
	int status = 0;

	if (r != 0)
		return r < 0 ? 0 : r;
	for (int i = optind; i < argc; i++) {
		iso_error_clear(&err);
		if (iso_netadmin_remove(argv[i], &err) < 0)
			status = fail(&err);
		else
			puts(argv[i]);
	}
	return status;
}

static int network_prune(int argc, char **argv)
{
	cleanup_strv char **removed = NULL;
	struct iso_error err;
	int r = parse(argc, argv, "+:", help_only, no_apply, NULL, 0, 0, "isolate network");

	if (r != 0)
		return r < 0 ? 0 : r;
	iso_error_clear(&err);
	r = iso_netadmin_prune(true, &removed, &err);
	for (size_t i = 0; removed != NULL && removed[i] != NULL; i++)
		puts(removed[i]);
	return r < 0 ? fail(&err) : 0;
}

int cmd_network(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "create", network_create }, { "ls", network_ls }, { "list", network_ls },
		{ "rm", network_rm }, { "remove", network_rm }, { "prune", network_prune },
	};

	if (argc < 2)
		return cli_usage_error(network_usage, "isolate network", "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(network_help, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	return cli_usage_error(network_usage, "isolate network", "unknown command: %s", argv[1]);
}
