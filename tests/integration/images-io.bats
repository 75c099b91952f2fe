#!/usr/bin/env bats
# isolate load, save and import: OCI layouts (directories and tars) made by
# tests/helpers/mkimages.sh, a docker-archive made by skopeo, isolate's own
# save read back (and by skopeo and podman), a rootfs tarball made by
# tests/helpers/mkrootfs.sh; then the images run.  Bad input: the message,
# exit status 125, no image recorded, nothing left in the store's tmp.
#
# Every test has a store of its own under $BATS_TEST_TMPDIR, which teardown
# checks for leftovers and removes, with the host's mount table checked as
# everywhere.

load helpers
load registry       # registry_skopeo only: no registry is started here

# one test runs isolate from another directory
ISOLATE=$(realpath "$ISOLATE")

setup_file() {
	export IMAGES="$BATS_FILE_TMPDIR/images"
	export ROOTFS_TEMPLATE="$BATS_FILE_TMPDIR/rootfs-template"
	"$BATS_TEST_DIRNAME/../helpers/mkimages.sh" "$IMAGES"
	"$MKROOTFS" "$ROOTFS_TEMPLATE"
}

setup() {
	STORE="$BATS_TEST_TMPDIR/store"
	STORE2="$BATS_TEST_TMPDIR/store2"
	W="$BATS_TEST_TMPDIR/work"
	mkdir -p "$W"
	mounts_before=$(host_mounts)
}

teardown() {
	local s left="" mounts_after
	mounts_after=$(host_mounts)
	for s in "$STORE" "$STORE2"; do
		[ -d "$s/tmp" ] && left="$left$(ls -A "$s/tmp")$(ls -A "$s/containers")"
	done
	rm -rf "$STORE" "$STORE2" "$W"
	if [ "$mounts_before" != "$mounts_after" ]; then
		echo "host mount table changed during the test:" >&2
		diff <(echo "$mounts_before") <(echo "$mounts_after") >&2
		return 1
	fi
	if [ -n "$left" ]; then
		echo "left in a store: $left" >&2
		return 1
	fi
}

img() {
	"$ISOLATE" --storage-root "$STORE" "$@"
}

img2() {
	"$ISOLATE" --storage-root "$STORE2" "$@"
}

# The id an untagged load printed ("Loaded image ID: sha256:...").
loaded_id() {
	printf '%s\n' "$output" | sed -n 's/^Loaded image ID: //p' | head -n 1
}

# A copy of the layout NAME in $W/NAME whose index.json names it REF.
tagged_layout() {
	cp -a "$IMAGES/$1" "$W/$1"
	sed -i "s|\"org.opencontainers.image.ref.name\":\"latest\"|\"org.opencontainers.image.ref.name\":\"$2\"|" \
		"$W/$1/index.json"
}

# Bad input left no image and nothing in tmp.
expect_nothing_recorded() {
	run img images -q
	expect_status 0
	[ -z "$output" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "load --dir of an OCI layout, then run it (a bare tag: untagged)" {
	run --separate-stderr img load --dir "$IMAGES/single"
	expect_status 0
	[[ "$output" =~ ^"Loaded image ID: sha256:"[0-9a-f]{64}$ ]]
	# progress on stderr: a line per blob copied and per layer unpacked
	[ "$(printf '%s\n' "$stderr" | grep -c '^Copied blob [0-9a-f]\{12\}$')" = 3 ]
	[ "$(printf '%s\n' "$stderr" | grep -c '^Unpacked layer [0-9a-f]\{12\}$')" = 1 ]
	id=$(loaded_id)
	run img run --network none "$id"
	expect_status 0
	[ "$output" = "hello from single" ]
	run img run --network none "$id" sh -c 'echo ok'
	[ "$output" = "ok" ]
}

@test "load --dir of a layout naming a full ref; its layers, whiteouts included" {
	tagged_layout multi localhost/test/multi:1
	run img load -q --dir "$W/multi"
	expect_status 0
	[ "$output" = "Loaded image: localhost/test/multi:1" ]
	run img run --network none localhost/test/multi:1
	expect_status 0
	[ "$output" = "entry default-arg" ]
	run img run --network none --entrypoint sh localhost/test/multi:1 -c \
		'cat /data/keep; ls /data/gone /opq/old1 2>&1 | wc -l; cat /opq/new'
	expect_status 0
	[ "$output" = "$(printf 'keep\n2\nnew')" ]
}

@test "load --dir of an index picks this machine's platform" {
	run img load -q --dir "$IMAGES/platforms"
	expect_status 0
	id=$(loaded_id)
	run img run --network none "$id"
	expect_status 0
	[ "$output" = "hello from single" ]
}

@test "load -i of a layout tar (gzip'd, with ./ names), from a file and from stdin" {
	tagged_layout single localhost/test/single:tar
	tar -C "$W/single" -czf "$W/single.tar.gz" .
	run img load -q -i "$W/single.tar.gz"
	expect_status 0
	[ "$output" = "Loaded image: localhost/test/single:tar" ]
	run img2 load -q < "$W/single.tar.gz"
	expect_status 0
	expect_output "Loaded image: localhost/test/single:tar"
	run img2 run --network none localhost/test/single:tar sh -c 'echo from stdin'
	[ "$output" = "from stdin" ]
}

@test "load -i of skopeo's docker-archive, then run it" {
	registry_skopeo copy -q "oci:$IMAGES/single" "docker-archive:$W/single-da.tar:test/single:latest"
	run img load -q -i "$W/single-da.tar"
	expect_status 0
	[ "$output" = "Loaded image: test/single:latest" ]
	run img run --network none test/single sh -c 'echo from docker-archive'
	expect_status 0
	[ "$output" = "from docker-archive" ]
}

@test "save then load into a second store: the same image, which runs" {
	tagged_layout multi localhost/test/multi:2
	img load -q --dir "$W/multi"
	id=$(img images -q)
	run img save -o "$W/saved.tar" localhost/test/multi:2
	expect_status 0
	[ -z "$output" ]
	tar -tf "$W/saved.tar" > "$W/list"
	grep -qx index.json "$W/list"
	grep -qx manifest.json "$W/list"
	grep -qx oci-layout "$W/list"
	[ -z "$(ls "$W" | grep -v '^saved.tar$\|^list$\|^multi$')" ]   # no temporary file left
	run img2 load -q -i "$W/saved.tar"
	expect_status 0
	[ "$output" = "Loaded image: localhost/test/multi:2" ]
	[ "$(img2 images -q)" = "$id" ]
	run img2 run --network none localhost/test/multi:2
	expect_status 0
	[ "$output" = "entry default-arg" ]
}

@test "save to stdout; a terminal is refused" {
	tagged_layout single localhost/test/single:out
	img load -q --dir "$W/single"
	img save localhost/test/single:out > "$W/out.tar"
	run img2 load -q -i "$W/out.tar"
	expect_status 0
	[ "$output" = "Loaded image: localhost/test/single:out" ]
	run script -qec "$ISOLATE --storage-root $STORE save localhost/test/single:out" /dev/null
	expect_status 125
	expect_output "refusing to write an archive to a terminal"
	run img save -o "$W/none.tar" localhost/test/none:1
	[ "$status" -ne 0 ]
	expect_output "no such image: localhost/test/none:1"
	[ ! -e "$W/none.tar" ]
	[ -z "$(ls "$W" | grep none)" ]
}

# containers/image (podman load's library) copies each form out whole,
# checking every blob; its cache is the test's (registry_skopeo), not
# /var/lib/containers.
@test "isolate save's archive is read whole by skopeo, as docker-archive and as oci-archive" {
	tagged_layout multi localhost/test/multi:compat
	img load -q --dir "$W/multi"
	img save -o "$W/saved.tar" localhost/test/multi:compat
	run registry_skopeo inspect --config --raw "docker-archive:$W/saved.tar:localhost/test/multi:compat"
	expect_status 0
	expect_output '"Entrypoint":["/bin/echo","entry"]'
	run registry_skopeo copy -q "docker-archive:$W/saved.tar:localhost/test/multi:compat" "oci:$W/copy-da:x"
	expect_status 0
	run registry_skopeo copy -q "oci-archive:$W/saved.tar:compat" "oci:$W/copy-oci:x"
	expect_status 0
	# and back: skopeo's layout loads and runs
	run img2 load -q --dir "$W/copy-oci"
	expect_status 0
	run img2 run --network none "$(img2 images -q)"
	[ "$output" = "entry default-arg" ]
}

@test "import of a rootfs tarball, then run it; gzip from stdin" {
	tar -C "$ROOTFS_TEMPLATE" -cf "$W/rootfs.tar" .
	run img import "$W/rootfs.tar" test/imported:1
	expect_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	run img run --network none test/imported:1 sh -c 'echo ok'
	expect_status 0
	[ "$output" = "ok" ]
	run img run --network none test/imported:1 sh -c 'echo $PATH'
	[ "$output" = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
	gzip -c "$W/rootfs.tar" > "$W/rootfs.tar.gz"
	run img import -c 'CMD ["sh", "-c", "echo from cmd"]' - test/imported:gz < "$W/rootfs.tar.gz"
	expect_status 0
	run img run --network none test/imported:gz
	expect_status 0
	[ "$output" = "from cmd" ]
	# the gzip file is the layer blob as it is
	[ -e "$STORE/blobs/sha256/$(sha256sum "$W/rootfs.tar.gz" | cut -d' ' -f1)" ]
}

@test "bad input: a file that is not an archive" {
	echo "not an archive" > "$W/notes.txt"
	run img load -i "$W/notes.txt"
	expect_status 125
	expect_output "$W/notes.txt: not an image archive"
	expect_nothing_recorded
	run img import "$W/notes.txt" test/notes:1
	expect_status 125
	expect_output "not a tar archive"
	expect_nothing_recorded
}

@test "bad input: a corrupt blob, in a layout directory and in a tar" {
	run img load --dir "$IMAGES/evil-digest"
	expect_status 125
	expect_output "$IMAGES/evil-digest: blobs/sha256/"
	expect_output "digest mismatch"
	expect_nothing_recorded
	tar -C "$IMAGES/evil-digest" -cf "$W/evil-digest.tar" .
	run img load -i "$W/evil-digest.tar"
	expect_status 125
	expect_output "digest mismatch"
	expect_nothing_recorded
	run img load --dir "$IMAGES/evil-manifest-digest"
	expect_status 125
	expect_output "digest mismatch"
	expect_nothing_recorded
}

@test "bad input: a missing blob, an unknown media type, a malformed index.json" {
	cp -a "$IMAGES/single" "$W/single"
	layer=$(grep -o 'sha256:[0-9a-f]*' "$IMAGES/single/blobs/sha256/$(grep -o 'sha256:[0-9a-f]*' "$IMAGES/single/index.json" | cut -d: -f2)" | tail -n 1)
	rm "$W/single/blobs/sha256/${layer#sha256:}"
	run img load --dir "$W/single"
	expect_status 125
	expect_output "$layer is missing"
	expect_nothing_recorded
	run img load --dir "$IMAGES/evil-mediatype"
	expect_status 125
	expect_output "unsupported media type application/vnd.example.unknown+json"
	expect_nothing_recorded
	cp -a "$IMAGES/single" "$W/broken"
	printf '{"schemaVersion": 2,\n "manifests": [ }\n' > "$W/broken/index.json"
	run img load --dir "$W/broken"
	expect_status 125
	expect_output "$W/broken: index.json:2:"
	expect_nothing_recorded
}

@test "a tar's climbing and absolute names are never written; a bad layer records nothing" {
	tagged_layout single localhost/test/single:evil
	echo escaped > "$W/f"
	mkdir -p "$W/a/b"
	(cd "$W" && tar -C single -cf evil.tar . &&
		tar -P -rf evil.tar --transform='s,^f$,../../isolate-io-evil-dotdot,' f &&
		tar -P -rf evil.tar --transform='s,^f$,/tmp/isolate-io-evil-absolute,' f &&
		tar -P -rf evil.tar --transform='s,^f$,blobs/sha256/../../../isolate-io-evil-blob,' f)
	cd "$W/a/b"
	run img load -q -i "$W/evil.tar"
	cd - >/dev/null
	expect_status 0
	[ "$output" = "Loaded image: localhost/test/single:evil" ]
	[ ! -e "$W/isolate-io-evil-dotdot" ]
	[ ! -e /tmp/isolate-io-evil-absolute ]
	[ ! -e "$W/isolate-io-evil-blob" ]
	[ -z "$(ls -A "$W/a/b")" ]
	# a layer that climbs: refused when unpacked, no image recorded
	rm -rf "$STORE"
	run img load --dir "$IMAGES/evil-dotdot"
	expect_status 125
	expect_output 'the name has a ".." component'
	expect_nothing_recorded
}

@test "an image's StopSignal is what a SIGTERM to isolate run delivers; an unknown one is refused" {
	tar -C "$ROOTFS_TEMPLATE" -cf "$W/rootfs.tar" .
	img import -c 'STOPSIGNAL SIGUSR1' "$W/rootfs.tar" test/stopsig:1 >/dev/null
	"$ISOLATE" --storage-root "$STORE" run --network none test/stopsig:1 sh -c \
		'trap "echo got-usr1; exit 3" USR1; trap "echo got-term; exit 4" TERM; echo ready; while :; do sleep 0.1; done' \
		> "$W/out" 2>&1 &
	rt=$!
	for _ in $(seq 100); do
		grep -q ready "$W/out" 2>/dev/null && break
		sleep 0.1
	done
	kill -TERM $rt
	status=0
	wait $rt || status=$?
	[ "$status" = 3 ] || { cat "$W/out"; false; }
	grep -q got-usr1 "$W/out"
	# import takes the config as given; run refuses what it cannot send
	img import -c 'STOPSIGNAL SIGNOPE' "$W/rootfs.tar" test/stopsig:bad >/dev/null
	run img run --network none test/stopsig:bad true
	expect_status 125
	expect_output "unknown StopSignal SIGNOPE"
	[ -z "$(ls -A "$STORE/containers")" ]
}
