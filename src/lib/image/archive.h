/* Images in and out of the store as files: isolate load, save and import.
 *
 * load reads
 *   - a `docker save` archive, either form: the legacy one (manifest.json,
 *     repositories, <id>.json configs, <id>/layer.tar) and docker >= 25's,
 *     an OCI image layout (oci-layout, index.json, blobs/sha256/HEX) with
 *     docker's manifest.json beside it;
 *   - an OCI image layout, as a tar or as a directory;
 * each perhaps compressed (gzip, zstd, and xz or bzip2 where libarchive
 * has them built in).  Both descriptions of the images are read when both
 * are there: index.json's entries (image manifests, or indexes, of which
 * this machine's platform is taken as pull does) and manifest.json's
 * entries (a manifest is written for them: OCI, each layer's media type
 * from its first bytes), merged by image id.
 *
 * Names: manifest.json's RepoTags (docker refs; an invalid one is an
 * error).  In index.json, the annotation io.containerd.image.name (a full
 * ref, written by docker and containerd) wins; else
 * org.opencontainers.image.ref.name when it is a full ref
 * ("host/name:tag"); a bare tag ("latest") names nothing by itself, and
 * the image is then loaded untagged, as is one whose name is not a valid
 * docker reference (with a warning).  Refs are normalised as everywhere
 * (docker.io/library/...).
 *
 * An archive is hostile input, read in one pass (stdin works): only the
 * entries with the names the formats use are read, all others skipped
 * unread: blobs/sha256/<64 hex>, <64 hex>.json, <64 hex>.tar,
 * <64 hex>/layer.tar (regular files, or hard links to one of these), and
 * index.json, manifest.json, oci-layout (each at most ISO_MANIFEST_MAX
 * bytes).  A leading "./" is allowed.  No name from an archive is ever
 * made on disk: each blob goes into the store (a tmp file, renamed to its
 * digest), hashed as it is copied, and one named by its digest
 * (blobs/sha256/HEX, HEX.json) must have that digest.  A blob the store
 * already holds is not copied again, and need not be in the archive.
 * Blobs are stored as they are (docker's uncompressed layers stay
 * uncompressed).
 *
 * Every image is checked (its manifest, config, every layer present with
 * its size, the layers' content against the config's diff_ids while they
 * are unpacked) before any is recorded: a bad archive records nothing.
 * Blobs it already stored, and an archive's blobs no loaded image uses
 * (another platform's), are left to the gc (rmi, image prune): removing
 * them here could take a blob from under a concurrent pull that found it.
 * The whole load holds the store's "gc" lock shared.  The legacy
 * "repositories" file is neither read (manifest.json says more) nor
 * written (only docker < 1.10 needs it, which reads no OCI layout).
 *
 * save writes an OCI image layout as a tar, with docker's manifest.json
 * beside it (docker >= 25's format): isolate load, docker load (old and
 * new), podman load and skopeo (oci-archive: and docker-archive:) all
 * read it.  The blobs are the store's, as pulled (compressed layers stay
 * compressed: docker load and containers/image decompress them), each
 * checked against its digest as it is written.  Names: for each image
 * each ref asked for has an index.json entry (io.containerd.image.name and
 * org.opencontainers.image.ref.name, as docker writes them) and is in
 * manifest.json's RepoTags, as a full ref (docker reads it as the short
 * name it writes; podman would put "localhost/" in front of a short one);
 * an image asked for by id is saved untagged; a repository name without
 * a tag saves every tag of it (docker's rule).  Entries have owner 0:0 and
 * mtime 0: the same images make the same tar.
 *
 * import makes a one-layer image of a rootfs tarball: a gzip file is
 * stored as it is (it is already what a layer is, and its bytes are kept);
 * a plain, zstd, xz or bzip2 tar is recompressed to gzip, the layer type
 * every consumer reads.  The diff_id is computed as it passes; the config
 * has this machine's os/architecture, created now, Env PATH (docker's
 * default) and --change's CMD/ENTRYPOINT/ENV/WORKDIR/USER/EXPOSE/LABEL/
 * STOPSIGNAL/VOLUME. */
#ifndef ISOLATE_IMAGE_ARCHIVE_H
#define ISOLATE_IMAGE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "error.h"
#include "store.h"

enum iso_load_event {
	ISO_LOAD_BLOB,      /* a blob was copied into the store */
	ISO_LOAD_LAYER,     /* a layer was unpacked */
};

struct iso_load_opts {
	/* told of each blob stored and layer unpacked; may be NULL */
	void (*note)(void *ctx, enum iso_load_event ev, const char *digest);
	void *ctx;
};

struct iso_loaded_image {
	iso_digest_t id;           /* its config's digest */
	char **refs;               /* full refs recorded; empty: untagged */
};

struct iso_load_result {
	struct iso_loaded_image *v;
	size_t n;
};

/* Loads the archive read from FD (to its end); WHAT names it in messages
 * (its path, or "stdin"). */
int iso_load_archive(struct iso_store *s, int fd, const char *what, const struct iso_load_opts *o,
		     struct iso_load_result *res, struct iso_error *err);
/* Loads the OCI image layout (or the unpacked docker save archive) DIR;
 * its files are opened inside it (a symlink cannot lead out). */
int iso_load_dir(struct iso_store *s, const char *dir, const struct iso_load_opts *o,
		 struct iso_load_result *res, struct iso_error *err);
void iso_load_result_free(struct iso_load_result *r);

/* Writes the images NAMES (as isolate images takes them: refs, ids, id
 * prefixes) to FD as a tar. */
int iso_save(struct iso_store *s, char *const *names, int fd, struct iso_error *err);

struct iso_import_opts {
	const char *ref;           /* NAME[:TAG]; NULL: untagged */
	char *const *changes;      /* Dockerfile lines ("CMD [\"sh\"]"); may be NULL */
	const char *message;       /* the history's comment; NULL: "Imported from WHAT" */
};

struct iso_import_result {
	iso_digest_t id;
	char *ref;                 /* the full ref recorded, or NULL */
};

/* Imports the rootfs tarball read from FD; WHAT names it. */
int iso_import(struct iso_store *s, int fd, const char *what, const struct iso_import_opts *o,
	       struct iso_import_result *res, struct iso_error *err);
void iso_import_result_free(struct iso_import_result *r);

#endif
