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
done_testing
