#!/bin/bash
# DESCRIPTION: fileloopctl with LUKS2: create --luks makes NAME over
# NAME-file with cryptsetup's own dm UUID (cryptsetup status works); close
# and open again with the passphrase on stdin (--key-file -, and a piped
# first line) and with a key file, data intact; a wrong passphrase is
# refused and leaves nothing mapped; --keyfile-offset and --keyfile-size
# pick the same key as stock cryptsetup's (from a file and a pipe), and a
# key file too short for them is refused; a container made by fileloopctl opens
# with stock cryptsetup on a plain fileloop mapping (fileloopctl --no-luks
# and dmsetup), and one made by stock cryptsetup luksFormat opens with
# fileloopctl; LUKS at an offset; read-only; --mkfs --mount round trip;
# close, open and create without libcryptsetup fail and change nothing.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), dm-crypt, cryptsetup and libcryptsetup (LUKS2), dmsetup,
#   blockdev, jq, findmnt, ldconfig, unshare (mount namespaces), mkfs.ext4,
#   /dev/vda as ext4 (flt_scratch_fs); with FLT_UDEV=1 also systemd-udevd
#   and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4
img=$d/vault.img
pass='correct horse battery staple'

# --- create --luks, passphrase on stdin ---------------------------------------
flc_exit 0 "create --luks with --key-file -" \
	"$FLC" create flt-vault "$img" --size 48M --luks "${FLC_KDF[@]}" --key-file - \
	< <(printf '%s' "$pass")
flc_only "create --luks" flt-vault flt-vault-file
is "$(cryptsetup status flt-vault | awk '$1 == "type:" { print $2 }')" LUKS2 "cryptsetup status: LUKS2"
is "$(cryptsetup status flt-vault | awk '$1 == "cipher:" { print $2 }')" aes-xts-plain64 "default cipher aes-xts-plain64"
is "$(cryptsetup status flt-vault | awk '$1 == "keysize:" { print $2 }')" 512 "default key size 512 bits"
is "$(cryptsetup status flt-vault | awk '$1 == "device:" { print $2 }')" /dev/mapper/flt-vault-file \
	"the LUKS layer sits on the file layer"
case $(dmsetup info -c --noheadings -o uuid flt-vault) in
CRYPT-LUKS2-*-flt-vault) ok 0 "LUKS layer has cryptsetup's dm UUID" ;;
*) ok 1 "LUKS layer has cryptsetup's dm UUID"; diag "$(dmsetup info -c -o name,uuid)" ;;
esac
is "$(dmsetup info -c --noheadings -o uuid flt-vault-file)" FILELOOP-flt-vault-file "file layer uuid FILELOOP-"
is "$(cryptsetup luksDump "$img" | awk '/^Version:/ { print $2 }')" 2 "the image holds a LUKS2 header"
is "$("$FLC" list --json | jq -r '.fileloop[0] | "\(.name) \(.luks) \(.file)"')" "flt-vault flt-vault $img" \
	"jq: list shows the LUKS stack under its name"
flc_exit 0 "status of a LUKS stack" "$FLC" status flt-vault
flc_says "luks: +flt-vault" "status names the LUKS layer"

size=$(blockdev --getsize64 /dev/mapper/flt-vault)
flc_rand "$FLT_DIR/src" 4M
dd if="$FLT_DIR/src" of=/dev/mapper/flt-vault bs=1M oflag=direct status=none
want=$(sha "$FLT_DIR/src")
ok "$([ "$(flt_sha "$img" $((16 << 20)) $((4 << 20)))" != "$want" ]; echo $?)" \
	"the file holds ciphertext, not the data"
flc_exit 0 "close the LUKS stack" "$FLC" close flt-vault
flc_nothing_left "close closes both layers"

# --- open: --key-file - (all of stdin) -----------------------------------------
flc_exit 0 "open with --key-file - (all of stdin)" "$FLC" open flt-vault "$img" --key-file - \
	< <(printf '%s' "$pass")
is "$(flt_sha /dev/mapper/flt-vault 0 $((4 << 20)))" "$want" "data intact after reopen"
is "$(blockdev --getsize64 /dev/mapper/flt-vault)" "$size" "same size"
"$FLC" close flt-vault

# --- open: piped first line (no --key-file), as cryptsetup does -------------------
printf '%s\n' "$pass" > "$FLT_DIR/pass-nl"
flc_exit 0 "open with the passphrase as the first line of stdin" \
	"$FLC" open flt-vault "$img" < "$FLT_DIR/pass-nl"
is "$(flt_sha /dev/mapper/flt-vault 0 $((4 << 20)))" "$want" "data intact"
"$FLC" close flt-vault

# --- wrong passphrase -------------------------------------------------------------
flc_exit 5 "wrong passphrase is refused" "$FLC" open flt-vault "$img" --key-file - <<<"wrong"
flc_says "passphrase" "the message says passphrase"
ok "$(! grep -q wrong <<<"$FLC_OUT"; echo $?)" "the message does not echo the secret"
flc_nothing_left "wrong passphrase"
# --key-file - keeps a trailing newline (cryptsetup's rule): another secret.
flc_exit 5 "--key-file - takes the newline too" \
	"$FLC" open flt-vault "$img" --key-file - <<<"$pass"
flc_nothing_left "passphrase with a newline"

# --- key file ---------------------------------------------------------------------
"$FLC" keygen "$d/vault.key"
flc_exit 0 "create --luks --key-file FILE" \
	"$FLC" create flt-kf "$d/kf.img" --size 32M --luks "${FLC_KDF[@]}" --key-file "$d/vault.key"
flc_rand "$FLT_DIR/src2" 2M
dd if="$FLT_DIR/src2" of=/dev/mapper/flt-kf bs=1M oflag=direct status=none
"$FLC" close flt-kf
flc_exit 0 "open --key-file FILE" env LD_DEBUG=libs \
	"$FLC" open flt-kf "$d/kf.img" --key-file "$d/vault.key"
flc_says "calling init: .*libcryptsetup\.so" "a LUKS open loads libcryptsetup on the way"
is "$(flt_sha /dev/mapper/flt-kf 0 $((2 << 20)))" "$(sha "$FLT_DIR/src2")" "data intact with the key file"
"$FLC" close flt-kf
"$FLC" keygen "$d/other.key"
flc_exit 5 "another key file is refused" "$FLC" open flt-kf "$d/kf.img" --key-file "$d/other.key"
flc_nothing_left "wrong key file"
ok "$(! grep -q 'accessible by others' <<<"$FLC_OUT"; echo $?)" "no warning for a 0600 key file"
cp "$d/vault.key" "$d/open.key"
chmod 644 "$d/open.key"
flc_exit 0 "open with a key file others can read" "$FLC" open flt-kf "$d/kf.img" --key-file "$d/open.key"
flc_says "warning: key file .*open.key is accessible by others \(mode 0644\); chmod 600 it" \
	"a key file others can read is warned about"
"$FLC" close flt-kf

# --- --keyfile-offset, --keyfile-size: bytes 100..163 of a key file are the key ------
flc_rand "$d/big.key" 4096
chmod 600 "$d/big.key"
kpart=(--key-file "$d/big.key" --keyfile-offset 100 --keyfile-size 64)
flc_exit 0 "create --luks with bytes 100..163 of a key file" \
	"$FLC" create flt-part "$d/part.img" --size 32M --luks "${FLC_KDF[@]}" "${kpart[@]}"
flc_rand "$FLT_DIR/src5" 1M
dd if="$FLT_DIR/src5" of=/dev/mapper/flt-part bs=1M oflag=direct status=none
"$FLC" close flt-part
flc_exit 0 "open with the same offset and size" "$FLC" open flt-part "$d/part.img" "${kpart[@]}"
is "$(flt_sha /dev/mapper/flt-part 0 $((1 << 20)))" "$(sha "$FLT_DIR/src5")" \
	"data intact with part of a key file"
"$FLC" close flt-part
flc_exit 5 "the whole key file is another key" \
	"$FLC" open flt-part "$d/part.img" --key-file "$d/big.key"
flc_nothing_left "whole key file refused"
flc_exit 0 "the same part from a pipe on stdin (offset read and discarded)" \
	"$FLC" open flt-part "$d/part.img" --key-file - --keyfile-offset 100 --keyfile-size 64 \
	< <(cat "$d/big.key")
"$FLC" close flt-part
flc_exit 1 "a key file too short for offset + size is refused" \
	"$FLC" open flt-part "$d/part.img" --key-file "$d/big.key" --keyfile-offset 4090 --keyfile-size 64
flc_says "cannot read the requested amount of data" "the message says so, as cryptsetup does"
flc_nothing_left "short key file"
# Stock cryptsetup with the same options opens it: the semantics match.
flc_exit 0 "open --no-luks the vault made from part of a key file" \
	"$FLC" open flt-raw "$d/part.img" --no-luks
cryptsetup open /dev/mapper/flt-raw flt-check --key-file "$d/big.key" \
	--keyfile-offset 100 --keyfile-size 64
ok $? "stock cryptsetup open --key-file --keyfile-offset 100 --keyfile-size 64"
is "$(flt_sha /dev/mapper/flt-check 0 $((1 << 20)))" "$(sha "$FLT_DIR/src5")" \
	"stock cryptsetup reads the same data"
cryptsetup close flt-check
"$FLC" close flt-raw
flc_nothing_left "keyfile offset and size round trip"

# --- fileloopctl's container, stock cryptsetup on a plain fileloop mapping ----------
flc_exit 0 "open --no-luks maps the image without unlocking" "$FLC" open flt-raw "$img" --no-luks
cryptsetup open /dev/mapper/flt-raw flt-stock --key-file - < <(printf '%s' "$pass")
ok $? "stock cryptsetup open on the plain mapping"
is "$(flt_sha /dev/mapper/flt-stock 0 $((4 << 20)))" "$want" "stock cryptsetup reads fileloopctl's data"
is "$("$FLC" list --json | jq -r '.fileloop[0] | "\(.name) \(.luks)"')" "flt-raw flt-stock" \
	"jq: list shows the foreign LUKS layer"
flc_exit 3 "close of a mapping under someone's LUKS is refused" "$FLC" close flt-raw
flc_says "in use by flt-stock" "the message names the holder"
flc_only "refused close changes nothing" flt-raw flt-stock
cryptsetup close flt-stock
"$FLC" close flt-raw
dmsetup create flt-dm --table "$("$FLC" table "$img")"
cryptsetup open /dev/mapper/flt-dm flt-stock --key-file - < <(printf '%s' "$pass")
is "$(flt_sha /dev/mapper/flt-stock 0 $((4 << 20)))" "$want" "stock cryptsetup on a dmsetup-made mapping"
cryptsetup close flt-stock
dmsetup remove flt-dm
flc_nothing_left "stock cryptsetup round trip"

# --- stock cryptsetup's container, opened by fileloopctl -------------------------------
truncate -s 40M "$d/stock.img"
cryptsetup luksFormat -q --type luks2 "${FLC_KDF[@]}" "$d/stock.img" --key-file "$d/vault.key"
ok $? "stock cryptsetup luksFormat on a plain file"
flc_exit 0 "fileloopctl opens it (libblkid sees crypto_LUKS)" \
	"$FLC" open flt-stock "$d/stock.img" --key-file "$d/vault.key"
flc_rand "$FLT_DIR/src3" 3M
dd if="$FLT_DIR/src3" of=/dev/mapper/flt-stock bs=1M oflag=direct status=none
"$FLC" close flt-stock
"$FLC" open flt-raw "$d/stock.img" --no-luks >/dev/null
cryptsetup open /dev/mapper/flt-raw flt-check --key-file "$d/vault.key"
is "$(flt_sha /dev/mapper/flt-check 0 $((3 << 20)))" "$(sha "$FLT_DIR/src3")" \
	"what fileloopctl wrote reads back through stock cryptsetup"
cryptsetup close flt-check
"$FLC" close flt-raw
flc_nothing_left "stock container round trip"

# --- LUKS at an offset, and --luks insisting ------------------------------------------
flc_exit 0 "create --luks --offset 1M" "$FLC" create flt-off "$d/off.img" --size 40M \
	--offset 1M --luks "${FLC_KDF[@]}" --key-file "$d/vault.key"
dd if="$FLT_DIR/src2" of=/dev/mapper/flt-off bs=1M oflag=direct status=none
"$FLC" close flt-off
is "$(head -c 1M "$d/off.img" | tr -d '\0' | wc -c)" 0 "the first MiB of the file is untouched"
flc_exit 0 "open --offset 1M finds the header there" "$FLC" open flt-off "$d/off.img" \
	--offset 1M --luks --key-file "$d/vault.key"
is "$(flt_sha /dev/mapper/flt-off 0 $((2 << 20)))" "$(sha "$FLT_DIR/src2")" "data intact at an offset"
"$FLC" close flt-off
flc_exit 1 "--luks on an image without a header is refused" "$FLC" open flt-off "$d/off.img" \
	--luks --key-file "$d/vault.key"
flc_says "no LUKS header" "the message says why"
flc_nothing_left "--luks refused"

# --- read-only --------------------------------------------------------------------------
flc_exit 0 "open --read-only" "$FLC" open flt-vault "$img" --read-only < "$FLT_DIR/pass-nl"
is "$(blockdev --getro /dev/mapper/flt-vault):$(blockdev --getro /dev/mapper/flt-vault-file)" "1:1" \
	"both layers read-only"
run_fails "writes to the read-only LUKS device fail" \
	dd if=/dev/zero of=/dev/mapper/flt-vault bs=4k count=1 oflag=direct status=none
is "$(flt_sha /dev/mapper/flt-vault 0 $((4 << 20)))" "$want" "data intact"
"$FLC" close flt-vault

# --- mkfs + mount inside LUKS -------------------------------------------------------------
mkdir -p "$FLT_DIR/mnt"
flc_exit 0 "create --luks --mkfs ext4 --mount" "$FLC" create flt-fs "$d/fs.img" --size 48M \
	--luks "${FLC_KDF[@]}" --key-file "$d/vault.key" --mkfs ext4 --mount "$FLT_DIR/mnt"
is "$(findmnt -n -o SOURCE "$FLT_DIR/mnt")" /dev/mapper/flt-fs "the LUKS device is mounted"
flc_rand "$FLT_DIR/mnt/secret" 1M
fwant=$(sha "$FLT_DIR/mnt/secret")
flc_exit 0 "close unmounts, closes LUKS, removes the mapping" "$FLC" close flt-fs
flc_nothing_left "close of a mounted LUKS stack"
flc_exit 0 "open --mount" "$FLC" open flt-fs "$d/fs.img" --key-file "$d/vault.key" --mount "$FLT_DIR/mnt"
is "$(sha "$FLT_DIR/mnt/secret")" "$fwant" "file inside the vault intact"

# --- libcryptsetup missing: LUKS commands fail before they change anything --------------
libcs=$(readlink -f "$(ldconfig -p | awk '/^\tlibcryptsetup\.so\.[0-9]+ / { print $NF; exit }')")
# CMD... with /dev/null mounted over libcryptsetup, in a mount namespace of its own.
without_libcs() { unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$libcs" "$@"; }
flc_exit 6 "close of a mounted LUKS stack without libcryptsetup" \
	without_libcs "$FLC" close flt-fs
flc_says "LUKS needs libcryptsetup: .*libcryptsetup" "the error names the library"
is "$(findmnt -n -o SOURCE "$FLT_DIR/mnt")" /dev/mapper/flt-fs "the vault is still mounted"
flc_only "after the failed close" flt-fs flt-fs-file
flc_exit 0 "close with the library back" "$FLC" close flt-fs
flc_exit 6 "open of a LUKS image without libcryptsetup" \
	without_libcs "$FLC" open flt-fs "$d/fs.img" --key-file "$d/vault.key"
flc_says "LUKS needs libcryptsetup" "the error says why"
flc_nothing_left "failed open"
flc_exit 6 "create --luks without libcryptsetup" \
	without_libcs "$FLC" create flt-nolib "$d/nolib.img" --size 32M --luks --key-file "$d/vault.key"
ok "$([ -e "$d/nolib.img" ]; echo $(( !$? )))" "no image file was made"
flc_nothing_left "failed create"

# libcryptsetup resets libdevmapper's log to its default when it frees
# its context: --debug must still show the file layer's removal that
# follows the LUKS close.
flc_exit 0 "create a vault for the log check" \
	"$FLC" create flt-log "$d/log.img" --size 32M --luks "${FLC_KDF[@]}" --key-file "$d/vault.key"
flc_exit 0 "close it with --debug" "$FLC" --debug close flt-log
flc_says "libdevmapper: dm remove flt-log-file" \
	"libdevmapper's debug log still reaches us after libcryptsetup's"

flc_nothing_left "end of suite"
done_testing
