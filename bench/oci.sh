#!/usr/bin/env bash
# Benchmarks isolate's OCI runtime face, isolate-oci (runc's command line),
# against crun and runc, and under podman against crun.  Peers in the same
# run; commands alternated by bench-alternate (bench/alternate.c), so that
# each runs right after each one equally often (on these shared 2-CPU
# machines a command timed right after a different one can run up to twice
# as slow); medians and ratios of medians.  Not a test.  Run as root:
#
#   make bench                        # builds isolate-oci and bench-alternate,
#                                     # runs bench/run.sh, images.sh, then this
#   bench/oci.sh                      # all parts, about 2-3 minutes
#   ROUNDS=N bench/oci.sh             # rounds of part 1, sequential (default 200)
#   PAR_ROUNDS=N                      # rounds of part 1, 2 at once (default 100)
#   RSS_ROUNDS=N                      # runs per runtime of part 2 (default 20)
#   PODMAN_ROUNDS=N                   # rounds of part 3 (default 60)
#   WARMUP=N                          # uncounted rounds first (default 5)
#                                     # (0 rounds skips a part)
#   ISOLATE_OCI=PATH, BUILD=DIR       # the runtime measured (default
#                                     # BUILD/isolate-oci, BUILD default build)
#                                     # and bench-alternate (BUILD/tests/, or
#                                     # ALTERNATE=PATH)
#   RESULTS=DIR                       # where the results go (default: a new
#                                     # directory in TMPDIR, printed at the end)
#
# Every runtime runs the same bundle: a busybox-static rootfs (as the
# tests make it) with the config.json of `runc spec`, adapted with jq:
# args ["/bin/true"], terminal false.  So: rootful, no user namespace, new
# pid, network, ipc, uts and mount namespaces, runc's default mounts,
# masked and read-only paths, capabilities and rlimits, and its device
# cgroup rule; no cgroupsPath, so each runtime makes a cgroup named after
# the container's id.  Each runtime keeps its state in its own --root under
# the temporary directory.
#
#   1. RUNTIME --root R run --bundle B ID, for isolate-oci, crun and runc:
#      a. sequential: each round runs each once (bench-alternate's balanced
#         order: A B C, C A B, B C A, ...); median and p90 wall time.
#      b. 2 at once: two runs of the same runtime started together (ids
#         ID-1 and ID-2), timed until both have exited: the time of a pair.
#         A /bin/sh starts the pair, the same for every runtime.
#   2. Peak RSS of each runtime process: GNU time's %M (/usr/bin/time -f),
#      the median and maximum of RSS_ROUNDS runs each, alternated.  %M is
#      the ru_maxrss that wait4() gives for the runtime: the largest resident
#      set of that process (over its execs) and of each descendant it waited
#      for, each counted alone: a maximum, not a sum.  runc's `runc init`
#      (runc re-executes itself, then that process execs /bin/true) and
#      crun's and isolate-oci's cloned container process are such
#      descendants; so the figure is the larger of the runtime's and its
#      init's, never their sum, though both are alive at once.  Then the
#      size of each binary, whether it is dynamically linked, and the
#      shared libraries it loads (ldd) with their total size.
#   3. podman --runtime RUNTIME run --rm --network none IMAGE /bin/true, for
#      isolate-oci and crun, alternated; median and ratio.  podman lives in
#      a world of its own in the temporary directory: its --root, --runroot,
#      CONTAINERS_CONF (cgroupfs, events in a file, no network, ulimits
#      within this machine's hard limits: rootful podman asks for
#      nofile=1048576, which setrlimit refuses without CAP_SYS_RESOURCE
#      above the hard limit; nproc at most 32768, the hard limit podman
#      gives itself), CONTAINERS_STORAGE_CONF, a cgroup parent of its own
#      (--cgroup-parent), and an image imported with `podman import` from a
#      tarball of the rootfs (nothing is pulled).  It runs in a private
#      mount namespace with a tmpfs on /run and on /dev/shm (so the
#      runtimes' default state dirs, /run/crun and the like, and podman's
#      lock in /dev/shm are its own: podman 4.3 does not pass
#      --runtime-flag root=... to `delete`, so a state dir cannot be chosen
#      with it), and a directory of its own on /var/lib/containers/cache
#      (the blob-info cache root's podman writes whatever its --root).
#
# crun and this machine's cgroups.  crun 1.8.1 refuses a hybrid layout (v1
# controllers plus a cgroup2 on /sys/fs/cgroup/unified, here with only
# hugetlb): "cgroups in hybrid mode not supported".  It runs when that
# cgroup2's cgroup.controllers reads empty.  So, on such a machine:
#   - in parts 1 and 2, crun runs through a wrapper script made in the
#     temporary directory: unshare --mount (a private mount namespace),
#     an empty file bind-mounted over /sys/fs/cgroup/unified/
#     cgroup.controllers, exec crun.  What the wrapper itself costs is
#     measured in part 1 by the same wrapper around runc (runc-wrap) next
#     to plain runc, so that it can be discounted; the summary does.  For
#     part 2, GNU time runs inside the wrapper's namespace, around crun
#     alone.
#   - part 3 runs entirely in such a namespace (podman would run the
#     wrapper three times a container: create, start, delete), so both
#     runtimes there see the cgroup2 without controllers; neither pays for
#     a wrapper.
# isolate-oci and runc run on the machine's real layout in parts 1 and 2.
#
# Everything is removed at the end (and on failure or interrupt): bundles,
# state, podman's store; crun's and runc's cgroups if a run left one; the
# podman cgroup parent; no container, conmon or mount stays (checked).  The
# results directory (the summary, the tables and the raw TSV of every run)
# stays.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac

# The reason goes to the results too, once they have begun.
die() {
	echo "bench: $*" >&2
	if [ -n "${RESULTS:-}" ] && [ -f "$RESULTS/tables.txt" ]; then echo "bench: $*" >>"$RESULTS/tables.txt"; fi
	exit 1
}

# ---- Part 3, inside the private mount namespace ---------------------------
# The outer part re-runs this script as
#   unshare --mount --propagation private bash bench/oci.sh --podman-inside
# with its paths in the environment.
if [ "${1:-}" = --podman-inside ]; then
	mount -t tmpfs -o mode=755,size=64m isolate-oci-bench-run /run
	mount -t tmpfs -o mode=1777,size=64m isolate-oci-bench-shm /dev/shm
	if [ "$HYBRID" = 1 ]; then
		mount --bind "$EMPTY" /sys/fs/cgroup/unified/cgroup.controllers
	fi
	mount --bind "$PM/cache" /var/lib/containers/cache

	pm=(podman --root "$PM/root" --runroot "$PM/runroot")
	inside_cleanup() {
		local status=$?
		set +e
		"${pm[@]}" rm --all --force --time 0 >/dev/null 2>&1
		exit "$status"
	}
	trap inside_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	"${pm[@]}" import --quiet "$ROOTFS_TAR" "$IMAGE" >/dev/null
	run=(run --rm --network none --cgroup-parent "$CG_PARENT" "$IMAGE" /bin/true)
	subject_cmd=("${pm[@]}" --runtime "$ISOLATE_OCI" "${run[@]}")
	crun_cmd=("${pm[@]}" --runtime "$CRUN" "${run[@]}")
	for c in subject_cmd crun_cmd; do
		declare -n cmd=$c
		"${cmd[@]}" || die "this fails: ${cmd[*]}"
		unset -n cmd
	done
	echo "== 3. podman run --rm IMAGE /bin/true (ms wall time, MB peak RSS; ratios of medians;" \
	     "load $(cut -d' ' -f1 /proc/loadavg))"
	"$ALTERNATE" -n "$PODMAN_ROUNDS" -w "$WARMUP" --raw "$RESULTS/podman.tsv" \
		--label "$SUBJECT" -- "${subject_cmd[@]}" \
		--- --label crun -- "${crun_cmd[@]}"
	left=$("${pm[@]}" ps --all --quiet)
	[ -z "$left" ] || die "podman left containers: $left"
	exit 0
fi

# ---- Set-up -----------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (rootful containers, mounts, cgroups)"
ISOLATE_OCI=${ISOLATE_OCI:-$build/isolate-oci}
ALTERNATE=${ALTERNATE:-$build/tests/bench-alternate}
case $ISOLATE_OCI in /*) ;; *) ISOLATE_OCI=$PWD/$ISOLATE_OCI ;; esac
case $ALTERNATE in /*) ;; *) ALTERNATE=$PWD/$ALTERNATE ;; esac
[ -x "$ISOLATE_OCI" ] || die "no $ISOLATE_OCI: build it first (make bench, or ISOLATE_OCI=PATH)"
[ -x "$ALTERNATE" ] || die "no $ALTERNATE: build it first (make bench, or ALTERNATE=PATH)"
# The label of the runtime measured: isolate-oci, or NAME-as-subject when
# ISOLATE_OCI names another runtime (to try this script with runc or crun).
SUBJECT=isolate-oci
[ "$(basename "$ISOLATE_OCI")" = isolate-oci ] || SUBJECT=$(basename "$ISOLATE_OCI")-as-subject
export ISOLATE_OCI ALTERNATE SUBJECT
export ROUNDS=${ROUNDS:-200} PAR_ROUNDS=${PAR_ROUNDS:-100} RSS_ROUNDS=${RSS_ROUNDS:-20}
export PODMAN_ROUNDS=${PODMAN_ROUNDS:-60} WARMUP=${WARMUP:-5}
case $ROUNDS$PAR_ROUNDS$RSS_ROUNDS$PODMAN_ROUNDS$WARMUP in
*[!0-9]*) die "ROUNDS, PAR_ROUNDS, RSS_ROUNDS, PODMAN_ROUNDS and WARMUP must be numbers" ;;
esac
missing=()
for c in crun runc busybox jq unshare ldd; do
	command -v "$c" >/dev/null || missing+=("$c")
done
if [ "$PODMAN_ROUNDS" -gt 0 ]; then
	for c in podman conmon tar; do command -v "$c" >/dev/null || missing+=("$c"); done
fi
[ -x /usr/bin/time ] || missing+=(/usr/bin/time)
[ ${#missing[@]} -eq 0 ] ||
	die "missing: ${missing[*]} (Debian: crun runc busybox-static jq podman conmon time)"
CRUN=$(command -v crun) RUNC=$(command -v runc)
export CRUN RUNC
HYBRID=0
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] &&
   [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	HYBRID=1
fi
export HYBRID

tmp='' W='' RESULTS=${RESULTS:-} CID=oci-bench-$$ CG_PARENT=/isolate-oci-bench-$$
export CID CG_PARENT
# The cgroup directories our runs may leave: crun's and runc's (named after
# the ids, at the top of each hierarchy) and podman's parent.
our_cgroups() {
	local d
	for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		ls -d "$d$CID"* "$d${CG_PARENT#/}" 2>/dev/null || true
	done | sort -u
}
# Removes them, depth first; podman's conmon may take a moment to leave its own.
remove_cgroups() {
	local d
	for d in $(our_cgroups); do
		for _ in $(seq 50); do
			[ -d "$d" ] || break
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.1
		done
	done
}
pm_new=()
cleanup() {
	local status=$? d mnt p pid
	set +e
	if [ -n "$W" ]; then
		# conmon of an interrupted podman run, found by our own paths
		for pid in $(pgrep -f "conmon .*$W/" 2>/dev/null); do kill -KILL "$pid"; done
	fi
	remove_cgroups
	for ((i = ${#pm_new[@]} - 1; i >= 0; i--)); do
		rmdir "${pm_new[i]}" 2>/dev/null # made as a mount point; only if empty
	done
	if [ -n "$W" ] && [ -d "$W" ]; then
		# Every mount was made in private mount namespaces, gone by now;
		# but never delete through a mount that is still there.
		awk -v t="$W/" 'index($5 "/", t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
			while read -r mnt; do umount -l "$mnt"; done
		if awk -v t="$W/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
			echo "bench: $W still has mounts; not deleting it" >&2
		else
			rm -rf "$W"
		fi
	fi
	[ "$RESULTS" = "$tmp" ] || rmdir "$tmp" 2>/dev/null
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/isolate-oci-bench.XXXXXX")
W=$tmp/w
if [ -n "${RESULTS:-}" ]; then
	mkdir -p "$RESULTS" || die "cannot make $RESULTS"
	RESULTS=$(cd "$RESULTS" && pwd)
else
	RESULTS=$tmp
fi
export RESULTS
# podman refuses a run root of more than 50 characters
[ ${#W} -le 38 ] || die "$W: too long a path for podman's run root; set a shorter TMPDIR"
mkdir -p "$W"
chmod 755 "$tmp" "$W"
BUNDLE=$W/bundle EMPTY=$W/empty
export EMPTY
: >"$EMPTY"
mkdir -p "$BUNDLE" "$W/state" "$W/bin"
"$top/tests/helpers/mkrootfs.sh" "$BUNDLE/rootfs"
(cd "$BUNDLE" && runc spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false' "$BUNDLE/config.json" >"$W/config.json"
mv "$W/config.json" "$BUNDLE/config.json"

# The wrapper (see the top): wrapper PATH RUNTIME.
wrapper() {
	cat >"$1" <<EOF
#!/bin/sh
# Made by bench/oci.sh: runs $2 in a private mount namespace in which
# /sys/fs/cgroup/unified/cgroup.controllers reads empty (crun 1.8.1 refuses
# a hybrid cgroup layout otherwise).
exec unshare --mount --propagation private /bin/sh -c 'mount --bind "\$0" /sys/fs/cgroup/unified/cgroup.controllers && exec "\$@"' $EMPTY $2 "\$@"
EOF
	chmod 755 "$1"
}
labels=("$SUBJECT" crun runc)
declare -A rt
rt[$SUBJECT]=$ISOLATE_OCI rt[runc]=$RUNC rt[crun]=$CRUN
if [ "$HYBRID" = 1 ]; then
	wrapper "$W/bin/crun" "$CRUN"
	wrapper "$W/bin/runc-wrap" "$RUNC"
	rt[crun]=$W/bin/crun rt[runc-wrap]=$W/bin/runc-wrap
	labels+=(runc-wrap)
fi
# run_cmd LABEL [SUFFIX]: the array cmd, LABEL's run of the bundle.
run_cmd() {
	mkdir -p "$W/state/$1"
	cmd=("${rt[$1]}" --root "$W/state/$1" run --bundle "$BUNDLE" "$CID-$1${2:-}")
}
# pair_cmd LABEL: the array cmd, two runs of LABEL at once.
pair_cmd() {
	mkdir -p "$W/state/$1"
	# shellcheck disable=SC2016 # sh expands them
	cmd=(/bin/sh -c 'id=$1; shift; "$@" "$id-1" & "$@" "$id-2"; s=$?; wait $! || exit; exit $s'
	     sh "$CID-$1" "${rt[$1]}" --root "$W/state/$1" run --bundle "$BUNDLE")
}

# The runtime's version line, or ?.
version() { { "$@" --version 2>/dev/null || true; } | head -n 1 | grep . || echo "?"; }
{
echo "== machine"
echo "cpus:     $(nproc) ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "kernel:   $(uname -srm)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	echo "cgroups:  v2"
elif [ "$HYBRID" = 1 ]; then
	echo "cgroups:  hybrid (cgroup2 on /sys/fs/cgroup/unified with: $(cat /sys/fs/cgroup/unified/cgroup.controllers))"
	echo "          crun runs through $W/bin/crun: unshare -m, an empty file over" \
	     "/sys/fs/cgroup/unified/cgroup.controllers, exec crun;"
	echo "          runc-wrap is runc through the same wrapper, to measure what it costs"
else
	echo "cgroups:  v1"
fi
echo "== versions"
echo "$SUBJECT: $ISOLATE_OCI, $(version "$ISOLATE_OCI")"
echo "crun:     $CRUN, $(version "$CRUN")"
echo "runc:     $RUNC, $(version "$RUNC")"
[ "$PODMAN_ROUNDS" -gt 0 ] && echo "podman:   $(podman --version), $(conmon --version | head -n 1)"
echo "bundle:   runc spec with args [\"/bin/true\"], terminal false; rootfs $(busybox 2>&1 |
	head -n 1 | cut -d' ' -f1-2) (static)"
} | tee "$RESULTS/tables.txt"

# try WHAT: runs cmd once, its messages shown (and kept with the results if it
# fails), so that a failure says why.
try() {
	if ! "${cmd[@]}" </dev/null 2>"$W/err"; then
		tee -a "$RESULTS/tables.txt" <"$W/err" >&2
		die "this fails$1: ${cmd[*]}"
	fi
	cat "$W/err" >&2
}
for l in "${labels[@]}"; do
	run_cmd "$l"
	try ""
	pair_cmd "$l"
	try " (2 at once)"
done

# alternate ARGS... -- LABEL...: bench-alternate over LABEL's commands made
# by $make_cmd, its table into tables.txt.
alternate() {
	local args=() l first=1
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for l; do
		"$make_cmd" "$l"
		[ "$first" = 1 ] || args+=(---)
		args+=(--label "$l" -- "${cmd[@]}")
		first=0
	done
	"$ALTERNATE" "${args[@]}" | tee -a "$RESULTS/tables.txt"
}

# ---- 1. run ---------------------------------------------------------------
if [ "$ROUNDS" -gt 0 ]; then
	{ echo; echo "== 1a. RUNTIME run --bundle B ID, sequential (ms wall time, MB peak RSS;" \
		"ratios of medians; load $(cut -d' ' -f1 /proc/loadavg))"; } | tee -a "$RESULTS/tables.txt"
	make_cmd=run_cmd
	alternate -n "$ROUNDS" -w "$WARMUP" --raw "$RESULTS/seq.tsv" -- "${labels[@]}"
fi
if [ "$PAR_ROUNDS" -gt 0 ]; then
	{ echo; echo "== 1b. 2 at once: two RUNTIME run --bundle B ID-1|ID-2 together, per pair" \
		"(ms wall time; load $(cut -d' ' -f1 /proc/loadavg))"; } | tee -a "$RESULTS/tables.txt"
	make_cmd=pair_cmd
	alternate -n "$PAR_ROUNDS" -w "$WARMUP" --raw "$RESULTS/pair.tsv" -- "${labels[@]}"
fi

# ---- 2. peak RSS and size ---------------------------------------------------
if [ "$RSS_ROUNDS" -gt 0 ]; then
	rss_labels=("$SUBJECT" crun runc)
	printf 'round\tlabel\tmaxrss_kib\n' >"$RESULTS/rss.tsv"
	for ((r = 0; r < RSS_ROUNDS + WARMUP; r++)); do
		for ((j = 0; j < 3; j++)); do
			# rotate, and reverse every other round
			k=$(((r + j) % 3))
			((r / 3 % 2)) && k=$((2 - k))
			l=${rss_labels[k]}
			mkdir -p "$W/state/$l"
			case $l in
			"$SUBJECT") bin=$ISOLATE_OCI ;;
			crun) bin=$CRUN ;;
			runc) bin=$RUNC ;;
			esac
			timed=(/usr/bin/time -f %M -o "$W/time" "$bin" --root "$W/state/$l" run --bundle "$BUNDLE"
			       "$CID-$l-rss")
			if [ "$l" = crun ] && [ "$HYBRID" = 1 ]; then
				# time inside the wrapper's namespace, around crun alone
				# shellcheck disable=SC2016 # sh expands them
				timed=(unshare --mount --propagation private /bin/sh -c
				       'mount --bind "$0" /sys/fs/cgroup/unified/cgroup.controllers && exec "$@"'
				       "$EMPTY" "${timed[@]}")
			fi
			"${timed[@]}" </dev/null >/dev/null 2>"$W/err" ||
				{ tee -a "$RESULTS/tables.txt" <"$W/err" >&2; die "this fails: ${timed[*]}"; }
			[ "$r" -lt "$WARMUP" ] || printf '%d\t%s\t%s\n' $((r - WARMUP + 1)) "$l" \
				"$(tail -n 1 "$W/time")" >>"$RESULTS/rss.tsv"
		done
	done
fi
# size PATH: "bytes dynamic|static nlibs libbytes libnames"
size_line() {
	local bin=$1 bytes libs total=0 n=0 names="" lib
	bytes=$(stat -L -c %s "$bin")
	if ! ldd "$bin" >/dev/null 2>&1; then
		echo "$bytes static 0 0 -"
		return
	fi
	libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
	for lib in $libs; do
		total=$((total + $(stat -L -c %s "$lib")))
		n=$((n + 1))
		names+="${names:+,}$(basename "$lib")"
	done
	echo "$bytes dynamic $n $total $names"
}
{
echo
echo "== 2. size (bytes of the binary; shared libraries ldd lists, their total bytes)"
for l in "$SUBJECT" crun runc; do
	case $l in "$SUBJECT") b=$ISOLATE_OCI ;; crun) b=$CRUN ;; runc) b=$RUNC ;; esac
	read -r bytes link n libbytes names < <(size_line "$b")
	printf '%-12s %10d  %-8s %2d libs %10d bytes: %s\n' "$l" "$bytes" "$link" "$n" "$libbytes" "$names"
done
} | tee -a "$RESULTS/tables.txt" >"$W/sizes"

# ---- 3. podman ----------------------------------------------------------------
if [ "$PODMAN_ROUNDS" -gt 0 ]; then
	export PM=$W/pm IMAGE=localhost/isolate-oci-bench ROOTFS_TAR=$W/rootfs.tar
	export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
	mkdir -p "$PM/tmp" "$PM/cache" "$PM/networks"
	tar -C "$BUNDLE/rootfs" -cf "$ROOTFS_TAR" .
	# the mount point of the blob-info cache (see the top)
	for p in /var/lib/containers /var/lib/containers/cache; do
		[ -e "$p" ] && continue
		mkdir "$p"
		pm_new+=("$p")
	done
	nproc=$(ulimit -Hu)
	if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
	nofile=$(ulimit -Hn)
	if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
	cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM/events.log"
image_copy_tmp_dir = "$PM/tmp"
tmp_dir = "$PM/tmp"
volume_path = "$PM/volumes"
[network]
network_config_dir = "$PM/networks"
EOF
	cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$PM/root"
runroot = "$PM/runroot"
EOF
	echo
	unshare --mount --propagation private "$BASH" "$0" --podman-inside | tee -a "$RESULTS/tables.txt"
fi

# ---- Leftovers ------------------------------------------------------------------
for l in "${labels[@]}"; do
	[ -z "$(ls -A "$W/state/$l")" ] || die "$l left state in $W/state/$l: $(ls "$W/state/$l")"
done
if pgrep -f "conmon .*$W/" >/dev/null; then
	die "a conmon of ours is still running"
fi
if awk -v t="$W/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
	die "a mount under $W is visible on the host"
fi
remove_cgroups
left=$(our_cgroups)
[ -z "$left" ] || die "cgroups left: $left"

# ---- Summary ------------------------------------------------------------------------
# figures SECTION: "LABEL MEDIAN P90" of the first table of bench-alternate
# under the heading that starts with "== SECTION".
figures() {
	awk -v section="== $1" '
	     /^== / { in_sec = index($0, section) == 1; t = 0; rows = 0 }
	     in_sec && $1 == "command" && $3 == "median" { t++; getline; rows = t == 1; next }
	     rows && (/^\(/ || /^until/ || /^$/) { rows = 0 }
	     rows && NF > 3 { print $1, $3, $5 }' "$RESULTS/tables.txt"
}
{
echo
echo "== summary (medians, p90 in brackets; ratios of medians)"
if [ "$ROUNDS" -gt 0 ]; then
	figures 1a | awk -v s="$SUBJECT" -v hybrid="$HYBRID" -v what="run /bin/true sequential" '
	{ med[$1] = $2; p90[$1] = $3 }
	END {
		printf "%s: %s %.1f ms (%.1f), crun%s %.1f ms (%.1f), runc %.1f ms (%.1f); %s/crun %.2f, %s/runc %.2f\n",
			what, s, med[s], p90[s], hybrid ? "*" : "", med["crun"], p90["crun"], med["runc"], p90["runc"],
			s, med[s] / med["crun"], s, med[s] / med["runc"]
		if (hybrid) {
			w = med["runc-wrap"] - med["runc"]
			printf "  * crun through the wrapper, which costs %.1f ms (runc-wrap %.1f - runc %.1f):" \
			       " crun without it ~%.1f ms, %s/that %.2f\n", w, med["runc-wrap"], med["runc"],
			       med["crun"] - w, s, med[s] / (med["crun"] - w)
		}
	}'
fi
if [ "$PAR_ROUNDS" -gt 0 ]; then
	figures 1b | awk -v s="$SUBJECT" -v hybrid="$HYBRID" -v what="run /bin/true 2 at once, per pair" '
	{ med[$1] = $2; p90[$1] = $3 }
	END {
		printf "%s: %s %.1f ms (%.1f), crun%s %.1f ms (%.1f), runc %.1f ms (%.1f); %s/crun %.2f, %s/runc %.2f\n",
			what, s, med[s], p90[s], hybrid ? "*" : "", med["crun"], p90["crun"], med["runc"], p90["runc"],
			s, med[s] / med["crun"], s, med[s] / med["runc"]
		if (hybrid) {
			w = med["runc-wrap"] - med["runc"]
			printf "  * the wrapper costs %.1f ms a pair (runc-wrap %.1f - runc %.1f): crun without it" \
			       " ~%.1f ms, %s/that %.2f\n", w, med["runc-wrap"], med["runc"], med["crun"] - w, s,
			       med[s] / (med["crun"] - w)
		}
	}'
fi
if [ "$RSS_ROUNDS" -gt 0 ]; then
	sort -t "$(printf '\t')" -k2,2 -k3,3n "$RESULTS/rss.tsv" | awk -F '\t' -v s="$SUBJECT" '
	$1 != "round" { v[$2, ++n[$2]] = $3 }
	END {
		line = "peak RSS (GNU time %M, median [max] of " n[s] " runs each):"
		split(s " crun runc", L, " ")
		for (i = 1; i <= 3; i++) {
			l = L[i]; c = n[l]
			med[l] = c % 2 ? v[l, (c + 1) / 2] : (v[l, c / 2] + v[l, c / 2 + 1]) / 2
			line = line sprintf(" %s %.2f MB [%.2f]%s", l, med[l] / 1024, v[l, c] / 1024, i < 3 ? "," : ";")
		}
		printf "%s %s/crun %.2f, %s/runc %.2f\n", line, s, med[s] / med["crun"], s, med[s] / med["runc"]
		print "  (%M: the largest peak of the runtime process and of each descendant it waited for:" \
		      " runc init, the cloned container process; a maximum, not a sum)"
	}'
fi
awk -v s="$SUBJECT" '
/^== 2/ { on = 1; next }
on && NF >= 6 { b[$1] = $2; link[$1] = $3; n[$1] = $4; lb[$1] = $6 }
END {
	line = "binary size:"
	split(s " crun runc", L, " ")
	for (i = 1; i <= 3; i++) {
		l = L[i]
		line = line sprintf(" %s %.2f MB (%s%s)%s", l, b[l] / 1048576, link[l],
			link[l] == "dynamic" ? sprintf(", %d shared libs, %.2f MB", n[l], lb[l] / 1048576) : "",
			i < 3 ? "," : ";")
	}
	printf "%s %s/crun %.2f, %s/runc %.2f\n", line, s, b[s] / b["crun"], s, b[s] / b["runc"]
}' "$W/sizes"
if [ "$PODMAN_ROUNDS" -gt 0 ]; then
	figures 3 | awk -v s="$SUBJECT" '
	{ med[$1] = $2; p90[$1] = $3 }
	END {
		printf "podman run --rm IMAGE /bin/true: --runtime %s %.1f ms (%.1f), --runtime crun %.1f ms (%.1f);" \
		       " %s/crun %.2f\n", s, med[s], p90[s], med["crun"], p90["crun"], s, med[s] / med["crun"]
		print "  (both runtimes in one private mount namespace where cgroup2 shows no controllers; no wrapper)"
	}'
fi
} | tee "$RESULTS/summary.txt"
echo "no runtime state, containers, conmon, cgroups or mounts left behind"
echo "results: $RESULTS/summary.txt (tables.txt, and every run in seq.tsv, pair.tsv, rss.tsv, podman.tsv)"
