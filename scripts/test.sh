#!/bin/sh
# Builds isolate and runs every test: the unit tests and the integration
# tests, then the same suite again against an ASan+UBSan build, then the
# cgroup tests against the plain build in a pure cgroup v2 VM (QEMU; see
# docs/testing.md), then 60 s of fuzzing of the seccomp profile loader.  Ends with "N passed, M failed" for each run and in all;
# exits non-zero if any test failed.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "test: run as root (the tests create namespaces and mounts)" >&2; exit 1; }
scripts/deps.sh test
make -s all tests
make -s BUILD=build-asan SANITIZE=1 all tests
BUILDS="build build-asan" VM_BUILDS=build FUZZ_SECS=60 tests/run-all.sh
