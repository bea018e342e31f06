#!/bin/bash
# DESCRIPTION: filelooptab(5) from the command line: fileloopctl open NAME
# takes the image, the key file and the options from NAME's line (LUKS
# with a key file; a plain image read-only at an offset, asking nothing);
# options on the command line win over the line's; --ask-password asks
# systemd's agents (a stand-in systemd-ask-password on PATH) and takes
# their answer; a name without a line, a bad line, a bad value and a
# cancelled or wrong answer fail with their message and leave nothing.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), dm-crypt and libcryptsetup, dmsetup, blockdev, mkfs.ext4,
#   /dev/vda as ext4 (flt_scratch_fs); systemd-ask-password is a stand-in
#   the suite writes; with FLT_UDEV=1 also systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4
export FILELOOPTAB=$FLT_DIR/filelooptab

mkdir -p "$FLT_DIR/m"
"$FLC" keygen "$d/key" >/dev/null
"$FLC" create flt-v "$d/vault.img" --size 48M --luks "${FLC_KDF[@]}" \
	--key-file "$d/key" --mkfs ext4 --mount "$FLT_DIR/m" >/dev/null
flt_file "$FLT_DIR/data" 1M
cp "$FLT_DIR/data" "$FLT_DIR/m/data"
"$FLC" close flt-v
printf 'pw-one\n' | "$FLC" create flt-a "$d/ask.img" --size 32M --luks "${FLC_KDF[@]}" >/dev/null
"$FLC" close flt-a
flc_rand "$d/plain.img" 64M
flc_nothing_left "set up"

cat >"$FILELOOPTAB" <<TAB
# NAME   IMAGE            KEY      OPTIONS
flt-v    $d/vault.img     $d/key   luks
flt-p    $d/plain.img     none     noluks,ro,offset=1M,size=32M
  flt-a  $d/ask.img       -
flt-bad  $d/plain.img     none     ro,size=
flt-bv   $d/plain.img     none     size=12x
flt-v    $d/plain.img     none
TAB

# --- LUKS with the line's key file ---------------------------------------------
run_ok "open NAME: its line's image, key file and luks" "$FLC" open flt-v </dev/null
flc_only "the LUKS stack of the first flt-v line" flt-v flt-v-file
is "$(dmsetup table flt-v | awk '{print $3}')" crypt "flt-v is dm-crypt"
mkdir -p "$FLT_DIR/m"
mount /dev/mapper/flt-v "$FLT_DIR/m"
is "$(sha "$FLT_DIR/m/data")" "$(sha "$FLT_DIR/data")" "the file written at create is there"
umount "$FLT_DIR/m"
run_ok "close" "$FLC" close flt-v
flc_nothing_left "closed"

# --- a plain image: ro, offset=, size=; none asks nothing ----------------------
run_ok "open a plain line with KEY none (stdin empty: nothing asked)" "$FLC" open flt-p </dev/null
is "$(blockdev --getro /dev/mapper/flt-p)" 1 "ro: the mapping is read-only"
is "$(blockdev --getsize64 /dev/mapper/flt-p)" $((32 << 20)) "size=32M"
is "$(sha /dev/mapper/flt-p)" "$(dd if="$d/plain.img" bs=1M skip=1 count=32 2>/dev/null | sha)" \
	"offset=1M: the device is the file's bytes from 1 MiB"
"$FLC" close flt-p
run_ok "options on the command line win: --offset 0" "$FLC" open flt-p --offset 0 </dev/null
is "$(sha /dev/mapper/flt-p)" "$(dd if="$d/plain.img" bs=1M count=32 2>/dev/null | sha)" \
	"mapped from byte 0, size= still the line's"
"$FLC" close flt-p
flc_nothing_left "plain closed"

# --- the passphrase from systemd's agents -----------------------------------------
agent=$FLT_DIR/agent
mkdir -p "$agent"
stand_in() {
	printf '#!/bin/sh\necho "$@" > %s/args\n%s\n' "$agent" "$1" >"$agent/systemd-ask-password"
	chmod 0755 "$agent/systemd-ask-password"
}
stand_in "echo pw-one"
echo "not-this" | PATH=$agent:$PATH "$FLC" open --ask-password flt-a >"$FLT_DIR/out" 2>&1
ok $? "open --ask-password: the agent's answer unlocks (not stdin's)" || diag "$(cat "$FLT_DIR/out")"
is "$(cat "$agent/args")" "--timeout=0 --id=fileloop:flt-a Enter passphrase for flt-a: " \
	"asked for flt-a, without a time limit"
flc_only "the indented line with KEY -" flt-a flt-a-file
"$FLC" close flt-a
stand_in "exit 1"
flc_exit 1 "a cancelled agent" env PATH="$agent:$PATH" "$FLC" open --ask-password flt-a
flc_says "systemd-ask-password gave no passphrase for flt-a" "message says the agent gave none"
stand_in "echo wrong"
flc_exit 5 "a wrong answer" env PATH="$agent:$PATH" "$FLC" open --ask-password flt-a
flc_nothing_left "cancelled and wrong answers"
rm -f "$agent/systemd-ask-password"
flc_exit 1 "--ask-password with --key-file" "$FLC" open --ask-password --key-file "$d/key" flt-v
flc_says "exclude each other" "message says they exclude each other"

# --- what must fail ----------------------------------------------------------------
flc_exit 4 "a name with no line" "$FLC" open flt-none
flc_says "flt-none has no line in $FILELOOPTAB; give the image" "message says so and what to do"
flc_exit 1 "a bad line" "$FLC" open flt-bad
flc_says "^fileloopctl: $FILELOOPTAB:5: option size= needs a value$" "message gives file, line and reason"
flc_exit 1 "a bad value (fileloopctl's own check)" "$FLC" open flt-bv
flc_says "$FILELOOPTAB:6: --sizelimit: '12x' is not a size" "message gives file, line and option"
FILELOOPTAB=$FLT_DIR/no-such-tab flc_exit 4 "no filelooptab at all" "$FLC" open flt-v
flc_says "flt-v has no line in $FLT_DIR/no-such-tab" "message names the file"
flc_nothing_left "end of suite"
done_testing
