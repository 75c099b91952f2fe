#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util.h"

int iso_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Digits, then at most one fraction: "1", "1.5".  *INT and *FRAC over
 * 10^*FRAC_DIGITS; at most 9 fraction digits count. */
static const char *parse_decimal(const char *p, uint64_t *whole, uint64_t *frac, int *frac_digits)
{
	*whole = *frac = 0;
	*frac_digits = 0;
	if (!isdigit((unsigned char)*p))
		return NULL;
	for (; isdigit((unsigned char)*p); p++) {
		if (*whole > (UINT64_MAX - 9) / 10)
			return NULL;
		*whole = *whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '.')
		return p;
	if (!isdigit((unsigned char)*++p))
		return NULL;
	for (; isdigit((unsigned char)*p); p++)
		if (*frac_digits < 9) {
			*frac = *frac * 10 + (uint64_t)(*p - '0');
			(*frac_digits)++;
		}
	return p;
}

static uint64_t pow10u(int n)
{
	uint64_t r = 1;

	while (n-- > 0)
		r *= 10;
	return r;
}

static int unit_shift(char c)
{
	static const char units[] = "bkmgtp";
	const char *u = strchr(units, tolower((unsigned char)c));

	return (c != '\0' && u != NULL) ? (int)(u - units) * 10 : -1;
}

int iso_parse_bytes(const char *s, bool allow_unlimited, int64_t *out, struct iso_error *err)
{
	uint64_t whole, frac, mult = 1;
	int digits, shift = 0;
	const char *p;

	if (allow_unlimited && strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	p = parse_decimal(s, &whole, &frac, &digits);
	if (p == NULL)
		goto invalid;
	if (*p == ' ')
		p++;
	if (*p != '\0' && unit_shift(*p) >= 0 && tolower((unsigned char)*p) != 'b')
		shift = unit_shift(*p++);
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0')
		goto invalid;
	mult <<= shift;
	if (whole > (uint64_t)INT64_MAX / mult)
		return iso_error_set(err, 0, "size %s: too large", s);
	/* the fraction in 128 bits: 0.999999999 of a petabyte overflows 64 */
	*out = (int64_t)(whole * mult + (uint64_t)((unsigned __int128)frac * mult / pow10u(digits)));
	if (*out < 0)
		return iso_error_set(err, 0, "size %s: too large", s);
	return 0;
invalid:
	return iso_error_set(err, 0, "invalid size %s: expected a number with an optional unit "
			     "(b, k, m, g, t, p), as in 64m", s);
}

int iso_parse_cpus(const char *s, int64_t *nano, struct iso_error *err)
{
	uint64_t whole, frac;
	int digits;
	const char *p = parse_decimal(s, &whole, &frac, &digits);

	if (p == NULL || *p != '\0')
		return iso_error_set(err, 0, "invalid number of CPUs %s: expected a positive "
				     "number such as 1.5", s);
	if (whole > 1000000)
		return iso_error_set(err, 0, "number of CPUs %s: too large", s);
	*nano = (int64_t)(whole * 1000000000ULL + frac * (1000000000ULL / pow10u(digits)));
	if (*nano < 10000000)
		return iso_error_set(err, 0, "number of CPUs %s: the smallest is 0.01", s);
	return 0;
}

static const char *parse_cpu_index(const char *p, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*p))
		return NULL;
	errno = 0;
	*out = strtoul(p, &end, 10);
	return errno ? NULL : end;
}

int iso_parse_cpu_list(const char *s, uint8_t *bits, size_t nbits, struct iso_error *err)
{
	const char *p = s;

	memset(bits, 0, (nbits + 7) / 8);
	if (*p == '\0')
		return iso_error_set(err, 0, "invalid list \"\": expected numbers and ranges such as 0-3,7");
	for (;;) {
		unsigned long lo, hi;

		p = parse_cpu_index(p, &lo);
		if (p == NULL)
			goto invalid;
		hi = lo;
		if (*p == '-' && (p = parse_cpu_index(p + 1, &hi)) == NULL)
			goto invalid;
		if (hi < lo)
			goto invalid;
		if (hi >= nbits)
			return iso_error_set(err, 0, "list %s: %lu is out of range", s, hi);
		for (unsigned long i = lo; i <= hi; i++)
			bits[i / 8] |= (uint8_t)(1u << (i % 8));
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			goto invalid;
	}
invalid:
	return iso_error_set(err, 0, "invalid list %s: expected numbers and ranges such as 0-3,7", s);
}

long iso_cpu_list_first_missing(const uint8_t *want, const uint8_t *have, size_t nbits)
{
	for (size_t i = 0; i < nbits; i++)
		if ((want[i / 8] & (1u << (i % 8))) && !(have[i / 8] & (1u << (i % 8))))
			return (long)i;
	return -1;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC }, { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

const char *iso_rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return NULL;
}

static int parse_rlimit_value(const char *s, uint64_t *out)
{
	int64_t v;

	if (strcmp(s, "unlimited") == 0 || strcmp(s, "-1") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (iso_parse_int64(s, 0, INT64_MAX, &v) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int iso_parse_ulimit(const char *s, struct iso_rlimit *out, struct iso_error *err)
{
	const char *eq = strchr(s, '=');
	cleanup_free char *soft = NULL;
	const char *hard;
	size_t i, n = sizeof(rlimit_names) / sizeof(rlimit_names[0]);

	if (eq == NULL)
		return iso_error_set(err, 0, "invalid ulimit %s: expected NAME=SOFT[:HARD]", s);
	for (i = 0; i < n; i++)
		if (strlen(rlimit_names[i].name) == (size_t)(eq - s) &&
		    strncmp(rlimit_names[i].name, s, (size_t)(eq - s)) == 0)
			break;
	if (i == n)
		return iso_error_set(err, 0, "invalid ulimit %s: unknown name %.*s", s, (int)(eq - s), s);
	out->resource = rlimit_names[i].resource;
	hard = strchr(eq + 1, ':');
	soft = hard ? xstrndup(eq + 1, (size_t)(hard - eq - 1)) : xstrdup(eq + 1);
	if (parse_rlimit_value(soft, &out->soft) < 0 ||
	    parse_rlimit_value(hard ? hard + 1 : soft, &out->hard) < 0)
		return iso_error_set(err, 0, "invalid ulimit %s: limits are numbers, -1 or unlimited", s);
	if (out->soft > out->hard)
		return iso_error_set(err, 0, "invalid ulimit %s: the soft limit is above the hard limit", s);
	return 0;
}

int iso_parse_throttle(const char *s, struct iso_throttle *out, struct iso_error *err)
{
	const char *colon = strrchr(s, ':');
	cleanup_free char *path = NULL;
	int64_t rate;
	struct stat st;

	if (colon == NULL || colon == s)
		return iso_error_set(err, 0, "invalid device rate %s: expected DEVICE:RATE, as in /dev/sda:1mb", s);
	if (iso_parse_bytes(colon + 1, false, &rate, err) < 0)
		return iso_error_prefix(err, "device rate %s", s);
	path = xstrndup(s, (size_t)(colon - s));
	if (stat(path, &st) < 0)
		return iso_error_set(err, errno, "device rate %s: %s", s, path);
	if (!S_ISBLK(st.st_mode))
		return iso_error_set(err, 0, "device rate %s: %s is not a block device", s, path);
	/* cgroup v1 reads a rate of 0 as "no limit", v2 refuses it */
	if (rate == 0)
		return iso_error_set(err, 0, "device rate %s: a rate of 0 is not a limit", s);
	out->major = major(st.st_rdev);
	out->minor = minor(st.st_rdev);
	out->rate = (uint64_t)rate;
	return 0;
}

void iso_format_bytes(int64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (u < 3 && bytes != 0 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRId64 " bytes", bytes);
	else
		snprintf(buf, len, "%" PRId64 "%s", bytes, units[u]);
}
