#!/usr/bin/env bats
# Bad input: a clear message, exit status 125, and nothing left behind
# (teardown checks the host's mount table; these also check for leftover
# processes and files).

load helpers

# No process of a failed run may survive it.
no_leftover_processes() {
	! pgrep -f "isolate run --rootfs $ROOTFS" >/dev/null
}

@test "a missing rootfs: message, 125, nothing left" {
	run "$ISOLATE" run --rootfs "$SCRATCH/nope" true
	expect_status 125
	[ "$output" = "isolate: rootfs $SCRATCH/nope: No such file or directory" ]
	no_leftover_processes
}

@test "a rootfs that is a file: message, 125" {
	touch "$SCRATCH/file"
	run "$ISOLATE" run --rootfs "$SCRATCH/file" true
	expect_status 125
	expect_output "rootfs $SCRATCH/file: Not a directory"
}

@test "a missing command: usage, 125" {
	run iso_rootfs
	expect_status 125
	expect_output "isolate: no command given"
	expect_output "Usage: isolate run"
}

@test "an unknown flag: usage, 125" {
	run "$ISOLATE" run --no-such-flag true
	expect_status 125
	expect_output "isolate: unknown flag: --no-such-flag"
	expect_output "See 'isolate run --help'."
	run "$ISOLATE" run -Z true
	expect_status 125
	expect_output "unknown flag: -Z"
}

@test "a flag without its argument: usage, 125" {
	run "$ISOLATE" run --rootfs
	expect_status 125
	expect_output "flag needs an argument: --rootfs"
}

@test "bad -v specs: message, 125, nothing mounted or created" {
	for spec in "nocolon" "relative:/data" "$SCRATCH:data" "$SCRATCH:/data:rx" "$SCRATCH:/data:" "$SCRATCH:/../x" "$SCRATCH:/"; do
		run iso_rootfs -v "$spec" true
		expect_status 125
		expect_output "isolate: invalid volume $spec"
	done
	[ ! -e "$ROOTFS/data" ]
}

@test "a -v source that does not exist: message, 125, no mount point created" {
	run iso_rootfs -v "$SCRATCH/missing:/data" true
	expect_status 125
	[ "$output" = "isolate: bind mount source $SCRATCH/missing: No such file or directory" ]
	[ ! -e "$ROOTFS/data" ]
}

@test "a -v target missing from the read-only host root: message, 125" {
	run "$ISOLATE" run -v "$SCRATCH:/no-such-dir-on-host" -- true
	expect_status 125
	expect_output "mount point /no-such-dir-on-host does not exist in the host's root"
	[ ! -e /no-such-dir-on-host ]
}

@test "bad uid maps: message, 125" {
	for map in "0:100000" "a:b:c" "0:100000:0" "-1:100000:10" "0:100000:10:5"; do
		run iso_rootfs --uidmap "$map" true
		expect_status 125
		expect_output "isolate: invalid id map $map"
	done
	run iso_rootfs --uidmap 0:4294967295:10 true
	expect_status 125
	expect_output "isolate: uid map: 0:4294967295:10: range goes past the largest id"
	run iso_rootfs --uidmap 0:100000:100 --uidmap 50:200000:100 true
	expect_status 125
	expect_output "isolate: uid map: 50:200000:100 overlaps 0:100000:100"
	run iso_rootfs --gidmap 0:100000:100 --gidmap 0:300000:100 true
	expect_status 125
	expect_output "isolate: gid map: 0:300000:100 overlaps 0:100000:100"
}

@test "an unknown user: docker's message, 125" {
	run iso_rootfs -u nosuchuser true
	expect_status 125
	[ "$output" = "isolate: unable to find user nosuchuser: no matching entries in passwd file" ]
	run iso_rootfs -u root:nosuchgroup true
	expect_status 125
	expect_output "unable to find group nosuchgroup"
}

@test "bad namespace modes: message, 125" {
	run iso_rootfs --pid nope true
	expect_status 125
	expect_output "invalid --pid mode nope: expected private or host"
	run iso_rootfs --network container: true
	expect_status 125
	expect_output "invalid --network container:: name the container"
	run iso_rootfs --network a/b true
	expect_status 125
	expect_output "invalid --network a/b: expected none, host, bridge"
}

@test "conflicting flags: message, 125" {
	run iso_rootfs --uts host --hostname x true
	expect_status 125
	expect_output "conflicting options: --hostname and --uts host"
	run iso_rootfs --userns host --uidmap 0:100000:10 true
	expect_status 125
	expect_output "conflicting options"
}

@test "a relative working directory: message, 125" {
	run iso_rootfs -w relative true
	expect_status 125
	expect_output "working directory relative: not an absolute path"
}

@test "a missing --env-file: message, 125" {
	run iso_rootfs --env-file "$SCRATCH/none" true
	expect_status 125
	expect_output "open env file $SCRATCH/none: No such file or directory"
}

@test "a bad --tmpfs option: the kernel's reason, 125, nothing left" {
	run iso_rootfs --tmpfs /t:size=lots true
	expect_status 125
	expect_output "mount tmpfs on /t: option size=lots"
	no_leftover_processes
}

@test "a failure in the container's setup is reported by the parent with the step and the reason" {
	# a working directory under a file cannot be created
	run iso_rootfs -w /etc/passwd/sub true
	expect_status 125
	expect_output "isolate: create the working directory /etc/passwd/sub: Not a directory"
}
