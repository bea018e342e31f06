#!/bin/bash
# DESCRIPTION: what the file does not give back is not made up: a read
# past the end of a truncated file returns zeroes, in both modes, but a
# read the page cache cuts short with an I/O error fails instead of
# returning zeroes; a writeback error that the fsync at suspend reports
# fails the next flush instead of being lost.
# REQUIRES: the test VM, the dm-fileloop target, dm-linear, dm-error,
#   dmsetup, /dev/vdb as xfs (flt_scratch_fs: mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
zero_sha=$(head -c 129024 /dev/zero | sha256sum | cut -d' ' -f1)

# Truncated under the table: the file ends 2 KiB into the 128 KiB read.
for mode in direct_io buffered_io; do
	t=$xfs/trunc-$mode.img
	flt_file "$t" 16M
	flt_create flt-t --table "0 32768 fileloop $t 0 1 $mode"
	run_ok "$mode: truncate the file to 8 MiB + 2 KiB" truncate -s 8390656 "$t"
	dd if=/dev/mapper/flt-t of="$FLT_DIR/past" bs=128k count=1 \
		skip=8M iflag=direct,skip_bytes status=none
	ok $? "$mode: a read across the new end of file succeeds"
	is "$(flt_sha "$FLT_DIR/past" 0 2048)" "$(flt_sha "$t" 8388608 2048)" \
		"$mode: the bytes before the end are the file's"
	is "$(flt_sha "$FLT_DIR/past" 2048 129024)" "$zero_sha" \
		"$mode: what lies past the end reads as zeroes"
	is "$(flt_info flt-t errors)" 0 "$mode: no error counted"
	run_ok "$mode: remove" dmsetup remove flt-t
done

# The layers for the error cases: a fileloop device over a file (base), a
# dm device over it whose middle can be turned into an error target
# (flt-e), and the device under test, buffered, backed by flt-e itself.
base=$xfs/base.img
flt_file "$base" 16M
flt_create flt-base --table "0 32768 fileloop $base 0"
linear_table="0 32768 linear /dev/mapper/flt-base 0"
hole_table="0 2048 linear /dev/mapper/flt-base 0
2048 8 error
2056 30712 linear /dev/mapper/flt-base 2056"

# A buffered read of 128 KiB whose first 8 KiB are in the page cache and
# whose next page cannot be read: the page cache returns 8 KiB, and the
# rest must not come back as zeroes.
flt_create flt-e <<<"$hole_table"
flt_create flt-b --table "0 32768 fileloop /dev/mapper/flt-e 0 1 buffered_io"
dd if=/dev/mapper/flt-e of=/dev/null bs=4k count=2 skip=254 status=none
ok $? "the 8 KiB before the bad sector are readable (and now cached)"
out=$(dd if=/dev/mapper/flt-b of=/dev/null bs=128k count=1 skip=1040384 \
	iflag=direct,skip_bytes 2>&1)
rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a read that the page cache cut short at a bad sector fails"
[ $rc -ne 0 ] || diag "dd succeeded: $out"
ok "$([ "$(flt_info flt-b errors)" -ge 1 ]; echo $?)" "and is counted in errors"
run_ok "remove the buffered device" dmsetup remove flt-b
run_ok "remove the device with the bad sector" dmsetup remove flt-e

# Write-back fails while the device is suspended: the fsync at suspend
# reports the error, and a flush after the resume must report it again.
# The disk fails first and the write comes after, into the page cache,
# acknowledged all the same: whenever it is written back it fails.  (The
# other order raced the write-back: the debug kernel wrote the pages out
# before the disk failed, so nothing was lost to report.)
flt_create flt-e --table "$linear_table"
flt_create flt-b --table "0 32768 fileloop /dev/mapper/flt-e 0 1 buffered_io"
run_ok "the backing device turns into an error target" \
	sh -c "dmsetup load flt-e --table '0 32768 error' && dmsetup suspend --noflush flt-e && dmsetup resume flt-e"
dd if=/dev/urandom of=/dev/mapper/flt-b bs=64k count=1 seek=16 \
	oflag=direct status=none
ok $? "a write into the page cache of the failed backing device is acknowledged"
run_ok "suspend the buffered device (its fsync fails)" dmsetup suspend flt-b
run_ok "resume it" dmsetup resume flt-b
run_ok "the backing device is readable and writable again" \
	sh -c "dmsetup load flt-e --table '$linear_table' && dmsetup suspend flt-e && dmsetup resume flt-e"
out=$(sync /dev/mapper/flt-b 2>&1)
rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "the next flush fails: the write was lost"
[ $rc -ne 0 ] || diag "fsync on the device succeeded"
sync /dev/mapper/flt-b
ok $? "the flush after that succeeds"
run_ok "remove the buffered device" dmsetup remove flt-b
run_ok "remove the backing device" dmsetup remove flt-e
run_ok "remove the base device" dmsetup remove flt-base
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
