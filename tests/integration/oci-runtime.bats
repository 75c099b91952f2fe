#!/usr/bin/env bats
# isolate-oci's own commands, driven directly as podman and containerd
# would drive runc: run, the create/start/state/kill/delete state machine,
# exec, ps, list, pause/resume, update, hooks, the console socket,
# malformed configs, namespaces and security settings, features/spec, and
# what a runtime killed mid-create leaves.
#
# Each test makes its own bundle from busybox-static (a copy of a rootfs
# built once per file by mkrootfs.sh, and a config.json from
# `isolate-oci spec` edited with jq) and its own --root state directory,
# both under $BATS_TEST_TMPDIR; teardown deletes (--force) every container
# in that root and fails the test when one left a cgroup, a process, a
# network namespace or a mount behind.

load helpers

ISOLATE_OCI=${ISOLATE_OCI:-$BATS_TEST_DIRNAME/../../build/isolate-oci}

setup_file() {
	export ROOTFS_TEMPLATE="$BATS_FILE_TMPDIR/rootfs-template"
	"$MKROOTFS" "$ROOTFS_TEMPLATE"
	# the console socket's receiver: built by `make tests` next to the
	# binary under test; built here when it is missing
	RECVTTY="$(dirname "$ISOLATE_OCI")/tests/recvtty"
	if [ ! -x "$RECVTTY" ]; then
		RECVTTY="$BATS_FILE_TMPDIR/recvtty"
		cc -O2 -Wall -o "$RECVTTY" "$BATS_TEST_DIRNAME/../helpers/recvtty.c"
	fi
	export RECVTTY
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "isolate-oci's tests run as root"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	STATE="$BATS_TEST_TMPDIR/state"
	# unique on the host: the default cgroup is /isolate-oci/ID in every
	# hierarchy, shared with whoever else runs containers
	CID="ort-$$"
	OUT="$BATS_TEST_TMPDIR/out"
	NETNS=""
	BG_PIDS=()
	mounts_before=$(host_mounts)
}

teardown() {
	local id left="" p mounts_after

	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# a test that failed may have left a container frozen: thawed first,
	# or delete --force may wait long for it (the failure is reported)
	[ -n "${BATS_TEST_COMPLETED:-}" ] || thaw_cgroups
	for id in $("$ISOLATE_OCI" --root "$STATE" list -q 2>/dev/null); do
		"$ISOLATE_OCI" --root "$STATE" delete --force "$id" >/dev/null 2>&1 ||
			left+="delete --force $id failed"$'\n'
	done
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	left+=$(leftovers)
	[ -z "$left" ] || scrub_cgroups
	rm -rf "$STATE"
	mounts_after=$(host_mounts)
	if [ "$mounts_before" != "$mounts_after" ]; then
		left+="host mounts changed: $(diff <(echo "$mounts_before") <(echo "$mounts_after"))"$'\n'
	fi
	if [ -n "$left" ]; then
		echo "left behind:" >&2
		echo "$left" >&2
		return 1
	fi
}

# What a container of this test could leave: a state dir, a cgroup of
# $CID or $CID-* in any hierarchy, a live process in one, its netns.
leftovers() {
	local d
	[ -z "$(state_left)" ] || echo "state:$(state_left)"
	for d in $(cgroup_dirs); do
		echo "cgroup: $d"
	done
	live_in_cgroups
	[ -z "$NETNS" ] || ! ip netns list | grep -qw "$NETNS" || echo "netns: $NETNS"
}

# Processes (not zombies: the host's init may reap them late) whose cgroup
# is one of $CID's.
live_in_cgroups() {
	local f pid
	for f in $(grep -lE ":/isolate-oci/$CID(-[^/]*)?(/|\$)" /proc/[0-9]*/cgroup 2>/dev/null); do
		pid=${f#/proc/}
		pid=${pid%/cgroup}
		[ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null)" = Z ] && continue
		[ -e "/proc/$pid" ] && echo "process: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
}

# The cgroup directories of the test's containers ($CID, $CID-*).
cgroup_dirs() {
	ls -d /sys/fs/cgroup/isolate-oci/"$CID" /sys/fs/cgroup/isolate-oci/"$CID"-* \
		/sys/fs/cgroup/*/isolate-oci/"$CID" /sys/fs/cgroup/*/isolate-oci/"$CID"-* 2>/dev/null
}

# After a failure has been reported: what the runtime left in its cgroups
# thawed and killed, and the cgroups removed, so that the next test starts
# clean (a frozen process would hold bats' output open to the end).
thaw_cgroups() {
	local d
	for d in $(cgroup_dirs); do
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state"
		[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze"
	done
	return 0
}

scrub_cgroups() {
	local d p
	thaw_cgroups
	for d in $(cgroup_dirs); do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for d in $(cgroup_dirs | sort -r); do
		for _ in $(seq 100); do
			rmdir "$d" 2>/dev/null && break
			[ -d "$d" ] || break
			sleep 0.01
		done
	done
}

# The runtime, its fd 3 closed: what it starts must not hold bats' TAP
# stream open.
oci() {
	"$ISOLATE_OCI" --root "$STATE" "$@" 3>&-
}

# The arguments as a JSON array of strings (jq 1.6's --args would take a
# -c among them for its own option; a NUL-separated -Rs loses the last).
json_array() {
	local a out=()
	for a in "$@"; do
		out+=("$(jq -n --arg a "$a" '$a')")
	done
	local IFS=,
	echo "[${out[*]}]"
}

# make_bundle [DIR] -- ARGS...: a bundle with a copy of the rootfs and
# config.json as `spec` writes it, but with ARGS as the command, no
# terminal and a writable root.
make_bundle() {
	local dir=$BUNDLE args
	if [ "$1" != -- ]; then
		dir=$1
		shift
	fi
	shift
	mkdir -p "$dir"
	cp -a "$ROOTFS_TEMPLATE" "$dir/rootfs"
	"$ISOLATE_OCI" spec --bundle "$dir"
	args=$(json_array "$@")
	cfg --argjson args "$args" '.process.args = $args | .process.terminal = false | .root.readonly = false' \
		"$dir/config.json"
}

# cfg [JQ OPTIONS] FILTER [CONFIG]: edits config.json (default the
# bundle's) in place.
cfg() {
	local opts=() file
	while [ $# -gt 1 ] && [[ "$1" == --* ]]; do
		opts+=("$1" "$2" "$3")
		shift 3
	done
	file=${2:-$BUNDLE/config.json}
	jq "${opts[@]}" "$1" "$file" >"$file.new" && mv "$file.new" "$file"
}

# A directory of the test's bind-mounted at /share in the container.
add_share() {
	SHARE="$BUNDLE/share"
	mkdir -p "$SHARE"
	cfg --arg src "$SHARE" \
		'.mounts += [{"destination": "/share", "type": "bind", "source": $src, "options": ["rbind", "rw"]}]'
}

# create [OPTIONS] [ID]: `create` with the container's stdio on $OUT (the
# command inherits it: bats' run would wait for its end); its messages
# shown when it fails.
create() {
	oci create --bundle "$BUNDLE" "$@" "$CID" >"$OUT" 2>&1 </dev/null || {
		local s=$?
		cat "$OUT" >&2
		return $s
	}
}

# The container's status; "" when `state` fails.
status_of() {
	oci state "${1:-$CID}" 2>/dev/null | jq -r .status
}

pid_of() {
	oci state "${1:-$CID}" | jq -r .pid
}

# poll SECS COMMAND...: COMMAND until it succeeds, for up to SECS seconds.
poll() {
	local end=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.01
	done
}

status_is() {
	[ "$(status_of "$2")" = "$1" ]
}

# wait_status STATUS [ID]: up to 10 s.
wait_status() {
	poll 10 status_is "$1" "${2:-$CID}" && return 0
	echo "container ${2:-$CID} is $(status_of "${2:-$CID}"), not $1" >&2
	return 1
}

# Gone, or a zombie (the host's init may reap late): dead.
dead() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# wait_gone PID: up to 5 s.
wait_gone() {
	poll 5 dead "$1" && return 0
	echo "process $1 is still there" >&2
	return 1
}

# wait_for_line FILE FRAGMENT: up to 5 s for FILE to have a line with it.
wait_for_line() {
	poll 5 grep -qF -- "$2" "$1" 2>/dev/null && return 0
	echo "no line with '$2' in $1:" >&2
	cat "$1" >&2 2>/dev/null
	return 1
}

# A running container of `sleep 1000` (or ARGS).
start_sleeper() {
	[ $# -gt 0 ] || set -- sleep 1000
	make_bundle -- "$@"
	create
	oci start "$CID"
	wait_status running
}

# cgroup_file PID CONTROLLER V1_FILE V2_FILE: the file of the process's
# cgroup of CONTROLLER: in its own v1 hierarchy, else in the unified one.
cgroup_file() {
	local pid=$1 ctrl=$2 rel
	rel=$(awk -F: -v c="$ctrl" '$1 != "0" { n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$pid/cgroup")
	if [ -n "$rel" ]; then
		local mnt
		mnt=$(awk -v c="$ctrl" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' /proc/mounts)
		echo "$mnt$rel/$3"
		return
	fi
	rel=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	echo "$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)$rel/$4"
}

# What the state directory holds but the runtime's own dot files.
state_left() {
	local f
	for f in "$STATE"/*; do
		[ -e "$f" ] && printf ' %s' "${f##*/}"
	done
	return 0
}

# The state directory holds nothing (or does not exist).
state_empty() {
	[ -z "$(state_left)" ] && return 0
	echo "state left:$(state_left)" >&2
	return 1
}

# No cgroup of $CID in any hierarchy.
no_cgroup() {
	local d
	for d in /sys/fs/cgroup/isolate-oci/"$CID" /sys/fs/cgroup/*/isolate-oci/"$CID"; do
		if [ -e "$d" ]; then
			echo "cgroup left: $d" >&2
			return 1
		fi
	done
}

# ---------------------------------------------------------------- run

@test "oci run: the command's output and exit status; the container is gone afterwards" {
	make_bundle -- sh -c 'echo hello from the container; exit 7'
	run oci run --bundle "$BUNDLE" "$CID"
	expect_status 7
	[ "$output" = "hello from the container" ]
	[ ! -e "$STATE/$CID" ]
	no_cgroup
	run oci state "$CID"
	expect_status 1
	expect_output "container $CID does not exist"
}

@test "oci run: 128+N when the command is killed by signal N" {
	# without a PID namespace the shell is not an init that ignores it
	make_bundle -- sh -c 'kill -USR1 $$; sleep 5'
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	run oci run --bundle "$BUNDLE" "$CID"
	expect_status 138
	[ ! -e "$STATE/$CID" ]

	# the first process of a PID namespace, killed from outside
	rm -rf "$BUNDLE"
	make_bundle -- sleep 1000
	oci run --bundle "$BUNDLE" "$CID" >"$OUT" 2>&1 </dev/null &
	local runner=$!
	BG_PIDS+=("$runner")
	wait_status running
	oci kill "$CID" KILL
	local s=0
	wait "$runner" || s=$?
	[ "$s" -eq 137 ] || { echo "run exited $s, not 137: $(cat "$OUT")" >&2; return 1; }
	[ ! -e "$STATE/$CID" ]
	no_cgroup
}

@test "oci run --detach: running afterwards; kill and delete" {
	make_bundle -- sleep 1000
	oci run --detach --bundle "$BUNDLE" "$CID" >"$OUT" 2>&1 </dev/null
	[ "$(status_of)" = running ]
	local pid
	pid=$(pid_of)
	[ -d "/proc/$pid" ]
	oci kill "$CID" KILL
	wait_status stopped
	oci delete "$CID"
	[ ! -e "$STATE/$CID" ]
	wait_gone "$pid"
	no_cgroup
}

# ------------------------------------------------------- state machine

@test "oci lifecycle: create, start, the command exits, delete" {
	make_bundle -- sh -c 'echo yes > /started; while [ ! -e /stop ]; do sleep 0.02; done'
	create --pid-file "$BATS_TEST_TMPDIR/pid"
	run oci state "$CID"
	expect_status 0
	[ "$(jq -r .status <<<"$output")" = created ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
	[ -d "/proc/$pid" ]
	# created: set up, but the command has not run
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/started" ]

	oci start "$CID"
	wait_for_file "$BUNDLE/rootfs/started"
	[ "$(status_of)" = running ]
	[ "$(pid_of)" = "$pid" ]

	touch "$BUNDLE/rootfs/stop"
	wait_status stopped
	[ "$(oci state "$CID" | jq -r .pid)" = 0 ]

	oci delete "$CID"
	run oci state "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: container $CID does not exist" ]
	[ ! -e "$STATE/$CID" ]
	no_cgroup
	run oci list -q
	[ -z "$output" ]
}

@test "oci lifecycle: illegal transitions are refused with the status they met" {
	make_bundle -- sh -c 'while [ ! -e /stop ]; do sleep 0.02; done'
	create
	# create an existing id: refused, the first one untouched
	run oci create --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: container $CID already exists" ]
	[ "$(status_of)" = created ]

	# resume what is not paused
	run oci resume "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: container $CID is not paused" ]

	oci start "$CID"
	wait_status running
	run oci start "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot start container $CID: it is running" ]
	run oci resume "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: container $CID is not paused" ]
	run oci delete "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot delete container $CID: it is running" ]
	[ "$(status_of)" = running ]

	touch "$BUNDLE/rootfs/stop"
	wait_status stopped
	run oci start "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot start container $CID: it is stopped" ]
	run oci kill "$CID" KILL
	expect_status 1
	[ "$output" = "isolate-oci: container $CID is not running" ]
	run oci pause "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot pause container $CID: it is stopped" ]
	run oci resume "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: container $CID is not paused" ]
	oci delete "$CID"
	[ ! -e "$STATE/$CID" ]

	# the commands on an id that does not exist
	local cmd
	for cmd in start state pause resume delete; do
		run oci "$cmd" "$CID"
		expect_status 1
		[ "$output" = "isolate-oci: container $CID does not exist" ]
	done
	run oci kill "$CID" KILL
	expect_status 1
	[ "$output" = "isolate-oci: container $CID does not exist" ]
	# as runc: delete --force of what does not exist is no error
	oci delete --force "$CID"
}

@test "oci lifecycle: delete --force of a running container kills it and removes everything" {
	start_sleeper
	local pid
	pid=$(pid_of)
	oci delete --force "$CID"
	wait_gone "$pid"
	[ ! -e "$STATE/$CID" ]
	no_cgroup
}

# The freezer file of the container's cgroup says it is frozen (1) or not.
frozen() {
	local f
	f=$(cgroup_file "$(pid_of)" freezer freezer.state cgroup.freeze)
	case "$f" in
	*/freezer.state) [ "$(cat "$f")" = FROZEN ] ;;
	*) [ "$(cat "$f")" = 1 ] ;;
	esac
}

thawed() {
	! frozen
}

@test "oci lifecycle: a created container can be paused (reported paused) and resumed, then started (as runc)" {
	make_bundle -- sh -c 'echo yes > /started; sleep 1000'
	create
	oci pause "$CID"
	frozen
	local st
	st=$(status_of)
	oci resume "$CID"
	[ "$st" = paused ] || { echo "a paused created container's state says $st" >&2; return 1; }
	thawed
	[ "$(status_of)" = created ]
	oci start "$CID"
	wait_for_file "$BUNDLE/rootfs/started"
	[ "$(status_of)" = running ]
}

@test "oci lifecycle: delete --force of a paused created container removes everything" {
	make_bundle -- sleep 1000
	create
	local pid
	pid=$(pid_of)
	oci pause "$CID"
	run oci delete --force "$CID"
	expect_status 0
	[ -z "$output" ] || { echo "delete --force said: $output" >&2; return 1; }
	[ ! -e "$STATE/$CID" ]
	no_cgroup
	wait_gone "$pid"
}

@test "oci lifecycle: invalid ids are refused and make nothing" {
	make_bundle -- true
	local id
	for id in ../escape a/b .hidden "" 'sp ace'; do
		run oci create --bundle "$BUNDLE" "$id"
		expect_status 1
		[ "$output" = "isolate-oci: invalid container id $id: letters, digits, '_', '+', '-' and '.' only, not starting with '.'" ]
		run oci state "$id"
		expect_status 1
		expect_output "invalid container id"
	done
	state_empty
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
}

# --------------------------------------------------------------- state

@test "oci state: the runtime-spec's fields and runc's, with config.json's annotations" {
	make_bundle -- sleep 1000
	cfg '.annotations = {"org.example.key": "a value", "io.isolate.test": "2"}'
	local before
	before=$(date +%s)
	create --pid-file "$BATS_TEST_TMPDIR/pid"
	run oci state "$CID"
	expect_status 0
	local s=$output
	jq -e . <<<"$s" >/dev/null
	[ "$(jq -r .ociVersion <<<"$s")" = 1.2.0 ]
	[ "$(jq -r .id <<<"$s")" = "$CID" ]
	[ "$(jq -r .status <<<"$s")" = created ]
	[ "$(jq -r '.pid | type' <<<"$s")" = number ]
	[ "$(jq -r .pid <<<"$s")" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
	[ "$(jq -r .bundle <<<"$s")" = "$(realpath "$BUNDLE")" ]
	[ "$(jq -r .rootfs <<<"$s")" = "$(realpath "$BUNDLE")/rootfs" ]
	[ "$(jq -r .owner <<<"$s")" = root ]
	jq -e '.annotations == {"org.example.key": "a value", "io.isolate.test": "2"}' <<<"$s" >/dev/null
	# RFC 3339 with nanoseconds, in UTC, made by this create
	local created
	created=$(jq -r .created <<<"$s")
	[[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]]
	local t
	t=$(date -d "$created" +%s)
	[ "$t" -ge "$before" ]
	[ "$t" -le "$(date +%s)" ]

	oci start "$CID"
	[ "$(status_of)" = running ]
	oci kill "$CID" KILL
	wait_status stopped
	run oci state "$CID"
	[ "$(jq -r .pid <<<"$output")" = 0 ]
	[ "$(jq -r .created <<<"$output")" = "$created" ]
	jq -e '.annotations["org.example.key"] == "a value"' <<<"$output" >/dev/null
}

# ---------------------------------------------------------------- kill

@test "oci kill: signals by name and number reach the first process; KILL stops it" {
	# a shell that logs what it gets: as the init of its PID namespace it
	# gets only the signals it handles
	start_sleeper sh -c 'for s in TERM USR1 USR2 HUP; do trap "echo $s >> /signals" $s; done
		echo ready > /ready; while :; do sleep 0.02; done'
	wait_for_file "$BUNDLE/rootfs/ready"
	local log=$BUNDLE/rootfs/signals
	oci kill "$CID" SIGTERM
	wait_for_line "$log" TERM
	oci kill "$CID" USR1
	wait_for_line "$log" USR1
	oci kill "$CID" 12
	wait_for_line "$log" USR2
	oci kill "$CID" sighup
	wait_for_line "$log" HUP
	# with no signal: SIGTERM
	: >"$log"
	oci kill "$CID"
	wait_for_line "$log" TERM
	[ "$(status_of)" = running ]
	oci kill "$CID" KILL
	wait_status stopped
}

# The process of the container whose command line is "sleep 1001", in
# $CHILD.
find_child() {
	local p
	for p in $(oci ps --format json "$CID" | jq '.[]'); do
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 1001 " ] && CHILD=$p && return 0
	done
	return 1
}

@test "oci kill --all: every process of the container, not only the first" {
	start_sleeper sh -c 'trap "echo TERM >> /signals" TERM; sleep 1001 & echo ready > /ready
		while :; do sleep 0.02; done'
	wait_for_file "$BUNDLE/rootfs/ready"
	local first child
	first=$(pid_of)
	poll 5 find_child
	child=$CHILD
	# without --all the other processes are left alone
	oci kill "$CID" TERM
	wait_for_line "$BUNDLE/rootfs/signals" TERM
	kill -0 "$child"
	# with --all they all get it: sleep dies of it, the shell logs it
	: >"$BUNDLE/rootfs/signals"
	oci kill --all "$CID" TERM
	wait_gone "$child"
	wait_for_line "$BUNDLE/rootfs/signals" TERM
	kill -0 "$first"
	oci kill --all "$CID" KILL
	wait_status stopped
	wait_gone "$first"
}

@test "oci kill: an unknown signal is an error" {
	start_sleeper
	local sig
	for sig in SIGNOPE NOPE 0 99 -1; do
		run oci kill "$CID" "$sig"
		expect_status 1
		expect_output "unknown signal $sig"
	done
	[ "$(status_of)" = running ]
}

# ---------------------------------------------------------------- exec

@test "oci exec: output, exit status, --env, --cwd, --user" {
	start_sleeper
	run oci exec "$CID" sh -c 'echo from exec; exit 3'
	expect_status 3
	[ "$output" = "from exec" ]
	run oci exec --env FOO=bar --env TWO='a b' "$CID" sh -c 'echo "$FOO/$TWO"'
	expect_status 0
	[ "$output" = "bar/a b" ]
	run oci exec --cwd /home/alice "$CID" pwd
	expect_status 0
	[ "$output" = /home/alice ]
	run oci exec --user 1000:1000 "$CID" id
	expect_status 0
	expect_output "uid=1000(alice) gid=1000(alice)"
	run oci exec --user 1001 "$CID" sh -c 'id -u; id -g'
	expect_status 0
	[ "$output" = "1001"$'\n'"0" ]
	# config.json's environment is the base
	run oci exec "$CID" sh -c 'echo $PATH'
	[ "$output" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ]
	run oci exec "$CID" /no/such/command
	[ "$status" -ne 0 ]
	expect_output "/no/such/command"
}

@test "oci exec --process: the process from a process.json" {
	start_sleeper
	cat >"$BATS_TEST_TMPDIR/process.json" <<'EOF'
{
	"args": ["sh", "-c", "echo \"$X\"; pwd; id -u; id -g; exit 4"],
	"env": ["X=from the file", "PATH=/bin"],
	"cwd": "/home/alice",
	"user": {"uid": 1000, "gid": 1000}
}
EOF
	run oci exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	expect_status 4
	[ "$output" = "from the file"$'\n'/home/alice$'\n'1000$'\n'1000 ]

	echo '{"args": "sh"}' >"$BATS_TEST_TMPDIR/bad.json"
	run oci exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
	expect_status 1
	expect_output "args: expected an array of strings"
}

@test "oci exec --detach --pid-file: returns at once; the process is in the container's cgroup" {
	start_sleeper
	oci exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 999 >"$OUT" 2>&1 </dev/null
	local pid first
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	first=$(pid_of)
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 999 " ]
	# the same cgroups and namespaces as the first process
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$first/cgroup")" ]
	local ns
	for ns in pid net mnt uts ipc cgroup; do
		[ "$(readlink "/proc/$pid/ns/$ns")" = "$(readlink "/proc/$first/ns/$ns")" ]
	done
	oci ps --format json "$CID" | jq -e --argjson p "$pid" 'index($p) != null' >/dev/null
}

@test "oci exec: joins the container's PID and UTS namespaces" {
	make_bundle -- sleep 1000
	cfg '.hostname = "oci-exec-host"'
	create
	oci start "$CID"
	run oci exec "$CID" sh -c 'tr "\0" " " </proc/1/cmdline'
	expect_status 0
	[ "$output" = "sleep 1000 " ]
	run oci exec "$CID" ps -o pid,args
	expect_status 0
	echo "$output" | grep -Eq '^ *1 +sleep 1000$'
	run oci exec "$CID" hostname
	[ "$output" = oci-exec-host ]
	run oci exec "$CID" sh -c 'echo $$'
	[ "$output" -gt 1 ]
	[ "$output" -lt 100 ]
}

@test "oci exec: into a created container works (as runc), into a stopped one fails" {
	make_bundle -- true
	create
	run oci exec "$CID" echo into created
	expect_status 0
	[ "$output" = "into created" ]
	oci start "$CID"
	wait_status stopped
	run oci exec "$CID" echo no
	expect_status 1
	[ "$output" = "isolate-oci: cannot exec in container $CID: it is stopped" ]
	run oci exec nope-$$ true
	expect_status 1
	expect_output "container nope-$$ does not exist"
}

# ------------------------------------------------------------ ps, list

has_n_processes() {
	[ "$(oci ps --format json "$CID" | jq length)" = "$1" ]
}

@test "oci ps: the table has the command; --format json is an array of the pids" {
	start_sleeper sh -c 'sleep 1002 & exec sleep 1000'
	local pid
	pid=$(pid_of)
	poll 5 has_n_processes 2
	run oci ps "$CID"
	expect_status 0
	[[ "${lines[0]}" == *PID* ]]
	[[ "${lines[0]}" == *CMD* ]]
	echo "$output" | grep -q "sleep 1000"
	echo "$output" | grep -q "sleep 1002"
	[ "${#lines[@]}" -eq 3 ]
	run oci ps --format json "$CID"
	expect_status 0
	jq -e --argjson p "$pid" 'type == "array" and length == 2 and (index($p) != null) and all(type == "number")' \
		<<<"$output" >/dev/null
	run oci ps --format yaml "$CID"
	expect_status 1
	expect_output "--format yaml: expected table or json"
}

@test "oci list: table, --format json, -q" {
	run oci list -q
	expect_status 0
	[ -z "$output" ]
	run oci list --format json
	[ "$output" = "[]" ]

	start_sleeper
	make_bundle "$BATS_TEST_TMPDIR/b2" -- sleep 1000
	oci create --bundle "$BATS_TEST_TMPDIR/b2" "$CID-2" >"$OUT.2" 2>&1 </dev/null
	run oci list -q
	expect_status 0
	[ "$output" = "$CID"$'\n'"$CID-2" ]
	run oci list
	expect_status 0
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
	echo "${lines[1]}" | grep -Eq "^$CID +$(pid_of) +running +$(realpath "$BUNDLE") +[0-9T:.Z-]+ +root$"
	echo "${lines[2]}" | grep -Eq "^$CID-2 +[0-9]+ +created +$(realpath "$BATS_TEST_TMPDIR/b2") "
	run oci list --format json
	expect_status 0
	jq -e --arg id "$CID" 'length == 2 and .[0].id == $id and .[0].status == "running"
		and .[1].id == ($id + "-2") and .[1].status == "created" and (.[1].pid > 0)' <<<"$output" >/dev/null
}

# -------------------------------------------------------- pause/resume

# The container's counter (in the shared dir) is past N.
count_past() {
	[ "$(cat "$SHARE/count" 2>/dev/null || echo 0)" -gt "$1" ]
}

@test "oci pause/resume: the processes freeze and thaw" {
	make_bundle -- sh -c 'i=0; while :; do i=$((i+1)); echo $i > /share/c.tmp; mv /share/c.tmp /share/count; sleep 0.1; done'
	add_share
	create
	oci start "$CID"
	local count=$SHARE/count c1 c2
	poll 5 count_past 2
	oci pause "$CID"
	[ "$(status_of)" = paused ]
	frozen
	c1=$(cat "$count")
	sleep 0.6
	c2=$(cat "$count")
	[ "$c1" = "$c2" ] || { echo "the counter went on while paused: $c1 -> $c2" >&2; return 1; }
	run oci pause "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot pause container $CID: it is paused" ]
	run oci exec "$CID" true
	expect_status 1
	[ "$output" = "isolate-oci: cannot exec in container $CID: it is paused" ]
	run oci start "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot start container $CID: it is paused" ]

	oci resume "$CID"
	[ "$(status_of)" = running ]
	thawed
	poll 3 count_past "$c2"
}

@test "oci pause: a paused container can be killed and deleted" {
	start_sleeper
	local pid
	pid=$(pid_of)
	oci pause "$CID"
	oci kill --all "$CID" KILL
	wait_status stopped
	wait_gone "$pid"
	oci delete "$CID"
	no_cgroup

	rm -rf "$BUNDLE"
	start_sleeper
	pid=$(pid_of)
	oci pause "$CID"
	[ "$(status_of)" = paused ]
	run oci delete --force "$CID"
	expect_status 0
	[ -z "$output" ] || { echo "delete --force said: $output" >&2; return 1; }
	wait_gone "$pid"
	no_cgroup
}

# -------------------------------------------------------------- update

@test "oci update: --pids-limit, --memory and --resources change the cgroup's files" {
	start_sleeper
	local pid pids mem
	pid=$(pid_of)
	pids=$(cgroup_file "$pid" pids pids.max pids.max)
	mem=$(cgroup_file "$pid" memory memory.limit_in_bytes memory.max)
	[ -f "$pids" ]
	[ -f "$mem" ]
	oci update --pids-limit 42 "$CID"
	[ "$(cat "$pids")" = 42 ]
	oci update --memory 64M "$CID"
	[ "$(cat "$mem")" = 67108864 ]
	oci update --memory 100000000 --pids-limit 7 "$CID"
	[ "$(cat "$pids")" = 7 ]
	# the kernel rounds to pages
	[ "$(cat "$mem")" = $((100000000 / 4096 * 4096)) ]

	cat >"$BATS_TEST_TMPDIR/resources.json" <<'EOF'
{"pids": {"limit": 17}, "memory": {"limit": 33554432}}
EOF
	oci update --resources "$BATS_TEST_TMPDIR/resources.json" "$CID"
	[ "$(cat "$pids")" = 17 ]
	[ "$(cat "$mem")" = 33554432 ]
	oci update --resources - "$CID" <<<'{"pids": {"limit": 23}}'
	[ "$(cat "$pids")" = 23 ]

	# bad values change nothing
	run oci update --pids-limit many "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: --pids-limit many: expected a number" ]
	run oci update --memory lots "$CID"
	expect_status 1
	expect_output "invalid size lots"
	echo '{"pids": {"limit": "x"}}' >"$BATS_TEST_TMPDIR/bad.json"
	run oci update --resources "$BATS_TEST_TMPDIR/bad.json" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: $BATS_TEST_TMPDIR/bad.json:1:20: pids.limit: expected an integer" ]
	[ "$(cat "$pids")" = 23 ]
	[ "$(cat "$mem")" = 33554432 ]
	oci kill "$CID" KILL
	wait_status stopped
	run oci update --pids-limit 5 "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: cannot update container $CID: it is stopped" ]
}

@test "oci update: the pids limit is enforced in the container" {
	start_sleeper
	oci update --pids-limit 3 "$CID"
	# sleep, sh, and one more: the fourth fork fails
	run oci exec "$CID" sh -c 'sleep 0.3 & sleep 0.3 & sleep 0.3 & wait'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Resource temporarily unavailable"* || "$output" == *"can't fork"* ]]
}

# --------------------------------------------------------------- hooks

# hook KIND: a hook that appends "KIND <its stdin>" to the log, as a
# JSON object for jq.  Run by the runtime in its own namespaces, except
# startContainer, run in the container after pivot_root (so through the
# container's /bin/sh and the /share bind mount).
hook() {
	local log=$SHARE/hooks.log
	[ "$1" = startContainer ] && log=/share/hooks.log
	jq -n --arg kind "$1" --arg log "$log" \
		'{path: "/bin/sh", args: ["sh", "-c", "echo \"\($kind) $(cat)\" >> \($log)"]}'
}

@test "oci hooks: every kind runs at its point, in the spec's order, with the state on stdin" {
	make_bundle -- sh -c 'echo ran >> /share/hooks.log; while [ ! -e /share/stop ]; do sleep 0.02; done'
	add_share
	cfg '.annotations = {"org.example.hooks": "yes"}'
	local kind
	for kind in prestart createRuntime createContainer startContainer poststart poststop; do
		cfg --argjson h "$(hook "$kind")" --arg k "$kind" '.hooks[$k] = [$h]'
	done
	local log=$SHARE/hooks.log
	create
	[ "$(cut -d' ' -f1 "$log" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
	oci start "$CID"
	wait_for_line "$log" poststart
	wait_for_line "$log" ran
	touch "$SHARE/stop"
	wait_status stopped
	oci delete "$CID"
	local order
	order=$(cut -d' ' -f1 "$log" | tr '\n' ' ')
	[ "$order" = "prestart createRuntime createContainer startContainer ran poststart poststop " ] ||
		{ echo "the hooks ran in this order: $order" >&2; cat "$log" >&2; return 1; }

	local pid bundle line json wrong=""
	pid=$(jq -r .pid <<<"$(sed -n 1p "$log" | cut -d' ' -f2-)")
	bundle=$(realpath "$BUNDLE")
	while read -r kind json; do
		[ "$kind" = ran ] && continue
		local want=creating
		case "$kind" in
		startContainer) want=created ;;
		poststart) want=running ;;
		poststop) want=stopped ;;
		esac
		jq -e --arg id "$CID" --arg st "$want" --arg b "$bundle" --argjson pid "$pid" '
			.ociVersion == "1.2.0" and .id == $id and .status == $st and .bundle == $b
			and .annotations == {"org.example.hooks": "yes"}
			and (if $st == "stopped" then (.pid // 0) == 0 else .pid == $pid end)' \
			<<<"$json" >/dev/null ||
			wrong+="$kind's state is wrong (wanted status $want, pid $pid): $json"$'\n'
	done <"$log"
	[ -z "$wrong" ] || { echo "$wrong" >&2; return 1; }
}

@test "oci hooks: poststart runs after startContainer, even a slow one" {
	# runtime.md: startContainer before the command is executed, poststart
	# after it is; so never poststart before startContainer
	make_bundle -- sh -c 'echo ran >> /share/hooks.log; sleep 1000'
	add_share
	cfg --argjson h "$(hook poststart)" '.hooks.poststart = [$h]'
	cfg '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "sleep 0.5; echo startContainer >> /share/hooks.log"]}]'
	create
	oci start "$CID"
	wait_for_line "$SHARE/hooks.log" ran
	wait_for_line "$SHARE/hooks.log" poststart
	local order
	order=$(cut -d' ' -f1 "$SHARE/hooks.log" | tr '\n' ' ')
	[ "$order" = "startContainer ran poststart " ] || { echo "the hooks ran in this order: $order" >&2; return 1; }
}

@test "oci hooks: a failing prestart hook fails create and leaves nothing" {
	make_bundle -- sleep 1000
	cfg '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "echo hook says no >&2; exit 3"]}]'
	run oci create --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "hook says no"$'\n'"isolate-oci: prestart hook /bin/sh: exited with status 3" ]
	state_empty
	no_cgroup
	[ -z "$(leftovers)" ]
}

@test "oci hooks: a hook past its timeout is killed and fails create in about that time" {
	make_bundle -- sleep 1000
	cfg --arg t "5.0$$" '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", $t], timeout: 1}]'
	local t0 t1
	t0=$(date +%s%N)
	run oci create --bundle "$BUNDLE" "$CID"
	t1=$(date +%s%N)
	expect_status 1
	[ "$output" = "isolate-oci: createRuntime hook /bin/sleep: timed out after 1 s" ]
	local ms=$(((t1 - t0) / 1000000))
	[ "$ms" -ge 900 ] && [ "$ms" -lt 2500 ] || { echo "create took $ms ms" >&2; return 1; }
	state_empty
	no_cgroup
	# the hook was killed
	if pgrep -f "^sleep 5\.0$$\$" >/dev/null; then
		echo "the hook is still running" >&2
		return 1
	fi
}

@test "oci hooks: a failing poststop hook is only a warning" {
	make_bundle -- true
	cfg '.hooks.poststop = [{path: "/bin/false"}]'
	create
	oci start "$CID"
	wait_status stopped
	run oci delete "$CID"
	expect_status 0
	[ "$output" = "isolate-oci: warning: poststop hook /bin/false: exited with status 1" ]
	[ ! -e "$STATE/$CID" ]
	no_cgroup
}

@test "oci hooks: a missing hook program fails create with its path" {
	make_bundle -- true
	cfg '.hooks.createContainer = [{path: "/no/such/hook"}]'
	run oci create --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: createContainer hook /no/such/hook: No such file or directory" ]
	state_empty
	no_cgroup
	cfg 'del(.hooks) | .hooks.createRuntime = [{path: "/no/such/hook"}]'
	run oci create --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: createRuntime hook /no/such/hook: exec: No such file or directory" ]
	state_empty
	no_cgroup
}

# ------------------------------------------------------ console socket

# recvtty SOCKET OUTFILE: a receiver in the background, listening once
# the function returns.
start_recvtty() {
	"$RECVTTY" "$1" >"$2" 2>&1 &
	RECV_PID=$!
	BG_PIDS+=("$RECV_PID")
	poll 5 test -S "$1" && return 0
	echo "recvtty did not listen on $1" >&2
	return 1
}

# Up to 10 s for the receiver to end; its status must be 0.
wait_recvtty() {
	poll 10 dead "$RECV_PID"
	local s=0
	wait "$RECV_PID" || s=$?
	[ "$s" -eq 0 ] || { echo "recvtty: status $s: $(cat "$1")" >&2; return 1; }
}

@test "oci console socket: the terminal's master reaches the receiver" {
	make_bundle -- sh -c 'tty; echo "rows $(stty size)"; echo done'
	cfg '.process.terminal = true | .process.consoleSize = {height: 33, width: 101}'
	local sock=$BATS_TEST_TMPDIR/console.sock tty_out=$BATS_TEST_TMPDIR/tty.out
	start_recvtty "$sock" "$tty_out"
	create --console-socket "$sock"
	oci start "$CID"
	wait_recvtty "$tty_out"
	# the name runc sends with it
	[ "$(head -n1 "$tty_out")" = "name: /dev/ptmx" ]
	grep -q '^/dev/pts/0' "$tty_out"
	grep -q '^rows 33 101' "$tty_out"
	grep -q '^done' "$tty_out"
	# nothing of the terminal reached create's own stdio
	[ ! -s "$OUT" ]
}

@test "oci console socket: a terminal without --console-socket is an error for create and run --detach" {
	make_bundle -- true
	cfg '.process.terminal = true'
	run oci create --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: process.terminal is set: --console-socket is needed to pass the terminal on" ]
	state_empty
	run oci run --detach --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: a detached container with a terminal needs --console-socket" ]
	state_empty
	no_cgroup
	run oci create --console-socket "$BATS_TEST_TMPDIR/nobody-listens" --bundle "$BUNDLE" "$CID"
	expect_status 1
	[ "$output" = "isolate-oci: console socket: connect to $BATS_TEST_TMPDIR/nobody-listens: No such file or directory" ]
	state_empty
	no_cgroup
}

@test "oci console socket: exec --tty --console-socket" {
	start_sleeper
	local sock=$BATS_TEST_TMPDIR/exec.sock tty_out=$BATS_TEST_TMPDIR/tty.out
	start_recvtty "$sock" "$tty_out"
	oci exec --tty --console-socket "$sock" "$CID" sh -c 'tty; echo exec-done' >"$OUT" 2>&1 </dev/null
	wait_recvtty "$tty_out"
	grep -q '^/dev/pts/[0-9]' "$tty_out"
	grep -q '^exec-done' "$tty_out"
	# attached, without a socket: the runtime relays the terminal itself
	run oci exec --tty "$CID" tty </dev/null
	expect_status 0
	[[ "$output" == /dev/pts/* ]]
	# detached, it needs one
	run oci exec --tty --detach "$CID" tty </dev/null
	expect_status 1
	[ "$output" = "isolate-oci: a detached exec with a terminal needs --console-socket" ]
}

# --------------------------------------------------- malformed configs

# bad_config JQ_FILTER [--at REGEX] MESSAGE: create fails with exactly
# MESSAGE, status 1, and makes nothing.  With --at, @L in MESSAGE is the
# number of the last line of the edited config.json (as jq writes it:
# two spaces a level) that matches the extended REGEX.
bad_config() {
	local filter=$1 line msg
	shift
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
	cfg "$filter"
	if [ "$1" = --at ]; then
		line=$(grep -nE -- "$2" "$BUNDLE/config.json" | tail -n1 | cut -d: -f1)
		[ -n "$line" ] || { echo "no line matches $2" >&2; return 1; }
		shift 2
	fi
	msg=${1//@L/$line}
	expect_create_error "$msg"
	cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
}

expect_create_error() {
	run oci create --bundle "$BUNDLE" "$CID"
	if [ "$status" -ne 1 ] || [ "$output" != "isolate-oci: $1" ]; then
		echo "expected status 1 and: isolate-oci: $1" >&2
		echo "got status $status and: $output" >&2
		return 1
	fi
	state_empty
	no_cgroup
}

@test "oci config.json: invalid JSON, with jansson's line and column" {
	make_bundle -- true
	printf '{\n  "ociVersion": "1.2.0",\n  "process": {\n' >"$BUNDLE/config.json"
	expect_create_error "config.json:4:0: string or '}' expected near end of file"
	printf '{"ociVersion": "1.2.0",, }' >"$BUNDLE/config.json"
	expect_create_error "config.json:1:24: string or '}' expected near ','"
	echo '[]' >"$BUNDLE/config.json"
	expect_create_error "config.json:1:1: expected an object"
	rm "$BUNDLE/config.json"
	expect_create_error "open $(realpath "$BUNDLE")/config.json: No such file or directory"
}

@test "oci config.json: wrong-typed fields, with their JSON path, line and column" {
	make_bundle -- true
	bad_config '.process.args = "true"' --at '^    "args": "true"' \
		'config.json:@L:13: process.args: expected an array of strings'
	bad_config '.process.args = ["sh", 3]' --at '^      3$' \
		'config.json:@L:7: process.args[1]: expected a string'
	bad_config '.process.args = []' --at '^    "args": \[\]' \
		'config.json:@L:13: process.args: expected at least the program to run'
	bad_config '.linux.namespaces[1] = "network"' --at '^      "network"' \
		'config.json:@L:7: linux.namespaces[1]: expected an object'
	bad_config '.linux.namespaces[1] = {"type": 3}' --at '"type": 3$' \
		'config.json:@L:17: linux.namespaces[1].type: expected a string'
	bad_config '.linux.namespaces[1] = {"type": "bogus"}' --at '"type": "bogus"' \
		'config.json:@L:17: linux.namespaces[1].type: unknown namespace "bogus"'
	bad_config '.process.user.uid = -1' --at '"uid": -1' \
		'config.json:@L:14: process.user.uid: -1 is out of range (0 to 4294967295)'
	bad_config '.linux.resources.pids = {"limit": "x"}' --at '"limit": "x"' \
		'config.json:@L:18: linux.resources.pids.limit: expected an integer'
	bad_config '.linux.devices = [{"path": "/dev/x", "type": "z", "major": 1, "minor": 1}]' --at '"type": "z"' \
		'config.json:@L:17: linux.devices[0].type: unknown device type "z" (expected c, b, u or p)'
	bad_config '.ociVersion = "2.0.0"' \
		'config.json:2:17: ociVersion: version "2.0.0" is not supported (expected 1.x)'
	bad_config 'del(.process)' 'config.json:1:1: process: required'
}

@test "oci config.json: what isolate-oci cannot do is refused, never skipped" {
	make_bundle -- true
	bad_config '.linux.intelRdt = {"closID": "x"}' --at '^    "intelRdt"' \
		'config.json:@L:17: linux.intelRdt: not supported by isolate-oci'
	bad_config '.linux.namespaces += [{"type": "time"}]' --at '"type": "time"' \
		'config.json:@L:17: linux.namespaces[6].type: the time namespace is not supported by isolate-oci'
	bad_config '.linux.namespaces += [{"type": "network"}]' --at '"type": "network"' \
		'config.json:@L:17: linux.namespaces[6].type: the network namespace is listed twice'
	bad_config '.linux.namespaces += [{"type": "user", "path": "/proc/1/ns/user"}]' \
		'linux.namespaces: joining a user namespace by path (/proc/1/ns/user) is not supported'
}

@test "oci config.json: a missing root, host sysctls, bad namespace paths" {
	make_bundle -- true
	bad_config '.root.path = "nonexistent"' \
		"rootfs $(realpath "$BUNDLE")/nonexistent: No such file or directory"
	bad_config '.root.path = "/etc/passwd"' 'rootfs /etc/passwd: Not a directory'
	bad_config '.linux.sysctl = {"kernel.panic": "1"}' \
		"sysctl kernel.panic: not in a namespace of the container's; it would change the host"
	bad_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))' \
		"sysctl net.ipv4.ip_forward: the container shares the host's network namespace"
	bad_config '.linux.namespaces[1] = {"type": "network", "path": "/etc/passwd"}' \
		'/etc/passwd: not a namespace file'
	bad_config '.linux.namespaces[1] = {"type": "network", "path": "/nonexistent"}' \
		'open the network namespace /nonexistent: No such file or directory'
}

# -------------------------------------------- namespaces and security

# run_in ARGS...: `run` of the bundle with ARGS as its command.
run_in() {
	cfg --argjson a "$(json_array "$@")" '.process.args = $a'
	run oci run --bundle "$BUNDLE" "$CID"
}

@test "oci namespaces: a new network namespace has only lo, up" {
	make_bundle -- true
	run_in ls /sys/class/net
	expect_status 0
	[ "$output" = lo ]
	run_in cat /sys/class/net/lo/operstate
	[ "$output" = unknown ]
}

@test "oci namespaces: a network namespace joined by its path" {
	NETNS="isolate-oci-test-$$"
	ip netns add "$NETNS"
	ip -n "$NETNS" link add oci-dummy$$ type veth peer name oci-peer$$
	make_bundle -- true
	cfg --arg p "/run/netns/$NETNS" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	run_in cat /proc/net/dev
	expect_status 0
	echo "$output" | grep -q "^ *oci-dummy$$:"
	echo "$output" | grep -q "^ *lo:"
	[[ "$output" != *eth0:* ]]
	# the link is not the host's
	run ip link show "oci-dummy$$"
	[ "$status" -ne 0 ]
	# and its /sys is the namespace's too
	run_in ls /sys/class/net
	expect_status 0
	[ "$output" = "lo"$'\n'"oci-dummy$$"$'\n'"oci-peer$$" ] ||
		{ echo "/sys/class/net in the container: $output" >&2; return 1; }
}

@test "oci namespaces: hostname, domainname, a namespaced sysctl only inside" {
	make_bundle -- true
	cfg '.hostname = "oci-host" | .domainname = "example.test" | .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
	local host_fwd host_shmmni
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shmmni=$(cat /proc/sys/kernel/shmmni)
	run_in sh -c 'hostname; cat /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	expect_status 0
	[ "$output" = "oci-host"$'\n'"example.test"$'\n'1$'\n'1234 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" = "$host_shmmni" ]
	[ "$(hostname)" != oci-host ]
}

@test "oci process: rlimits, noNewPrivileges, umask, oomScoreAdj" {
	make_bundle -- true
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1000}, {"type": "RLIMIT_NPROC", "soft": 77, "hard": 77}]
		| .process.noNewPrivileges = true | .process.user.umask = 63 | .process.oomScoreAdj = 123'
	run_in sh -c 'ulimit -n; ulimit -Hn; ulimit -u; grep NoNewPrivs /proc/self/status; umask; cat /proc/self/oom_score_adj'
	expect_status 0
	[ "$output" = "512"$'\n'"1000"$'\n'"77"$'\n'"NoNewPrivs:"$'\t'"1"$'\n'"0077"$'\n'"123" ]
	cfg '.process.noNewPrivileges = false'
	run_in grep NoNewPrivs /proc/self/status
	[ "$output" = "NoNewPrivs:"$'\t'"0" ]
}

@test "oci process: the bounding and permitted sets are config.json's" {
	make_bundle -- true
	# CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_SYS_ADMIN 21.
	# What the command shows is after its exec: as root (no file
	# capabilities, no_new_privs) it has permitted = effective = the
	# permitted set it was given (the kernel's rules for uid 0, as with runc)
	cfg '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
		"effective": ["CAP_KILL", "CAP_SYS_ADMIN"]}'
	run_in grep ^Cap /proc/self/status
	expect_status 0
	echo "$output" | grep -qx "CapBnd:"$'\t'"0000000000200421"
	echo "$output" | grep -qx "CapPrm:"$'\t'"0000000000200420"
	echo "$output" | grep -qx "CapEff:"$'\t'"0000000000200420"
	echo "$output" | grep -qx "CapInh:"$'\t'"0000000000000000"
	echo "$output" | grep -qx "CapAmb:"$'\t'"0000000000000000"
	# the default spec's three (CAP_AUDIT_WRITE 29, CAP_KILL,
	# CAP_NET_BIND_SERVICE), for a non-root user: nothing left after exec
	mkdir "$BATS_TEST_TMPDIR/default"
	oci spec --bundle "$BATS_TEST_TMPDIR/default"
	cfg --argjson caps "$(jq .process.capabilities "$BATS_TEST_TMPDIR/default/config.json")" \
		'.process.capabilities = $caps | .process.user = {"uid": 1000, "gid": 1000}'
	run_in grep ^Cap /proc/self/status
	expect_status 0
	echo "$output" | grep -qx "CapBnd:"$'\t'"0000000020000420"
	echo "$output" | grep -qx "CapPrm:"$'\t'"0000000000000000"
	echo "$output" | grep -qx "CapEff:"$'\t'"0000000000000000"
}

@test "oci process: the inheritable and ambient sets are config.json's" {
	make_bundle -- true
	cfg '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run_in grep ^Cap /proc/self/status
	expect_status 0
	echo "$output" | grep -qx "CapInh:"$'\t'"0000000000000420"
	echo "$output" | grep -qx "CapAmb:"$'\t'"0000000000000400"
	# ambient is what survives an exec as another user
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	run_in grep ^Cap /proc/self/status
	expect_status 0
	echo "$output" | grep -qx "CapEff:"$'\t'"0000000000000400"
	echo "$output" | grep -qx "CapAmb:"$'\t'"0000000000000400"
}

@test "oci linux: maskedPaths and readonlyPaths" {
	make_bundle -- true
	mkdir -p "$BUNDLE/rootfs/secret" "$BUNDLE/rootfs/frozen"
	echo hidden >"$BUNDLE/rootfs/secret/file"
	echo kept >"$BUNDLE/rootfs/frozen/file"
	cfg '.linux.maskedPaths += ["/secret", "/proc/version"] | .linux.readonlyPaths += ["/frozen"]'
	# a masked directory shows nothing (runc: an empty read-only tmpfs;
	# unreadable is as good), a masked file reads empty
	run_in sh -c 'cat /secret/file 2>/dev/null; ls -A /secret 2>/dev/null; echo "version: $(cat /proc/version)"'
	[ "$output" = "version: " ]
	run_in sh -c 'touch /secret/new'
	[ "$status" -ne 0 ]
	[ ! -e "$BUNDLE/rootfs/secret/new" ]
	# read-only: readable, not writable
	run_in sh -c 'cat /frozen/file; touch /frozen/new'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = kept ]
	expect_output "Read-only file system"
	[ ! -e "$BUNDLE/rootfs/frozen/new" ]
	run_in sh -c 'echo 1 > /proc/sys/kernel/shmmni'
	[ "$status" -ne 0 ]
	expect_output "Read-only file system"
}

@test "oci linux: a linux.devices entry is made with its type, numbers, mode and owner" {
	make_bundle -- true
	cfg '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 8630, "uid": 1000, "gid": 5},
		{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	run_in sh -c 'stat -c "%F %t %T %a %u %g" /dev/mynull; stat -c "%F %t %T" /dev/fuse; echo x > /dev/mynull && echo written'
	expect_status 0
	# 8630 is 020666: a character device, rw for everyone
	[ "${lines[0]}" = "character special file 1 3 666 1000 5" ]
	[ "${lines[1]}" = "character special file a e5" ]
	[ "${lines[2]}" = written ]
}

# ----------------------------------------- features, spec, version, log

@test "oci features: valid JSON with the versions and what is supported" {
	run oci features
	expect_status 0
	jq -e '.ociVersionMin == "1.0.0" and (.ociVersionMax | startswith("1.2"))
		and (.hooks | index("createContainer") != null)
		and (.linux.namespaces | index("network") != null)
		and (.linux.intelRdt.enabled == false)' <<<"$output" >/dev/null
}

@test "oci spec: writes a config.json, refuses to overwrite one; --version" {
	mkdir -p "$BUNDLE"
	oci spec --bundle "$BUNDLE"
	jq -e '.ociVersion == "1.2.0" and .process.args == ["sh"] and .root.path == "rootfs"' \
		"$BUNDLE/config.json" >/dev/null
	echo changed >"$BUNDLE/config.json"
	run oci spec --bundle "$BUNDLE"
	expect_status 1
	[ "$output" = "isolate-oci: $BUNDLE/config.json already exists; remove it first" ]
	[ "$(cat "$BUNDLE/config.json")" = changed ]
	# the default directory is the current one
	mkdir -p "$BATS_TEST_TMPDIR/here"
	(cd "$BATS_TEST_TMPDIR/here" && "$ISOLATE_OCI" spec)
	jq -e . "$BATS_TEST_TMPDIR/here/config.json" >/dev/null
	run oci spec --rootless --bundle "$BATS_TEST_TMPDIR/here"
	expect_status 1

	run oci --version
	expect_status 0
	[[ "${lines[0]}" == "isolate-oci version "* ]]
	echo "$output" | grep -qx "spec: 1.2.0"
}

@test "oci --log --log-format json: an error is a JSON line with level and msg" {
	local log=$BATS_TEST_TMPDIR/oci.log
	run "$ISOLATE_OCI" --root "$STATE" --log "$log" --log-format json state "$CID"
	expect_status 1
	[ "$(wc -l <"$log")" -eq 1 ]
	jq -e --arg m "container $CID does not exist" '.level == "error" and .msg == $m and (.time | type == "string")' \
		"$log" >/dev/null
	run "$ISOLATE_OCI" --root "$STATE" --log "$log" --log-format json kill "$CID" NOSIG
	expect_status 1
	tail -n1 "$log" | jq -e '.level == "error" and (.msg | contains("unknown signal NOSIG"))' >/dev/null
	# text is the default format
	run "$ISOLATE_OCI" --root "$STATE" --log "$log.txt" delete "$CID"
	expect_status 1
	grep -q 'level=error msg="container '"$CID"' does not exist"' "$log.txt"
	run "$ISOLATE_OCI" --log-format xml list
	expect_status 1
	expect_output "--log-format xml: expected text or json"
}

# ------------------------------------------------- a killed runtime

@test "oci delete --force: cleans up after a runtime killed mid-create" {
	make_bundle -- sleep 1000
	cfg --arg f "$BATS_TEST_TMPDIR/hook.pid" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo $$ > \($f); exec sleep 30"]}]'
	"$ISOLATE_OCI" --root "$STATE" create --bundle "$BUNDLE" "$CID" >"$OUT" 2>&1 </dev/null 3>&- &
	local runtime=$!
	BG_PIDS+=("$runtime")
	wait_for_file "$BATS_TEST_TMPDIR/hook.pid"
	local hook pid
	hook=$(cat "$BATS_TEST_TMPDIR/hook.pid")
	BG_PIDS+=("$hook")
	pid=$(jq -r .pid "$STATE/$CID/state.json")
	[ "$pid" -gt 0 ]
	kill -KILL "$runtime"
	wait "$runtime" || true
	# creating, until the process waiting for its go-ahead sees the
	# runtime's end and exits: then stopped
	local st
	st=$(status_of)
	[ "$st" = creating ] || [ "$st" = stopped ] || { echo "status: $st" >&2; return 1; }
	oci list -q | grep -qx "$CID"

	oci delete --force "$CID"
	[ ! -e "$STATE/$CID" ]
	no_cgroup
	wait_gone "$pid"
	[ -z "$(leftovers)" ]
	kill -KILL "$hook" 2>/dev/null || true
}
