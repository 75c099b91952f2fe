#!/usr/bin/env bats
# Each namespace is new by default and shared on request.

load helpers

ns_inode() {
	stat -L -c %i "/proc/self/ns/$1"
}

@test "every namespace is new: user, mnt, pid, net, uts, ipc, cgroup" {
	run iso_rootfs sh -c 'for n in user mnt pid net uts ipc cgroup; do echo "$n $(stat -L -c %i /proc/self/ns/$n)"; done'
	expect_status 0
	for n in user mnt pid net uts ipc cgroup; do
		inside=$(echo "$output" | awk -v n="$n" '$1 == n {print $2}')
		[ -n "$inside" ]
		[ "$inside" != "$(ns_inode "$n")" ] || { echo "$n namespace is the host's"; return 1; }
	done
}

@test "--pid/--network/--uts/--ipc/--cgroupns host share the host's namespace" {
	for pair in pid:pid network:net uts:uts ipc:ipc cgroupns:cgroup; do
		flag=${pair%%:*} ns=${pair##*:}
		run iso_rootfs "--$flag" host stat -L -c %i "/proc/self/ns/$ns"
		expect_status 0
		[ "$output" = "$(ns_inode "$ns")" ] || { echo "--$flag host: $output"; return 1; }
	done
}

@test "--userns host keeps the host's user namespace and ids" {
	run iso_rootfs --userns host sh -c 'stat -L -c %i /proc/self/ns/user; cat /proc/self/uid_map'
	expect_status 0
	[ "$(echo "$output" | head -1)" = "$(ns_inode user)" ]
	expect_output "4294967295"
}

@test "the hostname is a random 12-character id by default, and the host's is unchanged" {
	before=$(hostname)
	run iso_rootfs hostname
	expect_status 0
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	[ "$(hostname)" = "$before" ]
}

@test "--hostname sets the hostname and HOSTNAME" {
	run iso_rootfs --hostname box1 sh -c 'hostname; echo $HOSTNAME'
	expect_status 0
	[ "$output" = "box1
box1" ]
}

@test "the command is PID 1 and ps shows only the container's processes" {
	run iso_rootfs sh -c 'echo $$; ps -o pid,comm; true'
	expect_status 0
	[ "$(echo "$output" | head -1)" = 1 ]
	# header, sh, ps: nothing of the host
	[ "$(echo "$output" | tail -n +2 | wc -l)" -eq 3 ]
}

@test "--network none: the network namespace holds only lo, and it is up" {
	run iso_rootfs --network none sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate; ip addr show lo'
	expect_status 0
	[ "$(echo "$output" | head -1)" = lo ]
	expect_output "127.0.0.1"
}

@test "container root is host uid 100000 seen from the host" {
	"$ISOLATE" run --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" sh -c 'echo ready > /scratch/ready; sleep 100' &
	isolate_pid=$!
	wait_for_file "$SCRATCH/ready"
	pid=$(container_pid "$isolate_pid")
	uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
	map=$(cat "/proc/$pid/uid_map")
	kill -KILL "$pid"
	wait "$isolate_pid" || true
	[ "$uid" = 100000 ]
	[ "$(echo $map)" = "0 100000 65536" ]
}

@test "--uidmap and --gidmap set the mapping; --gidmap defaults to --uidmap" {
	run iso_rootfs --uidmap 0:200000:65536 cat /proc/self/uid_map /proc/self/gid_map
	expect_status 0
	[ "$(echo $output)" = "0 200000 65536 0 200000 65536" ]
	run iso_rootfs --uidmap 0:200000:1000 --uidmap 1000:300000:1 --gidmap 0:400000:65536 \
		cat /proc/self/uid_map /proc/self/gid_map
	expect_status 0
	[ "$(echo $output)" = "0 200000 1000 1000 300000 1 0 400000 65536" ]
}

@test "the default range comes from /etc/subuid when user isolate has one" {
	save_subid_files
	echo "isolate:300000:65536" >> /etc/subuid
	echo "isolate:400000:65536" >> /etc/subgid
	run iso_rootfs cat /proc/self/uid_map /proc/self/gid_map
	restore_subid_files
	expect_status 0
	[ "$(echo $output)" = "0 300000 65536 0 400000 65536" ]
}
