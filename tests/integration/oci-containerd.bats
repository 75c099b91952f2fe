#!/usr/bin/env bats
# The runtime under test ($OCI_RUNTIME: isolate-oci, or runc as the
# reference) driven by containerd through its runc shim
# (containerd-shim-runc-v2), as `ctr run --runc-binary` would: one
# containerd of its own for the file (tests/integration/oci.bash), the
# image localhost/isolate-test/busybox imported from an OCI archive built
# from a busybox-static rootfs.  No network (ctr gives a container a
# network namespace with only lo), no registry.
#
#   OCI_RUNTIME=/usr/sbin/runc bats tests/integration/oci-containerd.bats

load helpers
load oci

setup_file() {
	containerd_setup
}

teardown_file() {
	containerd_teardown
}

setup() {
	oci_skip_if_missing
}

# Every test's tasks and containers go, so that no test depends on another's.
teardown() {
	containerd_clean
}

# The pid of task ID's init process (from ctr task ls).
task_pid() {
	C task ls | awk -v id="$1" '$1 == id { print $2 }'
}

# Checks that container ID left nothing: no container, task, snapshot,
# shim, rootfs mount, runtime state or cgroup.
expect_nothing_left() {
	local id=$1 i
	run C containers ls --quiet
	[ -z "$output" ]
	run C task ls --quiet
	[ -z "$output" ]
	# only the image's own (committed) snapshot is left
	run C snapshots ls
	[ -z "$(echo "$output" | awk -v id="$id" '$1 == id')" ]
	# the shim exits once its task is deleted
	for ((i = 0; i < 100; i++)); do
		oci_pids_with "-id $id -address $CTRD_SOCK" >/dev/null || break
		sleep 0.1
	done
	run oci_pids_with "-id $id -address $CTRD_SOCK"
	[ -z "$output" ]
	run oci_mounts_under "$CTRD_DIR" "$CTRD_NS_PID"
	[ -z "$output" ]
	# the runtime knows it no more
	run "$OCI_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state "$id"
	[ "$status" -ne 0 ]
	# its cgroup (/NAMESPACE/ID) is gone from every hierarchy
	run oci_cgroup_dirs "$CTRD_NS/$id"
	[ -z "$output" ]
}

@test "containerd: ctr run prints the container's output" {
	run ctr_run --rm "$OCI_IMAGE" out echo hello from the container
	expect_status 0
	[ "$output" = "hello from the container" ]

	run ctr_run --rm --env FOO=bar --cwd /tmp "$OCI_IMAGE" env-cwd sh -c 'echo "$FOO $(pwd)"'
	expect_status 0
	[ "$output" = "bar /tmp" ]
}

@test "containerd: ctr run's exit status is the container's" {
	run ctr_run --rm "$OCI_IMAGE" status7 sh -c 'exit 7'
	expect_status 7

	run ctr_run --rm "$OCI_IMAGE" status1 false
	expect_status 1
}

@test "containerd: ctr run --rm leaves no container, task, snapshot, shim, mount, state or cgroup" {
	run ctr_run --rm "$OCI_IMAGE" removed true
	expect_status 0
	expect_nothing_left removed
}

@test "containerd: ctr run -d, then ctr task exec" {
	run ctr_run -d "$OCI_IMAGE" detached sleep 1000
	expect_status 0
	ctr_wait_status detached RUNNING
	local pid
	pid=$(task_pid detached)
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 1000 " ]

	# the runtime has it, running, with that pid
	run "$OCI_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state detached
	expect_status 0
	[ "$(echo "$output" | jq -r .status)" = running ]
	[ "$(echo "$output" | jq -r .pid)" = "$pid" ]

	run C task exec --exec-id exec1 detached sh -c 'echo "exec in pid $$"; cat /proc/1/cmdline | tr "\0" " "'
	expect_status 0
	expect_output "sleep 1000"
	[[ "$output" =~ "exec in pid "([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -gt 1 ]
	[ "${BASH_REMATCH[1]}" -lt 100 ]

	run C task exec --exec-id exec2 detached sh -c 'exit 3'
	expect_status 3

	run C task exec --exec-id exec3 --cwd /home/alice --user 1000 detached sh -c 'echo "$(pwd) $(id -u)"'
	expect_status 0
	[ "$output" = "/home/alice 1000" ]

	# the task went on
	[ "$(ctr_task_status detached)" = RUNNING ]
	[ "$(task_pid detached)" = "$pid" ]

	# ctr task ps asks the runtime (its ps command) for the processes
	C task exec --exec-id exec4 --detach detached sleep 1001
	for ((i = 0; i < 100; i++)); do
		[ "$(C task ps detached | awk 'NR > 1' | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	run C task ps detached
	expect_status 0
	expect_output "$pid"
	[ "$(echo "$output" | awk 'NR > 1' | wc -l)" = 2 ]
}

@test "containerd: ctr task kill delivers signals; SIGKILL ends the task" {
	run ctr_run -d "$OCI_IMAGE" killable \
		sh -c 'trap "echo got USR1 > /tmp/usr1" USR1; echo yes > /tmp/trapped; while :; do sleep 0.1; done'
	expect_status 0
	ctr_wait_status killable RUNNING
	local pid
	pid=$(task_pid killable)
	wait_for_file "/proc/$pid/root/tmp/trapped" 1500

	run C task kill --signal SIGUSR1 killable
	expect_status 0
	wait_for_file "/proc/$pid/root/tmp/usr1" 1500
	[ "$(cat "/proc/$pid/root/tmp/usr1")" = "got USR1" ]
	[ "$(ctr_task_status killable)" = RUNNING ]

	run C task kill --signal SIGKILL killable
	expect_status 0
	ctr_wait_status killable STOPPED
	[ ! -e "/proc/$pid" ]
}

@test "containerd: a foreground ctr run ends with 128+N when its task is killed by signal N" {
	ctr_run "$OCI_IMAGE" foreground sleep 1000 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local ctr_pid=$!
	ctr_wait_status foreground RUNNING

	run C task kill --signal SIGKILL foreground
	expect_status 0
	local status=0
	wait "$ctr_pid" || status=$?
	[ "$status" = 137 ]
	# ctr run deleted the task once it ended; without --rm the container stays
	[ -z "$(ctr_task_status foreground)" ]
	run C containers ls --quiet
	[ "$output" = foreground ]
}

@test "containerd: ctr task rm and ctr containers rm delete a task that ended and its container" {
	run ctr_run -d "$OCI_IMAGE" deleted sh -c 'exit 5'
	expect_status 0
	ctr_wait_status deleted STOPPED

	# containerd has the exit status from the shim
	run C task rm deleted
	expect_status 0
	expect_output "exit code 5"
	[ -z "$(ctr_task_status deleted)" ]
	run C containers rm deleted
	expect_status 0
	expect_nothing_left deleted
}

@test "containerd: ctr task rm --force kills and deletes a running task" {
	run ctr_run -d "$OCI_IMAGE" forced sleep 1000
	expect_status 0
	ctr_wait_status forced RUNNING
	local pid
	pid=$(task_pid forced)

	# neither a running task nor its container can be removed without force
	run C task rm forced
	[ "$status" -ne 0 ]
	run C containers rm forced
	[ "$status" -ne 0 ]
	[ "$(ctr_task_status forced)" = RUNNING ]
	run C task rm --force forced
	expect_status 0
	[ ! -e "/proc/$pid" ]
	run C containers rm forced
	expect_status 0
	expect_nothing_left forced
}

@test "containerd: ctr task pause freezes the task, resume thaws it" {
	run ctr_run -d "$OCI_IMAGE" pausable \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /tmp/count; sleep 0.02; done'
	expect_status 0
	ctr_wait_status pausable RUNNING
	local pid before after
	pid=$(task_pid pausable)
	wait_for_file "/proc/$pid/root/tmp/count" 1500

	run C task pause pausable
	expect_status 0
	ctr_wait_status pausable PAUSED
	cgroup_frozen "$pid"
	before=$(cat "/proc/$pid/root/tmp/count")
	sleep 0.5
	after=$(cat "/proc/$pid/root/tmp/count")
	[ "$before" = "$after" ]

	run C task resume pausable
	expect_status 0
	ctr_wait_status pausable RUNNING
	run ! cgroup_frozen "$pid"
	for ((i = 0; i < 150; i++)); do
		[ "$(cat "/proc/$pid/root/tmp/count")" != "$after" ] && break
		sleep 0.1
	done
	[ "$(cat "/proc/$pid/root/tmp/count")" != "$after" ]
}
