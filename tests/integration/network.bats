#!/usr/bin/env bats
# Container networking: bridge networks, published ports, joined and
# borrowed namespaces, the files in /etc, errors, and that nothing isolate
# makes on the host (veths, leases, state, nft elements, networks) outlives
# what it was made for.
#
# Traffic goes only to loopback, to the containers' own networks and to the
# network namespaces these tests make.  Every test undoes what it made, also
# when it fails: teardown stops the background containers and host
# processes it started, and removes its networks and network namespaces.

load helpers

# helpers.bash's setup_file, setup and teardown under other names, so that
# this file's can do more and then hand over to them.
eval "helpers_$(declare -f setup_file)"
eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

RUN_DIR=/run/isolate
NETWORKS_DIR=/var/lib/isolate/networks

setup_file() {
	helpers_setup_file
	# the default network, defined now if it is not yet: its subnet and
	# gateway (10.66.0.0/16 and 10.66.0.1 unless the host routes those)
	"$ISOLATE" run --network bridge -- true
	read -r BRIDGE_SUBNET BRIDGE_GW < <("$ISOLATE" network ls | awk '$1 == "bridge" {print $2, $3}')
	[ -n "$BRIDGE_GW" ]
	export BRIDGE_SUBNET BRIDGE_GW
	# "ready TAG": eth0's address (or "none") to /share/TAG, in one step
	cat > "$ROOTFS_TEMPLATE/bin/ready" <<-'EOF'
	#!/bin/sh
	a=$(ip -4 -o addr show eth0 2>/dev/null | sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p')
	echo "${a:-none}" > "/share/.$1" && mv "/share/.$1" "/share/$1"
	EOF
	chmod 755 "$ROOTFS_TEMPLATE/bin/ready"
	# busybox's nc has no UDP: "udprecv PORT" prints the first datagram
	cat > "$BATS_FILE_TMPDIR/udprecv.c" <<-'EOF'
	#include <netinet/in.h>
	#include <stdio.h>
	#include <stdlib.h>
	#include <sys/socket.h>
	int main(int argc, char **argv)
	{
		struct sockaddr_in sa = { .sin_family = AF_INET };
		char buf[2048];
		ssize_t n;
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (argc != 2 || fd < 0)
			return 2;
		sa.sin_port = htons((unsigned short)atoi(argv[1]));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("bind");
			return 1;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return 1;
		fwrite(buf, 1, (size_t)n, stdout);
		return 0;
	}
	EOF
	cc -static -O2 -o "$ROOTFS_TEMPLATE/bin/udprecv" "$BATS_FILE_TMPDIR/udprecv.c" || true
}

setup() {
	helpers_setup
	SHARE=$SCRATCH/share
	mkdir "$SHARE"
	BG_PIDS=()
	HOST_PIDS=()
	NETWORKS=()
	NETNS=()
	PREFIX="nt$$-$BATS_TEST_NUMBER"
	netns_dir_was_mount=no
	mountpoint -q /run/netns 2>/dev/null && netns_dir_was_mount=yes
	return 0
}

teardown() {
	local pid net ns status=0

	for pid in "${HOST_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for pid in "${BG_PIDS[@]}"; do
		stop_bg "$pid"
	done
	# waits for the releases of the containers that ended
	"$ISOLATE" network ls >/dev/null 2>&1 || true
	for net in "${NETWORKS[@]}"; do
		[ -e "$NETWORKS_DIR/$net.json" ] || continue
		if ! "$ISOLATE" network rm "$net" >/dev/null; then
			echo "teardown: network rm $net failed" >&2
			status=1
		fi
	done
	# every network a test makes is named after it: none may be left
	for net in $(ls "$NETWORKS_DIR" 2>/dev/null | sed -n "s/^\($PREFIX\([-.].*\)\{0,1\}\)\.json\$/\1/p"); do
		echo "teardown: network $net was left behind" >&2
		"$ISOLATE" network rm "$net" >/dev/null || true
		status=1
	done
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	# the first "ip netns add" makes /run/netns a mount point; put the host
	# back as it was when no other namespace lives there
	if [ "$netns_dir_was_mount" = no ] && mountpoint -q /run/netns 2>/dev/null &&
		[ -z "$(ls -A /run/netns)" ]; then
		umount /run/netns || true
	fi
	helpers_teardown || status=1
	return $status
}

# ---- helpers -----------------------------------------------------------------

# Starts "isolate run" in the background on $ROOTFS with $SHARE on /share;
# its output goes to $SCRATCH/TAG.log, its pid to BG_PID.  Teardown ends it.
bg_run() {
	local tag=$1
	shift
	"$ISOLATE" run --rootfs "$ROOTFS" -v "$SHARE:/share" "$@" >"$SCRATCH/$tag.log" 2>&1 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# Waits until the container started as TAG ran "ready TAG"; prints what it
# wrote (its address).  Fails at once, with its output, if it ended first.
wait_ready() {
	local tag=$1 pid=$2
	for _ in $(seq 500); do
		if [ -s "$SHARE/$tag" ]; then
			cat "$SHARE/$tag"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	echo "container $tag is not ready; its output:" >&2
	cat "$SCRATCH/$tag.log" >&2
	return 1
}

# Ends a background isolate: its container is killed, so that isolate
# releases the network as after any run; if it does not end, isolate itself.
stop_bg() {
	local pid=$1 child
	if kill -0 "$pid" 2>/dev/null; then
		child=$(awk '{print $1}' "/proc/$pid/task/$pid/children" 2>/dev/null || true)
		[ -z "$child" ] || kill -KILL "$child" 2>/dev/null || true
		for _ in $(seq 500); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.01
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# A TCP and UDP port nothing uses on the host, below the ephemeral range.
free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 12000))
		if ! ss -Htuan | awk '{print $5}' | grep -q ":$port\$"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# make_network NAME [CREATE_FLAGS...]: a network for this test only
# (teardown removes it).
make_network() {
	local name=$1
	shift
	NETWORKS+=("$name")
	"$ISOLATE" network create "$@" "$name"
}

# iso_rootfs with $SHARE on /share, for "ready".
iso_share() {
	iso_rootfs -v "$SHARE:/share" "$@"
}

# Succeeds when CMD... fails.  (A bare "! CMD" never fails a bats test:
# set -e ignores it.)
not() {
	! "$@"
}

# make_slash30 NAME: a network for this test with room for one container,
# on a /30 of 10.99/16 that no other network holds; its subnet in SUBNET.
# (Not to be called in $(...): teardown must learn of the network.)
make_slash30() {
	for _ in $(seq 20); do
		SUBNET=10.99.$((RANDOM % 256)).$((RANDOM % 64 * 4))/30
		if make_network "$1" --subnet "$SUBNET" >/dev/null 2>"$SCRATCH/create.err"; then
			return 0
		fi
	done
	cat "$SCRATCH/create.err" >&2
	return 1
}

# Tests that compute addresses on the default network take it to be a /16,
# as it is unless made otherwise with "network create --subnet ... bridge".
need_bridge16() {
	[[ "$BRIDGE_SUBNET" == */16 ]] || skip "the default network $BRIDGE_SUBNET is not a /16"
	NET16=${BRIDGE_SUBNET%.*.*}
}

# A free address for --ip on the default network, away from the low ones
# that are handed out first.  (After need_bridge16.)
free_bridge_ip() {
	local ip
	[ -n "$NET16" ] || return 1
	for _ in $(seq 20); do
		ip=$NET16.$((100 + RANDOM % 150)).$((2 + RANDOM % 250))
		[ -e "$RUN_DIR/leases/bridge/$ip" ] || { echo "$ip"; return 0; }
	done
	return 1
}

# A network's subnet as "network ls" shows it.
subnet_of() {
	"$ISOLATE" network ls | awk -v n="$1" '$1 == n {print $2}'
}

# Retries CMD... every 0.1 s, for at most TRIES times.
retry() {
	local tries=$1
	shift
	for _ in $(seq "$tries"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

http_get() {
	timeout 2 busybox wget -q -O - "$1" 2>/dev/null
}

# The elements of the published-port maps, one "MAP KEY : VALUE" a line.
port_elements() {
	local m elements
	for m in tcp_any udp_any tcp_addr udp_addr; do
		elements=$(nft list map ip isolate "$m" 2>/dev/null | tr -d '\n\t' |
			sed -n 's/.*elements = {\([^}]*\)}.*/\1/p')
		[ -z "$elements" ] || tr ',' '\n' <<<"$elements" | sed "s/^ */$m /; s/ *\$//"
	done
}

# What isolate holds on the host, once pending releases are done: veths
# and user networks' bridges, containers' state, leases, names, network
# definitions, networks registered in the nft table, and published ports.
# (Not the nft table itself, which lingers a while after the last
# container, nor isolate0, which stays.)
net_state() {
	"$ISOLATE" network ls >/dev/null
	ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' |
		grep -E '^(veth[0-9a-f]{11}|isolate[0-9]+)$' | grep -vx isolate0 | sed 's/^/link /' || true
	find "$RUN_DIR/containers" "$RUN_DIR/leases" "$RUN_DIR/names" "$RUN_DIR/nft" -mindepth 1 \
		-not -path "$RUN_DIR/nft/isolate0" 2>/dev/null | sort
	ls "$NETWORKS_DIR" 2>/dev/null | sed 's/^/network /'
	port_elements
}

# Fails, showing the difference, unless net_state is BEFORE.
expect_state() {
	local after
	after=$(net_state)
	if [ "$1" != "$after" ]; then
		echo "isolate's state on the host changed:" >&2
		diff <(echo "$1") <(echo "$after") >&2
		return 1
	fi
}

# The MTU of the link the host's default route goes through.
default_route_mtu() {
	local dev
	dev=$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')
	[ -n "$dev" ] || return 1
	cat "/sys/class/net/$dev/mtu"
}

# ---- connectivity ------------------------------------------------------------

@test "two containers on the bridge ping each other by address and by --add-host name" {
	bg_run a --name "$PREFIX-a" sh -c 'ready a; exec sleep 300'
	addr=$(wait_ready a "$BG_PID")
	[[ "$addr" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
	run iso_rootfs --add-host "peer:$addr" sh -c \
		"ping -c1 -W2 $addr && ping -c1 -W2 peer && grep -w peer /etc/hosts"
	expect_status 0
	expect_output "1 packets received"
	expect_output "PING peer ($addr)"
	expect_output "$addr"$'\t'peer
	# and the other way round: a second background container pings the
	# first by name once it is up, and reports
	bg_run b --add-host "peer:$addr" sh -c 'ready b; ping -c1 -W2 peer > /share/b.ping 2>&1; echo $? > /share/b.status; exec sleep 300'
	addr_b=$(wait_ready b "$BG_PID")
	[ "$addr_b" != "$addr" ]
	wait_ready b.status "$BG_PID" >/dev/null
	[ "$(cat "$SHARE/b.status")" = 0 ] || { cat "$SHARE/b.ping"; return 1; }
	run iso_rootfs ping -c1 -W2 "$addr_b"
	expect_status 0
}

@test "httpd in a container answers on published ports: 127.0.0.1, the gateway, a chosen port, 127.0.0.1 only" {
	mkdir -p "$ROOTFS/www"
	echo "served-by-$PREFIX" > "$ROOTFS/www/index.html"
	p1=$(free_port)
	p3=$(free_port)
	[ "$p1" != "$p3" ]
	bg_run web -p "$p1:80" -p 80 -p "127.0.0.1:$p3:80" sh -c 'ready web; exec httpd -f -p 80 -h /www'
	wait_ready web "$BG_PID" >/dev/null
	retry 50 http_get "http://127.0.0.1:$p1/index.html"
	[ "$(http_get "http://127.0.0.1:$p1/index.html")" = "served-by-$PREFIX" ]
	[ "$(http_get "http://$BRIDGE_GW:$p1/index.html")" = "served-by-$PREFIX" ]
	# -p 80: a free port, chosen and printed
	p2=$(sed -n 's|^isolate: note: published 0\.0\.0\.0:\([0-9]*\)->80/tcp$|\1|p' "$SCRATCH/web.log")
	[[ "$p2" =~ ^[0-9]+$ ]] || { cat "$SCRATCH/web.log"; return 1; }
	[ "$(http_get "http://127.0.0.1:$p2/index.html")" = "served-by-$PREFIX" ]
	# published on 127.0.0.1 only: not through the gateway's address
	[ "$(http_get "http://127.0.0.1:$p3/index.html")" = "served-by-$PREFIX" ]
	not http_get "http://$BRIDGE_GW:$p3/index.html"
	# another container reaches it through the gateway's address (hairpin)
	run iso_rootfs timeout 5 wget -q -O - "http://$BRIDGE_GW:$p1/index.html"
	expect_status 0
	[ "$output" = "served-by-$PREFIX" ]
	# the notes name only the chosen port
	[ "$(grep -c 'published' "$SCRATCH/web.log")" -eq 1 ]
}

@test "a published UDP port delivers a datagram from the host to the container" {
	[ -x "$ROOTFS/bin/udprecv" ] || skip "no C compiler with static libc to build udprecv"
	port=$(free_port)
	bg_run udp -p "$port:5000/udp" sh -c 'ready udp; exec udprecv 5000 > /share/got'
	wait_ready udp "$BG_PID" >/dev/null
	# udprecv may not be bound yet: send until one arrives
	for i in $(seq 50); do
		echo "datagram-$PREFIX" > "/dev/udp/127.0.0.1/$port"
		[ -s "$SHARE/got" ] && break
		sleep 0.1
	done
	[ "$(cat "$SHARE/got")" = "datagram-$PREFIX" ]
}

@test "--network none: only lo, and no veth, lease or state made" {
	before=$(net_state)
	run iso_rootfs --network none sh -c 'ls /sys/class/net; ip -o link | wc -l'
	expect_status 0
	[ "$output" = "lo
1" ]
	expect_state "$before"
}

@test "--network container:NAME and container:PID share the container's network namespace" {
	bg_run a --name "$PREFIX-a" sh -c 'ready a; exec sleep 300'
	addr=$(wait_ready a "$BG_PID")
	pid=$(container_pid "$BG_PID")
	want=$(stat -L -c %i "/proc/$pid/ns/net")
	run iso_share --network "container:$PREFIX-a" sh -c 'stat -L -c %i /proc/self/ns/net; ready joined'
	expect_status 0
	[ "$output" = "$want" ]
	[ "$(cat "$SHARE/joined")" = "$addr" ]
	run iso_rootfs --network "container:$pid" stat -L -c %i /proc/self/ns/net
	expect_status 0
	[ "$output" = "$want" ]
	# a container that is not there
	run iso_rootfs --network "container:$PREFIX-nosuch" true
	expect_status 125
	expect_output "no such container: $PREFIX-nosuch"
}

@test "a container joined to another's network can serve a port below 1024 there" {
	bg_run a --name "$PREFIX-a" sh -c 'ready a; exec sleep 300'
	wait_ready a "$BG_PID" >/dev/null
	# its user namespace is its own, not the owner's: docker's sysctl
	# ip_unprivileged_port_start=0, set in every new network namespace,
	# is what lets it bind port 80
	run iso_rootfs --network "container:$PREFIX-a" sh -c \
		'cat /proc/sys/net/ipv4/ip_unprivileged_port_start; httpd -p 80 -h /; sleep 0.3; netstat -ltn'
	expect_status 0
	[ "$(echo "$output" | head -1)" = 0 ]
	expect_output ":80 "
}

@test "--network ns:/run/netns/X joins that namespace" {
	ns=$PREFIX
	NETNS+=("$ns")
	ip netns add "$ns"
	# a link of its own to tell it apart (the dummy module may be missing)
	ip -n "$ns" link add ntveth0 type veth peer name ntveth1
	want=$(stat -L -c %i "/run/netns/$ns")
	run iso_rootfs --network "ns:/run/netns/$ns" sh -c 'stat -L -c %i /proc/self/ns/net; ls /sys/class/net'
	expect_status 0
	[ "$(echo "$output" | head -1)" = "$want" ]
	[ "$(echo "$output" | tail -n +2 | sort | tr '\n' ' ')" = "lo ntveth0 ntveth1 " ]
	# the same namespace as "ip netns exec" gives
	[ "$(ip netns exec "$ns" stat -L -c %i /proc/self/ns/net)" = "$want" ]
	run iso_rootfs --network "ns:$SCRATCH" true
	expect_status 125
	expect_output "$SCRATCH is not a network namespace"
}

@test "user networks are isolated from each other and from the bridge; a network's own containers reach each other" {
	make_network "$PREFIX-a"
	make_network "$PREFIX-b"
	bg_run a1 --network "$PREFIX-a" sh -c 'ready a1; exec sleep 300'
	a1=$(wait_ready a1 "$BG_PID")
	[ "$(subnet_of "$PREFIX-a")" != "$(subnet_of "$PREFIX-b")" ]
	run iso_rootfs --network "$PREFIX-a" ping -c1 -W2 "$a1"
	expect_status 0
	# b reaches its own gateway, but not a's container
	gw_b=$("$ISOLATE" network ls | awk -v n="$PREFIX-b" '$1 == n {print $3}')
	run iso_rootfs --network "$PREFIX-b" sh -c "ping -c1 -W2 $gw_b && ! ping -c1 -W1 $a1"
	expect_status 0
	run iso_rootfs --network bridge sh -c "! ping -c1 -W1 $a1"
	expect_status 0
}

@test "a /30 network holds one container; the next run fails with 'no free address', 125, nothing made" {
	make_slash30 "$PREFIX"
	subnet=$SUBNET
	base=${subnet%/30}
	bg_run holder --network "$PREFIX" sh -c 'ready holder; exec sleep 300'
	addr=$(wait_ready holder "$BG_PID")
	[ "$addr" = "${base%.*}.$((${base##*.} + 2))" ]
	before=$(net_state)
	run iso_rootfs --network "$PREFIX" true
	expect_status 125
	expect_output "no free address"
	expect_output "$subnet"
	expect_state "$before"
}

# ---- errors --------------------------------------------------------------------

# Runs isolate run with ARGS... on $ROOTFS: 125, MESSAGE, and nothing made.
expect_run_error() {
	local message=$1 before
	shift
	before=$(net_state)
	run iso_rootfs "$@" true
	expect_status 125
	expect_output "$message"
	expect_state "$before"
}

@test "bad --network, -p, --ip, --mac-address values: 125, a clear message, nothing made" {
	need_bridge16
	expect_run_error "invalid --network foo:bar: expected none, host, bridge" --network foo:bar
	expect_run_error "invalid --network : expected none" --network ""
	expect_run_error "network $PREFIX-nosuch not found" --network "$PREFIX-nosuch"
	expect_run_error "open network namespace /nonexistent" --network ns:/nonexistent
	expect_run_error "address 192.168.5.5 is not a host address of network bridge ($BRIDGE_SUBNET)" --ip 192.168.5.5
	expect_run_error "address $NET16.255.255 is not a host address of network bridge" --ip "$NET16.255.255"
	expect_run_error "address $NET16.0.0 is not a host address of network bridge" --ip "$NET16.0.0"
	expect_run_error "address $BRIDGE_GW is the gateway of network bridge" --ip "$BRIDGE_GW"
	expect_run_error "invalid IPv4 address 10.66.1" --ip 10.66.1
	expect_run_error "conflicting options: --ip needs a bridge network" --network none --ip 10.66.0.9
	expect_run_error "invalid MAC address 02:42:zz:00:00:01" --mac-address 02:42:zz:00:00:01
	expect_run_error "it is a multicast address" --mac-address 01:00:5e:00:00:01
	expect_run_error "invalid port 80:abc: container port abc is not a number" -p 80:abc
	expect_run_error "invalid port 70000" -p 70000
	expect_run_error "invalid port 80/sctp: protocol sctp is not supported" -p 80/sctp
	expect_run_error "invalid port :80: empty host port" -p :80
	expect_run_error "1.2.3.4 is a host address, not a host port" -p 1.2.3.4:80
	expect_run_error "invalid port 1:2:3:4" -p 1:2:3:4
	expect_run_error "port ranges" -p 8000-8001:80
	expect_run_error "-p needs a bridge network, not --network none" --network none -p 80
	expect_run_error "is published twice" -p 18080:80 -p 18080:81
	expect_run_error "invalid --add-host peer: expected NAME:IP" --add-host peer
	expect_run_error "needs a bridge network" --network none --add-host gw:host-gateway
}

@test "--ip of a running container: 125, 'already in use', nothing made" {
	bg_run a sh -c 'ready a; exec sleep 300'
	addr=$(wait_ready a "$BG_PID")
	expect_run_error "address $addr is already in use by container" --ip "$addr"
	# the holder is unharmed
	run iso_rootfs ping -c1 -W2 "$addr"
	expect_status 0
}

@test "-p on a host port already bound, by a host process or a running container: 125, nothing made" {
	port=$(free_port)
	busybox nc -l -p "$port" </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS+=("$!")
	retry 50 sh -c "ss -Htln | awk '{print \$4}' | grep -q ':$port\$'"
	expect_run_error "publish 0.0.0.0:$port->80/tcp: the host's port is already in use" -p "$port:80"
	expect_run_error "publish 127.0.0.1:$port->80/tcp: the host's port is already in use" -p "127.0.0.1:$port:80"
	# a port published by a running container, tcp and udp apart
	port=$(free_port)
	bg_run holder -p "$port:80" -p "$port:80/udp" sh -c 'ready holder; exec sleep 300'
	wait_ready holder "$BG_PID" >/dev/null
	expect_run_error "publish 0.0.0.0:$port->81/tcp: the host's port is already in use" -p "$port:81"
	expect_run_error "publish 0.0.0.0:$port->53/udp: the host's port is already in use" -p "$port:53/udp"
	expect_run_error "the host's port is already in use" -p "127.0.0.1:$port:81"
	# the holder's elements are still there
	[ "$(port_elements | grep -c " $port : ")" -eq 2 ]
}

@test "network create/rm errors: overlapping subnet, bad values, in use, unknown: 125, nothing made" {
	make_network "$PREFIX-a" >/dev/null
	subnet=$(subnet_of "$PREFIX-a")
	[ -n "$subnet" ]
	before=$(net_state)
	run "$ISOLATE" network create --subnet "$subnet" "$PREFIX-b"
	expect_status 125
	expect_output "subnet $subnet overlaps network $PREFIX-a ($subnet)"
	inner=${subnet%/*}
	run "$ISOLATE" network create --subnet "${inner%.*}.128/25" "$PREFIX-b"
	expect_status 125
	expect_output "overlaps network $PREFIX-a"
	run "$ISOLATE" network create --subnet 10.99.0.0/31 "$PREFIX-b"
	expect_status 125
	expect_output "is too small"
	run "$ISOLATE" network create --subnet 10.99.0.1/24 "$PREFIX-b"
	expect_status 125
	expect_output "host bits set; did you mean 10.99.0.0/24?"
	run "$ISOLATE" network create "$PREFIX-a"
	expect_status 125
	expect_output "network $PREFIX-a already exists"
	run "$ISOLATE" network create none
	expect_status 125
	expect_output "invalid network name none"
	run "$ISOLATE" network rm "$PREFIX-nosuch"
	expect_status 125
	expect_output "network $PREFIX-nosuch not found"
	expect_state "$before"
	# in use: refused, and the network and its container go on
	bg_run a --network "$PREFIX-a" sh -c 'ready a; exec sleep 300'
	addr=$(wait_ready a "$BG_PID")
	before=$(net_state)
	run "$ISOLATE" network rm "$PREFIX-a"
	expect_status 125
	expect_output "network $PREFIX-a is in use by 1 container"
	expect_state "$before"
	run iso_rootfs --network "$PREFIX-a" ping -c1 -W2 "$addr"
	expect_status 0
	# once it ended, rm works and takes the bridge with it
	bridge=$("$ISOLATE" network ls | awk -v n="$PREFIX-a" '$1 == n {print $4}')
	ip link show "$bridge" >/dev/null
	stop_bg "$BG_PID"
	run "$ISOLATE" network rm "$PREFIX-a"
	expect_status 0
	not ip link show "$bridge" 2>/dev/null
	[ ! -e "$NETWORKS_DIR/$PREFIX-a.json" ]
}

# ---- what the container sees ---------------------------------------------------

@test "/etc/hosts, /etc/resolv.conf and /etc/hostname: content, and writes never reach the rootfs" {
	run iso_share --hostname box1 --add-host peer:10.66.7.7 --add-host gw:host-gateway \
		--dns 192.0.2.53 --dns 192.0.2.54 --dns-search example.test --dns-option ndots:2 \
		sh -c 'ready own; cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; cat /etc/hostname
		       echo junk >> /etc/hosts; echo junk >> /etc/resolv.conf; echo junk > /etc/hostname'
	expect_status 0
	addr=$(cat "$SHARE/own")
	hosts=$(echo "$output" | sed -n '1,/^---$/p' | sed '$d')
	resolv=$(echo "$output" | sed -n '/^---$/,/^---$/p' | sed '1d;$d')
	hostname=$(echo "$output" | tail -1)
	t=$'\t'
	grep -qx "127.0.0.1${t}localhost" <<<"$hosts"
	grep -qx "$addr${t}box1" <<<"$hosts"
	grep -qx "10.66.7.7${t}peer" <<<"$hosts"
	grep -qx "$BRIDGE_GW${t}gw" <<<"$hosts"
	[ "$resolv" = "nameserver 192.0.2.53
nameserver 192.0.2.54
search example.test
options ndots:2" ]
	[ "$hostname" = box1 ]
	# the rootfs keeps its own files; a missing one is at most an empty mount point
	[ "$(cat "$ROOTFS/etc/hostname")" = isolate-test-rootfs ]
	[ ! -s "$ROOTFS/etc/hosts" ]
	[ ! -s "$ROOTFS/etc/resolv.conf" ]
}

@test "resolv.conf without --dns: the host's, minus loopback nameservers" {
	run iso_rootfs cat /etc/resolv.conf
	expect_status 0
	echo "$output" | grep -q '^nameserver '
	not grep -q '^nameserver 127\.' <<<"$output"
	# a host resolver on 127.0.0.53 (systemd-resolved's), in a mount
	# namespace of the test's own so the host's file is not touched
	printf 'nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch example.org\noptions edns0\n' > "$SCRATCH/resolv1"
	printf 'nameserver 127.0.0.53\n' > "$SCRATCH/resolv2"
	run unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && "$@"' sh \
		"$SCRATCH/resolv1" "$ISOLATE" run --rootfs "$ROOTFS" cat /etc/resolv.conf
	expect_status 0
	[ "$output" = "nameserver 192.0.2.1
search example.org
options edns0" ]
	run unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && "$@"' sh \
		"$SCRATCH/resolv2" "$ISOLATE" run --rootfs "$ROOTFS" cat /etc/resolv.conf
	expect_status 0
	[ "$output" = "nameserver 8.8.8.8
nameserver 8.8.4.4" ]
}

@test "--network host: /etc/hosts and /etc/resolv.conf are the host's, loopback nameservers kept" {
	run iso_rootfs --network host sh -c 'cat /etc/hosts; echo ---; cat /etc/resolv.conf'
	expect_status 0
	[ "$output" = "$(cat /etc/hosts; echo ---; cat /etc/resolv.conf)" ]
}

@test "eth0: the MTU of the host's default-route link, the MAC from the address or --mac-address, --ip" {
	mtu=$(default_route_mtu) || skip "the host has no default route"
	run iso_share sh -c 'cat /sys/class/net/eth0/mtu /sys/class/net/eth0/address; ready own; ip route'
	expect_status 0
	addr=$(cat "$SHARE/own")
	[ "$(echo "$output" | sed -n 1p)" = "$mtu" ]
	IFS=. read -r a b c d <<<"$addr"
	[ "$(echo "$output" | sed -n 2p)" = "$(printf '02:42:%02x:%02x:%02x:%02x' "$a" "$b" "$c" "$d")" ]
	expect_output "default via $BRIDGE_GW dev eth0"
	# a fixed address, free now, and a MAC of our own
	need_bridge16
	ip=$(free_bridge_ip)
	rm -f "$SHARE/own"
	run iso_share --ip "$ip" --mac-address 02:aa:bb:cc:dd:0e sh -c 'cat /sys/class/net/eth0/address; ready own; ip -4 -o addr show eth0'
	expect_status 0
	[ "$(echo "$output" | head -1)" = 02:aa:bb:cc:dd:0e ]
	[ "$(cat "$SHARE/own")" = "$ip" ]
	expect_output "inet $ip/16"
}

@test "containers started together get distinct addresses, and all of them run" {
	n=20
	for i in $(seq "$n"); do
		bg_run "c$i" sh -c "ready c$i; sleep 1"
	done
	for i in $(seq "$n"); do
		wait_ready "c$i" "${BG_PIDS[$((i - 1))]}"
	done > "$SCRATCH/addrs"
	[ "$(wc -l < "$SCRATCH/addrs")" -eq "$n" ]
	[ "$(sort -u "$SCRATCH/addrs" | grep -c '^[0-9.]*$')" -eq "$n" ] || { sort "$SCRATCH/addrs" | uniq -c; return 1; }
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid"
	done
}

# ---- crashes and leaks ---------------------------------------------------------

# The id of the container named NAME.
id_of() {
	readlink "$RUN_DIR/names/$1"
}

# Starts a named container publishing PORT and kills its isolate with
# SIGKILL; checks that what the dead run held is still there to reclaim.
run_and_kill() {
	local name=$1 port=$2
	shift 2
	bg_run killed --name "$name" -p "$port:80" "$@" sh -c 'ready killed; exec sleep 300'
	addr=$(wait_ready killed "$BG_PID")
	id=$(id_of "$name")
	[ -n "$id" ]
	kill -KILL "$BG_PID"
	wait "$BG_PID" || true
	[ -d "$RUN_DIR/containers/$id" ]
	[ "$(find "$RUN_DIR/leases" -lname "$id" | wc -l)" -eq 1 ]
	port_elements | grep -q "^tcp_any $port : $addr . 80\$"
}

# Nothing of the container ID with ADDR and PORT is left.
expect_reclaimed() {
	local id=$1 port=$2
	[ ! -e "$RUN_DIR/containers/$id" ]
	[ -z "$(find "$RUN_DIR/leases" -lname "$id")" ]
	not grep -q "^tcp_any $port " <<<"$(port_elements)"
	not ip link show "veth${id:0:11}" 2>/dev/null
}

@test "after SIGKILL of isolate, the next run reclaims the lease, the port, the state" {
	port=$(free_port)
	before=$(net_state)
	run_and_kill "$PREFIX-k" "$port"
	# the next run, publishing the same port, reclaims first
	run iso_rootfs -p "$port:80" true
	expect_status 0
	expect_reclaimed "$id" "$port"
	[ ! -e "$RUN_DIR/names/$PREFIX-k" ]
	expect_state "$before"
}

@test "after SIGKILL of isolate, network prune reclaims, and removes only unused networks" {
	before=$(net_state)
	make_network "$PREFIX-net" >/dev/null
	# a container on the default network keeps prune off it
	bg_run keeper sh -c 'ready keeper; exec sleep 300'
	wait_ready keeper "$BG_PID" >/dev/null
	keeper=$BG_PID
	port=$(free_port)
	run_and_kill "$PREFIX-k" "$port" --network "$PREFIX-net"
	# in use, as far as anyone can tell without reclaiming
	[ "$(find "$RUN_DIR/leases/$PREFIX-net" -mindepth 1 | wc -l)" -eq 1 ]
	run "$ISOLATE" network prune
	expect_status 0
	echo "$output" | grep -qx "$PREFIX-net"
	not grep -qx bridge <<<"$output"
	expect_reclaimed "$id" "$port"
	[ ! -e "$NETWORKS_DIR/$PREFIX-net.json" ]
	[ -e "$NETWORKS_DIR/bridge.json" ]
	# and once the keeper ended, the host is as before the test
	stop_bg "$keeper"
	expect_state "$before"
}

@test "nothing leaks after many runs in a row on the bridge" {
	n=${NETWORK_LEAK_RUNS:-200}
	# a container that outlives the loop keeps the table (which otherwise
	# goes 2 s after the last container, whenever that is) for comparison
	bg_run keeper --network bridge sh -c 'ready keeper; exec sleep 300'
	wait_ready keeper "$BG_PID" >/dev/null
	before=$(net_state)
	table_before=$(nft list table ip isolate 2>/dev/null || echo absent)
	start=$(date +%s%N)
	for i in $(seq "$n"); do
		"$ISOLATE" run --network bridge --rootfs "$ROOTFS" true ||
			{ echo "run $i failed" >&2; return 1; }
	done
	end=$(date +%s%N)
	echo "# $n runs in $(((end - start) / 1000000)) ms" >&3
	expect_state "$before"
	table_after=$(nft list table ip isolate 2>/dev/null || echo absent)
	# the same rules and elements: nothing added per run
	[ "$table_after" = "$table_before" ] || {
		diff <(echo "$table_before") <(echo "$table_after") >&2
		return 1
	}
}

@test "the nft table goes a few seconds after the last container" {
	"$ISOLATE" network ls >/dev/null
	if [ -n "$(find "$RUN_DIR/leases" -mindepth 2 2>/dev/null)" ]; then
		skip "another container holds a lease: the table stays for it"
	fi
	port=$(free_port)
	run iso_rootfs -p "$port:80" true
	expect_status 0
	nft list table ip isolate >/dev/null
	gone() { ! nft list table ip isolate >/dev/null 2>&1; }
	retry 50 gone
}

# ---- found wanting (these fail with isolate as of 7f5ec2e) -----------------------
#
# A run's address stays leased for a few tens of milliseconds after
# "isolate run" returned (the veth is deleted first, in a detached process),
# and a UDP flow's conntrack entry outlives the published port it went to.

@test "runs one after another can use the same --ip" {
	need_bridge16
	ip=$(free_bridge_ip)
	for i in 1 2 3 4 5; do
		run iso_rootfs --ip "$ip" true
		expect_status 0
	done
}

@test "runs one after another fit on a network with room for one container" {
	make_slash30 "$PREFIX"
	for i in 1 2 3 4 5; do
		run iso_rootfs --network "$PREFIX" true
		expect_status 0
	done
}

@test "a published UDP port that passed to another container reaches it from the same client socket" {
	[ -x "$ROOTFS/bin/udprecv" ] || skip "no C compiler with static libc to build udprecv"
	port=$(free_port)
	need_bridge16
	ip=$(free_bridge_ip)
	bg_run a --ip "$ip" -p "$port:5000/udp" sh -c 'ready a; udprecv 5000 > /share/got-a'
	wait_ready a "$BG_PID" >/dev/null
	# one socket, so one source port, as a long-lived UDP client has
	exec {sock}>"/dev/udp/127.0.0.1/$port"
	for _ in $(seq 50); do
		echo "to-a" >&"$sock" 2>/dev/null || true
		[ -s "$SHARE/got-a" ] && break
		sleep 0.1
	done
	stop_bg "$BG_PID"
	[ "$(cat "$SHARE/got-a")" = to-a ]
	bg_run b -p "$port:5000/udp" sh -c 'ready b; udprecv 5000 > /share/got-b'
	addr_b=$(wait_ready b "$BG_PID")
	[ "$addr_b" != "$ip" ]
	for _ in $(seq 30); do
		echo "to-b" >&"$sock" 2>/dev/null || true
		[ -s "$SHARE/got-b" ] && break
		sleep 0.1
	done
	exec {sock}>&-
	[ "$(cat "$SHARE/got-b" 2>/dev/null)" = to-b ] || {
		echo "nothing reached the new container; conntrack still says:" >&2
		grep "dport=$port " /proc/net/nf_conntrack >&2 || true
		return 1
	}
}

# A neighbour on the host's LAN, played by a namespace this test makes: a
# veth to the host, 198.18.99.2/30 (a benchmarking range, used by nothing
# here), routing the default network's subnet through the host.
make_neighbour() {
	NB="$PREFIX-nb"
	NETNS+=("$NB")
	ip netns add "$NB"
	ip link add "${PREFIX}h" type veth peer name eth0 netns "$NB"
	ip addr add 198.18.99.1/30 dev "${PREFIX}h"
	ip link set "${PREFIX}h" up
	ip -n "$NB" addr add 198.18.99.2/30 dev eth0
	ip -n "$NB" link set eth0 up
	ip -n "$NB" route add "$BRIDGE_SUBNET" via 198.18.99.1
}

nb_get() {
	ip netns exec "$NB" timeout 2 busybox wget -q -O - "$1" 2>/dev/null
}

@test "a neighbour routed through the host reaches published ports, and nothing else of a container" {
	mkdir -p "$ROOTFS/www"
	echo "served-by-$PREFIX" > "$ROOTFS/www/index.html"
	port=$(free_port)
	bg_run web -p "$port:80" sh -c 'ready web; httpd -p 8080 -h /www; exec httpd -f -p 80 -h /www'
	addr=$(wait_ready web "$BG_PID")
	make_neighbour
	retry 50 nb_get "http://198.18.99.1:$port/index.html"
	[ "$(nb_get "http://198.18.99.1:$port/index.html")" = "served-by-$PREFIX" ]
	# the host forwards, but into a bridge only replies and published ports
	not nb_get "http://$addr:8080/index.html"
	not nb_get "http://$addr:80/index.html"
}

@test "a port published on 127.0.0.1 only is out of a neighbour's reach, even aimed at 127.0.0.1" {
	mkdir -p "$ROOTFS/www"
	echo "served-by-$PREFIX" > "$ROOTFS/www/index.html"
	port=$(free_port)
	bg_run web -p "127.0.0.1:$port:80" sh -c 'ready web; exec httpd -f -p 80 -h /www'
	wait_ready web "$BG_PID" >/dev/null
	retry 50 http_get "http://127.0.0.1:$port/index.html"
	make_neighbour
	# the neighbour sends to 127.0.0.1 through the host, as a hostile LAN
	# host can: its own loopback is down, and route_localnet lets 127/8
	# leave through its eth0
	ip -n "$NB" link set lo down
	ip netns exec "$NB" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
	ip -n "$NB" route add 127.0.0.0/8 via 198.18.99.1 dev eth0
	not nb_get "http://127.0.0.1:$port/index.html"
}

@test "a link that is not a bridge under a network's bridge name is refused, 125" {
	make_slash30 "$PREFIX"
	bridge=$("$ISOLATE" network ls | awk -v n="$PREFIX" '$1 == n {print $4}')
	ip link add "$bridge" type veth peer name "${PREFIX}p"
	run iso_rootfs --network "$PREFIX" true
	ip link del "$bridge"
	expect_status 125
	expect_output "link $bridge exists and is not a bridge (veth)"
}

@test "network prune rebuilds the table lost to a flush of the host's ruleset under running containers" {
	mkdir -p "$ROOTFS/www"
	echo "served-by-$PREFIX" > "$ROOTFS/www/index.html"
	port=$(free_port)
	bg_run web -p "$port:80" sh -c 'ready web; exec httpd -f -p 80 -h /www'
	wait_ready web "$BG_PID" >/dev/null
	retry 50 http_get "http://127.0.0.1:$port/index.html"
	# what "nft flush ruleset" does to isolate's table, without touching
	# anyone else's
	nft delete table ip isolate
	not http_get "http://127.0.0.1:$port/index.html"
	run "$ISOLATE" network prune
	expect_status 0
	[ "$(http_get "http://127.0.0.1:$port/index.html")" = "served-by-$PREFIX" ]
	# the guard is back too
	nft list chain ip isolate guard | grep -q '127.0.0.0/8 drop'
}
