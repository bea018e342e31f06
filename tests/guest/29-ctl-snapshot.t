#!/bin/bash
# DESCRIPTION: fileloopctl snapshot NAME DEST: a crash-consistent copy of
# a live device's image.  On xfs (reflink): a LUKS vault with ext4 inside,
# mounted, with a writer making O_DSYNC records, is cloned while it
# writes; the clone opens, its ext4 recovers and fscks clean, and every
# record acknowledged before the snapshot began is in it; the device
# was suspended for milliseconds (1 GiB and 16 GiB images too) and the
# writer never saw an error.  On ext4 (no reflink) it is refused unless
# --copy, which copies; DEST is never overwritten.
# REQUIRES: the test VM, /dev/vda (ext4) and /dev/vdb (xfs with reflink),
#   $FLC, cryptsetup's dm-crypt, e2fsprogs, dd.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
mnt=$FLT_DIR/m
mkdir -p "$mnt" "$FLT_DIR/s"

# frozen_ms OUTPUT: the suspend time fileloopctl -v reported, in ms.
frozen_ms() { sed -n 's/.* suspended for \([0-9]*\)\.[0-9]* ms$/\1/p' <<<"$1"; }

"$FLC" keygen "$xfs/key" >/dev/null
"$FLC" create flt-sv "$xfs/vault.img" --size 256M --luks "${FLC_KDF[@]}" \
	--key-file "$xfs/key" --mkfs ext4 --mount "$mnt" >/dev/null
ok $? "a LUKS vault with ext4, mounted, on xfs"

# --- a clone under writes ---------------------------------------------------------
# Record N: 4 KiB at N * 4 KiB saying "record N", written O_DSYNC; its
# number goes to the log once dd returns (acknowledged).
writer() {
	local n=0
	while [ ! -e "$FLT_DIR/stop" ]; do
		printf 'record %08d\n' "$n" | dd of="$mnt/records" bs=4096 seek="$n" \
			conv=notrunc,sync oflag=dsync status=none || { echo "error $n" >>"$FLT_DIR/acked"; return 1; }
		echo "$n" >>"$FLT_DIR/acked"
		n=$((n + 1))
	done
}
: >"$FLT_DIR/acked"
writer &
wpid=$!
sleep 3
cp "$FLT_DIR/acked" "$FLT_DIR/acked-before"
out=$("$FLC" snapshot -v flt-sv "$xfs/snap.img" 2>&1)
ok $? "snapshot of the mounted vault while it writes" || diag "$out"
ms=$(frozen_ms "$out")
diag "256 MiB vault under O_DSYNC writes: suspended for ${ms:-?} ms"
ok "$([ -n "$ms" ] && [ "$ms" -lt 2000 ]; echo $?)" "suspended for ${ms:-?} ms, under 2 s (a clone, not a copy)"
grep -q ": clone of " <<<"$out"
ok $? "it was a clone (reflink), not a copy"
sleep 2
touch "$FLT_DIR/stop"
wait "$wpid"
ok $? "the writer never saw an error" || diag "$(tail -3 "$FLT_DIR/acked")"
before=$(wc -l <"$FLT_DIR/acked-before")
total=$(wc -l <"$FLT_DIR/acked")
diag "$before records acknowledged before the snapshot, $total in all"
ok "$([ "$total" -gt "$before" ] && [ "$before" -gt 0 ]; echo $?)" \
	"records were written before and after the snapshot"
is "$(stat -c %a "$xfs/snap.img")" 600 "the snapshot is 0600"

run_ok "open the snapshot (the same key)" "$FLC" open flt-ss "$xfs/snap.img" --key-file "$xfs/key"
e2fsck -p /dev/mapper/flt-ss >"$FLT_DIR/fsck" 2>&1
ok "$([ $? -le 1 ]; echo $?)" "its ext4 recovers its journal (e2fsck -p)" || diag "$(cat "$FLT_DIR/fsck")"
e2fsck -f -n /dev/mapper/flt-ss >"$FLT_DIR/fsck" 2>&1
ok $? "and then fscks clean (e2fsck -f -n)" || diag "$(cat "$FLT_DIR/fsck")"
mount -o ro /dev/mapper/flt-ss "$FLT_DIR/s"
lost=0
while read -r n; do
	got=$(dd if="$FLT_DIR/s/records" bs=4096 skip="$n" count=1 status=none | head -c 15)
	[ "$got" = "$(printf 'record %08d' "$n")" ] || lost=$((lost + 1))
done <"$FLT_DIR/acked-before"
is "$lost" 0 "every record acknowledged before the snapshot is in it ($before checked)"
umount "$FLT_DIR/s"
"$FLC" close flt-ss
umount "$mnt"
run_ok "the vault itself closes" "$FLC" close flt-sv
"$FLC" open flt-sv "$xfs/vault.img" --key-file "$xfs/key" --mount "$mnt"
is "$(($(stat -c %s "$mnt/records") / 4096))" "$total" "the vault kept every record written"
"$FLC" close flt-sv

# --- the freeze of bigger images ---------------------------------------------------------
for size in 1G 16G; do
	truncate -s "$size" "$xfs/big.img"
	dd if=/dev/urandom of="$xfs/big.img" bs=1M count=64 conv=notrunc status=none
	dd if=/dev/urandom of="$xfs/big.img" bs=1M count=64 seek=$(( $(numfmt --from=iec "$size") / 2 >> 20 )) conv=notrunc status=none
	"$FLC" open flt-sb "$xfs/big.img" --no-luks
	out=$("$FLC" snapshot -v flt-sb "$xfs/big-snap.img" 2>&1)
	ok $? "snapshot of a $size image (128 MiB written)" || diag "$out"
	ms=$(frozen_ms "$out")
	diag "$size image: suspended for ${ms:-?} ms"
	ok "$([ -n "$ms" ] && [ "$ms" -lt 2000 ]; echo $?)" "$size image: suspended for ${ms:-?} ms, under 2 s"
	half=$(( $(numfmt --from=iec "$size") / 2 ))
	is "$(flt_sha "$xfs/big-snap.img" 0 $((64 << 20)))-$(flt_sha "$xfs/big-snap.img" "$half" $((64 << 20)))" \
	   "$(flt_sha /dev/mapper/flt-sb 0 $((64 << 20)))-$(flt_sha /dev/mapper/flt-sb "$half" $((64 << 20)))" \
	   "$size image: the clone holds the device's written bytes"
	is "$(stat -c %s "$xfs/big-snap.img")" "$(numfmt --from=iec "$size")" "$size image: and its size"
	"$FLC" close flt-sb
	rm -f "$xfs/big.img" "$xfs/big-snap.img"
done

# --- no reflink: refused, or copied with --copy ------------------------------------------
flc_rand "$ext4/plain.img" 32M
"$FLC" open flt-sp "$ext4/plain.img" --no-luks
flc_exit 6 "snapshot on ext4 (no reflink)" "$FLC" snapshot flt-sp "$ext4/copy.img"
flc_says "cannot clone .* --copy copies it" "message says why and offers --copy"
ok "$([ ! -e "$ext4/copy.img" ]; echo $?)" "no DEST left behind"
out=$("$FLC" snapshot -v --copy flt-sp "$ext4/copy.img" 2>&1)
ok $? "snapshot --copy" || diag "$out"
grep -q ": copy of " <<<"$out"
ok $? "it says it copied"
is "$(sha "$ext4/copy.img")" "$(sha "$ext4/plain.img")" "the copy is the image"
flc_exit 3 "DEST exists" "$FLC" snapshot flt-sp "$ext4/copy.img"
flc_says "exists; snapshot never overwrites" "message says so"
is "$(sha "$ext4/copy.img")" "$(sha "$ext4/plain.img")" "the existing DEST is untouched"
"$FLC" close flt-sp
flc_exit 4 "no such device" "$FLC" snapshot flt-none "$ext4/x.img"
flc_nothing_left "end of suite"
done_testing
