#!/bin/bash
# DESCRIPTION: fileloopctl's verbs on plain (non-LUKS) images: keygen,
# table (fed to dmsetup), create with the mapping options, list and
# list --json (parsed by jq), status, open (read-write and read-only),
# create --mkfs --mount, close, and a path with a space in it; data
# written through /dev/mapper is checked by sha256 in the file at the
# right offset and back.  Plain verbs load neither libcryptsetup nor
# libcrypto.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC: make tools or make tools-trixie), dmsetup, blockdev, jq,
#   findmnt, readelf (binutils), the glibc loader's LD_DEBUG, mkfs.ext4
#   (--mkfs ext4), /dev/vda as ext4 (flt_scratch_fs); with FLT_UDEV=1 also
#   systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4

# --- help and version: no root, no devices -------------------------------
for v in create open close list status resize table keygen; do
	run_ok "$v --help" "$FLC" "$v" --help
done
run_ok "--version" "$FLC" --version

# --- keygen ----------------------------------------------------------------
flc_exit 0 "keygen writes a key file" "$FLC" keygen "$d/k1"
is "$(stat -c %a:%s "$d/k1")" "600:512" "key file is 0600 and 512 bytes"
flc_exit 0 "keygen --size 64" "$FLC" keygen "$d/k2" --size 64
is "$(stat -c %s "$d/k2")" 64 "key file of 64 bytes"
isnt_same=$([ "$(sha "$d/k1")" != "$(sha "$d/k2")" ]; echo $?)
ok "$isnt_same" "two generated keys differ"
k1=$(sha "$d/k1")
flc_exit 3 "keygen refuses to overwrite" "$FLC" keygen "$d/k1"
is "$(sha "$d/k1")" "$k1" "the existing key file is untouched"

# --- table + dmsetup ------------------------------------------------------
flt_file "$d/t.img" 16M
flc_exit 0 "table FILE" "$FLC" table "$d/t.img" --offset 1M --buffered-io
is "$FLC_OUT" "0 30720 fileloop $d/t.img 2048 1 buffered_io" "table line text"
dmsetup create flt-tbl --table "$FLC_OUT"
ok $? "dmsetup create --table \"\$(fileloopctl table ...)\""
is "$(flt_sha /dev/mapper/flt-tbl 0 $((15 << 20)))" "$(flt_sha "$d/t.img" $((1 << 20)) $((15 << 20)))" \
	"the dmsetup-made device reads the file from 1 MiB on"
dmsetup remove flt-tbl

# --- create (plain) ---------------------------------------------------------
flc_exit 0 "create plain 64M image" "$FLC" create flt-basic "$d/basic.img" --size 64M
is "$(stat -c %a:%s "$d/basic.img")" "600:67108864" "new image is 0600 and 64 MiB"
is "$(flt_table flt-basic)" "fileloop $d/basic.img 0" "table line of the new device"
is "$(dmsetup info -c --noheadings -o uuid flt-basic)" "FILELOOP-flt-basic" "dm uuid FILELOOP-NAME"
is "$(blockdev --getsize64 /dev/mapper/flt-basic)" 67108864 "device is 64 MiB"
flc_rand "$FLT_DIR/src" 8M
dd if="$FLT_DIR/src" of=/dev/mapper/flt-basic bs=1M seek=3 oflag=direct status=none
is "$(flt_sha "$d/basic.img" $((3 << 20)) $((8 << 20)))" "$(sha "$FLT_DIR/src")" \
	"8 MiB written through the device are in the file at 3 MiB"

# --- create with mapping options -------------------------------------------
flc_exit 0 "create with --offset --sizelimit --buffered-io --block-size --no-discard" \
	"$FLC" create flt-opts "$d/opts.img" --size 48M --offset 4M --sizelimit 32M \
	--buffered-io --block-size 4096 --no-discard
is "$(flt_table flt-opts)" "fileloop $d/opts.img 8192 4 buffered_io block_size 4096 no_discard" \
	"table carries offset and every feature"
is "$(blockdev --getsize64 /dev/mapper/flt-opts)" $((32 << 20)) "--sizelimit sets the size"
is "$(blockdev --getss /dev/mapper/flt-opts)" 4096 "--block-size sets the logical block size"
is "$(flt_info flt-opts io_mode)" buffered "STATUS says buffered"
flc_rand "$FLT_DIR/src2" 4M
dd if="$FLT_DIR/src2" of=/dev/mapper/flt-opts bs=1M seek=28 conv=fsync status=none
is "$(flt_sha "$d/opts.img" $(((4 + 28) << 20)) $((4 << 20)))" "$(sha "$FLT_DIR/src2")" \
	"the last 4 MiB of the device land at file offset 32 MiB"

# --- list and status --------------------------------------------------------
flc_exit 0 "list" "$FLC" list
flc_says "^NAME +FILE +OFFSET +SIZE" "list has losetup-like headings"
flc_says "^flt-basic +$d/basic.img +0 +64M" "list shows flt-basic"
flc_says "^flt-opts +$d/opts.img +4194304 +32M +0 +buffered +4096" "list shows flt-opts"
json=$("$FLC" list --json)
ok $? "list --json"
is "$(jq -r '.fileloop | length' <<<"$json")" 2 "jq: two devices"
is "$(jq -r '.fileloop[] | select(.name == "flt-opts") | "\(.file) \(.offset) \(.size) \(.ro) \(.io) \(.block)"' <<<"$json")" \
	"$d/opts.img 4194304 33554432 false buffered 4096" "jq: flt-opts fields, sizes as numbers"
is "$(jq -r '.fileloop[] | select(.name == "flt-basic") | .luks' <<<"$json")" null "jq: no LUKS on flt-basic"
json=$("$FLC" list --json -O NAME,WRITES,ERRORS)
is "$(jq -r '.fileloop[] | select(.name == "flt-basic") | (.writes > 0, .errors)' <<<"$json" | tr '\n' ' ')" \
	"true 0 " "jq: -O NAME,WRITES,ERRORS: writes counted, no errors"
flc_exit 0 "list --raw -n -O NAME" "$FLC" list --raw -n -O NAME
is "$(sort <<<"$FLC_OUT" | tr '\n' ' ')" "flt-basic flt-opts " "raw names only"
flc_exit 0 "status" "$FLC" status flt-opts
flc_says "^/dev/mapper/flt-opts is active" "status headline"
flc_says "file: +$d/opts.img" "status names the file"
flc_says "offset: +4194304 bytes" "status gives the offset"
is "$("$FLC" status flt-opts --json | jq -r '.fileloop[0].dm')" flt-opts "status --json parsed by jq"

# --- close -----------------------------------------------------------------------
flc_exit 0 "close flt-opts" "$FLC" close flt-opts
flc_only "after close" flt-basic

# --- open: read-write and read-only -----------------------------------------------
flc_exit 0 "close flt-basic" "$FLC" close flt-basic
flc_exit 0 "open the image again" "$FLC" open flt-basic "$d/basic.img"
is "$(flt_sha /dev/mapper/flt-basic $((3 << 20)) $((8 << 20)))" "$(sha "$FLT_DIR/src")" \
	"reopened device reads back the data"
"$FLC" close flt-basic
flc_exit 0 "open --read-only --offset 3M --sizelimit 8M" "$FLC" open flt-ro "$d/basic.img" \
	--read-only --offset 3M --sizelimit 8M
is "$(blockdev --getro /dev/mapper/flt-ro)" 1 "device is read-only"
is "$(sha /dev/mapper/flt-ro)" "$(sha "$FLT_DIR/src")" "read-only window is exactly the data"
run_fails "writing to the read-only device fails" \
	dd if=/dev/zero of=/dev/mapper/flt-ro bs=4k count=1 oflag=direct status=none
is "$(flt_sha "$d/basic.img" $((3 << 20)) $((8 << 20)))" "$(sha "$FLT_DIR/src")" "file unchanged"
is "$("$FLC" list --json | jq -r '.fileloop[0].ro')" true "jq: ro is true"
"$FLC" close flt-ro

# --- create --mkfs --mount; close unmounts; open --mount ------------------------
mkdir -p "$FLT_DIR/mnt"
flc_exit 0 "create --mkfs ext4 --mount" "$FLC" create flt-fs "$d/fs.img" --size 64M \
	--mkfs ext4 --mount "$FLT_DIR/mnt"
is "$(findmnt -n -o SOURCE,FSTYPE "$FLT_DIR/mnt")" "/dev/mapper/flt-fs ext4" "mounted ext4 from the device"
is "$("$FLC" list --json | jq -r '.fileloop[0].mount')" "$FLT_DIR/mnt" "jq: mount point listed"
flc_rand "$FLT_DIR/mnt/data" 5M
want=$(sha "$FLT_DIR/mnt/data")
flc_exit 0 "close unmounts what it mounted" "$FLC" close flt-fs
ok "$(! mountpoint -q "$FLT_DIR/mnt"; echo $?)" "no longer mounted"
flc_nothing_left "close of a mounted device"
ok "$([ ! -e /run/fileloop/flt-fs ]; echo $?)" "mount record removed"
flc_exit 0 "open --mount" "$FLC" open flt-fs "$d/fs.img" --mount "$FLT_DIR/mnt"
is "$(sha "$FLT_DIR/mnt/data")" "$want" "file written before close reads back"
"$FLC" close flt-fs
flc_nothing_left "after the mkfs round trip"

# --- records of NAME and NAME.tmp side by side ------------------------------------
# NAME's record is written aside and renamed; the file aside must not be
# NAME.tmp's record.
mkdir -p "$FLT_DIR/mnt2"
"$FLC" create flt-fs.tmp "$d/t1.img" --size 16M --mkfs ext4 --mount "$FLT_DIR/mnt2" >/dev/null
"$FLC" create flt-fs "$d/t2.img" --size 16M --mkfs ext4 --mount "$FLT_DIR/mnt" >/dev/null
flc_exit 0 "close flt-fs.tmp after flt-fs recorded its mount" "$FLC" close flt-fs.tmp
ok "$(! mountpoint -q "$FLT_DIR/mnt2"; echo $?)" "flt-fs.tmp's own mount was unmounted"
flc_exit 0 "close flt-fs" "$FLC" close flt-fs
is "$(ls -A /run/fileloop 2>/dev/null | grep -E '^(flt-fs|[.]tmp)' | tr '\n' ' ')" "" \
	"no record and no file aside left in /run/fileloop"
flc_nothing_left "after NAME and NAME.tmp"

# --- a path with a space and a backslash ------------------------------------------
mkdir -p "$d/my dir"
flc_exit 0 "create in a directory with a space" "$FLC" create flt-sp "$d/my dir/a\\b.img" --size 8M
is "$(flt_table flt-sp)" "fileloop $d/my\\040dir/a\\134b.img 0" "table escapes space and backslash"
is "$("$FLC" list --json | jq -r '.fileloop[0].file')" "$d/my dir/a\\b.img" "list shows the real path"
flc_rand "$FLT_DIR/src3" 1M
dd if="$FLT_DIR/src3" of=/dev/mapper/flt-sp bs=1M oflag=direct status=none
is "$(flt_sha "$d/my dir/a\\b.img" 0 $((1 << 20)))" "$(sha "$FLT_DIR/src3")" "data in the oddly named file"
"$FLC" close flt-sp

# --- resize (plain, unmounted) ----------------------------------------------------
"$FLC" create flt-rs "$d/rs.img" --size 16M >/dev/null
dd if="$FLT_DIR/src" of=/dev/mapper/flt-rs bs=1M oflag=direct status=none
flc_exit 0 "resize --size 40M" "$FLC" resize flt-rs --size 40M
is "$(blockdev --getsize64 /dev/mapper/flt-rs)" $((40 << 20)) "device grew live"
is "$(stat -c %s "$d/rs.img")" $((40 << 20)) "file grew"
is "$(flt_sha /dev/mapper/flt-rs 0 $((8 << 20)))" "$(sha "$FLT_DIR/src")" "data intact after resize"
"$FLC" close flt-rs

# --- libcryptsetup and libcrypto: loaded for LUKS only ----------------------------
needed=$(readelf -d "$FLC" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
case " $needed" in
*" libcryptsetup."* | *" libcrypto."*) linked=1 ;;
*) linked=0 ;;
esac
ok $linked "fileloopctl links neither libcryptsetup nor libcrypto: $needed"
flt_file "$d/ld.img" 8M
for verb in "open --no-luks flt-ld $d/ld.img" "list" "status flt-ld" "close flt-ld"; do
	# shellcheck disable=SC2086 # the verb's words
	flc_exit 0 "$verb, the loader traced" env LD_DEBUG=libs "$FLC" $verb
	flc_says "calling init: .*libdevmapper" "the trace shows the libraries $verb loads"
	ok "$(grep -qE 'lib(cryptsetup|crypto)\.so' <<<"$FLC_OUT"; echo $(( !$? )))" \
		"$verb loads neither libcryptsetup nor libcrypto"
done

flc_nothing_left "end of suite"
done_testing
