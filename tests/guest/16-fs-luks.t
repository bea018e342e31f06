#!/bin/bash
# DESCRIPTION: real filesystems live on fileloop: ext4 and xfs are made on
# a mapping, filled with files, unmounted and checked clean by fsck, and
# their content is intact after a remap; stock cryptsetup formats and opens
# LUKS2 on a mapping with a filesystem on top, across close and reopen; a
# block device works as the backing "file".
# REQUIRES: the test VM, the dm-fileloop target, dm-crypt, cryptsetup
#   (LUKS2), dmsetup, mkfs.ext4, fsck.ext4, mkfs.xfs, xfs_repair, fstrim,
#   /dev/vda as ext4, /dev/vdb as xfs (flt_scratch_fs) and then raw,
#   unmounted, as a backing block device.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
mnt=$FLT_DIR/mnt
mkdir -p "$mnt"

# fill DIR: a tree of random files; prints nothing, fails if a write does.
fill() {
	local i
	mkdir -p "$1/d1/d2" || return 1
	for i in $(seq 1 40); do
		head -c $((i * 37 * 1024)) /dev/urandom > "$1/d$((i % 3)).f$i" 2>/dev/null ||
		head -c $((i * 37 * 1024)) /dev/urandom > "$1/d1/d2/f$i" || return 1
	done
}
# tree_sum DIR: one checksum over names and contents of every file.
tree_sum() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1); }

# Each filesystem on a file on the same kind of filesystem: the upper one
# writes back inside its journal transactions, and the target must never
# start one of the lower journal under it.  (jbd2 BUGged on 6.1 when
# writes were tried inline; 20-ctl-basic hit it, this loop did not in one
# run, so it is coverage, not a proven reproducer.)
for fs in ext4 xfs; do
	if [ $fs = ext4 ]; then img=$ext4/$fs.img; else img=$xfs/$fs.img; fi
	truncate -s 512M "$img"		# mkfs.xfs wants more than 300 MB
	flt_create flt-fs --table "0 1048576 fileloop $img 0"
	case $fs in
	ext4) mk="mkfs.ext4 -q -F"; ck="fsck.ext4 -f -n" ;;
	xfs)  mk="mkfs.xfs -q -f"; ck="xfs_repair -n" ;;
	esac
	run_ok "$fs: mkfs on the mapping" $mk /dev/mapper/flt-fs
	run_ok "$fs: mount" mount /dev/mapper/flt-fs "$mnt"
	# Everything below needs the mount: a fill of the bare directory
	# would pass for the wrong reason.
	mountpoint -q "$mnt" || { ok 1 "$fs: mounted, giving up on $fs"; dmsetup remove flt-fs; continue; }
	run_ok "$fs: fill with files" fill "$mnt"
	run_ok "$fs: a 32 MiB file" dd if=/dev/urandom of="$mnt/big" bs=1M count=32 status=none
	run_ok "$fs: rm half, sync, fstrim" bash -c "rm -f '$mnt'/d1.* && sync && fstrim '$mnt'"
	sum=$(tree_sum "$mnt")
	run_ok "$fs: unmount" umount "$mnt"
	run_ok "$fs: fsck finds the filesystem clean" $ck /dev/mapper/flt-fs
	run_ok "$fs: remove the mapping" dmsetup remove flt-fs
	flt_create flt-fs2 --table "0 1048576 fileloop $img 0 1 buffered_io"
	run_ok "$fs: mount again through a buffered mapping" mount /dev/mapper/flt-fs2 "$mnt"
	if mountpoint -q "$mnt"; then
		is "$(tree_sum "$mnt")" "$sum" "$fs: every file intact after the remap"
	else
		ok 1 "$fs: every file intact after the remap (not mounted)"
	fi
	umount "$mnt"
	dmsetup remove flt-fs2
	rm -f "$img"
done

# Stock cryptsetup on a fileloop mapping.  A fast PBKDF: TCG is slow.
img=$xfs/luks.img
truncate -s 64M "$img"
flt_create flt-lf --table "0 131072 fileloop $img 0"
pass=$FLT_DIR/pass
printf 'correct horse battery staple' > "$pass"
run_ok "cryptsetup luksFormat --type luks2 on the mapping" \
	cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--key-file "$pass" /dev/mapper/flt-lf
run_ok "cryptsetup open" cryptsetup open --key-file "$pass" /dev/mapper/flt-lf flt-crypt
run_ok "mkfs.ext4 on the LUKS device" mkfs.ext4 -q /dev/mapper/flt-crypt
run_ok "mount it" mount /dev/mapper/flt-crypt "$mnt"
# One line of text: a piece of it is a grep -F pattern for the image.
head -c 6M /dev/urandom | base64 -w 0 > "$FLT_DIR/secret"
ok "$(mountpoint -q "$mnt" && cp "$FLT_DIR/secret" "$mnt/secret"; echo $?)" "copy a file into the encrypted filesystem"
umount "$mnt"
run_ok "cryptsetup close" cryptsetup close flt-crypt
run_ok "remove the mapping" dmsetup remove flt-lf
ok "$(grep -qa 'crypto_LUKS\|LUKS' <(head -c 4096 "$img"); echo $?)" "image starts with a LUKS header"
ok "$(grep -qF "$(head -c 64 "$FLT_DIR/secret")" "$FLT_DIR/secret" &&
      ! grep -qaF "$(head -c 64 "$FLT_DIR/secret")" "$img"; echo $?)" \
	"plaintext is not in the image"
is "$(cryptsetup luksDump "$img" | sed -n 's/^Version:[[:space:]]*//p')" 2 "cryptsetup sees LUKS2 in the file"
flt_create flt-lf --table "0 131072 fileloop $img 0"
run_ok "reopen LUKS on a new mapping" cryptsetup open --key-file "$pass" /dev/mapper/flt-lf flt-crypt
mount /dev/mapper/flt-crypt "$mnt"
is "$(sha256sum < "$mnt/secret" | cut -d' ' -f1)" "$(sha256sum < "$FLT_DIR/secret" | cut -d' ' -f1)" \
	"file in the encrypted filesystem intact after reopen"
umount "$mnt"
cryptsetup close flt-crypt
dmsetup remove flt-lf

# A block device as the backing store: the second scratch disk, raw.
umount "$xfs"
bdev=/dev/vdb
head -c 16M /dev/urandom > "$FLT_DIR/raw"
dd if="$FLT_DIR/raw" of=$bdev bs=1M seek=1 oflag=direct conv=notrunc status=none
flt_create flt-bd --table "0 32768 fileloop $bdev 2048"
is "$(flt_sha /dev/mapper/flt-bd 0 16777216)" "$(sha256sum < "$FLT_DIR/raw" | cut -d' ' -f1)" \
	"block device backing: the device shows the disk at the offset"
is "$(flt_info flt-bd io_mode)" direct "block device backing uses direct I/O"
dd if=/dev/urandom of=/dev/mapper/flt-bd bs=64k count=16 seek=3 oflag=direct conv=notrunc status=none
is "$(flt_sha $bdev $((1048576 + 3 * 65536)) 1048576)" "$(flt_sha /dev/mapper/flt-bd $((3 * 65536)) 1048576)" \
	"block device backing: writes land on the disk at the offset"
dmsetup remove flt-bd
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
