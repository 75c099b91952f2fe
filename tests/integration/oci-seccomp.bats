#!/usr/bin/env bats
# isolate-oci's linux.seccomp.listenerPath: the calls of SCMP_ACT_NOTIFY's
# rules are answered by a listener (tests/helpers/seccomp-listener.c) that
# the container's process sends its filter's fd to, with the runtime-spec's
# container process state; for the first process and for one exec'd.

load helpers
load oci

setup_file() {
	LISTENER="$(dirname "$OCI_RUNTIME")/tests/seccomp-listener"
	if [ ! -x "$LISTENER" ]; then
		LISTENER="$BATS_FILE_TMPDIR/seccomp-listener"
		cc -O2 -Wall -o "$LISTENER" "$BATS_TEST_DIRNAME/../helpers/seccomp-listener.c"
	fi
	export LISTENER
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "isolate-oci's tests run as root"
	B="$BATS_TEST_TMPDIR/b"
	R="$BATS_TEST_TMPDIR/root"
	SOCK="$BATS_TEST_TMPDIR/listener.sock"
	CID="osc-$$-$BATS_TEST_NUMBER"
	LPID=""
}

teardown() {
	local id
	for id in $("$OCI_RUNTIME" --root "$R" list -q 2>/dev/null); do
		"$OCI_RUNTIME" --root "$R" delete --force "$id" >/dev/null 2>&1
	done
	[ -z "$LPID" ] || { kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null; }
	for d in $(oci_cgroup_dirs "isolate-oci/$CID"); do
		echo "left: $d" >&2
		return 1
	done
}

# A bundle whose mkdir and mkdirat go to the listener at $SOCK.
notify_bundle() {
	oci_bundle "$B" "$@"
	jq --arg sock "$SOCK" '.root.readonly = false | .linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		listenerPath: $sock, listenerMetadata: "meta-of-the-test",
		syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY" }] }' \
		"$B/config.json" >"$B/c.json" && mv "$B/c.json" "$B/config.json"
}

start_listener() {
	"$LISTENER" "$SOCK" "$1" &
	LPID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	return 1
}

@test "seccomp listener: a notified call is answered by the listener, which got the process state" {
	notify_bundle sh -c 'mkdir /made && echo "mkdir said yes"; [ -d /made ] || echo "and made nothing"'
	start_listener "$BATS_TEST_TMPDIR/state.json"
	run "$OCI_RUNTIME" --root "$R" run --bundle "$B" "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mkdir said yes"* ]]
	[[ "$output" == *"and made nothing"* ]]
	wait "$LPID"
	LPID=""
	run jq -r '[.fds[0], .metadata, .state.id, (.pid > 0), .state.bundle] | join(" ")' \
		"$BATS_TEST_TMPDIR/state.json"
	[ "$output" = "seccompFd meta-of-the-test $CID true $B" ]
	[ ! -d "$B/rootfs/made" ]
}

@test "seccomp listener: an exec'd process's filter goes to the listener too" {
	notify_bundle sleep 60
	start_listener "$BATS_TEST_TMPDIR/first.json"
	"$OCI_RUNTIME" --root "$R" run --detach --bundle "$B" "$CID"
	# the first process's filter went to the first listener, which now
	# answers it; the exec'd process makes a connection of its own
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/first.json" ] && break; sleep 0.05; done
	[ -s "$BATS_TEST_TMPDIR/first.json" ]
	kill "$LPID"
	wait "$LPID" 2>/dev/null || true
	rm -f "$SOCK"
	start_listener "$BATS_TEST_TMPDIR/exec.json"
	run "$OCI_RUNTIME" --root "$R" exec "$CID" sh -c 'mkdir /x && [ ! -d /x ] && echo answered'
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "answered" ]
	wait "$LPID"
	LPID=""
	run jq -r '.state.status' "$BATS_TEST_TMPDIR/exec.json"
	[ "$output" = "running" ]
}

@test "seccomp listener: no listener at the path fails create, leaving nothing" {
	notify_bundle true
	run "$OCI_RUNTIME" --root "$R" create --bundle "$B" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"seccomp listener: connect to $SOCK: No such file or directory"* ]]
	[ -z "$(ls -A "$R" 2>/dev/null | grep -v '^\.')" ]
}

@test "seccomp listener: SCMP_ACT_NOTIFY without listenerPath is refused where it is" {
	notify_bundle true
	jq 'del(.linux.seccomp.listenerPath)' "$B/config.json" >"$B/c.json" && mv "$B/c.json" "$B/config.json"
	run "$OCI_RUNTIME" --root "$R" create --bundle "$B" "$CID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"config.json:"*": linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"* ]]
}
