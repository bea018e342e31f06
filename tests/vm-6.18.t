#!/bin/sh
# The in-guest suites on Debian's 6.18 kernel, in one VM boot of the trixie root.
# The kernel-facing suites only: make check runs the fileloopctl suites
# (2x-ctl-*) on 6.1 and 7.x, one kernel per root and so per set of
# libraries, and the three long reliability suites (31-faults,
# 33-crash-replay, 34-stress) on the newest kernel, to keep within its
# time (docs/reliability.md).  Give suites to run any of them.
top=$(dirname "$0")
if [ $# -eq 0 ]; then
	set -- $(ls "$top"/guest/*.t | grep -v -e '/[23][0-9]-ctl-' \
		-e /31-faults.t -e /33-crash-replay.t -e /34-stress.t)
fi
exec "$top/lib/vm-suites" 6.18 "$@"
