#!/usr/bin/env bats
# Hardening: capabilities, no_new_privs, masked and read-only paths, and
# --privileged.

load helpers

# docker's default set: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW
# SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE
DOCKER_CAPS=00000000a80425fb

caps_of() {
	echo "$output" | awk -v k="$1:" '$1 == k { print $2 }'
}

@test "capabilities: docker's default set, nothing inheritable or ambient" {
	run iso_rootfs cat /proc/self/status
	expect_status 0
	[ "$(caps_of CapBnd)" = $DOCKER_CAPS ]
	[ "$(caps_of CapPrm)" = $DOCKER_CAPS ]
	[ "$(caps_of CapEff)" = $DOCKER_CAPS ]
	[ "$(caps_of CapInh)" = 0000000000000000 ]
	[ "$(caps_of CapAmb)" = 0000000000000000 ]
}

@test "capabilities: a user other than root has none in effect, the bounding set stays" {
	run iso_rootfs -u alice cat /proc/self/status
	expect_status 0
	[ "$(caps_of CapEff)" = 0000000000000000 ]
	[ "$(caps_of CapPrm)" = 0000000000000000 ]
	[ "$(caps_of CapBnd)" = $DOCKER_CAPS ]
}

@test "capabilities: root that execs regains only the bounding set" {
	run iso_rootfs sh -c 'exec cat /proc/self/status'
	expect_status 0
	[ "$(caps_of CapEff)" = $DOCKER_CAPS ]
}

@test "--cap-drop and --cap-add take names with or without CAP_, and ALL" {
	run iso_rootfs --cap-drop ALL --cap-add net_admin --cap-add CAP_KILL cat /proc/self/status
	expect_status 0
	# NET_ADMIN is 12, KILL is 5
	[ "$(caps_of CapEff)" = 0000000000001020 ]
	[ "$(caps_of CapBnd)" = 0000000000001020 ]
	run iso_rootfs --cap-drop chown --cap-drop CAP_NET_RAW cat /proc/self/status
	expect_status 0
	[ "$(caps_of CapEff)" = 00000000a80405fa ]
	run iso_rootfs --cap-add ALL --cap-drop sys_admin cat /proc/self/status
	expect_status 0
	[ "$(( 0x$(caps_of CapEff) & (1 << 21) ))" -eq 0 ]
	[ "$(( 0x$(caps_of CapEff) & (1 << 12) ))" -ne 0 ]
}

@test "an unknown capability is a clear error, 125" {
	run iso_rootfs --cap-add NOPE true
	expect_status 125
	expect_output "isolate: --cap-add: unknown capability NOPE"
	run iso_rootfs --cap-drop CAP_ true
	expect_status 125
}

@test "without CAP_SYS_ADMIN the container cannot mount anything" {
	run iso_rootfs sh -c 'mount -t tmpfs x /tmp 2>&1 || echo refused'
	expect_output "permission denied"
	expect_output "refused"
}

@test "--privileged gives every capability and unmasks /proc and /sys" {
	run iso_rootfs --privileged sh -c 'grep CapEff /proc/self/status; grep -c " /proc/sys " /proc/self/mountinfo || true'
	expect_status 0
	[[ "$output" != *"CapEff:	00000000a80425fb"* ]]
	[ "$(echo "$output" | tail -1)" = 0 ]
	run iso_rootfs --privileged sh -c 'mount -t tmpfs x /tmp && echo mounted'
	expect_output "mounted"
	run iso_rootfs --privileged sh -c 'grep -E " /sys(/fs/cgroup)? " /proc/self/mountinfo | cut -d" " -f6 | cut -d, -f1'
	[ "$(echo $output)" = "rw rw" ]
}

@test "--security-opt no-new-privileges: a setuid binary gains nothing" {
	# a setuid-root program that prints its effective uid (busybox drops
	# a setuid bit itself, so it cannot show this)
	mkdir "$ROOTFS/suid"
	printf '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("%%d\\n", (int)geteuid()); return 0; }\n' \
		> "$SCRATCH/euid.c"
	cc -static -o "$ROOTFS/suid/euid" "$SCRATCH/euid.c"
	chown 0:0 "$ROOTFS/suid/euid"
	chmod 4755 "$ROOTFS/suid/euid"
	# without it alice becomes root through the setuid program
	run iso_rootfs -u alice /suid/euid
	expect_status 0
	[ "$output" = 0 ]
	run iso_rootfs -u alice --security-opt no-new-privileges sh -c 'grep NoNewPrivs /proc/self/status; exec /suid/euid'
	expect_status 0
	expect_output "NoNewPrivs:	1"
	[ "$(echo "$output" | tail -1)" = 1000 ]
}

@test "masked paths: /proc/keys, /proc/timer_list and kin read empty, /sys/firmware is empty" {
	run iso_rootfs sh -c 'for f in /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
			[ -e $f ] && echo "$f $(wc -c < $f)"; done
		ls -A /sys/firmware | wc -l; ls -A /proc/acpi 2>/dev/null | wc -l'
	expect_status 0
	echo "$output"
	[ -z "$(echo "$output" | grep '^/proc' | grep -v ' 0$')" ]
	[ "$(echo "$output" | grep -v '^/proc' | tr '\n' ' ')" = "0 0 " ]
}

@test "read-only paths: writes to /proc/sys, /proc/sysrq-trigger and /sys fail" {
	run iso_rootfs sh -c '
		{ echo 1 > /proc/sys/kernel/panic; } 2>/dev/null && echo wrote-sys
		[ -e /proc/sysrq-trigger ] && { { echo h > /proc/sysrq-trigger; } 2>/dev/null && echo wrote-sysrq; }
		{ echo 1 > /sys/kernel/profiling; } 2>/dev/null && echo wrote-sysfs
		grep -E " /proc/(sys|bus|fs|irq) " /proc/self/mountinfo | cut -d" " -f6 | cut -d, -f1 | sort -u'
	expect_status 0
	[ "$output" = ro ]
}

@test "the network namespace's sysctls are still set, before /proc/sys is read-only" {
	run iso_rootfs --network none cat /proc/sys/net/ipv4/ip_unprivileged_port_start
	expect_status 0
	[ "$output" = 0 ]
}

@test "--security-opt: unknown options and seccomp profiles are clear errors; absent LSMs are warnings" {
	run iso_rootfs --security-opt bogus true
	expect_status 125
	expect_output "--security-opt bogus: unknown option"
	run iso_rootfs --security-opt no-new-privileges=maybe true
	expect_status 125
	expect_output "expected true or false"
	run iso_rootfs --security-opt seccomp=unconfined true
	expect_status 0
	if ! grep -qs apparmor /sys/kernel/security/lsm; then
		run iso_rootfs --security-opt apparmor=docker-default true
		expect_status 0
		expect_output "AppArmor is not enabled on this host"
	fi
	run iso_rootfs --security-opt systempaths=unconfined sh -c 'grep -c " /proc/sys " /proc/self/mountinfo || true'
	expect_status 0
	[ "$output" = 0 ]
}

# ---- escapes that runc and crun had CVEs for -------------------------------

@test "CVE-2019-5736: a container that sees isolate cannot reach its binary" {
	# --pid host shows the runtime's pid; as container root, and even as
	# the host's root (--userns host) without CAP_SYS_PTRACE
	for userns in private host; do
		run iso_rootfs --pid host --userns "$userns" sh -c '
			p=$PPID; grep -q isolate /proc/$p/comm || { echo "parent is not isolate"; exit 1; }
			readlink /proc/$p/exe && echo read-exe
			{ echo x >> /proc/$p/exe; } 2>/dev/null && echo wrote-exe
			for f in /proc/$p/fd/*; do readlink "$f" >/dev/null 2>&1 && echo followed-fd; done
			echo done' 2>/dev/null
		expect_status 0
		echo "$userns: $output"
		[ "$output" = done ]
	done
	# the binary is untouched
	"$ISOLATE" --version
}

@test "CVE-2024-21626: no fd of isolate's or its caller's reaches the container" {
	exec 7</etc/passwd 8>"$SCRATCH/leak"
	run iso_rootfs ls /proc/self/fd
	exec 7<&- 8>&-
	expect_status 0
	# ls's own directory fd is 3
	[ "$(echo $output)" = "0 1 2 3" ]
	# under --init, the command's
	run iso_rootfs --init ls /proc/self/fd
	expect_status 0
	[ "$(echo $output)" = "0 1 2 3" ]
	run iso_rootfs -t ls /proc/self/fd
	expect_status 0
	[ "$(echo $output | tr -d '\r')" = "0 1 2 3" ]
}

@test "CVE-2024-21626: the working directory is the container's, never a host directory" {
	run iso_rootfs -w /tmp sh -c 'readlink /proc/self/cwd; cd ../..; readlink /proc/self/cwd; ls /'
	expect_status 0
	[ "$(echo "$output" | head -2 | tr '\n' ' ')" = "/tmp / " ]
	[[ "$output" != *"$(basename "$SCRATCH")"* ]]
	expect_output "etc"
}

@test "the container cannot see, signal or ptrace host processes" {
	sleep 1000 &
	local host_pid=$!
	run iso_rootfs sh -c "ls /proc | grep -qx $host_pid && echo visible; kill -0 $host_pid 2>/dev/null && echo signalled; echo done"
	[ "$output" = done ]
	# even with the host's pid namespace, container root is not the host's root
	run iso_rootfs --pid host sh -c "kill -0 $host_pid 2>/dev/null && echo signalled
		cat /proc/$host_pid/environ >/dev/null 2>&1 && echo read-environ; echo done"
	kill "$host_pid"
	[ "$output" = done ]
}

@test "mknod of the host's root disk, then reading it, fails" {
	local dev maj min
	dev=$(stat -c %d /)
	maj=$((dev >> 8)) min=$((dev & 0xff))
	run iso_rootfs sh -c "mknod /tmp/disk b $maj $min 2>/dev/null && head -c 512 /tmp/disk >/dev/null 2>&1 && echo read-disk
		mknod /dev/disk b $maj $min 2>/dev/null && head -c 512 /dev/disk >/dev/null 2>&1 && echo read-disk; echo done"
	[ "$output" = done ]
	# and as the host's root (--userns host) the new node is refused on the
	# container's /dev, which is nodev... or the read is
	run iso_rootfs --userns host sh -c "mknod /tmp/disk b $maj $min 2>/dev/null && head -c 512 /tmp/disk >/dev/null 2>&1 && echo read-disk; echo done"
	[ "$output" = done ]
}

# ---- seccomp ---------------------------------------------------------------

@test "seccomp: docker's default profile is on: no new namespaces, no keyctl, clone3 says ENOSYS" {
	run iso_rootfs sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true 2>&1; unshare -n true 2>&1; echo end'
	expect_status 0
	expect_output "Seccomp:	2"
	[ "$(echo "$output" | grep -c "Operation not permitted")" -eq 2 ]
	# with CAP_SYS_ADMIN the profile lets unshare through, as docker's does
	run iso_rootfs --cap-add SYS_ADMIN unshare -U true
	expect_status 0
}

@test "seccomp: --privileged and seccomp=unconfined load no filter" {
	run iso_rootfs --privileged grep "^Seccomp:" /proc/self/status
	expect_status 0
	[ "$output" = "Seccomp:	0" ]
	run iso_rootfs --security-opt seccomp=unconfined grep "^Seccomp:" /proc/self/status
	[ "$output" = "Seccomp:	0" ]
}

@test "seccomp: a profile in docker's format is loaded, with its errnoRet" {
	cat > "$SCRATCH/profile.json" <<-'JSON'
	{
		"defaultAction": "SCMP_ACT_ALLOW",
		"archMap": [ { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": [ "SCMP_ARCH_X86", "SCMP_ARCH_X32" ] } ],
		"syscalls": [
			{ "names": [ "mkdir", "mkdirat" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
			{ "names": [ "chmod", "fchmodat" ], "action": "SCMP_ACT_ERRNO", "includes": { "caps": [ "CAP_SYS_ADMIN" ] } },
			{ "names": [ "rmdir" ], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 0, "op": "SCMP_CMP_NE" } ] }
		]
	}
	JSON
	run iso_rootfs --security-opt seccomp="$SCRATCH/profile.json" sh -c '
		mkdir /tmp/x 2>&1; touch /tmp/f; chmod 600 /tmp/f && echo chmod-ok; rmdir /tmp 2>&1; echo end'
	expect_status 0
	expect_output "Permission denied"
	expect_output "chmod-ok"
	expect_output "Operation not permitted"
}

@test "seccomp: a bad profile is a clear error naming what is wrong, 125" {
	echo '{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": [ "read", "no_such_call" ], "action": "SCMP_ACT_ALLOW" } ] }' > "$SCRATCH/p1.json"
	run iso_rootfs --security-opt seccomp="$SCRATCH/p1.json" true
	expect_status 125
	expect_output "syscalls[0].names[1]: unknown syscall \"no_such_call\""
	echo '{ "defaultAction": "SCMP_ACT_MAYBE" }' > "$SCRATCH/p2.json"
	run iso_rootfs --security-opt seccomp="$SCRATCH/p2.json" true
	expect_status 125
	expect_output "defaultAction: unknown action \"SCMP_ACT_MAYBE\""
	printf '{\n  "defaultAction": \n}\n' > "$SCRATCH/p3.json"
	run iso_rootfs --security-opt seccomp="$SCRATCH/p3.json" true
	expect_status 125
	expect_output "p3.json:3:"
	run iso_rootfs --security-opt seccomp=/nonexistent.json true
	expect_status 125
	expect_output "/nonexistent.json"
}

@test "--preserve-fds N passes fds 3..3+N-1 on, and nothing else" {
	echo passed-on > "$SCRATCH/three"
	run bash -c "exec 3<'$SCRATCH/three' 4</etc/hostname 9</etc/passwd; '$ISOLATE' run --rootfs '$ROOTFS' --preserve-fds 2 sh -c 'cat <&3; ls /proc/self/fd | tr \"\\n\" \" \"'"
	expect_status 0
	expect_output "passed-on"
	# 0-2, the two passed on, and ls's own directory fd (5); never the caller's 9
	[ "$(echo "$output" | tail -1)" = "0 1 2 3 4 5 " ]
	run bash -c "exec 3<'$SCRATCH/three'; '$ISOLATE' run --rootfs '$ROOTFS' --preserve-fds 1 ls /proc/self/fd"
	[ "$(echo $output)" = "0 1 2 3 4" ]
	run bash -c "exec 3<&- 4<&-; '$ISOLATE' run --rootfs '$ROOTFS' --preserve-fds 2 true"
	expect_status 125
	expect_output "preserve fd 3: Bad file descriptor"
}
