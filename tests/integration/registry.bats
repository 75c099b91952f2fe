#!/usr/bin/env bats
# The image tests' registry fixture itself (tests/integration/registry.bash,
# tests/helpers/mkimages.sh): a plain and a basic-auth registry on loopback,
# seeded, and everything in them where the image tests expect it.  No
# isolate here.

load helpers
load registry

# helpers.bash's per-test rootfs and mount check are not needed here
setup() { :; }
teardown() { :; }

setup_file() {
	local t0=${EPOCHREALTIME/./} t
	registry_start
	registry_start --prefix AUTH_ --htpasswd alice:secret
	registry_seed
	registry_seed --prefix AUTH_
	t=$((${EPOCHREALTIME/./} - t0))
	printf '# setup_file (two registries, build, seed): %d.%03d s\n' $((t / 1000000)) $((t % 1000000 / 1000)) >&3
}

teardown_file() {
	local pids="$REGISTRY_PID $AUTH_REGISTRY_PID" dirs="$REGISTRY_DIR $AUTH_REGISTRY_DIR" p d left=""
	registry_stop --prefix AUTH_
	registry_stop
	for p in $pids; do
		_registry_gone "$p" || left="$left process $p;"
	done
	for d in $dirs; do
		[ ! -e "$d" ] || left="$left dir $d;"
	done
	if [ -n "$left" ]; then
		echo "registry_stop left:$left" >&2
		return 1
	fi
}

# The raw manifest of REF on the plain registry.
raw() {
	registry_skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/$1"
}

# The blob DIGEST of repository NAME, to stdout.
blob() {
	curl -sf --noproxy '*' "http://$REGISTRY/v2/$1/blobs/$2"
}

@test "registry: every seeded image resolves" {
	local ref
	for ref in test/single:latest test/single:oci test/single:v2s2 test/multi:latest \
		test/platforms:latest test/platforms:v2s2 test/evil-dotdot:latest \
		test/evil-absolute:latest test/evil-symlink:latest test/evil-hardlink:latest \
		test/evil-setuid:latest test/evil-digest:latest test/evil-manifest-digest:latest \
		test/evil-mediatype:schema1 test/evil-mediatype:config test/evil-mediatype:layer; do
		run raw "$ref"
		expect_status 0
		expect_output '"schemaVersion"'
	done
	if [ "$(id -u)" -eq 0 ]; then
		run raw test/evil-device:latest
		expect_status 0
	fi
	run raw test/evil-mediatype:latest
	[ "$status" -ne 0 ]
	expect_output "manifest unknown"
}

@test "registry: single as OCI and as docker schema 2, with its config" {
	run raw test/single:oci
	expect_output '"mediaType":"application/vnd.oci.image.manifest.v1+json"'
	expect_output 'application/vnd.oci.image.layer.v1.tar+gzip'
	run raw test/single:v2s2
	expect_output '"mediaType":"application/vnd.docker.distribution.manifest.v2+json"'
	expect_output 'application/vnd.docker.image.rootfs.diff.tar.gzip'
	run registry_skopeo inspect --config --raw --tls-verify=false "docker://$REGISTRY/test/single:latest"
	expect_status 0
	expect_output '"Cmd":["sh","-c","echo hello from single"]'
	run raw test/evil-mediatype:schema1
	expect_output '"schemaVersion":1'
}

@test "registry: platforms is an index of linux/amd64 and linux/arm64, each resolvable" {
	local d
	run raw test/platforms:latest
	expect_status 0
	expect_output '"mediaType":"application/vnd.oci.image.index.v1+json"'
	expect_output '"platform":{"architecture":"amd64","os":"linux"}'
	expect_output '"platform":{"architecture":"arm64","os":"linux"}'
	for d in $(printf '%s' "$output" | grep -o 'sha256:[0-9a-f]\{64\}'); do
		run raw "test/platforms@$d"
		expect_status 0
		expect_output '"layers"'
	done
	run raw test/platforms:v2s2
	expect_output '"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"'
	expect_output '"architecture":"arm64"'
}

@test "registry: multi has three layers, a whiteout and an opaque dir" {
	local l
	run raw test/multi:latest
	[ "$(printf '%s' "$output" | grep -o 'tar+gzip' | wc -l)" -eq 3 ]
	l=$(registry_blob_digest "$REGISTRY/test/multi:latest" 1)
	run bash -c "curl -sf --noproxy '*' http://$REGISTRY/v2/test/multi/blobs/$l | tar -tz"
	expect_status 0
	expect_output "data/.wh.gone"
	expect_output "opq/.wh..wh..opq"
	expect_output "opq/new"
	run registry_blob_digest "$REGISTRY/test/multi:latest" 3
	[ "$status" -ne 0 ]
	run registry_skopeo inspect --config --raw --tls-verify=false "docker://$REGISTRY/test/multi:latest"
	expect_output '"User":"app"'
	expect_output '"Entrypoint":["/bin/echo","entry"]'
	expect_output '"StopSignal":"SIGTERM"'
}

@test "registry: umoci (a reference) unpacks the layouts as the image tests expect" {
	local b=$BATS_TEST_TMPDIR
	umoci unpack --image "$IMAGES/multi:latest" "$b/multi" >/dev/null
	[ -f "$b/multi/rootfs/data/keep" ]
	[ ! -e "$b/multi/rootfs/data/gone" ]
	[ "$(ls "$b/multi/rootfs/opq")" = new ]
	[ "$(stat -c %s "$b/multi/rootfs/blob")" -eq 1048576 ]
	[ "$(stat -c %u:%g "$b/multi/rootfs/data/keep")" = 1000:1000 ]
	run cat "$b/multi/config.json"
	expect_output '"cwd": "/data"'
	expect_output '"uid": 1000'
	if [ "$(id -u)" -eq 0 ]; then
		umoci unpack --image "$IMAGES/single" "$b/single" >/dev/null
		run chroot "$b/single/rootfs" sh -c 'echo hello from single; id -u app; stat -c %a /tmp'
		expect_status 0
		[ "$output" = "hello from single
1000
1777" ]
		run chroot "$b/multi/rootfs" /bin/echo entry default-arg
		expect_output "entry default-arg"
	fi
}

@test "registry: the evil layers hold what they are named for" {
	local l
	l=$(registry_blob_digest "$REGISTRY/test/evil-dotdot:latest" 1)
	run bash -c "curl -sf --noproxy '*' http://$REGISTRY/v2/test/evil-dotdot/blobs/$l | tar -tzP"
	expect_output "../../isolate-evil-dotdot"
	l=$(registry_blob_digest "$REGISTRY/test/evil-symlink:latest" 1)
	run bash -c "curl -sf --noproxy '*' http://$REGISTRY/v2/test/evil-symlink/blobs/$l | tar -tvzP"
	expect_output "link -> /tmp"
	expect_output "link/isolate-evil-symlink"
	l=$(registry_blob_digest "$REGISTRY/test/evil-hardlink:latest" 1)
	run bash -c "curl -sf --noproxy '*' http://$REGISTRY/v2/test/evil-hardlink/blobs/$l | tar -tvzP"
	expect_output "hl-abs link to /etc/passwd"
	expect_output "hl-rel link to ../../../../../../../../../../../../../../../../etc/passwd"
	run raw test/evil-mediatype:layer
	expect_output '"mediaType":"application/vnd.example.unknown.layer"'
	run raw test/evil-mediatype:config
	expect_output '"mediaType":"application/vnd.example.unknown.config+json"'
}

@test "registry: evil-digest's layer and evil-manifest-digest's manifest do not match their digests" {
	local l m got
	l=$(registry_blob_digest "$REGISTRY/test/evil-digest:latest" 1)
	run raw test/evil-digest:latest
	expect_output "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"$l\",\"size\":10240"
	got=$(blob test/evil-digest "$l" | sha256sum | cut -d' ' -f1)
	[ "sha256:$got" != "$l" ]
	[ "$(blob test/evil-digest "$l" | wc -c)" -eq 10240 ]
	run bash -c "curl -sf --noproxy '*' http://$REGISTRY/v2/test/evil-digest/blobs/$l | tar -xO"
	expect_status 0
	[ "$(printf '%s' "$output" | tr -d A)" = B ]

	m=$(grep -o 'sha256:[0-9a-f]\{64\}' "$IMAGES/evil-manifest-digest.orig/index.json")
	run curl -s --noproxy '*' -D - -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REGISTRY/v2/test/evil-manifest-digest/manifests/latest"
	expect_output "Docker-Content-Digest: $m"
	expect_output '"org.isolate.test.pad":"aaaabaaaaaaaaaaa"'
	run registry_manifest_digest "$REGISTRY/test/evil-manifest-digest:latest"
	[ "$output" != "$m" ]
	# skopeo checks a manifest it asks for by digest
	run registry_skopeo copy --src-tls-verify=false "docker://$REGISTRY/test/evil-manifest-digest@$m" \
		"oci:$BATS_TEST_TMPDIR/out"
	[ "$status" -ne 0 ]
	expect_output "does not match"
}

@test "registry: the basic-auth registry refuses anonymous access and takes the credentials" {
	run curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://$AUTH_REGISTRY/v2/"
	[ "$output" = 401 ]
	run curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -u alice:wrong "http://$AUTH_REGISTRY/v2/"
	[ "$output" = 401 ]
	run curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -u "$AUTH_REGISTRY_CREDS" "http://$AUTH_REGISTRY/v2/"
	[ "$output" = 200 ]
	run registry_skopeo inspect --raw --tls-verify=false "docker://$AUTH_REGISTRY/test/single:latest"
	[ "$status" -ne 0 ]
	expect_output "unauthorized"
	run registry_skopeo inspect --raw --tls-verify=false --creds alice:secret \
		"docker://$AUTH_REGISTRY/test/multi:latest"
	expect_status 0
	# its storage is a copy of the plain one's, corruption included
	run registry_blob_digest --creds alice:secret "$AUTH_REGISTRY/test/evil-digest:latest" 1
	expect_status 0
	[ "$(curl -sf --noproxy '*' -u alice:secret "http://$AUTH_REGISTRY/v2/test/evil-digest/blobs/$output" |
		sha256sum | cut -d' ' -f1)" != "${output#sha256:}" ]
}

@test "registry: registry_stop kills and removes a registry, twice over, and after a failed start" {
	local pid dir
	registry_start --prefix EXTRA_
	pid=$EXTRA_REGISTRY_PID dir=$EXTRA_REGISTRY_DIR
	[ -f "$dir/config.yml" ]
	kill -0 "$pid"
	run registry_start --prefix EXTRA_
	[ "$status" -ne 0 ]
	registry_stop --prefix EXTRA_
	_registry_gone "$pid"
	[ ! -e "$dir" ]
	[ -z "${EXTRA_REGISTRY:-}" ]
	registry_stop --prefix EXTRA_
	registry_stop --prefix NEVER_STARTED_
	# a registry that cannot start leaves nothing, and says why
	mkdir -p "$BATS_TEST_TMPDIR/fake"
	printf '#!/bin/sh\necho "fake registry: refusing to start" >&2\nexit 1\n' \
		>"$BATS_TEST_TMPDIR/fake/docker-registry"
	chmod +x "$BATS_TEST_TMPDIR/fake/docker-registry"
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run registry_start --prefix FAIL_
	[ "$status" -ne 0 ]
	expect_output "fake registry: refusing to start"
	[ "$(find "$BATS_FILE_TMPDIR" -maxdepth 1 -name 'registry.*' | wc -l)" -eq 2 ]
}
