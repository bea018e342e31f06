#!/bin/bash
# DESCRIPTION: the shipped scripts and memory hygiene: scripts/demo runs
# end to end; scripts/encrypted-mount-example creates a LUKS container,
# rsyncs a tree in and closes it, then reopens it to sync again, with the
# tree checked by sha256 through an independent fileloopctl open, and
# refuses a plaintext image (it would have copied the tree in the clear); and
# fileloopctl's deepest paths (create --luks --mkfs --mount, close, a
# wrong-key unwind) run clean under valgrind (no invalid access, no definite leak).
# REQUIRES: the test VM, the dm-fileloop target, the built fileloopctl
#   ($FLC), scripts/demo and scripts/encrypted-mount-example, dm-crypt,
#   cryptsetup and libcryptsetup, dmsetup, mkfs.ext4, rsync (else cp -a),
#   valgrind (else skipped), /dev/vda as ext4 (flt_scratch_fs); with
#   FLT_UDEV=1 also systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require
top=$(cd "$(dirname "$0")/../.." && pwd)

ext4=$(flt_scratch_fs ext4) || { ok 1 "mount ext4 scratch disk"; done_testing; exit; }
d=$ext4

# --- scripts/demo -----------------------------------------------------------------
out=$("$top/scripts/demo" 2>&1); rc=$?
ok "$rc" "scripts/demo exits 0" || diag "$out"
ok "$(grep -q '^Hello from a LUKS2 vault' <<<"$out"; echo $?)" "the demo prints the file it read back"
ok "$(! dmsetup ls | grep -q demo-vault; echo $?)" "the demo leaves no mapping"

diag "demo took ${SECONDS}s"
# --- scripts/encrypted-mount-example ------------------------------------------------
"$FLC" keygen "$d/key" >/dev/null
src=$FLT_DIR/tree
mkdir -p "$src/sub dir"
flc_rand "$src/a" 1M; flc_rand "$src/sub dir/b" 300K; echo hi > "$src/c"
ex=(env KEY_FILE="$d/key" NAME=flt-ex SIZE=64M FILELOOPCTL="$FLC"
    PBKDF_OPTS="${FLC_KDF[*]}" "$top/scripts/encrypted-mount-example")
flc_exit 0 "example: new container, rsync in, close" "${ex[@]}" "$d/ex.img" "$FLT_DIR/mnt" "$src"
flc_nothing_left "example closed everything"
ok "$(! mountpoint -q "$FLT_DIR/mnt"; echo $?)" "example unmounted"
echo more > "$src/d"
flc_exit 0 "example: existing container, sync again" "${ex[@]}" "$d/ex.img" "$FLT_DIR/mnt" "$src"
flc_nothing_left "second run closed everything"
mkdir -p "$FLT_DIR/check"
"$FLC" open flt-chk "$d/ex.img" --key-file "$d/key" --read-only --mount "$FLT_DIR/check"
is "$(cd "$FLT_DIR/check" && find . -type f ! -path './lost+found*' -print0 | sort -z | xargs -0 sha256sum)" \
   "$(cd "$src" && find . -type f -print0 | sort -z | xargs -0 sha256sum)" \
   "the container holds exactly the tree"
"$FLC" close flt-chk
flc_exit 1 "example: usage" "$top/scripts/encrypted-mount-example"
truncate -s 32M "$d/plain.img"
mkfs.ext4 -q -F "$d/plain.img"
want=$(sha "$d/plain.img")
flc_exit 1 "example: a plaintext image at IMAGE is refused" \
	env NAME=flt-ex FILELOOPCTL="$FLC" "$top/scripts/encrypted-mount-example" \
	"$d/plain.img" "$FLT_DIR/mnt" "$src" </dev/null
flc_says "holds no LUKS header" "fileloopctl open --luks says why"
ok "$(! mountpoint -q "$FLT_DIR/mnt"; echo $?)" "nothing mounted"
is "$(sha "$d/plain.img")" "$want" "the plaintext image is untouched"
flc_nothing_left "refused plaintext image"

diag "scripts done at ${SECONDS}s"
# --- valgrind -------------------------------------------------------------------------
if command -v valgrind >/dev/null; then
	vg=(valgrind -q --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite)
	# Memory errors only: valgrind's notes about ioctls it cannot
	# model (dm, BLK*) are not findings.
	vg_ok() { # vg_ok WANT DESC ARGS...
		local want=$1 desc=$2 out rc; shift 2
		out=$("${vg[@]}" "$FLC" "$@" 2>&1); rc=$?
		if [ "$rc" = "$want" ] &&
		   ! grep -qE '^==[0-9]+== +(Invalid|Conditional|Use of uninit|Syscall param|.*definitely lost|Mismatched|.*free)' <<<"$out"; then
			ok 0 "valgrind: $desc"
		else
			ok 1 "valgrind: $desc"; diag "exit $rc" "$out"
		fi
	}
	# Three runs, each ~20-60 s under emulation, covering the deepest
	# paths: the whole build-up, the whole take-down, and an unwind.
	"$FLC" keygen "$d/other.key" >/dev/null
	vg_ok 0 "create --luks --mkfs --mount" create flt-vg "$d/vg.img" --size 32M --luks \
		"${FLC_KDF[@]}" --key-file "$d/key" --mkfs ext4 --mount "$FLT_DIR/mnt"
	vg_ok 0 "close (unmount, LUKS, mapping)" close flt-vg
	vg_ok 5 "open with a wrong key unwinds" open flt-vg "$d/vg.img" --key-file "$d/other.key"
else
	ok 0 "# SKIP valgrind not installed"
fi

diag "valgrind done at ${SECONDS}s"
flc_nothing_left "end of suite"
done_testing
