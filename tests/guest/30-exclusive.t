#!/bin/bash
# DESCRIPTION: two devices never write one file behind each other's back.
# A read-write table over any range of a file (by inode, whatever the
# path) that another device maps is refused, and so is a read-only one
# over a read-write one, with the other device named in the kernel log;
# disjoint ranges, read-only pairs, a reload of the same device and
# `shared` on both are allowed.  A backing block device is claimed:
# holder links and dmsetup deps show it, a mounted one is refused.  The
# INFO status reports the device and inode of the file the kernel opened.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blockdev, dmesg,
#   /dev/vdb as xfs (flt_scratch_fs: mkfs.xfs) and then raw, unmounted, as
#   a backing block device.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
img=$xfs/x.img
truncate -s 32M "$img"		# 65536 sectors
ln "$img" "$xfs/hardlink.img"

# busy NAME [--readonly] TABLE-ARGS WANT-LOG DESCRIPTION: the table is
# refused with EBUSY's message, the log names the holder, nothing is left.
n=0
busy() {
	local name=$1; shift
	local ro=
	[ "$1" = --readonly ] && { ro=--readonly; shift; }
	local args=$1 want=$2 desc=$3 out rc log
	n=$((n + 1))
	flt_kmsg_mark "busy$n"
	# shellcheck disable=SC2086
	out=$(dmsetup create $ro "$name" --table "$args" 2>&1)
	rc=$?
	log=$(flt_kmsg_since "busy$n")
	if [ $rc -ne 0 ] && grep -qF -- "$want" <<<"$log" &&
	   ! dmsetup info "$name" >/dev/null 2>&1; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "dmsetup exit $rc: $out" "kernel log:" "$log"
		dmsetup remove "$name" >/dev/null 2>&1
	fi
}

flt_create flt-a --table "0 32768 fileloop $img 0"
busy flt-b "0 32768 fileloop $img 0" \
	"$img: sectors 0-32767 already mapped read-write by flt-a" \
	"second read-write mapping of the same range refused, holder named"
busy flt-b "0 32768 fileloop $img 0" \
	"fileloop: Backing file range is mapped read-write by another device" \
	"ti->error says what to do"
busy flt-b "0 2048 fileloop $xfs/hardlink.img 32000" \
	"already mapped read-write by flt-a" \
	"an overlapping range through a hard link is refused"
busy flt-b --readonly "0 2048 fileloop $img 0" \
	"already mapped read-write by flt-a" \
	"a read-only mapping over a read-write one is refused"
busy flt-b "0 32768 fileloop $img 0 1 shared" \
	"already mapped read-write by flt-a" \
	"shared on one side only is refused"
flt_create flt-b --table "0 32768 fileloop $img 32768"
ok $? "a disjoint range of the same file is allowed"
dmsetup remove flt-b

# A reload of the same device, on the same range and more, is not a
# second user.
dmsetup reload flt-a --table "0 65536 fileloop $img 0" &&
	dmsetup resume flt-a
ok $? "reload of the holder itself over the same file is allowed"
is "$(blockdev --getsz /dev/mapper/flt-a)" 65536 "the reload took effect"
# Two segments of one device on the same file: one device, allowed.
dmsetup reload flt-a <<EOF && dmsetup resume flt-a
0 32768 fileloop $img 0
32768 32768 fileloop $img 0
EOF
ok $? "one device may map a file twice (its own business)"
dmsetup remove flt-a
flt_create flt-b --table "0 32768 fileloop $img 0"
ok $? "the range is free again once the holder is removed"
dmsetup remove flt-b

# Read-only pairs, and read-write over read-only.
flt_create --readonly flt-r1 --table "0 32768 fileloop $img 0"
flt_create --readonly flt-r2 --table "0 32768 fileloop $img 0"
ok $? "two read-only mappings of one range are allowed"
busy flt-w "0 32768 fileloop $img 0" \
	"already mapped read-only by flt-r" \
	"a read-write mapping over a read-only one is refused"
busy flt-w "0 32768 fileloop $img 0" \
	"fileloop: Backing file range is mapped read-only by another device" \
	"and ti->error says so"
dmsetup remove flt-r1
dmsetup remove flt-r2

# shared on both: allowed, shown in the table.
flt_create flt-s1 --table "0 32768 fileloop $img 0 1 shared"
flt_create flt-s2 --table "0 32768 fileloop $img 0 1 shared"
ok $? "shared on both sides is allowed"
is "$(flt_table flt-s2)" "fileloop $img 0 1 shared" "TABLE status keeps shared"
dmsetup remove flt-s1
dmsetup remove flt-s2

# The INFO status names the file the kernel opened.
flt_create flt-id --table "0 32768 fileloop $img 0"
st=$(stat -c '%Hd:%Ld %i' "$img")
is "$(flt_info flt-id file_dev) $(flt_info flt-id file_ino)" "$st" "INFO status names the file's device and inode"
is "$(dmsetup status flt-id | wc -w)" "$((3 + $(echo $FLT_INFO_FIELDS | wc -w)))" \
	"INFO status has the fields kernel/dm-fileloop.h lists, no more"
dmsetup remove flt-id

# A block device: claimed, visible, exclusive of a mount.
umount "$xfs"
bdev=/dev/vdb
bdevno=$(stat -c '%t:%T' $bdev)
bdevno=$((16#${bdevno%:*})):$((16#${bdevno#*:}))
flt_create flt-bd --table "0 32768 fileloop $bdev 0"
kname=$(dmsetup info -c --noheadings -o blkdevname flt-bd)
ok "$([ -e "/sys/block/vdb/holders/$kname" ]; echo $?)" "the disk lists the device among its holders"
is "$(dmsetup deps -o devno flt-bd | sed 's/.*(\(.*\)).*/\1/; s/, /:/')" "$bdevno" \
	"dmsetup deps shows the disk"
mkdir -p "$FLT_DIR/m"
run_fails "the claimed disk cannot be mounted" mount $bdev "$FLT_DIR/m"
busy flt-bd2 "0 32768 fileloop $bdev 0" "already mapped read-write by flt-bd" \
	"a second read-write mapping of the disk is refused"
dmsetup remove flt-bd
ok "$([ ! -e "/sys/block/vdb/holders/$kname" ]; echo $?)" "the holder link goes with the device"
mount $bdev "$FLT_DIR/m"
busy flt-bd "0 32768 fileloop $bdev 0" "cannot claim block device" \
	"a mounted disk is refused"
umount "$FLT_DIR/m"

ok "$(flt_no_devices; echo $?)" "no device left at the end"
done_testing
