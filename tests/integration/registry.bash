# A real image registry on loopback for the image tests: Debian's
# docker-registry (distribution 2.8) on 127.0.0.1, seeded with the images
# of tests/helpers/mkimages.sh.  Nothing here talks to any other address.
#
# A bats file sources this (after helpers.bash) and calls, from its own
# setup_file and teardown_file:
#
#   setup_file() {
#       registry_start                                  # REGISTRY=127.0.0.1:PORT
#       registry_start --prefix AUTH_ --htpasswd alice:secret   # AUTH_REGISTRY=...
#       registry_seed
#       registry_seed --prefix AUTH_
#   }
#   teardown_file() {
#       registry_stop --prefix AUTH_
#       registry_stop
#   }
#
# Call registry_start directly (not through `run` or `$(...)`): the
# registry is killed when the shell that started it ends (--pdeathsig), so
# it never outlives the bats file even when bats itself is killed.
#
# registry_start [--prefix P] [--htpasswd USER:PASS]
#     Starts a registry on 127.0.0.1 on a port the kernel picks (the
#     registry listens on port 0 and its log says which port it got: no
#     race with another process for a port), with its own config, storage
#     and log in a new directory, and waits (10 s at most) until /v2/
#     answers.  Exports, each name prefixed by P (default: no prefix):
#       REGISTRY        127.0.0.1:PORT (plain HTTP, no TLS)
#       REGISTRY_DIR    its directory: config.yml, storage/, registry.log,
#                       htpasswd, skopeo/ (skopeo's blob-info cache)
#       REGISTRY_PID    the registry's pid
#       REGISTRY_LOG    its log, access log included: one line per request
#                       ("GET /v2/test/single/blobs/sha256:... HTTP/1.1" 200)
#       REGISTRY_CREDS  USER:PASS with --htpasswd, else empty
#     --htpasswd: basic auth (htpasswd, bcrypt), over plain HTTP:
#     distribution 2.8 does not require TLS for it.  Anonymous requests get
#     401 with "WWW-Authenticate: Basic realm=isolate-test".
#     Docker schema 1 manifests are enabled (for test/evil-mediatype:schema1),
#     so a client that asks for a docker image by tag without saying in
#     Accept that it takes schema 2 gets it rewritten as schema 1, as from
#     registries of that era.
# registry_seed [--prefix P]
#     Seeds that registry (with its credentials).  The first call of a bats
#     run builds the images (mkimages.sh) and pushes them; it keeps the
#     layouts and the seeded storage in $BATS_RUN_TMPDIR/registry-fixture,
#     and every later call, in this file or another, copies that storage
#     into its registry's (a registry keeps nothing about its blobs but its
#     files): 3-6 s for the first on a busy 2-CPU machine, 0.1 s for the
#     others.  Exports IMAGES,
#     the directory of the OCI layouts, one per image (for `load --dir`
#     tests; shared by the whole run: copy one before changing it).  The
#     repositories and tags, under $REGISTRY/ (see mkimages.sh for what
#     each image holds):
#       test/single:latest, :oci     single, OCI
#       test/single:v2s2             single, docker schema 2 (skopeo --format v2s2)
#       test/multi:latest            multi, OCI: 3 layers, a whiteout, an opaque dir
#       test/platforms:latest        OCI index: linux/amd64 (runs) + linux/arm64
#       test/platforms:v2s2          the same as a docker manifest list
#       test/evil-dotdot:latest      ../../ and ../ x16 tmp/ entries
#       test/evil-absolute:latest    /tmp/isolate-evil-absolute
#       test/evil-symlink:latest     link -> /tmp + link/..., up -> ../../.. + up/...
#       test/evil-hardlink:latest    hard links to /etc/passwd and ../ x16 etc/passwd
#       test/evil-setuid:latest      a root-owned setuid file
#       test/evil-device:latest      a character device 1,1 (only when root)
#       test/evil-digest:latest      its last layer's blob (uncompressed tar)
#                                    has one byte changed in the registry's
#                                    storage: served with its old digest
#                                    and size, still a valid tar
#       test/evil-manifest-digest:latest  its manifest has one byte changed
#                                    in storage (valid JSON): the registry
#                                    serves it by tag and by digest, with
#                                    the old Docker-Content-Digest
#       test/evil-mediatype:schema1  a docker schema 1 manifest
#                                    (application/vnd.docker.distribution.manifest.v1+prettyjws)
#       test/evil-mediatype:config   an OCI manifest whose config type is
#                                    application/vnd.example.unknown.config+json
#       test/evil-mediatype:layer    an OCI manifest whose second layer type
#                                    is application/vnd.example.unknown.layer
#     (test/evil-mediatype has no :latest: distribution 2.8 refuses a
#     manifest of an unknown media type, see docs/testing.md.)
#     skopeo pushes single, multi, platforms and schema1; the evil images
#     are pushed byte for byte by registry_push_layouts (skopeo would
#     compress evil-digest's uncompressed layer).
# registry_stop [--prefix P]
#     Stops the registry (SIGTERM, then SIGKILL after 5 s), waits for it,
#     removes its directory and unsets its variables.  Safe to call twice,
#     without a start, and after a failed start.
# registry_skopeo ARGS...
#     skopeo, with its blob-info cache in $REGISTRY_DIR/skopeo rather than
#     in /var/lib/containers/cache (where root's skopeo keeps it).
# registry_push_layouts [--prefix P] LAYOUT NAME:TAG [LAYOUT NAME:TAG...]
#     Pushes the image of each mkimages.sh layout (a manifest or an index)
#     with curl, exactly as its files are: every blob (mounted from
#     test/single when it is there), then the manifests, an index's after
#     those it names; three curl processes in all.  Only for mkimages.sh's
#     JSON (descriptors with mediaType before digest), not a general
#     client.
# registry_blob_digest [--creds USER:PASS] REF INDEX
#     The digest of layer INDEX (0 is the first) of the manifest REF
#     (HOST:PORT/NAME:TAG or @DIGEST), or of its config when INDEX is
#     "config", from `skopeo inspect --raw` (no jq: it is not in
#     scripts/deps.sh).
# registry_manifest_digest [--creds USER:PASS] REF
#     The digest of the manifest REF as the registry serves it.
# registry_corrupt_blob [--prefix P] DIGEST [OFFSET]
#     Changes the byte at OFFSET (default: the middle) of the blob DIGEST
#     in the registry's storage (STORAGE/docker/registry/v2/blobs/sha256/
#     XX/HEX/data), keeping its size: the registry then serves content that
#     does not match its digest (it does not check on reads).  Every image
#     of every repository of that registry that shares the blob sees it.

REGISTRY_MKIMAGES=$BATS_TEST_DIRNAME/../helpers/mkimages.sh

# _registry_prefix "$@": sets _p to the value of a leading --prefix P and
# _shift to the number of arguments it took.
_registry_prefix() {
	_p="" _shift=0
	if [ "${1:-}" = --prefix ]; then
		_p=${2?--prefix needs a value}
		_shift=2
	fi
}

# _registry_var P NAME: the value of the variable PNAME.
_registry_var() {
	local n="$1$2"
	printf '%s' "${!n:-}"
}

registry_skopeo() {
	local cache=${_registry_skopeo_dir:-${REGISTRY_DIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}}/skopeo
	mkdir -p "$cache"
	# c/image keeps its cache under /var/lib/containers for root, but
	# under XDG_DATA_HOME for a user it takes as rootless (this variable).
	_CONTAINERS_ROOTLESS_UID=65534 XDG_DATA_HOME=$cache skopeo "$@"
}

registry_start() {
	local prefix="" creds="" dir pid port="" i addr unset_env=() v code
	while [ $# -gt 0 ]; do
		case $1 in
		--prefix) prefix=$2; shift 2 ;;
		--htpasswd) creds=$2; shift 2 ;;
		*) echo "registry_start: unknown argument: $1" >&2; return 1 ;;
		esac
	done
	if [ -n "$(_registry_var "$prefix" REGISTRY_PID)" ]; then
		echo "registry_start: ${prefix}REGISTRY is already running; registry_stop it first" >&2
		return 1
	fi
	dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/registry.XXXXXX") || return 1
	export "${prefix}REGISTRY_DIR=$dir" "${prefix}REGISTRY_LOG=$dir/registry.log" \
		"${prefix}REGISTRY_CREDS=$creds" "${prefix}REGISTRY="
	cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: "$dir/storage"
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: isolate-test-registry
compatibility:
  schema1:
    enabled: true
EOF
	if [ -n "$creds" ]; then
		# distribution reads only bcrypt hashes
		htpasswd -B -b -c "$dir/htpasswd" "${creds%%:*}" "${creds#*:}" 2>/dev/null || {
			echo "registry_start: htpasswd failed" >&2
			registry_stop --prefix "$prefix"
			return 1
		}
		cat >> "$dir/config.yml" <<EOF
auth:
  htpasswd:
    realm: isolate-test
    path: "$dir/htpasswd"
EOF
	fi
	# distribution takes every REGISTRY_* variable as a config setting
	# (REGISTRY_AUTH_DIR would be auth.dir, and the config then fails).
	for v in $(compgen -e); do
		case $v in REGISTRY_*) unset_env+=(-u "$v") ;; esac
	done
	env "${unset_env[@]}" setpriv --pdeathsig KILL \
		docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 3>&- </dev/null &
	pid=$!
	export "${prefix}REGISTRY_PID=$pid"
	for ((i = 0; i < 500; i++)); do
		port=$(sed -n 's/.*msg="listening on 127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$dir/registry.log")
		[ -n "$port" ] && break
		_registry_gone "$pid" && break
		sleep 0.02
	done
	if [ -n "$port" ]; then
		addr=127.0.0.1:$port
		export "${prefix}REGISTRY=$addr"
		for ((i = 0; i < 100; i++)); do
			code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://$addr/v2/") || :
			case $code in 200 | 401) return 0 ;; esac
			sleep 0.05
		done
	fi
	echo "registry_start: the registry did not answer on ${addr:-its port}; the end of $dir/registry.log:" >&2
	tail -n 20 "$dir/registry.log" >&2
	registry_stop --prefix "$prefix"
	return 1
}

registry_stop() {
	local _p _shift pid dir i
	_registry_prefix "$@"
	pid=$(_registry_var "$_p" REGISTRY_PID)
	dir=$(_registry_var "$_p" REGISTRY_DIR)
	# only our registry: the pid must still be docker-registry serving our config
	if [ -n "$pid" ] && [ -n "$dir" ] &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "serve $dir/config.yml"; then
		kill -TERM "$pid" 2>/dev/null || :
		for ((i = 0; i < 250; i++)); do
			_registry_gone "$pid" && break
			sleep 0.02
		done
		_registry_gone "$pid" || kill -KILL "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		for ((i = 0; i < 250; i++)); do
			_registry_gone "$pid" && break
			sleep 0.02
		done
	elif [ -n "$pid" ] && _registry_gone "$pid"; then
		# it ended by itself: reap it if it is this shell's child
		wait "$pid" 2>/dev/null || :
	fi
	[ -z "$dir" ] || rm -rf "$dir"
	unset "${_p}REGISTRY" "${_p}REGISTRY_DIR" "${_p}REGISTRY_PID" "${_p}REGISTRY_LOG" "${_p}REGISTRY_CREDS"
	return 0
}

# _registry_gone PID: true once PID has exited (a zombie counts as gone).
_registry_gone() {
	local state
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$state" ] || [ "$state" = Z ]
}

# _registry_curl_args P: the curl options for a request to the registry
# of prefix P (its credentials, never a proxy), into the caller's array
# args, after a --next when args is not empty.
_registry_curl_args() {
	local creds
	creds=$(_registry_var "$1" REGISTRY_CREDS)
	[ "${#args[@]}" -eq 0 ] || args+=(--next)
	args+=(-s --noproxy '*')
	[ -z "$creds" ] || args+=(-u "$creds")
}

# _registry_collect LAYOUT REPO DIGEST MEDIATYPE REF: appends what pushing
# that manifest (or index) takes to the caller's arrays: blobs
# ("REPO|DIGEST|FILE", each once) and manifests ("REPO|REF|MEDIATYPE|FILE",
# those an index names before it).
_registry_collect() {
	local layout=$1 repo=$2 digest=$3 mt=$4 ref=$5 file d child
	file=$layout/blobs/sha256/${digest#sha256:}
	[ -f "$file" ] || { echo "registry_push_layouts: $layout has no blob $digest" >&2; return 1; }
	case $mt in
	*index* | *manifest.list*)
		for child in $(grep -o '"mediaType":"[^"]*","digest":"sha256:[0-9a-f]*"' "$file" |
			sed 's/"mediaType":"\([^"]*\)","digest":"\([^"]*\)"/\1,\2/'); do
			_registry_collect "$layout" "$repo" "${child#*,}" "${child%%,*}" "${child#*,}" || return 1
		done
		;;
	*)
		for d in $(grep -o 'sha256:[0-9a-f]\{64\}' "$file"); do
			[ -n "${seen[$repo|$d]:-}" ] && continue
			seen[$repo|$d]=1
			blobs+=("$repo|$d|$layout/blobs/sha256/${d#sha256:}")
		done
		;;
	esac
	manifests+=("$repo|$ref|$mt|$file")
}

registry_push_layouts() {
	local _p _shift reg layout target desc repo d f ref mt loc sep i
	local blobs=() manifests=() args=() res=() puts=() putblobs=()
	local -A seen=()
	_registry_prefix "$@"
	shift "$_shift"
	reg=$(_registry_var "$_p" REGISTRY)
	while [ $# -ge 2 ]; do
		layout=$1 target=$2
		shift 2
		desc=$(grep -o '"mediaType":"[^"]*","digest":"sha256:[0-9a-f]*"' "$layout/index.json" | head -n 1 |
			sed 's/"mediaType":"\([^"]*\)","digest":"\([^"]*\)"/\1,\2/')
		[ -n "$desc" ] || { echo "registry_push_layouts: no manifest in $layout/index.json" >&2; return 1; }
		_registry_collect "$layout" "${target%:*}" "${desc#*,}" "${desc%%,*}" "${target##*:}" || return 1
	done
	# 1: every blob mounted from test/single (201) or an upload begun (202)
	for i in "${!blobs[@]}"; do
		IFS='|' read -r repo d f <<<"${blobs[$i]}"
		_registry_curl_args "$_p"
		args+=(-o /dev/null -w '%{http_code} %header{location}\n' -X POST
			"http://$reg/v2/$repo/blobs/uploads/?mount=$d&from=test/single")
	done
	if [ "${#args[@]}" -gt 0 ]; then
		mapfile -t res < <(curl "${args[@]}")
		args=()
		# 2: the uploads
		for i in "${!blobs[@]}"; do
			IFS='|' read -r repo d f <<<"${blobs[$i]}"
			case ${res[$i]:-} in
			"201 "*) ;;
			"202 "?*)
				loc=${res[$i]#202 }
				case $loc in /*) loc=http://$reg$loc ;; esac
				case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
				_registry_curl_args "$_p"
				args+=(-o /dev/null -w '%{http_code}\n' -X PUT -H 'Content-Type: application/octet-stream'
					--data-binary "@$f" "$loc${sep}digest=$d")
				putblobs+=("$repo $d")
				;;
			*)
				echo "registry_push_layouts: cannot start the upload of $d to $repo: ${res[$i]:-no answer}" >&2
				return 1
				;;
			esac
		done
		if [ "${#args[@]}" -gt 0 ]; then
			mapfile -t puts < <(curl "${args[@]}")
			for i in "${!putblobs[@]}"; do
				[ "${puts[$i]:-}" = 201 ] ||
					{ echo "registry_push_layouts: upload of ${putblobs[$i]#* } to ${putblobs[$i]%% *}: HTTP ${puts[$i]:-none}" >&2; return 1; }
			done
		fi
	fi
	# 3: the manifests, in order
	args=()
	for i in "${!manifests[@]}"; do
		IFS='|' read -r repo ref mt f <<<"${manifests[$i]}"
		_registry_curl_args "$_p"
		args+=(-o /dev/null -w '%{http_code}\n' -X PUT -H "Content-Type: $mt" --data-binary "@$f"
			"http://$reg/v2/$repo/manifests/$ref")
	done
	mapfile -t puts < <(curl "${args[@]}")
	for i in "${!manifests[@]}"; do
		IFS='|' read -r repo ref mt f <<<"${manifests[$i]}"
		[ "${puts[$i]:-}" = 201 ] ||
			{ echo "registry_push_layouts: manifest $repo:$ref ($mt): HTTP ${puts[$i]:-none}" >&2; return 1; }
	done
}

# _registry_inspect [--creds U:P] REF: the raw manifest.
_registry_inspect() {
	local creds=()
	if [ "${1:-}" = --creds ]; then
		creds=(--creds "$2")
		shift 2
	fi
	registry_skopeo inspect --raw --tls-verify=false "${creds[@]}" "docker://$1"
}

registry_blob_digest() {
	local args=() raw
	if [ "${1:-}" = --creds ]; then
		args=(--creds "$2")
		shift 2
	fi
	raw=$(_registry_inspect "${args[@]}" "$1") || return 1
	if [ "$2" = config ]; then
		printf '%s' "$raw" | sed 's/.*"config":{\([^}]*\)}.*/\1/' | grep -o 'sha256:[0-9a-f]\{64\}'
	else
		printf '%s' "$raw" | sed 's/.*"layers":\[//' | grep -o 'sha256:[0-9a-f]\{64\}' |
			sed -n "$(($2 + 1))p" | grep .
	fi
}

registry_manifest_digest() {
	local raw
	raw=$(_registry_inspect "$@") || return 1
	printf 'sha256:%s\n' "$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)"
}

registry_corrupt_blob() {
	local _p _shift dir digest hex file offset size byte
	_registry_prefix "$@"
	shift "$_shift"
	digest=$1 hex=${1#sha256:}
	dir=$(_registry_var "$_p" REGISTRY_DIR)
	file=$dir/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
	[ -f "$file" ] || { echo "registry_corrupt_blob: no blob $digest in $dir/storage" >&2; return 1; }
	size=$(stat -c %s "$file")
	offset=${2:-$((size / 2))}
	byte=$(od -An -tu1 -j "$offset" -N 1 "$file" | tr -d ' ')
	[ -n "$byte" ] || { echo "registry_corrupt_blob: offset $offset is past the end of $digest" >&2; return 1; }
	# shellcheck disable=SC2059
	printf "\\$(printf '%03o' $(((byte + 1) % 256)))" |
		dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

registry_seed() {
	local _p _shift reg creds dir cache tmp seeded dest=() auth=() evil=() img pids=() pid failed=0 d
	_registry_prefix "$@"
	reg=$(_registry_var "$_p" REGISTRY)
	creds=$(_registry_var "$_p" REGISTRY_CREDS)
	dir=$(_registry_var "$_p" REGISTRY_DIR)
	[ -n "$reg" ] || { echo "registry_seed: ${_p}REGISTRY is not running" >&2; return 1; }
	# The images and a seeded registry's storage are made once per bats
	# run (bats removes BATS_RUN_TMPDIR at its end) and kept read-only;
	# each registry gets its own copy of the storage.  A registry keeps
	# nothing about its blobs but its files, so a copy is as good as the
	# pushes (corruptions included).  Built under a temporary name and
	# renamed: bats --jobs may run two files' setup_file at once.
	cache=${BATS_RUN_TMPDIR:-$BATS_FILE_TMPDIR}/registry-fixture
	mkdir -p "$cache" || return 1
	export IMAGES=$cache/images
	if [ ! -d "$IMAGES" ]; then
		tmp=$(mktemp -d "$cache/images.XXXXXX") || return 1
		"$REGISTRY_MKIMAGES" "$tmp" || { rm -rf "$tmp"; return 1; }
		mv -T "$tmp" "$IMAGES" 2>/dev/null || rm -rf "$tmp"
	fi
	seeded=$cache/seeded
	if [ -d "$seeded" ]; then
		mkdir -p "$dir/storage"
		cp -a "$seeded/." "$dir/storage/"
		return
	fi
	dest=(-q --dest-tls-verify=false)
	[ -z "$creds" ] || dest+=(--dest-creds "$creds")
	local _registry_skopeo_dir=$dir
	# single first: the other pushes mount its layer rather than upload it
	registry_skopeo copy "${dest[@]}" --format oci "oci:$IMAGES/single" "docker://$reg/test/single:oci" ||
		{ echo "registry_seed: skopeo copy of single to $reg failed" >&2; return 1; }
	# then skopeo for what it converts, the rest byte for byte: all at once
	registry_skopeo copy "${dest[@]}" --format oci "oci:$IMAGES/single" "docker://$reg/test/single:latest" &
	pids+=($!)
	registry_skopeo copy "${dest[@]}" --format v2s2 "oci:$IMAGES/single" "docker://$reg/test/single:v2s2" &
	pids+=($!)
	registry_skopeo copy "${dest[@]}" --format oci "oci:$IMAGES/multi" "docker://$reg/test/multi:latest" &
	pids+=($!)
	{
		registry_skopeo copy "${dest[@]}" --all --format oci "oci:$IMAGES/platforms" "docker://$reg/test/platforms:latest" &&
			registry_skopeo copy "${dest[@]}" --all --format v2s2 "oci:$IMAGES/platforms" "docker://$reg/test/platforms:v2s2"
	} &
	pids+=($!)
	registry_skopeo copy "${dest[@]}" --format v2s1 "oci:$IMAGES/single" "docker://$reg/test/evil-mediatype:schema1" &
	pids+=($!)
	evil=("$IMAGES/evil-artifact" test/evil-mediatype:config "$IMAGES/evil-layertype" test/evil-mediatype:layer)
	for img in evil-dotdot evil-absolute evil-symlink evil-hardlink evil-setuid evil-device \
		evil-digest evil-manifest-digest; do
		d=$IMAGES/$img
		[ -d "$d.orig" ] && d=$d.orig
		[ -d "$d" ] && evil+=("$d" "test/$img:latest")
	done
	registry_push_layouts --prefix "$_p" "${evil[@]}" &
	pids+=($!)
	for pid in "${pids[@]}"; do
		wait "$pid" || failed=1
	done
	[ "$failed" -eq 0 ] || { echo "registry_seed: a push to $reg failed" >&2; return 1; }
	# after every push: the corrupted blobs are this registry's only copies
	# (skopeo and curl would refuse to push them)
	[ -z "$creds" ] || auth=(--creds "$creds")
	d=$(registry_blob_digest "${auth[@]}" "$reg/test/evil-digest:latest" 1) || return 1
	registry_corrupt_blob --prefix "$_p" "$d" 1024 || return 1
	d=$(registry_manifest_digest "${auth[@]}" "$reg/test/evil-manifest-digest:latest") || return 1
	registry_corrupt_blob --prefix "$_p" "$d" "$(_registry_pad_offset "$_p" "$d")" || return 1
	tmp=$(mktemp -d "$cache/seeded.XXXXXX") || return 1
	if ! cp -a "$dir/storage/." "$tmp/" || ! mv -T "$tmp" "$seeded" 2>/dev/null; then
		rm -rf "$tmp"
	fi
}

# _registry_pad_offset P DIGEST: where the manifest's padding annotation
# (aaaa...) is, plus 4.
_registry_pad_offset() {
	local dir hex off
	dir=$(_registry_var "$1" REGISTRY_DIR) hex=${2#sha256:}
	off=$(grep -bo 'aaaaaaaa' "$dir/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data" | head -n 1 | cut -d: -f1)
	echo $((off + 4))
}
