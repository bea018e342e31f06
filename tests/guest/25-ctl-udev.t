#!/bin/bash
# DESCRIPTION: fileloopctl as on a host with systemd-udevd and Debian's
# dm rules running, libdevmapper synchronising with udev by cookies
# (DM_DISABLE_UDEV unset): open, create --luks and close return with
# udev's work done (the /dev/mapper node and the /dev/disk/by-id links
# there when the command returns, gone when close returns), no cookie
# left behind, and no more than a second of each command spent on udev
# (against the same command without udev); a close while udev's probe
# or another short-lived opener holds the device succeeds, one held
# longer is refused as in use.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), systemd-udevd (/lib/systemd or /usr/lib/systemd) and udevadm
#   with Debian's dm udev rules, dm-crypt, cryptsetup and libcryptsetup,
#   blkid, dmsetup, mkfs.ext4, /dev/vda as ext4 (flt_scratch_fs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4
flt_file "$d/plain.img" 32M
pass='correct horse battery staple'

# timed VAR CMD...: run CMD (output in FLC_OUT, status in FLC_RC) and set
# VAR to how long it took, in milliseconds.
timed() {
	local var=$1 t0 t1; shift
	t0=$(date +%s%N)
	FLC_OUT=$("$@" 2>&1); FLC_RC=$?
	t1=$(date +%s%N)
	printf -v "$var" %d $(((t1 - t0) / 1000000))
}

# cycles PREFIX: open --no-luks and close three times; PREFIX_open and
# PREFIX_close get the quickest of each (TCG's timings are noisy), and
# PREFIX_fail counts the commands that failed.
cycles() {
	local i t_open t_close fail=0 min_open=999999 min_close=999999
	for i in 1 2 3; do
		timed t_open "$FLC" open flt-u "$d/plain.img" --no-luks
		[ "$FLC_RC" = 0 ] || { fail=$((fail + 1)); diag "$FLC_OUT"; }
		timed t_close "$FLC" close flt-u
		[ "$FLC_RC" = 0 ] || { fail=$((fail + 1)); diag "$FLC_OUT"; }
		[ "$t_open" -lt "$min_open" ] && min_open=$t_open
		[ "$t_close" -lt "$min_close" ] && min_close=$t_close
	done
	printf -v "${1}_open" %d "$min_open"
	printf -v "${1}_close" %d "$min_close"
	printf -v "${1}_fail" %d "$fail"
}

# What a command may spend on udev: a second, as on a host; eight on the
# debug kernel (make check-debug), where KASAN and lockdep make every
# step, udev's own included, 7-8 times slower.
udev_ms=1000
case $(uname -r) in *-fileloop-debug) udev_ms=8000 ;; esac

# Without udev first: the same commands, for the time they take here.
cycles base
is "$base_fail" 0 "without udev: open --no-luks and close, three times"

flc_start_udev
ok $? "systemd-udevd started, libdevmapper's udev sync on"
ok "$([ -z "${DM_DISABLE_UDEV+set}" ] && [ -S /run/udev/control ]; echo $?)" \
	"DM_DISABLE_UDEV unset, udev's control socket there"

no_cookie() {
	is "$(dmsetup udevcookies 2>&1 | tail -n +2)" "" "$1: no udev cookie left"
}

# --- a plain mapping ----------------------------------------------------------
"$FLC" open flt-u "$d/plain.img" --no-luks >"$FLT_DIR/out" 2>&1
ok $? "open --no-luks under udev" || diag "$(cat "$FLT_DIR/out")"
# Looked at before anything waits for udev: the tool must have.
ok "$([ -b /dev/mapper/flt-u ]; echo $?)" "/dev/mapper/flt-u there when open returns"
ok "$([ -L /dev/disk/by-id/dm-name-flt-u ]; echo $?)" "by-id/dm-name-flt-u there when open returns"
ok "$([ -L /dev/disk/by-id/dm-uuid-FILELOOP-flt-u ]; echo $?)" \
	"by-id/dm-uuid-FILELOOP-flt-u there when open returns"
no_cookie "open"
"$FLC" close flt-u >"$FLT_DIR/out" 2>&1
ok $? "close under udev" || diag "$(cat "$FLT_DIR/out")"
ok "$([ ! -e /dev/mapper/flt-u ] && [ ! -e /dev/disk/by-id/dm-name-flt-u ] &&
	[ ! -e /dev/disk/by-id/dm-uuid-FILELOOP-flt-u ]; echo $?)" \
	"node and by-id links gone when close returns"
no_cookie "close"
cycles udev
is "$udev_fail" 0 "under udev: open --no-luks and close, three times"
ok "$([ "$udev_open" -le $((base_open + udev_ms)) ]; echo $?)" \
	"open spends at most ${udev_ms} ms on udev (quickest of three: ${udev_open} ms, ${base_open} ms without udev)"
ok "$([ "$udev_close" -le $((base_close + udev_ms)) ]; echo $?)" \
	"close spends at most ${udev_ms} ms on udev (quickest of three: ${udev_close} ms, ${base_close} ms without udev)"
no_cookie "open and close"

# --- LUKS: udev probes the container and the filesystem -----------------------
flc_exit 0 "create --luks --mkfs ext4 under udev" \
	"$FLC" create flt-uv "$d/vault.img" --size 48M --luks "${FLC_KDF[@]}" \
	--mkfs ext4 --key-file - < <(printf '%s' "$pass")
luks_uuid=$(cryptsetup luksUUID "$d/vault.img")
fs_uuid=$(blkid -o value -s UUID /dev/mapper/flt-uv)
ok "$([ -L "/dev/disk/by-uuid/$luks_uuid" ]; echo $?)" \
	"by-uuid link of the LUKS container there when create returns"
ok "$([ -n "$fs_uuid" ] && [ -L "/dev/disk/by-uuid/$fs_uuid" ]; echo $?)" \
	"by-uuid link of the ext4 inside there when create returns"
ok "$([ -L /dev/disk/by-id/dm-name-flt-uv ] && [ -L /dev/disk/by-id/dm-name-flt-uv-file ]; echo $?)" \
	"by-id links of both layers"
no_cookie "create --luks"
flc_exit 0 "close the LUKS stack under udev" "$FLC" close flt-uv
ok "$([ ! -e "/dev/disk/by-uuid/$luks_uuid" ] && [ ! -e "/dev/disk/by-uuid/$fs_uuid" ] &&
	[ ! -e /dev/disk/by-id/dm-name-flt-uv ] && [ ! -e /dev/disk/by-id/dm-name-flt-uv-file ]; echo $?)" \
	"every link of the stack gone when close returns"
flc_exit 0 "open it again" "$FLC" open flt-uv "$d/vault.img" --key-file - \
	< <(printf '%s' "$pass")
ok "$([ -L "/dev/disk/by-uuid/$fs_uuid" ]; echo $?)" "the filesystem's link is back"
flc_exit 0 "and close" "$FLC" close flt-uv
no_cookie "the LUKS stack"

# --- a close racing an opener --------------------------------------------------
# udev's blkid probe opens the device for a moment after each change event;
# a close that looks at the open count then must not call it in use.
fails=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$FLC" open flt-race "$d/plain.img" --no-luks >/dev/null 2>&1 || { fails=$((fails + 1)); continue; }
	udevadm trigger --action=change /dev/mapper/flt-race
	"$FLC" close flt-race >"$FLT_DIR/race.out" 2>&1 || {
		fails=$((fails + 1)); diag "close $i: $(cat "$FLT_DIR/race.out")"; }
done
is "$fails" 0 "10 closes right after a change event (udev probing) all succeed"
flc_nothing_left "after the races"

# The same, surer: an opener that lets go 0.8 s after the close starts
# (the tool looks at the open count well before that), and one that holds
# on for 4 s.
"$FLC" open flt-race "$d/plain.img" --no-luks >/dev/null
( exec 3</dev/mapper/flt-race; sleep 0.9 ) &
sleep 0.1
flc_exit 0 "close while another opener lets go within a second" "$FLC" close flt-race
wait
"$FLC" open flt-race "$d/plain.img" --no-luks >/dev/null
( exec 3</dev/mapper/flt-race; sleep 4 ) &
holder=$!
sleep 0.1
timed t "$FLC" close flt-race
is "$FLC_RC" 3 "close while another opener holds on is refused (exit 3)"
flc_says "in use" "message says in use"
ok "$([ "$t" -le 3000 ]; echo $?)" "and refused within the second's grace (${t} ms)"
wait "$holder"
flc_exit 0 "close once the opener is gone" "$FLC" close flt-race
no_cookie "the races"

flc_nothing_left "end of suite"
done_testing
