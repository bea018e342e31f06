#!/bin/bash
# DESCRIPTION: a fileloop table loads, STATUS TABLE gives the line back
# exactly (features in canonical order, paths octal-escaped so that
# `dmsetup create --table "$(dmsetup table X)"` re-creates the device), and
# removal leaves no device behind.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blockdev,
#   /dev/vdb as xfs (flt_scratch_fs: mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

img=$FLT_DIR/a.img
truncate -s 16M "$img"

is "$(dmsetup targets | awk '$1 == "fileloop" { print $2 }')" "v$FLT_TARGET_VERSION" \
	"the loaded target's version is kernel/dm-fileloop.h's"

run_ok "create a 16 MiB mapping" \
	dmsetup create flt-t1 --table "0 32768 fileloop $img 0"
is "$(dmsetup table flt-t1)" "0 32768 fileloop $img 0" "dmsetup table shows the line"
ok "$([ -b /dev/mapper/flt-t1 ]; echo $?)" "/dev/mapper node exists"
is "$(blockdev --getsize64 /dev/mapper/flt-t1)" 16777216 "device size is the table length"
run_ok "remove it" dmsetup remove flt-t1
ok "$(flt_no_devices; echo $?)" "no device left after removal"
ok "$([ ! -e /dev/mapper/flt-t1 ]; echo $?)" "node gone after removal"

# Features come back in canonical order whatever order they were given in.
flt_create flt-t2 --table "0 2048 fileloop $img 2048 4 no_discard block_size 4096 buffered_io"
is "$(flt_table flt-t2)" "fileloop $img 2048 4 buffered_io block_size 4096 no_discard" \
	"features in canonical order"
is "$(blockdev --getss /dev/mapper/flt-t2)" 4096 "block_size sets the logical block size"
dmsetup remove flt-t2

# tmpfs has no O_DIRECT on 6.1: direct_io needs a real filesystem.
xfs=$(flt_scratch_fs xfs) && truncate -s 1M "$xfs/d.img"
flt_create flt-t3 --table "0 2048 fileloop $xfs/d.img 0 1 direct_io"
is "$(flt_table flt-t3)" "fileloop $xfs/d.img 0 1 direct_io" "direct_io comes back"
dmsetup remove flt-t3

# Paths with blanks and backslashes travel as octal escapes.
odd="$FLT_DIR/dir with space/tab	and\\back.img"
mkdir -p "$FLT_DIR/dir with space"
truncate -s 1M "$odd"
esc=$(printf '%s' "$odd" | sed 's/\\/\\134/g; s/ /\\040/g; s/\t/\\011/g')
run_ok "create on a path with space, tab and backslash" \
	dmsetup create flt-t4 --table "0 2048 fileloop $esc 0"
is "$(flt_table flt-t4)" "fileloop $esc 0" "TABLE status escapes the path"
# The copy replaces the original: two read-write mappings of one file
# are refused (30-exclusive.t).
table=$(dmsetup table flt-t4)
dmsetup remove flt-t4
run_ok "recreate from dmsetup table output" \
	dmsetup create flt-t5 --table "$table"
printf 'through-the-copy' | dd of=/dev/mapper/flt-t5 bs=512 conv=sync oflag=direct status=none
is "$(head -c 16 "$odd")" "through-the-copy" "the copy maps the same odd-named file"
dmsetup remove flt-t5

# Read-only tables.
run_ok "create read-only" dmsetup create --readonly flt-t6 --table "0 2048 fileloop $img 0"
is "$(blockdev --getro /dev/mapper/flt-t6)" 1 "device is read-only"
dmsetup remove flt-t6

# Several targets in one table, in one device.
printf '0 2048 fileloop %s 0\n2048 2048 fileloop %s 8192\n' "$img" "$img" |
	dmsetup create flt-t7 >/dev/null 2>&1
is "$(dmsetup table flt-t7 | wc -l)" 2 "multi-target table has two lines"
is "$(dmsetup table flt-t7 | sed -n 2p)" "2048 2048 fileloop $img 8192" "second line intact"
dmsetup remove flt-t7
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
