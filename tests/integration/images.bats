#!/usr/bin/env bats
# isolate pull, run IMAGE, images, rmi, image prune/inspect, against real
# registries on loopback (tests/integration/registry.bash): a plain one and
# one with basic auth, seeded with the images of tests/helpers/mkimages.sh.
# Every test has a store of its own (--storage-root), which teardown checks
# for leftovers (a container's layer, a temporary file) and removes.

load helpers
load registry

setup_file() {
	registry_start
	registry_start --prefix AUTH_ --htpasswd alice:secret
	registry_seed
	registry_seed --prefix AUTH_
}

teardown_file() {
	registry_stop --prefix AUTH_
	registry_stop
}

setup() {
	SCRATCH=$(mktemp -d "$BATS_TMPDIR/isolate-img.XXXXXX")
	STORE=$SCRATCH/store
	mounts_before=$(host_mounts)
	evil_before=$(ls -d /tmp/isolate-evil* /isolate-evil* /etc/isolate-evil* 2>/dev/null || true)
}

teardown() {
	local left mounts_after
	mounts_after=$(host_mounts)
	left=$(ls -A "$STORE/containers" "$STORE/tmp" 2>/dev/null | grep -v '^/\|^$' || true)
	rm -rf "$SCRATCH"
	if [ "$mounts_before" != "$mounts_after" ]; then
		echo "host mount table changed during the test:" >&2
		diff <(echo "$mounts_before") <(echo "$mounts_after") >&2
		return 1
	fi
	if [ -n "$left" ]; then
		echo "left in the store: $left" >&2
		return 1
	fi
	[ "$(ls -d /tmp/isolate-evil* /isolate-evil* /etc/isolate-evil* 2>/dev/null || true)" = "$evil_before" ]
}

img() {
	"$ISOLATE" --storage-root "$STORE" "$@"
}

# Requests for blobs the registry has answered so far.
blob_gets() {
	grep -c 'GET /v2/[^ ]*/blobs/sha256:' "$REGISTRY_LOG" || true
}

@test "pull then run: the image's command, in a container of its own" {
	run img pull "$REGISTRY/test/single:oci"
	expect_status 0
	expect_output "Status: Downloaded newer image for $REGISTRY/test/single:oci"
	[ "${lines[-1]}" = "$REGISTRY/test/single:oci" ]
	# --rm, as docker users type it: what happens anyway
	run img run --rm --network none "$REGISTRY/test/single:oci"
	expect_status 0
	[ "$output" = "hello from single" ]
	# the layer is stored once, unpacked, with its owners as they were
	[ -x "$STORE/layers/sha256/"*/bin/busybox ]
	# the overlay trial, passed, is kept for this kernel
	[ "$(cat "$STORE/overlay-ok")" = "$(uname -r)" ]
}

@test "pull again is a no-op: nothing is downloaded" {
	img pull -q "$REGISTRY/test/multi"
	before=$(blob_gets)
	run img pull "$REGISTRY/test/multi"
	expect_status 0
	expect_output "already exists"
	expect_output "Image is up to date"
	[ "$(blob_gets)" = "$before" ]
	[[ "$output" != *downloading* ]]
}

@test "run pulls a missing image; --pull never refuses; --pull always fetches the manifest again" {
	run img run --network none --pull never "$REGISTRY/test/single:v2s2" true
	expect_status 125
	expect_output "is not in the store, and --pull never forbids pulling it"
	run img run --network none "$REGISTRY/test/single:v2s2" echo pulled
	expect_status 0
	[ "${lines[-1]}" = "pulled" ]
	n=$(grep -c 'GET /v2/test/single/manifests/v2s2' "$REGISTRY_LOG")
	run img run --network none --pull always "$REGISTRY/test/single:v2s2" true
	expect_status 0
	[ "$(grep -c 'GET /v2/test/single/manifests/v2s2' "$REGISTRY_LOG")" -gt "$n" ]
}

@test "a docker schema2 image and an OCI image of the same content have the same id" {
	img pull -q "$REGISTRY/test/single:oci"
	img pull -q "$REGISTRY/test/single:v2s2"
	run img images --format json
	expect_status 0
	ids=$(echo "$output" | grep '"Id"' | sort -u | wc -l)
	[ "$ids" = 1 ]
	types=$(cat "$STORE"/blobs/sha256/* | grep -ao 'application/vnd.docker.distribution.manifest.v2+json' | head -1)
	[ -n "$types" ]
}

@test "layers: a deleted file is absent, an opaque dir shows only its new content" {
	img pull -q "$REGISTRY/test/multi"
	run img run --network none --entrypoint sh "$REGISTRY/test/multi" -c \
		'ls -A /data; echo --; ls -A /opq; test -e /data/gone; echo gone=$?'
	expect_status 0
	[ "$(echo $output)" = "keep -- new gone=1" ]
}

@test "image config: Entrypoint, Cmd, Env, WorkingDir and User, with docker's precedence" {
	run img run --network none "$REGISTRY/test/multi"
	expect_status 0
	[ "${lines[-1]}" = "entry default-arg" ]
	run img run --network none "$REGISTRY/test/multi" one two
	[ "${lines[-1]}" = "entry one two" ]
	run img run --network none --entrypoint sh "$REGISTRY/test/multi" -c 'echo $FOO $(pwd) $(id -un)'
	[ "${lines[-1]}" = "bar /data app" ]
	run img run --network none -e FOO=mine -w /tmp -u root --entrypoint sh "$REGISTRY/test/multi" \
		-c 'echo $FOO $(pwd) $(id -un)'
	[ "${lines[-1]}" = "mine /tmp root" ]
	# --entrypoint "" drops the image's entrypoint and its Cmd
	run img run --network none --entrypoint "" "$REGISTRY/test/multi"
	expect_status 125
	expect_output "no command specified"
}

@test "two containers of one image do not see each other's writes; the layers stay as they were" {
	img pull -q "$REGISTRY/test/multi"
	img run --network none -u 0 --entrypoint sh "$REGISTRY/test/multi" -c \
		"echo a > /data/keep; touch /new-a; rm /blob; sleep 3" &
	bg=$!
	sleep 1
	run img run --network none -u 0 --entrypoint sh "$REGISTRY/test/multi" -c \
		'cat /data/keep; test -e /new-a; echo new=$?; test -e /blob; echo blob=$?'
	wait $bg
	expect_status 0
	[ "$(echo $output)" = "keep new=1 blob=0" ]
	[ "$(cat "$STORE"/layers/sha256/*/data/keep)" = "keep" ]
	! ls "$STORE"/layers/sha256/*/new-a 2>/dev/null
}

@test "a volume into a directory of the image's user: its mount point is made" {
	img pull -q "$REGISTRY/test/multi"
	mkdir "$SCRATCH/vol"
	echo shared > "$SCRATCH/vol/f"
	run img run --network none -v "$SCRATCH/vol:/home/app/data/vol" --entrypoint cat "$REGISTRY/test/multi" \
		/home/app/data/vol/f
	expect_status 0
	[ "$output" = "shared" ]
}

@test "the container's root owns the image's files inside, host root owns them on disk, nothing chowned" {
	img pull -q "$REGISTRY/test/multi"
	run img run --network none -u 0 --entrypoint sh "$REGISTRY/test/multi" -c \
		'stat -c "%u %U" / /data /bin/busybox; cat /proc/self/uid_map'
	expect_status 0
	[ "$(echo $output | cut -d' ' -f1-6)" = "0 root 1000 app 0 root" ]
	expect_output "100000"
	[ "$(stat -c %u "$STORE"/layers/sha256/*/data | sort -u | head -1)" = 1000 ]
}

@test "an index: this machine's platform is picked; --platform picks another" {
	run img run --network none "$REGISTRY/test/platforms"
	expect_status 0
	[ "${lines[-1]}" = "hello from single" ]
	run img pull -q --platform linux/arm64 "$REGISTRY/test/platforms:v2s2"
	expect_status 0
	run img image inspect "$REGISTRY/test/platforms:v2s2"
	expect_status 0
	expect_output '"architecture": "arm64"'
	run img pull -q --platform linux/s390x "$REGISTRY/test/platforms"
	expect_status 125
	expect_output "no image for linux/s390x"
	expect_output "linux/arm64"
}

@test "rmi refuses an image a running container uses; -f removes it and the container goes on" {
	img pull -q "$REGISTRY/test/multi"
	img run --network none --entrypoint sh "$REGISTRY/test/multi" -c 'sleep 3; cat /data/keep' \
		> "$SCRATCH/out" &
	bg=$!
	for _ in $(seq 50); do
		[ -n "$(ls "$STORE/containers")" ] && break
		sleep 0.1
	done
	run img rmi "$REGISTRY/test/multi"
	expect_status 1
	expect_output "in use by running container"
	run img images -q
	[ -n "$output" ]
	run img rmi -f "$REGISTRY/test/multi"
	expect_status 0
	expect_output "Deleted: sha256:"
	# the running container's layers are kept until it ends
	[ -n "$(ls "$STORE/layers/sha256")" ]
	wait $bg
	[ "$(cat "$SCRATCH/out")" = "keep" ]
	run img image prune
	expect_status 0
	[ -z "$(ls "$STORE/layers/sha256")" ]
	[ -z "$(ls "$STORE/blobs/sha256")" ]
}

@test "rmi of one of two names untags; images, image inspect, prune -a" {
	img pull -q "$REGISTRY/test/single:oci"
	img pull -q "$REGISTRY/test/single:latest"
	run img images
	expect_status 0
	expect_output "$REGISTRY/test/single"
	[ "${#lines[@]}" = 3 ]
	run img rmi "$REGISTRY/test/single:oci"
	expect_status 0
	[ "$output" = "Untagged: $REGISTRY/test/single:oci" ]
	run img image inspect "$REGISTRY/test/single"
	expect_status 0
	expect_output '"Cmd": ['
	expect_output "\"$REGISTRY/test/single:latest\""
	run img image inspect no-such-image
	expect_status 1
	expect_output "no such image: no-such-image"
	# an id names all of an image's names: docker asks for -f
	img pull -q "$REGISTRY/test/single:oci"
	id=$(img images -q | head -1)
	run img rmi "$id"
	expect_status 1
	expect_output "it has 2 names"
	# a crashed run's layer (after a reboot no state names it) goes too
	mkdir -p "$STORE/containers/0123456789ab/upper"
	run img image prune -a
	expect_status 0
	expect_output "deleted: sha256:"
	run img images -q
	[ -z "$output" ]
	[ ! -e "$STORE/containers/0123456789ab" ]
	run img rmi no-such-image
	expect_status 1
	expect_output "no such image"
}

@test "concurrent pulls of one image: both succeed, each blob is downloaded once" {
	before=$(blob_gets)
	img pull -q "$REGISTRY/test/multi" > "$SCRATCH/a" 2>&1 &
	a=$!
	img pull -q "$REGISTRY/test/multi" > "$SCRATCH/b" 2>&1 &
	b=$!
	wait $a
	wait $b
	# 3 layers and the config
	[ "$(($(blob_gets) - before))" = 4 ]
	run img run --network none "$REGISTRY/test/multi"
	[ "${lines[-1]}" = "entry default-arg" ]
}

@test "a temporary file left by a killed pull is swept; the next pull works" {
	mkdir -p "$STORE/tmp"
	img images -q
	echo partial > "$STORE/tmp/blob-leftover"
	run img pull -q "$REGISTRY/test/single"
	expect_status 0
	[ ! -e "$STORE/tmp/blob-leftover" ]
}

@test "basic auth: refused without credentials, pulled with --creds or an auth file" {
	run img pull "$AUTH_REGISTRY/test/single"
	expect_status 125
	expect_output "$AUTH_REGISTRY"
	expect_output "authentication required"
	run img pull -q --creds alice:wrong "$AUTH_REGISTRY/test/single"
	expect_status 125
	run img pull -q --creds alice:secret "$AUTH_REGISTRY/test/single"
	expect_status 0
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$AUTH_REGISTRY" "$(printf alice:secret | base64)" \
		> "$SCRATCH/auth.json"
	run img pull -q --authfile "$SCRATCH/auth.json" "$AUTH_REGISTRY/test/multi"
	expect_status 0
	run img run --network none "$AUTH_REGISTRY/test/multi"
	[ "${lines[-1]}" = "entry default-arg" ]
}

@test "registry errors: unknown repository and tag, a closed port; exit 125, nothing stored" {
	run img pull "$REGISTRY/test/no-such-repo"
	expect_status 125
	expect_output "$REGISTRY/test/no-such-repo:latest"
	expect_output "manifest unknown"
	run img pull "$REGISTRY/test/single:no-such-tag"
	expect_status 125
	expect_output "manifest unknown"
	# a port nothing listens on (the kernel's next free one, closed again)
	run img pull 127.0.0.1:1/test/single
	expect_status 125
	expect_output "127.0.0.1:1"
	run img pull "bad//ref"
	expect_status 125
	expect_output "invalid reference"
	[ -z "$(find "$STORE/layers/sha256" "$STORE/blobs/sha256" -mindepth 1)" ]
}

@test "a blob whose content is not its digest: exit 125, named, nothing half-written" {
	run img pull "$REGISTRY/test/evil-digest"
	expect_status 125
	expect_output "digest mismatch"
	expect_output "sha256:"
	run img images -q
	[ -z "$output" ]
	run img pull "$REGISTRY/test/evil-manifest-digest@$(registry_manifest_digest "$REGISTRY/test/evil-manifest-digest:latest")"
	expect_status 125
}

@test "unsupported manifests: schema 1, an unknown config or layer media type" {
	run img pull "$REGISTRY/test/evil-mediatype:schema1"
	expect_status 125
	expect_output "schema 1 is not supported"
	run img pull "$REGISTRY/test/evil-mediatype:config"
	expect_status 125
	expect_output "application/vnd.example.unknown.config+json"
	run img pull "$REGISTRY/test/evil-mediatype:layer"
	expect_status 125
	expect_output "application/vnd.example.unknown.layer"
	[ -z "$(ls "$STORE/layers/sha256")" ]
}

@test "malicious layers: .. names are refused, nothing is written outside the layer" {
	run img pull "$REGISTRY/test/evil-dotdot"
	expect_status 125
	expect_output "isolate-evil-dotdot"
	run img pull "$REGISTRY/test/evil-hardlink"
	expect_status 125
	expect_output "hardlink"
	run img images -q
	[ -z "$output" ]
	[ ! -e /etc/isolate-evil-hardlink ]
}

@test "malicious layers: absolute names land inside; a symlinked parent never leads outside" {
	img pull -q "$REGISTRY/test/evil-absolute"
	run img run --network none "$REGISTRY/test/evil-absolute" sh -c 'ls /tmp'
	expect_status 0
	expect_output "isolate-evil-absolute"
	[ ! -e /tmp/isolate-evil-absolute ]
	# link -> /tmp resolves inside the layer, which has no /tmp of its own:
	# refused, as docker's chrooted unpacking refuses it
	run img pull "$REGISTRY/test/evil-symlink"
	expect_status 125
	expect_output "isolate-evil-symlink"
	[ -z "$(ls -d /tmp/isolate-evil* 2>/dev/null)" ]
}

@test "malicious layers: a setuid file keeps its bit (as docker); a device node stays under /dev's tmpfs" {
	img pull -q "$REGISTRY/test/evil-setuid"
	run img run --network none -u 1000 "$REGISTRY/test/evil-setuid" sh -c 'ls -l /isolate-evil-setuid'
	expect_status 0
	expect_output "rws"
	img pull -q "$REGISTRY/test/evil-device"
	[ "$(stat -c %t,%T "$STORE"/layers/sha256/*/dev/isolate-evil-mem)" = "1,1" ]
	run img run --network none "$REGISTRY/test/evil-device" sh -c 'test -e /dev/isolate-evil-mem; echo $?'
	expect_status 0
	[ "$output" = 1 ]
}

@test "isolate run busybox echo hi: docker.io through a mirror on loopback, pulled once" {
	registry_skopeo copy -q --dest-tls-verify=false "oci:$IMAGES/single" \
		"docker://$REGISTRY/library/busybox:latest"
	printf '{"mirrors": {"docker.io": ["http://%s"]}}\n' "$REGISTRY" > "$SCRATCH/registries.json"
	run img run --network none --registries-conf "$SCRATCH/registries.json" busybox echo hi
	expect_status 0
	expect_output "Status: Downloaded newer image for docker.io/library/busybox:latest"
	[ "${lines[-1]}" = "hi" ]
	before=$(blob_gets)
	run img run --network none busybox echo again
	expect_status 0
	[ "$output" = "again" ]
	[ "$(blob_gets)" = "$before" ]
	run img images
	expect_output "busybox "
}

@test "the first argument is the image; the host-root sandbox is asked for with --" {
	run img run --network none -- echo sandbox
	expect_status 0
	# (kernels before 6.3 add a note: tmpfs cannot be idmapped there)
	[ "${lines[-1]}" = "sandbox" ]
	run -127 img run --network none -- no-such-command-xyz
	expect_status 127
	run img run
	expect_status 125
	expect_output "no image given (for the host-root sandbox: isolate run -- COMMAND)"
	run img run --pull always -- true
	expect_status 125
	expect_output "--pull and --entrypoint need an image"
	run -127 img run --rootfs "$SCRATCH" "$REGISTRY/test/single"
	expect_status 127
}

@test "where overlayfs cannot be used, each container gets a copy of the image (said once), removed with it" {
	img pull -q "$REGISTRY/test/multi"
	ISOLATE_TEST_NO_OVERLAY=1 run img run --network none -u 0 --entrypoint sh "$REGISTRY/test/multi" -c \
		'ls -A /data /opq; stat -c %U /data; rm /blob; touch /new'
	expect_status 0
	[ "$(echo "$output" | grep -c 'overlayfs cannot be used')" = 1 ]
	[ "$(echo "$output" | grep -v 'overlayfs cannot' | tr '\n' ' ')" = "/data: keep  /opq: new app " ]
	run img run --network none --entrypoint sh "$REGISTRY/test/multi" -c 'test -e /blob && ! test -e /new && echo intact'
	[ "${lines[-1]}" = "intact" ]
	# the copy gets the runtime's /etc files as an overlay does
	ISOLATE_TEST_NO_OVERLAY=1 run img run --network none -h copyhost --entrypoint sh "$REGISTRY/test/multi" -c \
		'cat /etc/hostname; grep -c localhost /etc/hosts; test -e /etc/resolv.conf && echo resolv'
	expect_status 0
	[ "$(echo "$output" | grep -v 'overlayfs cannot' | tr '\n' ' ')" = "copyhost 2 resolv " ]
}

@test "without root: a store of the user's own, layers unpacked for a user namespace, whiteouts honoured" {
	home=$SCRATCH/home
	mkdir -p "$home"
	chown 65534:65534 "$home" "$SCRATCH"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env -u XDG_DATA_HOME -u ISOLATE_DATA_DIR HOME="$home" XDG_RUNTIME_DIR="$home/run" "$ISOLATE" "$@"
	}
	run as_nobody pull -q "$REGISTRY/test/multi"
	expect_status 0
	run as_nobody run -u 0 --entrypoint sh "$REGISTRY/test/multi" -c \
		'ls -A /data /opq; id -u; rm /blob; touch /new; ls / | grep -c new'
	expect_status 0
	[ "$(echo $output)" = "/data: keep /opq: new 0 1" ] || { echo "$output"; false; }
	# the user's uid is the container's root: what it wrote was its own,
	# and went with the container
	[ -z "$(ls -A "$home/.local/share/isolate/containers")" ]
	[ "$(stat -c %u "$home"/.local/share/isolate/layers/sha256/*/bin/busybox | sort -u)" = 65534 ]
	run as_nobody images -q
	[ -n "$output" ]
	# read-only directories of the image (0555 /proc...) are removed too
	run as_nobody image prune -a
	expect_status 0
	[ -z "$(ls -A "$home/.local/share/isolate/layers/sha256")" ]
	[ -z "$(ls -A "$home/.local/share/isolate/tmp")" ]
}

@test "the layer of a container whose runtime was killed (SIGKILL) is removed by the next run" {
	img pull -q "$REGISTRY/test/multi"
	# the runtime itself, not a shell around it
	"$ISOLATE" --storage-root "$STORE" run --network none --entrypoint sleep "$REGISTRY/test/multi" 30 &
	rt=$!
	for _ in $(seq 50); do
		[ -n "$(ls "$STORE/containers")" ] && break
		sleep 0.1
	done
	[ -n "$(ls "$STORE/containers")" ]
	sleep 0.5
	kill -KILL $rt
	wait $rt || true
	run img run --network none "$REGISTRY/test/multi"
	expect_status 0
	[ -z "$(ls -A "$STORE/containers")" ]
}
