#!/bin/bash
# DESCRIPTION: reads and direct writes are started in batches with
# IOCB_NOWAIT, and what the backing filesystem refuses goes to the serial
# work without loss: a write to a frozen backing filesystem waits for the
# thaw and then lands; writes into holes (block allocation refuses NOWAIT)
# land; writes whose file times are due an update are refused, counted and
# land, and move the file's mtime; buffered reads of pages not yet cached
# are redone, of cached ones not; a device on a file on another fileloop
# device reads back what fio wrote; a read that ext4 makes wait for its
# extent tree, alone and stacked, completes.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, fio (libaio,
#   psync), fsfreeze, debugfs (e2fsprogs), mkfs.ext4,
#   /proc/sys/vm/drop_caches, /dev/vdb as xfs, /dev/vda as ext4
#   (flt_scratch_fs: mkfs.xfs, mkfs.ext4).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
pat=$FLT_DIR/pattern
head -c 1M /dev/urandom >"$pat"
pat_sha=$(sha256sum <"$pat" | cut -d' ' -f1)

# Frozen: the NOWAIT attempt cannot take the superblock's write protection,
# so the worker's blocking write waits for the thaw.
a=$xfs/a.img
flt_file "$a" 16M
flt_create flt-n --table "0 32768 fileloop $a 0"
run_ok "freeze the backing filesystem" fsfreeze -f "$xfs"
dd if="$pat" of=/dev/mapper/flt-n bs=64k seek=1M oflag=direct,seek_bytes \
	conv=notrunc status=none &
dd_pid=$!
sleep 2
ok "$(kill -0 $dd_pid 2>/dev/null; echo $?)" "direct write waits while the backing filesystem is frozen"
is "$(flt_info flt-n writes)" 0 "no write completed while frozen"
run_ok "thaw" fsfreeze -u "$xfs"
wait $dd_pid
ok $? "the write completes after the thaw"
is "$(flt_sha "$a" 1048576 1048576)" "$pat_sha" "the file holds the bytes written"
is "$(flt_info flt-n errors)" 0 "no I/O error counted"
ok "$([ "$(flt_info flt-n retries)" -ge 1 ]; echo $?)" "the refused write is counted in retries"
run_ok "remove" dmsetup remove flt-n

# Holes: xfs refuses NOWAIT writes that must allocate.
h=$xfs/hole.img
truncate -s 16M "$h"
flt_create flt-h --table "0 32768 fileloop $h 0"
for off in 0 4096 3145728 15728640; do
	dd if="$pat" of=/dev/mapper/flt-h bs=4k count=64 seek=$off \
		oflag=direct,seek_bytes conv=notrunc status=none
done
is "$(flt_sha "$h" 3145728 262144)" "$(flt_sha "$pat" 0 262144)" "write into a hole lands"
is "$(flt_sha /dev/mapper/flt-h 4096 262144)" "$(flt_sha "$pat" 0 262144)" \
	"overlapping writes into holes read back in order"
is "$(flt_sha "$h" 15728640 262144)" "$(flt_sha "$pat" 0 262144)" "write into the last hole lands"
is "$(flt_info flt-h errors)" 0 "no I/O error counted"
ok "$([ "$(flt_info flt-h retries)" -ge 1 ]; echo $?)" "writes that allocate are counted in retries"
run_ok "remove" dmsetup remove flt-h

# Many refused at once: at queue depth 32 into a sparse file, most writes
# are refused for the allocation and redone together by the device's one
# worker, in the order they came; fio verifies every block.
q=$xfs/qd.img
truncate -s 16M "$q"
flt_create flt-q --table "0 32768 fileloop $q 0"
flt_fio_verify /dev/mapper/flt-q 32 16M "$FLT_DIR/fio-q.out"
rc=$?
ok "$rc" "fio writes 16 MiB at queue depth 32 into holes and verifies it"
[ "$rc" -eq 0 ] || diag "$(cat "$FLT_DIR/fio-q.out")"
retries=$(flt_info flt-q retries)
ok "$([ "$retries" -ge 100 ]; echo $?)" "most of them were refused and redone ($retries)"
is "$(flt_info flt-q errors)" 0 "no I/O error counted"
run_ok "remove right after" dmsetup remove flt-q

# Times: xfs refuses a NOWAIT write whenever mtime and ctime are due an
# update, the first write of every clock tick.  The batch must not block
# to update them (see fileloop_batch_work): such a write is refused,
# counted, and written by the device's refused work, which moves the
# file's times as a write through loop does.
t=$xfs/times.img
flt_file "$t" 16M
# Out of the page cache: a NOWAIT direct write over cached pages is refused
# too, as they must be written back and dropped first.
sync "$t"
echo 1 >/proc/sys/vm/drop_caches
touch -d 2001-01-01 "$t"
flt_create flt-t --table "0 32768 fileloop $t 0"
dd if=/dev/zero of=/dev/mapper/flt-t bs=4k count=2000 oflag=direct \
	conv=notrunc status=none
ok $? "2000 direct 4k writes"
is "$(flt_info flt-t writes)" 2000 "2000 writes completed"
retries=$(flt_info flt-t retries)
# A batch that blocked to update the times itself (and could deadlock a
# stacked device) left 1 of 2000 to redo; without that, each tick's first.
ok "$([ "$retries" -ge 20 ]; echo $?)" "writes due a time update were refused and redone ($retries)"
ok "$([ "$(stat -c %Y "$t")" -gt "$(date -d 2001-02-01 +%s)" ]; echo $?)" \
	"the file's mtime moved"
run_ok "remove" dmsetup remove flt-t

# Buffered mode: reads are tried from the backing file's page cache with
# IOCB_NOWAIT.  A page not yet read in is refused (its read is started)
# and redone by the serial work; a cached one is read in the batch.
# dsha DEV OFFSET LENGTH: flt_sha with O_DIRECT on the device, so that every
# read reaches the target, not the device's own page cache.
dsha() {
	dd if="$1" bs=64k iflag=direct,skip_bytes,count_bytes skip="$2" \
		count="$3" status=none | sha256sum | cut -d' ' -f1
}
b=$xfs/buffered.img
flt_file "$b" 16M
want=$(flt_sha "$b" 0 1048576)
sync "$b"
echo 1 >/proc/sys/vm/drop_caches
flt_create flt-b --table "0 32768 fileloop $b 0 1 buffered_io"
is "$(dsha /dev/mapper/flt-b 0 1048576)" "$want" "buffered: cold reads return the file's bytes"
r1=$(flt_info flt-b retries)
ok "$([ "$r1" -ge 1 ]; echo $?)" "buffered: reads of pages not in the page cache are refused and redone ($r1)"
is "$(dsha /dev/mapper/flt-b 0 1048576)" "$want" "buffered: cached reads return the file's bytes"
is "$(flt_info flt-b retries)" "$r1" "buffered: reads of cached pages are not redone"
is "$(flt_info flt-b reads)" 32 "buffered: every read counted once (32 of 64 KiB)"
is "$(flt_info flt-b errors)" 0 "buffered: no I/O error counted"
run_ok "remove" dmsetup remove flt-b

# A cold extent tree: ext4 reads a block of a file's extent tree and waits
# for it even under IOCB_NOWAIT.  Started from .map, inside submit_bio,
# such a read waited for a bio that submit_bio holds back until .map
# returns: the reader hung for good (6.12, before the fix).  The file has
# a hole every other 4k, so its extents do not fit in the inode; after a
# remount neither the extent cache nor the tree's blocks are in memory.
# flt_fragment FILE SIZE: such a file.
flt_fragment() {
	truncate -s "$2" "$1" &&
	fio --name=frag --filename="$1" --size="$2" --rw=write:4k --bs=4k \
		--direct=1 --ioengine=psync --fallocate=none --output=/dev/null
}
# flt_extent_blocks DEV PATH: blocks of PATH's extent tree outside its inode.
flt_extent_blocks() {
	debugfs -R "stat $2" "$1" 2>/dev/null | grep -o 'ETB[0-9]*' | wc -l
}
# flt_read_within SECS DEV OFFSET: a direct 4k read that finishes in time.
flt_read_within() {
	local pid i
	dd if="$2" of=/dev/null bs=4k count=1 skip="$3" iflag=direct \
		status=none &
	pid=$!
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 $pid 2>/dev/null || { wait $pid; return; }
		sleep 0.1
	done
	diag "dd still runs after $1 s; its stack:" "$(cat /proc/$pid/stack)"
	return 124
}
# cold_read FSDEV MNT NAME SIZE BLOCK WHAT: make MNT/NAME fragmented, remount
# MNT from FSDEV so that nothing of it is cached, map it as flt-c and read
# its 4k block BLOCK directly: in time, and the file's bytes.
cold_read() {
	local dev=$1 mnt=$2 f=$2/$3 size=$4 blk=$5 what=$6 n rc
	run_ok "$what: a file with a hole every other 4k on ext4" \
		flt_fragment "$f" "$size"
	n=$(flt_extent_blocks "$dev" "/$3")
	ok "$([ "$n" -ge 1 ]; echo $?)" "$what: its extent tree has blocks outside the inode ($n)"
	run_ok "$what: remount, nothing of it cached" sh -c \
		"umount '$mnt' && mount '$dev' '$mnt' && echo 3 >/proc/sys/vm/drop_caches"
	flt_create flt-c --table "0 $(flt_sectors "$f") fileloop $f 0"
	flt_read_within 20 /dev/mapper/flt-c "$blk"
	rc=$?
	ok $rc "$what: a direct read that needs the extent tree read in completes"
	if [ $rc -eq 124 ]; then
		diag "the reader is stuck in the kernel; no further test can run"
		done_testing
		exit 1
	fi
	is "$(flt_sha /dev/mapper/flt-c $((blk * 4096)) 4096)" \
		"$(flt_sha "$f" $((blk * 4096)) 4096)" "$what: the device reads what the file holds"
	run_ok "$what: remove" dmsetup remove flt-c
}
ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
cold_read /dev/vda "$ext4" cold.img 16M 3001 "ext4"

# Stacked: a file on a filesystem on another fileloop device.  The upper
# device's NOWAIT attempts run into the lower one's batches and workers.
lower=$xfs/lower.img
truncate -s 64M "$lower"
flt_create flt-lower --table "0 131072 fileloop $lower 0"
run_ok "mkfs.ext4 on the lower device" mkfs.ext4 -q -F /dev/mapper/flt-lower
mkdir -p "$FLT_DIR/lower"
run_ok "mount it" mount /dev/mapper/flt-lower "$FLT_DIR/lower"
upper=$FLT_DIR/lower/upper.img
flt_file "$upper" 8M
# Written back and allocated: ext4 takes NOWAIT overwrites of such a file
# instead of refusing them for the allocation.
sync "$upper"
flt_create flt-upper --table "0 16384 fileloop $upper 0"
flt_fio_verify /dev/mapper/flt-upper 16 8M "$FLT_DIR/fio.out"
rc=$?
ok "$rc" "fio writes and verifies 8 MiB through the stacked device"
[ "$rc" -eq 0 ] || diag "$(cat "$FLT_DIR/fio.out")"
dd if="$pat" of=/dev/mapper/flt-upper bs=64k oflag=direct conv=notrunc status=none
ok $? "direct write through the upper device"
is "$(flt_sha /dev/mapper/flt-upper 0 1048576)" "$pat_sha" "upper device reads back what was written"
sync
echo 3 >/proc/sys/vm/drop_caches
is "$(flt_sha "$upper" 0 1048576)" "$pat_sha" "the upper file holds it"
is "$(flt_info flt-upper errors)" 0 "no I/O error counted on the upper device"
is "$(flt_info flt-lower errors)" 0 "no I/O error counted on the lower device"
run_ok "remove the upper device" dmsetup remove flt-upper

# Stacked and cold: the upper device's batch waits in ext4 for a read of
# the lower device, whose bios must not queue behind that very batch (one
# batch list per CPU for all devices deadlocked here).
cold_read /dev/mapper/flt-lower "$FLT_DIR/lower" cold.img 16M 3001 "stacked"
run_ok "unmount" umount "$FLT_DIR/lower"
run_ok "remove the lower device" dmsetup remove flt-lower
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
