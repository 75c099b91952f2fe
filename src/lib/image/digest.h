/* Content digests of the OCI image spec: "sha256:" and 64 lowercase hex
 * digits.  Hashing is OpenSSL's (EVP), streamed, so that a blob is checked
 * while it is read or downloaded, never after it was trusted. */
#ifndef ISOLATE_IMAGE_DIGEST_H
#define ISOLATE_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define ISO_DIGEST_PREFIX "sha256:"
#define ISO_DIGEST_HEXLEN 64
#define ISO_DIGEST_STRLEN (sizeof(ISO_DIGEST_PREFIX) - 1 + ISO_DIGEST_HEXLEN)

typedef char iso_digest_t[ISO_DIGEST_STRLEN + 1];

struct iso_sha256 {
	void *ctx; /* EVP_MD_CTX */
};

int iso_sha256_init(struct iso_sha256 *h, struct iso_error *err);
void iso_sha256_update(struct iso_sha256 *h, const void *buf, size_t len);
/* Writes "sha256:<hex>" and frees the context. */
void iso_sha256_final(struct iso_sha256 *h, iso_digest_t out);
void iso_sha256_free(struct iso_sha256 *h);

void iso_digest_buf(const void *buf, size_t len, iso_digest_t out);
/* Reads FD from its current offset to the end. */
int iso_digest_fd(int fd, iso_digest_t out, struct iso_error *err);

/* True for "sha256:" and 64 lowercase hex digits (the only algorithm
 * isolate stores under; the spec's sha512 is refused by name). */
bool iso_digest_valid(const char *d);
/* As iso_digest_valid, with a message naming WHAT on failure. */
int iso_digest_check(const char *d, const char *what, struct iso_error *err);
/* The hex part of a valid digest. */
const char *iso_digest_hex(const char *d);

#endif
