# Fixtures for the tests that drive an OCI runtime (runc's command line)
# through real clients: podman (with conmon) and containerd (with ctr and
# containerd-shim-runc-v2).  A bats file loads it after helpers:
#
#   load helpers
#   load oci
#   setup_file()    { podman_setup; }       # or containerd_setup
#   teardown_file() { podman_teardown; }    # or containerd_teardown
#   teardown()      { podman_clean; }       # or containerd_clean
#
# The runtime under test is $OCI_RUNTIME: by default $ISOLATE_OCI (which
# tests/run-all.sh sets to BUILD/isolate-oci), else build/isolate-oci.
# Every test passes with OCI_RUNTIME=/usr/sbin/runc (runc 1.1.5), and must
# pass with isolate-oci:
#
#   OCI_RUNTIME=/usr/sbin/runc bats tests/integration/oci-podman.bats
#
# When the runtime, the client or jq is missing, the file's tests are
# skipped (setup_file sets OCI_SKIP, each test's setup skips).  No test
# sends traffic anywhere: podman's containers get no network (netns
# none), ctr's get a network namespace with only lo, and no image is ever
# pulled (local images only, pull_policy "never").
#
# Each client gets a world of its own, one per bats file, in a temporary
# directory ($TMPDIR/isolate-pm.XXXXXX, $TMPDIR/isolate-ctrd.XXXXXX) that
# holds its configuration, store, run root and temporary files, and in a
# private mount namespace of its own (unshare --mount --propagation
# private) in which:
#
#   - /run is a fresh tmpfs.  The runtime's default state root is there
#     (podman, rootful, passes no --root to the runtime: runc keeps its
#     state in /run/runc; the --runtime-flag option is not passed on to
#     the "podman container cleanup" that conmon runs when a container
#     exits, nor to podman's own `state`, so a --root given that way is
#     lost), as are containerd's shim
#     sockets (/run/containerd/s/, a path compiled into containerd 1.6 that
#     no setting moves) and ctr's FIFOs (/run/containerd/fifo).
#   - /var/lib/containers (or /var/lib, where that does not exist) is a
#     fresh tmpfs: rootful podman keeps a blob-info cache in
#     /var/lib/containers/cache whatever its --root, and `podman import`
#     writes it.
#
# Every mount the clients make (podman's overlay and shm mounts, the
# shim's rootfs mounts) is made there, never in the host's mount table,
# and all of it goes with the namespace when the last of its processes
# (its keeper, conmon, containerd, the shims) exits.  Clients run in it
# through nsenter: the functions P (podman) and C (ctr).  The keeper
# (tests/helpers/oci-keeper.sh) holds the namespace, and starts under
# `setpriv --pdeathsig TERM`: when the bats process that started it dies
# without its teardown_file (bats killed), the keeper kills the world's
# processes and removes its cgroup and directory itself.  That is why
# podman_setup and containerd_setup must be called directly from
# setup_file, not through `run` or `$(...)`.
#
# Facts about this machine's podman 4.3, conmon 2.1, containerd 1.6 and
# runc 1.1 that the fixtures depend on (found while writing them):
#
#   - The cgroup layout is hybrid: v1 controllers under /sys/fs/cgroup/*,
#     plus a cgroup2 at /sys/fs/cgroup/unified with only hugetlb, and no
#     systemd.  runc handles that (a container gets a cgroup in every v1
#     hierarchy and in the cgroup2 one); crun 1.8.1 refuses it ("cgroups in
#     hybrid mode not supported").  No systemd: podman must use
#     cgroup_manager = "cgroupfs" and ctr the default cgroupfs driver (no
#     --runc-systemd-cgroup).  The runtime must therefore cope with hybrid.
#   - With cgroupfs, rootful podman puts containers under /libpod_parent
#     and conmon under /libpod_parent/conmon, shared with every other
#     podman on the machine.  P passes --cgroup-parent /isolate-pm.XXXXXX
#     to run and create instead (containers.conf has no such default), which
#     moves both; ctr puts a container in /NAMESPACE/ID, and the world's
#     namespace is isolate-ctrd.XXXXXX.  The teardowns remove those cgroups.
#   - podman asks the runtime for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576
#     by default for root; without CAP_SYS_RESOURCE (these sandboxes drop
#     it even for root) and with hard limits below that (20000 open files
#     here), every runtime's setrlimit fails ("error setting rlimit type
#     7: operation not permitted").  containers.conf sets default_ulimits
#     to the current hard limits, and nproc to at most 32768: conmon, and
#     so the runtime, runs with a hard RLIMIT_NPROC of 32768 whatever the
#     caller's (96363 here).  A test must not use --ulimit: it replaces
#     default_ulimits, and podman then asks for nofile=1048576 again.
#   - podman's default lock type, "shm", is one segment, /dev/shm/libpod_lock
#     (made if missing), shared by every rootful podman on the machine: a
#     world's containers would take their locks there, and a world removed
#     with containers left in it would leave them taken until a reboot.
#     lock_type = "file" keeps the locks in the world's tmp_dir instead.
#   - podman refuses a run root longer than 50 characters, hence the short
#     directory names (and $TMPDIR, not bats' deeper temporary directories).
#   - conmon gets CONTAINERS_CONF in its environment and passes it to its
#     exit command (podman container cleanup), which gets --root,
#     --runroot, --tmpdir, --runtime, --cgroup-manager and --events-backend
#     on its command line too; so the cleanup sees the same world.
#   - podman passes the runtime --log-format=json only for the runtimes
#     named (the base name of --runtime's path) in runtime_supports_json;
#     isolate-oci is added there, so that podman treats it as it treats runc.
#   - podman maps an error of the runtime's create whose message contains
#     "no such file or directory" or "executable file not found" to exit
#     status 127, and "permission denied" to 126.
#   - A process that is PID 1 in its PID namespace ignores the signals it
#     has no handler for, SIGTERM included: `podman stop` of a bare
#     `sleep` waits for its timeout and then sends SIGKILL.
#   - containerd 1.6's default configuration would create /opt/containerd
#     (the "opt" plugin), run the CRI plugin (a streaming server on a TCP
#     port of 127.0.0.1) and probe the aufs, btrfs, zfs and devmapper
#     snapshotters.  containerd_setup generates the default configuration
#     and then moves root, state, the gRPC and ttrpc sockets and the opt
#     plugin's path into the world, and disables those plugins.  Disabling
#     io.containerd.runtime.v1.linux as well is not possible: the tasks
#     service of 1.6 will not load without it.
#   - containerd-shim-runc-v2 daemonises and outlives containerd; it exits
#     when its task is deleted (ctr task rm, ctr run --rm).

OCI_RUNTIME=${OCI_RUNTIME:-${ISOLATE_OCI:-$BATS_TEST_DIRNAME/../../build/isolate-oci}}
OCI_CONFIG_TEMPLATE=$BATS_TEST_DIRNAME/../helpers/oci-config.json
MKROOTFS=${MKROOTFS:-$BATS_TEST_DIRNAME/../helpers/mkrootfs.sh}
OCI_KEEPER=$BATS_TEST_DIRNAME/../helpers/oci-keeper.sh
# The local image both clients get, built from busybox-static.
OCI_IMAGE=localhost/isolate-test/busybox:latest
# How long one client command may take before it is killed (seconds).
OCI_CLIENT_TIMEOUT=${OCI_CLIENT_TIMEOUT:-120}

# ---- Common ------------------------------------------------------------------

# Says what is missing, if anything: the runtime under test, jq, the tools
# of the fixtures or the given programs.
oci_missing() {
	local prog
	for prog in jq nsenter unshare setpriv setsid "$@"; do
		if ! command -v "$prog" >/dev/null; then
			echo "$prog is not installed (scripts/deps.sh test)"
			return
		fi
	done
	if [ ! -x "$OCI_RUNTIME" ]; then
		echo "no OCI runtime at $OCI_RUNTIME (set OCI_RUNTIME, e.g. to /usr/sbin/runc)"
	fi
}

# Sets OCI_SKIP (exported) to what is missing, or, when nothing is, makes
# OCI_RUNTIME an absolute path (podman takes a --runtime that starts with /
# as a path, any other word as the name of a runtime of containers.conf).
oci_check() {
	OCI_SKIP=$(oci_missing "$@")
	export OCI_SKIP
	[ -z "$OCI_SKIP" ] || return 0
	OCI_RUNTIME=$(realpath -- "$OCI_RUNTIME")
	export OCI_RUNTIME
}

# podman_setup and containerd_setup set OCI_SKIP to what is missing, if
# anything (bats 1.8 cannot skip from setup_file), and then set nothing up;
# a test's setup calls this.
oci_skip_if_missing() {
	[ -z "${OCI_SKIP:-}" ] || skip "$OCI_SKIP"
}

# oci_bundle DIR [ARGS...]: an OCI bundle in DIR (made if missing): a rootfs
# of busybox-static (tests/helpers/mkrootfs.sh: busybox and its applets in
# /bin, /etc/passwd and /etc/group with root, alice 1000, bob 1001) and a
# config.json from tests/helpers/oci-config.json with process.args set to
# ARGS (the template's ["sh"] without ARGS).  The template is `runc spec`'s
# default (runc 1.1.5) with terminal false, hostname isolate-oci-test and
# ociVersion 1.2.0: rootful, no user namespace, new pid, network, ipc,
# uts and mount namespaces, a read-only rootfs, runc's masked and read-only
# paths, the capabilities AUDIT_WRITE, KILL and NET_BIND_SERVICE (ambient
# too, but not inheritable, so not ambient in effect: runc drops them
# silently, isolate-oci with a warning on stderr), and RLIMIT_NOFILE 1024.
# Change it with jq for a test's needs:
#   jq '.root.readonly = false' "$dir/config.json" > ... && mv ...
oci_bundle() {
	local dir=${1:?usage: oci_bundle DIR [ARGS...]}
	shift
	mkdir -p "$dir" || return
	"$MKROOTFS" "$dir/rootfs" || return
	if [ $# -gt 0 ]; then
		# each ARG through --arg: jq 1.6 would take an ARG such as -c
		# after --args for an option of its own
		local arg args
		args=$(for arg in "$@"; do jq -n --arg a "$arg" '$a'; done | jq -s .) &&
			jq --argjson args "$args" '.process.args = $args' "$OCI_CONFIG_TEMPLATE" >"$dir/config.json"
	else
		cp "$OCI_CONFIG_TEMPLATE" "$dir/config.json"
	fi
}

# oci_image_archive ROOTFS OUT.tar NAME: an OCI image archive (an image
# layout as a tar: oci-layout, index.json, blobs/) of one uncompressed layer
# holding ROOTFS, named NAME (the annotation io.containerd.image.name, which
# `ctr images import` takes), for this machine's architecture, with
# Cmd ["sh"] and the usual PATH.  Written with tar, sha256sum and jq, with
# fixed times, so that the digests depend only on the files.
oci_image_archive() {
	local rootfs=$1 out=$2 name=$3 d arch layer layer_size cfg cfg_size man man_size
	d=$(mktemp -d "$(dirname "$out")/oci-layout.XXXXXX") || return
	mkdir -p "$d/blobs/sha256"
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) arch=$(uname -m) ;;
	esac
	tar -C "$rootfs" --sort=name --numeric-owner --mtime=@0 -cf "$d/layer" . || return
	layer=$(sha256sum "$d/layer" | cut -d' ' -f1) layer_size=$(stat -c %s "$d/layer")
	mv "$d/layer" "$d/blobs/sha256/$layer"
	jq -cn --arg arch "$arch" --arg diff "sha256:$layer" '{
		architecture: $arch, os: "linux",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
		rootfs: {type: "layers", diff_ids: [$diff]}}' >"$d/config"
	cfg=$(sha256sum "$d/config" | cut -d' ' -f1) cfg_size=$(stat -c %s "$d/config")
	mv "$d/config" "$d/blobs/sha256/$cfg"
	jq -cn --arg cfg "sha256:$cfg" --argjson cfg_size "$cfg_size" \
		--arg layer "sha256:$layer" --argjson layer_size "$layer_size" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cfg, size: $cfg_size},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $layer, size: $layer_size}]}' >"$d/manifest"
	man=$(sha256sum "$d/manifest" | cut -d' ' -f1) man_size=$(stat -c %s "$d/manifest")
	mv "$d/manifest" "$d/blobs/sha256/$man"
	jq -cn --arg man "sha256:$man" --argjson man_size "$man_size" --arg name "$name" --arg arch "$arch" '{
		schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $man, size: $man_size,
			platform: {architecture: $arch, os: "linux"},
			annotations: {"io.containerd.image.name": $name,
				"org.opencontainers.image.ref.name": ($name | sub(".*:"; ""))}}]}' >"$d/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" --sort=name --numeric-owner --mtime=@0 -cf "$out" oci-layout index.json blobs || return
	rm -rf "$d"
}

# The pids of the processes whose command line contains STRING (a fixed
# string, not a pattern).
oci_pids_with() {
	pgrep -f -- "$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')"
}

# Whether process PID is alive: there and not a zombie (containerd is the
# keeper's child, a zombie until the keeper reaps it).
oci_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ -n "$state" ] && [ "$state" != Z ]
}

# Waits (up to 5 s) until process PID is gone (or a zombie).
oci_wait_gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		oci_alive "$1" || break
		sleep 0.1
	done
}

# Sends SIGKILL to the processes whose command line contains STRING, after
# waiting up to SECS (default 5) for them to exit by themselves.  Prints
# what it had to kill.
oci_reap() {
	local string=$1 secs=${2:-5} pids pid i
	for ((i = 0; ; i++)); do
		pids=$(oci_pids_with "$string") || return 0
		[ "$i" -lt $((secs * 10)) ] || break
		sleep 0.1
	done
	for pid in $pids; do
		echo "killed: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)"
		kill -KILL "$pid" 2>/dev/null
	done
	for ((i = 0; i < 50; i++)); do
		oci_pids_with "$string" >/dev/null || return 0
		sleep 0.1
	done
}

# The directories of cgroup NAME (a path relative to the root) in every
# hierarchy mounted under /sys/fs/cgroup (v1, hybrid or v2).
oci_cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/"$1" /sys/fs/cgroup/*/"$1"; do
		[ -d "$d" ] && echo "$d"
	done
}

# Removes cgroup NAME and everything below it in every hierarchy, after
# killing any process left in it (prints what it killed), thawed first (a
# frozen process does not die).  The name is the world's own
# (isolate-pm.XXXXXX, isolate-ctrd.XXXXXX): nothing else is in it.
oci_cgroup_remove() {
	local name=$1 dir pid i
	[ -n "$name" ] || return 0
	for dir in $(oci_cgroup_dirs "$name"); do
		find "$dir" \( -name freezer.state -o -name cgroup.freeze \) -exec sh -c '
			for f; do
				case $f in */freezer.state) echo THAWED ;; *) echo 0 ;; esac >"$f"
			done' _ {} + 2>/dev/null
		for pid in $(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u); do
			echo "killed (in cgroup $dir): $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)"
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for ((i = 0; i < 50; i++)); do
		for dir in $(oci_cgroup_dirs "$name"); do
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		[ -z "$(oci_cgroup_dirs "$name")" ] && return 0
		sleep 0.1
	done
	echo "cgroup left: $(oci_cgroup_dirs "$name" | tr '\n' ' ')"
}

# Whether the cgroup of process PID is frozen: a v1 freezer.state of
# FROZEN, or "frozen 1" in a cgroup2's cgroup.events (on a hybrid layout a
# runtime may use either).
cgroup_frozen() {
	local line path f
	while IFS= read -r line; do
		path=${line#*:*:}
		case $line in
		*:freezer:*)
			[ "$(cat "/sys/fs/cgroup/freezer$path/freezer.state" 2>/dev/null)" = FROZEN ] && return 0 ;;
		0::*)
			for f in "/sys/fs/cgroup$path/cgroup.events" "/sys/fs/cgroup/unified$path/cgroup.events"; do
				grep -qx 'frozen 1' "$f" 2>/dev/null && return 0
			done ;;
		esac
	done <"/proc/$1/cgroup"
	return 1
}

# A world's directory: TMPDIR, not bats' temporary directories, whose
# paths are too long for podman's run root (at most 50 characters) and for
# unix socket names.
oci_world_dir() {
	local base=${TMPDIR:-/tmp}
	[ ${#base} -le 30 ] || base=/tmp
	mktemp -d "$base/$1.XXXXXX"
}

# oci_namespace DIR CGROUP [COMMAND...]: starts the keeper of a world
# (tests/helpers/oci-keeper.sh) in the background, in a new private mount
# namespace; sets OCI_NS_PID to the keeper's pid (nsenter -t it) and
# OCI_MAIN_PID to COMMAND's, if given.  Their output goes to DIR/ns.log.
oci_namespace() {
	local dir=$1 cgroup=$2 cache=/var/lib/containers i
	shift 2
	[ -d "$cache" ] || cache=/var/lib
	# setsid forks only if it is a process group leader, which a
	# background job of bats' (no job control) is not: the keeper keeps
	# setpriv's parent-death signal.
	setpriv --pdeathsig TERM setsid unshare --mount --propagation private \
		"$OCI_KEEPER" "$dir" "$cgroup" "$cache" "$@" \
		>"$dir/ns.log" 2>&1 3>&- </dev/null &
	local started=$!
	# no "Killed" job notice when the teardown kills it
	disown "$started"
	OCI_NS_PID='' OCI_MAIN_PID=''
	for ((i = 0; i < 100; i++)); do
		if [ -e "$dir/ns.ready" ]; then
			OCI_NS_PID=$(cat "$dir/keeper.pid")
			[ $# -eq 0 ] || OCI_MAIN_PID=$(cat "$dir/main.pid")
			return 0
		fi
		kill -0 "$started" 2>/dev/null || break
		sleep 0.05
	done
	echo "the mount namespace did not start:" >&2
	cat "$dir/ns.log" >&2
	return 1
}

# The mount points under DIR in the mount namespace of PID (or the host's).
oci_mounts_under() {
	local dir=$1 pid=${2:-self}
	awk -v d="$dir/" 'index($5 "/", d) == 1 { print $5 }' "/proc/$pid/mountinfo" 2>/dev/null
}

# Removes a world's directory, unless something is still mounted under it
# on the host (then says so and leaves it).
oci_remove_dir() {
	local dir=$1
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	if [ -n "$(oci_mounts_under "$dir")" ]; then
		echo "mounted on the host, not removed: $(oci_mounts_under "$dir" | tr '\n' ' ')"
		return 0
	fi
	rm -rf "$dir"
}

# ---- podman ------------------------------------------------------------------

# podman_setup: a private podman world (see the top) for the runtime under
# test, with the image $OCI_IMAGE imported from a busybox rootfs tarball.
# Exports PODMAN_DIR (the world), PODMAN_NS_PID (the keeper of its mount
# namespace), PODMAN_CGROUP (the cgroup parent of its containers).
podman_setup() {
	local nofile nproc
	oci_check podman conmon
	[ -z "$OCI_SKIP" ] || return 0
	PODMAN_DIR=$(oci_world_dir isolate-pm) || return
	PODMAN_CGROUP=/$(basename "$PODMAN_DIR")
	export PODMAN_DIR PODMAN_CGROUP
	mkdir -p "$PODMAN_DIR/tmp" "$PODMAN_DIR/networks"
	# See the top: the runtime cannot raise limits past the hard ones.
	nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
	[ "$nofile" = unlimited ] && nofile=1048576
	if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
	cat >"$PODMAN_DIR/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
		netns = "none"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		lock_type = "file"
		pull_policy = "never"
		runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "isolate-oci"]
		tmp_dir = "$PODMAN_DIR/tmp"
		image_copy_tmp_dir = "$PODMAN_DIR/tmp"
		volume_path = "$PODMAN_DIR/volumes"
		[network]
		network_config_dir = "$PODMAN_DIR/networks"
	EOF
	cat >"$PODMAN_DIR/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$PODMAN_DIR/root"
		runroot = "$PODMAN_DIR/run"
	EOF
	printf 'unqualified-search-registries = []\n' >"$PODMAN_DIR/registries.conf"
	oci_namespace "$PODMAN_DIR" "${PODMAN_CGROUP#/}" || return
	PODMAN_NS_PID=$OCI_NS_PID
	export PODMAN_NS_PID
	"$MKROOTFS" "$PODMAN_DIR/rootfs" &&
		tar -C "$PODMAN_DIR/rootfs" --numeric-owner -cf "$PODMAN_DIR/rootfs.tar" . || return
	P import -q "$PODMAN_DIR/rootfs.tar" "$OCI_IMAGE" >/dev/null || return
	rm -rf "$PODMAN_DIR/rootfs" "$PODMAN_DIR/rootfs.tar"
}

# P ARGS...: podman in the world, with the runtime under test.  To run and
# create it adds --cgroup-parent (see the top).
P() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	run | create) set -- "$cmd" --cgroup-parent "$PODMAN_CGROUP" "$@" ;;
	*) set -- ${cmd:+"$cmd"} "$@" ;;
	esac
	timeout -k 5 "$OCI_CLIENT_TIMEOUT" nsenter -t "$PODMAN_NS_PID" -m -- \
		env CONTAINERS_CONF="$PODMAN_DIR/containers.conf" \
		CONTAINERS_STORAGE_CONF="$PODMAN_DIR/storage.conf" \
		CONTAINERS_REGISTRIES_CONF="$PODMAN_DIR/registries.conf" \
		podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp" \
		--cgroup-manager cgroupfs --events-backend file --runtime "$OCI_RUNTIME" "$@"
}

# Runs COMMAND... in the world's mount namespace (to look at its mounts,
# or to ask the runtime about its state with its default root).
podman_ns() {
	nsenter -t "$PODMAN_NS_PID" -m -- "$@"
}

# The conmon processes of the world (their command lines name it).
podman_conmons() {
	oci_pids_with "-b $PODMAN_DIR/root/overlay-containers/"
}

# The mounts of containers in the world (each has an overlay under
# root/overlay/ID/merged and an shm under root/overlay-containers/): the
# storage driver's own bind mount of root/overlay is not one.
podman_container_mounts() {
	oci_mounts_under "$PODMAN_DIR/root" "$PODMAN_NS_PID" | grep -vx "$PODMAN_DIR/root/overlay"
}

# podman_clean: what a test's teardown calls: removes every container of
# the world (and so their conmon, mounts and cgroups).
podman_clean() {
	[ -n "${PODMAN_DIR:-}" ] && [ -n "${PODMAN_NS_PID:-}" ] || return 0
	P rm --all --force --time 0 >/dev/null 2>&1
	oci_reap "-b $PODMAN_DIR/root/overlay-containers/" 5 >&2
	return 0
}

# podman_teardown: removes every container, conmon, mount, cgroup and file
# of the world.  Fails, after removing all of it anyway, if podman's own
# removal of the containers left any of it.
podman_teardown() {
	local left="" out
	if [ -n "${PODMAN_DIR:-}" ] && [ -n "${PODMAN_NS_PID:-}" ] && kill -0 "$PODMAN_NS_PID" 2>/dev/null; then
		P rm --all --force --time 0 >/dev/null 2>&1 || left+="podman rm --all failed"$'\n'
		out=$(P ps --all --quiet 2>&1) && [ -z "$out" ] || left+="containers: $out"$'\n'
		out=$(oci_reap "-b $PODMAN_DIR/root/overlay-containers/" 10)
		[ -z "$out" ] || left+="$out"$'\n'
		out=$(podman_container_mounts)
		[ -z "$out" ] || left+="mounts: $out"$'\n'
		# what podman mounted itself (the storage driver's home)
		oci_mounts_under "$PODMAN_DIR" "$PODMAN_NS_PID" | sort -r |
			while read -r m; do podman_ns umount -l "$m"; done
	fi
	if [ -n "${PODMAN_NS_PID:-}" ]; then
		kill -KILL "$PODMAN_NS_PID" 2>/dev/null
		oci_wait_gone "$PODMAN_NS_PID"
	fi
	if [ -n "${PODMAN_DIR:-}" ]; then
		# anything of the world that outlived it (a container whose
		# runtime did not kill it, a conmon that did not exit)
		out=$(oci_reap "$PODMAN_DIR" 0)
		[ -z "$out" ] || left+="$out"$'\n'
	fi
	if [ -n "${PODMAN_CGROUP:-}" ]; then
		out=$(oci_cgroup_remove "${PODMAN_CGROUP#/}")
		[ -z "$out" ] || left+="$out"$'\n'
	fi
	out=$(oci_remove_dir "${PODMAN_DIR:-}")
	[ -z "$out" ] || left+="$out"$'\n'
	unset PODMAN_DIR PODMAN_NS_PID PODMAN_CGROUP
	if [ -n "$left" ]; then
		printf 'podman_teardown: left behind:\n%s' "$left" >&2
		return 1
	fi
}

# ---- containerd ----------------------------------------------------------------

# containerd_setup: a containerd of its own (see the top), its socket
# ready, with the image $OCI_IMAGE imported.  Exports CTRD_DIR (the world),
# CTRD_NS_PID (the keeper of its mount namespace), CTRD_PID (containerd),
# CTRD_SOCK,
# CTRD_NS (the containerd namespace of the tests, and the top cgroup of
# their containers) and CTRD_RUNC_ROOT (the runtime's --root).
containerd_setup() {
	local i
	oci_check containerd ctr containerd-shim-runc-v2
	[ -z "$OCI_SKIP" ] || return 0
	CTRD_DIR=$(oci_world_dir isolate-ctrd) || return
	CTRD_SOCK=$CTRD_DIR/containerd.sock
	CTRD_NS=$(basename "$CTRD_DIR")
	CTRD_RUNC_ROOT=$CTRD_DIR/runc
	export CTRD_DIR CTRD_SOCK CTRD_NS CTRD_RUNC_ROOT
	# The default configuration, with what would reach outside the world
	# moved into it or disabled (see the top).
	containerd config default | awk -v dir="$CTRD_DIR" '
		/^[ \t]*\[/ { section = $0; sub(/^[ \t]+/, "", section) }
		section == "" && /^root = / { print "root = \"" dir "/root\""; next }
		section == "" && /^state = / { print "state = \"" dir "/state\""; next }
		section == "" && /^disabled_plugins = / {
			print "disabled_plugins = [\"io.containerd.grpc.v1.cri\", " \
				"\"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.btrfs\", " \
				"\"io.containerd.snapshotter.v1.zfs\", \"io.containerd.snapshotter.v1.devmapper\"]"
			next
		}
		section == "[grpc]" && /^ *address = / { print "  address = \"" dir "/containerd.sock\""; next }
		section == "[ttrpc]" && /^ *address = / { print "  address = \"" dir "/containerd.sock.ttrpc\""; next }
		section == "[plugins.\"io.containerd.internal.v1.opt\"]" && /^ *path = / {
			print "    path = \"" dir "/opt\""
			next
		}
		{ print }' >"$CTRD_DIR/config.toml" || return
	# Every path the configuration names is the world's, and nothing
	# listens on TCP (grpc tcp_address, debug and metrics addresses empty).
	if grep -E '^ *(root|state|address|path|root_path) = "/' "$CTRD_DIR/config.toml" |
		grep -vF "\"$CTRD_DIR/"; then
		echo "containerd_setup: the configuration still names these paths" >&2
		return 1
	fi
	oci_namespace "$CTRD_DIR" "$CTRD_NS" containerd --config "$CTRD_DIR/config.toml" || return
	CTRD_NS_PID=$OCI_NS_PID CTRD_PID=$OCI_MAIN_PID
	export CTRD_NS_PID CTRD_PID
	for ((i = 0; i < 200; i++)); do
		[ -S "$CTRD_SOCK" ] && C version >/dev/null 2>&1 && break
		oci_alive "$CTRD_PID" || break
		sleep 0.05
	done
	if ! C version >/dev/null 2>&1; then
		echo "containerd did not start:" >&2
		tail -n 20 "$CTRD_DIR/ns.log" >&2
		return 1
	fi
	"$MKROOTFS" "$CTRD_DIR/rootfs" &&
		oci_image_archive "$CTRD_DIR/rootfs" "$CTRD_DIR/image.tar" "$OCI_IMAGE" &&
		C images import "$CTRD_DIR/image.tar" >/dev/null || return
	rm -rf "$CTRD_DIR/rootfs" "$CTRD_DIR/image.tar"
}

# C ARGS...: ctr talking to the world's containerd, in the world's
# namespace, run in its mount namespace (so that ctr's FIFOs, in
# /run/containerd/fifo, are in its tmpfs).
C() {
	timeout -k 5 "$OCI_CLIENT_TIMEOUT" nsenter -t "$CTRD_NS_PID" -m -- \
		ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" "$@"
}

# ctr_run ARGS...: `ctr run` with the runtime under test (the runc shim's
# --runc-binary) and its state root (--runc-root) in the world.
ctr_run() {
	C run --runc-binary "$OCI_RUNTIME" --runc-root "$CTRD_RUNC_ROOT" "$@"
}

# Runs COMMAND... in containerd's mount namespace.
containerd_ns() {
	nsenter -t "$CTRD_NS_PID" -m -- "$@"
}

# The shims of the world (their command lines name its socket).
containerd_shims() {
	oci_pids_with "-address $CTRD_SOCK"
}

# The status of task ID (RUNNING, STOPPED, PAUSED...), empty if none.
ctr_task_status() {
	C task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

# Waits up to 10 s for task ID to have status STATUS.
ctr_wait_status() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(ctr_task_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "task $1: status $(ctr_task_status "$1"), not $2" >&2
	return 1
}

# containerd_clean: what a test's teardown calls: kills and deletes every
# task and container of the world's namespace.
containerd_clean() {
	[ -n "${CTRD_PID:-}" ] && oci_alive "$CTRD_PID" || return 0
	local id
	for id in $(C containers ls --quiet 2>/dev/null); do
		C task kill --all --signal SIGKILL "$id" >/dev/null 2>&1
		C task rm --force "$id" >/dev/null 2>&1
		C containers rm "$id" >/dev/null 2>&1
	done
	return 0
}

# containerd_teardown: removes every task, container, image and snapshot,
# stops containerd and every shim, and removes the cgroups and files of the
# world.  Fails, after removing all of it anyway, if containerd's own
# removal left any of it.
containerd_teardown() {
	local left="" out i
	if [ -n "${CTRD_PID:-}" ] && oci_alive "$CTRD_PID"; then
		containerd_clean
		out=$(C containers ls --quiet 2>&1) && [ -z "$out" ] || left+="containers: $out"$'\n'
		C images rm "$OCI_IMAGE" >/dev/null 2>&1
		out=$(oci_mounts_under "$CTRD_DIR" "$CTRD_NS_PID")
		[ -z "$out" ] || left+="mounts: $out"$'\n'
		kill -TERM "$CTRD_PID" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			oci_alive "$CTRD_PID" || break
			sleep 0.1
		done
	fi
	[ -z "${CTRD_PID:-}" ] || kill -KILL "$CTRD_PID" 2>/dev/null
	if [ -n "${CTRD_NS_PID:-}" ]; then
		kill -KILL "$CTRD_NS_PID" 2>/dev/null
		oci_wait_gone "$CTRD_NS_PID"
	fi
	if [ -n "${CTRD_DIR:-}" ]; then
		out=$(oci_reap "-address $CTRD_DIR/" 5)
		[ -z "$out" ] || left+="$out"$'\n'
		out=$(oci_reap "$CTRD_DIR" 0)
		[ -z "$out" ] || left+="$out"$'\n'
	fi
	if [ -n "${CTRD_NS:-}" ]; then
		out=$(oci_cgroup_remove "$CTRD_NS")
		[ -z "$out" ] || left+="$out"$'\n'
	fi
	out=$(oci_remove_dir "${CTRD_DIR:-}")
	[ -z "$out" ] || left+="$out"$'\n'
	unset CTRD_DIR CTRD_NS_PID CTRD_PID CTRD_SOCK CTRD_NS CTRD_RUNC_ROOT
	if [ -n "$left" ]; then
		printf 'containerd_teardown: left behind:\n%s' "$left" >&2
		return 1
	fi
}
