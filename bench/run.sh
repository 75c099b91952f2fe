#!/usr/bin/env bash
# Benchmarks `isolate run` against crun, bubblewrap and plain unshare(1),
# and its bridge networking against its own --network none and podman's.
# Each of them starts /bin/true from the same busybox rootfs in new user,
# mount, pid, network, uts, ipc and cgroup namespaces, and bench-alternate
# (bench/alternate.c) times them interleaved, so that each runs right after
# each other one equally often.  Run as root:
#
#   make bench                       # builds isolate and bench-alternate first
#   ROUNDS=N bench/run.sh            # N rounds (default 300; 0 skips this part,
#                                    # and bwrap), WARMUP=N (default 10)
#   LIMIT_ROUNDS=N bench/run.sh      # N rounds of the resource-limits part
#                                    # (default 1200; 0 skips it)
#   NET_ROUNDS=N bench/run.sh        # N rounds of the networking part (default
#                                    # 120; 0 skips it, and podman)
#   RAW=FILE bench/run.sh            # also keep every run's figures in FILE (TSV),
#                                    # the limits part's in FILE.limits and the
#                                    # networking part's in FILE.net
#
# What is timed (R: a root-owned rootfs; R2: a copy of it owned by the uids
# 100000.. that crun's user namespace maps to 0..):
#
#   isolate    isolate run --network none --rootfs R /bin/true
#              (uid map 0:100000:65536, idmapped R; no network, like the others)
#   crun       crun run of a bundle on R2, the same namespaces and mounts as
#              isolate, crun's default cgroup manager (a cgroup per run)
#   crun-nocg  the same with --cgroup-manager=disabled: no cgroup, which is the
#              work bwrap does (it creates none, only a cgroup namespace; isolate,
#              like crun, makes a cgroup per container in every hierarchy)
#   bwrap      bwrap --unshare-all on R, with /proc, /dev and /dev/mqueue
#   unshare    unshare(1) of the same namespaces, chrooted into R: the floor
#
# The bundle has isolate's default mounts, /sys/fs/cgroup (read-only, the
# container's own cgroups) among them.
#
# Then, the start cost of resource limits, alternated in a run of their own
# (docker's --memory 64m --pids-limit 100 --cpus 1; both runtimes make the
# same cgroups with or without limits, so the difference is writing them):
#
#   isolate-nolimits  isolate run --network none --rootfs R /bin/true
#   isolate-limits    the same with --memory 64m --pids-limit 100 --cpus 1
#   crun              crun run of the bundle, as above
#   crun-limits       the same bundle with what docker sends for those flags
#                     in its linux.resources: memory.limit 67108864,
#                     memory.swap 134217728 (docker's default of twice the
#                     memory where swap is accounted, which this part needs:
#                     cgroup v1 with memory.memsw; isolate writes the same),
#                     pids.limit 100, cpu.quota 100000 and cpu.period 100000
#
# Before it is timed, each limited runtime runs once to show that its
# container's cgroups hold those limits.  The summary gives each one's added
# cost (limits minus no limits, in ms, from the medians), the same in each
# quarter of the rounds, and the ratios isolate-limits / crun-limits and
# isolate's added cost / crun's.  Writing five cgroup files costs a tenth of
# a millisecond or so, well inside the spread of single runs: it takes many
# rounds to see it (hence 1200), and the quarters show how far to trust it.
#
# Then, networking (issue 3), alternated in a run of their own:
#
#   isolate-bridge  isolate run --network bridge --rootfs R /bin/true
#                   (the default network: bridge isolate0, a veth, a lease,
#                   /etc/hosts and resolv.conf, isolate's nftables table)
#   isolate-none    isolate run --network none --rootfs R /bin/true
#   podman          podman run --rm --network bridge IMAGE /bin/true
#                   (Debian's podman with crun and netavark; IMAGE is R,
#                   tarred and imported as localhost/isolate-bench-busybox)
#
# podman keeps everything in the temporary directory (CONTAINERS_CONF and
# CONTAINERS_STORAGE_CONF point at its own configuration there: storage,
# state, network definitions), and its default network there is a bridge
# of its own (isobenchPID on a free /24 of 198.18.0.0/15, the range set
# aside for benchmarks) so that it meets no other podman's.  Without
# CAP_SYS_RESOURCE (some sandboxes drop it even for root), the OCI runtime
# cannot raise RLIMIT_NOFILE and RLIMIT_NPROC to podman's defaults for
# root, so the container gets the current hard limits instead (nproc at most
# 32768, the hard limit podman gives itself).  One idle container stays on
# each bridge network meanwhile, as on a host that runs containers: the
# networks stay up (podman would otherwise create and delete its bridge and
# firewall chains on every run, and isolate would start its 2-second linger
# before removing its nftables table, which bench-alternate would wait for).
# What podman leaves on the host is removed at the end: the iptables rules
# and chains of netavark, the tables they are in if it made them, its lock
# in /dev/shm, /run/containers, /var/lib/containers, its cgroups
# (libpod_parent), /run/netns; only those that were not there before.
#
# A run lasts until the command and every process it left behind have
# exited: bwrap exits as soon as it knows the command's status and leaves the
# sandbox's pid 1 to be reaped by someone else, here bench-alternate, which
# is a child subreaper (see bench/alternate.c).  So do isolate's network
# teardown (it deletes the veth in a detached process, off the caller's
# path) and podman's conmon; a second table gives the times up to the
# command's own exit, which is what its caller waits for.
#
# The machines this was written on have a hybrid cgroup layout (v1
# hierarchies plus a cgroup2 on /sys/fs/cgroup/unified that has the hugetlb
# controller), which crun 1.8.1 refuses ("cgroups in hybrid mode not
# supported").  So the whole comparison runs in a private mount namespace in
# which that cgroup2 is unmounted and a tmpfs takes its place, and every
# runtime sees plain cgroup v1 (isolate reads the mount table, where a
# cgroup2 hidden under the tmpfs would still be listed).  Nothing is mounted
# or unmounted on the host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac

# ---- The part that runs inside the private mount namespace ---------------
# The outer part (below) re-runs this script as
#   unshare --mount --propagation private bash bench/run.sh --inside
# with the paths it set up in the environment.
if [ "${1:-}" = --inside ]; then
	# Hide the cgroup2 hierarchy of the hybrid layout (see the top): gone
	# from this namespace's mount table, a tmpfs in its place.  crun still
	# makes a directory there per container and writes the pid to a plain
	# file cgroup.procs in it, which stays: a page per podman run, each of
	# which is a new container (16 MB: 4096 of them).
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		umount /sys/fs/cgroup/unified
		mount -t tmpfs -o mode=755,size=16m isolate-bench /sys/fs/cgroup/unified
	fi

	# isolate's default as root is --network bridge; the others have no network.
	isolate_cmd=("$ISOLATE" run --network none --rootfs "$ROOTFS" /bin/true)
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
	try() {
		local name
		for name; do
			declare -n cmd=$name
			if ! "${cmd[@]}"; then
				echo "bench: this fails: ${cmd[*]}" >&2
				exit 1
			fi
			unset -n cmd
		done
	}

	if [ "$ROUNDS" -gt 0 ]; then
		try isolate_cmd crun_cmd crun_nocg_cmd bwrap_cmd unshare_cmd
		echo "== runs (ms wall time, MB peak RSS; ratios of medians)"
		"$ALTERNATE" -n "$ROUNDS" -w "$WARMUP" --baseline unshare ${RAW:+--raw "$RAW"} \
			--label isolate -- "${isolate_cmd[@]}" \
			--- --label crun -- "${crun_cmd[@]}" \
			--- --label crun-nocg -- "${crun_nocg_cmd[@]}" \
			--- --label bwrap -- "${bwrap_cmd[@]}" \
			--- --label unshare -- "${unshare_cmd[@]}"
	fi

	# ---- Resource limits ----
	if [ "$LIMIT_ROUNDS" -gt 0 ]; then
		# docker's flags for the limits in the crun-limits bundle (see the top)
		limit_flags=(--memory 64m --pids-limit 100 --cpus 1)
		limits_cmd=("$ISOLATE" run --network none "${limit_flags[@]}" --rootfs "$ROOTFS" /bin/true)
		crun_limits_cmd=(crun --root "$CRUN_STATE" run --bundle "$BUNDLE_LIMITS" "$CID-limits")
		try isolate_cmd limits_cmd crun_cmd crun_limits_cmd
		# The limits as the container's own cgroups have them (its
		# /sys/fs/cgroup, in its cgroup namespace).
		got=$("$ISOLATE" run --network none "${limit_flags[@]}" --rootfs "$ROOTFS" \
			sh -c "$LIMIT_SHOW") || { echo "bench: isolate's limits check failed" >&2; exit 1; }
		[ "$got" = "$LIMIT_WANT" ] ||
			{ echo "bench: isolate-limits sets \"$got\", not \"$LIMIT_WANT\"" >&2; exit 1; }
		got=$(crun --root "$CRUN_STATE" run --bundle "$BUNDLE_CHECK" "$CID-check") ||
			{ echo "bench: crun's limits check failed" >&2; exit 1; }
		[ "$got" = "$LIMIT_WANT" ] ||
			{ echo "bench: crun-limits sets \"$got\", not \"$LIMIT_WANT\"" >&2; exit 1; }

		if [ "$ROUNDS" -gt 0 ]; then echo; fi
		echo "== resource limits runs (ms wall time, MB peak RSS; ratios of medians)"
		echo "limits in the containers' cgroups (memory, memory+swap, pids, cfs quota," \
		     "period): $got"
		"$ALTERNATE" -n "$LIMIT_ROUNDS" -w "$WARMUP" --baseline crun-limits --raw "$LIMIT_RAW" \
			--label isolate-nolimits -- "${isolate_cmd[@]}" \
			--- --label isolate-limits -- "${limits_cmd[@]}" \
			--- --label crun -- "${crun_cmd[@]}" \
			--- --label crun-limits -- "${crun_limits_cmd[@]}"
	fi
	[ "$NET_ROUNDS" -gt 0 ] || exit 0

	# ---- Networking ----
	# podman's configuration is in the environment (CONTAINERS_CONF and
	# CONTAINERS_STORAGE_CONF); its mounts are made in this namespace.
	resident=
	net_stop() {
		local -
		set +e
		if [ -n "$resident" ]; then
			kill -TERM "$resident" 2>/dev/null
			wait "$resident"
			resident=
		fi
		podman rm --force --time 0 --ignore "$CID-idle" >/dev/null
	}
	trap net_stop EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	podman import --quiet "$ROOTFS_TAR" "$PODMAN_IMAGE" >/dev/null
	# A network on a bridge of our own, made the default one (which the
	# [network] section, last in the file, names only once it exists).
	podman network create --disable-dns --subnet "$NET_SUBNET" isolate-bench >/dev/null
	sed -i 's/"network_interface": *"[^"]*"/"network_interface": "'"$NET_BRIDGE"'"/' \
		"$PODMAN_NETWORKS/isolate-bench.json"
	echo 'default_network = "isolate-bench"' >> "$CONTAINERS_CONF"
	[ "$(podman network inspect --format '{{.NetworkInterface}}' isolate-bench)" = "$NET_BRIDGE" ] ||
		{ echo "bench: cannot give podman's network the bridge $NET_BRIDGE" >&2; exit 1; }

	# An idle container on each network (see the top); isolate's says
	# "up" once its network is set up.
	"$ISOLATE" run --init --network bridge --rootfs "$ROOTFS" \
		sh -c 'echo up; exec sleep 1000000' </dev/null >"$BENCH_TMP/idle.out" 2>&1 &
	resident=$!
	for _ in $(seq 100); do
		grep -qx up "$BENCH_TMP/idle.out" && break
		kill -0 "$resident" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -qx up "$BENCH_TMP/idle.out"; then
		echo "bench: the idle isolate container did not start:" >&2
		cat "$BENCH_TMP/idle.out" >&2
		exit 1
	fi
	podman run --detach --network bridge --name "$CID-idle" "$PODMAN_IMAGE" \
		sleep 1000000 >/dev/null

	bridge_cmd=("$ISOLATE" run --network bridge --rootfs "$ROOTFS" /bin/true)
	none_cmd=("$ISOLATE" run --network none --rootfs "$ROOTFS" /bin/true)
	podman_cmd=(podman run --rm --network bridge "$PODMAN_IMAGE" /bin/true)
	try bridge_cmd none_cmd podman_cmd

	if [ "$ROUNDS" -gt 0 ] || [ "$LIMIT_ROUNDS" -gt 0 ]; then echo; fi
	echo "== networking runs (ms wall time, MB peak RSS; ratios of medians)"
	"$ALTERNATE" -n "$NET_ROUNDS" -w "$WARMUP" --baseline isolate-none ${RAW:+--raw "$RAW.net"} \
		--label isolate-bridge -- "${bridge_cmd[@]}" \
		--- --label isolate-none -- "${none_cmd[@]}" \
		--- --label podman -- "${podman_cmd[@]}"

	net_stop
	trap - EXIT
	left=$(podman ps --all --quiet)
	if [ -n "$left" ]; then
		echo "bench: podman left containers: $left" >&2
		exit 1
	fi
	exit
fi

# ---- Set-up -----------------------------------------------------------------
die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it mounts and creates user namespaces)"
export ISOLATE=$build/isolate ALTERNATE=$build/tests/bench-alternate
if [ ! -x "$ISOLATE" ] || [ ! -x "$ALTERNATE" ]; then
	die "build first: make bench"
fi
export ROUNDS=${ROUNDS:-300} WARMUP=${WARMUP:-10} NET_ROUNDS=${NET_ROUNDS:-120}
export LIMIT_ROUNDS=${LIMIT_ROUNDS:-1200}
case $ROUNDS$WARMUP$NET_ROUNDS$LIMIT_ROUNDS in
*[!0-9]*) die "ROUNDS, WARMUP, LIMIT_ROUNDS and NET_ROUNDS must be numbers" ;;
esac
if [ -n "${RAW:-}" ]; then
	case $RAW in /*) ;; *) RAW=$PWD/$RAW ;; esac
	export RAW
fi

# The runtimes, from Debian, when missing.
missing=()
command -v crun >/dev/null || missing+=(crun)
[ "$ROUNDS" -gt 0 ] && ! command -v bwrap >/dev/null && missing+=(bubblewrap)
command -v busybox >/dev/null || missing+=(busybox-static)
if [ "$NET_ROUNDS" -gt 0 ]; then
	command -v podman >/dev/null || missing+=(podman)
	command -v iptables >/dev/null || missing+=(iptables)
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } ||
		die "cannot install ${missing[*]}"
fi

tmp=
export CID=isolate-bench-$$
# podman's default network here is on this bridge, which is ours alone.
export NET_BRIDGE=isobench$$

# ---- The cgroups the runtimes make ----------------------------------------
# crun (cgroupfs, no cgroupsPath) makes ID in each hierarchy, with no parent,
# and removes it when the run ends.  isolate makes isolate/ID and removes
# ID; its parent "isolate" stays, by design (docs/cgroups.md: removing it
# would race with a container being made under it), as its bridge does.
# The hierarchies: the v1 ones, or cgroup v2 (a hybrid's is hidden from the
# runtimes, see the top).
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	cg_hier=(/sys/fs/cgroup)
else
	cg_hier=()
	for d in /sys/fs/cgroup/*/; do
		[ "$(stat -f -c %T "$d")" = cgroupfs ] && cg_hier+=("${d%/}")
	done
fi
crun_cgroups() {
	local d id
	for d in "${cg_hier[@]}"; do
		for id in "$CID" "$CID-nocg" "$CID-limits" "$CID-check"; do
			printf '%s\n' "$d/$id"
		done
	done
}
cg_cleanup() {
	local d
	# crun removes its cgroups when a run ends; only an interrupted run
	# could leave one (in the v1 hierarchies, which are the host's).
	for d in $(crun_cgroups); do
		[ -d "$d" ] && rmdir "$d"
	done
	return 0
}

# ---- What podman leaves on the host ----------------------------------------
# Noted before it runs (net_before), removed at the end when it was not
# there before (net_cleanup); see the top.
pm_new=() pm_fw_new=0 pm_tables_before='' pm_cleaned=0
# Whether a line of stdin matches the regular expression $1.  awk reads to
# the end, where grep -q would stop and its writer could die of SIGPIPE,
# which pipefail would count as a failure.
has() { awk -v re="$1" '$0 ~ re { found = 1 } END { exit !found }'; }
net_before() {
	local p
	for p in /dev/shm/libpod_lock /run/containers /var/lib/containers /run/netns \
		 /sys/fs/cgroup/*/; do
		case $p in */) p=${p}libpod_parent ;; esac
		[ -e "$p" ] || pm_new+=("$p")
	done
	if ! { iptables-save; ip6tables-save; } 2>/dev/null | has NETAVARK; then
		pm_fw_new=1
	fi
	pm_tables_before=$(nft list tables 2>/dev/null) || true
}
# The rules in the built-in chains that jump to netavark's chains, then
# those chains, then the tables iptables made for them if they are empty.
netavark_fw_cleanup() {
	local ipt fam t rule chain
	for ipt in iptables ip6tables; do
		command -v "$ipt" >/dev/null || continue
		fam=ip
		[ "$ipt" = ip6tables ] && fam=ip6
		for t in filter nat mangle; do
			"$ipt" -t "$t" -S >/dev/null 2>&1 || continue
			"$ipt" -t "$t" -S | awk '$1 == "-A" && $2 !~ /^NETAVARK/ && /NETAVARK/ { sub(/^-A /, ""); print }' |
				while read -r rule; do
					eval "\"\$ipt\" -t \"\$t\" -D $rule"
				done
			for chain in $("$ipt" -t "$t" -S | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
				"$ipt" -t "$t" -F "$chain"
			done
			for chain in $("$ipt" -t "$t" -S | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
				"$ipt" -t "$t" -X "$chain"
			done
			if nft list table "$fam" "$t" >/dev/null 2>&1 &&
			   ! grep -qx "table $fam $t" <<<"$pm_tables_before" &&
			   ! "$ipt" -t "$t" -S | has '^-[^P]'; then
				nft delete table "$fam" "$t"
			fi
		done
	done
}
net_cleanup() {
	local - p
	[ "$NET_ROUNDS" -gt 0 ] && [ -n "$tmp" ] && [ "$pm_cleaned" = 0 ] || return 0
	pm_cleaned=1
	set +e
	# netavark deletes the bridge with the network's last container.
	ip link show "$NET_BRIDGE" >/dev/null 2>&1 && ip link delete "$NET_BRIDGE"
	[ "$pm_fw_new" = 1 ] && netavark_fw_cleanup
	for p in "${pm_new[@]}"; do
		case $p in
		/run/netns) rmdir "$p" 2>/dev/null ;; # only if empty: others may use it
		/sys/fs/cgroup/*)
			# its own and conmon's cgroups, empty once they have exited
			# (the idle container's conmon may take a moment)
			for _ in $(seq 50); do
				[ -d "$p" ] || break
				find "$p" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
				rmdir "$p" 2>/dev/null || sleep 0.1
			done ;;
		*) rm -rf "$p" ;;
		esac
	done
	return 0
}

cleanup() {
	local status=$? mnt
	set +e
	net_cleanup
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
	cg_cleanup
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
# bundle_config FILE ARGS [RESOURCES]: ARGS and RESOURCES are JSON.
bundle_config() {
	cat > "$1" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": $2,
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
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] }
  ],
  "linux": {${3:+
    \"resources\": $3,}
    "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
    "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
    "namespaces": [
      { "type": "user" }, { "type": "mount" }, { "type": "pid" }, { "type": "network" },
      { "type": "uts" }, { "type": "ipc" }, { "type": "cgroup" }
    ]
  }
}
EOF
}
bundle_config "$BUNDLE/config.json" '[ "/bin/true" ]'

# The limits part: the same bundle with docker's linux.resources for
# --memory 64m --pids-limit 100 --cpus 1 (see the top), and one that shows
# them from inside, as a check (isolate's check runs the same command).
if [ "$LIMIT_ROUNDS" -gt 0 ]; then
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] ||
		die "the limits part is written for cgroup v1 with swap accounting (LIMIT_ROUNDS=0 skips it)"
	export BUNDLE_LIMITS=$tmp/bundle-limits BUNDLE_CHECK=$tmp/bundle-check
	export LIMIT_RAW=${RAW:+$RAW.limits}
	LIMIT_RAW=${LIMIT_RAW:-$tmp/limits.tsv}
	export LIMIT_WANT="67108864 134217728 100 100000 100000"
	LIMIT_SHOW='cd /sys/fs/cgroup && echo $(cat memory/memory.limit_in_bytes'
	export LIMIT_SHOW+=' memory/memory.memsw.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us)'
	resources='{ "memory": { "limit": 67108864, "swap": 134217728 }, "pids": { "limit": 100 },
    "cpu": { "quota": 100000, "period": 100000 } }'
	mkdir -p "$BUNDLE_LIMITS" "$BUNDLE_CHECK"
	bundle_config "$BUNDLE_LIMITS/config.json" '[ "/bin/true" ]' "$resources"
	bundle_config "$BUNDLE_CHECK/config.json" "[ \"/bin/sh\", \"-c\", \"$LIMIT_SHOW\" ]" "$resources"
fi

# podman's configuration, all of it under $tmp/podman (see the top).
if [ "$NET_ROUNDS" -gt 0 ]; then
	pm=$tmp/podman
	export PODMAN_IMAGE=localhost/isolate-bench-busybox ROOTFS_TAR=$tmp/rootfs.tar \
	       PODMAN_NETWORKS=$pm/networks BENCH_TMP=$tmp \
	       CONTAINERS_CONF=$pm/containers.conf CONTAINERS_STORAGE_CONF=$pm/storage.conf
	mkdir -p "$pm/tmp" "$PODMAN_NETWORKS"
	ip link show "$NET_BRIDGE" >/dev/null 2>&1 && die "a link named $NET_BRIDGE exists"
	# A /24 of 198.18.0.0/15 that the host does not route.
	NET_SUBNET=
	for n in $(seq 0 511); do
		net=198.$((18 + n / 256)).$((n % 256))
		if ip -4 route show match "$net.1" | awk '$1 != "default" { found = 1 } END { exit found }'; then
			NET_SUBNET=$net.0/24
			break
		fi
	done
	[ -n "$NET_SUBNET" ] || die "no free /24 in 198.18.0.0/15 for podman's network"
	export NET_SUBNET
	ulimits=
	if (( (0x$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status) >> 24 & 1) == 0 )); then
		# No CAP_SYS_RESOURCE: the limits the runtime can set (see the top).
		nproc=$(ulimit -Hu)
		if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then
			nproc=32768
		fi
		ulimits="default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=$nproc:$nproc\"]"
	fi
	cat > "$CONTAINERS_CONF" <<EOF
[containers]
$ulimits
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
image_copy_tmp_dir = "$pm/tmp"
runtime = "crun"
tmp_dir = "$pm/tmp"
volume_path = "$pm/volumes"
[network]
network_backend = "netavark"
network_config_dir = "$PODMAN_NETWORKS"
EOF
	cat > "$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$pm/root"
runroot = "$pm/runroot"
EOF
	tar -C "$ROOTFS" -cf "$ROOTFS_TAR" .
	net_before
fi

# ---- The machine and the runtimes -----------------------------------------
echo "== machine"
echo "cpus:    $(nproc) ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "kernel:  $(uname -srm)"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	echo "cgroups: v2"
elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	echo "cgroups: hybrid (cgroup2 on /sys/fs/cgroup/unified with: $(cat /sys/fs/cgroup/unified/cgroup.controllers));" \
	     "unmounted for the benchmark, a tmpfs in its place"
else
	echo "cgroups: v1"
fi
echo "== versions"
echo "isolate: $("$ISOLATE" --version 2>&1 | head -n 1)"
echo "crun:    $(crun --version | head -n 1)"
[ "$ROUNDS" -gt 0 ] && echo "bwrap:   $(bwrap --version)"
echo "unshare: $(unshare --version)"
if [ "$NET_ROUNDS" -gt 0 ]; then
	echo "podman:  $(podman --version), $(/usr/lib/podman/netavark --version 2>/dev/null ||
		echo 'netavark ?'), $(conmon --version | head -n 1); storage overlay;" \
	     "network $NET_SUBNET on bridge $NET_BRIDGE"
fi
echo "rootfs:  $(busybox 2>&1 | head -n 1 | cut -d' ' -f1-2) (static), /bin/true"

out=$tmp/table
unshare --mount --propagation private "$BASH" "$0" --inside | tee "$out"

# ---- Leftovers and summary --------------------------------------------------
if [ -n "$(ls -A "$CRUN_STATE")" ] || [ -n "$(crun --root "$CRUN_STATE" list -q)" ]; then
	die "crun left state in $CRUN_STATE"
fi
for d in $(crun_cgroups); do
	[ -e "$d" ] && die "crun left the cgroup $d"
done
if awk -v t="$tmp/" 'index($5 "/", t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
	die "a mount under $tmp is visible on the host"
fi

# The medians in the tables of bench-alternate: "LABEL MEDIAN" per line,
# from the label in column 1 and the median in column 3 of the rows between
# the units line and the next note.  SECTION is runs (the first part),
# limits or networking; TABLE 1 is the wall times, 2 those up to the
# command's exit.
medians() {
	awk -v section="$1" -v table="$2" '
	     /^== runs/ { sec = "runs"; t = 0 }
	     /^== resource limits/ { sec = "limits"; t = 0 }
	     /^== networking/ { sec = "networking"; t = 0 }
	     $1 == "command" && $3 == "median" { t++; getline; rows = 1; next }
	     rows && /^\(|^until/ { rows = 0 }
	     rows && NF > 3 && sec == section && t == table { print $1, $3 }' "$out"
}

if [ "$ROUNDS" -gt 0 ]; then
	# isolate's median over each other's.
	echo "== isolate's median relative to the others"
	medians runs 1 | awk '{ med[$1] = $2; order[++n] = $1 }
	     END { for (i = 1; i <= n; i++) if (order[i] != "isolate")
			printf "isolate / %-10s %5.2f\n", order[i], med["isolate"] / med[order[i]] }'
fi

if [ "$LIMIT_ROUNDS" -gt 0 ]; then
	# What the limits add, from the medians of the table; then the same
	# from each quarter of the rounds, from the figures of every run.
	echo "== resource limits: what --memory 64m --pids-limit 100 --cpus 1 adds (medians, ms)"
	medians limits 1 | awk '{ med[$1] = $2 }
	     function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : sprintf("n/a (divisor %.3f ms)", b) }
	     function row(name, base, lim) {
		printf "%-8s %10.3f %10.3f %+10.3f\n", name, med[base], med[lim], med[lim] - med[base] }
	     END {
		printf "%-8s %10s %10s %10s\n", "", "no limits", "limits", "added"
		row("isolate", "isolate-nolimits", "isolate-limits")
		row("crun", "crun", "crun-limits")
		printf "isolate-limits / crun-limits:          %s\n",
			ratio(med["isolate-limits"], med["crun-limits"])
		printf "isolate added cost / crun added cost:  %s\n",
			ratio(med["isolate-limits"] - med["isolate-nolimits"], med["crun-limits"] - med["crun"]) }'
	awk -F '\t' 'NR == FNR { if (FNR > 1 && $1 + 0 > n) n = $1 + 0; next }
	     FNR > 1 { print int(($1 - 1) * 4 / n) + 1, $3, $5 }' "$LIMIT_RAW" "$LIMIT_RAW" |
		sort -k1,1n -k2,2 -k3,3g |
		awk '{ k = $1 SUBSEP $2; v[k, ++c[k]] = $3 }
		     END {
			for (k in c) {
				n = c[k]
				med[k] = n % 2 ? v[k, (n + 1) / 2] : (v[k, n / 2] + v[k, n / 2 + 1]) / 2
			}
			for (r = 1; r <= 2; r++) {
				rt = r == 1 ? "isolate" : "crun"
				lim = rt "-limits"; base = r == 1 ? "isolate-nolimits" : "crun"
				line = sprintf("added, by quarter of the rounds: %-8s", rt)
				for (q = 1; q <= 4; q++)
					line = line sprintf(" %+7.3f", med[q SUBSEP lim] - med[q SUBSEP base])
				print line
			} }'
fi
echo "no crun state, cgroups or mounts left behind"
[ "$NET_ROUNDS" -gt 0 ] || exit 0

# The networking ratios, over whole runs and up to the command's own exit.
echo "== networking: ratios of medians      whole run  to the command's exit"
{ medians networking 1 | sed 's/^/run /'; medians networking 2 | sed 's/^/exit /'; } |
	awk '{ med[$1, $2] = $3 }
	     function ratio(which, a, b) {
		return med[which, b] > 0 ? sprintf("%9.2f", med[which, a] / med[which, b]) : "        -" }
	     function row(a, b) {
		printf "%-16s / %-16s %s  %s\n", a, b, ratio("run", a, b), ratio("exit", a, b) }
	     END { row("isolate-bridge", "isolate-none"); row("podman", "isolate-bridge") }'
# podman's containers were checked for inside; what it left on the host is
# removed now, and must be gone.
net_cleanup
ip link show "$NET_BRIDGE" >/dev/null 2>&1 && die "the bridge $NET_BRIDGE is left"
if [ "$pm_fw_new" = 1 ] && { iptables-save; ip6tables-save; } 2>/dev/null | has NETAVARK; then
	die "netavark's iptables rules are left"
fi
for p in "${pm_new[@]}"; do
	# /run/netns stays if someone else has a namespace there
	[ "$p" != /run/netns ] && [ -e "$p" ] && die "podman left $p"
done
echo "no podman containers, bridge, iptables rules, cgroups or files left behind"
