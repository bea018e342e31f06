#!/bin/bash
# DESCRIPTION: FLT_FUZZ_LINES (default 1500) random and mutated table
# lines (tests/tools/table-fuzz.c: numbers at and past 2^32 and 2^64,
# escapes, paths of every file type, features in any order and case,
# bytes flipped, lines cut): each is refused with one of the target's own
# messages in the kernel log, or makes a device that reads and goes away
# again; nothing stays mapped.  The seed is printed; FLT_FUZZ_SEED
# repeats a run.
# REQUIRES: the test VM, the dm-fileloop target, dm-zero, dmsetup,
#   build/test-tools/table-fuzz (make test-tools; libdevmapper, /dev/kmsg),
#   kernel/dm-fileloop.c in the tree, bind mounts; no scratch disk.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/test-tools/table-fuzz
[ -x "$bin" ] || { ok 1 "build/test-tools/table-fuzz is built (make test-tools)"; done_testing; exit; }

d=$FLT_DIR/fz
mkdir -p "$d/dir" "$d/rosrc" "$d/ro"
truncate -s 16M "$d/reg.img" "$d/rosrc/reg.img"
truncate -s 1M "$d/small.img"
truncate -s 8M "$d/with space.img"
mkfifo "$d/fifo"
ln -s reg.img "$d/link.img"
ln -s nothing "$d/dangling"
mount --bind "$d/rosrc" "$d/ro" && mount -o remount,ro,bind "$d/ro"
flt_create flt-fz-zero --table "0 65536 zero"

lines=${FLT_FUZZ_LINES:-1500}
seed=${FLT_FUZZ_SEED:-$(date +%s%N | cut -c1-15)}
diag "seed $seed (FLT_FUZZ_SEED=$seed repeats this run)"
t0=$(date +%s)
out=$("$bin" -n "$lines" -s "$seed" -d "$d" -b /dev/mapper/flt-fz-zero)
rc=$?
summary=$(tail -n 1 <<<"$out")
diag "$summary in $(($(date +%s) - t0))s"
ok $rc "$lines lines: each refused with a message, or a device that reads and goes away"
[ $rc = 0 ] || diag "$(grep '^bad' <<<"$out" | head -n 20)"

# Every fileloop refusal the kernel logged is one the target wrote.
known=$(grep -o '"[A-Za-z][^"]*"' "$top/kernel/dm-fileloop.c" | tr -d '"' | sed 's/\\\\/\\/g')
unknown=$(sed -n 's/^msg [0-9]* //p' <<<"$out" | grep -vxF -f <(printf '%s\n' "$known"))
is "$unknown" "" "every refusal message is one of the target's ti->error strings"
diag "$(grep '^msg' <<<"$out" | sort -k2 -n -r)"
created=$(sed -n 's/.* created \([0-9]*\) .*/\1/p' <<<"$summary")
refused=$(sed -n 's/.* refused \([0-9]*\) .*/\1/p' <<<"$summary")
ok "$([ "${created:-0}" -gt 0 ] && [ "${refused:-0}" -gt 0 ]; echo $?)" \
	"the lines both made devices ($created) and were refused ($refused)"
kinds=$(grep -c '^msg' <<<"$out")
ok "$([ "$kinds" -ge 10 ]; echo $?)" "at least 10 different refusals were met ($kinds)"

dmsetup remove flt-fz-zero
umount "$d/ro"
ok "$(flt_no_devices; echo $?)" "no device left at the end"
done_testing
