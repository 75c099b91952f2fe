#!/usr/bin/env bats
# Resource limits and accounting: each container's own cgroup, docker's
# resource flags, the OOM report, stats, and cleanup.  The same tests run
# on this host's cgroup v1 (hybrid) layout and, through make
# check-cgroup-v2, on a pure cgroup v2 kernel in a VM.
#
# Every test puts its containers under a cgroup parent of its own
# ($PARENT), which teardown empties and removes in every hierarchy; a
# container cgroup still there at teardown fails the test.

load helpers

setup() {
	SCRATCH=$(mktemp -d "$BATS_TMPDIR/isolate-test.XXXXXX")
	ROOTFS="$SCRATCH/rootfs"
	cp -a "$ROOTFS_TEMPLATE" "$ROOTFS"
	mounts_before=$(host_mounts)
	PARENT="isolate-test-$$-$BATS_TEST_NUMBER"
}

teardown() {
	local left
	left=$(remove_parent)
	rm -rf "$SCRATCH"
	if [ -n "$left" ]; then
		echo "cgroups left behind: $left" >&2
		return 1
	fi
	[ "$(host_mounts)" = "$mounts_before" ]
}

# Mount points of the host's cgroup hierarchies (v1 and v2).
hierarchies() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup" || $(i+1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo
}

is_v2() {
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
}

# Prints the container cgroups found under $PARENT, then kills what is in
# them and removes them and $PARENT everywhere.
remove_parent() {
	local h c
	for h in $(hierarchies); do
		[ -d "$h/$PARENT" ] || continue
		for c in "$h/$PARENT"/*/; do
			[ -d "$c" ] || continue
			echo -n "$c "
			xargs -r kill -9 < "$c/cgroup.procs" 2>/dev/null
			for _ in $(seq 100); do rmdir "$c" 2>/dev/null && break; sleep 0.02; done
		done
		rmdir "$h/$PARENT"
	done
}

# The container cgroups under $PARENT in one hierarchy (by controller).
container_cgroups() {
	local h
	if is_v2; then h=/sys/fs/cgroup; else h=/sys/fs/cgroup/$1; fi
	find "$h/$PARENT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null
}

cg_run() {
	"$ISOLATE" run --cgroup-parent "$PARENT" --rootfs "$ROOTFS" "$@"
}

# Inside the container: a cgroup file by controller, on v1 or v2.
CGFILE='cgfile() { if [ -e /sys/fs/cgroup/cgroup.controllers ]; then echo /sys/fs/cgroup/$2; else echo /sys/fs/cgroup/$1/$2; fi; }'

@test "a container runs in a cgroup of its own, which is removed when it ends" {
	"$ISOLATE" run --cgroup-parent "$PARENT" --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" \
		sh -c 'echo > /scratch/ready; sleep 100' &
	local pid=$! cpid dir
	wait_for_file "$SCRATCH/ready"
	cpid=$(container_pid "$pid")
	dir=$(container_cgroups pids)
	[ -n "$dir" ]
	[[ "$(basename "$dir")" =~ ^[0-9a-f]{12}$ ]]
	grep -qx "$cpid" "$dir/cgroup.procs"
	kill -KILL "$cpid"
	wait "$pid" || true
	[ ! -e "$dir" ]
	[ -z "$(container_cgroups pids)" ]
}

@test "a hybrid host's cgroup v2 hierarchy keeps its configuration" {
	local unified
	unified=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -1)
	{ ! is_v2 && [ -n "$unified" ]; } || skip "not a hybrid host"
	local before
	before=$(cat "$unified/cgroup.subtree_control")
	run cg_run true
	expect_status 0
	[ "$(cat "$unified/cgroup.subtree_control")" = "$before" ]
	[ ! -e "$unified/$PARENT/cgroup.subtree_control" ] || [ -z "$(cat "$unified/$PARENT/cgroup.subtree_control")" ]
}

@test "the cgroup namespace is rooted at the container's cgroup, mounted read-only" {
	run cg_run sh -c 'cat /proc/self/cgroup; ls /sys/fs/cgroup; touch /sys/fs/cgroup/x 2>&1 || echo ro'
	expect_status 0
	# every hierarchy shows the container's cgroup as /
	[ "$(echo "$output" | grep -E '^[0-9]+:' | grep -vc ':/$')" -eq 0 ]
	expect_output "ro"
	if is_v2; then
		expect_output "cgroup.controllers"
		expect_output "memory.max"
	else
		expect_output "memory"
		expect_output "pids"
	fi
}

@test "--cgroupns host shows the container's place in the host's tree" {
	run cg_run --cgroupns host cat /proc/self/cgroup
	expect_status 0
	expect_output "/$PARENT/"
}

@test "a memory hog under --memory 32m is OOM-killed with 137 and a message" {
	run -137 cg_run --memory 32m sh -c 'x=a; while :; do x="$x$x"; done'
	expect_status 137
	expect_output "isolate: container was killed: out of memory (limit 32MiB)"
}

@test "a fork bomb under --pids-limit 64 is contained and the host's pid count recovers" {
	local before after
	before=$(ls /proc | grep -c '^[0-9]')
	# once the bomb fills the limit the shell cannot fork: the files are
	# found first, sleep started first, and read with builtins
	run cg_run --pids-limit 64 sh -c "$CGFILE"'
		max=$(cgfile pids pids.max) cur=$(cgfile pids pids.current) ev=$(cgfile pids pids.events)
		sleep 2 & s=$!
		b() { while :; do b & done; }
		(b) 2>/dev/null &
		wait $s
		read m < $max; read c < $cur
		while read k v; do [ "$k" = max ] && e=$v; done < $ev
		echo $m $c max $e'
	expect_status 0
	local lines=($output)
	[ "${lines[0]}" = 64 ]
	[ "${lines[1]}" -le 64 ]
	[ "${lines[3]}" -gt 0 ]           # pids.events: forks were refused at the limit
	after=$(ls /proc | grep -c '^[0-9]')
	[ "$after" -le $((before + 20)) ]
}

@test "--cpus 0.5 holds two busy loops to about half a CPU" {
	run cg_run --cpus 0.5 --stats-file "$SCRATCH/stats.json" sh -c '
		spin() { while :; do :; done; }
		spin & a=$!; spin & b=$!
		sleep 3; kill $a $b'
	expect_status 0
	local ns
	ns=$(grep -o '"cpu_usage_ns":[0-9]*' "$SCRATCH/stats.json" | cut -d: -f2)
	# 3 s of wall time at 0.5 CPU: 1.5 s of CPU (unlimited, it would be
	# up to 6 s on two CPUs); the bound is loose, the machine is shared
	echo "cpu time: $ns ns"
	[ "$ns" -ge 700000000 ]
	[ "$ns" -le 2100000000 ]
}

@test "--cpuset-cpus 0 pins the container to CPU 0" {
	run cg_run --cpuset-cpus 0 sh -c "$CGFILE"'; grep Cpus_allowed_list /proc/self/status; cat $(cgfile cpuset cpuset.cpus)'
	expect_status 0
	expect_output "Cpus_allowed_list:	0"
	[ "$(echo "$output" | tail -1)" = 0 ]
}

@test "--ulimit sets the container's rlimits" {
	run cg_run --ulimit nofile=64 --ulimit nproc=100:200 sh -c 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu'
	expect_status 0
	[ "$(echo $output)" = "64 64 100 200" ]
}

@test "--oom-score-adj is the container's" {
	run cg_run --oom-score-adj 500 cat /proc/self/oom_score_adj
	expect_status 0
	[ "$output" = 500 ]
}

@test "the limit files hold the values asked for" {
	run cg_run --memory 64m --memory-reservation 32m --memory-swap 128m --cpus 1.5 \
		--cpu-shares 512 --pids-limit 100 --cpuset-cpus 0 --cpuset-mems 0 sh -c "$CGFILE"'
		if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
			cd /sys/fs/cgroup
			cat memory.max memory.low memory.swap.max cpu.max cpu.weight pids.max cpuset.cpus cpuset.mems
		else
			cd /sys/fs/cgroup
			cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes \
			    memory/memory.memsw.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us \
			    cpu/cpu.shares pids/pids.max cpuset/cpuset.cpus cpuset/cpuset.mems
		fi' 2>&1
	expect_status 0
	if is_v2; then
		[ "$(echo $output)" = "67108864 33554432 67108864 150000 100000 20 100 0 0" ]
	else
		[ "$(echo $output)" = "67108864 33554432 134217728 150000 100000 512 100 0 0" ]
	fi
}

# A block device of this machine: a scratch disk in the VM, else the first
# disk the host has.
block_device() {
	local d
	if [ -n "${ISOLATE_VM_DISK:-}" ]; then echo "$ISOLATE_VM_DISK"; return; fi
	for d in /sys/block/*; do
		case ${d##*/} in loop* | zram* | ram* | dm-*) continue ;; esac
		[ -b "/dev/${d##*/}" ] && { echo "/dev/${d##*/}"; return; }
	done
}

@test "--device-read-bps and --device-write-bps throttle a block device" {
	local dev majmin
	dev=$(block_device)
	[ -n "$dev" ] || skip "no block device on this machine"
	majmin=$(printf '%d:%d' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")")
	run cg_run --device-read-bps "$dev:1mb" --device-write-bps "$dev:2mb" sh -c '
		if [ -e /sys/fs/cgroup/io.max ]; then cat /sys/fs/cgroup/io.max
		else cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device /sys/fs/cgroup/blkio/blkio.throttle.write_bps_device; fi'
	expect_status 0
	if is_v2; then
		expect_output "$majmin rbps=1048576 wbps=2097152"
	else
		[ "$(echo $output)" = "$majmin 1048576 $majmin 2097152" ]
	fi
}

@test "--oom-kill-disable: set on cgroup v1, refused on v2 unless told to ignore it" {
	if is_v2; then
		run cg_run --oom-kill-disable true
		expect_status 125
		expect_output "cannot apply the OOM killer limit: cgroup v2 cannot disable the OOM killer"
		run cg_run --oom-kill-disable --ignore-missing-limits true
		expect_status 0
		expect_output "warning: OOM killer limit not applied"
	else
		run cg_run --memory 64m --oom-kill-disable grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control
		expect_status 0
		expect_output "oom_kill_disable 1"
	fi
}

@test "bad values: a clear error, exit 125, no cgroup left behind" {
	local bad
	while IFS='|' read -r flag value message; do
		run cg_run $flag "$value" true
		expect_status 125
		expect_output "$message"
		for h in $(hierarchies); do [ ! -e "$h/$PARENT" ]; done
	done <<-'EOF'
	--memory|12q|invalid size 12q
	--memory|1m|the smallest allowed is 6MiB
	--cpus|-1|invalid number of CPUs -1
	--cpus|99|this host has only
	--cpuset-cpus|99|CPU 99 is not available
	--cpuset-cpus|0-|invalid list 0-
	--cpuset-mems|7|node 7 is not available
	--pids-limit|lots|--pids-limit lots: expected a whole number
	--cpu-shares|1|--cpu-shares 1: expected a whole number from 2 to 262144
	--blkio-weight|5|--blkio-weight 5: expected a whole number from 10 to 1000
	--ulimit|nofile=10:5|soft limit is above the hard limit
	--ulimit|bogus=1|unknown name bogus
	--device-read-bps|/dev/null:1mb|/dev/null is not a block device
	--memory-swap|64m|a memory+swap limit needs a memory limit too
	--oom-score-adj|1001|expected a whole number from -1000 to 1000
	--cgroup-parent|../../etc|".." is not allowed
	EOF
}

@test "without delegation a limit is an error naming the controller, or a warning when ignored" {
	mkdir -m 700 "$SCRATCH/xdg"
	chown 65534:65534 "$SCRATCH/xdg"
	cp "$ISOLATE" "$SCRATCH/isolate"
	chmod 755 "$SCRATCH" "$SCRATCH/isolate"
	nobody() {
		XDG_RUNTIME_DIR="$SCRATCH/xdg" setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$SCRATCH/isolate" run "$@"
	}
	run nobody --memory 64m -- true
	expect_status 125
	expect_output "cannot apply the memory limit: the memory controller is not delegated to this user"
	run nobody --memory 64m --pids-limit 10 --ignore-missing-limits -- sh -c 'echo ran'
	expect_status 0
	expect_output "warning: memory limit not applied"
	expect_output "warning: pids limit not applied"
	expect_output "ran"
	# no limit asked for: the container runs without a cgroup of its own
	run nobody -- true
	expect_status 0
	[ -z "$output" ]
}

@test "processes left behind (--pid host daemons) are killed when the container ends" {
	run cg_run --pid host -v "$SCRATCH:/scratch" sh -c 'sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > /scratch/pid'
	expect_status 0
	local p state
	p=$(cat "$SCRATCH/pid")
	state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo gone)
	[ "$state" = Z ] || [ "$state" = gone ]
}

@test "without cgroup.kill the leftovers are frozen and killed one by one" {
	is_v2 && skip "the v1 freezer path"
	ISOLATE_TEST_CGROUP_V1_KILL=1 run cg_run --pid host -v "$SCRATCH:/scratch" \
		sh -c 'for i in 1 2 3; do sleep 1000 </dev/null >/dev/null 2>&1 & echo $! >> /scratch/pids; done'
	expect_status 0
	local p state
	for p in $(cat "$SCRATCH/pids"); do
		state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo gone)
		[ "$state" = Z ] || [ "$state" = gone ]
	done
}

@test "a runtime killed with SIGKILL leaves a cgroup that the next run reclaims" {
	"$ISOLATE" run --cgroup-parent "$PARENT" --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" \
		sh -c 'echo > /scratch/ready; sleep 100' &
	local pid=$! dir
	wait_for_file "$SCRATCH/ready"
	dir=$(container_cgroups memory)
	[ -n "$dir" ]
	kill -KILL "$pid"
	wait "$pid" || true
	[ -d "$dir" ]
	run "$ISOLATE" run --network none -- true
	expect_status 0
	[ ! -e "$dir" ]
}

@test "--stats-file reports usage while the container runs and at its end" {
	cg_run --stats-file "$SCRATCH/stats.json" -v "$SCRATCH:/scratch" sh -c '
		sleep 1 & sleep 1 & echo > /scratch/ready; wait
		x=a; for i in $(seq 20); do x="$x$x"; done' &
	local pid=$!
	wait_for_file "$SCRATCH/ready"
	for _ in $(seq 300); do
		grep -q '"pids_current":[1-9]' "$SCRATCH/stats.json" 2>/dev/null && break
		sleep 0.01
	done
	grep -q '"pids_current":[1-9]' "$SCRATCH/stats.json"
	wait "$pid"
	cat "$SCRATCH/stats.json"
	grep -q '"pids_current":0' "$SCRATCH/stats.json"
	grep -qE '"cpu_usage_ns":[1-9][0-9]*' "$SCRATCH/stats.json"
	# the 1 MiB string was in memory at its peak
	local peak
	peak=$(grep -o '"memory_peak":[0-9]*' "$SCRATCH/stats.json" | cut -d: -f2)
	[ "$peak" -ge 1048576 ]
}

@test "--stats-file in a directory that does not exist is refused before anything runs" {
	run cg_run --stats-file /nonexistent/stats.json true
	expect_status 125
	expect_output "stats file /nonexistent/stats.json"
	for h in $(hierarchies); do [ ! -e "$h/$PARENT" ]; done
}

@test "--device: the node is there with the access asked for; no other device opens" {
	# a node of our own for /dev/fuse (c 10:229), which the default rules
	# do not allow; as the host's root (--userns host), so that only the
	# cgroup's rules (v1 devices.allow, v2 a BPF program) stand in the way
	mknod "$SCRATCH/fuse" c 10 229
	chmod 666 "$SCRATCH/fuse"
	run cg_run --userns host --device "$SCRATCH/fuse:/dev/f:r" sh -c '
		(exec 3</dev/f) 2>/dev/null && echo read-ok
		(exec 4>/dev/f) 2>/dev/null && echo write-ok
		mknod /dev/lc c 10 237 && chmod 666 /dev/lc && echo mknod-ok
		(exec 5</dev/lc) 2>/dev/null && echo lc-read-ok
		(exec 6</dev/null) && echo null-ok'
	expect_status 0
	[ "$(echo $output)" = "read-ok mknod-ok null-ok" ]
	run cg_run --userns host --device "$SCRATCH/fuse:/dev/f" sh -c '(exec 3<>/dev/f) && echo rw-ok'
	expect_status 0
	[ "$output" = rw-ok ]
	# --privileged allows every device
	run cg_run --userns host --privileged sh -c 'mknod /dev/lc c 10 237 && (exec 5</dev/lc) 2>&1; echo end'
	[[ "$output" != *"Operation not permitted"* ]]
}

@test "--device: bad values are clear errors, 125" {
	run cg_run --device /dev/nope true
	expect_status 125
	expect_output "device /dev/nope: No such file or directory"
	run cg_run --device /etc/passwd true
	expect_status 125
	expect_output "not a character or block device"
	run cg_run --device /dev/null:/dev/n:rwq true
	expect_status 125
	expect_output "permissions rwq"
	run cg_run --device dev/null true
	expect_status 125
	expect_output "paths must be absolute"
}
