# isolate — build, test and sanitizer targets.
#
#   make                 build build/isolate and build/isolate-oci
#   make check           unit + integration tests (as root)
#   make check-asan      the whole suite against an ASan+UBSan build
#   make check-cgroup-v2 the cgroup tests in a pure cgroup v2 VM (QEMU)
#   make bench           benchmarks against crun, bubblewrap and podman (bench/run.sh),
#                        and of pull and run IMAGE against podman, skopeo+umoci
#                        (bench/images.sh), and isolate-oci against crun and runc,
#                        alone and under podman (bench/oci.sh)
#   make check-fuzz      the seccomp profile loader fuzzed for 60 s (libFuzzer)
#   make fuzz            the same for FUZZ_TIME seconds (default 1800)

BUILD    ?= build
CC       ?= cc
PKGS     := cmocka
# libnftables: headers only; nft.c loads it with dlopen where it is used
LIB_PKGS := libmnl libnetfilter_conntrack jansson libcap libseccomp libcurl libarchive libcrypto
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
            -Wmissing-prototypes -Wstrict-prototypes -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 \
            -fstack-protector-strong -Isrc/lib $(shell pkg-config --cflags $(LIB_PKGS) libnftables)
LIBS     := $(shell pkg-config --libs $(LIB_PKGS))
LDFLAGS  ?=
VERSION  := $(shell cat VERSION)

ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -U_FORTIFY_SOURCE
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRC  := $(wildcard src/lib/*.c src/lib/image/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(wildcard src/isolate/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
OCI_SRC  := $(wildcard src/isolate-oci/*.c)
OCI_OBJ  := $(OCI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all tests check check-unit check-integration check-asan check-cgroup-v2 check-fuzz fuzz bench clean
all: $(BUILD)/isolate $(BUILD)/isolate-oci
tests: $(UNIT_BIN) $(BUILD)/tests/recvtty $(BUILD)/tests/seccomp-listener

$(BUILD)/%.o: %.c $(wildcard src/lib/*.h src/lib/image/*.h src/isolate/*.h src/isolate-oci/*.h) VERSION
	@mkdir -p $(dir $@)
	@echo '  CC     $<'
	@$(CC) $(CFLAGS) -DISOLATE_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/libisolate.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/isolate: $(CLI_OBJ) $(BUILD)/libisolate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/isolate-oci: $(OCI_OBJ) $(BUILD)/libisolate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/helpers.h $(BUILD)/libisolate.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $$(pkg-config --cflags $(PKGS)) -o $@ $< $(BUILD)/libisolate.a \
		$(LDFLAGS) $(LIBS) $$(pkg-config --libs $(PKGS))

# The receiving end of isolate-oci's --console-socket (oci-runtime.bats);
# not named test_*: run-all.sh runs those as unit tests.
$(BUILD)/tests/recvtty: tests/helpers/recvtty.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

# The listener end of linux.seccomp.listenerPath (oci-seccomp.bats).
$(BUILD)/tests/seccomp-listener: tests/helpers/seccomp-listener.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

$(BUILD)/tests/bench-alternate: bench/alternate.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

check: all tests
	BUILDS=$(BUILD) tests/run-all.sh

check-unit: tests
	BUILDS=$(BUILD) tests/run-all.sh unit

check-integration: all
	BUILDS=$(BUILD) tests/run-all.sh integration

# The whole suite against an ASan+UBSan build, in build-asan/.
check-asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 all tests
	BUILDS=build-asan tests/run-all.sh

# tests/integration/cgroups.bats in a QEMU VM whose cgroups are pure v2
# (this host's may be v1 or hybrid); see docs/testing.md.
check-cgroup-v2: all
	BUILDS=$(BUILD) tests/run-all.sh cgroup-v2

# The seccomp profile loader under libFuzzer (clang), with ASan and UBSan;
# the seed corpus is copied, so that the repository's stays as it is.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 1800
FUZZ_SRC  := src/lib/secfilter_json.c src/lib/secfilter.c src/lib/caps.c src/lib/util.c src/lib/error.c \
             src/lib/jsonpos.c src/lib/log.c
$(BUILD)/fuzz/fuzz_seccomp_profile: tests/fuzz/fuzz_seccomp_profile.c $(FUZZ_SRC) $(wildcard src/lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc/lib \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_seccomp_profile.c $(FUZZ_SRC) $(LIBS)

check-fuzz: $(BUILD)/fuzz/fuzz_seccomp_profile
	tests/fuzz/run.sh $< tests/fuzz/corpus/seccomp 60

fuzz: $(BUILD)/fuzz/fuzz_seccomp_profile
	tests/fuzz/run.sh $< tests/fuzz/corpus/seccomp $(FUZZ_TIME)

bench: all $(BUILD)/tests/bench-alternate
	BUILD=$(BUILD) bench/run.sh
	BUILD=$(BUILD) bench/images.sh
	BUILD=$(BUILD) bench/oci.sh

clean:
	rm -rf build build-asan
