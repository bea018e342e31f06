#!/bin/sh
# The in-guest suites on Debian's 6.18 kernel (trixie-backports, booted
# with the trixie root), in one VM boot.  The three long reliability
# suites (31-faults, 33-crash-replay, 34-stress) run on the oldest and
# the newest kernel (6.1, 7.x), not here, to keep make check within its time
# (docs/reliability.md); give suites to run any of them.
top=$(dirname "$0")
if [ $# -eq 0 ]; then
	set -- $(ls "$top"/guest/*.t | grep -v -e /31-faults.t -e /33-crash-replay.t -e /34-stress.t)
fi
exec "$top/lib/vm-suites" 6.18 "$@"
