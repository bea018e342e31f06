#!/bin/bash
# DESCRIPTION: crash consistency, the fstests way.  dm-log-writes under
# the backing xfs records every write, flush and FUA while a workload
# writes numbered 4 KiB records through a fileloop device, each
# acknowledged by O_DSYNC (FUA) or fsync (flush) and then marked in the
# log.  Three stacks: the raw device in direct and in buffered mode, and
# a file on ext4 on LUKS on the device (direct mode).  tests/tools/log-replay
# rebuilds the disk as it stood at FLUSH/FUA entries and at the
# acknowledgement marks themselves (a crash the moment a write was
# acknowledged), after the stack was made: FLT_REPLAY_POINTS of them
# (default 4, half of each kind, evenly spread, the last of each always).
# At each, xfs must mount (log recovery), the image map again, ext4 mount
# (journal recovery) and then fsck clean, and every record acknowledged by
# then read back whole.  FLT_REPLAY_STACKS chooses among direct_io,
# buffered_io and luks-ext4 (default: all three).
# REQUIRES: the test VM, the dm-fileloop target, dm-linear, dm-log-writes,
#   dm-crypt, cryptsetup (LUKS2), dmsetup, blockdev, mkfs.xfs, mkfs.ext4,
#   e2fsck, cmp, build/test-tools/log-replay (make test-tools), raw
#   /dev/vdb of at least 1.5 GiB (512 MiB data, 1 GiB log; not through
#   flt_scratch_fs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
replay=$top/build/test-tools/log-replay
[ -x "$replay" ] || { ok 1 "build/test-tools/log-replay is built (make test-tools)"; done_testing; exit; }

disk=/dev/vdb
data_sectors=1048576		# 512 MiB of filesystem
log_sectors=2097152		# 1 GiB of log
records=${FLT_REPLAY_RECORDS:-24}
max_points=${FLT_REPLAY_POINTS:-4}
R=$FLT_DIR/replay
mkdir -p "$R/m" "$R/e" "$FLT_DIR/mnt" "$FLT_DIR/ext"
printf 'crash test passphrase' > "$R/pass"

# record I: the 4 KiB the workload writes as record I.
record() { yes "record $1 of the crash test" | head -c 4096; }

# check_point MODE ENTRY: rebuild the disk up to ENTRY (inclusive), mount
# it and check the records marked acknowledged before it.  Sets pt_acked
# and pt_lost, or pt_err and returns 1.
check_point() {
	local mode=$1 c=$2 acked
	pt_acked=0 pt_lost=0 pt_err=
	cp --sparse=always "$R/replay.img" "$R/chk.img" &&
		dmsetup create flt-chk --table "0 $data_sectors fileloop $R/chk.img 0" ||
		{ pt_err="cannot map the rebuilt disk"; return 1; }
	if ! mount -t xfs /dev/mapper/flt-chk "$R/m" 2>"$R/mount.err"; then
		pt_err="xfs does not mount: $(cat "$R/mount.err")"
		dmsetup remove flt-chk
		return 1
	fi
	if [ "$mode" = luks-ext4 ]; then
		check_ext4_on_luks || { umount "$R/m"; dmsetup remove flt-chk; return 1; }
	else
		if ! dmsetup create --readonly flt-chktop --table "0 $img_sectors fileloop $R/m/img 0"; then
			pt_err="the image does not map"
			umount "$R/m"; dmsetup remove flt-chk
			return 1
		fi
		dd if=/dev/mapper/flt-chktop of="$R/actual" bs=4096 count="$records" status=none
		dmsetup remove flt-chktop
	fi
	acked=$(awk -v c="$c" '$1 <= c && $5 ~ /^ack-/ { sub("ack-", "", $5); print $5 }' "$R/entries")
	# Records that differ from what was written, by number.
	cmp -l "$R/actual" "$R/expected" 2>/dev/null |
		awk '{ print int(($1 - 1) / 4096) }' | sort -u > "$R/differ"
	pt_acked=$(printf '%s\n' $acked | grep -c .)
	pt_lost=$(printf '%s\n' $acked | grep -cxF -f "$R/differ")
	umount "$R/m"
	dmsetup remove flt-chk
	return 0
}

# check_ext4_on_luks: with the rebuilt xfs at $R/m, open the LUKS image on
# it, mount ext4 (journal recovery), copy the records file to $R/actual,
# unmount and fsck.  Read-write: recovery writes, into the copy.
check_ext4_on_luks() {
	local rc=0
	dmsetup create flt-chktop --table "0 $img_sectors fileloop $R/m/img 0" ||
		{ pt_err="the image does not map"; return 1; }
	if ! cryptsetup open --key-file "$R/pass" /dev/mapper/flt-chktop flt-chkcrypt; then
		pt_err="the LUKS header does not open"
		dmsetup remove flt-chktop
		return 1
	fi
	if mount -t ext4 /dev/mapper/flt-chkcrypt "$R/e" 2>"$R/mount.err"; then
		dd if="$R/e/records" of="$R/actual" bs=4096 count="$records" status=none
		umount "$R/e"
		e2fsck -f -n /dev/mapper/flt-chkcrypt > "$R/fsck.out" 2>&1 ||
			{ rc=1; pt_err="e2fsck: $(tail -n 5 "$R/fsck.out")"; }
	else
		rc=1 pt_err="ext4 does not mount: $(cat "$R/mount.err")"
	fi
	cryptsetup close flt-chkcrypt
	dmsetup remove flt-chktop
	return $rc
}

for i in $(seq 0 $((records - 1))); do record "$i"; done > "$R/expected"

for mode in ${FLT_REPLAY_STACKS:-direct_io buffered_io luks-ext4}; do
	dmsetup create flt-data --table "0 $data_sectors linear $disk 0" &&
	dmsetup create flt-logdev --table "0 $log_sectors linear $disk $data_sectors" &&
	# A zeroed super block: an old log's entries must not look valid.
	dd if=/dev/zero of=/dev/mapper/flt-logdev bs=1M count=1 oflag=direct status=none &&
	dmsetup create flt-log --table "0 $data_sectors log-writes /dev/mapper/flt-data /dev/mapper/flt-logdev"
	ok $? "$mode: dm-log-writes under the backing filesystem" || break
	# mkfs discards the whole device first: the replay starts from zeroes.
	mkfs.xfs -q -f /dev/mapper/flt-log >/dev/null
	mount /dev/mapper/flt-log "$FLT_DIR/mnt"
	# LUKS2's header takes 16 MiB of the image.
	img_sectors=65536
	[ "$mode" = luks-ext4 ] && img_sectors=131072
	truncate -s $((img_sectors * 512)) "$FLT_DIR/mnt/img"
	if [ "$mode" = luks-ext4 ]; then
		flt_create flt-top --table "0 $img_sectors fileloop $FLT_DIR/mnt/img 0 1 direct_io"
		cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
			--key-file "$R/pass" /dev/mapper/flt-top &&
		cryptsetup open --key-file "$R/pass" /dev/mapper/flt-top flt-crypt &&
		mkfs.ext4 -q /dev/mapper/flt-crypt >/dev/null &&
		mount /dev/mapper/flt-crypt "$FLT_DIR/ext" &&
		dd if=/dev/zero of="$FLT_DIR/ext/records" bs=4096 count="$records" \
			conv=fsync status=none
		ok $? "$mode: ext4 on LUKS on fileloop, a records file in it" || break
		target=$FLT_DIR/ext/records fsck_note=", ext4 mounts and fscks clean"
	else
		flt_create flt-top --table "0 $img_sectors fileloop $FLT_DIR/mnt/img 0 1 $mode"
		target=/dev/mapper/flt-top fsck_note=
	fi
	sync -f "$FLT_DIR/mnt"
	# Points before this mark predate the image: only later ones count.
	dmsetup message flt-log 0 mark start

	# The workload: odd records by O_DIRECT|O_DSYNC (FUA), even ones by
	# a page-cache write and fsync (flush); each marked once acknowledged.
	failed=0
	for i in $(seq 0 $((records - 1))); do
		if [ $((i % 2)) = 1 ]; then
			record "$i" | dd of="$target" bs=4096 seek="$i" \
				oflag=direct,dsync conv=notrunc status=none
		else
			record "$i" | dd of="$target" bs=4096 seek="$i" \
				conv=fsync,notrunc status=none
		fi || failed=$((failed + 1))
		dmsetup message flt-log 0 mark "ack-$i" || failed=$((failed + 1))
	done
	is "$failed" 0 "$mode: $records records written, acknowledged and marked"
	if [ "$mode" = luks-ext4 ]; then
		umount "$FLT_DIR/ext"
		cryptsetup close flt-crypt
	fi
	dmsetup remove flt-top
	umount "$FLT_DIR/mnt"
	dmsetup remove flt-log
	dmsetup remove flt-data

	# The log was written below the page cache of flt-logdev.
	blockdev --flushbufs /dev/mapper/flt-logdev
	"$replay" /dev/mapper/flt-logdev list > "$R/entries"
	ok $? "$mode: the log reads back ($(wc -l < "$R/entries") entries)" ||
		diag "log super block: $(dd if=/dev/mapper/flt-logdev bs=4096 count=1 iflag=direct status=none | od -A d -t x1 | head -n 2)" \
			"$(dmesg | grep -i 'log-writes\|logdev' | tail -n 5)"
	marks=$(grep -c ' ack-' "$R/entries")
	is "$marks" "$records" "$mode: every acknowledgement is in the log" ||
		diag "last entries:" "$(tail -n 5 "$R/entries")" \
			"$(dmesg | grep -iE 'log-writes|log writes|logdev|fileloop|crypt|I/O error|vdb|blk_update' | tail -n 20)"
	# Crash points, once the image exists: FLUSH and FUA entries (what the
	# filesystem made durable) and the acknowledgement marks themselves
	# (a crash the moment a write was acknowledged), half of each.
	awk '$5 == "start" { s = 1 } s && $2 ~ /[FU]/ { print $1 }' "$R/entries" > "$R/points.fu"
	awk '$5 ~ /^ack-/ { print $1 }' "$R/entries" > "$R/points.ack"
	total=$(cat "$R/points.fu" "$R/points.ack" | wc -l)
	for f in fu ack; do
		awk -v n="$(wc -l < "$R/points.$f")" -v m=$(((max_points + 1) / 2)) \
			'{ if (n <= m || int((NR - 1) * m / n) != int(NR * m / n) || NR == n) print }' \
			"$R/points.$f"
	done | sort -n -u > "$R/points"
	rm -f "$R/replay.img"
	truncate -s $((data_sectors * 512)) "$R/replay.img"
	applied=0 points=0 checked=0 lost=0 bad=
	while read -r c; do
		"$replay" /dev/mapper/flt-logdev apply "$applied" $((c + 1)) "$R/replay.img" || { bad="apply $c"; break; }
		applied=$((c + 1))
		check_point "$mode" "$c" || { bad="point $c: $pt_err"; break; }
		points=$((points + 1))
		checked=$((checked + pt_acked))
		lost=$((lost + pt_lost))
	done < "$R/points"
	is "$bad" "" "$mode: the disk as of each of $points of $total FLUSH/FUA and acknowledgement points mounts and maps$fsck_note"
	is "$lost" 0 "$mode: $checked acknowledged records checked across the points, none lost"
	# The last point comes after every acknowledgement.
	ok "$([ "$(tail -n 1 "$R/points")" -ge "$(tail -n 1 "$R/points.ack")" ]; echo $?)" \
		"$mode: the last point checked is at or after the last acknowledgement"
	dmsetup remove flt-logdev
	rm -f "$R/replay.img" "$R/chk.img"
done

ok "$(flt_no_devices; echo $?)" "no device left at the end"
done_testing
