#!/bin/sh
# The in-guest suites on Debian's 6.1 kernel, in one VM boot.
exec "$(dirname "$0")/lib/vm-suites" 6.1 "$@"
