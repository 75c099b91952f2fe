/* A layer's bytes, in one pass: an outer libarchive reader undoes the
 * compression (its "raw" format hands out the decompressed stream), an
 * inner one reads the tar from those bytes through a callback that
 * hashes each block as it passes, and what the tar reader leaves after
 * its end-of-archive is read and hashed too (layer_stream_drain), so the
 * digest is that of the whole uncompressed stream: the diff_id. */
#include "layer_int.h"

#include <archive.h>
#include <errno.h>
#include <stdio.h>

/* The next block of the uncompressed stream, hashed; 0 at its end. */
static la_ssize_t next_block(struct layer_stream *s, const void **buf)
{
	for (;;) {
		size_t len = 0;
		la_int64_t off = 0;
		int r = archive_read_data_block(s->outer, buf, &len, &off);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			const char *m = archive_error_string(s->outer);

			snprintf(s->why, sizeof(s->why), "%s", m != NULL ? m : "read error");
			return -1;
		}
		/* the raw format hands out one contiguous stream */
		if (off < 0 || (uint64_t)off != s->bytes) {
			snprintf(s->why, sizeof(s->why), "the decompressed stream is not contiguous");
			return -1;
		}
		if (len == 0)
			continue;
		iso_sha256_update(&s->sha, *buf, len);
		s->bytes += len;
		return (la_ssize_t)len;
	}
}

static la_ssize_t feed_inner(struct archive *inner, void *data, const void **buf)
{
	struct layer_stream *s = data;
	la_ssize_t n = next_block(s, buf);

	if (n < 0)
		archive_set_error(inner, EIO, "%s", s->why);
	return n;
}

int layer_stream_open(struct layer_stream *s, int fd, struct iso_error *err)
{
	struct archive_entry *e;
	int r;

	if (iso_sha256_init(&s->sha, err) < 0)
		return -1;
	s->outer = archive_read_new();
	s->inner = archive_read_new();
	if (s->outer == NULL || s->inner == NULL)
		return iso_error_set(err, ENOMEM, "read layer");
	/* Only decompressors built into libarchive: one that is not would be
	 * registered as an external program, run on the layer's bytes. */
	if (archive_zlib_version() == NULL || archive_libzstd_version() == NULL)
		return iso_error_set(err, 0, "read layer: this libarchive was built without zlib or zstd");
	if (archive_read_support_filter_gzip(s->outer) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(s->outer) != ARCHIVE_OK ||
	    (archive_liblzma_version() != NULL &&
	     archive_read_support_filter_xz(s->outer) != ARCHIVE_OK) ||
	    (archive_bzlib_version() != NULL &&
	     archive_read_support_filter_bzip2(s->outer) != ARCHIVE_OK) ||
	    archive_read_support_format_raw(s->outer) != ARCHIVE_OK ||
	    archive_read_support_format_tar(s->inner) != ARCHIVE_OK)
		return iso_error_set(err, 0, "read layer: %s", archive_error_string(s->outer));
	if (archive_read_open_fd(s->outer, fd, 128 * 1024) != ARCHIVE_OK)
		return iso_error_set(err, archive_errno(s->outer), "read layer: %s",
				     archive_error_string(s->outer));
	r = archive_read_next_header(s->outer, &e);
	if (r == ARCHIVE_EOF)
		return iso_error_set(err, 0, "read layer: the stream is empty");
	if (r < ARCHIVE_WARN)
		return iso_error_set(err, 0, "read layer: %s", archive_error_string(s->outer));
	/* the tar reader recognises its format here, from the first block */
	if (archive_read_open(s->inner, s, NULL, feed_inner, NULL) != ARCHIVE_OK) {
		const char *m = archive_error_string(s->inner);

		if (s->why[0] != '\0')
			return iso_error_set(err, 0, "read layer: %s", s->why);
		return iso_error_set(err, 0, "read layer: not a tar archive, plain or compressed with "
				     "gzip, zstd, xz or bzip2 (%s)", m != NULL ? m : "unknown format");
	}
	return 0;
}

/* Hashes what follows the tar's end-of-archive (padding, mostly). */
int layer_stream_drain(struct layer_stream *s, struct iso_error *err)
{
	const void *buf;
	la_ssize_t n;

	while ((n = next_block(s, &buf)) > 0)
		;
	return n < 0 ? iso_error_set(err, 0, "read layer: %s", s->why) : 0;
}

void layer_stream_close(struct layer_stream *s)
{
	if (s->inner != NULL)
		archive_read_free(s->inner);
	if (s->outer != NULL)
		archive_read_free(s->outer);
	iso_sha256_free(&s->sha);
}

int layer_stream_error(struct layer_stream *s, struct iso_error *err)
{
	const char *m = archive_error_string(s->inner);

	if (s->why[0] != '\0')
		return iso_error_set(err, 0, "read layer: %s", s->why);
	return iso_error_set(err, 0, "read layer: %s", m != NULL ? m : "read error");
}
