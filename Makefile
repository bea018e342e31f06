# fileloop: top-level build.
#
#   make                 module for KDIR + the tools
#   make KDIR=<tree>     module against another kernel build tree
#   make modules-all     module for every Debian kernel the tests use
#   make tools-trixie    the tools built in the trixie root, for its VMs
#   make deps            install the Debian packages everything needs
#   make check           host unit tests + in-VM suites on every kernel in
#                        TEST_KERNELS (6.1 6.12 6.18 7 by default)
#   make check-long      a guest reset test and the reliability suites with
#                        large counts (docs/reliability.md)
#   make check-debug     every in-VM suite on a KASAN, lockdep, kmemleak,
#                        UBSAN kernel built once from linux-source-6.12
#                        (scripts/debug-kernel; docs/debug-kernel.md)
#   make demo            the quick-start job: a LUKS vault in a file
#   make bench           benchmark against loop (see bench/README.md)
#   make install         install module and tools on this host
#   make dkms            register the module with DKMS, build and install it
#                        for KVER (the running kernel unless given)
#   make dkms-remove     undo make dkms
#   make deb             Debian packages fileloop-dkms and fileloopctl in
#                        build/deb/ (docs/packaging.md)

KVER ?= $(shell uname -r)
# Default tree: the running kernel's, else the newest Debian 6.1 headers.
KDIR ?= $(or $(wildcard /lib/modules/$(KVER)/build),\
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))
W ?= 1
C ?= 0
PREFIX ?= /usr/local
# Kernel series to build for and test on: bookworm's 6.1 and 6.12 on the
# host, 6.18 and the newest 7.x in the trixie root (scripts/trixie-root).
# 6.18 only when the root could get its headers.  Recursive, so it is
# evaluated after check's deps step has made the root.
TEST_KERNELS ?= 6.1 6.12 $(shell scripts/kernel-release 6.18 >/dev/null 2>&1 && echo 6.18) 7
# Where the tools for the trixie root's VMs are built: apart from the host's
# tools/build, so host and trixie binaries never mix.
TRIXIE_TOOLS = build/tools-trixie
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
# The release version: debian/changelog's (native, no revision).  Braces:
# make would end $(shell ...) at the sed's first ')'.
PKG_VERSION := ${shell sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog}

.PHONY: all deps module tools tools-trixie modules-all check unit \
	unit-build demo test-tools bench install clean sparse module-debug \
	check-debug check-long dkms-source dkms dkms-remove deb

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: run scripts/install-deps or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=$(W) C=$(C) modules

tools:
	$(MAKE) -C tools

# The tools for the VMs of the trixie root's kernels: built there, against
# trixie's libdevmapper and libcryptsetup, into $(TRIXIE_TOOLS).
tools-trixie:
	scripts/in-root "$$(scripts/trixie-root --print)" make -C tools \
		B=$(CURDIR)/$(TRIXIE_TOOLS) VERSION=$(VERSION)

# One out-of-tree build directory per kernel, so 6.1 and 6.12 objects never
# mix: build/kmod/<kernel release>/ holds links to kernel/'s sources.  Not
# to the .mod.c that `make module` leaves in kernel/: modpost would write
# one kernel's symbol versions through the link into the other's build.
# Kernels of the trixie root are built inside it (scripts/in-root).
KERNEL_SOURCES = $(filter-out %.mod.c,$(wildcard kernel/*.c)) \
	$(wildcard kernel/*.h)
modules-all:
	@set -e; for k in $(TEST_KERNELS); do \
		kver=$$(scripts/kernel-release $$k); \
		kroot=$$(scripts/kernel-release --root $$kver); \
		d=build/kmod/$$kver; \
		if find $$d -maxdepth 1 -name '*.mod.c' -type l 2>/dev/null | \
		   grep -q .; then rm -rf $$d; fi; \
		mkdir -p $$d; \
		for f in kernel/Kbuild $(KERNEL_SOURCES); do \
			ln -sf $(CURDIR)/$$f $$d/; done; \
		echo "  MODULE  $$kver (root $$kroot)"; \
		scripts/in-root $$kroot make -C /lib/modules/$$kver/build \
			M=$(CURDIR)/$$d W=$(W) C=$(C) modules; \
	done

# Programs the guest suites run (built on the host, like the tools).
test-tools: build/test-tools/table-fuzz build/test-tools/log-replay \
	build/test-tools/dio-align
build/test-tools/table-fuzz: tests/tools/table-fuzz.c
	mkdir -p $(@D)
	$(CC) -Wall -Wextra -Werror -O2 -o $@ $< $$(pkg-config --libs devmapper)
build/test-tools/log-replay: tests/tools/log-replay.c
	mkdir -p $(@D)
	$(CC) -Wall -Wextra -Werror -O2 -o $@ $<
build/test-tools/dio-align: tests/tools/dio-align.c
	mkdir -p $(@D)
	$(CC) -Wall -Wextra -Werror -O2 -o $@ $<

# The same against the debug kernel's tree, built first if needed (about
# 20-40 minutes, once): build/kmod/<its release>/.
module-debug:
	@set -e; tree=$$(scripts/debug-kernel); \
		d=build/kmod/$$(scripts/debug-kernel --release); \
		rm -rf $$d; mkdir -p $$d; \
		for f in kernel/Kbuild $(KERNEL_SOURCES); do \
			ln -sf $(CURDIR)/$$f $$d/; done; \
		$(MAKE) -C $$tree M=$(CURDIR)/$$d W=$(W) C=$(C) modules

sparse:
	$(MAKE) modules-all C=2

deps:
	scripts/install-deps

unit:
	$(MAKE) -C tools unit

# check and demo install what they need first, then build in a fresh make
# so that KDIR and pkg-config flags see the packages just installed.
check: deps
	$(MAKE) tools tools-trixie modules-all test-tools TEST_KERNELS="$(TEST_KERNELS)"
	$(MAKE) -C tools -j2 unit-build fuzz-build
	prove --timer --exec '' tools/build/tests/test_* tests/fuzz.t tests/bench.t \
		tests/harness.t tests/packages.t tests/generator.t \
		$(foreach k,$(TEST_KERNELS),tests/vm-$(k).t) \
		$(if $(filter 6.1,$(TEST_KERNELS)),tests/vm-boot.t)

# Every guest suite in one boot of the debug kernel, the table fuzzer at
# 10 000 lines, then a kmemleak scan; any KASAN, lockdep, UBSAN,
# hung-task, atomic-sleep, debugobjects or kmemleak report fails it.  The
# suites run 7-8x slower there: hours (docs/debug-kernel.md).
DEBUG_VM_TIMEOUT ?= 21600
DEBUG_SUITE_TIMEOUT ?= 5400
check-debug: deps
	$(MAKE) tools module-debug test-tools
	FLT_FUZZ_LINES=10000 \
	FILELOOP_VM_TIMEOUT=$(DEBUG_VM_TIMEOUT) \
	FILELOOP_SUITE_TIMEOUT=$(DEBUG_SUITE_TIMEOUT) \
		prove -v --exec '' tests/lib/vm-suites :: debug

# The long tier, not in make check: the reset test (tests/crash-reset.t,
# four boots), the reliability suites with large counts on the oldest and
# the newest kernel, the fileloopctl suites on the newest with
# systemd-udevd running (FLT_UDEV=1, tests/lib/ctl.sh; on 6.1 they
# run under udev in make check's tests/vm-boot.t), and that boot once
# more with fileloop installed from its Debian packages (FLT_PACKAGES=1:
# DKMS builds the module in the guest).
LONG_SUITES = tests/guest/31-faults.t tests/guest/32-table-fuzz.t \
	tests/guest/33-crash-replay.t tests/guest/34-stress.t
CTL_SUITES = $(filter-out %/25-ctl-udev.t,$(wildcard tests/guest/2[0-9]-ctl-*.t))
check-long: deps
	$(MAKE) tools tools-trixie modules-all test-tools TEST_KERNELS="$(TEST_KERNELS)"
	prove -v --exec '' tests/crash-reset.t
	FLT_FUZZ_LINES=10000 FLT_REPLAY_POINTS=24 FLT_STRESS_SECONDS=120 \
	FILELOOP_VM_TIMEOUT=5400 FILELOOP_SUITE_TIMEOUT=2700 \
		sh -c 'rc=0; for k in $(firstword $(TEST_KERNELS)) $(lastword $(TEST_KERNELS)); do \
		prove -v --exec "" tests/lib/vm-suites :: $$k $(LONG_SUITES) || rc=1; \
		done; \
		FLT_UDEV=1 prove -v --exec "" tests/lib/vm-suites :: $(lastword $(TEST_KERNELS)) $(CTL_SUITES) || rc=1; \
		FLT_PACKAGES=1 prove -v --exec "" tests/vm-boot.t || rc=1; \
		exit $$rc'

demo: deps
	$(MAKE) tools modules-all
	scripts/demo

bench: deps
	$(MAKE) tools tools-trixie modules-all
	bench/run

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools install PREFIX=$(PREFIX)

# DKMS from this tree.  The version is the release's plus "+dev", so a
# tree registered this way never takes over /usr/src/fileloop-<version> of
# an installed fileloop-dkms package, and make dkms-remove finds it again
# after further commits.  DKMS_VERSION=... picks another.
DKMS ?= dkms
DKMS_VERSION ?= $(PKG_VERSION)+dev
DKMS_MODULE = fileloop/$(DKMS_VERSION)
DKMS_STAGE = build/dkms/fileloop-$(DKMS_VERSION)
# Where dkms add copies the tree (dkms's source_tree); dkms remove keeps it.
DKMS_SOURCE_TREE ?= /usr/src

# The module's source as DKMS and the package ship it: Kbuild, the sources
# and dkms.conf with its version.
dkms-source:
	rm -rf $(DKMS_STAGE)
	mkdir -p $(DKMS_STAGE)
	cp kernel/Kbuild $(KERNEL_SOURCES) $(DKMS_STAGE)/
	sed 's/#MODULE_VERSION#/$(DKMS_VERSION)/' kernel/dkms.conf \
		>$(DKMS_STAGE)/dkms.conf

# dkms add copies the tree once: a second make dkms must replace what an
# earlier one registered, so that goes first.
dkms: dkms-source
	@if $(DKMS) status $(DKMS_MODULE) | grep -q .; then \
		echo "$(DKMS) remove $(DKMS_MODULE) --all"; \
		$(DKMS) remove $(DKMS_MODULE) --all; fi
	rm -rf $(DKMS_SOURCE_TREE)/fileloop-$(DKMS_VERSION)
	$(DKMS) add $(DKMS_STAGE)
	$(DKMS) build $(DKMS_MODULE) -k $(KVER)
	$(DKMS) install $(DKMS_MODULE) -k $(KVER)

dkms-remove:
	@if $(DKMS) status $(DKMS_MODULE) | grep -q .; then \
		echo "$(DKMS) remove $(DKMS_MODULE) --all"; \
		$(DKMS) remove $(DKMS_MODULE) --all; \
	else echo "dkms-remove: $(DKMS_MODULE) is not registered"; fi
	rm -rf $(DKMS_SOURCE_TREE)/fileloop-$(DKMS_VERSION)

# Debian packages (debian/), built from a copy of the tree so the build
# never writes into the source tree; the .debs, .changes and .buildinfo
# end up in build/deb/.  The copy holds the files git knows as they are in
# the working tree (uncommitted changes included, ignored files not); out
# of git, everything but build/.  Version: debian/changelog.
DEB_DIR = build/deb
DEB_SRC = $(DEB_DIR)/src/fileloop-$(PKG_VERSION)
deb:
	@command -v dpkg-buildpackage >/dev/null || { echo \
		"make deb: no dpkg-buildpackage (run scripts/install-deps)" >&2; \
		exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	{ if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard; \
	  else find . \( -path ./build -o -path ./.git \) -prune -o \
		! -type d -print0; fi; } | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar -c --null -T - | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -Jauto
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo \
		$(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	@ls -1 $(DEB_DIR)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null || true
	$(MAKE) -C tools clean
	rm -rf build
