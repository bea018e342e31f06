#!/bin/bash
# DESCRIPTION: LUKS2 keyring tokens (cryptsetup token add --key-description):
# token add writes one stock cryptsetup reads; with the passphrase in the
# kernel keyring, open asks nothing, and stock cryptsetup opens the file
# layer by the same token; with the key missing or wrong, --token-only is
# refused and leaves nothing mapped, and without it open falls back to the
# passphrase; ^C at that prompt undoes the mapping made to read the header;
# resize takes the key from the token; token remove, and the refusals (no such token, key slot, device, not
# LUKS).
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), dm-crypt, cryptsetup and libcryptsetup (LUKS2), dmsetup, jq,
#   blockdev,
#   keyctl (keyutils), script (util-linux), /dev/vda as ext4
#   (flt_scratch_fs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

command -v keyctl >/dev/null || { ok 1 "keyctl is installed (keyutils)"; done_testing; exit 1; }
ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
img=$ext4/tok.img
pass='correct horse battery staple'
desc=fileloop-test:tok

# libcryptsetup cannot tell a missing key from a wrong one (EPERM both).
# The passphrase (or $1) as a user key under $desc in root's user keyring,
# which request_key() finds through the user session keyring.
key_set() { printf '%s' "${1:-$pass}" | keyctl padd user "$desc" @u >/dev/null; }
key_drop() { keyctl purge user "$desc" >/dev/null 2>&1; }
key_drop

flc_exit 0 "create --luks" "$FLC" create flt-tok "$img" --size 48M --luks \
	"${FLC_KDF[@]}" --key-file - < <(printf '%s' "$pass")
flc_rand "$FLT_DIR/src" 1M
dd if="$FLT_DIR/src" of=/dev/mapper/flt-tok bs=1M oflag=direct status=none
want=$(sha "$FLT_DIR/src")

# --- token add --------------------------------------------------------------
flc_exit 0 "token add --key-description" "$FLC" token add flt-tok --key-description "$desc"
flc_says "^Token 0 created\.$" "it says which token it made"
tok=$(cryptsetup token export --token-id 0 "$img" 2>/dev/null)
is "$(jq -r '"\(.type) \(.key_description) \(.keyslots | join(","))"' <<<"$tok")" \
	"luks2-keyring $desc 0" "stock cryptsetup reads it: keyring token for key slot 0"
flc_exit 4 "token add -S 5: an empty key slot" "$FLC" token add flt-tok --key-description x -S 5
flc_says "flt-tok has no key slot 5" "names the key slot"
flc_exit 0 "close" "$FLC" close flt-tok

# --- the key in the keyring: open asks nothing --------------------------------
key_set
flc_exit 0 "open with the key in the keyring, stdin empty" \
	"$FLC" -v open flt-tok "$img" </dev/null
flc_says "unlocked flt-tok with LUKS2 token 0" "-v: the token unlocked it"
is "$(flt_sha /dev/mapper/flt-tok 0 $((1 << 20)))" "$want" "data intact"
flc_exit 0 "close" "$FLC" close flt-tok

# resize needs the key when the volume key is in the keyring: the token's.
flc_exit 0 "open for resize" "$FLC" open flt-tok "$img" </dev/null
if [ "$(cryptsetup status flt-tok | awk -F': *' '/key location/ { print $2 }')" = keyring ]; then
	flc_exit 0 "resize, the key from the token, stdin empty" \
		"$FLC" -v resize flt-tok --size 64M </dev/null
	flc_says "the key of flt-tok comes from a LUKS2 token" "-v: it says so"
	is "$(blockdev --getsize64 /dev/mapper/flt-tok-file)" $((64 << 20)) "file layer is 64 MiB"
	is "$(blockdev --getsize64 /dev/mapper/flt-tok)" $(((64 - 16) << 20)) \
		"LUKS layer grew to 48 MiB (64 less the 16 MiB header)"
	key_drop
	flc_exit 1 "no key in the keyring: resize asks, stdin empty" \
		"$FLC" resize flt-tok --size 80M </dev/null
	is "$(stat -c %s "$img")" $((64 << 20)) "file not grown without the key"
	key_set
	is "$(flt_sha /dev/mapper/flt-tok 0 $((1 << 20)))" "$want" "data intact"
else
	ok 0 "# SKIP volume key not in the keyring: resize needs no key"
fi
flc_exit 0 "close" "$FLC" close flt-tok

flc_exit 0 "open --no-luks, for stock cryptsetup" "$FLC" open flt-tok "$img" --no-luks
flc_exit 0 "cryptsetup open --token-only on the fileloop mapping" \
	cryptsetup open --token-only /dev/mapper/flt-tok flt-tok-crypt
is "$(flt_sha /dev/mapper/flt-tok-crypt 0 $((1 << 20)))" "$want" "stock cryptsetup: data intact"
cryptsetup close flt-tok-crypt
flc_exit 0 "close" "$FLC" close flt-tok

# --- the key missing ----------------------------------------------------------
key_drop
flc_exit 5 "open --token-only, no key in the keyring" \
	"$FLC" open flt-tok "$img" --token-only </dev/null
flc_says "no LUKS2 token unlocks flt-tok" "says no token unlocked it"
flc_nothing_left "refused --token-only"
flc_exit 0 "open without --token-only falls back to the passphrase (stdin)" \
	"$FLC" open flt-tok "$img" < <(printf '%s\n' "$pass")
is "$(flt_sha /dev/mapper/flt-tok 0 $((1 << 20)))" "$want" "data intact"
flc_exit 0 "close" "$FLC" close flt-tok
flc_exit 5 "no key, wrong passphrase" "$FLC" open flt-tok "$img" < <(printf 'wrong\n')
flc_nothing_left "wrong passphrase after the tokens"

# --- a wrong key in the keyring -----------------------------------------------
key_set wrong
flc_exit 5 "open --token-only, a wrong key in the keyring" \
	"$FLC" open flt-tok "$img" --token-only </dev/null
flc_says "no LUKS2 token unlocks flt-tok" "says no token unlocked it"
flc_nothing_left "wrong token key"
flc_exit 0 "open falls back to the passphrase" \
	"$FLC" open flt-tok "$img" < <(printf '%s\n' "$pass")
flc_exit 0 "close" "$FLC" close flt-tok
flc_exit 0 "a key file skips the tokens" "$FLC" open flt-tok "$img" --key-file - \
	< <(printf '%s' "$pass")
flc_exit 0 "close" "$FLC" close flt-tok
key_drop

# --- ^C at the passphrase prompt, the file mapped to read the header ----------
# script(1) gives open a terminal; the ^C goes in once the prompt is up.
{
	for _ in $(seq 600); do
		grep -q "Enter passphrase" "$FLT_DIR/typescript" 2>/dev/null && break
		sleep 0.1
	done
	printf '\003'
	sleep 2
} | script -qfec "$FLC open flt-tok $img" "$FLT_DIR/typescript" >/dev/null 2>&1
rc=$?
grep -q "Enter passphrase for flt-tok" "$FLT_DIR/typescript"
ok $? "the prompt came up on the terminal"
is "$rc" 130 "^C ends open as SIGINT does (128 + 2)"
flc_nothing_left "^C at the prompt unmaps the file"
dmsetup remove flt-tok-file 2>/dev/null	# only left by a regression

# --- token remove -------------------------------------------------------------
flc_exit 0 "open" "$FLC" open flt-tok "$img" --key-file - < <(printf '%s' "$pass")
flc_exit 0 "token remove --token-id 0" "$FLC" token remove flt-tok --token-id 0
ok "$(cryptsetup token export --token-id 0 "$img" >/dev/null 2>&1; [ $? -ne 0 ]; echo $?)" \
	"stock cryptsetup finds no token 0"
flc_exit 4 "token remove again" "$FLC" token remove flt-tok --token-id 0
flc_says "flt-tok has no token 0" "names the token"
flc_exit 0 "close" "$FLC" close flt-tok
flc_exit 5 "open --token-only with no token at all" \
	"$FLC" open flt-tok "$img" --token-only </dev/null
flc_says "flt-tok has no LUKS2 token to unlock it with" "says there is none"
flc_nothing_left "no token, --token-only"

# --- refusals -----------------------------------------------------------------
flc_exit 4 "token add on no device" "$FLC" token add flt-none --key-description x
flc_says "no device flt-none" "names the device"
flc_exit 0 "open --no-luks" "$FLC" open flt-tok "$img" --no-luks
flc_exit 1 "token add on a device with no LUKS on it" \
	"$FLC" token add flt-tok --key-description x
flc_says "not a LUKS device opened by fileloopctl" "says it is not LUKS"
flc_exit 0 "close" "$FLC" close flt-tok
truncate -s 16M "$ext4/plain.img"
flc_exit 1 "open --token-only of an image with no LUKS" \
	"$FLC" open flt-tok "$ext4/plain.img" --token-only
flc_says "is not LUKS; --token-only makes no sense" "says so"
flc_nothing_left "end"
done_testing
