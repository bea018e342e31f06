#!/bin/sh
# The in-guest suites on the newest Debian 7.x kernel (trixie-backports,
# booted with the trixie root), in one VM boot.  All but 24-ctl-scripts
# and 27-ctl-tab, whose work is the tool's own (scripts, valgrind, the
# filelooptab parser): they run in tests/vm-boot.t, to keep make check
# within its time (docs/reliability.md).  Give suites to run any of them.
top=$(dirname "$0")
if [ $# -eq 0 ]; then
	set -- $(ls "$top"/guest/*.t | grep -v -e /24-ctl-scripts.t -e /27-ctl-tab.t)
fi
exec "$top/lib/vm-suites" 7 "$@"
