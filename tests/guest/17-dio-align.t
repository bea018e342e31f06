#!/bin/bash
# DESCRIPTION: direct I/O onto a file whose filesystem needs 4096-byte
# alignment (xfs on a 4096-byte sector device) works for bios whose
# segments are only 512-byte multiples: such bios go through the page cache
# instead of failing, and the data is intact.
# REQUIRES: the test VM, the dm-fileloop target, dmsetup, blockdev,
#   mkfs.xfs, python3, /dev/vdb as xfs (flt_scratch_fs).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"

xfs=$(flt_scratch_fs xfs) || { ok 1 "mount xfs scratch disk"; done_testing; exit; }
mnt=$FLT_DIR/4k
mkdir -p "$mnt"

# A 4096-byte sector device to put the backing filesystem on.
truncate -s 512M "$xfs/outer.img"
flt_create flt-4k --table "0 1048576 fileloop $xfs/outer.img 0 2 block_size 4096"
is "$(blockdev --getss /dev/mapper/flt-4k)" 4096 "outer device has 4096-byte sectors"
run_ok "mkfs.xfs on it" mkfs.xfs -q -f /dev/mapper/flt-4k
run_ok "mount it" mount /dev/mapper/flt-4k "$mnt"
mountpoint -q "$mnt" || { done_testing; exit; }

img=$mnt/inner.img
flt_file "$img" 32M
flt_create flt-top --table "0 65536 fileloop $img 0 3 direct_io block_size 4096"
is "$(flt_info flt-top io_mode)" direct "inner device uses direct I/O"

# O_DIRECT writes and reads from buffers 512 bytes past a page boundary:
# each 8 KiB request is segments of 3584, 4096 and 512 bytes.
odd_dio() { # odd_dio write|read DEV FILE: 4 MiB between FILE and DEV
	python3 - "$@" <<'PY'
import mmap, os, sys
op, dev, path = sys.argv[1:]
fd = os.open(dev, (os.O_WRONLY if op == "write" else os.O_RDONLY) | os.O_DIRECT)
buf = mmap.mmap(-1, 16384)
view = memoryview(buf)[512:512 + 8192]
with open(path, "rb" if op == "write" else "wb") as f:
    for off in range(0, 4 << 20, 8192):
        if op == "write":
            view[:] = f.read(8192)
            assert os.pwrite(fd, view, off) == 8192
        else:
            assert os.preadv(fd, [view], off) == 8192
            f.write(view)
os.close(fd)
PY
}
head -c 4M /dev/urandom > "$FLT_DIR/src"
run_ok "O_DIRECT writes from 512-byte aligned buffers" odd_dio write /dev/mapper/flt-top "$FLT_DIR/src"
run_ok "O_DIRECT reads into 512-byte aligned buffers" odd_dio read /dev/mapper/flt-top "$FLT_DIR/back"
is "$(sha256sum < "$FLT_DIR/back" | cut -d' ' -f1)" "$(sha256sum < "$FLT_DIR/src" | cut -d' ' -f1)" \
	"the data read back is the data written"
is "$(flt_sha "$img" 0 4194304)" "$(sha256sum < "$FLT_DIR/src" | cut -d' ' -f1)" \
	"and it is in the backing file"
is "$(flt_info flt-top errors)" 0 "no I/O errors counted"
dmsetup remove flt-top
umount "$mnt"
dmsetup remove flt-4k
ok "$(flt_no_devices; echo $?)" "no device left at the end"

done_testing
