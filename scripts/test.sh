#!/bin/sh
# Builds isolate and runs every test: the unit tests and the integration
# tests, then the same suite again against an ASan+UBSan build.  Ends with
# "N passed, M failed" for each run; exits non-zero if any test failed.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "test: run as root (the tests create namespaces and mounts)" >&2; exit 1; }
scripts/deps.sh test
make -s all tests
make -s BUILD=build-asan SANITIZE=1 all tests
BUILDS="build build-asan" tests/run-all.sh
