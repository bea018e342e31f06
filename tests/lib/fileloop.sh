# Helpers for the in-guest fileloop suites (sourced, bash, after tap.sh).
# Every device a suite makes is named flt-*, every mount lives under
# $FLT_DIR; the EXIT trap removes both, so a failing suite leaves nothing.

# The suites mkfs /dev/vda and /dev/vdb and load tables as root: they run
# only inside the project's VM, recognised by the share scripts/vm gives
# it (9p tag "vmout" at /run/fileloop-vm), never on a host by mistake.
flt_in_test_vm() {
	awk '$1 == "vmout" && $2 == "/run/fileloop-vm" && $3 == "9p" { f = 1 }
	     END { exit !f }' /proc/mounts 2>/dev/null
}
if ! flt_in_test_vm; then
	echo "$0: refusing to run outside the fileloop test VM: it formats /dev/vd*; run it with tests/vm-<kernel>.t" >&2
	exit 77
fi

FLT_DIR=$(mktemp -d /tmp/flt.XXXXXX)
FLT_LOG=$FLT_DIR/log

flt_cleanup() {
	local m d
	for m in $(awk -v d="$FLT_DIR" 'index($2, d) == 1 { print $2 }' \
			/proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	for d in $(dmsetup ls 2>/dev/null | awk '$1 ~ /^flt-/ { print $1 }' |
			sort -r); do
		dmsetup remove --retry "$d" >/dev/null 2>&1
	done
	rm -rf "$FLT_DIR"
}
trap flt_cleanup EXIT

# flt_file PATH SIZE: a file of SIZE (dd units, e.g. 64M) of random bytes.
flt_file() {
	head -c "$2" /dev/urandom > "$1" 2>/dev/null ||
		dd if=/dev/urandom of="$1" bs=1M count=$(( $(numfmt --from=iec "$2") >> 20 )) status=none
}

# flt_sectors PATH: size of a file in 512-byte sectors.
flt_sectors() { echo $(( $(stat -c %s "$1") / 512 )); }

# flt_sha FILE|DEV OFFSET_BYTES LENGTH_BYTES: sha256 of a byte range.
flt_sha() {
	dd if="$1" bs=64k iflag=skip_bytes,count_bytes,fullblock \
		skip="$2" count="$3" status=none | sha256sum | cut -d' ' -f1
}

# flt_fio_verify DEV IODEPTH SIZE OUT [BS RW]: direct writes of SIZE bytes
# at IODEPTH (4k random unless BS and RW say otherwise), each block
# checksummed and read back by fio; fio's report goes to OUT.  Returns
# fio's status.
flt_fio_verify() {
	fio --name=verify --filename="$1" --direct=1 --ioengine=libaio \
		--iodepth="$2" --rw="${6:-randwrite}" --bs="${5:-4k}" --size="$3" \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--verify_state_save=0 --output="$4"
}

# flt_table NAME: the device's table line without the start/length columns.
flt_table() { dmsetup table "$1" | cut -d' ' -f3-; }

# The target's interface as kernel/dm-fileloop.h defines it: the INFO
# status fields (FILELOOP_INFO_FIELDS) and the version ("1.1.0").
FLT_HEADER=$(dirname "${BASH_SOURCE[0]}")/../../kernel/dm-fileloop.h
FLT_INFO_FIELDS=$(sed -n '/^#define FILELOOP_INFO_FIELDS[[:space:]]*\\$/{n;s/^[^"]*"\([^"]*\)".*/\1/p;}' \
	"$FLT_HEADER")
FLT_TARGET_VERSION=$(awk '$1 == "#define" && $2 ~ /^FILELOOP_VERSION_(MAJOR|MINOR|PATCH)$/ {
	v = v (v == "" ? "" : ".") $3 } END { print v }' "$FLT_HEADER")

# flt_info NAME FIELD: one field of the INFO status, by its name in
# FLT_INFO_FIELDS (io_mode reads writes ...).
flt_info() {
	local f idx=4
	for f in $FLT_INFO_FIELDS; do
		[ "$f" = "$2" ] && { dmsetup status "$1" | cut -d' ' -f$idx; return; }
		idx=$((idx + 1))
	done
	echo "flt_info: unknown field $2 (kernel/dm-fileloop.h has: $FLT_INFO_FIELDS)" >&2
	return 1
}

# flt_kmsg_since MARK: kernel log lines after a marker written with
# flt_kmsg_mark, so one failing table load is matched to its own message.
flt_kmsg_mark() { echo "flt-mark $1" > /dev/kmsg; }
flt_kmsg_since() { dmesg | sed -n "/flt-mark $1\$/,\$p"; }

# flt_scratch_fs TYPE: mkfs the scratch disk for TYPE (ext4 on the first
# virtio disk, xfs on the second) and mount it; prints the mount point.
flt_scratch_fs() {
	local dev mnt=$FLT_DIR/$1
	case $1 in
	ext4) dev=/dev/vda; mkfs.ext4 -q -F -E lazy_itable_init=1 "$dev" ;;
	xfs) dev=/dev/vdb; mkfs.xfs -q -f "$dev" ;;
	*) return 1 ;;
	esac >/dev/null || return 1
	mkdir -p "$mnt" && mount "$dev" "$mnt" && echo "$mnt"
}

# flt_queue NAME ATTR: a queue attribute of a dm device from sysfs.  Without
# udev, /dev/mapper/NAME is a node of its own, not a link to dm-N, so the
# kernel name comes from dmsetup.
flt_queue() {
	cat "/sys/block/$(dmsetup info -c --noheadings -o blkdevname "$1")/queue/$2"
}

# flt_create [--readonly] NAME --table TABLE: create a device as a test of
# its own; a test that writes into /dev/mapper/NAME after a failed create
# would otherwise write into a plain file there and could pass.
flt_create() {
	local ro=
	[ "$1" = --readonly ] && { ro=--readonly; shift; }
	local name=$1; shift
	# shellcheck disable=SC2086
	run_ok "create $name${ro:+ (read-only)}" dmsetup create $ro "$name" "$@" &&
		[ -b "/dev/mapper/$name" ]
}

# flt_no_devices: true when no flt-* device is left.
flt_no_devices() { ! dmsetup ls | grep -q '^flt-'; }
