#!/usr/bin/env bats
# The runtime under test ($OCI_RUNTIME: isolate-oci, or runc as the
# reference) driven by podman and conmon, as `podman --runtime` would on a
# user's machine: one private podman world for the file (tests/integration/
# oci.bash), the image localhost/isolate-test/busybox imported from a
# busybox-static rootfs.  No network, no registry.  The first test runs the
# runtime on an oci_bundle by itself, without a client.
#
#   OCI_RUNTIME=/usr/sbin/runc bats tests/integration/oci-podman.bats

load helpers
load oci

setup_file() {
	podman_setup
}

teardown_file() {
	podman_teardown
}

setup() {
	oci_skip_if_missing
}

# Every test's containers go, so that no test depends on another's.
teardown() {
	podman_clean
}

# Waits until podman's container NAME is running and prints its pid.
running_pid() {
	local pid i
	for ((i = 0; i < 100; i++)); do
		pid=$(P inspect --format '{{.State.Pid}}' "$1" 2>/dev/null)
		if [ -n "$pid" ] && [ "$pid" != 0 ]; then
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	echo "container $1 is not running" >&2
	return 1
}

@test "oci_bundle: the runtime runs the fixture's bundle by itself (run --bundle)" {
	local bundle=$BATS_TEST_TMPDIR/bundle
	oci_bundle "$bundle" sh -c 'echo "hello from $(hostname)"; exit 3'
	# its cgroup under the world's, which the teardown removes
	jq --arg cg "$PODMAN_CGROUP/bundle" '.linux.cgroupsPath = $cg' "$bundle/config.json" >"$bundle/c.json"
	mv "$bundle/c.json" "$bundle/config.json"

	# stdout alone: a runtime may warn on stderr (runc spec's default asks
	# for ambient capabilities that are not inheritable, which runc drops
	# silently and isolate-oci with a warning)
	run --separate-stderr "$OCI_RUNTIME" --root "$BATS_TEST_TMPDIR/state" run --bundle "$bundle" bundle-test
	expect_status 3
	[ "$output" = "hello from isolate-oci-test" ]
	run "$OCI_RUNTIME" --root "$BATS_TEST_TMPDIR/state" state bundle-test
	[ "$status" -ne 0 ]
	run oci_cgroup_dirs "${PODMAN_CGROUP#/}/bundle"
	[ -z "$output" ]
}

@test "podman: run prints the container's output" {
	run P run --rm "$OCI_IMAGE" echo hello from the container
	expect_status 0
	[ "$output" = "hello from the container" ]

	# stdin with -i
	run P run --rm -i "$OCI_IMAGE" sh -c 'cat; echo done' <<<$'line one\nline two'
	expect_status 0
	[ "$output" = $'line one\nline two\ndone' ]
}

@test "podman: run --rm leaves no container, conmon, mount, cgroup or runtime state" {
	run P run --rm --cidfile "$BATS_TEST_TMPDIR/cid" "$OCI_IMAGE" true
	expect_status 0
	local id
	id=$(cat "$BATS_TEST_TMPDIR/cid")
	[ -n "$id" ]

	run P ps --all --quiet
	expect_status 0
	[ -z "$output" ]
	[ ! -e "$PODMAN_DIR/root/overlay-containers/$id" ]
	[ ! -e "$PODMAN_DIR/run/overlay-containers/$id" ]
	# conmon exits just after the container
	for ((i = 0; i < 100; i++)); do
		oci_pids_with "$id" >/dev/null || break
		sleep 0.1
	done
	run oci_pids_with "$id"
	[ -z "$output" ]
	run podman_container_mounts
	[ -z "$output" ]
	# the runtime knows it no more (its default --root, as podman uses it)
	run podman_ns "$OCI_RUNTIME" state "$id"
	[ "$status" -ne 0 ]
	# its cgroup (PODMAN_CGROUP/libpod-ID) is gone from every hierarchy
	run bash -c 'for d in /sys/fs/cgroup/*'"$PODMAN_CGROUP"'; do find "$d" -name "*$1*"; done' _ "$id"
	[ -z "$output" ]
}

@test "podman: the container's exit status is podman run's" {
	run P run --rm "$OCI_IMAGE" sh -c 'exit 7'
	expect_status 7

	run P run --rm "$OCI_IMAGE" false
	expect_status 1

	# A command that is not there: podman gives 127 when the runtime's
	# error names ENOENT ("no such file or directory").
	run -127 P run --rm "$OCI_IMAGE" /no/such/command
	expect_status 127
}

@test "podman: run -e sets the environment" {
	run P run --rm -e FOO=bar -e 'SPACED=a b  c' "$OCI_IMAGE" env
	expect_status 0
	expect_output "FOO=bar"
	expect_output "SPACED=a b  c"
	expect_output "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

	run P run --rm -e FOO=bar "$OCI_IMAGE" sh -c 'echo "[$FOO]"'
	expect_status 0
	[ "$output" = "[bar]" ]
}

@test "podman: run -w sets the working directory" {
	run P run --rm -w /home/alice "$OCI_IMAGE" pwd
	expect_status 0
	[ "$output" = /home/alice ]

	run P run --rm -w /tmp "$OCI_IMAGE" sh -c 'touch here && ls /tmp'
	expect_status 0
	[ "$output" = here ]
}

@test "podman: run -u takes uid:gid and a name from the image's /etc/passwd" {
	run P run --rm -u 1000:1000 "$OCI_IMAGE" id
	expect_status 0
	[ "$output" = "uid=1000(alice) gid=1000(alice) groups=1000(alice)" ]

	# a name: its uid, its primary group, and its groups from /etc/group
	run P run --rm -u bob "$OCI_IMAGE" id
	expect_status 0
	[ "$output" = "uid=1001(bob) gid=1001(bob) groups=50(staff),1001(bob)" ]

	# the user cannot write root's files
	run P run --rm -u 1000:1000 "$OCI_IMAGE" sh -c 'echo x > /etc/passwd'
	[ "$status" -ne 0 ]
	expect_output "Permission denied"
}

@test "podman: run -v binds a host directory, read-write and :ro" {
	local vol=$BATS_TEST_TMPDIR/vol
	mkdir -p "$vol"
	echo "from the host" >"$vol/in"

	run P run --rm -v "$vol:/data" "$OCI_IMAGE" sh -c 'cat /data/in; echo "from the container" > /data/out'
	expect_status 0
	[ "$output" = "from the host" ]
	[ "$(cat "$vol/out")" = "from the container" ]

	run P run --rm -v "$vol:/data:ro" "$OCI_IMAGE" sh -c 'cat /data/in; echo no > /data/out2'
	[ "$status" -ne 0 ]
	expect_output "from the host"
	expect_output "Read-only file system"
	[ ! -e "$vol/out2" ]
}

@test "podman: run -t gives the container a terminal" {
	run P run --rm -t "$OCI_IMAGE" tty
	expect_status 0
	# through a pty: its line discipline turns \n into \r\n
	[ "$output" = $'/dev/pts/0\r' ]

	run P run --rm -t "$OCI_IMAGE" sh -c 'test -t 0 && test -t 1 && echo both'
	expect_status 0
	[ "$output" = $'both\r' ]

	# without -t, no terminal
	run P run --rm "$OCI_IMAGE" sh -c 'tty; test -t 1 || echo not a tty'
	expect_output "not a tty"
}

@test "podman: run -d, then exec, plain and with -t" {
	run P run -d --name detached "$OCI_IMAGE" sleep 1000
	expect_status 0
	local pid
	pid=$(running_pid detached)
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 1000 " ]
	[ "$(P inspect --format '{{.State.Status}}' detached)" = running ]

	run P exec detached sh -c 'echo "in $(hostname)"; cat /proc/1/cmdline | tr "\0" " "'
	expect_status 0
	expect_output "sleep 1000"
	# the exec'd process is in the container's pid namespace
	run P exec detached sh -c 'echo $$'
	expect_status 0
	[ "$output" -gt 1 ]
	[ "$output" -lt 100 ]

	run P exec detached sh -c 'exit 3'
	expect_status 3

	run P exec -e EXEC_VAR=yes -w /tmp -u 1000:1000 detached sh -c 'echo "$EXEC_VAR $(pwd) $(id -u)"'
	expect_status 0
	[ "$output" = "yes /tmp 1000" ]

	run P exec -t detached tty
	expect_status 0
	[[ "$output" == /dev/pts/*$'\r' ]]

	# the container went on
	[ "$(P inspect --format '{{.State.Status}}' detached)" = running ]
	[ "$(running_pid detached)" = "$pid" ]
}

@test "podman: stop is prompt for a process that handles SIGTERM" {
	run P run -d --name stoppable "$OCI_IMAGE" \
		sh -c 'trap "exit 0" TERM; echo yes > /tmp/trapped; sleep 1000 & wait'
	expect_status 0
	local pid
	pid=$(running_pid stoppable)
	wait_for_file "/proc/$pid/root/tmp/trapped" 1500

	local start end
	start=$(date +%s%N)
	run P stop --time 30 stoppable
	end=$(date +%s%N)
	expect_status 0
	echo "# stop took $(((end - start) / 1000000)) ms" >&3
	[ $((end - start)) -lt 10000000000 ]
	[ "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' stoppable)" = "exited 0" ]

	# stopped, it starts again
	run P start stoppable
	expect_status 0
	running_pid stoppable >/dev/null
}

@test "podman: stop sends SIGKILL after the timeout to a process that ignores SIGTERM" {
	# sleep as PID 1 has no handler: SIGTERM does nothing to it
	run P run -d --name stubborn "$OCI_IMAGE" sleep 1000
	expect_status 0
	running_pid stubborn >/dev/null

	local start end
	start=$(date +%s%N)
	run P stop --time 1 stubborn
	end=$(date +%s%N)
	expect_status 0
	[ $((end - start)) -ge 1000000000 ]
	[ $((end - start)) -lt 20000000000 ]
	[ "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' stubborn)" = "exited 137" ]
}

@test "podman: kill delivers the signal asked for, then SIGKILL; rm removes the container" {
	run P run -d --name killable "$OCI_IMAGE" \
		sh -c 'trap "echo got USR1 > /tmp/usr1" USR1; echo yes > /tmp/trapped; while :; do sleep 0.1; done'
	expect_status 0
	local pid id
	pid=$(running_pid killable)
	id=$(P inspect --format '{{.Id}}' killable)
	wait_for_file "/proc/$pid/root/tmp/trapped" 1500

	run P kill --signal USR1 killable
	expect_status 0
	wait_for_file "/proc/$pid/root/tmp/usr1" 1500
	[ "$(cat "/proc/$pid/root/tmp/usr1")" = "got USR1" ]
	[ "$(P inspect --format '{{.State.Status}}' killable)" = running ]

	run P kill killable
	expect_status 0
	run P wait killable
	expect_status 0
	[ "$output" = 137 ]
	[ "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' killable)" = "exited 137" ]
	[ ! -e "/proc/$pid" ]

	run P rm killable
	expect_status 0
	run P ps --all --quiet
	[ -z "$output" ]
	[ ! -e "$PODMAN_DIR/root/overlay-containers/$id" ]
	run podman_container_mounts
	[ -z "$output" ]
}

@test "podman: rm --force removes a running container" {
	run P run -d --name forced "$OCI_IMAGE" sleep 1000
	expect_status 0
	local pid id
	pid=$(running_pid forced)
	id=$(P inspect --format '{{.Id}}' forced)

	run P rm --force --time 0 forced
	expect_status 0
	[ ! -e "/proc/$pid" ]
	run P ps --all --quiet
	[ -z "$output" ]
	run podman_container_mounts
	[ -z "$output" ]
	run podman_ns "$OCI_RUNTIME" state "$id"
	[ "$status" -ne 0 ]
}

@test "podman: pause freezes the container's processes, unpause thaws them" {
	run P run -d --name pausable "$OCI_IMAGE" \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /tmp/count; sleep 0.02; done'
	expect_status 0
	local pid before after
	pid=$(running_pid pausable)
	wait_for_file "/proc/$pid/root/tmp/count" 1500
	run ! cgroup_frozen "$pid"

	run P pause pausable
	expect_status 0
	[ "$(P inspect --format '{{.State.Status}}' pausable)" = paused ]
	cgroup_frozen "$pid"
	# frozen: the counter stands still
	before=$(cat "/proc/$pid/root/tmp/count")
	sleep 0.5
	after=$(cat "/proc/$pid/root/tmp/count")
	[ "$before" = "$after" ]
	# podman refuses to exec into a paused container
	run P exec pausable true
	[ "$status" -ne 0 ]

	run P unpause pausable
	expect_status 0
	[ "$(P inspect --format '{{.State.Status}}' pausable)" = running ]
	run ! cgroup_frozen "$pid"
	for ((i = 0; i < 150; i++)); do
		[ "$(cat "/proc/$pid/root/tmp/count")" != "$after" ] && break
		sleep 0.1
	done
	[ "$(cat "/proc/$pid/root/tmp/count")" != "$after" ]

	# a paused container can be removed
	run P pause pausable
	expect_status 0
	run P rm --force --time 0 pausable
	expect_status 0
	[ ! -e "/proc/$pid" ]
}

@test "podman: top lists the container's processes" {
	run P run -d --name toppable "$OCI_IMAGE" sh -c 'sleep 1001 & sleep 1002 & wait'
	expect_status 0
	running_pid toppable >/dev/null
	# both sleeps started
	for ((i = 0; i < 100; i++)); do
		P top toppable args 2>/dev/null | grep -q 'sleep 1002' && break
		sleep 0.1
	done

	run P top toppable
	expect_status 0
	expect_output "sleep 1001"
	expect_output "sleep 1002"

	run P top toppable pid user args
	expect_status 0
	[ "$(echo "$output" | awk '$3 == "sh" { print $1, $2 }')" = "1 root" ]
	[ "$(echo "$output" | awk '$3 == "sleep" { print $4 }' | sort | tr '\n' ' ')" = "1001 1002 " ]
}

@test "podman: the container runs under the runtime under test" {
	run P run -d --name which "$OCI_IMAGE" sleep 1000
	expect_status 0
	local pid id conmon
	pid=$(running_pid which)
	id=$(P inspect --format '{{.Id}}' which)

	run P inspect --format '{{.OCIRuntime}}' which
	expect_status 0
	[ "$output" = "$OCI_RUNTIME" ]

	# conmon drives that runtime
	conmon=$(oci_pids_with "-c $id" | head -n 1)
	[ -n "$conmon" ]
	tr '\0' '\n' <"/proc/$conmon/cmdline" | grep -qxF -- "$OCI_RUNTIME"

	# and the runtime has the container, running, with that pid
	run podman_ns "$OCI_RUNTIME" state "$id"
	expect_status 0
	[ "$(echo "$output" | jq -r .status)" = running ]
	[ "$(echo "$output" | jq -r .pid)" = "$pid" ]
}
