#!/bin/busybox sh
# shellcheck shell=dash
# PID 1 of the cgroup v2 test VM (see run-in-v2-vm.sh), in busybox's sh.
#
# Stage 1, as /init of the initramfs: mount the host's root (9p, read-only)
# under a tmpfs overlay, and under it everything the command needs: /proc,
# /sys, a cgroup2-only hierarchy with every controller enabled, /dev, fresh
# /run and /tmp, the disks and the shares.  Then switch_root into it (not
# chroot: unshare(CLONE_NEWUSER) fails with EPERM inside a chroot).
# Stage 2, as /run/vm/init in that root: run the command (/run/vm/host/cmd,
# output to /run/vm/host/out and err), write its exit status to
# /run/vm/host/status and power off.  /run/vm/host is the host's run
# directory (9p).  Busybox does the work, from RAM: host binaries load over
# 9p, slowly under emulation.  Messages go to the console, console.log on
# the host.

b=/run/vm/busybox
h=/run/vm/host
p9=trans=virtio,version=9p2000.L,msize=512000

say() { echo "vm-init: $*"; }
now() {
	read -r t _ </proc/uptime
	echo "${t}s"
}
fail() {
	say "FATAL: $*"
	if [ -x $b ]; then $b poweroff -f; else poweroff -f; fi
}

stage1() {
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	say "stage 1 at $(now)"
	# virtio, 9p, overlay, virtio_blk and ext4, dependencies first
	while read -r ko; do
		insmod "$ko" || say "insmod $ko failed"
	done </modules.list

	r=/newroot
	mkdir -p /host /rw $r
	mount -t 9p -o $p9,ro,cache=loose hostroot /host || fail "cannot mount the host's root over 9p"
	mount -t tmpfs -o mode=0755 tmpfs /rw
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay $r ||
		fail "cannot mount the overlay"

	mount -t proc proc $r/proc
	mount -t sysfs sysfs $r/sys
	# cgroup v2 only (cgroup_no_v1=all), every controller enabled in the
	# root's subtree, as systemd does
	mount -t cgroup2 -o nsdelegate cgroup2 $r/sys/fs/cgroup || fail "cannot mount cgroup2"
	read -r controllers <$r/sys/fs/cgroup/cgroup.controllers
	for c in $controllers; do
		echo "+$c" >$r/sys/fs/cgroup/cgroup.subtree_control || say "cannot enable the $c controller"
	done
	mount -t bpf bpf $r/sys/fs/bpf

	# Disks, told apart by their serial: "work" (ext4, made by the host) is
	# /var/tmp, where idmapped mounts work; "scratch" stays blank.
	for dev in /sys/block/vd*; do
		[ -e "$dev" ] || continue
		case $(cat "$dev/serial") in
		work) mount -t ext4 "/dev/${dev##*/}" $r/var/tmp || fail "cannot mount the work disk" ;;
		scratch) echo "/dev/${dev##*/}" >/scratch ;;
		esac
	done
	mount --move /dev $r/dev
	mkdir -p $r/dev/pts $r/dev/shm $r/dev/mqueue
	mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $r/dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $r/dev/shm
	mount -t mqueue mqueue $r/dev/mqueue
	ln -sfn /proc/self/fd $r/dev/fd
	ln -sf /proc/self/fd/0 $r/dev/stdin
	ln -sf /proc/self/fd/1 $r/dev/stdout
	ln -sf /proc/self/fd/2 $r/dev/stderr

	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $r/run
	mkdir -p $r$h $r/run/lock
	mount -t 9p -o $p9,cache=none vmrun $r$h || fail "cannot mount the run directory over 9p"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $r/tmp
	# read-write shares, one path a line, tags rw0, rw1...
	i=0
	while read -r dir; do
		mkdir -p "$r$dir"
		mount -t 9p -o $p9,cache=none "rw$i" "$r$dir" || fail "cannot mount the share $dir"
		i=$((i + 1))
	done <$r$h/rw-dirs
	# the command's working directory, wherever it is (read-only)
	read -r cwd <$r$h/cwd-dir
	if [ "$cwd" != / ]; then
		mkdir -p "$r$cwd"
		mount -t 9p -o $p9,ro,cache=loose cwd "$r$cwd" || fail "cannot mount the working directory $cwd"
	fi

	hostname isolate-v2-vm
	ip link set lo up
	[ -e /scratch ] && cp /scratch $r/run/vm/scratch
	cp /bin/busybox $r$b
	cp /init $r/run/vm/init
	umount /proc /sys
	exec switch_root $r $b sh /run/vm/init stage2
}

stage2() {
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	# Other modules (veth, bridge, nf_tables...) load on demand, by the
	# host's modprobe from its /lib/modules.
	echo /sbin/modprobe >/proc/sys/kernel/modprobe
	set -- PATH="$PATH" HOME=/root LANG=C.UTF-8 TERM=dumb ISOLATE_IN_VM=1
	[ -s /run/vm/scratch ] && set -- "$@" ISOLATE_VM_DISK="$($b cat /run/vm/scratch)"
	say "command starts at $(now)"
	: >$h/started
	$b env -i "$@" /bin/bash --noprofile --norc $h/cmd </dev/null >>$h/out 2>>$h/err
	rc=$?
	say "command exited with status $rc at $(now)"
	echo "$rc" >$h/status
	$b sync
	$b poweroff -f
}

case ${1:-} in
stage2) stage2 ;;
*) stage1 ;;
esac
