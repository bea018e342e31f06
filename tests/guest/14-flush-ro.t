#!/bin/bash
# DESCRIPTION: the device advertises a write-back cache with FUA; fsync on
# the device reaches the target as a flush and an O_DSYNC direct write as
# FUA (counted in STATUS); a read-only table reads the file and refuses
# every write.
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
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
