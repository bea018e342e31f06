#!/bin/sh
# The in-guest suites on the newest Debian 7.x kernel (trixie-backports,
# booted with the trixie root), in one VM boot.
exec "$(dirname "$0")/lib/vm-suites" 7 "$@"
