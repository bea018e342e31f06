#!/bin/sh
# The in-guest suites on Debian's 6.18 kernel (trixie-backports, booted
# with the trixie root), in one VM boot.
exec "$(dirname "$0")/lib/vm-suites" 6.18 "$@"
