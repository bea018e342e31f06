#!/bin/bash
# DESCRIPTION: fileloopctl resize under mounted filesystems: a plain and a
# LUKS2 image with ext4 grow live (file, table reload, crypt_resize with the
# key loaded from a key file when the volume key is in the keyring, then
# resize2fs with --fs), with data checked by sha256 before, during (a
# writer running through the resize) and after, and again after close and
# reopen; without --fs the tool says how to grow the filesystem; xfs grows
# with xfs_growfs; resize without --size picks up a file grown by hand;
# a device mapped with --sizelimit (a partition of a disk image) is never
# resized over the rest of the file.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), dm-crypt, cryptsetup and libcryptsetup, dmsetup, blockdev,
#   resize2fs, e2fsck, xfs_growfs, mkfs.ext4, mkfs.xfs, /dev/vda as ext4,
#   /dev/vdb as xfs (flt_scratch_fs); with FLT_UDEV=1 also systemd-udevd
#   and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
mnt=$FLT_DIR/mnt
mkdir -p "$mnt"
fs_blocks() { df -B1 --output=size "$1" | tail -1 | tr -d ' '; }

# --- plain ext4, mounted: hint, then resize2fs by hand ---------------------------
flc_exit 0 "create plain ext4 64M, mounted" "$FLC" create flt-rs "$ext4/rs.img" --size 64M \
	--mkfs ext4 --mount "$mnt"
flc_rand "$mnt/data" 20M
want=$(sha "$mnt/data")
before=$(fs_blocks "$mnt")
flc_exit 0 "resize --size 128M (no --fs)" "$FLC" resize flt-rs --size 128M
flc_says "resize2fs /dev/mapper/flt-rs" "the tool says how to grow the filesystem"
is "$(blockdev --getsize64 /dev/mapper/flt-rs)" $((128 << 20)) "device is 128 MiB, still mounted"
is "$(fs_blocks "$mnt")" "$before" "filesystem not grown without --fs"
resize2fs /dev/mapper/flt-rs >/dev/null 2>&1
ok "$([ "$(fs_blocks "$mnt")" -gt $((before * 3 / 2)) ]; echo $?)" "resize2fs by hand grows it"
is "$(sha "$mnt/data")" "$want" "data intact"

# --- and with --fs, while a writer runs ---------------------------------------------
flc_rand "$FLT_DIR/src" 24M
(for i in 1 2 3 4 5 6; do cp "$FLT_DIR/src" "$mnt/w$i"; sync; done) & writer=$!
flc_exit 0 "resize --size 256M --fs during writes" "$FLC" resize flt-rs --size 256M --fs
wait "$writer"
ok $? "the writer finished without error"
ok "$([ "$(fs_blocks "$mnt")" -gt $((200 << 20)) ]; echo $?)" "ext4 grew online to ~256 MiB"
src=$(sha "$FLT_DIR/src")
bad=0
for i in 1 2 3 4 5 6; do [ "$(sha "$mnt/w$i")" = "$src" ] || bad=1; done
ok "$bad" "every file written during the resize is intact"
is "$(sha "$mnt/data")" "$want" "old data intact"
is "$(flt_info flt-rs errors)" 0 "no I/O errors"
flc_exit 0 "close" "$FLC" close flt-rs
flc_nothing_left "after plain resize"
e2fsck -fn "$ext4/rs.img" >/dev/null 2>&1
ok $? "e2fsck finds the grown filesystem clean"
"$FLC" open flt-rs "$ext4/rs.img" --mount "$mnt"
is "$(sha "$mnt/data"):$(sha "$mnt/w6")" "$want:$src" "data intact after reopen"
"$FLC" close flt-rs

# --- resize without --size: the file was grown by hand ---------------------------------
"$FLC" open flt-rs "$ext4/rs.img" >/dev/null
truncate -s 300M "$ext4/rs.img"
flc_exit 0 "resize without --size picks up the file size" "$FLC" resize flt-rs
is "$(blockdev --getsize64 /dev/mapper/flt-rs)" $((300 << 20)) "device follows the file"
"$FLC" close flt-rs

# --- --sizelimit: a partition of a disk image never grows over the next one -----------
flt_file "$ext4/disk.img" 48M
next=$(flt_sha "$ext4/disk.img" $((33 << 20)) $((15 << 20)))
flc_exit 0 "open p1 at 1M with --sizelimit 32M" "$FLC" open flt-p1 "$ext4/disk.img" -o 1M --sizelimit 32M
is "$(cat /run/fileloop/flt-p1)" "sizelimit=$((32 << 20))" "the record holds the limit"
truncate -s 64M "$ext4/disk.img"
flc_exit 1 "resize of a device mapped with --sizelimit is refused" "$FLC" resize flt-p1
flc_says "close it and open it again with a new --sizelimit" "the message says what to do"
flc_exit 1 "resize --size too" "$FLC" resize flt-p1 --size 80M
is "$(blockdev --getsize64 /dev/mapper/flt-p1):$(stat -c %s "$ext4/disk.img")" \
	"$((32 << 20)):$((64 << 20))" "device and file unchanged"
dd if=/dev/zero of=/dev/mapper/flt-p1 bs=1M oflag=direct status=none
is "$(flt_sha "$ext4/disk.img" $((33 << 20)) $((15 << 20)))" "$next" \
	"filling p1 leaves the next partition untouched"
flc_exit 0 "close" "$FLC" close flt-p1
ok "$([ ! -e /run/fileloop/flt-p1 ]; echo $?)" "close removed the record"
"$FLC" open flt-p1 "$ext4/disk.img" -o 1M >/dev/null
truncate -s 80M "$ext4/disk.img"
flc_exit 0 "opened again without --sizelimit, it resizes" "$FLC" resize flt-p1
is "$(blockdev --getsize64 /dev/mapper/flt-p1)" $((79 << 20)) "up to the file's end"
"$FLC" close flt-p1
flc_exit 0 "create --sizelimit --mkfs --mount" "$FLC" create flt-cs "$ext4/cs.img" --size 64M \
	--sizelimit 32M --mkfs ext4 --mount "$mnt"
is "$(sort /run/fileloop/flt-cs | tr '\n' ' ')" "mount=$mnt sizelimit=$((32 << 20)) " \
	"the record holds the mount and the limit"
flc_exit 1 "its resize is refused" "$FLC" resize flt-cs --size 128M
flc_exit 0 "close unmounts it" "$FLC" close flt-cs
ok "$(! mountpoint -q "$mnt"; echo $?)" "unmounted"
flc_exit 4 "a create with --sizelimit that fails after mapping" "$FLC" create flt-cs "$ext4/cs2.img" \
	--size 64M --sizelimit 32M --mkfs nosuchfs
ok "$([ ! -e /run/fileloop/flt-cs ] && [ ! -e "$ext4/cs2.img" ]; echo $?)" "leaves no record and no file"
flc_nothing_left "after --sizelimit"

# --- LUKS2 + ext4, mounted, key file -------------------------------------------------------
"$FLC" keygen "$ext4/k"
flc_exit 0 "create --luks ext4 64M, mounted" "$FLC" create flt-lr "$ext4/lr.img" --size 64M \
	--luks "${FLC_KDF[@]}" --key-file "$ext4/k" --mkfs ext4 --mount "$mnt"
flc_rand "$mnt/data" 16M
want=$(sha "$mnt/data")
key_loc=$(cryptsetup status flt-lr | awk -F': *' '/key location/ { print $2 }')
diag "volume key location: ${key_loc:-dm table}"
old=$(blockdev --getsize64 /dev/mapper/flt-lr)
flc_exit 0 "resize --size 160M --fs --key-file" "$FLC" resize flt-lr --size 160M --fs --key-file "$ext4/k"
is "$(blockdev --getsize64 /dev/mapper/flt-lr-file)" $((160 << 20)) "file layer is 160 MiB"
is "$(blockdev --getsize64 /dev/mapper/flt-lr)" $((old + (96 << 20))) "LUKS layer grew by the same 96 MiB"
is "$(cryptsetup status flt-lr | awk '$1 == "size:" { print $2 }')" $(((old + (96 << 20)) / 512)) \
	"cryptsetup status agrees"
ok "$([ "$(fs_blocks "$mnt")" -gt $((120 << 20)) ]; echo $?)" "ext4 inside LUKS grew online"
is "$(sha "$mnt/data")" "$want" "data intact"
if [ "$key_loc" = keyring ]; then
	flc_exit 1 "resize of a keyring-keyed LUKS device needs the key" \
		"$FLC" resize flt-lr --size 192M --key-file - </dev/null
	flc_says "empty" "no key, clear message"
	is "$(stat -c %s "$ext4/lr.img")" $((160 << 20)) "file not grown without the key"
	flc_exit 5 "a wrong key is refused" "$FLC" resize flt-lr --size 192M --key-file - <<<"wrong"
	is "$(stat -c %s "$ext4/lr.img"):$(blockdev --getsize64 /dev/mapper/flt-lr-file)" \
		"$((160 << 20)):$((160 << 20))" "refused resize put the file and table back"
else
	ok 0 "# SKIP volume key not in the keyring"
fi
flc_exit 0 "close" "$FLC" close flt-lr
flc_nothing_left "after LUKS resize"
flc_exit 0 "reopen with the key file and mount" "$FLC" open flt-lr "$ext4/lr.img" \
	--key-file "$ext4/k" --mount "$mnt"
is "$(sha "$mnt/data")" "$want" "data intact after reopen"
ok "$([ "$(fs_blocks "$mnt")" -gt $((120 << 20)) ]; echo $?)" "the grown size persisted"
"$FLC" close flt-lr

# --- xfs: --fs runs xfs_growfs on the mount point --------------------------------------------
flc_exit 0 "create xfs 320M, mounted" "$FLC" create flt-xr "$xfs/xr.img" --size 320M \
	--mkfs xfs --mount "$mnt"
flc_rand "$mnt/data" 8M
want=$(sha "$mnt/data")
before=$(fs_blocks "$mnt")
flc_exit 0 "resize --size 512M --fs" "$FLC" resize flt-xr --size 512M --fs
ok "$([ "$(fs_blocks "$mnt")" -gt $((before + (150 << 20))) ]; echo $?)" "xfs grew online"
is "$(sha "$mnt/data")" "$want" "data intact"
"$FLC" close flt-xr

flc_nothing_left "end of suite"
done_testing
