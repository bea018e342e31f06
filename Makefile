# fileloop: top-level build.
#
#   make                 module for KDIR + the tools
#   make KDIR=<tree>     module against another kernel build tree
#   make modules-all     module for every Debian kernel the tests use
#   make deps            install the Debian packages everything needs
#   make check           host unit tests + in-VM suites on 6.1 and 6.12
#   make check-debug     every in-VM suite on a KASAN, lockdep, kmemleak,
#                        UBSAN kernel built once from linux-source-6.12
#                        (scripts/debug-kernel; docs/debug-kernel.md)
#   make demo            the quick-start job: a LUKS vault in a file
#   make bench           benchmark against loop (see bench/README.md)
#   make install         install module and tools on this host

KVER ?= $(shell uname -r)
# Default tree: the running kernel's, else the newest Debian 6.1 headers.
KDIR ?= $(or $(wildcard /lib/modules/$(KVER)/build),\
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))
W ?= 1
C ?= 0
PREFIX ?= /usr/local
TEST_KERNELS ?= 6.1 6.12

.PHONY: all deps module tools modules-all check unit unit-build demo \
	bench install clean sparse module-debug check-debug

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: run scripts/install-deps or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=$(W) C=$(C) modules

tools:
	$(MAKE) -C tools

# One out-of-tree build directory per kernel, so 6.1 and 6.12 objects never
# mix: build/kmod/<kernel release>/ holds links to kernel/'s sources.  Not
# to the .mod.c that `make module` leaves in kernel/: modpost would write
# one kernel's symbol versions through the link into the other's build.
KERNEL_SOURCES = $(filter-out %.mod.c,$(wildcard kernel/*.c)) \
	$(wildcard kernel/*.h)
modules-all:
	@set -e; for k in $(TEST_KERNELS); do \
		kver=$$(scripts/kernel-release $$k); \
		d=build/kmod/$$kver; \
		if find $$d -maxdepth 1 -name '*.mod.c' -type l 2>/dev/null | \
		   grep -q .; then rm -rf $$d; fi; \
		mkdir -p $$d; \
		for f in kernel/Kbuild $(KERNEL_SOURCES); do \
			ln -sf $(CURDIR)/$$f $$d/; done; \
		$(MAKE) -C /lib/modules/$$kver/build M=$(CURDIR)/$$d W=$(W) \
			C=$(C) modules; \
	done

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
	$(MAKE) tools modules-all
	$(MAKE) -C tools unit-build
	prove --exec '' tools/build/tests/test_* tests/bench.t tests/harness.t \
		$(foreach k,$(TEST_KERNELS),tests/vm-$(k).t)

# Every guest suite in one boot of the debug kernel, then a kmemleak scan;
# any KASAN, lockdep, UBSAN, hung-task, atomic-sleep, debugobjects or
# kmemleak report fails it.  The suites run about 9x slower there.
DEBUG_VM_TIMEOUT ?= 5400
DEBUG_SUITE_TIMEOUT ?= 2700
check-debug: deps
	$(MAKE) tools module-debug
	FILELOOP_VM_TIMEOUT=$(DEBUG_VM_TIMEOUT) \
	FILELOOP_SUITE_TIMEOUT=$(DEBUG_SUITE_TIMEOUT) \
		prove -v --exec '' tests/lib/vm-suites :: debug

demo: deps
	$(MAKE) tools modules-all
	scripts/demo

bench: deps
	$(MAKE) tools modules-all
	bench/run

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools install PREFIX=$(PREFIX)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null || true
	$(MAKE) -C tools clean
	rm -rf build
