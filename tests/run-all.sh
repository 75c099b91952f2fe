#!/usr/bin/env bash
# Runs the unit tests (cmocka) and the integration tests (bats), both as
# TAP, for each build directory in $BUILDS (default: build), then the
# cgroup v2 suite in a VM (tests/vm/, docs/testing.md) for each build in
# $VM_BUILDS (default: none), and ends with one line: "N passed, M
# failed".  Exits non-zero when a test failed or a suite could not run.
#
#   BUILDS="build build-asan" VM_BUILDS=build tests/run-all.sh [unit|integration|all] [BATS_FILE...]
#   BUILDS=build tests/run-all.sh cgroup-v2 [BATS_FILE...]
#
# cgroup-v2 runs only the VM suite, for $VM_BUILDS (default: $BUILDS), on
# the BATS_FILEs if given (default: tests/integration/cgroups.bats).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
[ $# -gt 0 ] && shift

passed=0
failed=0
broken=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Counts "ok"/"not ok" lines of TAP read on stdin, echoing them.
count_tap() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*) failed=$((failed + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		esac
	done
}

run_unit() {
	local t status
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		echo "# unit: $(basename "$t")"
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
		status=$?
		count_tap <"$log"
		if [ "$status" -ne 0 ] && ! grep -q '^not ok' "$log"; then
			echo "not ok - $(basename "$t") exited with status $status"
			failed=$((failed + 1))
		fi
	done
}

test_tmpdir=${ISOLATE_TEST_TMPDIR:-/var/tmp}

run_integration() {
	local files=("$@")
	[ ${#files[@]} -gt 0 ] || files=("$top"/tests/integration/*.bats)
	echo "# integration: ${#files[@]} bats files"
	# Scratch rootfs and volumes go on /var/tmp, a disk filesystem on a
	# stock Debian: one that idmapped mounts work on with any kernel (a
	# tmpfs /tmp cannot be idmapped before Linux 6.3).
	TMPDIR=$test_tmpdir ISOLATE="$build/isolate" ISOLATE_OCI="$build/isolate-oci" \
		bats --tap "${files[@]}" >"$log" 2>&1
	local status=$?
	count_tap <"$log"
	if [ "$status" -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "# bats failed to run (status $status)"
		broken=1
	fi
}

# What isolate's networking leaves on the host, checked after a build's
# bats files as one more TAP test: once pending releases are done (network
# ls waits for them), no isolate veth, lease, container state, network but
# the default, nft table (it lingers 2 s after the last container) or
# record of the networks that table held.
# Then the default network's bridge and definition go if the run made them.
net_before() {
	had_bridge=no had_bridge_json=no
	ip link show isolate0 >/dev/null 2>&1 && had_bridge=yes
	[ -e /var/lib/isolate/networks/bridge.json ] && had_bridge_json=yes
	return 0
}

net_leftovers() {
	"$build/isolate" network ls >/dev/null 2>&1 || echo "isolate network ls failed"
	ip -o link show type veth 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' |
		grep -E '^veth[0-9a-f]{11}$' | sed 's/^/veth: /'
	find /run/isolate/leases -mindepth 1 2>/dev/null | sed 's/^/lease: /'
	find /run/isolate/containers -mindepth 1 -maxdepth 1 2>/dev/null | sed 's/^/state: /'
	"$build/isolate" network ls -q 2>/dev/null | grep -vx bridge | sed 's/^/network: /'
	# the image tests' registries (tests/integration/registry.bash)
	pgrep -af 'docker-registry serve .*/config\.yml' | sed 's/^/registry: /'
	# the image store of a test is its own; the default one gets no layer
	find /var/lib/isolate/containers -mindepth 1 -maxdepth 1 2>/dev/null | sed 's/^/container layer: /'
	for _ in $(seq 50); do
		if ! nft list table ip isolate >/dev/null 2>&1; then
			# which networks the table holds goes with it
			find /run/isolate/nft -mindepth 1 2>/dev/null | sed 's/^/nft stamp: /'
			return 0
		fi
		sleep 0.1
	done
	echo "nft table ip isolate"
}

check_net_leftovers() {
	local name="$(basename "$build"): the suite leaves no network state behind" left
	if [ "$(id -u)" -ne 0 ]; then
		echo "ok - $name # skip not root" >"$log"
	else
		left=$(net_leftovers)
		if [ -z "$left" ]; then
			echo "ok - $name" >"$log"
		else
			{ echo "not ok - $name"; printf '%s\n' "$left" | sed 's/^/# left: /'; } >"$log"
		fi
		[ "$had_bridge" = yes ] || ip link del isolate0 2>/dev/null
		[ "$had_bridge_json" = yes ] || rm -f /var/lib/isolate/networks/bridge.json
	fi
	count_tap <"$log"
}

# What the tests that drive an OCI runtime through podman and containerd
# (tests/integration/oci.bash) could leave, checked after a build's bats
# files as one more TAP test.  Each of their worlds is a directory
# isolate-pm.XXXXXX or isolate-ctrd.XXXXXX in the tests' TMPDIR (or /tmp),
# a cgroup of the same name, a private mount namespace, and processes whose
# command lines name it: the namespace's holder, conmon, containerd and
# the runc shims (containerd-shim-runc-v2).  So: no such process, mount,
# cgroup or directory; and none of the places where these clients keep
# state by default (which the fixtures move into their worlds) appeared.
oci_default_places() {
	ls -d /run/runc /run/crun /run/containerd /var/lib/containerd /opt/containerd \
		/run/libpod /var/lib/containers/storage /dev/shm/libpod_lock \
		/sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null
}

oci_before() {
	oci_had=$(oci_default_places)
}

oci_leftovers() {
	local world='isolate-(pm|ctrd)\.[A-Za-z0-9]{6}'
	pgrep -af -- "$world" | sed 's/^/process: /'
	awk '{ print $5 }' /proc/self/mountinfo | grep -E -- "/$world(/|\$)" | sed 's/^/mount: /'
	ls -d /sys/fs/cgroup/isolate-pm.* /sys/fs/cgroup/isolate-ctrd.* \
		/sys/fs/cgroup/*/isolate-pm.* /sys/fs/cgroup/*/isolate-ctrd.* 2>/dev/null | sed 's/^/cgroup: /'
	find "$test_tmpdir" /tmp -maxdepth 1 -regextype posix-extended -regex ".*/$world" 2>/dev/null |
		sed 's/^/world: /'
	comm -13 <(printf '%s\n' "$oci_had" | sort) <(oci_default_places | sort) | sed 's/^/appeared: /'
}

check_oci_leftovers() {
	local name="$(basename "$build"): the OCI client tests leave no podman or containerd behind" left
	if [ "$(id -u)" -ne 0 ]; then
		echo "ok - $name # skip not root" >"$log"
	else
		left=$(oci_leftovers)
		if [ -z "$left" ]; then
			echo "ok - $name" >"$log"
		else
			{ echo "not ok - $name"; printf '%s\n' "$left" | sed 's/^/# left: /'; } >"$log"
		fi
	fi
	count_tap <"$log"
}

# The cgroup v2 suite, in a VM with a pure cgroup v2 hierarchy and a
# scratch disk for io.max (this host's cgroups may be v1 or hybrid); its
# last test checks that no container cgroup is left.  A VM that does not
# boot counts as one failed test.
run_cgroup_v2_vm() {
	local f files=() status
	for f in "$@"; do files+=("$(realpath -- "$f")"); done
	echo "# cgroup v2 VM: ${files[*]:-tests/integration/cgroups.bats}"
	(cd "$top" && tests/vm/run-in-v2-vm.sh -t 900 -d 256 -e ISOLATE="$build/isolate" \
		-e ISOLATE_OCI="$build/isolate-oci" -- \
		tests/vm/cgroup-v2-suite.sh "${files[@]}") >"$log" 2>&1
	status=$?
	count_tap <"$log"
	if [ "$status" -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $(basename "$build"): the cgroup v2 VM suite ended with status $status"
		failed=$((failed + 1))
	fi
}

case "$what" in
unit | integration | all) builds=${BUILDS:-build} vm_builds=${VM_BUILDS:-} ;;
cgroup-v2) builds="" vm_builds=${VM_BUILDS:-${BUILDS:-build}} ;;
*) echo "usage: $0 [unit|integration|all|cgroup-v2] [BATS_FILE...]" >&2; exit 2 ;;
esac
[ "$what" = all ] || [ "$what" = cgroup-v2 ] || vm_builds=""

for build in $builds; do
	case "$build" in /*) ;; *) build="$top/$build" ;; esac
	if [ "$what" != unit ] && [ ! -x "$build/isolate" ]; then
		echo "# $build/isolate is missing: run make first"
		broken=1
		continue
	fi
	before_passed=$passed before_failed=$failed
	echo "# ===== $(basename "$build") ====="
	[ "$what" = integration ] || run_unit
	if [ "$what" != unit ]; then
		net_before
		oci_before
		run_integration "$@"
		check_net_leftovers
		check_oci_leftovers
	fi
	echo "# $(basename "$build"): $((passed - before_passed)) passed, $((failed - before_failed)) failed"
done

for build in $vm_builds; do
	case "$build" in /*) ;; *) build="$top/$build" ;; esac
	if [ ! -x "$build/isolate" ]; then
		echo "# $build/isolate is missing: run make first"
		broken=1
		continue
	fi
	before_passed=$passed before_failed=$failed
	echo "# ===== $(basename "$build") in a cgroup v2 VM ====="
	if [ "$what" = cgroup-v2 ]; then run_cgroup_v2_vm "$@"; else run_cgroup_v2_vm; fi
	echo "# $(basename "$build") in a cgroup v2 VM: $((passed - before_passed)) passed, $((failed - before_failed)) failed"
done

# The fuzzers (FUZZ_SECS seconds each, when set): one TAP line each.
if [ -n "${FUZZ_SECS:-}" ] && [ "$what" = all ]; then
	echo "# ===== fuzzing ====="
	if make -s -C "$top" build/fuzz/fuzz_seccomp_profile >"$log" 2>&1; then
		(cd "$top" && tests/fuzz/run.sh build/fuzz/fuzz_seccomp_profile tests/fuzz/corpus/seccomp \
			"$FUZZ_SECS") >"$log" 2>&1
		count_tap <"$log"
	else
		cat "$log"
		echo "not ok - fuzz: the seccomp profile fuzzer does not build"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ] && [ "$passed" -gt 0 ]
