#!/usr/bin/env bash
# The keeper of a world of tests/integration/oci.bash (a private podman or
# containerd with its files in DIR): started by oci_namespace as
#
#   setpriv --pdeathsig TERM setsid unshare --mount --propagation private \
#           oci-keeper.sh DIR CGROUP CACHE [COMMAND...]
#
# in a new mount namespace and a session of its own (a kill of bats'
# process group does not reach it), it mounts a fresh tmpfs on /run and on
# CACHE (/var/lib/containers, or /var/lib where that does not exist),
# starts COMMAND in the background if given, writes its own pid and
# COMMAND's in DIR/keeper.pid and DIR/main.pid, says so in DIR/ns.ready and
# waits, holding the namespace, until it is killed.
#
# The teardowns kill it with SIGKILL once they have removed the world.  It
# gets SIGTERM only when the bats process that started it dies without
# running teardown_file (bats killed; --pdeathsig TERM): it then ends the
# world itself, so that a killed run leaves nothing running: it kills the
# processes whose command line names DIR (conmon, containerd, the shims)
# and those in the cgroup CGROUP (the containers, thawed first: a frozen
# process does not die), removes that cgroup,
# unmounts what is mounted under DIR here and removes DIR.
#
# It has no child of its own (a `sleep` would outlive its SIGKILL and hold
# the namespace): it waits in `read` on a FIFO that nothing writes.  And it
# closes every file descriptor it inherited but stdin, stdout and stderr
# (bats waits for the end of its pipes, which COMMAND would hold open).
set -u

dir=$1 cgroup=$2 cache=$3
shift 3
for fd in "/proc/$$/fd"/*; do
	fd=${fd##*/}
	[ "$fd" -gt 2 ] && eval "exec $fd>&-"
done
mount -t tmpfs -o mode=755,size=64m isolate-oci-test /run || exit 1
mount -t tmpfs -o mode=700,size=16m isolate-oci-test "$cache" || exit 1

cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/"$cgroup" /sys/fs/cgroup/*/"$cgroup"; do
		[ -d "$d" ] && echo "$d"
	done
}

end_world() {
	local p d i
	# pgrep takes a pattern: DIR with its metacharacters escaped
	for p in $(pgrep -f -- "$(printf '%s' "$dir" | sed 's/[][\.*^$+?(){}|]/\\&/g')"); do
		[ "$p" = $$ ] || kill -KILL "$p" 2>/dev/null
	done
	for ((i = 0; i < 25; i++)); do
		for d in $(cgroup_dirs); do
			find "$d" \( -name freezer.state -o -name cgroup.freeze \) -exec sh -c '
				for f; do
					case $f in */freezer.state) echo THAWED ;; *) echo 0 ;; esac >"$f"
				done' _ {} + 2>/dev/null
			# shellcheck disable=SC2038 # pids, not file names
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		[ -z "$(cgroup_dirs)" ] && break
		sleep 0.2
	done
	awk -v d="$dir/" 'index($5 "/", d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		xargs -r -n 1 umount -l
	rm -rf "$dir"
	exit 0
}
trap end_world TERM

mkfifo "$dir/keeper.fifo" && exec 9<>"$dir/keeper.fifo" || exit 1
echo $$ >"$dir/keeper.pid"
if [ $# -gt 0 ]; then
	"$@" 9>&- &
	echo $! >"$dir/main.pid"
fi
: >"$dir/ns.ready"
while :; do
	read -r -u 9 _
done
