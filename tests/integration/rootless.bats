#!/usr/bin/env bats
# Without root: isolate runs as an ordinary user (here nobody, 65534) in a
# user namespace where container root is that user.

load helpers

RUN_AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

setup() {
	SCRATCH=$(mktemp -d "$BATS_TMPDIR/isolate-rootless.XXXXXX")
	chmod 755 "$SCRATCH"
	ROOTFS="$SCRATCH/rootfs"
	cp -a "$ROOTFS_TEMPLATE" "$ROOTFS"
	chown -R 65534:65534 "$ROOTFS"
	# a copy nobody can execute, wherever the build lives
	cp "$ISOLATE" "$SCRATCH/isolate"
	chmod 755 "$SCRATCH/isolate"
	# the run directory (state, lock) of the user, removed with SCRATCH
	mkdir -m 700 "$SCRATCH/xdg"
	chown 65534:65534 "$SCRATCH/xdg"
	mounts_before=$(host_mounts)
}

teardown() {
	restore_subid_files
	local mounts_after
	mounts_after=$(host_mounts)
	rm -rf "$SCRATCH"
	[ "$mounts_before" = "$mounts_after" ]
}

nobody_run() {
	XDG_RUNTIME_DIR="$SCRATCH/xdg" $RUN_AS_NOBODY "$SCRATCH/isolate" run "$@"
}

@test "rootless: container root is the user itself" {
	run nobody_run --rootfs "$ROOTFS" sh -c 'id -u; cat /proc/self/uid_map'
	expect_status 0
	[ "$(echo $output)" = "0 0 65534 1" ]
}

@test "rootless: what container root writes in the rootfs belongs to the user" {
	run nobody_run --rootfs "$ROOTFS" sh -c 'echo hi > /root/new; stat -c %u /etc/passwd'
	expect_status 0
	[ "$output" = 0 ]
	[ "$(stat -c %u "$ROOTFS/root/new")" = 65534 ]
}

@test "rootless: the host-root sandbox is read-only and has its own /tmp" {
	run nobody_run -- sh -c 'touch /etc/isolate-rootless-test; echo "touch=$?"; ls -A /tmp | wc -l; hostname'
	expect_status 0
	expect_output "touch=1"
	[ ! -e /etc/isolate-rootless-test ]
}

@test "rootless: every namespace is new, and --pid/--network host still work" {
	run nobody_run --rootfs "$ROOTFS" sh -c 'echo $$; ls /sys/class/net'
	expect_status 0
	[ "$(echo $output)" = "1 lo" ]
	run nobody_run --rootfs "$ROOTFS" --pid host --network host sh -c 'ps | wc -l; ls /sys/class/net | wc -l'
	expect_status 0
	[ "$(echo "$output" | head -1)" -gt 3 ]
	[ "$(echo "$output" | tail -1)" -gt 1 ]
}

@test "rootless: -t, -v and -w work" {
	mkdir "$SCRATCH/vol"
	chown 65534 "$SCRATCH/vol"
	run script -qec "$RUN_AS_NOBODY '$SCRATCH/isolate' run --rootfs '$ROOTFS' -v '$SCRATCH/vol:/vol' -w /vol -t sh -c 'tty; echo x > f'" /dev/null
	expect_status 0
	expect_output "/dev/pts/0"
	[ "$(stat -c %u "$SCRATCH/vol/f")" = 65534 ]
}

@test "rootless: an id outside the mapping is a clear error, 125" {
	run nobody_run --rootfs "$ROOTFS" -u alice id
	expect_status 125
	expect_output "switch to gid 1000 (is it mapped in the user namespace?)"
}

@test "rootless: --userns host is refused with a clear message, 125" {
	run nobody_run --rootfs "$ROOTFS" --userns host true
	expect_status 125
	expect_output "--userns host needs root"
}

@test "rootless: the user's range in /etc/subuid is mapped through newuidmap" {
	command -v newuidmap >/dev/null || skip "newuidmap (Debian's uidmap) is not installed"
	save_subid_files
	echo "nobody:500000:65536" >> /etc/subuid
	echo "nobody:500000:65536" >> /etc/subgid
	run nobody_run --rootfs "$ROOTFS" -u alice sh -c 'id; cat /proc/self/uid_map'
	expect_status 0
	expect_output "uid=1000(alice) gid=1000(alice)"
	[ "$(echo "$output" | tail -2 | tr -s ' ' | sed 's/^ //' | tr '\n' ' ')" = "0 65534 1 1 500000 65535 " ]
}

@test "rootless: the default network is none; bridge networks and -p are refused, 125" {
	run nobody_run --rootfs "$ROOTFS" ls /sys/class/net
	expect_status 0
	[ "$output" = lo ]
	run nobody_run --rootfs "$ROOTFS" --network bridge true
	expect_status 125
	expect_output "--network bridge needs root"
	run nobody_run --rootfs "$ROOTFS" -p 8080:80 true
	expect_status 125
	expect_output "-p needs a bridge network"
	# the state lived in the user's run directory, and is gone
	[ -z "$(ls "$SCRATCH/xdg/isolate/containers")" ]
}

@test "rootless: /etc/hosts and /etc/hostname name the container" {
	run nobody_run --rootfs "$ROOTFS" --hostname box sh -c 'cat /etc/hostname; grep -c localhost /etc/hosts'
	expect_status 0
	[ "$(echo $output)" = "box 2" ]
}
