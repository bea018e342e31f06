#!/bin/bash
# DESCRIPTION: the device advertises a write-back cache with FUA; fsync on
# the device reaches the target as a flush and an O_DSYNC direct write as
# FUA (counted in STATUS); a read-only table reads the file and refuses
# every write.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blockdev,
#   blkdiscard, mksquashfs (squashfs-tools), squashfs in the kernel,
#   /dev/vdb as xfs (flt_scratch_fs: mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }

for feat in direct_io buffered_io; do
	img=$xfs/f.img
	flt_file "$img" 16M
	flt_create flt-f --table "0 32768 fileloop $img 0 1 $feat"
	is "$(flt_queue flt-f write_cache)" "write back" "$feat: write-back cache advertised"
	is "$(flt_queue flt-f fua)" 1 "$feat: FUA advertised"

	f0=$(flt_info flt-f flushes)
	dd if=/dev/urandom of=/dev/mapper/flt-f bs=4k count=16 conv=fsync,notrunc status=none
	f1=$(flt_info flt-f flushes)
	ok "$([ "$f1" -gt "$f0" ]; echo $?)" "$feat: fsync of the device is a flush ($f0 -> $f1)"

	u0=$(flt_info flt-f fua)
	head -c 4096 /dev/urandom > "$FLT_DIR/fua"
	dd if="$FLT_DIR/fua" of=/dev/mapper/flt-f bs=4k count=1 oflag=direct,dsync conv=notrunc status=none
	u1=$(flt_info flt-f fua)
	ok "$([ "$u1" -gt "$u0" ]; echo $?)" "$feat: O_DIRECT|O_DSYNC write arrives as FUA ($u0 -> $u1)"
	# Against the bytes written: file and device would agree without it.
	is "$(flt_sha "$img" 0 4096)" "$(sha256sum < "$FLT_DIR/fua" | cut -d' ' -f1)" "$feat: the FUA write is in the file"
	is "$(flt_info flt-f errors)" 0 "$feat: no errors"
	dmsetup remove flt-f
done

# Read-only table.
img=$xfs/ro.img
flt_file "$img" 16M
sha=$(flt_sha "$img" 0 16777216)
flt_create --readonly flt-ro --table "0 32768 fileloop $img 0"
is "$(blockdev --getro /dev/mapper/flt-ro)" 1 "read-only table gives a read-only device"
is "$(flt_sha /dev/mapper/flt-ro 0 16777216)" "$sha" "read-only device reads the file"
run_fails "a write to the read-only device fails" \
	dd if=/dev/zero of=/dev/mapper/flt-ro bs=4k count=1 oflag=direct conv=notrunc
run_fails "discard on the read-only device fails" blkdiscard /dev/mapper/flt-ro
is "$(flt_sha "$img" 0 16777216)" "$sha" "file unchanged"
is "$(flt_info flt-ro writes)" 0 "no write reached the target"
dmsetup remove flt-ro
# An image inside a read-only filesystem whose files have no ->fsync
# (squashfs, as on live media), mapped read-only: a flush has nothing to
# write and succeeds.  The squashfs image is itself mapped by fileloop.
mkdir -p "$FLT_DIR/sq"
flt_file "$FLT_DIR/sq/inner.img" 8M
inner_sha=$(flt_sha "$FLT_DIR/sq/inner.img" 0 8388608)
mksquashfs "$FLT_DIR/sq" "$xfs/media.sqfs" -quiet -noappend -no-progress >/dev/null
truncate -s %4096 "$xfs/media.sqfs"
flt_create --readonly flt-media --table "0 $(flt_sectors "$xfs/media.sqfs") fileloop $xfs/media.sqfs 0"
mkdir -p "$FLT_DIR/media"
run_ok "mount the squashfs image" mount -t squashfs -o ro /dev/mapper/flt-media "$FLT_DIR/media"
flt_create --readonly flt-live --table "0 16384 fileloop $FLT_DIR/media/inner.img 0"
is "$(flt_sha /dev/mapper/flt-live 0 8388608)" "$inner_sha" "the image inside squashfs reads back"
f0=$(flt_info flt-live flushes)
run_ok "fsync of the read-only device over squashfs succeeds" sync /dev/mapper/flt-live
ok "$([ "$(flt_info flt-live flushes)" -gt "$f0" ]; echo $?)" "the flush reached the target"
is "$(flt_info flt-live errors)" 0 "no error counted"
dmsetup remove flt-live
umount "$FLT_DIR/media"
dmsetup remove flt-media
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
