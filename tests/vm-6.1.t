#!/bin/sh
# The in-guest suites on Debian's 6.1 kernel, in one VM boot without
# systemd or udev.  Not the fileloopctl suites but 25-ctl-udev: they run
# under systemd and udev in tests/vm-boot.t.  Not the three long
# reliability suites (31-faults, 33-crash-replay, 34-stress): make check
# runs those on the newest kernel, make check-long on this one too
# (docs/reliability.md).  Give suites to run any of them.
top=$(dirname "$0")
if [ $# -eq 0 ]; then
	set -- $(ls "$top"/guest/*.t | grep -v -e '/2[0-46-9]-ctl-' -e '/3[0-9]-ctl-' \
		-e /31-faults.t -e /33-crash-replay.t -e /34-stress.t)
fi
exec "$top/lib/vm-suites" 6.1 "$@"
