#!/usr/bin/env bats
# The command's process: exit statuses, signals, --init, environment,
# working directory, user, stdin and the terminal.

load helpers

@test "exit status is the command's own" {
	run iso_rootfs sh -c 'exit 0'
	expect_status 0
	run iso_rootfs sh -c 'exit 42'
	expect_status 42
}

@test "exit status is 128+N when the container's PID 1 is killed by signal N" {
	"$ISOLATE" run --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" sh -c 'echo ready > /scratch/ready; sleep 100' &
	isolate_pid=$!
	wait_for_file "$SCRATCH/ready"
	kill -KILL "$(container_pid "$isolate_pid")"
	status=0
	wait "$isolate_pid" || status=$?
	expect_status 137
}

@test "exit status is 128+N when the command kills itself under --init" {
	run iso_rootfs --init sh -c 'kill -TERM $$'
	expect_status 143
}

@test "exit status is 127 when the command is not found" {
	run -127 iso_rootfs no-such-command
	expect_status 127
	expect_output "isolate: exec no-such-command: executable file not found in \$PATH"
	run -127 iso_rootfs /no/such/path
	expect_status 127
	expect_output "exec /no/such/path: No such file or directory"
}

@test "exit status is 126 when the command cannot be executed" {
	run iso_rootfs /etc/passwd
	expect_status 126
	expect_output "isolate: exec /etc/passwd: Permission denied"
	run iso_rootfs /etc
	expect_status 126
}

@test "exit status is 127 from --init when the command is not found" {
	run -127 iso_rootfs --init no-such-command
	expect_status 127
	expect_output "executable file not found"
}

@test "SIGTERM sent to isolate reaches the container's PID 1" {
	"$ISOLATE" run --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" \
		sh -c 'trap "echo got-TERM > /scratch/got; exit 3" TERM; echo ready > /scratch/ready; while :; do sleep 0.05; done' &
	isolate_pid=$!
	wait_for_file "$SCRATCH/ready"
	kill -TERM "$isolate_pid"
	status=0
	wait "$isolate_pid" || status=$?
	expect_status 3
	[ "$(cat "$SCRATCH/got")" = got-TERM ]
}

@test "SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH are passed on" {
	for sig in INT HUP QUIT USR1 USR2 WINCH; do
		rm -f "$SCRATCH/ready" "$SCRATCH/got"
		"$ISOLATE" run --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" \
			sh -c "trap 'echo $sig > /scratch/got; exit 0' $sig; echo ready > /scratch/ready; while :; do sleep 0.05; done" &
		isolate_pid=$!
		wait_for_file "$SCRATCH/ready"
		kill "-$sig" "$isolate_pid"
		wait "$isolate_pid"
		[ "$(cat "$SCRATCH/got")" = "$sig" ] || { echo "$sig was not passed on"; return 1; }
	done
}

@test "--init forwards signals to a command that has no handler" {
	"$ISOLATE" run --rootfs "$ROOTFS" -v "$SCRATCH:/scratch" --init \
		sh -c 'echo ready > /scratch/ready; exec sleep 100' &
	isolate_pid=$!
	wait_for_file "$SCRATCH/ready"
	kill -INT "$isolate_pid"
	status=0
	wait "$isolate_pid" || status=$?
	expect_status 130
}

@test "--init is PID 1 and reaps orphaned zombies" {
	run iso_rootfs --init sh -c '
		echo "init=$(cat /proc/1/comm)"
		sh -c "sleep 0.2 & exit 0"   # the sleep is orphaned to PID 1
		sleep 0.6
		ps -o stat,comm | grep -c "^Z" || true'
	expect_status 0
	[ "$(echo "$output" | head -1)" != "init=sh" ]
	[ "$(echo "$output" | tail -1)" = 0 ]
}

@test "default environment: PATH, HOSTNAME and HOME, as docker sets them" {
	run iso_rootfs --hostname envbox env
	expect_status 0
	expect_output "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	expect_output "HOSTNAME=envbox"
	expect_output "HOME=/root"
	[[ "$output" != *TERM=* ]]
}

@test "-e KEY=VALUE, -e KEY from the host, and --env-file; later wins" {
	printf '# comment\nFROMFILE=file\n\nSHARED=file\nHOSTVAR\n' > "$SCRATCH/env"
	HOSTVAR=from-host UNSETVAR= run iso_rootfs -e A=1 -e HOSTVAR --env-file "$SCRATCH/env" \
		-e SHARED=flag -e NOT_ON_HOST env
	expect_status 0
	expect_output "A=1"
	expect_output "HOSTVAR=from-host"
	expect_output "FROMFILE=file"
	expect_output "SHARED=flag"
	[[ "$output" != *NOT_ON_HOST* ]]
}

@test "-e can override PATH and HOME" {
	run iso_rootfs -e PATH=/bin -e HOME=/tmp sh -c 'echo $PATH $HOME'
	expect_status 0
	[ "$output" = "/bin /tmp" ]
}

@test "-w sets the working directory and creates it when missing" {
	run iso_rootfs -w /etc pwd
	expect_status 0
	[ "$output" = /etc ]
	run iso_rootfs -w /new/work/dir pwd
	expect_status 0
	[ "$output" = /new/work/dir ]
	[ -d "$ROOTFS/new/work/dir" ]
}

@test "-u by name takes uid, gid, home and supplementary groups from the rootfs" {
	run iso_rootfs -u alice sh -c 'id; echo $HOME'
	expect_status 0
	[ "$output" = "uid=1000(alice) gid=1000(alice) groups=10(wheel),29(audio),1000(alice)
/home/alice" ]
}

@test "-u with ids and with a group name" {
	run iso_rootfs -u 1001:50 id
	expect_status 0
	[ "$output" = "uid=1001(bob) gid=50(staff) groups=50(staff)" ]
	run iso_rootfs -u bob:wheel id
	expect_status 0
	[ "$output" = "uid=1001(bob) gid=10(wheel) groups=10(wheel)" ]
	run iso_rootfs -u 4242 sh -c 'id -u; id -g; echo $HOME'
	expect_status 0
	[ "$(echo $output)" = "4242 0 /" ]
}

@test "root in the container gets the groups /etc/group gives it" {
	run iso_rootfs id
	expect_status 0
	[ "$output" = "uid=0(root) gid=0(root) groups=0(root),10(wheel)" ]
}

@test "stdin: passed with -i, /dev/null without" {
	run bash -c "echo piped | '$ISOLATE' run --rootfs '$ROOTFS' -i cat"
	expect_status 0
	[ "$output" = piped ]
	run bash -c "echo piped | '$ISOLATE' run --rootfs '$ROOTFS' cat"
	expect_status 0
	[ "$output" = "" ]
}

@test "stdout and stderr pass through unchanged without -t" {
	run bash -c "'$ISOLATE' run --rootfs '$ROOTFS' sh -c 'echo out; echo err >&2' 2>'$SCRATCH/err'"
	expect_status 0
	[ "$output" = out ]
	[ "$(cat "$SCRATCH/err")" = err ]
}

@test "-t gives the command a pty of its own devpts, with TERM and the window size" {
	run script -qec "stty rows 33 cols 77; '$ISOLATE' run --rootfs '$ROOTFS' -t sh -c 'tty; stty size; echo \$TERM; test -c /dev/console && echo console'" /dev/null
	expect_status 0
	expect_output "/dev/pts/0"
	expect_output "33 77"
	expect_output "xterm"
	expect_output "console"
}

@test "-it relays input and restores the terminal afterwards" {
	run script -qec "stty -a | grep -o ' -\\?icanon'; echo hello-pty | '$ISOLATE' run --rootfs '$ROOTFS' -it sh -c 'read l; echo got:\$l; exit 4'; echo rc=\$?; stty -a | grep -o ' -\\?icanon'" /dev/null
	expect_status 0
	expect_output "got:hello-pty"
	expect_output "rc=4"
	[ "$(echo "$output" | grep -c '^ icanon')" -eq 2 ]
}

@test "-t exit status is the command's, and the output written just before exit arrives" {
	run script -qec "'$ISOLATE' run --rootfs '$ROOTFS' -t sh -c 'seq 1 2000 | tail -1; exit 9'; echo rc=\$?" /dev/null
	expect_status 0
	expect_output "2000"
	expect_output "rc=9"
}

@test "-t keeps relaying output after a signal was passed on" {
	script -qfec "'$ISOLATE' run --rootfs '$ROOTFS' -v '$SCRATCH:/scratch' -t sh -c 'trap \"echo got-usr1\" USR1; echo ready > /scratch/ready; until [ -e /scratch/stop ]; do sleep 0.05; done'" "$SCRATCH/out" </dev/null >/dev/null &
	script_pid=$!
	wait_for_file "$SCRATCH/ready"
	pkill -USR1 -f "^$ISOLATE run --rootfs $ROOTFS"
	tries=300
	until grep -q "^got-usr1" "$SCRATCH/out" || [ "$tries" -eq 0 ]; do sleep 0.01; tries=$((tries - 1)); done
	# seen while the container still runs, not only flushed at its exit
	seen=$(grep -c "^got-usr1" "$SCRATCH/out" || true)
	touch "$SCRATCH/stop"
	wait "$script_pid"
	[ "$seen" -eq 1 ]
}

@test "the container dies with isolate, also after the switch to the container's user" {
	for user in root alice; do
		"$ISOLATE" run --rootfs "$ROOTFS" -u "$user" sleep 300 &
		isolate_pid=$!
		pid=$(container_pid "$isolate_pid")
		tries=500
		until grep -q sleep "/proc/$pid/comm" 2>/dev/null || [ "$tries" -eq 0 ]; do sleep 0.01; tries=$((tries - 1)); done
		kill -KILL "$isolate_pid"
		wait "$isolate_pid" || true
		tries=500
		# gone, or a zombie waiting for the host's init to reap it
		until ! [ -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || [ "$tries" -eq 0 ]; do
			sleep 0.01
			tries=$((tries - 1))
		done
		state=$(grep '^State:' "/proc/$pid/status" 2>/dev/null || echo gone)
		[[ "$state" == gone || "$state" == *Z* ]] || { echo "-u $user: container still running: $state"; kill -KILL "$pid"; return 1; }
	done
}

@test "without -t the command has no controlling terminal, even when isolate has one" {
	run script -qec "'$ISOLATE' run --rootfs '$ROOTFS' sh -c 'cut -d\" \" -f7 /proc/self/stat'" /dev/null
	expect_status 0
	[ "$(echo "$output" | tr -d '\r')" = 0 ]
}

@test "-it passes megabytes of piped input without a deadlock, and ends it with end-of-file" {
	yes 0123456789012345678901234567890123456789 | head -c 3000000 > "$SCRATCH/in"
	run timeout 60 bash -c "'$ISOLATE' run --rootfs '$ROOTFS' -it -v '$SCRATCH:/scratch' sh -c 'cat > /scratch/out' < '$SCRATCH/in' > /dev/null"
	expect_status 0
	cmp "$SCRATCH/in" "$SCRATCH/out"
}

@test "-t: when nobody reads the output any more, the container is hung up" {
	# yes ends by the SIGHUP (129), or, as PID 1 that ignores it, by the
	# next write failing (1); either way the run ends
	for init in "" --init; do
		run timeout 30 bash -c "'$ISOLATE' run --rootfs '$ROOTFS' $init -t yes | head -1; echo \"isolate=\${PIPESTATUS[0]}\""
		expect_status 0
		[[ "$output" == *isolate=1 || "$output" == *isolate=129 ]] || { echo "$init: $output"; return 1; }
	done
}

@test "SIGTERM during a stuck setup ends the run, and kills the container" {
	rm "$ROOTFS/etc/passwd"
	mkfifo "$ROOTFS/etc/passwd"    # the user lookup blocks on it
	"$ISOLATE" run --rootfs "$ROOTFS" true 2> "$SCRATCH/err" &
	isolate_pid=$!
	pid=$(container_pid "$isolate_pid")
	tries=500
	until grep -q fifo "/proc/$pid/wchan" 2>/dev/null || grep -q pipe "/proc/$pid/wchan" 2>/dev/null || [ "$tries" -eq 0 ]; do
		sleep 0.01
		tries=$((tries - 1))
	done
	kill -TERM "$isolate_pid"
	status=0
	timeout 10 tail --pid="$isolate_pid" -f /dev/null || true
	wait "$isolate_pid" || status=$?
	expect_status 143
	grep -q "interrupted by SIGTERM during the container's setup" "$SCRATCH/err"
	! [ -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
}

@test "--init with -t: the command gets the terminal's foreground" {
	run timeout 20 script -qec "'$ISOLATE' run --rootfs '$ROOTFS' --init -t sh -c 'echo pgrp=\$(cut -d\" \" -f5 /proc/self/stat) fg=\$(cut -d\" \" -f8 /proc/self/stat)'" /dev/null
	expect_status 0
	line=$(echo "$output" | tr -d '\r' | grep pgrp=)
	pgrp=${line#pgrp=}; pgrp=${pgrp%% *}
	[ "$line" = "pgrp=$pgrp fg=$pgrp" ]
}
