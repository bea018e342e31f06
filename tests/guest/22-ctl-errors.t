#!/bin/bash
# DESCRIPTION: fileloopctl on bad input and in the way of others: missing
# file, existing name, existing file, file too small, unaligned offset,
# bad sizes, not root, empty secret, missing mount point, missing mkfs
# program (fails after mapping: must unwind), a table the kernel refuses
# (direct I/O on ramfs), busy devices (held open, mounted by someone
# else, busy mount), non-fileloop devices and a kernel without the
# fileloop target.  Each
# gives its documented exit status and a clear message, and leaves no
# state: no new mapping (dmsetup ls), no half-made file, nothing changed.
# REQUIRES: the test VM, the dm-fileloop target as a module (rmmod
#   dm_fileloop, then insmod build/kmod/$(uname -r)/dm-fileloop.ko, or
#   modprobe of the installed one; /proc/sys/kernel/modprobe), the built fileloopctl ($FLC), dm-crypt and
#   libcryptsetup, dm-zero, dmsetup, blockdev, setpriv (user nobody, group
#   nogroup), ramfs, mkfs.ext4, /dev/vda as ext4 (flt_scratch_fs); with
#   FLT_UDEV=1 also systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4
flt_file "$d/small.img" 1M
flt_file "$d/img" 16M

# --- missing things -------------------------------------------------------------
flc_exit 4 "open a missing file" "$FLC" open flt-e "$d/nope.img"
flc_says "nope.img: No such file" "message names the file"
flc_nothing_left "missing file"
flc_exit 4 "create in a missing directory" "$FLC" create flt-e "$d/nodir/x.img" --size 1M
flc_nothing_left "missing directory"
flc_exit 4 "close an unknown name" "$FLC" close flt-nothing
flc_says "no device flt-nothing" "message says no such device"
flc_exit 4 "status of an unknown name" "$FLC" status flt-nothing
flc_exit 4 "table of a missing file" "$FLC" table "$d/nope.img"
flc_exit 1 "open a directory" "$FLC" open flt-e "$d"
flc_says "not a regular file or block device" "message says what is wrong"
flc_nothing_left "directory"

# --- device names ---------------------------------------------------------------
# Only what libdevmapper keeps as is, and short enough for FILELOOP-<map name>
# to fit a dm UUID (128): NAME up to 119, or 114 under LUKS (NAME-file).
long() { printf 'flt-%s' "$(head -c $(($1 - 4)) /dev/zero | tr '\0' n)"; }
n=$(long 114)
flc_exit 0 "create --luks with the longest name (114)" \
	"$FLC" create "$n" "$d/long.img" --size 32M --luks "${FLC_KDF[@]}" --key-file - <<<"pw"
ok "$([ -b "/dev/mapper/$n" ]; echo $?)" "/dev/mapper/NAME is there under its own name"
is "$(dmsetup info -c --noheadings -o uuid "$n-file")" "FILELOOP-$n-file" "file layer's dm UUID is whole"
flc_exit 0 "close it" "$FLC" close "$n"
flc_nothing_left "longest LUKS name"
flc_exit 1 "create --luks with a name one longer (115)" \
	"$FLC" create "$(long 115)" "$d/e.img" --size 32M --luks "${FLC_KDF[@]}" --key-file - <<<"pw"
flc_says "115 characters long; with LUKS at most 114" "message gives the length and the limit"
n=$(long 119)
flc_exit 0 "create with the longest plain name (119)" "$FLC" create "$n" "$d/long.img" --size 8M --force
is "$(dmsetup info -c --noheadings -o uuid "$n")" "FILELOOP-$n" "its dm UUID is whole"
flc_exit 0 "close it" "$FLC" close "$n"
flc_exit 1 "create with a plain name one longer (120)" "$FLC" create "$(long 120)" "$d/e.img" --size 8M
flc_says "at most 119" "message gives the limit"
flc_exit 1 "a name with a space" "$FLC" create "flt-a b" "$d/e.img" --size 8M
flc_says "'flt-a b' has a space: use only letters, digits and #\+-\.:=@_" "message says which characters"
flc_exit 1 "a name with a backslash" "$FLC" open 'flt-a\x20b' "$d/img"
flc_exit 1 "the name control" "$FLC" create control "$d/e.img" --size 8M
flc_says "device-mapper's own node" "message says why"
ok "$([ ! -e "$d/e.img" ]; echo $?)" "no file made for a refused name"
flc_nothing_left "refused names"

# --- existing name and file ---------------------------------------------------------
"$FLC" create flt-one "$d/one.img" --size 8M >/dev/null
flc_exit 3 "create with an existing name" "$FLC" create flt-one "$d/two.img" --size 8M
flc_says "flt-one already exists" "message names the device"
ok "$([ ! -e "$d/two.img" ]; echo $?)" "no file made for the refused create"
flc_exit 3 "open with an existing name" "$FLC" open flt-one "$d/img"
flc_only "existing name" flt-one
dmsetup rename flt-one flt-x-file 2>/dev/null
flc_exit 3 "create --luks when NAME-file is taken" \
	"$FLC" create flt-x "$d/x.img" --size 32M --luks "${FLC_KDF[@]}" --key-file - <<<"pw"
flc_says "flt-x-file already exists" "message names the file layer"
ok "$([ ! -e "$d/x.img" ]; echo $?)" "no file made"
dmsetup rename flt-x-file flt-one 2>/dev/null
want=$(sha "$d/img")
flc_exit 3 "create over an existing file" "$FLC" create flt-e "$d/img" --size 8M
flc_says "exists; use --force" "message says how to overwrite"
is "$(sha "$d/img")" "$want" "the existing file is untouched"
flc_exit 3 "--force over a file another mapping uses" "$FLC" create flt-e "$d/one.img" --size 8M --force
flc_says "in use by flt-one" "message names the user"
is "$(stat -c %s "$d/one.img")" $((8 << 20)) "the mapped file is untouched"
flc_only "refused --force" flt-one
ln "$d/one.img" "$d/hard.img"
flc_exit 3 "--force over a hard link of a mapped file" "$FLC" create flt-e "$d/hard.img" --size 4M --force
flc_says "in use by flt-one \(mapped as $d/one.img\)" "message names the user and its path"
mkdir -p "$FLT_DIR/bind"
mount --bind "$d" "$FLT_DIR/bind"
flc_exit 3 "--force over the mapped file seen through a bind mount" \
	"$FLC" create flt-e "$FLT_DIR/bind/one.img" --size 4M --force
umount "$FLT_DIR/bind"
is "$(stat -c %s "$d/one.img")" $((8 << 20)) "the mapped file is untouched"
flc_only "refused --force through aliases" flt-one
mkfifo "$d/fifo"
flc_exit 1 "--force over a FIFO (does not wait for a reader)" \
	timeout 20 "$FLC" create flt-e "$d/fifo" --size 8M --force
flc_says "not a regular file" "message says only files are overwritten"
ok "$([ -p "$d/fifo" ]; echo $?)" "the FIFO is left alone"
cp "$d/img" "$d/copy.img"
chmod 0644 "$d/copy.img"
flc_exit 0 "--force over an unused file" "$FLC" create flt-e "$d/copy.img" --size 4M --force
is "$(stat -c %s "$d/copy.img")" $((4 << 20)) "file recreated at the new size"
is "$(stat -c %a "$d/copy.img")" 600 "the overwritten file is 0600, as a new one"
"$FLC" close flt-e
"$FLC" close flt-one

# --- sizes and alignment ------------------------------------------------------------------
flc_exit 1 "file too small for the offset" "$FLC" open flt-e "$d/small.img" --offset 1M
flc_says "too small" "message says too small"
flc_exit 1 "file too small for offset + sizelimit" "$FLC" open flt-e "$d/small.img" --offset 512K --sizelimit 1M
flc_says "too small" "message says too small"
head -c $(((1 << 20) + 1000)) /dev/zero > "$d/odd.img"
flc_exit 1 "less than one block after the offset" "$FLC" open flt-e "$d/odd.img" --offset 1M --block-size 4096
flc_nothing_left "too small"
flc_exit 1 "unaligned offset" "$FLC" open flt-e "$d/img" --offset 1000
flc_says "multiple of 512" "message says multiple of 512"
flc_exit 1 "offset not a multiple of the block size" "$FLC" open flt-e "$d/img" --offset 512 --block-size 4096
flc_exit 1 "bad size" "$FLC" create flt-e "$d/e.img" --size 12X
flc_says "not a size" "message says not a size"
flc_exit 1 "size that overflows" "$FLC" create flt-e "$d/e.img" --size 99999999999T
flc_exit 1 "zero size" "$FLC" create flt-e "$d/e.img" --size 0
flc_exit 1 "bad block size" "$FLC" open flt-e "$d/img" --block-size 1000
flc_exit 1 "LUKS in a file too small for its header" \
	"$FLC" create flt-e "$d/e.img" --size 8M --luks "${FLC_KDF[@]}" --key-file - <<<"pw"
flc_says "needs at least 17 MiB \(16 MiB of it is the header\); the mapping would be 8M" \
	"message gives the real limit"
flc_exit 1 "LUKS in 1K less than 17 MiB" \
	"$FLC" create flt-e "$d/e.img" --size 17407K --luks "${FLC_KDF[@]}" --key-file - <<<"pw"
flc_says "needs at least 17 MiB" "message gives the real limit"
ok "$([ ! -e "$d/e.img" ]; echo $?)" "no file left by refused creates"
flc_nothing_left "bad sizes"
flc_exit 0 "LUKS in 17 MiB, the limit" \
	"$FLC" create flt-e "$d/e17.img" --size 17M --luks "${FLC_KDF[@]}" --key-file - <<<"pw"
"$FLC" close flt-e

# --- the kernel refuses the table ------------------------------------------------------------
# ramfs offers no O_DIRECT, so the target's ctr refuses direct_io there.
mkdir -p "$FLT_DIR/ramfs"
mount -t ramfs ramfs "$FLT_DIR/ramfs"
flt_file "$FLT_DIR/ramfs/r.img" 8M
flc_exit 6 "open --direct-io of a file on ramfs" "$FLC" open flt-dio "$FLT_DIR/ramfs/r.img" --direct-io
flc_says "the kernel refused the table for flt-dio \(its reason is in dmesg\)" \
	"the message says the kernel refused the table, not I/O error"
flc_nothing_left "refused table: no empty device left"
flc_exit 6 "create --direct-io on ramfs" "$FLC" create flt-dio "$FLT_DIR/ramfs/c.img" --size 8M --direct-io
flc_says "the kernel refused the table for flt-dio" "the same message for create"
ok "$([ ! -e "$FLT_DIR/ramfs/c.img" ]; echo $?)" "the new file is removed"
flc_nothing_left "refused create"
flc_exit 0 "the same file maps without --direct-io" "$FLC" open flt-dio "$FLT_DIR/ramfs/r.img"
is "$(flt_info flt-dio io_mode)" buffered "in buffered mode"
"$FLC" close flt-dio
umount "$FLT_DIR/ramfs"

# --- secrets ---------------------------------------------------------------------------------
flc_exit 1 "empty passphrase" "$FLC" create flt-e "$d/e.img" --size 32M --luks "${FLC_KDF[@]}" --key-file - </dev/null
flc_says "empty" "message says empty"
flc_exit 4 "missing key file" "$FLC" create flt-e "$d/e.img" --size 32M --luks "${FLC_KDF[@]}" --key-file "$d/nokey"
ok "$([ ! -e "$d/e.img" ]; echo $?)" "no file left when the secret is refused"
flc_nothing_left "bad secrets"

# --- not root ----------------------------------------------------------------------------------
chmod 0777 "$FLT_DIR"
nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all)
for v in "list" "status flt-one" "close flt-one" "create flt-e $FLT_DIR/nobody.img --size 8M" \
	 "open flt-e $d/img" "resize flt-one"; do
	# shellcheck disable=SC2086
	flc_exit 2 "as nobody: $v" "${nobody[@]}" "$FLC" $v
	flc_says "needs root" "as nobody: $v says it needs root"
done
ok "$([ ! -e "$FLT_DIR/nobody.img" ]; echo $?)" "nobody's create made no file"
flc_exit 0 "as nobody: table still works (no root needed)" "${nobody[@]}" "$FLC" table "$d/img"
flc_nothing_left "not root"

# --- mount point and mkfs failures unwind ------------------------------------------------------
flc_exit 4 "missing mount point" "$FLC" create flt-e "$d/e.img" --size 8M --mount "$FLT_DIR/nomnt"
ok "$([ ! -e "$d/e.img" ]; echo $?)" "no file"
flc_exit 4 "missing mkfs program: fails after mapping" \
	"$FLC" create flt-e "$d/e.img" --size 32M --luks "${FLC_KDF[@]}" --key-file - --mkfs nosuchfs <<<"pw"
flc_says "mkfs.nosuchfs" "message names the program"
ok "$([ ! -e "$d/e.img" ]; echo $?)" "created file removed"
flc_nothing_left "mkfs failure: LUKS closed and mapping removed"
mkdir -p "$FLT_DIR/mnt"
flc_exit 6 "mounting a device without a filesystem fails after mapping" \
	"$FLC" create flt-e "$d/e.img" --size 8M --mount "$FLT_DIR/mnt"
flc_says "no filesystem found" "message says there is no filesystem"
ok "$([ ! -e "$d/e.img" ]; echo $?)" "no file"
flc_nothing_left "mount failure"

# --- busy devices: nothing changes ---------------------------------------------------------------
"$FLC" create flt-busy "$d/busy.img" --size 32M --mkfs ext4 >/dev/null
exec 3</dev/mapper/flt-busy
flc_exit 3 "close of a device held open" "$FLC" close flt-busy
flc_says "in use" "message says in use"
flc_only "held open" flt-busy
exec 3<&-
mount /dev/mapper/flt-busy "$FLT_DIR/mnt"
flc_exit 3 "close of a device someone else mounted" "$FLC" close flt-busy
flc_says "not by fileloopctl" "message says who mounted it"
ok "$(mountpoint -q "$FLT_DIR/mnt"; echo $?)" "still mounted"
umount "$FLT_DIR/mnt"
"$FLC" close flt-busy
"$FLC" open flt-busy "$d/busy.img" --mount "$FLT_DIR/mnt"
(cd "$FLT_DIR/mnt" && sleep 30) & holder=$!
sleep 1
flc_exit 3 "close while a process sits in our mount" "$FLC" close flt-busy
flc_says "nothing was changed" "message says nothing changed"
ok "$(mountpoint -q "$FLT_DIR/mnt"; echo $?)" "still mounted"
flc_only "busy mount" flt-busy
kill "$holder"; wait "$holder" 2>/dev/null
flc_exit 0 "close once the mount is free" "$FLC" close flt-busy

# --- LUKS stack busy: nothing changes -----------------------------------------------------------------
"$FLC" create flt-lb "$d/lb.img" --size 32M --luks "${FLC_KDF[@]}" --key-file - <<<"pw" >/dev/null
exec 3</dev/mapper/flt-lb
flc_exit 3 "close of a LUKS device held open" "$FLC" close flt-lb
flc_only "LUKS held open" flt-lb flt-lb-file
exec 3<&-
"$FLC" close flt-lb

# --- a file another device maps: named, as losetup names the loop device ---------------------------
"$FLC" create flt-holder "$d/held.img" --size 32M >/dev/null
ln -s "$d/held.img" "$d/held-link.img"
flc_exit 3 "open of a file another device maps read-write" "$FLC" open flt-second "$d/held-link.img" --no-luks
flc_says "held.img is already mapped by flt-holder; close it first, or give --shared to both" \
	"message names the device that holds it"
flc_exit 3 "read-only open of it too" "$FLC" open flt-second "$d/held.img" -r --no-luks
flc_only "refused second mapping" flt-holder
flc_exit 3 "--shared on the second alone" "$FLC" open flt-second "$d/held.img" --shared --no-luks
# Found by the inode the target opened, not by its table's path.
mv "$d/held.img" "$d/held-moved.img"
flc_exit 3 "open of the holder's file after it was renamed" "$FLC" open flt-second "$d/held-moved.img" --no-luks
flc_says "held-moved.img is already mapped by flt-holder \(as .*/held.img\)" \
	"the holder is still named, with the path it was mapped by"
mv "$d/held-moved.img" "$d/held.img"
"$FLC" close flt-holder
flc_exit 0 "open --shared" "$FLC" open flt-holder "$d/held.img" --shared --no-luks
flc_exit 0 "and --shared a second time" "$FLC" open flt-second "$d/held.img" --shared --no-luks
flc_exit 0 "status shows it" "$FLC" status flt-second
flc_says "shared: +yes" "status says shared"
"$FLC" close flt-holder
"$FLC" close flt-second
flc_nothing_left "shared"

# --- not ours ---------------------------------------------------------------------------------------
dmsetup create flt-zero --table "0 2048 zero"
flc_exit 4 "close of a non-fileloop device" "$FLC" close flt-zero
flc_says "not a fileloop device" "message says not a fileloop device"
flc_only "foreign device untouched" flt-zero
dmsetup remove flt-zero

# --- resize refusals ---------------------------------------------------------------------------------
"$FLC" create flt-rs "$d/rs.img" --size 16M >/dev/null
flc_exit 1 "resize to a smaller size" "$FLC" resize flt-rs --size 8M
flc_says "shrinking is not supported" "message says no shrinking"
is "$(stat -c %s "$d/rs.img"):$(blockdev --getsize64 /dev/mapper/flt-rs)" "$((16 << 20)):$((16 << 20))" \
	"file and device unchanged"
"$FLC" close flt-rs
flc_exit 1 "list with an unknown column" "$FLC" list -O NAME,BOGUS
flc_says "unknown column" "message says unknown column"

# --- no fileloop target in the kernel ------------------------------------------------------------
# The tool asks for the target's version first (the kernel loads the
# module for that, as for a table); with the module gone and module
# loading failing, it says what to install instead of "the kernel refused
# the table".  The module is put back from where it came: the build's,
# which scripts/vm loaded, or without that (FILELOOP_VM_MODULE=0) an
# installed one (DKMS, tests/vm-boot.t with FLT_PACKAGES=1), which
# modprobe finds again.
ko=$(cd "$(dirname "$0")/../.." && pwd)/build/kmod/$(uname -r)/dm-fileloop.ko
[ "${FILELOOP_VM_MODULE:-1}" = 1 ] || ko=installed
modprobe_was=$(cat /proc/sys/kernel/modprobe)
echo /bin/false > /proc/sys/kernel/modprobe
rmmod dm_fileloop
ok $? "dm-fileloop unloaded"
flc_exit 6 "open with no fileloop target" "$FLC" open flt-nomod "$d/img" --no-luks
flc_says "the kernel has no fileloop target: modprobe dm-fileloop" "message says what is missing"
flc_nothing_left "no target"
echo "$modprobe_was" > /proc/sys/kernel/modprobe
if [ "$ko" = installed ]; then modprobe dm-fileloop; else insmod "$ko"; fi
ok $? "dm-fileloop loaded again ($ko)"
flc_exit 0 "open works again" "$FLC" open flt-nomod "$d/img" --no-luks
"$FLC" close flt-nomod

flc_nothing_left "end of suite"
done_testing
