#!/usr/bin/env bash
# Runs one command as root in a throwaway QEMU VM whose cgroups are pure
# cgroup v2 (cgroup_no_v1=all, every controller enabled at the root), with
# Debian's kernel and this host's root filesystem as its own, read-only
# under a tmpfs overlay: host binaries and the repository are there at
# their paths.  See docs/testing.md.
#
#   tests/vm/run-in-v2-vm.sh [OPTIONS] [--] COMMAND [ARG...]
#
#   -t SECS       give up after SECS seconds (default 600)
#   -d MIB        attach a blank scratch disk of MIB MiB; the VM's
#                 $ISOLATE_VM_DISK names it (/dev/vda)
#   -w DIR        share DIR read-write; anything else written is lost
#   -e VAR=VALUE  set VAR for the command (repeatable)
#   -m MIB        memory (default 2048)
#   -c CPUS       CPUs (default: the host's, at most 4)
#   -v            print the VM's console at the end
#
# The command runs in the current directory with ISOLATE_IN_VM=1, stdin
# /dev/null, /tmp and /run fresh tmpfs and /var/tmp a fresh ext4 disk.
# Its output comes back as it goes.  Exit status: the command's; 124 when
# it timed out; 125 when the VM failed to boot or to run it.
# Needs: qemu-system-x86 linux-image-amd64 busybox-static cpio kmod e2fsprogs
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout=600 disk_mib=0 mem=2048 cpus=$(nproc) verbose=0
[ "$cpus" -le 4 ] || cpus=4
rw_dirs=() envs=()

usage() {
	sed -n '8,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
die() {
	echo "run-in-v2-vm: $*" >&2
	exit 125
}

while getopts ":t:d:w:e:m:c:vh" opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	d) disk_mib=$OPTARG ;;
	w) rw_dirs+=("$(realpath -e -- "$OPTARG")") ;;
	e) [[ $OPTARG == [A-Za-z_]*=* ]] || usage; envs+=("$OPTARG") ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage

[ "$(id -u)" -eq 0 ] || die "run as root (the host's root is shared with the VM)"
for tool in qemu-system-x86_64 cpio modprobe mkfs.ext4; do
	command -v "$tool" >/dev/null ||
		die "$tool is missing (apt-get install qemu-system-x86 linux-image-amd64 busybox-static cpio kmod e2fsprogs)"
done

# The newest installed kernel that has its modules.
kver=$(for k in /boot/vmlinuz-*; do
	v=${k#/boot/vmlinuz-}
	[ -d "/lib/modules/$v/kernel" ] && echo "$v"
done | sort -V | tail -n 1)
[ -n "$kver" ] || die "no kernel in /boot with modules in /lib/modules (apt-get install linux-image-amd64)"
bzimage=/boot/vmlinuz-$kver
busybox=$(command -v busybox) || die "busybox is missing (apt-get install busybox-static)"
! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is not static (apt-get install busybox-static)"

# ---- the run directory, shared with the VM at /run/vm/host ----------------
run=$(mktemp -d "${TMPDIR:-/tmp}/isolate-vm.XXXXXX")
cache=${ISOLATE_VM_CACHE:-/var/tmp/isolate-vm-cache}
qpid="" tails=()
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	set +e
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	for p in "${tails[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$run" "$cache"/*."$$"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- boot files, made once and kept in $cache ----------------------------
mkdir -p "$cache"

# The bzImage's payload, uncompressed: QEMU boots that ELF through its PVH
# entry point, skipping the decompression in the guest (3-4 s under TCG).
# The payload's place is in the bzImage's setup header (Documentation/
# arch/x86/boot.rst): setup_sects at 0x1f1, payload_offset at 0x248.
extract_vmlinux() { # BZIMAGE OUT
	local sects off len
	sects=$(od -An -tu1 -j $((0x1f1)) -N 1 "$1")
	[ "$sects" -gt 0 ] || sects=4
	read -r off len < <(od -An -tu4 -j $((0x248)) -N 8 "$1")
	tail -c +$(((sects + 1) * 512 + off + 1)) "$1" | head -c "$len" |
		xz -dc --single-stream >"$2.$$" 2>/dev/null || true
	[ "$(od -An -tx1 -N 4 "$2.$$" | tr -d ' ')" = 7f454c46 ] && mv "$2.$$" "$2"
}

kernel=$bzimage
if grep -qx CONFIG_PVH=y "/boot/config-$kver" 2>/dev/null; then
	vmlinux=$cache/vmlinux-$kver-$(sha256sum "$bzimage" | cut -c1-12)
	if [ -s "$vmlinux" ] || extract_vmlinux "$bzimage" "$vmlinux"; then
		kernel=$vmlinux
	fi
fi

# The initramfs: static busybox, guest-init.sh as /init, and the modules
# its stage 1 needs for the host's root and the disks.
key=$(cat "$here/guest-init.sh" "${BASH_SOURCE[0]}" "$bzimage" "$busybox" | sha256sum | cut -c1-12)
initrd=$cache/initramfs-$kver-$key.cpio.gz
if [ ! -s "$initrd" ]; then
	stage=$run/initramfs
	mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys"
	cp "$busybox" "$stage/bin/busybox"
	install -m 0755 "$here/guest-init.sh" "$stage/init"
	for m in virtio_pci 9pnet_virtio 9p overlay virtio_blk ext4; do
		modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$stage/modules.list"
	while read -r ko; do
		mkdir -p "$stage$(dirname "$ko")"
		cp "$ko" "$stage$ko"
	done <"$stage/modules.list"
	(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$initrd.$$"
	mv "$initrd.$$" "$initrd"
fi
# files of other kernels and other versions of these scripts, unused for a week
touch "$initrd" "$kernel" 2>/dev/null || true
find "$cache" -type f -mtime +7 -delete

# ---- the VM --------------------------------------------------------------
{
	printf 'cd -- %q || exit 125\n' "$PWD"
	for e in "${envs[@]}"; do
		printf 'export %q\n' "$e"
	done
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$run/cmd"
printf '%s\n' "${rw_dirs[@]}" | grep . >"$run/rw-dirs" || true
# the working directory (the repository) is shared on its own, read-only:
# below /tmp or /run (a CI clone) the VM's fresh tmpfs would hide it
printf '%s\n' "$PWD" >"$run/cwd-dir"
touch "$run/out" "$run/err"

# /var/tmp in the VM: a disk filesystem, where idmapped mounts work on any
# kernel, as on a stock Debian host (tmpfs takes them from Linux 6.3 only).
truncate -s 4G "$run/work.img"
mkfs.ext4 -q -F -O ^has_journal "$run/work.img"

args=(-nodefaults -no-user-config -display none -no-reboot
	-machine pc -accel "tcg,thread=multi" -cpu max -smp "$cpus" -m "$mem"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 loglevel=4 panic=-1 cgroup_no_v1=all mitigations=off"
	-serial "file:$run/console.log"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$run,mount_tag=vmrun,security_model=none,multidevs=remap"
	-virtfs "local,path=$PWD,mount_tag=cwd,security_model=none,readonly=on,multidevs=remap")
i=0
for dir in "${rw_dirs[@]}"; do
	args+=(-virtfs "local,path=$dir,mount_tag=rw$i,security_model=none,multidevs=remap")
	i=$((i + 1))
done
if [ "$disk_mib" -gt 0 ]; then # first, to be /dev/vda
	truncate -s "${disk_mib}M" "$run/scratch.img"
	args+=(-drive "if=none,id=scratch,file=$run/scratch.img,format=raw,cache=unsafe"
		-device "virtio-blk-pci,drive=scratch,serial=scratch")
fi
args+=(-drive "if=none,id=work,file=$run/work.img,format=raw,cache=unsafe"
	-device "virtio-blk-pci,drive=work,serial=work")

start=$SECONDS
timeout -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null >"$run/qemu.log" 2>&1 &
qpid=$!
tail -q -n +1 -s 0.2 -f --pid="$qpid" "$run/out" &
tails+=($!)
tail -q -n +1 -s 0.2 -f --pid="$qpid" "$run/err" >&2 &
tails+=($!)
qrc=0
wait "$qpid" || qrc=$?
qpid=""
for p in "${tails[@]}"; do
	wait "$p" || true
done
tails=()

if [ "$verbose" = 1 ]; then
	echo "----- VM console -----" >&2
	cat "$run/console.log" >&2
	echo "----------------------" >&2
fi
took="$((SECONDS - start)) s"
if [ -s "$run/status" ]; then
	rc=$(cat "$run/status")
	echo "run-in-v2-vm: the command exited with status $rc ($took, kernel $kver)" >&2
	exit "$rc"
fi
if [ -e "$run/started" ] && [ "$qrc" -eq 124 ]; then
	echo "run-in-v2-vm: the command timed out after $timeout s" >&2
	exit 124
fi
if [ -e "$run/started" ]; then
	echo "run-in-v2-vm: the VM stopped before the command ended (qemu status $qrc, $took)" >&2
else
	echo "run-in-v2-vm: the VM failed to boot (qemu status $qrc, $took; kernel $kernel)" >&2
fi
tail -n 20 "$run/qemu.log" >&2
[ "$verbose" = 1 ] || tail -n 30 "$run/console.log" >&2
exit 125
