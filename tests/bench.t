#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmark's own logic, on the host: the order of the setups per turn,
# the scale table of the report and its ratios.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

setups=(bare loop-dio loop-buf fileloop fileloop-buf crypt-loop crypt-fileloop)
declare -A preds
for round in 1 2 3; do
	mapfile -t order < <("$top/bench/round-order" "$round" "${setups[@]}")
	is "$(printf '%s\n' "${order[@]}" | sort | tr '\n' ' ')" \
	   "$(printf '%s\n' "${setups[@]}" | sort | tr '\n' ' ')" \
	   "turn $round runs every setup once"
	for ((i = 1; i < ${#order[@]}; i++)); do
		preds[${order[i]}]+="${order[i - 1]} "
	done
done
same=
for s in "${!preds[@]}"; do
	read -r -a p <<<"${preds[$s]}"
	[ ${#p[@]} -eq 3 ] && [ "${p[0]}" = "${p[1]}" ] && [ "${p[1]}" = "${p[2]}" ] &&
		same+="$s after ${p[0]}; "
done
is "$same" "" "over 3 turns no setup always follows the same one"
is "$("$top/bench/round-order" 2 a b | tr '\n' ' ')" "b a " "two setups swap in turn 2"
is "$("$top/bench/round-order" 4 a b c d | sort | tr -d '\n')" "abcd" \
   "turn 4 of four setups runs each once"
is "$("$top/bench/round-order" 1 | wc -l)" 0 "no setups, no order"

# The files read back after a memory sample: what an exec of the tool
# reads, its libraries included, so no timed command pays to re-read them.
mapfile -t files < <("$top/bench/tool-files" cat)
is "${files[0]}" "$(command -v cat)" "tool-files lists the command first"
libc=$(ldd "$(command -v cat)" | awk '$1 == "libc.so.6" {print $3}')
printf '%s\n' "${files[@]}" | grep -qxF "$libc"
ok $? "tool-files lists its shared libraries ($libc)"
printf '%s\n' "${files[@]}" | grep -qxF /etc/ld.so.cache
ok $? "tool-files lists the linker's cache"
missing=
for f in "${files[@]}"; do [ -r "$f" ] || missing+="$f "; done
is "$missing" "" "every file tool-files lists is there to read"
is "$("$top/bench/tool-files" fl-no-such-tool 2>&1; echo "exit $?")" \
   "bench/tool-files: no command fl-no-such-tool
exit 1" "tool-files refuses a command that is not there"

# A misspelt setup or workload is refused before any VM boots.  timeout:
# without the check, bench/run would go on to boot one.
is "$(timeout 30 "$top/bench/run" --setups fileloop,loop 2>&1; echo "exit $?")" \
   "bench/run: no setup 'loop' (setups: bare loop-dio loop-buf fileloop fileloop-buf crypt-loop crypt-fileloop)
exit 1" "an unknown setup is refused up front"
is "$(timeout 30 "$top/bench/run" --workloads qd1 2>&1 | head -n 1)" \
   "bench/run: no workload 'qd1' (workloads: randread-4k-qd1 randread-4k-qd32x2 randwrite-4k-qd32 read-1m-qd8 write-1m-qd8 randrw-4k-qd16)" \
   "an unknown workload is refused up front"
is "$(timeout 30 "$top/bench/run" --backing holes 2>&1; echo "exit $?")" \
   "bench/run: --backing full, sparse or reflink, not 'holes'
exit 1" "an unknown backing kind is refused up front"
is "$(timeout 30 "$top/bench/run" --backing reflink --fs ext4 2>&1; echo "exit $?")" \
   "bench/run: --backing reflink needs --fs xfs
exit 1" "a reflinked file is refused on ext4"

# The report's scale table: loop's deferred teardown counts in its total,
# a dm tool shows none.
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
printf 'date\t2026-11-25 00:00 UTC\nkernel\ttest\nclocksource\ttsc\n' >"$run/meta.tsv"
printf 'setup\tworkload\tiops\tmbps\tp99_us\tround\n' >"$run/fio.tsv"
printf 'bare\trandread-4k-qd1\t100\t0.4\t10\t1\n' >>"$run/fio.tsv"
{
	printf 'tool\tn\tcreate_s\tremove_s\tslab_kib_per_dev\tpages_kib_per_dev\tteardown_s\tkept_kib_per_dev\n'
	printf 'losetup\t1000\t103.1\t94.5\t70.6\t133.5\t36.5\t129.7\n'
	printf 'fileloopctl\t1000\t94.5\t117.6\t84.4\t83.1\t-\t-1.7\n'
} >"$run/scale.tsv"
# row NAME [N]: the report's Nth table row for NAME (the first by default)
row() { grep -F "| $1 |" "$run/out.md" | sed -n "${2:-1}p"; }
run_ok "bench/report writes a report" "$top/bench/report" "$run" "$run/out.md"
is "$(grep -c '^- clocksource: tsc$' "$run/out.md")" 1 \
   "the report names the guest's clocksource"
is "$(row losetup)" \
   "| losetup | 1000 | 103.1 | 94.5 | 36.5 | 234.1 | - | - | - | 70.6 | 133.5 | 129.7 |" \
   "losetup's total counts the loop disks it left"
is "$(row fileloopctl)" \
   "| fileloopctl | 1000 | 94.5 | 117.6 | - | 212.1 | - | - | - | 84.4 | 83.1 | -1.7 |" \
   "fileloopctl has no teardown of its own; a run without medians shows none"
# Medians per command, from each command's own time: a stall (75 s) stays
# out of them; loop's remove median takes its disk's share of the deletion
# (36.5 s / 1000 = 36.5 ms).
{
	printf 'tool\top\tus\n'
	printf 'losetup\tcreate\t%s\n' 101000 99000 75000000
	printf 'losetup\tremove\t%s\n' 90000 80000 100000 95000
	printf 'fileloopctl\tcreate\t%s\n' 92000 75000000 91000 93000
	printf 'fileloopctl\tremove\t%s\n' 115200 75000000 110000
} >"$run/scale-cmds.tsv"
run_ok "bench/report writes a report with medians" "$top/bench/report" "$run" "$run/out.md"
is "$(row losetup)" \
   "| losetup | 1000 | 103.1 | 94.5 | 36.5 | 234.1 | 101.0 | 129.0 | 230.0 | 70.6 | 133.5 | 129.7 |" \
   "losetup's medians: a stall left out, its share of the disk deletion in"
is "$(row fileloopctl)" \
   "| fileloopctl | 1000 | 94.5 | 117.6 | - | 212.1 | 92.5 | 115.2 | 207.7 | 84.4 | 83.1 | -1.7 |" \
   "fileloopctl's medians are its commands' own"
# A scale-only run (bench/run --no-fio) has no fio rows: its report has
# the scale table and no empty fio tables.
printf 'setup\tworkload\tiops\tmbps\tp99_us\tround\n' >"$run/fio.tsv"
run_ok "bench/report reports a run without fio" "$top/bench/report" "$run" "$run/out.md"
is "$(grep '^## ' "$run/out.md")" "## Scale: N devices, each on its own 16 MiB sparse file" \
   "a run without fio has the scale section and no fio section"
is "$(grep -c '^No fio runs' "$run/out.md"):$(grep -c '^- fio' "$run/out.md")" "1:0" \
   "a run without fio says so, and names no fio version"
is "$(row fileloopctl)" \
   "| fileloopctl | 1000 | 94.5 | 117.6 | - | 212.1 | 92.5 | 115.2 | 207.7 | 84.4 | 83.1 | -1.7 |" \
   "a run without fio still has its scale table"
# Ratios are taken within each round, then the median: bare's slow round 3
# falls on fileloop's too.  The ratio of the medians (190/200) would be 0.95.
{
	printf 'setup\tworkload\tiops\tmbps\tp99_us\tround\n'
	printf 'bare\trandread-4k-qd1\t%s\t0\t0\t%s\n' 100 1 200 2 300 3
	printf 'fileloop\trandread-4k-qd1\t%s\t0\t0\t%s\n' 90 1 190 2 150 3
	printf 'loop-dio\trandread-4k-qd1\t%s\t0\t0\t%s\n' 50 1 100 2 100 3
	printf 'loop-buf\trandread-4k-qd1\t%s\t0\t0\t%s\n' 100 1 50 2 400 3
	printf 'fileloop-buf\trandread-4k-qd1\t%s\t0\t0\t%s\n' 80 1 50 2 500 3
} >"$run/fio.tsv"
run_ok "bench/report reports per-round ratios" "$top/bench/report" "$run" "$run/out.md"
is "$(row randread-4k-qd1)" \
   "| randread-4k-qd1 | 0.90 ✓ | 1.80 | 0.90 ✗ | 1.25 ✓ | 1.00 ✓ | - | 0.50 |" \
   "each ratio is the median of the rounds' ratios; best mode is per round"
is "$(row randread-4k-qd1 2)" \
   "| randread-4k-qd1 | 0.50-0.95 | 1.50-1.90 | 0.38-1.90 | 0.90-1.90 | 0.80-1.25 | - | 0.33-0.50 |" \
   "the spread gives the lowest and highest round"
is "$(row randread-4k-qd1 3)" \
   "| randread-4k-qd1 | 200 | 150 | 100 | 100 | 80 |" \
   "the IOPS table gives each setup's median"
# CPU per I/O: the median over rounds per setup, fio's usr+sys beside it,
# and fileloop against loop marked against the bar (no higher).
{
	printf 'setup\tworkload\tcpu_us_per_io\tfio_cpu_pct\tround\n'
	printf 'bare\trandread-4k-qd1\t%s\t%s\t%s\n' 10 5 1 12 5 2 11 5 3
	printf 'fileloop\trandread-4k-qd1\t%s\t%s\t%s\n' 20 6 1 22 6 2 90 6 3
	printf 'loop-dio\trandread-4k-qd1\t%s\t%s\t%s\n' 25 7 1 24 7 2 26 7 3
	printf 'loop-buf\trandread-4k-qd1\t%s\t%s\t%s\n' 30 8 1 30 8 2 30 8 3
	printf 'fileloop-buf\trandread-4k-qd1\t%s\t%s\t%s\n' 33 9 1 33 9 2 33 9 3
} >"$run/cpu.tsv"
run_ok "bench/report reports CPU per I/O" "$top/bench/report" "$run" "$run/out.md"
is "$(sed -n '/^## Guest CPU/,$p' "$run/out.md" | grep -F '| randread-4k-qd1 |')" \
   "| randread-4k-qd1 | 11 (5) | 22 (6) | 25 (7) | 30 (8) | 33 (9) | 0.88 ✓ | 1.10 ✗ |" \
   "the CPU table: medians per setup, fileloop against loop marked"
done_testing
