#!/bin/bash
# DESCRIPTION: fileloopctl move NAME NEWFILE moves a mounted LUKS + ext4
# vault's image to a file on another filesystem through dm-clone while fio
# writes and verifies through it: fio's verify passes, the device ends on
# a plain fileloop table of the new file (0600, the helpers and the
# metadata file gone), the old file is no longer written, and the vault
# reopens from the new file, fsck clean, data intact; a move stopped by a
# signal goes on in the kernel and the same command finishes it; refusals (an
# existing file, a read-only device, a device of two files, no device).
# A kernel without dm-clone (Debian's 6.1 and 6.12) refuses the move.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), dm-clone for the move itself, dm-crypt, cryptsetup, dmsetup,
#   fio, mkfs.ext4, e2fsck, /dev/vda as ext4 and /dev/vdb as xfs.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

# A move's stack comes down from the top: LUKS, the clone, its helpers.
move_cleanup() {
	umount -l "$FLT_DIR/mnt" 2>/dev/null
	cryptsetup close flt-mv 2>/dev/null
	dmsetup remove flt-mv-file 2>/dev/null
	flc_cleanup
}
trap move_cleanup EXIT

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
mnt=$FLT_DIR/mnt
mkdir -p "$mnt"
M=$((1 << 20))
"$FLC" keygen "$ext4/k"

modprobe dm-clone 2>/dev/null
if ! dmsetup targets | grep -q '^clone '; then
	truncate -s 32M "$ext4/p.img"
	flc_exit 0 "open" "$FLC" open flt-mv "$ext4/p.img"
	flc_exit 4 "no dm-clone in $(uname -r): move refused" "$FLC" move flt-mv "$xfs/new.img"
	flc_says "no dm-clone target" "says why"
	ok "$([ ! -e "$xfs/new.img" ]; echo $?)" "made no file"
	is "$(dmsetup table flt-mv | awk '{ print $3, $4 }')" "fileloop $ext4/p.img" \
		"the device is as it was"
	flc_exit 0 "close" "$FLC" close flt-mv
	flc_nothing_left "end"
	done_testing
	exit
fi

# --- a mounted vault moves under fio ---------------------------------------------
flc_exit 0 "create --luks --mkfs ext4, mounted" "$FLC" create flt-mv "$ext4/mv.img" \
	--size 192M --luks "${FLC_KDF[@]}" --key-file "$ext4/k" --mkfs ext4 --mount "$mnt"
flc_rand "$FLT_DIR/data" 48M
cp "$FLT_DIR/data" "$mnt/data" && sync
want=$(sha "$FLT_DIR/data")

fio --name=move --filename="$mnt/fio.dat" --size=24M --rw=randwrite --bs=4k \
	--ioengine=psync --direct=1 --verify=crc32c --do_verify=1 --verify_state_save=0 \
	--output="$FLT_DIR/fio.out" >/dev/null 2>&1 &
fio_pid=$!
sleep 1
t0=$(date +%s%N)
flc_exit 0 "move to a file on xfs, fio writing" "$FLC" -v move flt-mv "$xfs/mv.img"
t1=$(date +%s%N)
flc_says "moved to $xfs/mv.img, 192 MiB in" "-v: what moved, in what time"
diag "moved 192 MiB in $(((t1 - t0) / 1000000)) ms under fio"
wait "$fio_pid"
is "$?" 0 "fio's writes through the move verify"
grep -q "err= 0" "$FLT_DIR/fio.out"
ok $? "fio reports no error"

is "$(dmsetup table flt-mv-file | awk '{ print $3, $4, $5, $6 }')" "fileloop $xfs/mv.img 0 " \
	"the device is a fileloop table of the new file, not shared"
is "$(dmsetup ls | awk '$1 ~ /-mv(src|dst|meta)$/' | wc -l)" 0 "no helper left"
ok "$([ ! -e "$xfs/mv.img.fileloop-move" ]; echo $?)" "metadata file removed"
is "$(stat -c '%a %s' "$xfs/mv.img")" "600 $((192 * M))" "new file: 0600, 192 MiB"
is "$(sha "$mnt/data")" "$want" "data intact"
old=$(sha "$ext4/mv.img")
flc_rand "$FLT_DIR/more" 8M
cp "$FLT_DIR/more" "$mnt/more" && sync
is "$(sha "$ext4/mv.img")" "$old" "the old file is no longer written"
flc_exit 0 "close" "$FLC" close flt-mv
flc_exit 0 "reopen from the new file" "$FLC" open flt-mv "$xfs/mv.img" --key-file "$ext4/k"
run_ok "e2fsck -fn: clean" e2fsck -fn /dev/mapper/flt-mv
flc_exit 0 "close" "$FLC" close flt-mv

# --- stopped while it copies, then the same command again -----------------------
# SIGTERM, as ^C is to a job in the foreground (a script's background job
# ignores SIGINT, and move leaves an ignored signal ignored).
flc_exit 0 "open the vault, mounted" "$FLC" open flt-mv "$xfs/mv.img" --key-file "$ext4/k" \
	--mount "$mnt"
fio --name=slow --filename="$mnt/fio2.dat" --size=16M --rw=randwrite --bs=4k \
	--ioengine=psync --direct=1 --verify=crc32c --do_verify=1 --verify_state_save=0 \
	--output="$FLT_DIR/fio2.out" >/dev/null 2>&1 &
fio_pid=$!
"$FLC" move flt-mv "$ext4/back.img" 2>"$FLT_DIR/mv.err" &
mv_pid=$!
for _ in $(seq 300); do
	dmsetup table flt-mv-file 2>/dev/null | grep -q ' clone ' && break
	sleep 0.1
done
kill -TERM "$mv_pid"
wait "$mv_pid"
rc=$?
is "$rc" 143 "a stopped move dies of the signal (128 + 15)"
grep -q "the copy goes on in the kernel" "$FLT_DIR/mv.err"
ok $? "and says the copy goes on"
is "$(dmsetup table flt-mv-file | awk '{ print $3 }')" clone "the device is still on the clone"
flc_exit 0 "the same command finishes the move" "$FLC" -v move flt-mv "$ext4/back.img"
flc_says "a move to $ext4/back.img is running: waiting for it" "-v: it picked the move up"
wait "$fio_pid"
is "$?" 0 "fio's writes through it verify"
is "$(dmsetup table flt-mv-file | awk '{ print $3, $4 }')" "fileloop $ext4/back.img" "moved back"
is "$(sha "$mnt/data")" "$want" "data intact"

# --- refusals --------------------------------------------------------------------
flc_exit 3 "move to an existing file" "$FLC" move flt-mv "$xfs/mv.img"
flc_says "exists; move makes a new file" "says so"
flc_exit 0 "close" "$FLC" close flt-mv
flc_exit 0 "open read-only" "$FLC" open flt-mv "$ext4/back.img" --key-file "$ext4/k" -r
flc_exit 1 "move of a read-only device" "$FLC" move flt-mv "$xfs/ro.img"
flc_exit 0 "close" "$FLC" close flt-mv
truncate -s 16M "$ext4/a.img" "$xfs/b.img"
flc_exit 0 "open a device of two files" "$FLC" open flt-two "$ext4/a.img" --file "$xfs/b.img"
flc_exit 1 "move of a device of two files" "$FLC" move flt-two "$xfs/c.img"
flc_says "maps 2 files" "says why"
flc_exit 0 "close" "$FLC" close flt-two
flc_exit 4 "move of no device" "$FLC" move flt-none "$xfs/d.img"
ok "$([ ! -e "$xfs/ro.img" ] && [ ! -e "$xfs/c.img" ] && [ ! -e "$xfs/d.img" ]; echo $?)" \
	"the refusals made no file"
flc_nothing_left "end"
done_testing
