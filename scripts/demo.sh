#!/bin/sh
# Builds isolate and shows what it does with no image at all: the same
# commands outside and inside the host-root sandbox.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (isolate needs root for now)" >&2; exit 1; }
scripts/deps.sh test
make -s

show() {
	printf '\n$ %s\n' "$*"
	sh -c "$*" 2>&1 | sed 's/^/    /'
}

inside() {
	printf '\n$ isolate run -- sh -c %s\n' "'$*'"
	build/isolate run -- sh -c "$*" 2>&1 | sed 's/^/    /'
}

echo "=== on the host ==="
show 'hostname; id'
show 'ps -e | wc -l'
show 'ip -brief link'

echo
echo "=== in isolate's host-root sandbox (no image: a read-only view of this host) ==="
inside 'hostname; id'
inside 'ps -ef'
inside 'ip -brief link'
inside 'cat /proc/self/uid_map; touch /etc/x || echo "the host root is read-only"'
echo
echo "container root is host uid 100000; the host's hostname, processes and links are out of sight;"
echo "the container's eth0 is its own, on isolate's bridge (--network none leaves only lo)."
