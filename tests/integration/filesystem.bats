#!/usr/bin/env bats
# The container's filesystem: the host-root sandbox, --rootfs, binds,
# tmpfs, /dev, and symlinks in a rootfs that try to lead a mount out.

load helpers

@test "host-root sandbox: the host's files are visible and cannot be changed" {
	run "$ISOLATE" run -- sh -c 'cat /etc/os-release; touch /etc/isolate-test-file; echo "touch=$?"'
	expect_status 0
	expect_output "$(head -1 /etc/os-release)"
	expect_output "touch=1"
	[ ! -e /etc/isolate-test-file ]
}

@test "host-root sandbox: root cannot make the host's root writable again" {
	run "$ISOLATE" run -- sh -c 'mount -o remount,rw /; echo "remount=$?"; touch /etc/isolate-test-file; echo "touch=$?"'
	expect_status 0
	expect_output "remount=32"
	expect_output "touch=1"
	[ ! -e /etc/isolate-test-file ]
}

@test "host-root sandbox: /tmp and /run are private and empty" {
	marker=$(mktemp /tmp/isolate-host-marker.XXXXXX)
	run "$ISOLATE" run -- sh -c "ls -A /tmp /run | grep -v :; test -e $marker; echo test=\$?; echo x > /tmp/y && cat /tmp/y"
	rm -f "$marker"
	expect_status 0
	[ "$(echo $output)" = "test=1 x" ]
	[ ! -e /tmp/y ]
}

@test "--rootfs: the container sees only DIR, and the old root is gone" {
	echo secret > "$SCRATCH/host-marker"
	run iso_rootfs sh -c "ls /; ls $SCRATCH 2>&1; cut -d' ' -f5 /proc/self/mountinfo | sort -u"
	expect_status 0
	expect_output "No such file or directory"
	[[ "$output" != *host-marker* ]]
	# the cgroup hierarchies below /sys/fs/cgroup are the host's (v1) or none
	# (v2); below /proc and /sys, the masked and read-only paths (security.bats)
	mountpoints=$(echo "$output" | grep '^/' | grep -v '^/sys/fs/cgroup/' |
		grep -Ev '^/(proc/|sys/firmware$|sys/devices/)' | tr '\n' ' ')
	[ "$mountpoints" = "/ /dev /dev/full /dev/mqueue /dev/null /dev/pts /dev/random /dev/shm /dev/tty /dev/urandom /dev/zero /etc/hostname /etc/hosts /etc/resolv.conf /proc /sys /sys/fs/cgroup " ]
}

@test "--rootfs: files are owned by root inside, and what root writes is owned by root on the host" {
	run iso_rootfs sh -c 'stat -c "%u:%g" /etc/passwd /home/alice; echo hi > /root/new'
	expect_status 0
	[ "$(echo $output)" = "0:0 1000:1000" ]
	[ "$(stat -c %u:%g "$ROOTFS/root/new")" = "0:0" ]
}

@test "--read-only makes the root read-only, and --tmpfs still gives a writable place" {
	run iso_rootfs --read-only --tmpfs /scratch sh -c 'touch /x; echo "root=$?"; touch /scratch/x; echo "tmpfs=$?"'
	expect_status 0
	expect_output "root=1"
	expect_output "tmpfs=0"
	[ ! -e "$ROOTFS/x" ]
}

@test "-v binds a host directory; files the container's root creates are owned by root on the host" {
	mkdir "$SCRATCH/vol"
	echo from-host > "$SCRATCH/vol/in"
	run iso_rootfs -v "$SCRATCH/vol:/data" sh -c 'cat /data/in; stat -c %u /data/in; echo from-ctr > /data/out'
	expect_status 0
	[ "$(echo $output)" = "from-host 0" ]
	[ "$(cat "$SCRATCH/vol/out")" = from-ctr ]
	[ "$(stat -c %u:%g "$SCRATCH/vol/out")" = "0:0" ]
}

@test "-v :ro is read-only and stays read-only" {
	mkdir "$SCRATCH/vol"
	run iso_rootfs -v "$SCRATCH/vol:/data:ro" sh -c 'touch /data/x; echo "touch=$?"; mount -o remount,rw /data; echo "remount=$?"; touch /data/x; echo "again=$?"'
	expect_status 0
	expect_output "touch=1"
	expect_output "again=1"
	[ ! -e "$SCRATCH/vol/x" ]
}

@test "-v binds a single file, creating its mount point" {
	echo filedata > "$SCRATCH/file"
	run iso_rootfs -v "$SCRATCH/file:/etc/config/app.conf" cat /etc/config/app.conf
	expect_status 0
	[ "$output" = filedata ]
}

@test "--tmpfs mounts an empty tmpfs owned by root with the options given" {
	run iso_rootfs --tmpfs /data:size=1m,mode=1777 sh -c 'ls -A /data; stat -c "%a %u" /data; grep " /data " /proc/self/mountinfo'
	expect_status 0
	expect_output "1777 0"
	expect_output "size=1024k"
	expect_output "noexec"
}

@test "a rootfs symlink to /etc used as a -v target mounts inside the rootfs" {
	ln -s /etc "$ROOTFS/data"
	mkdir "$SCRATCH/vol"
	echo volume > "$SCRATCH/vol/marker"
	run iso_rootfs -v "$SCRATCH/vol:/data" sh -c 'cat /etc/marker; cat /data/marker'
	expect_status 0
	[ "$(echo $output)" = "volume volume" ]
	[ ! -e /etc/marker ]
	[ -s /etc/passwd ]
}

@test "a rootfs symlink climbing out with ../.. used as a -v target never reaches the host" {
	ln -s ../../../../../../../../.. "$ROOTFS/data"
	mkdir "$SCRATCH/vol"
	echo volume > "$SCRATCH/vol/marker"
	run iso_rootfs -v "$SCRATCH/vol:/data" cat /marker
	# either mounted over the container's own root, or refused
	[ "$status" -eq 0 ] || [ "$status" -eq 125 ]
	[ ! -e /marker ]
	[ -s /etc/passwd ]
}

@test "a rootfs symlink in the middle of a -v target path is resolved inside the rootfs" {
	mkdir -p "$ROOTFS/inner"
	ln -s /../../inner "$ROOTFS/link"
	mkdir "$SCRATCH/vol"
	run iso_rootfs -v "$SCRATCH/vol:/link/sub" sh -c 'grep -c " /inner/sub " /proc/self/mountinfo'
	expect_status 0
	[ "$output" = 1 ]
	[ -d "$ROOTFS/inner/sub" ]
}

@test "/dev holds only the default nodes, a new devpts and the standard links" {
	run iso_rootfs sh -c 'ls /dev | tr "\n" " "; ls /dev/pts | tr "\n" " "'
	expect_status 0
	[ "$output" = "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ptmx " ]
}

@test "/dev/null and /dev/zero work, /sys is read-only, /proc is the container's" {
	run iso_rootfs sh -c 'echo x > /dev/null && head -c 3 /dev/zero | wc -c; touch /sys/x; echo "sys=$?"; cat /proc/1/cmdline | tr "\0" " "'
	expect_status 0
	expect_output "3"
	expect_output "sys=1"
	expect_output "sh -c"
}

@test "a filesystem that cannot be idmapped is said once, and used with the plain mapping" {
	run iso_rootfs -v /sys/kernel:/k ls /k/boot_params
	expect_status 0
	[ "$(echo "$output" | grep -c 'cannot be an idmapped mount')" -eq 1 ]
	expect_output "/k cannot be an idmapped mount"
}

@test "nothing of a run is left in the host's mount table" {
	mkdir "$SCRATCH/vol"
	for _ in 1 2 3; do
		run iso_rootfs -v "$SCRATCH/vol:/data" --tmpfs /t true
		expect_status 0
	done
	run "$ISOLATE" run -- true
	expect_status 0
	# teardown compares the host's mount table with the one before
}

@test "the container's root cannot unmount a -v, --tmpfs or /dev mount to see what it covers" {
	mkdir "$SCRATCH/vol"
	echo hidden > "$ROOTFS/root/under"
	mkdir -p "$ROOTFS/data"
	run iso_rootfs -v "$SCRATCH/vol:/data:ro" --tmpfs /root sh -c '
		for m in /data /root /dev /dev/null /dev/shm; do umount $m 2>/dev/null; echo "$m=$?"; done
		cat /root/under 2>/dev/null || echo covered'
	expect_status 0
	[ "$(echo $output)" = "/data=1 /root=1 /dev=1 /dev/null=1 /dev/shm=1 covered" ]
}

@test "host-root sandbox: the private /tmp cannot be unmounted to reach the host's /tmp" {
	marker=$(mktemp /tmp/isolate-host-marker.XXXXXX)
	run "$ISOLATE" run -- sh -c "umount /tmp 2>/dev/null; echo umount=\$?; test -e $marker; echo test=\$?"
	rm -f "$marker"
	expect_status 0
	[ "$(echo $output)" = "umount=32 test=1" ]
}
