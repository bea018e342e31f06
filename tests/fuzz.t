#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DESCRIPTION: the tool's parsers under libFuzzer (tools/fuzz/), each for
# FL_FUZZ_SECONDS (default 10) from its committed corpus
# (tools/fuzz/corpus/NAME), after replaying every input that once crashed
# it (tools/fuzz/regressions/NAME).  A crash, leak or sanitizer report
# fails the test and leaves the input in build/fuzz/.  New inputs go to
# build/fuzz/NAME.new, never into the tree.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

secs=${FL_FUZZ_SECONDS:-10}
out=$top/build/fuzz
mkdir -p "$out"
for bin in "$top"/tools/build/fuzz/fuzz_*; do
	name=$(basename "$bin")
	reg=$top/tools/fuzz/regressions/$name
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		"$bin" "$reg"/* >"$out/$name.regressions.log" 2>&1
		ok $? "$name: every input that once crashed it passes"
	fi
	rm -rf "$out/$name.new"
	mkdir -p "$out/$name.new"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$out/$name-" "$out/$name.new" \
		"$top/tools/fuzz/corpus/$name" >"$out/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$out/$name.log")
	ok "$([ $rc = 0 ] && [ -n "$runs" ]; echo $?)" \
		"$name: ${runs:-no} runs in ${secs}s without a crash"
	[ $rc = 0 ] || { diag "$(tail -n 30 "$out/$name.log")"; }
done
[ -n "$(ls "$top"/tools/build/fuzz/fuzz_* 2>/dev/null)" ]
ok $? "the fuzz targets are built (make -C tools fuzz-build)"
done_testing
