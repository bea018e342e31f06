#!/bin/sh
# Usage: checker-valid.sh CHECKER [FLAGS...]
#
# What the 7.x kernels' Makefile asks before it runs sparse (C=1, C=2):
# print 1 when CHECKER parses __typeof_unqual__ without an error, 0 when
# not.  Debian's headers packages do not ship the kernel's own script, and
# without one sparse is skipped silently; scripts/trixie-root installs this
# one in the headers of the trixie root.
t=$(mktemp --suffix=.c) || { echo 0; exit 0; }
trap 'rm -f "$t"' EXIT
printf 'static inline int u(const int *q) { __typeof_unqual__(*q) v = *q; return v; }\n' >"$t"
if "$@" "$t" 2>&1 | grep -q error; then echo 0; else echo 1; fi
