#!/bin/bash
# fileloopctl move against cp + sync for a 512 MiB image,
# ext4 scratch disk to xfs scratch disk, 3 rounds, caches dropped.
# Run alone on the host, in a guest with dm-clone (7.x); like the suites,
# it refuses to run outside the test VM (tests/lib/fileloop.sh):
#   tests/vm-7.t bench/move-vs-cp.t
. "$(dirname "$0")/../tests/lib/tap.sh"
. "$(dirname "$0")/../tests/lib/fileloop.sh"
. "$(dirname "$0")/../tests/lib/ctl.sh"
ext4=$(flt_scratch_fs ext4); xfs=$(flt_scratch_fs xfs)
modprobe dm-clone
head -c 512M /dev/urandom > "$ext4/a.img"; sync
for round in 1 2 3; do
	echo 3 > /proc/sys/vm/drop_caches
	t0=$(date +%s%N); cp "$ext4/a.img" "$xfs/cp.img" && sync; t1=$(date +%s%N)
	diag "round $round: cp + sync 512 MiB: $(((t1 - t0) / 1000000)) ms"
	rm -f "$xfs/cp.img"; sync
	"$FLC" open flt-m "$ext4/a.img" >/dev/null
	echo 3 > /proc/sys/vm/drop_caches
	t0=$(date +%s%N); "$FLC" move flt-m "$xfs/mv.img"; rc=$?; t1=$(date +%s%N)
	diag "round $round: move 512 MiB: $(((t1 - t0) / 1000000)) ms (exit $rc)"
	ok $rc "move round $round"
	is "$(sha256sum < /dev/mapper/flt-m | cut -c1-16)" "$(sha256sum < "$ext4/a.img" | cut -c1-16)" "same data"
	"$FLC" close flt-m
	rm -f "$xfs/mv.img"; sync
done
done_testing
