#!/usr/bin/env bash
# Benchmarks isolate's image commands against their peers (issue 6), each
# pair alternated in the same run and reported as ratios of medians:
#
#   1. pull + unpack of a multi-layer image of a few tens of MB from a
#      registry on loopback:
#        isolate        isolate --storage-root S pull REF  (pull unpacks the
#                       layers too: blobs/ and layers/ in S)
#        skopeo+umoci   skopeo copy docker://REF oci:D:big
#                       && umoci unpack --image D:big B
#        podman         podman pull REF, into a podman store of its own
#                       (overlay driver)
#      Every run starts from an empty store of its own, made untimed just
#      before it (isolate's and podman's initialised by listing their
#      images, as on a host that has used them before), and an empty
#      blob-info cache (below).  Then `sync`, so that no run pays for the
#      writeback of the one before.  The order rotates round by round
#      (A B C, B C A, C A B, ...).  Every timed run is checked in the
#      registry's access log to have fetched the config and every layer
#      blob, all their bytes (nothing served from a cache).  The report
#      gives, per contender, the median, quartiles (IQR), min and max of
#      the wall time, the median and IQR of the CPU time (user + system,
#      of the command and its children) and the median peak RSS, from
#      /usr/bin/time; and isolate's medians over each other's.
#
#      The stores.  All of them, those of part 2 too, are on a new ext4
#      made for the benchmark (mkfs.ext4's defaults: with a journal, as on
#      most hosts) in a sparse file of the temporary directory, loop-mounted
#      in the benchmark's mount namespace; STORES=DIR puts them in a new
#      directory of DIR instead.  No store is emptied before the end, so
#      that part keeps a few GB (checked first).  Why: on ext4 without a
#      journal (such as the / of the machines this was written on) the
#      inode allocator skips inodes freed less than 60 s ago (300 s while
#      their inode table block is dirty), checking them one by one on every
#      allocation.  Emptying a store right before a run, or anyone's rm -rf
#      of a few thousand files, made 40-70% of a run's time ext4's
#      recently_deleted() (perf), and the figures depended on what had
#      been deleted just before.  With STORES=DIR the stores are made in a
#      directory marked `chattr +T`, for which ext4's Orlov allocator puts
#      each new directory in a block group of its choosing, which helps
#      but does not cure it.
#   2. starting a container of a small image (one layer: busybox-static):
#        isolate        isolate --storage-root S run --network none REF /bin/true
#        podman         podman run --rm --network none REF /bin/true
#                       (crun, cgroupfs manager, file events)
#      the image pulled once beforehand into both stores; timed by
#      bench-alternate (bench/alternate.c), which interleaves them so that
#      each runs right after each equally often.  isolate runs the container
#      in a user namespace of its own (its default), with idmapped layers
#      under the overlay; rootful podman runs it without one.  For
#      reference, a third command runs the same files without the image
#      path (no store, no overlay), as bench/run.sh does:
#        isolate-rootfs isolate run --network none --rootfs DIR /bin/true
#      (DIR: the image's layer unpacked by tar)
#
# Run as root (make bench runs it after bench/run.sh):
#
#   bench/images.sh                   # both parts
#   PULL_ROUNDS=N bench/images.sh     # N timed rounds of part 1 (default 15;
#                                     # 0 skips it), PULL_WARMUP=N untimed
#                                     # rounds first (default 1)
#   RUN_ROUNDS=N bench/images.sh      # N rounds of part 2 (default 100;
#                                     # 0 skips it), WARMUP=N (default 5)
#   RAW=FILE bench/images.sh          # also keep every timed pull in FILE
#                                     # (TSV: ms, peak RSS KiB, user and
#                                     # system s, blobs and bytes fetched)
#                                     # and every run of part 2 in FILE.run
#   STORES=DIR bench/images.sh        # the stores in a new directory of DIR
#                                     # (default: a new ext4, see below)
#   ISOLATE=PATH, BUILD=DIR           # the isolate binary (default
#                                     # BUILD/isolate, BUILD default build)
#                                     # and bench-alternate (BUILD/tests/)
#
# The image of part 1 (bench/big), built here from files of this machine's
# Debian packages and from fixed-key pseudo-random bytes, so the same on
# every run on a machine (and on machines with the same package versions):
# gzip'ed tar layers (GNU tar, sorted names, fixed mtime, root-owned):
#
#   1 base      busybox-static with its applet links (busybox --list-full),
#               /etc/passwd and group, the usual empty directories
#   2 dev       every file, link and directory of the packages libc6-dev and
#               linux-libc-dev: C headers and static libraries, ~1,500 entries
#   3 tzdata    /usr/share/zoneinfo (package tzdata): ~1,300 small files and
#               links
#   4 compiler  gcc's cc1 (gcc -print-prog-name=cc1): one ~30 MB binary
#   5 assets    incompressible data (AES-128-CTR of zeros, fixed key): one
#               8 MiB file and 512 files of 1 to 32 KiB
#   6 top       /etc/motd, and a whiteout of one file of layer 5
#
# so (on Debian 12) 37 MB to fetch, 75 MB of tar unpacked, 3,657 entries of
# which 2,857 regular files; the script prints the figures.  The image of
# part 2 (bench/small) is layer 1 alone.  The images are written as one OCI
# layout and pushed with skopeo (--preserve-digests: the registry serves
# exactly these blobs).
#
# The registry is Debian's docker-registry (distribution) listening on
# 127.0.0.1 on a port the kernel picks, with its storage in the temporary
# directory; nothing here talks to another address: the proxy variables are
# unset, isolate gets an empty registries config, and skopeo and podman
# get a registries.conf of their own with no search registries and no
# mirrors.  Root's skopeo and podman keep a blob-info cache (which blob
# has which uncompressed digest, and where it was seen) in
# /var/lib/containers/cache whatever their --root: in the benchmark's mount
# namespace (below) a directory of the temporary one is bind-mounted there,
# emptied before each of their runs, and the host's is never read or
# written (the mount point is made if missing, and removed at the end).
#
# podman's configuration, store, run root and temporary files are all in
# the temporary directory (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, and
# --root/--runroot on each command).  Without CAP_SYS_RESOURCE (some
# sandboxes drop it even for root) the OCI runtime cannot raise
# RLIMIT_NOFILE and RLIMIT_NPROC to podman's defaults for root, so
# containers.conf sets default_ulimits to the current hard limits (nproc at
# most 32768).  On a hybrid cgroup layout (v1 hierarchies plus a cgroup2 on
# /sys/fs/cgroup/unified) crun 1.8.1 refuses to run ("cgroups in hybrid
# mode not supported"), so, as in bench/run.sh, the whole benchmark runs in
# a private mount namespace in which that cgroup2 is unmounted and a tmpfs
# takes its place; nothing is mounted or unmounted on the host (the stores'
# ext4 is mounted there too, with mount -o loop, whose loop device goes with
# that mount).  What podman
# leaves on the host is removed at the end if it was not there before: its
# lock in /dev/shm, /run/containers, /run/netns, crun's /run/crun, its
# cgroups (libpod_parent).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac

die() { echo "bench: $*" >&2; exit 1; }

# ---- The part that runs inside the private mount namespace ---------------
# The outer part (at the end) re-runs this script as
#   unshare --mount --propagation private bash bench/images.sh --inside
# with the paths it set up in the environment.
if [ "${1:-}" = --inside ]; then
	# See the top: hide the cgroup2 of the hybrid layout from crun.
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		umount /sys/fs/cgroup/unified
		mount -t tmpfs -o mode=755,size=16m isolate-bench /sys/fs/cgroup/unified
	fi
	# See the top: the blob-info cache of root's skopeo and podman.
	mount --bind "$CACHE" /var/lib/containers/cache

	reg_pid=
	inside_cleanup() {
		local status=$? i
		set +e
		if [ "$RUN_ROUNDS" -gt 0 ] || [ "$PULL_ROUNDS" -gt 0 ]; then
			podman rm --all --force --time 0 >/dev/null 2>&1
		fi
		if [ -n "$reg_pid" ]; then
			kill -TERM "$reg_pid" 2>/dev/null
			for ((i = 0; i < 100; i++)); do
				kill -0 "$reg_pid" 2>/dev/null || break
				sleep 0.05
			done
			kill -KILL "$reg_pid" 2>/dev/null
			wait "$reg_pid" 2>/dev/null
		fi
		exit "$status"
	}
	trap inside_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# ---- The images ----
	TAR=(tar --format=gnu --sort=name --mtime=@1704067200 --owner=0 --group=0 --numeric-owner)
	layout=$T/layout
	work=$T/imgwork
	mkdir -p "$layout/blobs/sha256" "$work"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

	# put FILE: moves FILE into the layout as a blob; sets digest and size.
	put() {
		digest=sha256:$(sha256sum "$1" | cut -d' ' -f1)
		size=$(stat -c %s "$1")
		mv "$1" "$layout/blobs/sha256/${digest#sha256:}"
	}
	layers=() diff_ids=() layer_info=()
	# add_layer NAME TAR: gzips TAR into the layout, appends its descriptor
	# and diff_id, and notes its figures.
	add_layer() {
		local name=$1 t=$2 entries raw
		entries=$(tar -tf "$t" | wc -l)
		raw=$(stat -c %s "$t")
		diff_ids+=("sha256:$(sha256sum "$t" | cut -d' ' -f1)")
		gzip -n -6 "$t"
		put "$t.gz"
		layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$digest\",\"size\":$size}")
		layer_info+=("$name $entries $raw $size")
	}
	# tar_host TAR LIST: a tar of the host's paths named in the file LIST
	# (absolute, one a line) that exist, with their parent directories,
	# without recursing into directories.
	tar_host() {
		local t=$1 list=$2
		awk '$0 != "/" && $0 != "/." {
			sub(/^\//, ""); p = $0
			print p
			while (sub(/\/[^\/]*$/, "", p)) print p
		}' "$list" | sort -u | while IFS= read -r p; do
			if [ -e "/$p" ] || [ -L "/$p" ]; then printf '%s\n' "$p"; fi
		done >"$list.rel"
		"${TAR[@]}" -C / --no-recursion -cf "$t" -T "$list.rel"
	}

	# 1 base
	b=$work/base
	mkdir -p "$b"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/tmp,home}
	chmod 1777 "$b/tmp" "$b/var/tmp"
	chmod 700 "$b/root"
	cp "$(command -v busybox)" "$b/bin/busybox"
	chmod 755 "$b/bin/busybox"
	busybox --list-full | while IFS= read -r a; do
		[ "$a" = bin/busybox ] || ln -sf /bin/busybox "$b/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$b/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$b/etc/group"
	(cd "$b" && "${TAR[@]}" -cf "$work/l1.tar" .)
	add_layer base "$work/l1.tar"
	base_layer=${layers[0]} base_diff=${diff_ids[0]}

	# 2 dev, 3 tzdata
	dpkg -L libc6-dev linux-libc-dev >"$work/l2.list"
	tar_host "$work/l2.tar" "$work/l2.list"
	add_layer dev "$work/l2.tar"
	dpkg -L tzdata | grep '^/usr/share/zoneinfo' >"$work/l3.list"
	tar_host "$work/l3.tar" "$work/l3.list"
	add_layer tzdata "$work/l3.tar"

	# 4 compiler
	cc1=$(gcc -print-prog-name=cc1)
	[ -f "$cc1" ] || die "no cc1 ($cc1): gcc is needed to build the image"
	printf '%s\n' "$(readlink -f "$cc1")" >"$work/l4.list"
	tar_host "$work/l4.tar" "$work/l4.list"
	add_layer compiler "$work/l4.tar"

	# 5 assets: 8 MiB, then 512 files of 1024 + (i * 7919 mod 31745) bytes,
	# all cut from one AES-128-CTR keystream.
	a=$work/assets/usr/share/bench-assets
	mkdir -p "$a/small"
	stream_len=$((8 << 20))
	for i in $(seq 0 511); do stream_len=$((stream_len + 1024 + i * 7919 % 31745)); done
	head -c "$stream_len" /dev/zero |
		openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
			-iv 00000000000000000000000000000000 >"$work/stream"
	dd if="$work/stream" of="$a/large.bin" bs=1M count=8 status=none
	off=$((8 << 20))
	for i in $(seq 0 511); do
		n=$((1024 + i * 7919 % 31745))
		dd if="$work/stream" of="$a/small/$(printf %03d "$i").bin" bs=64K \
			iflag=skip_bytes,count_bytes skip="$off" count="$n" status=none
		off=$((off + n))
	done
	(cd "$work/assets" && "${TAR[@]}" -cf "$work/l5.tar" .)
	add_layer assets "$work/l5.tar"

	# 6 top
	t=$work/top
	mkdir -p "$t/etc" "$t/usr/share/bench-assets/small"
	echo "isolate image benchmark" >"$t/etc/motd"
	: >"$t/usr/share/bench-assets/small/.wh.000.bin"
	(cd "$t" && "${TAR[@]}" -cf "$work/l6.tar" .)
	add_layer top "$work/l6.tar"

	# config CMD DIFF_ID...: an image config; sets config (its descriptor).
	config() {
		local cmd=$1 ids="" hist="" d
		shift
		for d; do
			ids+="${ids:+,}\"$d\""
			hist+="${hist:+,}{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"bench/images.sh\"}"
		done
		printf '{"created":"2024-01-01T00:00:00Z","architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
			"$ARCH" "$cmd" "$ids" "$hist" >"$work/config.json"
		put "$work/config.json"
		config="{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$digest\",\"size\":$size}"
	}
	# manifest NAME CONFIG LAYERS: a manifest, listed in index.json as NAME.
	manifests=()
	manifest() {
		printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
			"$2" "$3" >"$work/manifest.json"
		put "$work/manifest.json"
		manifests+=("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$digest\",\"size\":$size,\"annotations\":{\"org.opencontainers.image.ref.name\":\"$1\"}}")
	}
	config '["/bin/sh"]' "${diff_ids[@]}"
	config_digest=$digest
	manifest big "$config" "$(IFS=,; echo "${layers[*]}")"
	big_layers=${#layers[@]}
	config '["/bin/sh"]' "$base_diff"
	manifest small "$config" "$base_layer"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' \
		"$(IFS=,; echo "${manifests[*]}")" >"$layout/index.json"
	# $work stays until the end, as does everything part 1 makes: see the top.

	# what a pull of bench/big fetches (its blobs but the manifest) and unpacks
	big_bytes=$(printf '%s\n' "${layer_info[@]}" | awk '{ b += $4 } END { print b }')
	big_bytes=$((big_bytes + $(stat -c %s "$layout/blobs/sha256/${config_digest#sha256:}")))
	big_unpacked=$(printf '%s\n' "${layer_info[@]}" | awk '{ b += $3 } END { print b }')
	echo "== the image bench/big (part 1)"
	printf '%-9s %8s %12s %12s\n' layer entries "tar bytes" "gzip bytes"
	printf '%s\n' "${layer_info[@]}" | awk '
		{ printf "%-9s %8d %12d %12d\n", $1, $2, $3, $4; e += $2; r += $3; g += $4 }
		END { printf "%-9s %8d %12d %12d  (%.1f MB unpacked tar, %.1f MB to fetch)\n",
			"total", e, r, g, r / 1e6, g / 1e6 }'
	echo "bench/small (part 2): layer 1 alone"

	# ---- The registry ----
	rdir=$T/registry
	mkdir -p "$rdir/storage"
	cat >"$rdir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: "$rdir/storage"
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: isolate-bench-registry
EOF
	reg_log=$rdir/registry.log
	: >"$reg_log"
	# distribution takes every REGISTRY_* variable as a config setting.
	unset_env=()
	for v in $(compgen -e); do
		case $v in REGISTRY_*) unset_env+=(-u "$v") ;; esac
	done
	env "${unset_env[@]}" setpriv --pdeathsig KILL \
		docker-registry serve "$rdir/config.yml" >"$reg_log" 2>&1 </dev/null &
	reg_pid=$!
	port=
	for ((i = 0; i < 500; i++)); do
		port=$(sed -n 's/.*msg="listening on 127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$reg_log")
		[ -n "$port" ] && break
		kill -0 "$reg_pid" 2>/dev/null || break
		sleep 0.02
	done
	[ -n "$port" ] || { tail -n 20 "$reg_log" >&2; die "the registry did not start"; }
	reg=127.0.0.1:$port
	for ((i = 0; i < 100; i++)); do
		code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://$reg/v2/") || :
		[ "$code" = 200 ] && break
		sleep 0.05
	done
	[ "$code" = 200 ] || { tail -n 20 "$reg_log" >&2; die "the registry does not answer on $reg"; }

	for name in big small; do
		skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
			"oci:$layout:$name" "docker://$reg/bench/$name:latest" ||
			die "cannot push bench/$name to the registry"
	done
	BIG=$reg/bench/big:latest SMALL=$reg/bench/small:latest

	# ---- The stores' filesystem (see the top) ----
	# What part 1 keeps until the end: each run's blobs and unpacked
	# files (3 x the image's size), with a margin, and 1 GB more.
	total=$((PULL_WARMUP + PULL_ROUNDS))
	need=$((((total * 3 * (big_bytes + big_unpacked) * 3 / 2) >> 20) + 1024))
	free=$(df --output=avail -m "$FS_DIR" | tail -n 1)
	[ "$free" -gt "$need" ] ||
		die "this needs about $need MB where $FS_DIR is, which has $free MB free: fewer PULL_ROUNDS, or STORES=DIR elsewhere"
	if [ -n "$FS_IMG" ]; then
		truncate -s "${need}M" "$FS_IMG"
		mkfs.ext4 -q -F -m 0 "$FS_IMG"
		mount -o loop "$FS_IMG" "$FS_DIR"
		echo "stores:  a new ext4 of $need MB (mkfs.ext4 defaults: a journal) on $(findmnt -n -o SOURCE -T "$FS_DIR")," \
		     "a sparse file on $(findmnt -n -o SOURCE,FSTYPE -T "$T" | tr -s ' ')"
	else
		echo "stores:  $FS_DIR on $(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$FS_DIR" | tr -s ' ')"
	fi
	mkdir -p "$PM_ROOT"

	# The registry's access log lines since line $1 that fetched a blob of
	# bench/big: "BYTES" per line.
	blob_gets() {
		tail -n +"$(($1 + 1))" "$reg_log" |
			sed -n 's|.*"GET /v2/bench/big/blobs/sha256:[0-9a-f]* HTTP/[0-9.]*" 200 \([0-9]*\) .*|\1|p'
	}

	# ---- Part 1: pulls ----
	# Each run gets a store of its own, made (untimed) just before it, and
	# none is emptied before the end: see the top.
	p1=$FS_DIR/pulls
	mkdir -p "$p1"
	chattr +T "$p1" 2>/dev/null || : # ext4's Orlov hint, for STORES=DIR: see the top
	# stores LABEL ROUND: the paths of LABEL's store in ROUND, into the
	# variables of contender (below) and of its pre-run set-up.
	stores() {
		local d=$p1/$1.$2
		# podman refuses a run root of more than 50 characters
		S1=$d/store D1=$d/oci B1=$d/bundle PR1=$d/root PRR1=$T/rr/$2
	}
	# contender LABEL: the timed command of LABEL into the array cmd.
	contender() {
		case $1 in
		isolate)
			cmd=("$ISOLATE" --storage-root "$S1" pull -q --registries-conf "$ISO_REGCONF" "$BIG") ;;
		podman)
			cmd=(podman --root "$PR1" --runroot "$PRR1" pull -q --tls-verify=false "$BIG") ;;
		skopeo+umoci)
			# shellcheck disable=SC2016 # sh expands them
			cmd=(sh -c
				'skopeo copy -q --src-tls-verify=false "docker://$1" "oci:$2:big" && umoci unpack --image "$2:big" "$3"'
				sh "$BIG" "$D1" "$B1") ;;
		esac
	}
	# prepare LABEL: a new, empty store for LABEL's next run (isolate's and
	# podman's initialised by listing their images), and an empty
	# blob-info cache.
	prepare() {
		mkdir -p "${S1%/*}"
		case $1 in
		isolate)
			"$ISOLATE" --storage-root "$S1" images >/dev/null ||
				die "cannot make isolate's store $S1"
			;;
		podman)
			podman --root "$PR1" --runroot "$PRR1" images >/dev/null ||
				die "cannot make podman's store $PR1"
			find "$CACHE" -mindepth 1 -delete
			;;
		skopeo+umoci) find "$CACHE" -mindepth 1 -delete ;;
		esac
	}
	# unpacked_files LABEL: the regular files that LABEL's last pull
	# unpacked (isolate and podman keep each layer's files, umoci the
	# flattened tree: one file less, the one the top layer deletes).
	unpacked_files() {
		case $1 in
		isolate) find "$S1/layers" -type f | wc -l ;;
		podman) find "$PR1/overlay" -path '*/diff/*' -type f | wc -l ;;
		skopeo+umoci) find "$B1/rootfs" -type f | wc -l ;;
		esac
	}

	labels=(isolate skopeo+umoci podman)
	if [ "$PULL_ROUNDS" -gt 0 ]; then
		echo
		echo "== part 1: pull + unpack of bench/big ($big_layers layers) from $reg" \
		     "($PULL_ROUNDS rounds after $PULL_WARMUP untimed; rotating order; load $(cut -d' ' -f1 /proc/loadavg))"
		stores LABEL R
		for l in "${labels[@]}"; do
			contender "$l"
			printf '  %-13s %s\n' "$l:" "${cmd[*]}"
		done
		raw=${RAW:-$T/pull.tsv}
		printf 'round\tposition\tlabel\tms\trss_kib\tuser_s\tsys_s\tblob_gets\tblob_bytes\n' >"$raw"
		for ((r = 0; r < total; r++)); do
			for ((j = 0; j < 3; j++)); do
				l=${labels[(r + j) % 3]}
				stores "$l" "$r"
				contender "$l"
				prepare "$l"
				sync
				lines=$(wc -l <"$reg_log")
				t0=$EPOCHREALTIME
				if ! /usr/bin/time -f '%M %U %S' -o "$T/time" "${cmd[@]}" >"$T/out" 2>&1; then
					cat "$T/out" >&2
					die "$l failed: ${cmd[*]}"
				fi
				t1=$EPOCHREALTIME
				sleep 0.2 # the registry writes its log line after the answer
				read -r gets bytes < <(blob_gets "$lines" | awk '{ n++; b += $1 } END { print n + 0, b + 0 }')
				if [ "$gets" -lt $((big_layers + 1)) ] || [ "$bytes" -lt "$big_bytes" ]; then
					die "$l fetched $gets blobs ($bytes bytes) from the registry, not the config" \
					    "and $big_layers layers ($big_bytes bytes)"
				fi
				if [ "$r" = 0 ]; then
					printf '  %-13s %d regular files unpacked, %d blobs (%d bytes) fetched\n' \
						"$l:" "$(unpacked_files "$l")" "$gets" "$bytes"
				fi
				[ "$r" -lt "$PULL_WARMUP" ] && continue
				read -r rss user sys < <(tail -n 1 "$T/time")
				printf '%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n' $((r - PULL_WARMUP + 1)) $((j + 1)) "$l" \
					"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')" \
					"$rss" "$user" "$sys" "$gets" "$bytes" >>"$raw"
			done
		done
		# The stores stay until the end (see the top); podman's are
		# mounted on themselves (c/storage makes its overlay directory a
		# private mount), in this namespace, which takes them with it.

		# Per label: the median and quartiles of the wall time, of the
		# CPU time (user + system) and the median peak RSS; then the ratios.
		echo
		awk -F '\t' '
		function q(v, n, p,    pos, lo) {
			pos = p * (n - 1); lo = int(pos)
			return lo + 1 >= n ? v[n] : v[lo + 1] + (v[lo + 2] - v[lo + 1]) * (pos - lo)
		}
		function sort(v, n,    i, j, x) {
			for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
		}
		NR > 1 { c = ++n[$3]; ms[$3, c] = $4; rss[$3, c] = $5; cpu[$3, c] = ($6 + $7) * 1000 }
		END {
			split("isolate skopeo+umoci podman", L, " ")
			printf "%-13s %4s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "command", "runs", "median", "p25", "p75",
				"IQR", "min", "max", "cpu-med", "cpu-IQR", "rss-med"
			printf "%-13s %4s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "", "", "ms", "ms", "ms", "ms", "ms", "ms",
				"ms", "ms", "MB"
			for (k = 1; k <= 3; k++) {
				l = L[k]; c = n[l]
				if (!c) continue
				delete v; delete w; delete u
				for (i = 1; i <= c; i++) { v[i] = ms[l, i]; w[i] = rss[l, i]; u[i] = cpu[l, i] }
				sort(v, c); sort(w, c); sort(u, c)
				med[l] = q(v, c, 0.5); cmed[l] = q(u, c, 0.5)
				printf "%-13s %4d %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.1f\n", l, c, med[l],
					q(v, c, 0.25), q(v, c, 0.75), q(v, c, 0.75) - q(v, c, 0.25), v[1], v[c],
					cmed[l], q(u, c, 0.75) - q(u, c, 0.25), q(w, c, 0.5) / 1024
			}
			print ""
			printf "ratios of medians        wall    cpu\n"
			printf "isolate / podman        %5.2f  %5.2f\n", med["isolate"] / med["podman"],
				cmed["isolate"] / cmed["podman"]
			printf "isolate / skopeo+umoci  %5.2f  %5.2f\n", med["isolate"] / med["skopeo+umoci"],
				cmed["isolate"] / cmed["skopeo+umoci"]
		}' "$raw"
	fi

	# ---- Part 2: runs ----
	[ "$RUN_ROUNDS" -gt 0 ] || exit 0
	iso=("$ISOLATE" --storage-root "$FS_DIR/isolate-store")
	pm=(podman --root "$PM_ROOT" --runroot "$PM_RUNROOT")
	"${iso[@]}" pull -q --registries-conf "$ISO_REGCONF" "$SMALL" >/dev/null
	"${pm[@]}" pull -q --tls-verify=false "$SMALL" >/dev/null
	# the same files as a plain directory, for isolate-rootfs
	rootfs=$FS_DIR/rootfs
	mkdir -p "$rootfs"
	base_hex=$(printf '%s' "$base_layer" | grep -o 'sha256:[0-9a-f]*')
	tar -C "$rootfs" -xzf "$layout/blobs/sha256/${base_hex#sha256:}"
	iso_run=("${iso[@]}" run --network none "$SMALL" /bin/true)
	rootfs_run=("${iso[@]}" run --network none --rootfs "$rootfs" /bin/true)
	pm_run=("${pm[@]}" run --rm --network none "$SMALL" /bin/true)
	"${iso_run[@]}" || die "this fails: ${iso_run[*]}"
	"${rootfs_run[@]}" || die "this fails: ${rootfs_run[*]}"
	"${pm_run[@]}" || die "this fails: ${pm_run[*]}"
	lines=$(wc -l <"$reg_log")
	echo
	echo "== part 2: run of bench/small, /bin/true (ms wall time, MB peak RSS; ratios of medians;" \
	     "load $(cut -d' ' -f1 /proc/loadavg))"
	"$ALTERNATE" -n "$RUN_ROUNDS" -w "$WARMUP" ${RAW:+--raw "$RAW.run"} \
		--label isolate -- "${iso_run[@]}" \
		--- --label isolate-rootfs -- "${rootfs_run[@]}" \
		--- --label podman -- "${pm_run[@]}" | tee "$T/run.table"
	[ "$(wc -l <"$reg_log")" = "$lines" ] || die "the runs made requests to the registry"
	# The medians of the first table (wall time, orphans included).
	awk '$1 == "command" && $3 == "median" { t++; getline; next }
	     t == 1 && NF > 3 && $1 !~ /^\(/ { med[$1] = $3 }
	     END {
		printf "isolate / podman          %5.2f  (podman %.1f times isolate)\n",
			med["isolate"] / med["podman"], med["podman"] / med["isolate"]
		printf "isolate - isolate-rootfs  %+5.1f ms (the image path: store, overlay)\n",
			med["isolate"] - med["isolate-rootfs"] }' "$T/run.table"
	left=$("${pm[@]}" ps --all --quiet)
	[ -z "$left" ] || die "podman left containers: $left"
	exit 0
fi

# ---- Set-up -----------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (podman's rootful store, umoci unpack, mounts)"
export ISOLATE=${ISOLATE:-$build/isolate} ALTERNATE=${ALTERNATE:-$build/tests/bench-alternate}
case $ISOLATE in /*) ;; *) ISOLATE=$PWD/$ISOLATE ;; esac
[ -x "$ISOLATE" ] || die "no $ISOLATE: build first (make bench)"
export PULL_ROUNDS=${PULL_ROUNDS:-15} PULL_WARMUP=${PULL_WARMUP:-1}
export RUN_ROUNDS=${RUN_ROUNDS:-100} WARMUP=${WARMUP:-5}
case $PULL_ROUNDS$PULL_WARMUP$RUN_ROUNDS$WARMUP in
*[!0-9]*) die "PULL_ROUNDS, PULL_WARMUP, RUN_ROUNDS and WARMUP must be numbers" ;;
esac
if [ "$RUN_ROUNDS" -gt 0 ] && [ ! -x "$ALTERNATE" ]; then
	die "no $ALTERNATE: build first (make bench)"
fi
if [ -n "${RAW:-}" ]; then
	case $RAW in /*) ;; *) RAW=$PWD/$RAW ;; esac
	export RAW
fi
missing=()
for c in docker-registry skopeo umoci podman crun busybox gcc openssl dpkg curl setpriv; do
	command -v "$c" >/dev/null || missing+=("$c")
done
[ -x /usr/bin/time ] || missing+=(/usr/bin/time)
for p in libc6-dev linux-libc-dev tzdata; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (scripts/deps.sh bench installs them)"
case $(uname -m) in
x86_64) export ARCH=amd64 ;;
aarch64) export ARCH=arm64 ;;
*) die "unsupported machine $(uname -m)" ;;
esac
# Loopback only: no proxy for anyone.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# ---- What podman leaves on the host ----------------------------------------
pm_new=()
for p in /dev/shm/libpod_lock /run/containers /run/netns /run/crun /var/lib/containers \
	 /var/lib/containers/cache /sys/fs/cgroup/*/; do
	case $p in */) p=${p}libpod_parent ;; esac
	[ -e "$p" ] || pm_new+=("$p")
done
T=
cleanup() {
	local status=$? p mnt i d dev
	set +e
	for ((i = ${#pm_new[@]} - 1; i >= 0; i--)); do
		p=${pm_new[i]}
		case $p in
		# only if empty: others may use them
		/run/netns | /run/crun | /var/lib/containers*) rmdir "$p" 2>/dev/null ;;
		/sys/fs/cgroup/*)
			for _ in $(seq 50); do
				[ -d "$p" ] || break
				find "$p" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
				rmdir "$p" 2>/dev/null || sleep 0.1
			done ;;
		*) rm -rf "$p" ;;
		esac
	done
	# The loop device of the stores' filesystem goes with its last mount
	# (mount -o loop sets autoclear), which went with the namespace.
	if [ -n "${FS_IMG:-}" ] && [ -e "$FS_IMG" ]; then
		losetup -n -O NAME -j "$FS_IMG" | while read -r dev; do losetup -d "$dev"; done
	fi
	for d in "${FS_DIR:-}" "$T"; do
		if [ -z "$d" ] || [ ! -d "$d" ]; then continue; fi
		# Every mount was made in the private mount namespace, gone by
		# now; but never delete through a mount that is still there.
		awk -v t="$d/" 'index($5 "/", t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
			while read -r mnt; do umount -l "$mnt"; done
		if awk -v t="$d/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
			echo "bench: $d still has mounts; not deleting it" >&2
		else
			rm -rf "$d"
		fi
	done
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T=$(mktemp -d "${TMPDIR:-/tmp}/isobench.XXXXXX")
export T
# podman refuses a run root of more than 50 characters (see stores above)
[ ${#T} -le 44 ] || die "$T: too long a path for podman's run roots; set a shorter TMPDIR"
chmod 755 "$T"
# The stores (see the top): a new ext4 mounted on $T/fs in the benchmark's
# mount namespace, or a new directory in $STORES.
if [ -n "${STORES:-}" ]; then
	[ -d "$STORES" ] || die "STORES=$STORES: not a directory"
	FS_DIR=$(mktemp -d "$STORES/isobench-stores.XXXXXX") FS_IMG=
else
	FS_DIR=$T/fs FS_IMG=$T/stores.img
	mkdir "$FS_DIR"
	command -v mkfs.ext4 >/dev/null || die "missing: mkfs.ext4 (e2fsprogs), or set STORES=DIR"
fi
export FS_DIR FS_IMG
export PM_ROOT=$FS_DIR/podman-root PM_RUNROOT=$T/podman/runroot
export CONTAINERS_CONF=$T/podman/containers.conf CONTAINERS_STORAGE_CONF=$T/podman/storage.conf
export CONTAINERS_REGISTRIES_CONF=$T/registries.conf ISO_REGCONF=$T/registries.json
export CACHE=$T/containers-cache
mkdir -p "$T/podman/tmp" "$T/podman/networks" "$CACHE"
# The mount point of the private blob-info cache (see the top).
mkdir -p /var/lib/containers/cache
printf '{}\n' >"$ISO_REGCONF"
printf 'unqualified-search-registries = []\n' >"$CONTAINERS_REGISTRIES_CONF"
ulimits=
if (((0x$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status) >> 24 & 1) == 0)); then
	# No CAP_SYS_RESOURCE: the limits the runtime can set (see the top).
	nproc=$(ulimit -Hu)
	if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
	ulimits="default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=$nproc:$nproc\"]"
fi
cat >"$CONTAINERS_CONF" <<EOF
[containers]
$ulimits
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
image_copy_tmp_dir = "$T/podman/tmp"
runtime = "crun"
tmp_dir = "$T/podman/tmp"
volume_path = "$T/podman/volumes"
[network]
network_backend = "netavark"
network_config_dir = "$T/podman/networks"
EOF
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$PM_ROOT"
runroot = "$PM_RUNROOT"
EOF

echo "== machine"
echo "cpus:    $(nproc) ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "kernel:  $(uname -srm)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "== versions"
echo "isolate: $("$ISOLATE" --version 2>&1 | head -n 1)"
echo "podman:  $(podman --version), $(crun --version | head -n 1), $(conmon --version | head -n 1); storage overlay"
echo "skopeo:  $(skopeo --version), $(umoci --version)"
echo "registry: $(docker-registry --version)"

unshare --mount --propagation private "$BASH" "$0" --inside

# ---- Leftovers ----------------------------------------------------------------
for d in "$T" "$FS_DIR"; do
	if awk -v t="$d/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		die "a mount under $d is visible on the host"
	fi
done
if [ -n "$FS_IMG" ] && [ -n "$(losetup -n -O NAME -j "$FS_IMG")" ]; then
	die "the loop device of $FS_IMG is still there"
fi
if pgrep -f "docker-registry serve $T/" >/dev/null; then
	die "the registry is still running"
fi
echo "no registry, podman containers or mounts left behind"
