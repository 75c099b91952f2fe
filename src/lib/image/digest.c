#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int iso_sha256_init(struct iso_sha256 *h, struct iso_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		h->ctx = NULL;
		return iso_error_set(err, 0, "sha256: OpenSSL could not start a digest");
	}
	h->ctx = ctx;
	return 0;
}

void iso_sha256_update(struct iso_sha256 *h, const void *buf, size_t len)
{
	/* EVP_DigestUpdate cannot fail for an initialised software sha256 */
	(void)EVP_DigestUpdate(h->ctx, buf, len);
}

void iso_sha256_final(struct iso_sha256 *h, iso_digest_t out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *p = out + strlen(ISO_DIGEST_PREFIX);

	memcpy(out, ISO_DIGEST_PREFIX, strlen(ISO_DIGEST_PREFIX));
	(void)EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned int i = 0; i < n && i < ISO_DIGEST_HEXLEN / 2; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	*p = '\0';
	iso_sha256_free(h);
}

void iso_sha256_free(struct iso_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void iso_digest_buf(const void *buf, size_t len, iso_digest_t out)
{
	struct iso_sha256 h;
	struct iso_error err;

	if (iso_sha256_init(&h, &err) < 0)
		abort(); /* no sha256 in libcrypto: nothing can be verified */
	iso_sha256_update(&h, buf, len);
	iso_sha256_final(&h, out);
}

int iso_digest_fd(int fd, iso_digest_t out, struct iso_error *err)
{
	char buf[65536];
	struct iso_sha256 h;
	ssize_t n;

	if (iso_sha256_init(&h, err) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			iso_sha256_free(&h);
			return iso_error_set(err, errno, "read to digest");
		}
		iso_sha256_update(&h, buf, (size_t)n);
	}
	iso_sha256_final(&h, out);
	return 0;
}

bool iso_digest_valid(const char *d)
{
	size_t plen = strlen(ISO_DIGEST_PREFIX);

	if (d == NULL || strncmp(d, ISO_DIGEST_PREFIX, plen) != 0 ||
	    strlen(d) != ISO_DIGEST_STRLEN)
		return false;
	for (const char *p = d + plen; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int iso_digest_check(const char *d, const char *what, struct iso_error *err)
{
	const char *colon;

	if (iso_digest_valid(d))
		return 0;
	colon = d ? strchr(d, ':') : NULL;
	if (colon && strncmp(d, ISO_DIGEST_PREFIX, strlen(ISO_DIGEST_PREFIX)) != 0)
		return iso_error_set(err, 0, "%s: unsupported digest algorithm \"%.*s\" (only sha256)",
				     what, (int)(colon - d), d);
	return iso_error_set(err, 0, "%s: invalid digest \"%.80s\"", what, d ? d : "");
}

const char *iso_digest_hex(const char *d)
{
	return d + strlen(ISO_DIGEST_PREFIX);
}
