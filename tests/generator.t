#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fileloop-generator on the host, as systemd runs it at boot: the units
# and links it makes from a filelooptab (tests/generator/filelooptab)
# are the expected ones, the names are escaped as systemd-escape does,
# systemd-analyze verify finds nothing to say about them, bad lines are
# reported with their number and left out, and no filelooptab makes no
# units.  No root needed; nothing is installed.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

gen=$top/tools/build/fileloop-generator
ctl=$top/tools/build/fileloopctl
tab=$top/tests/generator/filelooptab
tmp=$(mktemp -d /tmp/fileloop-generator.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$gen" ] || [ ! -x "$ctl" ]; then
	ok 1 "tools built (make tools)"; done_testing; exit 1
fi
# Where the build put fileloopctl and the units (tools/Makefile).
ctl_path=$(make -s --no-print-directory -C "$top/tools" print-SBINDIR)/fileloopctl
unitdir=$(make -s --no-print-directory -C "$top/tools" print-UNITDIR)
expect() { sed -e "s|@TAB@|$tab|g" -e "s|@CTL@|$ctl_path|g" \
	       -e "s|@UNITDIR@|$unitdir|g" "$1"; }

out=$tmp/normal
mkdir -p "$out" "$tmp/early" "$tmp/late"
FILELOOPTAB=$tab "$gen" "$out" "$tmp/early" "$tmp/late" 2>"$tmp/err"
is "$?" 0 "the generator succeeds though some lines are bad"
is "$(cat "$tmp/err")" "fileloop-generator: $tab:10: image 'images/rel.img' is not an absolute path; line left out
fileloop-generator: $tab:11: unknown option 'discard=yes'; line left out
fileloop-generator: $tab:12: vault has an earlier line; line left out" \
	"bad lines reported on stderr (the kernel log at boot) with their numbers"

# Every file and link, with what a link points to.
tree=$(cd "$out" && find . -mindepth 1 | sort | while read -r f; do
	if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f"; fi
done)
is "$tree" "$(expect "$top/tests/generator/expected/tree")" \
	"units and links as expected (tests/generator/expected/tree)"
for f in "$top"/tests/generator/expected/*.service; do
	u=${f##*/}
	is "$(cat "$out/$u" 2>&1)" "$(expect "$f")" "$u as expected"
done

# Unit names escaped as systemd itself escapes them.
for name in vault ask-me 'x#y=z@w+v' .dot; do
	want=$(systemd-escape --template=fileloop@.service "$name")
	ok "$([ -f "$out/$want" ] && echo 0 || echo 1)" \
		"unit of '$name' is systemd-escape's $want"
	dev=$(systemd-escape --path --suffix=device "/dev/mapper/$name")
	ok "$([ -L "$out/$dev.requires/$want" ] && echo 0 || echo 1)" \
		"$dev pulls it in (an fstab mount of /dev/mapper/$name)"
done

# systemd's own checks, with fileloopctl where the unit says it is: a
# copy whose ExecStart/Stop name the built binary.
mkdir "$tmp/verify"
for u in "$out"/*.service; do
	sed "s|$ctl_path|$ctl|" "$u" >"$tmp/verify/${u##*/}"
done
cp "$top/tools/fileloop.target" "$tmp/verify/"
v=$(cd "$tmp/verify" && systemd-analyze verify --man=no ./*.service ./fileloop.target 2>&1)
is "$v" "" "systemd-analyze verify has nothing to say about the units"
# ... and it would: a broken copy is reported.
sed 's/^Type=oneshot/Type=oneshoot/' "$tmp/verify/fileloop@vault.service" \
	>"$tmp/verify/broken.service"
v=$(cd "$tmp/verify" && systemd-analyze verify --man=no ./broken.service 2>&1)
ok "$(grep -q "Failed to parse service type" <<<"$v" && echo 0 || echo 1)" \
	"verify does report a broken unit (the check above can fail)"

# No filelooptab: nothing, and no error.
rm -rf "$out"; mkdir "$out"
FILELOOPTAB=$tmp/none "$gen" "$out" "$tmp/early" "$tmp/late" 2>"$tmp/err"
is "$?:$(ls -A "$out"):$(cat "$tmp/err")" "0::" "no filelooptab: no units, no message"
FILELOOPTAB=$tab "$gen" 2>"$tmp/err"
is "$?" 1 "no directory given: a usage error"

done_testing
