#!/bin/sh
# Builds a minimal rootfs from Debian's busybox-static in DIR: busybox and a
# link per applet in /bin, an /etc/passwd and /etc/group with a few users and
# groups the tests use, and the usual empty directories.
set -eu

dir=${1:?usage: mkrootfs.sh DIR}
busybox=$(command -v busybox) || { echo "mkrootfs: busybox not found (apt-get install busybox-static)" >&2; exit 1; }

mkdir -p "$dir/bin" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" \
	"$dir/root" "$dir/home/alice" "$dir/var" "$dir/run"
chmod 1777 "$dir/tmp"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
mkdir -p "$dir/usr"
ln -sfn ../bin "$dir/usr/bin"
ln -sfn bin "$dir/sbin"

cat > "$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001:Bob:/nonexistent:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$dir/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
wheel:x:10:root,alice
tty:x:5:
audio:x:29:alice
alice:x:1000:
bob:x:1001:
staff:x:50:bob
nogroup:x:65534:
GROUP
chown 1000:1000 "$dir/home/alice"
echo "isolate-test-rootfs" > "$dir/etc/hostname"
