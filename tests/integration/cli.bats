#!/usr/bin/env bats
# The command line itself.

load helpers

@test "isolate --version prints the version" {
	run "$ISOLATE" --version
	expect_status 0
	[[ "$output" =~ ^isolate\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "isolate --help and isolate run --help describe the commands" {
	run "$ISOLATE" --help
	expect_status 0
	expect_output "run       Run a command in a new container"
	run "$ISOLATE" run --help
	expect_status 0
	expect_output "--rootfs DIR"
	expect_output "Exit status:"
}

@test "an unknown command: usage, 125" {
	run "$ISOLATE" frobnicate
	expect_status 125
	expect_output "isolate: unknown command: frobnicate"
	run "$ISOLATE"
	expect_status 125
	expect_output "no command given"
}

@test "arguments after the command belong to the command" {
	run iso_rootfs echo --rootfs -v -- x
	expect_status 0
	[ "$output" = "--rootfs -v -- x" ]
	run iso_rootfs -- echo hi
	expect_status 0
	[ "$output" = hi ]
}

@test "the command runs when isolate's stdio is closed" {
	run bash -c "'$ISOLATE' run --rootfs '$ROOTFS' sh -c 'ls /proc/self/fd | wc -l' <&- 2>/dev/null"
	expect_status 0
}
