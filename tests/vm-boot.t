#!/bin/bash
# A host, as a user has one: Debian's 6.1 kernel booting the host's root
# with systemd as init (scripts/vm --systemd), systemd-udevd running with
# Debian's dm rules.  The fileloopctl suites run here, under udev
# (25-ctl-udev, which starts udev itself, runs in vm-6.1.t; 7 runs them
# without udev, and 29-ctl-snapshot, whose clones are the newest xfs's,
# only there), then the suites that need systemd (tests/boot/).
#
# FLT_PACKAGES=1 (make check-long) installs fileloop from its Debian
# packages first (make deb, tests/boot/00-packages.t: DKMS builds the
# module in the guest, five minutes under emulation), and the suites run
# with the packaged tool and the module device-mapper loads on demand.
# Give suites to run any of them.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	for t in "$top"/tests/guest/2[0-9]-ctl-*.t "$top"/tests/boot/*.t; do
		case $t in */25-ctl-udev.t | */29-ctl-snapshot.t | */00-packages.t) ;;
		*) set -- "$@" "$t" ;; esac
	done
fi
if [ "${FLT_PACKAGES:-0}" = 1 ]; then
	debs=$top/build/deb-boot
	if ! out=$(make -s -C "$top" deb DEB_DIR="$debs" 2>&1); then
		echo "not ok 1 - make deb (the packages the VM installs)"
		tail -n 30 <<<"$out" | sed 's/^/# /'
		echo "1..1"
		exit 1
	fi
	set -- "$top/tests/boot/00-packages.t" "$@"
	export FILELOOP_VM_NO_MODULE=1 FLC=/usr/sbin/fileloopctl FLT_DEBS=$debs
fi
FILELOOP_VM_SYSTEMD=1 exec "$top/tests/lib/vm-suites" 6.1 "$@"
