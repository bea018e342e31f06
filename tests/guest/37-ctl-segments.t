#!/bin/bash
# DESCRIPTION: devices that span files: open --file FILE[:OFFSET:SIZE] maps
# more files after the first, one table line each, back to back, and the
# data of each range lands in its file; status and list show the
# segments; ranges of one file that overlap, or that the file is too small
# for, are refused with nothing mapped; resize --add-file grows a mounted
# LUKS + ext4 vault onto a new 0600 file on another filesystem (LUKS and
# ext4 grow with it) while fio writes and verifies through it, resize
# --size then grows that last file (not one
# given a SIZE), and the vault reopens from both files with its data;
# an --add-file that fails puts the old table back and removes the file it
# made; create --file makes the further files; filelooptab's file=.
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), dm-crypt, cryptsetup, dmsetup, jq, blockdev, mkfs.ext4, e2fsck,
#   fio, valgrind (else those cases skipped),
#   /dev/vda as ext4 and /dev/vdb as xfs (flt_scratch_fs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
a=$ext4/a.img
b=$xfs/b.img
truncate -s 32M "$a"
truncate -s 16M "$b"
M=$((1 << 20))
mkdir -p "$FLT_DIR/mnt"

# --- two whole files ------------------------------------------------------------
flc_exit 0 "open a.img --file b.img" "$FLC" open flt-seg "$a" --file "$b"
is "$(blockdev --getsize64 /dev/mapper/flt-seg)" $((48 * M)) "48 MiB: 32 + 16"
is "$(dmsetup table flt-seg | awk '{ print $1, $2, $3, $4, $5 }' | tr '\n' ';')" \
	"0 65536 fileloop $a 0;65536 32768 fileloop $b 0;" "two lines, back to back"
flc_rand "$FLT_DIR/src" 48M
dd if="$FLT_DIR/src" of=/dev/mapper/flt-seg bs=1M oflag=direct status=none
is "$(flt_sha "$a" 0 $((32 * M)))" "$(flt_sha "$FLT_DIR/src" 0 $((32 * M)))" \
	"the first 32 MiB are in a.img"
is "$(flt_sha "$b" 0 $((16 * M)))" "$(flt_sha "$FLT_DIR/src" $((32 * M)) $((16 * M)))" \
	"the next 16 MiB are in b.img"
flc_exit 0 "status" "$FLC" status flt-seg
flc_says "segments: +2" "status: 2 segments"
flc_says "1: $b, offset 0 bytes, 16M \\($((16 * M)) bytes\\) at byte $((32 * M))" \
	"status: the second segment, where it starts"
is "$("$FLC" list -O NAME,SEGMENTS,FILES,SIZE --json | jq -r '.fileloop[0] | "\(.segments) \(.files) \(.size)"')" \
	"2 $a,$b $((48 * M))" "list --json: SEGMENTS, FILES, SIZE"
flc_exit 0 "close" "$FLC" close flt-seg
flc_nothing_left "close"

# The paths that map, list and take down several files, under valgrind.
vg=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite)
vg_ok() { # vg_ok DESC ARGS...
	local desc=$1 out rc; shift
	out=$("${vg[@]}" "$FLC" "$@" 2>&1); rc=$?
	if [ "$rc" = 0 ] &&
	   ! grep -qE '^==[0-9]+== +(Invalid|Conditional|Use of uninit|Syscall param|.*definitely lost|Mismatched|.*free)' <<<"$out"; then
		ok 0 "valgrind: $desc"
	else
		ok 1 "valgrind: $desc"; diag "exit $rc" "$out"
	fi
}
if command -v valgrind >/dev/null; then
	vg_ok "open --file" open flt-seg "$a" --file "$b:4M:8M"
	vg_ok "status of two segments" status flt-seg
	vg_ok "close" close flt-seg
else
	ok 0 "# SKIP valgrind not installed"
fi
flc_nothing_left "valgrind"

# --- a range of a file, and two ranges of one file -----------------------------------
flc_exit 0 "open --file b.img:4M:8M" "$FLC" open flt-seg "$a" --file "$b:4M:8M"
is "$(dmsetup table flt-seg | sed -n 2p | awk '{ print $1, $2, $5 }')" "65536 16384 8192" \
	"second line: 8 MiB at sector 8192 of b.img"
dd if="$FLT_DIR/src" of=/dev/mapper/flt-seg bs=1M seek=32 count=8 oflag=direct status=none
is "$(flt_sha "$b" $((4 * M)) $((8 * M)))" "$(flt_sha "$FLT_DIR/src" 0 $((8 * M)))" \
	"the data is at 4 MiB into b.img"
flc_exit 1 "resize: the last segment was given a SIZE" "$FLC" resize flt-seg --size 32M
flc_says "ends before its file" "says why, and --add-file"
is "$(stat -c %s "$b")" $((16 * M)) "b.img unchanged"
flc_exit 0 "close" "$FLC" close flt-seg
flc_exit 0 "two ranges of a.img that do not overlap" \
	"$FLC" open flt-seg "$a" --sizelimit 16M --file "$a:16M:16M"
is "$(blockdev --getsize64 /dev/mapper/flt-seg)" $((32 * M)) "32 MiB"
flc_exit 0 "close" "$FLC" close flt-seg
flc_exit 1 "a range of a.img mapped twice" "$FLC" open flt-seg "$a" --file "$a:16M:8M"
flc_says "two segments map the same bytes of it" "says the ranges overlap"
flc_exit 1 "the same extra file twice" "$FLC" open flt-seg "$a" --file "$b" --file "$b"
flc_exit 1 "a range past the end of b.img" "$FLC" open flt-seg "$a" --file "$b:12M:8M"
flc_says "$b" "names the file"
flc_exit 4 "a missing extra file" "$FLC" open flt-seg "$a" --file "$xfs/none.img"
flc_nothing_left "refused --file"
flc_exit 0 "b.img mapped by another device" "$FLC" open flt-other "$b"
flc_exit 3 "cannot be a segment too" "$FLC" open flt-seg "$a" --file "$b"
flc_says "^fileloopctl: $b is already mapped by flt-other;" "names the file and its holder"
flc_exit 0 "close the other" "$FLC" close flt-other
flc_nothing_left "in use"

# --- resize --add-file: a mounted LUKS + ext4 vault onto another filesystem ---------
"$FLC" keygen "$ext4/k"
flc_exit 0 "create --luks --mkfs ext4, mounted" "$FLC" create flt-segl "$ext4/v.img" \
	--size 48M --luks "${FLC_KDF[@]}" --key-file "$ext4/k" --mkfs ext4 --mount "$FLT_DIR/mnt"
flc_rand "$FLT_DIR/mnt/data" 20M
want=$(sha "$FLT_DIR/mnt/data")
luks0=$(blockdev --getsize64 /dev/mapper/flt-segl)
flc_exit 4 "--add-file of a missing file without --size" \
	"$FLC" resize flt-segl --add-file "$xfs/c.img" --key-file "$ext4/k"
flc_says "give --size to make it" "says --size makes it"
flc_exit 3 "--add-file of an existing file with --size" \
	"$FLC" resize flt-segl --add-file "$b" --size 8M --key-file "$ext4/k"
flc_exit 5 "--add-file with a wrong key" \
	"$FLC" resize flt-segl --add-file "$xfs/c.img" --size 32M --key-file - <<<"wrong"
ok "$([ ! -e "$xfs/c.img" ]; echo $?)" "the file it made is gone"
is "$(dmsetup table flt-segl-file | wc -l)" 1 "the old table is back"
# fio writes and verifies through the vault while it grows, twice.
fio --name=grow --filename="$FLT_DIR/mnt/fio.dat" --size=4M --rw=randwrite --bs=4k \
	--ioengine=psync --direct=1 --verify=crc32c --do_verify=1 --verify_state_save=0 \
	--output="$FLT_DIR/fio.out" >/dev/null 2>&1 &
fio_pid=$!
flc_exit 0 "resize --add-file c.img --size 32M --fs, fio writing" \
	"$FLC" resize flt-segl --add-file "$xfs/c.img" --size 32M --fs --key-file "$ext4/k"
is "$(stat -c '%a %s' "$xfs/c.img")" "600 $((32 * M))" "c.img made 0600, 32 MiB"
is "$(blockdev --getsize64 /dev/mapper/flt-segl-file)" $((80 * M)) "file layer: 48 + 32 MiB"
is "$(blockdev --getsize64 /dev/mapper/flt-segl)" $((luks0 + 32 * M)) "LUKS grew by 32 MiB"
ok "$([ "$(df -B1 --output=size "$FLT_DIR/mnt" | tail -1)" -gt $((50 * M)) ]; echo $?)" \
	"ext4 grew online past 50 MiB"
flc_exit 0 "resize --size 40M grows the last file, fio writing" \
	"$FLC" resize flt-segl --size 40M --fs --key-file "$ext4/k"
wait "$fio_pid"
fio_rc=$?
is "$fio_rc" 0 "fio's writes through both resizes verify"
[ "$fio_rc" = 0 ] || diag "$(tail -n 20 "$FLT_DIR/fio.out")"
is "$(stat -c %s "$xfs/c.img"):$(stat -c %s "$ext4/v.img")" "$((40 * M)):$((48 * M))" \
	"c.img grew to 40 MiB, v.img did not"
is "$(blockdev --getsize64 /dev/mapper/flt-segl-file)" $((88 * M)) "file layer: 48 + 40 MiB"
is "$(dmsetup table flt-segl-file | awk '{ print $1, $2 }' | tr '\n' ';')" \
	"0 98304;98304 81920;" "two lines, the second 40 MiB"
flc_rand "$FLT_DIR/more" 24M
cp "$FLT_DIR/more" "$FLT_DIR/mnt/more" && sync
is "$(sha "$FLT_DIR/mnt/data")" "$want" "data intact"
flc_exit 0 "close" "$FLC" close flt-segl
flc_nothing_left "close the vault"
flc_exit 0 "reopen from both files" "$FLC" open flt-segl "$ext4/v.img" --file "$xfs/c.img" \
	--key-file "$ext4/k"
run_ok "e2fsck -fn: clean" e2fsck -fn /dev/mapper/flt-segl
flc_exit 0 "close" "$FLC" close flt-segl

# --- create --file --------------------------------------------------------------------
flc_exit 1 "create --file with no SIZE" "$FLC" create flt-segc "$ext4/m.img" --size 20M \
	--file "$xfs/n.img"
flc_says "a new file needs its size" "says SIZE is needed"
flc_exit 3 "create --file of an existing file" "$FLC" create flt-segc "$ext4/m.img" \
	--size 20M --file "$b:0:8M"
flc_says "$b exists; create --file makes new files only" "says a --file is never overwritten"
ok "$([ ! -e "$ext4/m.img" ]; echo $?)" "refused before anything was made"
flc_exit 0 "create --luks over two new files" "$FLC" create flt-segc "$ext4/m.img" \
	--size 20M --file "$xfs/n.img:1M:12M" --luks "${FLC_KDF[@]}" --key-file "$ext4/k" \
	--mkfs ext4
is "$(stat -c '%a %s' "$xfs/n.img")" "600 $((13 * M))" "n.img made 0600, 1 + 12 MiB"
is "$(blockdev --getsize64 /dev/mapper/flt-segc-file)" $((32 * M)) "file layer: 20 + 12 MiB"
is "$(dmsetup table flt-segc-file | sed -n 2p | awk '{ print $1, $2, $5 }')" "40960 24576 2048" \
	"second line: 12 MiB at 1 MiB into n.img"
run_ok "e2fsck -fn on the new vault" e2fsck -fn /dev/mapper/flt-segc
flc_exit 0 "close" "$FLC" close flt-segc
rm -f "$ext4/m.img" "$xfs/n.img"
# The second --file is the first again: made, then in the way.
flc_exit 3 "create --file naming one new file twice" "$FLC" create flt-segc "$ext4/m.img" \
	--size 20M --file "$xfs/o.img:0:4M" --file "$xfs/o.img:0:4M"
ok "$([ ! -e "$ext4/m.img" ] && [ ! -e "$xfs/o.img" ]; echo $?)" \
	"the files it made are removed again"
flc_nothing_left "refused create --file"

# --- filelooptab: file= --------------------------------------------------------------
printf 'flt-segl %s %s luks,file=%s\n' "$ext4/v.img" "$ext4/k" "$xfs/c.img" > "$FLT_DIR/tab"
flc_exit 0 "open NAME from a filelooptab line with file=" \
	env FILELOOPTAB="$FLT_DIR/tab" "$FLC" open flt-segl --mount "$FLT_DIR/mnt"
is "$(sha "$FLT_DIR/mnt/data"):$(sha "$FLT_DIR/mnt/more")" "$want:$(sha "$FLT_DIR/more")" \
	"both files of data intact, one of them written past the first file"
flc_exit 0 "close" "$FLC" close flt-segl
flc_nothing_left "end"
done_testing
