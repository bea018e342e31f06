#!/bin/bash
# DESCRIPTION: bytes written through /dev/mapper land in the backing file
# at the table's offset and come back intact, in both directions, for
# several sizes and both I/O modes; two mappings of one file at different
# offsets do not overlap; writes into a reflinked copy land in the copy
# only; a multi-target table puts each range in the right file at the
# right place.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blockdev, fio
#   (libaio), build/test-tools/dio-align (make test-tools), /dev/vdb as xfs
#   with reflink (cp --reflink=always), /dev/vda as ext4 (flt_scratch_fs:
#   mkfs.xfs, mkfs.ext4).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
off=8192		# sectors: 4 MiB into the file
len=32768		# sectors: 16 MiB
fsize=$((32 * 1048576))	# the file, with room after the mapping

# <filesystem dir>:<feature> -- tmpfs gets the default mode, whatever it is.
for setup in "$xfs:direct_io" "$xfs:buffered_io" "$ext4:direct_io" "$FLT_DIR:"; do
	dir=${setup%:*} feat=${setup##*:}
	fs=$(stat -f -c %T "$dir")
	mode="$fs ${feat:-default}"
	img=$dir/io.img
	flt_file "$img" 32M
	flt_create flt-io --table "0 $len fileloop $img $off${feat:+ 1 $feat}"
	if [ -n "$feat" ]; then
		is "$(flt_info flt-io io_mode)" "${feat%_io}" "$mode: STATUS says ${feat%_io}"
	fi

	# device -> file: what the file holds at the offset is what we read.
	is "$(flt_sha /dev/mapper/flt-io 0 $((len * 512)))" \
	   "$(flt_sha "$img" $((off * 512)) $((len * 512)))" \
	   "$mode: reading the whole device gives the file bytes at the offset"

	# file <- device: writes of several sizes at several places.
	for spec in 512:0 4096:4096 65536:1048576 1048576:3145728 4194304:11534336 512:16776704; do
		size=${spec%%:*} at=${spec#*:}
		src=$FLT_DIR/src
		head -c "$size" /dev/urandom > "$src"
		dd if="$src" of=/dev/mapper/flt-io bs=512 seek=$((at / 512)) \
			oflag=direct conv=notrunc status=none
		is "$(flt_sha "$img" $((off * 512 + at)) "$size")" "$(sha256sum < "$src" | cut -d' ' -f1)" \
			"$mode: $size bytes written at device byte $at are in the file at $((off * 512 + at))"
	done

	# Buffered writes through the page cache of the device, then fsync.
	head -c 3M /dev/urandom > "$FLT_DIR/src"
	dd if="$FLT_DIR/src" of=/dev/mapper/flt-io bs=1M seek=7 conv=fsync,notrunc status=none
	is "$(flt_sha "$img" $((off * 512 + 7 * 1048576)) $((3 * 1048576)))" \
	   "$(sha256sum < "$FLT_DIR/src" | cut -d' ' -f1)" "$mode: page-cache writes + fsync reach the file"

	# Many requests in flight: 4k random writes at queue depth 32, then
	# 1M sequential ones at 8, every block read back and checked by fio.
	flt_fio_verify /dev/mapper/flt-io 32 8M "$FLT_DIR/fio.out"
	ok $? "$mode: 4k random writes at queue depth 32 read back intact" ||
		diag "$(tail -n 20 "$FLT_DIR/fio.out")"
	flt_fio_verify /dev/mapper/flt-io 8 8M "$FLT_DIR/fio.out" 1M write
	ok $? "$mode: 1M writes at queue depth 8 read back intact" ||
		diag "$(tail -n 20 "$FLT_DIR/fio.out")"

	# The bytes just outside the mapping are untouched.
	before=$(flt_sha "$img" 0 $((off * 512)))
	after=$(flt_sha "$img" $(((off + len) * 512)) $((fsize - (off + len) * 512)))
	dd if=/dev/urandom of=/dev/mapper/flt-io bs=1M count=$((len / 2048)) oflag=direct status=none
	is "$(flt_sha "$img" 0 $((off * 512)))" "$before" "$mode: bytes before the offset untouched"
	is "$(flt_sha "$img" $(((off + len) * 512)) $((fsize - (off + len) * 512)))" "$after" \
		"$mode: bytes after the mapping untouched"

	# file -> device after the device wrote: both views agree.
	is "$(flt_sha /dev/mapper/flt-io 0 $((len * 512)))" \
	   "$(flt_sha "$img" $((off * 512)) $((len * 512)))" "$mode: device and file agree after writes"
	is "$(flt_info flt-io errors)" 0 "$mode: no I/O errors counted"
	dmsetup remove flt-io
	rm -f "$img"
done

img=$xfs/io.img
flt_file "$img" 16M

# Two mappings of one file at different ranges, written at the same time.
flt_create flt-a --table "0 16384 fileloop $img 0"
flt_create flt-b --table "0 16384 fileloop $img 16384"
head -c 8M /dev/urandom > "$FLT_DIR/a"
head -c 8M /dev/urandom > "$FLT_DIR/b"
dd if="$FLT_DIR/a" of=/dev/mapper/flt-a bs=64k oflag=direct status=none &
dd if="$FLT_DIR/b" of=/dev/mapper/flt-b bs=64k oflag=direct status=none &
wait
is "$(flt_sha "$img" 0 8388608)" "$(sha256sum < "$FLT_DIR/a" | cut -d' ' -f1)" "mapping A landed in the first 8 MiB"
is "$(flt_sha "$img" 8388608 8388608)" "$(sha256sum < "$FLT_DIR/b" | cut -d' ' -f1)" "mapping B landed in the next 8 MiB"
is "$(flt_sha /dev/mapper/flt-a 0 8388608)" "$(sha256sum < "$FLT_DIR/a" | cut -d' ' -f1)" "A reads back its own data"
is "$(flt_sha /dev/mapper/flt-b 0 8388608)" "$(sha256sum < "$FLT_DIR/b" | cut -d' ' -f1)" "B reads back its own data"
dmsetup remove flt-a
dmsetup remove flt-b

# A reflinked copy: every write copies on write (xfs allocates, then
# remaps at completion).  Whether direct I/O to it needs xfs's block (4096)
# or 512 bytes depends on the kernel (statx's dio_offset_align: 4096 on
# 6.18 and 7.3, 512 on 6.1 and 6.12): the default table must pick the
# mode the file's statx alignment allows, and work at 512 bytes in it;
# direct_io with block_size 4096 works on every kernel.  What the device
# writes must land in the copy and nowhere else: the original keeps its
# bytes.
flt_file "$xfs/orig.img" 16M
cp --reflink=always "$xfs/orig.img" "$xfs/clone.img"
ok $? "a reflinked copy of a 16 MiB file"
orig_sum=$(sha256sum < "$xfs/orig.img")
# shellcheck disable=SC2046  # two numbers, split on purpose
set -- $("$top/build/test-tools/dio-align" "$xfs/clone.img")
ok "$([ $# = 2 ]; echo $?)" "statx's DIO alignment of the copy: ${1:-?} ${2:-?} (build/test-tools/dio-align, make test-tools)"
if [ "${1:-0}" -ge 1 ] && [ "$1" -le 512 ] && [ "${2:-0}" -ge 1 ] && [ "$2" -le 512 ]; then
	want=direct
else
	want=buffered
fi
flt_create flt-cow --table "0 32768 fileloop $xfs/clone.img 0"
is "$(flt_info flt-cow io_mode)" $want \
	"reflinked copy, default table: $want (statx direct I/O alignment: memory ${1:-?}, offset ${2:-?})"
flt_fio_verify /dev/mapper/flt-cow 8 1M "$FLT_DIR/fio.out" 512
ok $? "reflinked copy, default table: 512-byte random writes read back intact" ||
	diag "$(tail -n 20 "$FLT_DIR/fio.out")"
dmsetup remove flt-cow
cp --reflink=always "$xfs/orig.img" "$xfs/clone.img"
for feat in "3 direct_io block_size 4096" "1 buffered_io"; do
	mode=${feat#* } mode=${mode%% *}
	flt_create flt-cow --table "0 32768 fileloop $xfs/clone.img 0 $feat" || continue
	is "$(flt_info flt-cow io_mode)" "${mode%_io}" "reflinked copy, $mode: STATUS says ${mode%_io}"
	flt_fio_verify /dev/mapper/flt-cow 32 4M "$FLT_DIR/fio.out"
	ok $? "reflinked copy, $mode: 4k random writes at queue depth 32 read back intact" ||
		diag "$(tail -n 20 "$FLT_DIR/fio.out")"
	head -c 1M /dev/urandom > "$FLT_DIR/src"
	dd if="$FLT_DIR/src" of=/dev/mapper/flt-cow bs=64k seek=80 oflag=direct conv=fsync status=none
	dmsetup remove flt-cow
	is "$(flt_sha "$xfs/clone.img" $((80 * 65536)) 1048576)" "$(sha256sum < "$FLT_DIR/src" | cut -d' ' -f1)" \
		"reflinked copy, $mode: the written bytes are in the copy"
	cp --reflink=always "$xfs/orig.img" "$xfs/clone.img"
done
is "$(sha256sum < "$xfs/orig.img")" "$orig_sum" "the original of the reflinked copies is untouched"
rm -f "$xfs/orig.img" "$xfs/clone.img"

# One device over two files and two ranges.
f1=$xfs/seg1.img f2=$ext4/seg2.img
truncate -s 8M "$f1"; truncate -s 8M "$f2"
run_ok "create a three-segment device over two files" dmsetup create flt-multi --table \
	"$(printf '0 4096 fileloop %s 2048\n4096 4096 fileloop %s 0\n8192 2048 fileloop %s 14336' "$f1" "$f2" "$f1")"
is "$(blockdev --getsz /dev/mapper/flt-multi)" 10240 "multi-segment device has the summed length"
head -c $((10240 * 512)) /dev/urandom > "$FLT_DIR/m"
dd if="$FLT_DIR/m" of=/dev/mapper/flt-multi bs=1M oflag=direct status=none
is "$(flt_sha "$f1" $((2048 * 512)) $((4096 * 512)))" "$(flt_sha "$FLT_DIR/m" 0 $((4096 * 512)))" \
	"segment 1: device sectors 0-4095 in file 1 at sector 2048"
is "$(flt_sha "$f2" 0 $((4096 * 512)))" "$(flt_sha "$FLT_DIR/m" $((4096 * 512)) $((4096 * 512)))" \
	"segment 2: device sectors 4096-8191 in file 2 at sector 0"
is "$(flt_sha "$f1" $((14336 * 512)) $((2048 * 512)))" "$(flt_sha "$FLT_DIR/m" $((8192 * 512)) $((2048 * 512)))" \
	"segment 3: device sectors 8192-10239 in file 1 at sector 14336"
is "$(flt_sha /dev/mapper/flt-multi 0 $((10240 * 512)))" "$(sha256sum < "$FLT_DIR/m" | cut -d' ' -f1)" \
	"a read across all segment boundaries returns the data"
dmsetup remove flt-multi
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
