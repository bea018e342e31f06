#!/bin/bash
# DESCRIPTION: mount -t fileloop, as mount -o loop is for loop: mount(8)
# runs fileloopctl as mount.fileloop, which opens the image (LUKS with a
# key file), mounts the filesystem with its options and records
# helper=fileloop, so that a plain umount runs umount.fileloop and closes
# the device; the same from an fstab line; a plain image, read-only; a bad
# option, a wrong key and a missing key fail with nothing left mapped.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), util-linux mount(8) and umount(8) with libmount's helpers and
#   /run/mount/utab, writable /sbin and /etc/fstab, findmnt, blockdev,
#   dm-crypt and libcryptsetup, dmsetup, mkfs.ext4, /dev/vda as ext4
#   (flt_scratch_fs); with FLT_UDEV=1 also systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4
mnt=$FLT_DIR/m
mkdir -p "$mnt"

# The helpers where mount(8) looks for them: /sbin (the guest's root is a
# throwaway overlay).  Put back as they were at the end.
helpers_made=
for h in mount.fileloop umount.fileloop; do
	if [ ! -e "/sbin/$h" ]; then
		ln -s "$FLC" "/sbin/$h" && helpers_made="$helpers_made /sbin/$h"
	fi
done
fstab_saved=$FLT_DIR/fstab.saved
cp /etc/fstab "$fstab_saved" 2>/dev/null || : > "$fstab_saved"
mount_cleanup() {
	cp "$fstab_saved" /etc/fstab
	# shellcheck disable=SC2086
	[ -z "$helpers_made" ] || rm -f $helpers_made
}
trap 'mount_cleanup; flc_cleanup; flc_stop_udev' EXIT
ok "$([ -x /sbin/mount.fileloop ] && [ -x /sbin/umount.fileloop ]; echo $?)" \
	"mount.fileloop and umount.fileloop in /sbin"

"$FLC" keygen "$d/key" >/dev/null
"$FLC" create flt-mv "$d/vault.img" --size 48M --luks "${FLC_KDF[@]}" \
	--key-file "$d/key" --mkfs ext4 >/dev/null
"$FLC" close flt-mv
flt_file "$FLT_DIR/data" 1M

# --- mount -t fileloop, umount -------------------------------------------------
run_ok "mount -t fileloop IMAGE DIR -o luks,keyfile=KEY,name=NAME,noatime" \
	mount -t fileloop "$d/vault.img" "$mnt" -o "luks,keyfile=$d/key,name=flt-mv,noatime"
is "$(findmnt -n -o SOURCE "$mnt")" /dev/mapper/flt-mv "the LUKS device is mounted there"
findmnt -n -o OPTIONS "$mnt" | grep -qw noatime
ok $? "the filesystem's option (noatime) reached the mount"
is "$(findmnt -n -o FSTYPE "$mnt")" ext4 "ext4, as made"
grep -q "helper=fileloop" /run/mount/utab
ok $? "libmount's utab records helper=fileloop"
cp "$FLT_DIR/data" "$mnt/data" && sync
run_ok "umount DIR" umount "$mnt"
ok "$(! mountpoint -q "$mnt"; echo $?)" "unmounted"
flc_nothing_left "umount closed the device (umount.fileloop)"

# --- from fstab ------------------------------------------------------------------
echo "$d/vault.img $mnt fileloop luks,keyfile=$d/key,name=flt-mv,noauto,nofail,x-systemd.device-timeout=5 0 0" >> /etc/fstab
run_ok "mount DIR, from an fstab line" mount "$mnt"
is "$(sha256sum < "$mnt/data")" "$(sha256sum < "$FLT_DIR/data")" "the file written before is there"
run_ok "umount DIR" umount "$mnt"
flc_nothing_left "fstab mount closed again"
cp "$fstab_saved" /etc/fstab

# --- a plain image, read-only, the name from the file ------------------------------
truncate -s 32M "$d/flt-plain.img"
mkfs.ext4 -q "$d/flt-plain.img"
run_ok "mount -t fileloop -o ro of a plain image" mount -t fileloop "$d/flt-plain.img" "$mnt" -o ro
is "$(findmnt -n -o SOURCE "$mnt")" /dev/mapper/flt-plain "named after the file (flt-plain)"
is "$(blockdev --getro /dev/mapper/flt-plain)" 1 "the mapping is read-only"
findmnt -n -o OPTIONS "$mnt" | grep -qw ro
ok $? "and so is the mount"
run_ok "umount" umount "$mnt"
flc_nothing_left "read-only mount closed"

# --- what must fail, leaving nothing ----------------------------------------------
flc_exit 1 "an option without its value" /sbin/mount.fileloop "$d/vault.img" "$mnt" -o "luks,keyfile="
flc_says "option keyfile= needs a value" "message names the option"
head -c 512 /dev/urandom > "$d/badkey"
flc_exit 5 "a wrong key file" /sbin/mount.fileloop "$d/vault.img" "$mnt" -o "keyfile=$d/badkey,name=flt-mv"
flc_nothing_left "wrong key"
ok "$(! mountpoint -q "$mnt"; echo $?)" "nothing mounted after the wrong key"
flc_exit 4 "umount.fileloop of a directory with no fileloop mount" /sbin/umount.fileloop "$mnt"
flc_says "no fileloop device is mounted on" "message says so"
mount -t fileloop "$d/vault.img" "$mnt" -o "luks,name=flt-mv" </dev/null >"$FLT_DIR/out" 2>&1
ok "$([ $? -ne 0 ]; echo $?)" "LUKS with no key file and no terminal fails"
flc_nothing_left "no key"

flc_nothing_left "end of suite"
done_testing
