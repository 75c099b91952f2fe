#!/bin/sh
# Builds the images of the image tests, from Debian's busybox-static, as OCI
# image layouts in OUTDIR: one layout per image, OUTDIR/NAME, whose
# index.json has one entry (tagged "latest" by the annotation
# org.opencontainers.image.ref.name), so that `skopeo copy oci:OUTDIR/NAME`
# and `isolate load --dir OUTDIR/NAME` take it as it is.
#
#   tests/helpers/mkimages.sh OUTDIR
#
# The layouts are written by hand (tar, gzip, sha256sum; no umoci, no
# python), with fixed times, owners and order, so that every image has the
# same digests on every run with the same busybox, tar and gzip (multi's
# 1 MiB /blob, which must not compress, is busybox's gzip stream).  About
# 1-2 s.
#
# The images (the architecture is this machine's, amd64 here; "other" below
# is arm64, or amd64 on an arm64 machine):
#
#   single        one gzip layer: /bin/busybox with applet links (sh echo cat
#                 ls true false id touch test [ stat readlink sleep env pwd
#                 mkdir rm grep head wc ln cp mv), /etc/passwd (root, app
#                 uid 1000), /etc/group, /home/app (owned by 1000:1000),
#                 /tmp (1777) /proc /dev /sys /root.  Cmd
#                 ["sh","-c","echo hello from single"], Env PATH, WorkingDir
#                 /, label org.isolate.test.image=single.
#   multi         three gzip layers.  1: single's files (a layer of its own,
#                 not single's blob) plus /data (1000:1000) with keep and
#                 gone, /opq with old1 and old2; 2: /data/.wh.gone (deletes
#                 gone), /opq/.wh..wh..opq (opaque: hides old1, old2) and
#                 /opq/new; 3: /blob, 1 MiB.  Entrypoint ["/bin/echo","entry"],
#                 Cmd ["default-arg"], Env PATH and FOO=bar, WorkingDir /data,
#                 User app, ExposedPorts 8080/tcp, StopSignal SIGTERM: it
#                 prints "entry default-arg".
#   platforms     an OCI image index: linux/ARCH is single's manifest (the
#                 same blob), linux/OTHER a manifest with one small layer
#                 holding only the marker file /OTHER (it does not run).
#   evil-*        single's layer, then a second layer with one bad thing
#                 (the entries' names all start with isolate-evil, so that
#                 an escape is easy to look for):
#     evil-dotdot     ../../isolate-evil-dotdot, and
#                     ../ x16 tmp/isolate-evil-dotdot-deep (reaches the
#                     host's /tmp from any depth up to 16)
#     evil-absolute   /tmp/isolate-evil-absolute (absolute name, kept by tar -P)
#     evil-symlink    link -> /tmp, then link/isolate-evil-symlink;
#                     up -> ../../.., then up/isolate-evil-symlink-up
#     evil-hardlink   etc/passwd (the layer's own copy, uid 0), then the
#                     hard links hl-abs -> /etc/passwd and
#                     hl-rel -> ../ x16 etc/passwd
#     evil-setuid     isolate-evil-setuid: a root-owned mode 4755 script
#     evil-device     dev/isolate-evil-mem: a character device 1,1 (/dev/mem);
#                     built only when run as root (mknod)
#     evil-digest     a third layer, uncompressed, holding
#                     isolate-evil-digest (8192 bytes of "A"): in this layout
#                     the layer blob has one byte changed (offset 1024, an "A"
#                     made "B"; still a valid tar) so that its content no
#                     longer matches its digest.  evil-digest.orig is the
#                     same image intact: what a registry is seeded with
#                     before registry_corrupt_blob (skopeo refuses to copy a
#                     blob that does not match its digest).
#     evil-manifest-digest  single with the annotation
#                     org.isolate.test.pad=aaaa... in its manifest, whose blob
#                     has one "a" made "b" here (valid JSON, wrong digest);
#                     evil-manifest-digest.orig is intact.
#     evil-mediatype  a manifest of the media type
#                     application/vnd.example.unknown+json (so are its
#                     descriptor in index.json and its "mediaType" field);
#                     skopeo cannot copy it and distribution 2.8 refuses it
#                     (docs/testing.md), so it exists only as a layout.
#     evil-artifact   an OCI manifest whose config has the media type
#                     application/vnd.example.unknown.config+json (an
#                     artifact, not an image); the registry accepts it.
#     evil-layertype  an OCI manifest whose second layer has the media type
#                     application/vnd.example.unknown.layer; the registry
#                     accepts it.
set -eu

out=${1:?usage: mkimages.sh OUTDIR}
busybox=$(command -v busybox) || { echo "mkimages: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
umask 022
export LC_ALL=C

case $(uname -m) in
x86_64) arch=amd64 other=arm64 ;;
aarch64) arch=arm64 other=amd64 ;;
*) echo "mkimages: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/.work"
rm -rf "$work"
mkdir -p "$work/pool"
pool="$work/pool"
trap 'rm -rf "$work"' EXIT

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
OCI_CONFIG=application/vnd.oci.image.config.v1+json
OCI_LAYER=application/vnd.oci.image.layer.v1.tar
OCI_LAYER_GZ=application/vnd.oci.image.layer.v1.tar+gzip
CREATED=2024-01-01T00:00:00Z
PATHENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Fixed times and order; owners are given per call.  (The functions'
# variables have prefixed names, not local: this is POSIX sh.)
TAR="tar --format=gnu --sort=name --mtime=@1704067200 --numeric-owner"
DOTDOT16=../../../../../../../../../../../../../../../..

# put FILE: moves FILE into the pool under its sha256; sets $digest, $size.
put() {
	digest=sha256:$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$pool/${digest#sha256:}"
}

# desc MEDIATYPE: a descriptor of the last blob put.
desc() {
	printf '{"mediaType":"%s","digest":"%s","size":%s}' "$1" "$digest" "$size"
}

# layer TAR [gz|raw]: puts the layer TAR, compressed or not; sets $diff_id
# (the uncompressed tar's digest) and $layer (its descriptor).
layer() {
	diff_id=sha256:$(sha256sum "$1" | cut -d' ' -f1)
	if [ "${2:-gz}" = gz ]; then
		gzip -n -c "$1" > "$1.gz"
		rm -f "$1"
		put "$1.gz"
		layer=$(desc "$OCI_LAYER_GZ")
	else
		put "$1"
		layer=$(desc "$OCI_LAYER")
	fi
}

# tardir TAR DIR [PATH...]: DIR's contents, owned by root, except each PATH
# (relative to DIR, no spaces), appended after them owned by 1000:1000.
tardir() {
	td_t=$1 td_d=$2 td_excl=""
	shift 2
	for td_p; do td_excl="$td_excl --exclude=./$td_p"; done
	# word splitting wanted: options, and names without spaces
	# shellcheck disable=SC2012,SC2046,SC2086
	(cd "$td_d" && $TAR --owner=0 --group=0 $td_excl -cf "$td_t" --transform='s,^\./,,' \
		$(ls -A | sed 's,^,./,'))
	for td_p; do
		(cd "$td_d" && $TAR --owner=1000 --group=1000 -rf "$td_t" "$td_p")
	done
}

# base DIR: single's files.
base() {
	b_d=$1
	mkdir -p "$b_d/bin" "$b_d/etc" "$b_d/proc" "$b_d/sys" "$b_d/dev" "$b_d/tmp" "$b_d/root" "$b_d/home/app"
	chmod 1777 "$b_d/tmp"
	chmod 700 "$b_d/root"
	cp "$busybox" "$b_d/bin/busybox"
	chmod 755 "$b_d/bin/busybox"
	for b_a in sh echo cat ls true false id touch test [ stat readlink sleep env pwd \
		mkdir rm grep head wc ln cp mv; do
		ln -s busybox "$b_d/bin/$b_a"
	done
	cat > "$b_d/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat > "$b_d/etc/group" <<'EOF'
root:x:0:
app:x:1000:
nogroup:x:65534:
EOF
}

# config CONFIG_OBJECT DIFF_ID...: puts an image config with these diff_ids
# and a history line per layer; sets $config (its descriptor).
config() {
	c_c=$1 c_ids="" c_hist=""
	shift
	for c_id; do
		c_ids="$c_ids${c_ids:+,}\"$c_id\""
		c_hist="$c_hist${c_hist:+,}{\"created\":\"$CREATED\",\"created_by\":\"mkimages.sh\"}"
	done
	printf '{"created":"%s","architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
		"$CREATED" "$arch" "$c_c" "$c_ids" "$c_hist" > "$work/config.json"
	put "$work/config.json"
	config=$(desc "$OCI_CONFIG")
}

# manifest CONFIG_DESC LAYER_DESC... : puts an OCI manifest; sets $manifest
# (its descriptor).  $MANIFEST_MT and $MANIFEST_EXTRA (",\"key\":value")
# change its media type and add fields.
manifest() {
	m_c=$1 m_ls="" m_mt=${MANIFEST_MT:-$OCI_MANIFEST}
	shift
	for m_l; do m_ls="$m_ls${m_ls:+,}$m_l"; done
	printf '{"schemaVersion":2,"mediaType":"%s","config":%s,"layers":[%s]%s}' \
		"$m_mt" "$m_c" "$m_ls" "${MANIFEST_EXTRA:-}" > "$work/manifest.json"
	put "$work/manifest.json"
	manifest=$(desc "$m_mt")
}

# link_blobs LAYOUT DIGEST: hard links the blob and, for a manifest or an
# index, every blob it names (not a config's diff_ids), and so on, into
# LAYOUT.
link_blobs() {
	lb_l=$1 lb_todo=$2
	while [ -n "$lb_todo" ]; do
		# shellcheck disable=SC2086
		set -- $lb_todo
		lb_hex=${1#sha256:}
		shift
		lb_todo="$*"
		[ -e "$lb_l/blobs/sha256/$lb_hex" ] && continue
		ln "$pool/$lb_hex" "$lb_l/blobs/sha256/$lb_hex"
		if [ "$(head -c 16 "$pool/$lb_hex")" = '{"schemaVersion"' ]; then
			lb_todo="$lb_todo $(grep -o 'sha256:[0-9a-f]\{64\}' "$pool/$lb_hex" | tr '\n' ' ')"
		fi
	done
}

# layout NAME DESC: the layout OUTDIR/NAME whose index.json lists DESC.
layout() {
	lo_l="$out/$1"
	rm -rf "$lo_l"
	mkdir -p "$lo_l/blobs/sha256"
	printf '{"imageLayoutVersion":"1.0.0"}' > "$lo_l/oci-layout"
	link_blobs "$lo_l" "$(printf '%s' "$2" | grep -o 'sha256:[0-9a-f]\{64\}')"
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[%s]}' "$OCI_INDEX" \
		"$(printf '%s' "$2" | sed 's/}$/,"annotations":{"org.opencontainers.image.ref.name":"latest"}}/')" \
		> "$lo_l/index.json"
}

# corrupt LAYOUT DIGEST OFFSET CHAR: replaces the blob in LAYOUT by a copy
# (not a link: the pool and the other layouts keep theirs) whose byte at
# OFFSET is CHAR.
corrupt() {
	co_b="$1/blobs/sha256/${2#sha256:}"
	cp "$co_b" "$co_b.new"
	printf '%s' "$4" | dd of="$co_b.new" bs=1 seek="$3" conv=notrunc status=none
	mv -f "$co_b.new" "$co_b"
}

# --- single
base "$work/single"
tardir "$work/single.tar" "$work/single" home/app
layer "$work/single.tar"
base_layer=$layer base_diff=$diff_id
config "{\"Env\":[\"$PATHENV\"],\"Cmd\":[\"sh\",\"-c\",\"echo hello from single\"],\"WorkingDir\":\"/\",\"Labels\":{\"org.isolate.test.image\":\"single\"}}" \
	"$base_diff"
manifest "$config" "$base_layer"
single_manifest=$manifest single_config=$config
layout single "$manifest"

# --- multi
d="$work/multi1"
base "$d"
mkdir -p "$d/data" "$d/opq"
echo keep > "$d/data/keep"
echo gone > "$d/data/gone"
echo old1 > "$d/opq/old1"
echo old2 > "$d/opq/old2"
tardir "$work/multi1.tar" "$d" home/app data
layer "$work/multi1.tar"
l1=$layer d1=$diff_id
d="$work/multi2"
mkdir -p "$d/data" "$d/opq"
: > "$d/data/.wh.gone"
: > "$d/opq/.wh..wh..opq"
echo new > "$d/opq/new"
tardir "$work/multi2.tar" "$d" data
layer "$work/multi2.tar"
l2=$layer d2=$diff_id
d="$work/multi3"
mkdir -p "$d"
# 1 MiB that does not compress, and the same on every run
gzip -n -1 -c "$busybox" | head -c 1048576 > "$d/blob"
tardir "$work/multi3.tar" "$d"
layer "$work/multi3.tar"
l3=$layer d3=$diff_id
config "{\"User\":\"app\",\"ExposedPorts\":{\"8080/tcp\":{}},\"Env\":[\"$PATHENV\",\"FOO=bar\"],\"Entrypoint\":[\"/bin/echo\",\"entry\"],\"Cmd\":[\"default-arg\"],\"WorkingDir\":\"/data\",\"Labels\":{\"org.isolate.test.image\":\"multi\"},\"StopSignal\":\"SIGTERM\"}" \
	"$d1" "$d2" "$d3"
manifest "$config" "$l1" "$l2" "$l3"
layout multi "$manifest"

# --- platforms
d="$work/other"
mkdir -p "$d"
echo "$other marker" > "$d/$other"
tardir "$work/other.tar" "$d"
layer "$work/other.tar"
arch_saved=$arch
arch=$other
config "{\"Cmd\":[\"/$other\"],\"Labels\":{\"org.isolate.test.image\":\"platforms-$other\"}}" "$diff_id"
arch=$arch_saved
manifest "$config" "$layer"
other_manifest=$manifest
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[%s,%s]}' "$OCI_INDEX" \
	"$(printf '%s' "$single_manifest" | sed "s/}\$/,\"platform\":{\"architecture\":\"$arch\",\"os\":\"linux\"}}/")" \
	"$(printf '%s' "$other_manifest" | sed "s/}\$/,\"platform\":{\"architecture\":\"$other\",\"os\":\"linux\"}}/")" \
	> "$work/index.json"
put "$work/index.json"
layout platforms "$(desc "$OCI_INDEX")"

# --- the evil ones: evil NAME [LAYER_MEDIATYPE]: single's layer, then the
# tar $work/NAME.tar as a gzip layer (of LAYER_MEDIATYPE if given).
evil() {
	layer "$work/$1.tar"
	[ -z "${2:-}" ] || layer=$(printf '%s' "$layer" | sed "s,$OCI_LAYER_GZ,$2,")
	config "{\"Env\":[\"$PATHENV\"],\"Cmd\":[\"sh\",\"-c\",\"echo hello from $1\"],\"WorkingDir\":\"/\",\"Labels\":{\"org.isolate.test.image\":\"$1\"}}" \
		"$base_diff" "$diff_id"
	manifest "$config" "$base_layer" "$layer"
	layout "$1" "$manifest"
}

# a scratch file for the evil entries
mkdir -p "$work/evil"
echo "written by an evil layer" > "$work/evil/f"

# ../../isolate-evil-dotdot and ../x16/tmp/isolate-evil-dotdot-deep
(cd "$work/evil" && $TAR --owner=0 --group=0 -P -cf "$work/evil-dotdot.tar" \
	--transform="s,^f\$,../../isolate-evil-dotdot," f &&
	$TAR --owner=0 --group=0 -P -rf "$work/evil-dotdot.tar" \
		--transform="s,^f\$,${DOTDOT16}/tmp/isolate-evil-dotdot-deep," f)
evil evil-dotdot

(cd "$work/evil" && $TAR --owner=0 --group=0 -P -cf "$work/evil-absolute.tar" \
	--transform="s,^f\$,/tmp/isolate-evil-absolute," f)
evil evil-absolute

# link -> /tmp, link/isolate-evil-symlink, up -> ../../.., up/isolate-evil-symlink-up
mkdir -p "$work/evil-symlink"
ln -s /tmp "$work/evil-symlink/link"
ln -s ../../.. "$work/evil-symlink/up"
(cd "$work/evil-symlink" && $TAR --owner=0 --group=0 -P -cf "$work/evil-symlink.tar" link &&
	$TAR --owner=0 --group=0 -P -rf "$work/evil-symlink.tar" -C "$work/evil" \
		--transform="s,^f\$,link/isolate-evil-symlink,S" f &&
	$TAR --owner=0 --group=0 -P -rf "$work/evil-symlink.tar" up &&
	$TAR --owner=0 --group=0 -P -rf "$work/evil-symlink.tar" -C "$work/evil" \
		--transform="s,^f\$,up/isolate-evil-symlink-up,S" f)
evil evil-symlink

# etc/passwd, then hard links to /etc/passwd and ../x16/etc/passwd: the
# first link of each tar is stored as a hard link to the member
# etc/passwd, whose name in the link (only: flags R and S) is rewritten.
mkdir -p "$work/evil-hardlink/etc"
cp "$work/single/etc/passwd" "$work/evil-hardlink/etc/passwd"
ln "$work/evil-hardlink/etc/passwd" "$work/evil-hardlink/hl-abs"
ln "$work/evil-hardlink/etc/passwd" "$work/evil-hardlink/hl-rel"
(cd "$work/evil-hardlink" &&
	$TAR --owner=0 --group=0 -P -cf "$work/evil-hardlink.tar" \
		--transform='s,^etc/passwd$,/etc/passwd,RS' etc hl-abs &&
	$TAR --owner=0 --group=0 -P -cf "$work/evil-hardlink2.tar" \
		--transform="s,^etc/passwd\$,${DOTDOT16}/etc/passwd,RS" etc/passwd hl-rel)
# the second tar without its etc/passwd member, appended to the first
tar -P --delete -f "$work/evil-hardlink2.tar" etc/passwd
tar -P -A -f "$work/evil-hardlink.tar" "$work/evil-hardlink2.tar"
evil evil-hardlink

mkdir -p "$work/evil-setuid"
printf '#!/bin/sh\nid\n' > "$work/evil-setuid/isolate-evil-setuid"
chmod 4755 "$work/evil-setuid/isolate-evil-setuid"
tardir "$work/evil-setuid.tar" "$work/evil-setuid"
evil evil-setuid

if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$work/evil-device/dev"
	mknod "$work/evil-device/dev/isolate-evil-mem" c 1 1
	tardir "$work/evil-device.tar" "$work/evil-device"
	evil evil-device
else
	echo "mkimages: not root: no evil-device (mknod)" >&2
fi

# evil-digest: a third layer, uncompressed, 8192 "A"s from offset 512
mkdir -p "$work/evil-digest"
head -c 8192 /dev/zero | tr '\0' A > "$work/evil-digest/isolate-evil-digest"
tardir "$work/evil-digest.tar" "$work/evil-digest"
layer "$work/evil-digest.tar" raw
config "{\"Env\":[\"$PATHENV\"],\"Cmd\":[\"sh\",\"-c\",\"echo hello from evil-digest\"],\"WorkingDir\":\"/\",\"Labels\":{\"org.isolate.test.image\":\"evil-digest\"}}" \
	"$base_diff" "$diff_id"
manifest "$config" "$base_layer" "$layer"
layout evil-digest.orig "$manifest"
layout evil-digest "$manifest"
corrupt "$out/evil-digest" "$(printf '%s' "$layer" | grep -o 'sha256:[0-9a-f]*')" 1024 B

# evil-manifest-digest: single with a padding annotation, one "a" made "b"
MANIFEST_EXTRA=',"annotations":{"org.isolate.test.pad":"aaaaaaaaaaaaaaaa"}' \
	manifest "$single_config" "$base_layer"
layout evil-manifest-digest.orig "$manifest"
layout evil-manifest-digest "$manifest"
m=$(printf '%s' "$manifest" | grep -o 'sha256:[0-9a-f]*')
offset=$(grep -bo 'aaaaaaaa' "$pool/${m#sha256:}" | head -n 1 | cut -d: -f1)
corrupt "$out/evil-manifest-digest" "$m" $((offset + 4)) b

# evil-mediatype: an unknown manifest media type
MANIFEST_MT=application/vnd.example.unknown+json manifest "$single_config" "$base_layer"
layout evil-mediatype "$manifest"

# evil-artifact: an unknown config media type
config=$(printf '%s' "$single_config" | sed "s,$OCI_CONFIG,application/vnd.example.unknown.config+json,")
manifest "$config" "$base_layer"
layout evil-artifact "$manifest"

# evil-layertype: an unknown layer media type
(cd "$work/evil" && $TAR --owner=0 --group=0 -cf "$work/evil-layertype.tar" --transform='s,^f$,isolate-evil-layertype,' f)
evil evil-layertype application/vnd.example.unknown.layer

trap - EXIT
rm -rf "$work"
