#!/bin/bash
# DESCRIPTION: DISCARD punches holes in the backing file (it really gets
# sparser), WRITE_ZEROES zeroes with or without deallocation, a filesystem
# that cannot do an operation stops being asked, and no_discard turns both
# off.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blkdiscard,
#   fallocate, dmesg, /tmp on tmpfs (FLT_DIR), /dev/vdb as xfs
#   (flt_scratch_fs: mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
zero_sha=$(head -c 8M /dev/zero | sha256sum | cut -d' ' -f1)
# Blocks really allocated: after an fsync, so that the filesystem's
# delayed-allocation reservations are settled.  Right after a discard of a
# freshly written (still delalloc) file, xfs on 7.3 counted one 4 KiB
# block more than it kept (65536 -> 32772 KiB, 32768 once synced).
alloc_kib() { sync "$1" && du -k "$1" | cut -f1; }

img=$xfs/d.img
flt_file "$img" 64M
flt_create flt-d --table "0 131072 fileloop $img 0"
ok "$([ "$(flt_queue flt-d discard_max_bytes)" -gt 0 ]; echo $?)" "device advertises discard"
ok "$([ "$(flt_queue flt-d write_zeroes_max_bytes)" -gt 0 ]; echo $?)" "device advertises write zeroes"

before=$(alloc_kib "$img")
run_ok "blkdiscard 32 MiB" blkdiscard -o 8M -l 32M /dev/mapper/flt-d
after=$(alloc_kib "$img")
ok "$([ $((before - after)) -ge 32768 ]; echo $?)" "file allocation shrank by 32 MiB ($before KiB -> $after KiB)"
is "$(flt_sha "$img" 8388608 8388608)" "$zero_sha" "discarded range reads as zeroes in the file"
is "$(flt_sha /dev/mapper/flt-d 8388608 8388608)" "$zero_sha" "and through the device"
ok "$([ "$(flt_info flt-d discards)" -gt 0 ]; echo $?)" "discard counter counts ($(flt_info flt-d discards))"

# BLKZEROOUT asks for zeroes that stay allocated (REQ_NOUNMAP): ZERO_RANGE.
before=$(alloc_kib "$img")
run_ok "blkdiscard -z (write zeroes) 8 MiB" blkdiscard -z -o 48M -l 8M /dev/mapper/flt-d
is "$(flt_sha "$img" $((48 << 20)) 8388608)" "$zero_sha" "zeroed range is zero in the file"
after=$(alloc_kib "$img")
ok "$([ "$after" -ge "$before" ]; echo $?)" "zeroing without unmap keeps the blocks allocated ($before -> $after KiB)"
ok "$([ "$(flt_info flt-d write_zeroes)" -gt 0 ]; echo $?)" "write_zeroes counter counts"

# fallocate --punch-hole on the device: WRITE_ZEROES that may unmap.
before=$(alloc_kib "$img")
run_ok "fallocate --punch-hole on the device" fallocate -p -o 56M -l 4M /dev/mapper/flt-d
after=$(alloc_kib "$img")
ok "$([ $((before - after)) -ge 4096 ]; echo $?)" "punching through the device deallocates ($before -> $after KiB)"
is "$(flt_sha "$img" $((56 << 20)) 4194304)" "$(head -c 4M /dev/zero | sha256sum | cut -d' ' -f1)" "punched range is zero"
is "$(flt_info flt-d errors)" 0 "no errors on xfs"
dmsetup remove flt-d

# tmpfs cannot ZERO_RANGE: the first refusal is remembered, logged once, and
# BLKZEROOUT still ends up with zeroes (the block layer writes them).
img=$FLT_DIR/t.img
flt_file "$img" 16M
flt_create flt-t --table "0 32768 fileloop $img 0"
flt_kmsg_mark zr
run_ok "blkdiscard -z on tmpfs" blkdiscard -z -o 0 -l 8M /dev/mapper/flt-t
run_ok "again" blkdiscard -z -o 0 -l 8M /dev/mapper/flt-t
is "$(flt_sha "$img" 0 8388608)" "$zero_sha" "tmpfs range zeroed by the fallback"
is "$(flt_kmsg_since zr | grep -c 'filesystem cannot zero ranges')" 1 "refusal logged once"
is "$(flt_info flt-t errors)" 0 "a refused ZERO_RANGE is not counted as an I/O error"
before=$(alloc_kib "$img")
run_ok "tmpfs can punch: blkdiscard" blkdiscard -o 8M -l 8M /dev/mapper/flt-t
ok "$([ $((before - $(alloc_kib "$img"))) -ge 8192 ]; echo $?)" "tmpfs file got sparser"
dmsetup remove flt-t

# no_discard: neither discard nor write zeroes reach the file.
img=$xfs/n.img
flt_file "$img" 16M
sha=$(flt_sha "$img" 0 16777216)
flt_create flt-n --table "0 32768 fileloop $img 0 1 no_discard"
is "$(flt_queue flt-n discard_max_bytes)" 0 "no_discard: device advertises no discard"
is "$(flt_queue flt-n write_zeroes_max_bytes)" 0 "no_discard: nor write zeroes"
run_fails "no_discard: blkdiscard fails" blkdiscard -o 0 -l 1M /dev/mapper/flt-n
is "$(flt_sha "$img" 0 16777216)" "$sha" "no_discard: file data untouched"
is "$(flt_info flt-n discards)" 0 "no_discard: no discard reached the target"
dmsetup remove flt-n
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
