#!/bin/bash
# DESCRIPTION: fileloopctl open --partscan, as kpartx: each partition of
# the image (read by libblkid) becomes NAMEpN, dm-linear over NAME, with
# the UUID partN-<NAME's UUID>; tested on a GPT image, an MBR with an
# extended partition and logical ones, an ISO hybrid image (xorriso) and
# a partitioned LUKS image; the partitions hold the file's bytes; list
# shows them; close refuses while one is mounted and removes them all
# after; an image without a table maps no partition.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), sfdisk, xorriso, jq, dm-linear, dm-crypt and libcryptsetup,
#   iso9660 in the kernel, dmsetup, blockdev, mkfs.ext4, /dev/vda as ext4
#   (flt_scratch_fs); with FLT_UDEV=1 also systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require
for c in sfdisk xorriso jq; do
	command -v "$c" >/dev/null || { ok 1 "$c is installed (scripts/install-deps)"; done_testing; exit 1; }
done

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4
mnt=$FLT_DIR/m
mkdir -p "$mnt"

# part_is NAME N FILE: NAMEpN maps the bytes sfdisk puts partition N at,
# with partition N's size, as dm-linear over NAME with kpartx's UUID.
part_is() {
	local name=$1 n=$2 img=$3 start size type want
	read -r start size type < <(sfdisk -J "$img" | jq -r --arg node "$img$n" \
		'.partitiontable.partitions[] | select(.node == $node) | "\(.start) \(.size) \(.type)"')
	[ -b "/dev/mapper/${name}p$n" ] || { ok 1 "${name}p$n exists"; return; }
	want=$size
	# An extended partition shows 1 KiB, as the kernel shows it.
	[ "$type" = 5 ] && want=2
	is "$(blockdev --getsz "/dev/mapper/${name}p$n")" "$want" "${name}p$n: $want sectors"
	is "$(dmsetup table "${name}p$n")" \
		"0 $want linear $(dmsetup info -c --noheadings -o major,minor --separator : "$name") $start" \
		"${name}p$n: dm-linear over $name at sector $start"
	is "$(dmsetup info -c --noheadings -o uuid "${name}p$n")" \
		"part$n-$(dmsetup info -c --noheadings -o uuid "$name")" "${name}p$n: UUID part$n-<$name's UUID>"
	is "$(sha "/dev/mapper/${name}p$n")" \
		"$(dd if="$img" bs=512 skip="$start" count="$want" 2>/dev/null | sha)" \
		"${name}p$n: the image's bytes at sector $start"
}

# --- GPT ------------------------------------------------------------------------
flc_rand "$d/gpt.img" 64M
printf 'label: gpt\n,16M\n,16M\n,\n' | sfdisk -q "$d/gpt.img"
run_ok "open --partscan a GPT image" "$FLC" open flt-g "$d/gpt.img" --partscan
flc_only "the device and its three partitions" flt-g flt-gp1 flt-gp2 flt-gp3
for n in 1 2 3; do part_is flt-g $n "$d/gpt.img"; done
is "$("$FLC" list --raw -n -O NAME,PARTS)" "flt-g flt-gp1,flt-gp2,flt-gp3" "list shows the partitions"
is "$("$FLC" list -J -O PARTS | jq -r '.fileloop[0].parts' 2>/dev/null)" "flt-gp1,flt-gp2,flt-gp3" \
	"and so does its JSON"
mkfs.ext4 -q /dev/mapper/flt-gp2 && mount /dev/mapper/flt-gp2 "$mnt"
flt_file "$FLT_DIR/data" 1M
cp "$FLT_DIR/data" "$mnt/data"
flc_exit 3 "close while a partition is mounted" "$FLC" close flt-g
flc_says "flt-g is in use \(its partition flt-gp2 is open\); nothing was changed" "message names the partition"
flc_only "all still mapped" flt-g flt-gp1 flt-gp2 flt-gp3
umount "$mnt"
run_ok "close after unmounting" "$FLC" close flt-g
flc_nothing_left "close removed the partitions too"
run_ok "open --partscan again" "$FLC" open flt-g "$d/gpt.img" -P
mount /dev/mapper/flt-gp2 "$mnt"
is "$(sha "$mnt/data")" "$(sha "$FLT_DIR/data")" "what was written through flt-gp2 is in the image"
umount "$mnt"
"$FLC" close flt-g

# --- MBR with an extended partition ----------------------------------------------------
flc_rand "$d/mbr.img" 64M
printf 'label: dos\n,16M\n,,E\n,8M\n,8M\n' | sfdisk -q "$d/mbr.img"
run_ok "open --partscan -r an MBR image with logical partitions" "$FLC" open flt-m "$d/mbr.img" -P -r
flc_only "primary, extended and two logical partitions" flt-m flt-mp1 flt-mp2 flt-mp5 flt-mp6
for n in 1 2 5 6; do part_is flt-m $n "$d/mbr.img"; done
is "$(blockdev --getro /dev/mapper/flt-mp5)" 1 "a read-only device's partitions are read-only"
"$FLC" close flt-m
flc_nothing_left "MBR closed"

# --- an ISO hybrid image ------------------------------------------------------------------
mkdir -p "$FLT_DIR/iso"
echo "fileloop iso hybrid" >"$FLT_DIR/iso/hello.txt"
flc_rand "$FLT_DIR/efi.img" 1M
xorriso -as mkisofs -o "$d/hybrid.iso" -V FLT -partition_offset 16 \
	-append_partition 2 0xef "$FLT_DIR/efi.img" "$FLT_DIR/iso" >/dev/null 2>&1
ok $? "xorriso made an ISO hybrid image (MBR, an appended EFI partition)"
run_ok "open --partscan -r the ISO hybrid" "$FLC" open flt-iso "$d/hybrid.iso" -P -r
flc_only "the ISO and its two partitions" flt-iso flt-isop1 flt-isop2
for n in 1 2; do part_is flt-iso $n "$d/hybrid.iso"; done
mount -o ro /dev/mapper/flt-isop1 "$mnt" 2>/dev/null
is "$(cat "$mnt/hello.txt" 2>&1)" "fileloop iso hybrid" "partition 1 mounts as the ISO's filesystem"
umount "$mnt"
is "$(sha /dev/mapper/flt-isop2)" "$(sha "$FLT_DIR/efi.img")" "partition 2 is the appended EFI image"
"$FLC" close flt-iso
flc_nothing_left "ISO closed"

# --- partitions inside LUKS ---------------------------------------------------------------
"$FLC" keygen "$d/key" >/dev/null
"$FLC" create flt-l "$d/luks.img" --size 48M --luks "${FLC_KDF[@]}" --key-file "$d/key" >/dev/null
printf 'label: gpt\n,8M\n,\n' | sfdisk -q --no-tell-kernel /dev/mapper/flt-l
"$FLC" close flt-l
run_ok "open --partscan a LUKS image partitioned inside" "$FLC" open flt-l "$d/luks.img" -P -d "$d/key"
flc_only "LUKS stack and two partitions over the LUKS device" flt-l flt-l-file flt-lp1 flt-lp2
is "$(dmsetup info -c --noheadings -o uuid flt-lp1)" "part1-$(dmsetup info -c --noheadings -o uuid flt-l)" \
	"flt-lp1 is the LUKS device's child"
run_ok "close" "$FLC" close flt-l
flc_nothing_left "LUKS stack and partitions closed"

# --- no partition table ------------------------------------------------------------------
flc_rand "$d/none.img" 8M
run_ok "open --partscan an image without a table" "$FLC" open flt-n "$d/none.img" -P
flc_only "no partition mapped" flt-n
is "$("$FLC" list --raw -n -O NAME,PARTS)" "flt-n " "list shows none"
"$FLC" close flt-n
flc_exit 1 "--partscan with --mount" "$FLC" open flt-n "$d/none.img" -P -m "$mnt"
flc_says "mount one of them" "message says what to mount"
flc_nothing_left "end of suite"
done_testing
