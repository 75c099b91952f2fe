#!/usr/bin/env bash
# Benchmarks `isolate run` against crun, bubblewrap and plain unshare(1).
# Each of them starts /bin/true from the same busybox rootfs in new user,
# mount, pid, network, uts, ipc and cgroup namespaces, and bench-alternate
# (bench/alternate.c) times them interleaved, so that each runs right after
# each other one equally often.  Run as root:
#
#   make bench                       # builds isolate and bench-alternate first
#   ROUNDS=N bench/run.sh            # N rounds (default 300), WARMUP=N (default 10)
#   RAW=FILE bench/run.sh            # also keep every run's figures in FILE (TSV)
#
# What is timed (R: a root-owned rootfs; R2: a copy of it owned by the uids
# 100000.. that crun's user namespace maps to 0..):
#
#   isolate    isolate run --rootfs R /bin/true   (uid map 0:100000:65536, idmapped R)
#   crun       crun run of a bundle on R2, the same namespaces and mounts as
#              isolate, crun's default cgroup manager (a cgroup per run)
#   crun-nocg  the same with --cgroup-manager=disabled: no cgroup, which is the
#              work isolate and bwrap do (they create none, only a cgroup namespace)
#   bwrap      bwrap --unshare-all on R, with /proc, /dev and /dev/mqueue
#   unshare    unshare(1) of the same namespaces, chrooted into R: the floor
#
# A run lasts until the command and every process it left behind have
# exited: bwrap exits as soon as it knows the command's status and leaves the
# sandbox's pid 1 to be reaped by someone else, here bench-alternate, which
# is a child subreaper (see bench/alternate.c).
#
# The machines this was written on have a hybrid cgroup layout (v1
# hierarchies plus a cgroup2 on /sys/fs/cgroup/unified that has the hugetlb
# controller), which crun 1.8.1 refuses ("cgroups in hybrid mode not
# supported").  So the whole comparison runs in a private mount namespace in
# which a tmpfs hides that cgroup2 and every runtime sees plain cgroup v1.
# Nothing is mounted on the host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac

# ---- The part that runs inside the private mount namespace ---------------
# The outer part (below) re-runs this script as
#   unshare --mount --propagation private bash bench/run.sh --inside
# with the paths it set up in the environment.
if [ "${1:-}" = --inside ]; then
	# Hide the cgroup2 hierarchy of the hybrid layout (see the top).
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		mount -t tmpfs -o mode=755,size=64k isolate-bench /sys/fs/cgroup/unified
	fi

	isolate_cmd=("$ISOLATE" run --rootfs "$ROOTFS" /bin/true)
	# `crun run` deletes the container when it exits, so one id serves all
	# runs; --root keeps crun's state in our temporary directory.
	crun_cmd=(crun --root "$CRUN_STATE" run --bundle "$BUNDLE" "$CID")
	crun_nocg_cmd=(crun --cgroup-manager=disabled --root "$CRUN_STATE" run --bundle "$BUNDLE" "$CID-nocg")
	# bwrap maps a single uid, its caller's, so as root its container root
	# is host uid 0 and it is given the root-owned R, in which files look
	# owned by root as in the others.  It cannot mount a sysfs; --dev gives
	# /dev with pts and shm.
	bwrap_cmd=(bwrap --unshare-all --uid 0 --gid 0 --bind "$ROOTFS" / --proc /proc
		   --dev /dev --mqueue /dev/mqueue /bin/true)
	unshare_cmd=(unshare --user --map-root-user --mount --pid --fork --net --uts --ipc
		     --cgroup --root "$ROOTFS" /bin/true)

	# Once each with its messages shown, so that a failure says why.
	for name in isolate_cmd crun_cmd crun_nocg_cmd bwrap_cmd unshare_cmd; do
		declare -n cmd=$name
		if ! "${cmd[@]}"; then
			echo "bench: this fails: ${cmd[*]}" >&2
			exit 1
		fi
		unset -n cmd
	done

	"$ALTERNATE" -n "$ROUNDS" -w "$WARMUP" --baseline unshare ${RAW:+--raw "$RAW"} \
		--label isolate -- "${isolate_cmd[@]}" \
		--- --label crun -- "${crun_cmd[@]}" \
		--- --label crun-nocg -- "${crun_nocg_cmd[@]}" \
		--- --label bwrap -- "${bwrap_cmd[@]}" \
		--- --label unshare -- "${unshare_cmd[@]}"
	exit
fi

# ---- Set-up -----------------------------------------------------------------
die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it mounts and creates user namespaces)"
export ISOLATE=$build/isolate ALTERNATE=$build/tests/bench-alternate
if [ ! -x "$ISOLATE" ] || [ ! -x "$ALTERNATE" ]; then
	die "build first: make bench"
fi
export ROUNDS=${ROUNDS:-300} WARMUP=${WARMUP:-10}
case $ROUNDS$WARMUP in *[!0-9]*) die "ROUNDS and WARMUP must be numbers" ;; esac
if [ -n "${RAW:-}" ]; then
	case $RAW in /*) ;; *) RAW=$PWD/$RAW ;; esac
	export RAW
fi

# The runtimes, from Debian, when missing.
missing=()
command -v crun >/dev/null || missing+=(crun)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v busybox >/dev/null || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } ||
		die "cannot install ${missing[*]}"
fi

tmp=
export CID=isolate-bench-$$
cleanup() {
	local status=$? mnt
	set +e
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		# Every mount was made in a private mount namespace that is gone
		# by now, so there should be nothing to do; but never delete
		# through a mount that is still there.
		awk -v t="$tmp/" 'index($5 "/", t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
			while read -r mnt; do umount -l "$mnt"; done
		if awk -v t="$tmp/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
			echo "bench: $tmp still has mounts; not deleting it" >&2
		else
			rm -rf "$tmp"
		fi
	fi
	# crun removes its cgroups when a run ends; only an interrupted run
	# could leave one (in the v1 hierarchies, which are the host's).
	for mnt in /sys/fs/cgroup/*/"$CID" /sys/fs/cgroup/*/"$CID-nocg"; do
		[ -d "$mnt" ] && rmdir "$mnt"
	done
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/isolate-bench.XXXXXX")
# crun's container root (host uid 100000) must be able to reach R2.
chmod 755 "$tmp"
export ROOTFS=$tmp/rootfs BUNDLE=$tmp/bundle CRUN_STATE=$tmp/crun-state
mkdir -p "$BUNDLE" "$CRUN_STATE"
"$top/tests/helpers/mkrootfs.sh" "$ROOTFS"

# R2: the rootfs with every owner shifted by 100000, the view that isolate
# gets from its idmapped mount.  -h: change symlinks, never what they point at.
r2=$BUNDLE/rootfs
cp -a "$ROOTFS" "$r2"
chown -hR 100000:100000 "$r2"
(cd "$ROOTFS" && find . \( ! -uid 0 -o ! -gid 0 \) -printf '%U %G %p\0') |
	while IFS=' ' read -r -d '' uid gid path; do
		chown -h "$((uid + 100000)):$((gid + 100000))" "$r2/$path"
	done

# The bundle: isolate's namespaces, uid/gid maps and default mounts (see
# iso_spec_add_default_mounts), no seccomp, no masked paths, no rlimits.
# Without a "capabilities" object crun runs the process with none; that is
# a few capset calls, no measurable difference for a /bin/true.
cat > "$BUNDLE/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/true" ],
    "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ],
    "cwd": "/"
  },
  "root": { "path": "$r2", "readonly": false },
  "hostname": "bench",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc",
      "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] }
  ],
  "linux": {
    "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
    "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
    "namespaces": [
      { "type": "user" }, { "type": "mount" }, { "type": "pid" }, { "type": "network" },
      { "type": "uts" }, { "type": "ipc" }, { "type": "cgroup" }
    ]
  }
}
EOF

# ---- The machine and the runtimes -----------------------------------------
echo "== machine"
echo "cpus:    $(nproc) ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "kernel:  $(uname -srm)"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	echo "cgroups: v2"
elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	echo "cgroups: hybrid (cgroup2 on /sys/fs/cgroup/unified with: $(cat /sys/fs/cgroup/unified/cgroup.controllers));" \
	     "hidden by a tmpfs for the benchmark"
else
	echo "cgroups: v1"
fi
echo "== versions"
echo "isolate: $("$ISOLATE" --version 2>&1 | head -n 1)"
echo "crun:    $(crun --version | head -n 1)"
echo "bwrap:   $(bwrap --version)"
echo "unshare: $(unshare --version)"
echo "rootfs:  $(busybox 2>&1 | head -n 1 | cut -d' ' -f1-2) (static), /bin/true"
echo "== runs (ms wall time, MB peak RSS; ratios of medians)"

out=$tmp/table
unshare --mount --propagation private "$BASH" "$0" --inside | tee "$out"

# ---- Leftovers and summary --------------------------------------------------
if [ -n "$(ls -A "$CRUN_STATE")" ] || [ -n "$(crun --root "$CRUN_STATE" list -q)" ]; then
	die "crun left state in $CRUN_STATE"
fi
for d in /sys/fs/cgroup/*/"$CID" /sys/fs/cgroup/*/"$CID-nocg"; do
	[ -e "$d" ] && die "crun left the cgroup $d"
done
if awk -v t="$tmp/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
	die "a mount under $tmp is visible on the host"
fi

# isolate's median over each other's, from the table (label in column 1,
# median in column 3, rows between the units line and the closing note).
echo "== isolate's median relative to the others"
awk '$1 == "command" && $3 == "median" { getline; rows = 1; next }
     rows && /^\(/ { rows = 0 }
     rows && NF > 3 { med[$1] = $3; order[++n] = $1 }
     END { for (i = 1; i <= n; i++) if (order[i] != "isolate")
		printf "isolate / %-10s %5.2f\n", order[i], med["isolate"] / med[order[i]] }' "$out"
echo "no crun state, cgroups or mounts left behind"
