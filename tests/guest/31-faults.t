#!/bin/bash
# DESCRIPTION: what the backing filesystem's failures do to a device, in
# direct and buffered mode, each within a time bound and leaving nothing
# mapped: its disk failing (EIO, reads and writes fail, a write lost from
# the page cache fails the next flush, the filesystem on top sees it),
# the filesystem full (ENOSPC reaches the writer, and writes work again
# once space is freed, without a remap), frozen with I/O in flight and a
# reload during the freeze (the thaw finishes both), shut down (I/O
# fails, the device goes away), and the file unlinked, truncated or
# renamed under a live mapping (docs/dm-fileloop.rst, "The backing file
# under a live mapping").
# REQUIRES: the test VM, the dm-fileloop target, dm-linear, dm-error,
#   dmsetup, blockdev, dmesg, fio (libaio), xfs_io (-x shutdown), fsfreeze,
#   mkfs.xfs, mkfs.ext4, /proc/sys/vm/drop_caches, raw /dev/vdb of at least
#   512 MiB (not through flt_scratch_fs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

disk=/dev/vdb
disk_sectors=$(blockdev --getsz $disk)
# Fault layer: a dm device over the disk whose table we swap; the backing
# filesystem lives on it.
under_table="0 1048576 linear $disk 0"
mnt=$FLT_DIR/under
mkdir -p "$mnt"

# fresh_under FSTYPE [SECTORS]: a new filesystem on a fresh fault layer.
fresh_under() {
	local sectors=${2:-1048576}
	umount "$mnt" 2>/dev/null
	dmsetup remove flt-under 2>/dev/null
	under_table="0 $sectors linear $disk 0"
	dmsetup create flt-under --table "$under_table" &&
	case $1 in
	xfs) mkfs.xfs -q -f /dev/mapper/flt-under ;;
	ext4) mkfs.ext4 -q -F /dev/mapper/flt-under ;;
	esac >/dev/null && mount /dev/mapper/flt-under "$mnt"
}

# swap_under TABLE: replace the fault layer's table under I/O.
swap_under() {
	dmsetup load flt-under --table "$1" &&
		dmsetup suspend --noflush flt-under &&
		dmsetup resume flt-under
}

# bounded SECONDS DESC CMD...: CMD finishes (either way) within SECONDS;
# its exit status is left in $rc and its output in $out.
bounded() {
	local secs=$1 desc=$2 t0; shift 2
	t0=$(date +%s)
	out=$(timeout -k 5 "$secs" "$@" 2>&1)
	rc=$?
	ok "$([ $rc -ne 124 ] && [ $rc -ne 137 ]; echo $?)" "$desc: finished within ${secs}s ($(($(date +%s) - t0))s)"
}

[ "$disk_sectors" -ge 1048576 ] || { ok 1 "scratch disk $disk is at least 512 MiB"; done_testing; exit; }

for mode in direct_io buffered_io; do
	# --- EIO under the backing filesystem ----------------------------------
	fresh_under xfs || { ok 1 "$mode: backing xfs on the fault layer"; continue; }
	img=$mnt/eio.img
	flt_file "$img" 32M
	flt_create flt-top --table "0 65536 fileloop $img 0 1 $mode"
	dd if=/dev/urandom of=/dev/mapper/flt-top bs=64k count=16 oflag=direct status=none
	sync /dev/mapper/flt-top
	# Nothing cached from here on, so that reads must reach the disk.
	echo 3 > /proc/sys/vm/drop_caches
	swap_under "0 1048576 error"
	bounded 60 "$mode: read with the disk failing" \
		dd if=/dev/mapper/flt-top of=/dev/null bs=64k count=4 skip=100 iflag=direct
	ok "$([ $rc -ne 0 ]; echo $?)" "$mode: the read fails"
	bounded 60 "$mode: write and flush with the disk failing" \
		dd if=/dev/zero of=/dev/mapper/flt-top bs=64k count=4 seek=200 oflag=direct conv=fsync
	ok "$([ $rc -ne 0 ]; echo $?)" "$mode: the write or its flush fails"
	ok "$([ "$(flt_info flt-top errors)" -gt 0 ]; echo $?)" "$mode: errors counted ($(flt_info flt-top errors))"
	bounded 60 "$mode: remove the device over the failed disk" dmsetup remove flt-top
	ok $rc "$mode: the device goes away"
	umount "$mnt"
	swap_under "$under_table"

	# A filesystem on top sees the errors.
	fresh_under xfs
	img=$mnt/fs.img
	truncate -s 128M "$img"
	flt_create flt-top --table "0 262144 fileloop $img 0 1 $mode"
	mkfs.ext4 -q -F /dev/mapper/flt-top >/dev/null
	mkdir -p "$FLT_DIR/top"
	mount /dev/mapper/flt-top "$FLT_DIR/top"
	swap_under "0 1048576 error"
	bounded 60 "$mode: fsync in the filesystem on top, disk failing" \
		dd if=/dev/urandom of="$FLT_DIR/top/f" bs=1M count=4 conv=fsync
	ok "$([ $rc -ne 0 ]; echo $?)" "$mode: the filesystem on top reports the error"
	bounded 60 "$mode: unmount the filesystem on top" umount "$FLT_DIR/top"
	bounded 60 "$mode: remove the device" dmsetup remove flt-top
	ok $rc "$mode: the device goes away after the errors"
	umount "$mnt"
	swap_under "$under_table"

	# --- the backing filesystem full -----------------------------------------
	fresh_under ext4 131072 || { ok 1 "$mode: 64 MiB ext4"; continue; }
	head -c 32M /dev/zero > "$mnt/filler"
	img=$mnt/sparse.img
	truncate -s 128M "$img"
	flt_create flt-top --table "0 262144 fileloop $img 0 1 $mode"
	bounded 120 "$mode: write 96 MiB into a 64 MiB filesystem" \
		dd if=/dev/urandom of=/dev/mapper/flt-top bs=1M count=96 oflag=direct conv=fsync
	ok "$([ $rc -ne 0 ] && grep -q 'No space left on device' <<<"$out"; echo $?)" \
		"$mode: the writer sees ENOSPC, not a generic I/O error" || diag "$out"
	sync -f "$mnt"
	rm "$mnt/filler"
	sync -f "$mnt"
	head -c 8M /dev/urandom > "$FLT_DIR/after"
	# 8 MiB where nothing was written yet, so it needs 8 MiB of the 32
	# freed.  In buffered mode the first flush may report page-cache data
	# that the full filesystem dropped at writeback: that flush fails once,
	# and the write is redone.
	bounded 60 "$mode: write 8 MiB once space is freed" \
		dd if="$FLT_DIR/after" of=/dev/mapper/flt-top bs=1M seek=100 oflag=direct conv=fsync,notrunc
	if [ $rc != 0 ] && [ $mode = buffered_io ]; then
		diag "first flush after ENOSPC: $(tail -n 3 <<<"$out" | head -n 1)" \
			"$(dmesg | grep -m 2 'Delayed block allocation failed')"
		bounded 60 "$mode: write the 8 MiB again" \
			dd if="$FLT_DIR/after" of=/dev/mapper/flt-top bs=1M seek=100 oflag=direct conv=fsync,notrunc
	fi
	ok $rc "$mode: writes work again without a remap" || diag "$out" "$(df "$mnt")" "$(dmesg | tail -n 5)"
	echo 3 > /proc/sys/vm/drop_caches
	is "$(flt_sha "$img" $((100 << 20)) $((8 << 20)))" "$(flt_sha "$FLT_DIR/after" 0 $((8 << 20)))" \
		"$mode: and land in the file"
	dmsetup remove flt-top

	# --- frozen, with I/O in flight and a reload during the freeze --------------
	fresh_under xfs
	img=$mnt/frozen.img
	flt_file "$img" 32M
	flt_create flt-top --table "0 65536 fileloop $img 0 1 $mode"
	head -c 16M /dev/urandom > "$FLT_DIR/frozen"
	fsfreeze -f "$mnt"
	dd if="$FLT_DIR/frozen" of=/dev/mapper/flt-top bs=64k oflag=direct conv=fsync,notrunc status=none &
	writer=$!
	sleep 2
	ok "$(kill -0 $writer 2>/dev/null; echo $?)" "$mode: a write to a frozen filesystem waits"
	( dmsetup reload flt-top --table "0 65536 fileloop $img 0 1 $mode" &&
	  dmsetup resume flt-top ) &
	reloader=$!
	sleep 2
	fsfreeze -u "$mnt"
	t0=$(date +%s)
	timeout 60 sh -c "while kill -0 $writer $reloader 2>/dev/null; do sleep 0.2; done"
	ok $? "$mode: the thaw lets the write and the reload finish ($(($(date +%s) - t0))s)"
	wait $writer
	ok $? "$mode: the write succeeded"
	wait $reloader
	ok $? "$mode: the reload succeeded"
	is "$(flt_sha "$img" 0 $((16 << 20)))" "$(flt_sha "$FLT_DIR/frozen" 0 $((16 << 20)))" \
		"$mode: the data is in the file"
	dmsetup remove flt-top

	# --- shut down with I/O in flight -------------------------------------------
	img=$mnt/shut.img
	flt_file "$img" 32M
	flt_create flt-top --table "0 65536 fileloop $img 0 1 $mode"
	fio --name=shut --filename=/dev/mapper/flt-top --direct=1 --ioengine=libaio \
		--iodepth=16 --rw=randrw --bs=4k --time_based --runtime=30 \
		--output="$FLT_DIR/fio-shut" >/dev/null 2>&1 &
	fiopid=$!
	sleep 3
	xfs_io -x -c shutdown "$mnt"
	t0=$(date +%s)
	timeout 60 sh -c "while kill -0 $fiopid 2>/dev/null; do sleep 0.2; done"
	ok $? "$mode: I/O stops within 60s of the shutdown ($(($(date +%s) - t0))s)"
	wait $fiopid
	ok "$([ $? -ne 0 ]; echo $?)" "$mode: fio saw the errors"
	bounded 60 "$mode: read after the shutdown" \
		dd if=/dev/mapper/flt-top of=/dev/null bs=4k count=1 skip=777 iflag=direct
	ok "$([ $rc -ne 0 ]; echo $?)" "$mode: a read after the shutdown fails"
	bounded 60 "$mode: remove the device on a shut-down filesystem" dmsetup remove flt-top
	ok $rc "$mode: the device goes away"
	umount "$mnt"
done

# --- the backing file under a live mapping -------------------------------------
fresh_under xfs
img=$mnt/live.img
flt_file "$img" 16M
sha=$(flt_sha "$img" 0 $((16 << 20)))
flt_create flt-top --table "0 32768 fileloop $img 0"
mv "$img" "$mnt/renamed.img"
is "$(flt_sha /dev/mapper/flt-top 0 $((16 << 20)))" "$sha" "renamed: the device still reads the same inode"
is "$(flt_table flt-top | cut -d' ' -f2)" "$img" "renamed: the table still says the path it was given"
printf 'after-rename' | dd of=/dev/mapper/flt-top bs=512 conv=sync oflag=direct status=none
is "$(head -c 12 "$mnt/renamed.img")" "after-rename" "renamed: writes go to the renamed file"
free_before=$(stat -f -c %f "$mnt")
rm "$mnt/renamed.img"
printf 'after-unlink' | dd of=/dev/mapper/flt-top bs=512 conv=sync oflag=direct status=none
echo 3 > /proc/sys/vm/drop_caches
is "$(dd if=/dev/mapper/flt-top bs=512 count=1 iflag=direct status=none | head -c 12)" "after-unlink" \
	"unlinked: the open file keeps taking writes and reads them back"
# 16 MiB are 4096 blocks of 4 KiB.
free_mapped=$(stat -f -c %f "$mnt")
ok "$([ $((free_mapped - free_before)) -lt 1024 ]; echo $?)" \
	"unlinked: its blocks stay in use while mapped ($free_before -> $free_mapped free)"
dmsetup remove flt-top
free_after=$(stat -f -c %f "$mnt")
ok "$([ $((free_after - free_mapped)) -ge 3500 ]; echo $?)" \
	"unlinked: the blocks are freed when the device goes ($free_mapped -> $free_after free)"

img=$mnt/trunc.img
flt_file "$img" 16M
flt_create flt-top --table "0 32768 fileloop $img 0"
truncate -s 8M "$img"
is "$(flt_sha /dev/mapper/flt-top $((8 << 20)) $((1 << 20)))" \
	"$(head -c 1M /dev/zero | sha256sum | cut -d' ' -f1)" "truncated: past the new end reads zeroes"
printf 'past-the-end' | dd of=/dev/mapper/flt-top bs=512 seek=20000 conv=sync oflag=direct status=none
ok $? "truncated: a write past the new end succeeds"
is "$(stat -c %s "$img")" $((20001 * 512)) "truncated: and extends the file again"
dmsetup remove flt-top
umount "$mnt"
dmsetup remove flt-under

ok "$(flt_no_devices; echo $?)" "no device left at the end"
done_testing
