#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DESCRIPTION: the blunt crash test.  A guest writes numbered records
# through fileloop on xfs, each acknowledged by O_DSYNC or fsync and then
# reported to the host on the serial line, and resets itself (sysrq b) in
# the middle; the next boot of the same disk must read back every record
# the host saw acknowledged.  Direct and buffered mode, on
# FILELOOP_RESET_KERNEL (default 6.12).
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

kernel=${FILELOOP_RESET_KERNEL:-6.12}
# Not on tmpfs: the disk is opened with O_DIRECT (cache=none).
work=$(mktemp -d "${TMPDIR:-/var/tmp}/fileloop-reset.XXXXXX")
trap 'rm -rf "$work"' EXIT
vm=("$top/scripts/vm" --kernel "$kernel" --timeout 600)

for mode in direct_io buffered_io; do
	disk=$work/disk-$mode.img
	truncate -s 1G "$disk"
	"${vm[@]}" --disk-file "$disk" -- tests/lib/reset-workload write "$mode" 40 \
		>"$work/acks" 2>"$work/err"
	rc=$?
	acked=$(sed -n 's/^ack \([0-9]*\)$/\1/p' "$work/acks" | tr '\n' ' ')
	n=$(wc -w <<<"$acked")
	ok "$([ $rc = 123 ] && grep -q 'stopped without recording' "$work/err"; echo $?)" \
		"$mode: the guest reset itself in the middle of the workload (scripts/vm exit $rc)" ||
		diag "$(tail -n 20 "$work/err")" "$(tail -n 5 "$work/acks")"
	ok "$([ "$n" -ge 40 ]; echo $?)" "$mode: $n records acknowledged before the reset"
	out=$("${vm[@]}" --disk-file "$disk" --env "ACKED=$acked" \
		-- tests/lib/reset-workload check "$mode" 2>&1)
	rc=$?
	summary=$(grep '^checked' <<<"$out")
	ok "$([ $rc = 0 ] && [ -n "$summary" ]; echo $?)" "$mode: the next boot mounts the disk and maps the image" ||
		diag "$out"
	is "$(sed -n 's/^checked [0-9]* lost //p' <<<"$summary")" 0 \
		"$mode: every acknowledged record read back after the reset ($summary)"
	rm -f "$disk"
done
done_testing
