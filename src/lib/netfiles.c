#include "netfiles.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HOSTNAME_MAX 253

/* What a container keeps of the host's resolv.conf. */
struct host_resolv {
	char **servers;
	char **search;
	char **options;
};

static void host_resolv_free(struct host_resolv *r)
{
	strv_free(r->servers);
	strv_free(r->search);
	strv_free(r->options);
}

/* 127.0.0.0/8 and ::1, and ::ffff:127.x.y.z, which reaches the same place. */
static bool is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return false;
	return IN6_IS_ADDR_LOOPBACK(&a6) ||
	       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
}

/* An address the resolver in the container can use as is.  One with a
 * zone ("fe80::1%eth0") is not: the zone names a host interface. */
static bool is_ip_address(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	return inet_pton(AF_INET, addr, &a4) == 1 || inet_pton(AF_INET6, addr, &a6) == 1;
}

static void add_server(struct host_resolv *r, const char *addr, bool keep_loopback)
{
	if (addr == NULL || !is_ip_address(addr))
		return;
	if (!keep_loopback && is_loopback(addr))
		return;
	strv_push(&r->servers, addr);
}

/* The words after the keyword; the caller frees them. */
static char **rest_words(char **save)
{
	char **words = NULL;

	for (char *w = strtok_r(NULL, " \t\r", save); w != NULL; w = strtok_r(NULL, " \t\r", save))
		strv_push(&words, w);
	return words;
}

static void parse_line(struct host_resolv *r, char *line, bool keep_loopback)
{
	char *save = NULL, *key;
	char **words;

	/* glibc reads '#' and ';' as comments; cut them wherever they start
	 * so that a trailing one does not become a search domain. */
	line[strcspn(line, "#;")] = '\0';
	key = strtok_r(line, " \t\r", &save);
	if (key == NULL)
		return;
	if (strcmp(key, "nameserver") == 0) {
		add_server(r, strtok_r(NULL, " \t\r", &save), keep_loopback);
		return;
	}
	if (strcmp(key, "search") != 0 && strcmp(key, "domain") != 0 &&
	    strcmp(key, "options") != 0)
		return;
	words = rest_words(&save);
	if (words == NULL)
		return;
	if (strcmp(key, "options") == 0) {
		/* the resolver applies every options line, in order */
		for (size_t i = 0; words[i] != NULL; i++)
			strv_push(&r->options, words[i]);
		strv_free(words);
	} else {
		/* search and domain exclude each other: the last one wins */
		strv_free(r->search);
		r->search = words;
	}
}

static void parse_host_resolv(const char *text, bool keep_loopback, struct host_resolv *r)
{
	cleanup_free char *copy = xstrdup(text != NULL ? text : "");
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		parse_line(r, line, keep_loopback);
}

/* "KEYWORD W1 W2 ..." when WORDS has any, after leaving out SKIP. */
static void push_words_line(char ***lines, const char *keyword, char *const *words,
			    const char *skip)
{
	cleanup_free char *line = xstrdup(keyword);
	bool any = false;

	for (size_t i = 0; words != NULL && words[i] != NULL; i++) {
		char *longer;

		if (skip != NULL && strcmp(words[i], skip) == 0)
			continue;
		longer = xasprintf("%s %s", line, words[i]);
		free(line);
		line = longer;
		any = true;
	}
	if (any)
		strv_push_owned(lines, steal_ptr(&line));
}

/* Each line followed by a newline. */
static char *join_lines(char *const *lines)
{
	size_t len = 0, o = 0;
	char *out;

	for (size_t i = 0; lines != NULL && lines[i] != NULL; i++)
		len += strlen(lines[i]) + 1;
	out = xmalloc(len + 1);
	for (size_t i = 0; lines != NULL && lines[i] != NULL; i++) {
		size_t n = strlen(lines[i]);

		memcpy(out + o, lines[i], n);
		out[o + n] = '\n';
		o += n + 1;
	}
	out[o] = '\0';
	return out;
}

/* A flag counts as given when it has at least one value. */
static char *const *given(char *const *v)
{
	return strv_len(v) > 0 ? v : NULL;
}

char *iso_resolv_conf_build(const char *host_text, const struct iso_dns *dns,
			    bool keep_loopback)
{
	static char *const fallback[] = { "8.8.8.8", "8.8.4.4", NULL };
	struct host_resolv host = { 0 };
	cleanup_strv char **lines = NULL;
	char *const *servers, *const *search, *const *options;

	parse_host_resolv(host_text, keep_loopback, &host);
	servers = dns ? given(dns->servers) : NULL;
	search = dns ? given(dns->search) : NULL;
	options = dns ? given(dns->options) : NULL;
	if (servers == NULL)
		servers = given(host.servers) ? host.servers : fallback;
	for (size_t i = 0; servers[i] != NULL; i++)
		strv_push_owned(&lines, xasprintf("nameserver %s", servers[i]));
	/* docker takes --dns-search . for "no search domains at all" */
	push_words_line(&lines, "search", search ? search : host.search, ".");
	push_words_line(&lines, "options", options ? options : host.options, NULL);
	host_resolv_free(&host);
	return join_lines(lines);
}

static bool hostname_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

static int check_hostname(const char *arg, const char *name, struct iso_error *err)
{
	size_t len = strlen(name);

	if (len == 0)
		return iso_error_set(err, 0, "invalid --add-host %s: empty host name (expected NAME:IP)", arg);
	if (len > HOSTNAME_MAX)
		return iso_error_set(err, 0, "invalid --add-host %s: the host name is longer than %d characters",
				     arg, HOSTNAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!hostname_char(name[i]))
			return iso_error_set(err, 0, "invalid --add-host %s: host name %s may hold only letters, digits, '-', '.' and '_'",
					     arg, name);
	return 0;
}

int iso_add_host_parse(const char *arg, char **name, char **ip, struct iso_error *err)
{
	cleanup_free char *n = NULL;
	const char *colon = strchr(arg, ':');
	const char *addr;

	*name = NULL;
	*ip = NULL;
	if (colon == NULL)
		return iso_error_set(err, 0, "invalid --add-host %s: expected NAME:IP", arg);
	n = xstrndup(arg, (size_t)(colon - arg));
	addr = colon + 1;
	if (check_hostname(arg, n, err) < 0)
		return -1;
	if (addr[0] == '\0')
		return iso_error_set(err, 0, "invalid --add-host %s: empty address (expected NAME:IP)", arg);
	if (strcmp(addr, "host-gateway") != 0 && !is_ip_address(addr))
		return iso_error_set(err, 0, "invalid --add-host %s: %s is not an IPv4 or IPv6 address, nor host-gateway",
				     arg, addr);
	*name = steal_ptr(&n);
	*ip = xstrdup(addr);
	return 0;
}

char *iso_hosts_build(const char *hostname, const char *own_ip, char *const *extra)
{
	static const char localhost[] =
		"127.0.0.1\tlocalhost\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n"
		"fe00::0\tip6-localnet\n"
		"ff00::0\tip6-mcastprefix\n"
		"ff02::1\tip6-allnodes\n"
		"ff02::2\tip6-allrouters\n";
	cleanup_strv char **lines = NULL;
	cleanup_free char *body = NULL;

	if (own_ip != NULL && hostname != NULL)
		strv_push_owned(&lines, xasprintf("%s\t%s", own_ip, hostname));
	for (size_t i = 0; extra != NULL && extra[i] != NULL && extra[i + 1] != NULL; i += 2)
		strv_push_owned(&lines, xasprintf("%s\t%s", extra[i], extra[i + 1]));
	body = join_lines(lines);
	return xasprintf("%s%s", localhost, body);
}
