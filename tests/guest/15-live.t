#!/bin/bash
# DESCRIPTION: live changes under load lose nothing: suspend waits for and
# holds I/O, and a reload to a longer table after the file grew, then to a
# copy of the file, under a running fio --verify=crc32c job, ends with zero
# verify errors; removal of an open device is refused with EBUSY.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blockdev, fio
#   (libaio), /dev/vdb as xfs (flt_scratch_fs: mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
a=$xfs/a.img b=$xfs/b.img
truncate -s 32M "$a"
flt_create flt-l --table "0 65536 fileloop $a 0"

# Suspend holds I/O: the write counter stays put while suspended.
dd if=/dev/urandom of=/dev/mapper/flt-l bs=64k count=512 oflag=direct conv=notrunc status=none &
dd_pid=$!
sleep 1
run_ok "suspend under load" dmsetup suspend flt-l
w0=$(flt_info flt-l writes); sleep 2; w1=$(flt_info flt-l writes)
is "$w1" "$w0" "no write completes while suspended"
is "$(dmsetup info -c --noheadings -o attr flt-l | cut -c3)" s "device reports suspended"
run_ok "resume" dmsetup resume flt-l
# wait must run in this shell: dd is not a child of a $(...) subshell.
wait $dd_pid
ok $? "writer finished without error after resume"

# fio writes and verifies 32 MiB while the table changes underneath.
fio --name=live --filename=/dev/mapper/flt-l --direct=1 --ioengine=libaio \
	--iodepth=8 --rw=randwrite --bs=4k --size=32M --verify=crc32c \
	--verify_fatal=1 --do_verify=1 --randrepeat=0 --verify_state_save=0 --output="$FLT_DIR/fio.out" &
fio_pid=$!
sleep 2
truncate -s 64M "$a"
run_ok "reload a longer table after the file grew" \
	dmsetup reload flt-l --table "0 131072 fileloop $a 0"
run_ok "resume swaps it in" dmsetup resume flt-l
is "$(blockdev --getsz /dev/mapper/flt-l)" 131072 "device grew to 64 MiB"
sleep 2
run_ok "suspend again" dmsetup suspend flt-l
cp --sparse=always "$a" "$b"
run_ok "reload onto a copy of the file" \
	dmsetup reload flt-l --table "0 131072 fileloop $b 0"
run_ok "resume onto the copy" dmsetup resume flt-l
wait $fio_pid
rc=$?
ok "$rc" "fio verify job across both reloads succeeded"
[ "$rc" -eq 0 ] || diag "$(cat "$FLT_DIR/fio.out")"
is "$(grep -c 'verify:' "$FLT_DIR/fio.out" | head -1)" 0 "fio reported no verify failure"
is "$(dmsetup table flt-l | cut -d' ' -f4)" "$b" "table now maps the copy"
is "$(flt_sha "$b" 0 33554432)" "$(flt_sha /dev/mapper/flt-l 0 33554432)" "device reads the copy"

# Open devices cannot be removed.
exec 3</dev/mapper/flt-l
out=$(dmsetup remove flt-l 2>&1); rc=$?
ok "$([ $rc -ne 0 ] && grep -q 'busy' <<<"$out"; echo $?)" "remove while open is refused as busy"
exec 3<&-
run_ok "remove once closed" dmsetup remove flt-l
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
