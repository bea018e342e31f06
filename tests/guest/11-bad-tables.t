#!/bin/bash
# DESCRIPTION: every malformed or impossible table is refused, the kernel
# log names the problem (ti->error), and no device is left behind.
# REQUIRES: the test VM, the dm-fileloop target, dm-linear, dmsetup, dmesg
#   and /dev/kmsg, mkfs.ext4, tmpfs on /dev/shm, bind mounts; no scratch
#   disk.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

img=$FLT_DIR/a.img
truncate -s 16M "$img"		# 32768 sectors
mkdir -p "$FLT_DIR/dir" "$FLT_DIR/ro"
mount --bind "$FLT_DIR/dir" "$FLT_DIR/ro"
mount -o remount,ro,bind "$FLT_DIR/ro"
truncate -s 1M "$FLT_DIR/dir/locked.img"

# refused [--readonly] LENGTH "ARGS" "EXPECTED MESSAGE"
n=0
refused() {
	local ro=
	[ "$1" = --readonly ] && { ro=--readonly; shift; }
	local len=$1 args=$2 want=$3 out log
	n=$((n + 1))
	flt_kmsg_mark "bad$n"
	# shellcheck disable=SC2086
	out=$(dmsetup create $ro flt-bad --table "0 $len fileloop $args" 2>&1)
	local rc=$?
	log=$(flt_kmsg_since "bad$n")
	if [ $rc -ne 0 ] && grep -qF "fileloop: $want" <<<"$log" &&
	   flt_no_devices; then
		ok 0 "refused: '$args' -> $want"
	else
		ok 1 "refused: '$args' -> $want"
		diag "dmsetup exit $rc: $out" "kernel log:" "$log" "devices: $(dmsetup ls)"
		dmsetup remove flt-bad >/dev/null 2>&1
	fi
}

refused 2048 "" "Invalid argument count"
refused 2048 "$img" "Invalid argument count"
refused 2048 "relative.img 0" "Backing file path must be absolute"
refused 2048 "./a.img 0" "Backing file path must be absolute"
refused 2048 "$FLT_DIR/missing.img 0" "Backing file does not exist"
refused 2048 "$img abc" "Invalid offset"
refused 2048 "$img -8" "Invalid offset"
refused 2048 "$img 1x" "Invalid offset"
refused 2048 "$img 0x10" "Invalid offset"
refused 2048 "$img 18446744073709551616" "Invalid offset"
refused 2048 "$img 18446744073709551615" "Offset plus length overflows a file position"
refused 2048 "$img 36028797018963968" "Offset plus length overflows a file position"
refused 65536 "$img 0" "Backing file is smaller than offset plus length"
refused 2048 "$img 32768" "Backing file is smaller than offset plus length"
refused 2048 "$img 31744" "Backing file is smaller than offset plus length"
refused --readonly 2048 "$FLT_DIR/dir 0" "Backing file must be a regular file or a block device"
refused 2048 "$FLT_DIR/dir 0" "Backing file must be a regular file or a block device"
refused 2048 "/dev/null 0" "Backing file must be a regular file or a block device"
# A FIFO opened read-only waits for a writer: the table load hung
# (found by 32-table-fuzz.t).  Refused at once, read-only or not.
mkfifo "$FLT_DIR/fifo"
for ro in --readonly ""; do
	flt_kmsg_mark "fifo$ro"
	# shellcheck disable=SC2086
	timeout 30 dmsetup create $ro flt-bad --table "0 2048 fileloop $FLT_DIR/fifo 0" >/dev/null 2>&1
	rc=$?
	ok "$([ $rc -ne 0 ] && [ $rc -ne 124 ] &&
	      flt_kmsg_since "fifo$ro" | grep -q 'fileloop: Backing file must be a regular file or a block device';
	      echo $?)" "a FIFO is refused at once${ro:+ (read-only)} (dmsetup exit $rc)"
	dmsetup remove flt-bad >/dev/null 2>&1
done
refused 2048 "$img/x.img 0" "A component of the backing file path is not a directory"
refused 2048 "$FLT_DIR/a\\000.img 0" "Backing file path contains an escaped NUL"
refused 2048 "$FLT_DIR/ro/locked.img 0" "Cannot open backing file for writing"
refused 2048 "$img 0 1" "Feature count does not match"
refused 2048 "$img 0 3 direct_io no_discard" "Feature count does not match"
refused 2048 "$img 0 6 a b c d e f" "Invalid number of feature arguments"
refused 2048 "$img 0 5 a b c d e" "Unrecognised feature"
refused 2048 "$img 0 4294967297 direct_io" "Invalid number of feature arguments"
refused 2048 "$img 0 one direct_io" "Invalid number of feature arguments"
refused 2048 "$img 0 1 bogus" "Unrecognised feature"
refused 2048 "$img 0 1 discard" "Unrecognised feature"
refused 2048 "$img 0 2 direct_io buffered_io" "Give at most one of direct_io and buffered_io"
refused 2048 "$img 0 2 buffered_io buffered_io" "Give at most one of direct_io and buffered_io"
refused 2048 "$img 0 2 no_discard no_discard" "Duplicate feature no_discard"
refused 2048 "$img 0 2 shared SHARED" "Duplicate feature shared"
refused 2048 "$img 0 1 block_size" "Invalid block_size"
refused 2048 "$img 0 2 block_size 1000" "Invalid block_size"
refused 2048 "$img 0 2 block_size 256" "Invalid block_size"
refused 2048 "$img 0 2 block_size 8192" "Invalid block_size"
refused 2048 "$img 0 2 block_size 4294967808" "Invalid block_size"
refused 2048 "$img 0 2 block_size -512" "Invalid block_size"
refused 2048 "$img 0 4 block_size 512 block_size 512" "Duplicate feature block_size"
refused 2048 "$img 1 2 block_size 4096" "Offset is not a multiple of the block size"
refused 2047 "$img 0 2 block_size 1024" "Target length is not a multiple of the block size"

# The detailed message names the file and both sizes.
flt_kmsg_mark small
dmsetup create flt-bad --table "0 65536 fileloop $img 0" >/dev/null 2>&1
like=$(flt_kmsg_since small | grep -c "fileloop: $img: file is 16777216 bytes, table needs 33554432")
is "$like" 1 "size error names the file and both sizes"

# A read-only table on the read-only file is fine: the refusal above was
# about writing, and says so.
run_ok "the same file loads read-only" \
	dmsetup create --readonly flt-ro --table "0 2048 fileloop $FLT_DIR/ro/locked.img 0"
dmsetup remove flt-ro

# direct_io on a file that cannot do O_DIRECT (tmpfs, where the kernel has
# no O_DIRECT for it) is refused; where tmpfs can, the mode is direct.
tmp=$(mktemp -d /dev/shm/flt.XXXXXX)
truncate -s 1M "$tmp/t.img"
if dd if=/dev/zero of="$tmp/t.img" bs=4k count=1 oflag=direct conv=notrunc status=none 2>/dev/null; then
	dmsetup create flt-dio --table "0 2048 fileloop $tmp/t.img 0 1 direct_io" >/dev/null 2>&1
	is "$(flt_info flt-dio io_mode)" direct "tmpfs with O_DIRECT: direct_io accepted, mode direct"
	dmsetup remove flt-dio
else
	refused 2048 "$tmp/t.img 0 1 direct_io" "direct_io: backing file cannot do direct I/O"
fi
rm -rf "$tmp"

# A backing file inside a filesystem on the very device being reloaded
# would deadlock on its first write: refused.
truncate -s 64M "$FLT_DIR/outer.img"
flt_create flt-self --table "0 131072 fileloop $FLT_DIR/outer.img 0"
mkfs.ext4 -q /dev/mapper/flt-self
mkdir -p "$FLT_DIR/self"
mount /dev/mapper/flt-self "$FLT_DIR/self"
truncate -s 1M "$FLT_DIR/self/inner.img"
flt_kmsg_mark self
dmsetup reload flt-self --table "0 2048 fileloop $FLT_DIR/self/inner.img 0" >/dev/null 2>&1
rc=$?
ok "$([ $rc -ne 0 ] && flt_kmsg_since self | grep -q 'fileloop: Backing file lives on the device being built'; echo $?)" \
	"backing file on the device itself is refused"
is "$(dmsetup table flt-self | cut -d' ' -f4)" "$FLT_DIR/outer.img" "live table untouched by the refused reload"
umount "$FLT_DIR/self"

# The same with a device stacked in between (a linear mapping here, as
# dm-crypt would be): the filesystem is on the holder of the device.
flt_create flt-hold --table "0 131072 linear /dev/mapper/flt-self 0"
mkfs.ext4 -q /dev/mapper/flt-hold
mount /dev/mapper/flt-hold "$FLT_DIR/self"
truncate -s 1M "$FLT_DIR/self/inner.img"
flt_kmsg_mark stacked
dmsetup reload flt-self --table "0 2048 fileloop $FLT_DIR/self/inner.img 0" >/dev/null 2>&1
rc=$?
ok "$([ $rc -ne 0 ] && flt_kmsg_since stacked | grep -q 'fileloop: Backing file lives on the device being built'; echo $?)" \
	"backing file on a device stacked on the device itself is refused"
umount "$FLT_DIR/self"
dmsetup remove flt-hold
dmsetup remove flt-self
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
