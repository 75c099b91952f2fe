bats_require_minimum_version 1.5.0

# Shared setup for the integration tests.  Every test gets its own scratch
# directory and, where it needs one, its own rootfs; teardown removes them
# and checks that the host's mount table is as it was.

ISOLATE=${ISOLATE:-$BATS_TEST_DIRNAME/../../build/isolate}
MKROOTFS=$BATS_TEST_DIRNAME/../helpers/mkrootfs.sh

# A pristine rootfs is built once per bats file; each test copies it, so
# that no test sees another's writes.
setup_file() {
	export ROOTFS_TEMPLATE="$BATS_FILE_TMPDIR/rootfs-template"
	"$MKROOTFS" "$ROOTFS_TEMPLATE"
}

setup() {
	SCRATCH=$(mktemp -d "$BATS_TMPDIR/isolate-test.XXXXXX")
	ROOTFS="$SCRATCH/rootfs"
	cp -a "$ROOTFS_TEMPLATE" "$ROOTFS"
	mounts_before=$(host_mounts)
}

teardown() {
	local mounts_after
	restore_subid_files
	mounts_after=$(host_mounts)
	rm -rf "$SCRATCH"
	if [ "$mounts_before" != "$mounts_after" ]; then
		echo "host mount table changed during the test:" >&2
		diff <(echo "$mounts_before") <(echo "$mounts_after") >&2
		return 1
	fi
}

# The host's mount points, without per-test noise.
host_mounts() {
	awk '{print $5, $9}' /proc/self/mountinfo | sort
}

# Runs isolate on the test's rootfs.
iso_rootfs() {
	"$ISOLATE" run --rootfs "$ROOTFS" "$@"
}

# Fails with the output shown when $status is not what was expected.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}

# Fails unless $output contains the fragment.
expect_output() {
	if [[ "$output" != *"$1"* ]]; then
		echo "expected output to contain: $1" >&2
		echo "got: $output" >&2
		return 1
	fi
}

# Waits (polling, no fixed sleep) until FILE exists and is non-empty.
wait_for_file() {
	local file=$1 tries=${2:-500}
	while [ ! -s "$file" ] && [ "$tries" -gt 0 ]; do
		sleep 0.01
		tries=$((tries - 1))
	done
	[ -s "$file" ]
}

# The host pid of the container's first process, given isolate's pid.
container_pid() {
	local child
	for _ in $(seq 500); do
		child=$(cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}')
		[ -n "$child" ] && { echo "$child"; return 0; }
		sleep 0.01
	done
	return 1
}

# Tests that change /etc/subuid and /etc/subgid keep a copy in $SCRATCH and
# put back exactly what was there, absence included.
save_subid_files() {
	local f
	for f in subuid subgid; do
		if [ -e "/etc/$f" ]; then
			cp -a "/etc/$f" "$SCRATCH/$f.saved"
		else
			: > "$SCRATCH/$f.absent"
		fi
	done
}

restore_subid_files() {
	local f
	for f in subuid subgid; do
		if [ -e "$SCRATCH/$f.saved" ]; then
			mv "$SCRATCH/$f.saved" "/etc/$f"
		elif [ -e "$SCRATCH/$f.absent" ]; then
			rm -f "/etc/$f" "$SCRATCH/$f.absent"
		fi
	done
}
