#!/bin/sh
# Installs the Debian packages isolate needs, only those missing.
#   scripts/deps.sh build   to build isolate
#   scripts/deps.sh test    to build it and run its tests
#   scripts/deps.sh bench   to run the benchmarks
set -eu

build="gcc make libc6-dev pkg-config libmnl-dev libnftables-dev libnetfilter-conntrack-dev libjansson-dev libcap-dev libseccomp-dev
	libcurl4-openssl-dev libarchive-dev libssl-dev"
# its second line: for the cgroup v2 VM of tests/vm/, and clang for the fuzzer;
# its last: the OCI runtime's tests through real clients (tests/integration/oci.bash)
test="$build libcmocka-dev bats busybox-static util-linux procps iproute2 uidmap nftables
	qemu-system-x86 linux-image-amd64 kmod e2fsprogs cpio clang libclang-rt-14-dev
	docker-registry skopeo umoci apache2-utils curl
	podman conmon runc crun containerd jq"
bench="$test bubblewrap time openssl tzdata"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "isolate: these Debian packages are missing:$missing; run as root to install them" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null
