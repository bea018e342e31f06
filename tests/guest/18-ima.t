#!/bin/bash
# DESCRIPTION: the IMA status (what dm-ima measures on a table load) gives
# the target's key=value pairs: file, offset, I/O mode, block size,
# discard and read-only, for a default, a featureful and a read-only table.
# REQUIRES: the test VM, the dm-fileloop target, IMA (securityfs at
#   /sys/kernel/security, a writable IMA policy, dm-ima measuring
#   device-mapper as CRITICAL_DATA), dmsetup, python3, /dev/vdb as xfs
#   (flt_scratch_fs: mkfs.xfs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

sec=/sys/kernel/security
mountpoint -q $sec || mount -t securityfs securityfs $sec
policy=$sec/ima/policy
if ! echo 'measure func=CRITICAL_DATA label=device-mapper template=ima-buf' > $policy; then
	ok 1 "load an IMA policy measuring device-mapper"
	done_testing; exit
fi
ok 0 "load an IMA policy measuring device-mapper"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
img=$xfs/ima.img
truncate -s 32M "$img"

# measured NAME: the fileloop part of the last table load measured for NAME.
measured() {
	grep ' dm_table_load ' $sec/ima/ascii_runtime_measurements |
		awk '{ print $NF }' | python3 -c '
import sys
for line in sys.stdin:
    print(bytes.fromhex(line.strip()).decode(errors="replace"))' |
		grep "name=$1," | tail -n 1 | grep -o 'target_name=fileloop[^;]*;'
}
base="target_name=fileloop,target_version=$FLT_TARGET_VERSION,file_name=$img"

flt_create flt-ima --table "0 32768 fileloop $img 2048"
is "$(measured flt-ima)" "$base,offset=2048,io_mode=direct,block_size=512,discard=y,readonly=n,shared=n;" \
	"default table: direct, 512, discard"
dmsetup remove flt-ima
flt_create flt-ima2 --table "0 16384 fileloop $img 0 4 buffered_io block_size 4096 no_discard"
is "$(measured flt-ima2)" "$base,offset=0,io_mode=buffered,block_size=4096,discard=n,readonly=n,shared=n;" \
	"buffered_io block_size 4096 no_discard"
dmsetup remove flt-ima2
flt_create --readonly flt-ima3 --table "0 16384 fileloop $img 0"
is "$(measured flt-ima3)" "$base,offset=0,io_mode=direct,block_size=512,discard=n,readonly=y,shared=n;" \
	"read-only table: no discard, readonly=y"
dmsetup remove flt-ima3

# dm-ima separates pairs with , and targets with ; and does not escape
# them: a file name holding them is escaped as \ooo, like a blank.
odd=$xfs/'a,b;c=d e.img'
truncate -s 8M "$odd"
flt_create flt-ima4 --table "0 16384 fileloop $xfs/a,b;c=d\\040e.img 0 1 shared"
is "$(measured flt-ima4)" "target_name=fileloop,target_version=$FLT_TARGET_VERSION,file_name=$xfs/a\\054b\\073c\\075d\\040e.img,offset=0,io_mode=direct,block_size=512,discard=y,readonly=n,shared=y;" \
	"file name with , ; = and a blank escaped; shared=y"
is "$(flt_table flt-ima4)" "fileloop $xfs/a,b;c=d\\040e.img 0 1 shared" \
	"the TABLE status escapes only what dm tables need"
dmsetup remove flt-ima4
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
