#!/usr/bin/env bash
# The cgroup v2 suite, run inside the VM of run-in-v2-vm.sh: bats files
# (default: tests/integration/cgroups.bats, then the tests of
# images.bats that depend on the kernel: the overlay of idmapped layers,
# on the VM's Linux 6.1, older than this host's) against $ISOLATE (default:
# build/isolate), as TAP on stdout, then one more TAP test: that the
# suite left no cgroup under /sys/fs/cgroup/isolate, and no process in it.
# Exits non-zero when a test failed.
#
#   tests/vm/run-in-v2-vm.sh -d 256 -- tests/vm/cgroup-v2-suite.sh [BATS_FILE...]
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${ISOLATE_IN_VM:-}" != 1 ]; then
	echo "cgroup-v2-suite: run it in the VM: tests/vm/run-in-v2-vm.sh -- $0" >&2
	exit 2
fi
files=("$@")
[ $# -gt 0 ] || files=("$top/tests/integration/cgroups.bats")

# /var/tmp is a disk filesystem in the VM, as run-all.sh wants for TMPDIR
export ISOLATE=${ISOLATE:-$top/build/isolate} TMPDIR=/var/tmp
bats --tap "${files[@]}" 2>&1
status=$?
if [ $# -eq 0 ]; then
	bats --tap -f 'pull then run|layers: a deleted|two containers of one image|volume into a directory|owns the image|copy of the image|without root' \
		"$top/tests/integration/images.bats" 2>&1 || status=1
	# isolate-oci on cgroup v2: the freezer (cgroup.freeze), limits,
	# kill --all, cgroups of a killed create, containerd's pause
	ISOLATE_OCI=${ISOLATE_OCI:-$top/build/isolate-oci} bats --tap \
		-f 'pause|update|kill --all|delete --force|run: the command|exec --detach' \
		"$top/tests/integration/oci-runtime.bats" 2>&1 || status=1
fi

name="cgroup v2 VM: the suite leaves no cgroup under /sys/fs/cgroup/isolate or isolate-oci"
left=$(
	for parent in /sys/fs/cgroup/isolate /sys/fs/cgroup/isolate-oci; do
		find "$parent" -mindepth 1 -type d 2>/dev/null | sed 's/^/cgroup: /'
		[ ! -e "$parent/cgroup.procs" ] || sed 's/^/process: /' "$parent/cgroup.procs"
	done
)
if [ -z "$left" ]; then
	echo "ok - $name"
else
	echo "not ok - $name"
	printf '%s\n' "$left" | sed 's/^/# left: /'
	status=1
fi
exit "$status"
