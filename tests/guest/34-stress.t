#!/bin/bash
# DESCRIPTION: stacked devices under memory pressure and churn, for
# FLT_STRESS_SECONDS (default 15) each, with the hung-task detector at
# 30 s.  Pressure: fileloop (buffered) on ext4 on LUKS on fileloop
# (direct) on xfs, fio writing and verifying through the top device from
# a cgroup limited to 64 MiB, so its page cache is reclaimed through both
# fileloop layers while it writes.  Churn: three processes create and
# remove devices as fast as they can while fio verifies through another
# device whose table is reloaded over and over.  Everything must verify,
# no device may be left, and the kernel must report nothing (guest-runner
# checks for hung tasks, lockdep and warnings).
# REQUIRES: the test VM, the dm-fileloop target, dm-crypt, cryptsetup
#   (LUKS2), dmsetup, fio (libaio, psync), mkfs.ext4, cgroup v2 with the
#   memory controller (CONFIG_MEMCG), the hung-task detector
#   (hung_task_timeout_secs, if present), /dev/vdb as xfs (flt_scratch_fs:
#   mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

secs=${FLT_STRESS_SECONDS:-15}
echo 30 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }

# --- memory pressure through a stack ------------------------------------------
truncate -s 512M "$xfs/lower.img"
flt_create flt-lower --table "0 1048576 fileloop $xfs/lower.img 0 1 direct_io"
printf 'pw' > "$FLT_DIR/pw"
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--key-file "$FLT_DIR/pw" /dev/mapper/flt-lower &&
	cryptsetup open --key-file "$FLT_DIR/pw" /dev/mapper/flt-lower flt-crypt
ok $? "LUKS on the lower fileloop device"
mkfs.ext4 -q -F /dev/mapper/flt-crypt >/dev/null
mkdir -p "$FLT_DIR/mid"
mount /dev/mapper/flt-crypt "$FLT_DIR/mid"
truncate -s 256M "$FLT_DIR/mid/upper.img"
flt_create flt-upper --table "0 524288 fileloop $FLT_DIR/mid/upper.img 0 1 buffered_io"

cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 none $cg
grep -qw memory $cg/cgroup.controllers
ok $? "the kernel has the memory cgroup controller (CONFIG_MEMCG)"
echo +memory > $cg/cgroup.subtree_control 2>/dev/null
mkdir -p $cg/flt-stress
echo $((64 << 20)) > $cg/flt-stress/memory.max
ok $? "a cgroup limited to 64 MiB"
# Buffered I/O through the page cache of the block device, twice the
# limit: what it writes must be reclaimed while it writes.  Two jobs, each
# in its own 64 MiB: a job verifies only what it wrote, and one writing
# over the other's blocks would fail the other's verify.  Whole passes,
# not a time: a slow kernel (the debug one) must reach the limit too; one
# pass of each job by default, one more for every further 15 s asked.
passes=$((secs / 15 > 1 ? secs / 15 : 1))
sh -c "echo \$\$ > $cg/flt-stress/cgroup.procs && exec fio --name=pressure \
	--filename=/dev/mapper/flt-upper --ioengine=psync --direct=0 --rw=randwrite \
	--bs=16k --size=64M --offset_increment=64M --loops=$passes --numjobs=2 \
	--verify=crc32c --verify_fatal=1 --verify_backlog=256 --verify_state_save=0 \
	--output=$FLT_DIR/fio-pressure" >/dev/null 2>&1
rc=$?
ok $rc "pressure: fio verify through fileloop on ext4 on LUKS on fileloop, $passes x 2 x 64 MiB in 64 MiB"
[ $rc = 0 ] || diag "$(grep -iE "verify|err=|error|bad" "$FLT_DIR/fio-pressure" | head -n 20)" "$(tail -n 20 "$FLT_DIR/fio-pressure")"
ok "$([ "$(cat $cg/flt-stress/memory.events 2>/dev/null | awk '$1 == "max" { print $2 }')" -gt 0 ]; echo $?)" \
	"pressure: the cgroup hit its limit ($(tr '\n' ' ' < $cg/flt-stress/memory.events))"
is "$(flt_info flt-upper errors):$(flt_info flt-lower errors)" "0:0" "pressure: no errors in either layer"
dmsetup remove flt-upper
umount "$FLT_DIR/mid"
cryptsetup close flt-crypt
dmsetup remove flt-lower
rmdir $cg/flt-stress

# --- churn around a device reloaded under fio verify -----------------------------
flt_file "$xfs/busy.img" 64M
flt_create flt-busy --table "0 131072 fileloop $xfs/busy.img 0"
for p in 1 2 3; do truncate -s 1M "$xfs/churn$p.img"; done
fio --name=reloaded --filename=/dev/mapper/flt-busy --ioengine=libaio --direct=1 \
	--iodepth=16 --rw=randwrite --bs=4k --size=64M --time_based --runtime="$secs" \
	--verify=crc32c --verify_fatal=1 --verify_backlog=512 --verify_state_save=0 \
	--output="$FLT_DIR/fio-reload" >/dev/null 2>&1 &
fiopid=$!
# churner P: create and remove flt-churnP-N until told to stop; prints
# how many it made and how many steps failed.
churner() {
	local p=$1 n=0 fails=0
	while [ ! -e "$FLT_DIR/stop" ]; do
		n=$((n + 1))
		dmsetup create "flt-churn$p-$n" --table "0 2048 fileloop $xfs/churn$p.img 0" \
			>/dev/null 2>&1 || fails=$((fails + 1))
		dmsetup remove --retry "flt-churn$p-$n" >/dev/null 2>&1 || fails=$((fails + 1))
	done
	echo "$n $fails"
}
for p in 1 2 3; do churner $p > "$FLT_DIR/churn$p" & done
reloads=0 reload_fails=0
end=$(($(date +%s) + secs))
while [ "$(date +%s)" -lt "$end" ]; do
	if dmsetup reload flt-busy --table "0 131072 fileloop $xfs/busy.img 0" &&
	   dmsetup resume flt-busy; then
		reloads=$((reloads + 1))
	else
		reload_fails=$((reload_fails + 1))
	fi
	sleep 0.5
done
touch "$FLT_DIR/stop"
wait $fiopid
rc=$?
wait
ok $rc "churn: fio verify through $reloads live reloads"
[ $rc = 0 ] || diag "$(tail -n 20 "$FLT_DIR/fio-reload")"
is "$reload_fails" 0 "churn: every reload succeeded"
made=0 fails=0
for p in 1 2 3; do
	read -r n f < "$FLT_DIR/churn$p"
	made=$((made + n)) fails=$((fails + f))
done
is "$fails" 0 "churn: $made devices created and removed by 3 processes, no step failed"
ok "$([ "$made" -ge 6 ] && [ "$reloads" -ge 1 ]; echo $?)" \
	"churn: the processes made 6 devices or more and the reloads happened ($made, $reloads)"
dmsetup remove flt-busy
ok "$(flt_no_devices; echo $?)" "no device left at the end"
done_testing
