#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM test harness itself, on the host: a VM that fails says why where
# a non-verbose prove (CI) shows it.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

err=$(mktemp)
trap 'rm -f "$err" "$top/build/vm/suites-no-such-kernel.tap"' EXIT
out=$("$top/tests/lib/vm-suites" no-such-kernel 2>"$err")
is "$out" "not ok 1 - VM on no-such-kernel ran every suite, kernel console clean (scripts/vm exit 125)
1..1" "a VM that cannot start is one failed test"
is "$(grep -c "^vm-suites no-such-kernel: vm: no installed kernel for 'no-such-kernel'" "$err")" 1 \
   "scripts/vm's reason goes to stderr"

# A kernel that dies before the command starts (here: no init to run) is
# booted once more, and only once; one that dies while the command runs is
# a result, never retried.
vm=("$top/scripts/vm" --kernel 6.1 --no-module --timeout 300)
"${vm[@]}" --append rdinit=/nonexistent -- true >/dev/null 2>"$err"
is "$?" 123 "a guest that crashes while booting, twice, is a crash"
is "$(grep -c "crashed while booting, before 'true' started.*booting once more" "$err")" 1 \
   "it was booted once more, and said so"
"${vm[@]}" -- sh -c 'echo crashing; echo c >/proc/sysrq-trigger' >/dev/null 2>"$err"
is "$?" 123 "a guest that crashes under the command is a crash"
is "$(grep -c 'booting once more' "$err")" 0 "and it is not booted again"

# Every guest suite formats /dev/vd*: run on a host by mistake, each must
# refuse before it does anything.  Tried as nobody, from a copy nobody can
# read, so that a suite whose guard is broken can do no harm here.
copy=$(mktemp -d)
trap 'rm -f "$err" "$top/build/vm/suites-no-such-kernel.tap"; rm -rf "$copy"' EXIT
mkdir -p "$copy/tests"
cp -r "$top/tests/guest" "$top/tests/lib" "$copy/tests/"
chmod -R a+rX "$copy"
for suite in "$copy"/tests/guest/*.t; do
	name=$(basename "$suite")
	before=$(find /tmp -maxdepth 1 -name 'flt.*' | wc -l)
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
		"$suite" 2>&1 </dev/null)
	rc=$?
	after=$(find /tmp -maxdepth 1 -name 'flt.*' | wc -l)
	ok "$([ "$rc" = 77 ] && [ "$before" = "$after" ] &&
	      ! grep -qE '^(not )?ok ' <<<"$out" &&
	      grep -q 'refusing to run outside the fileloop test VM' <<<"$out"; echo $?)" \
	   "$name refuses to run on the host (exit $rc)"
	[ "$rc" = 77 ] || diag "$out"
done
done_testing
