#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages: make deb builds fileloop-dkms and fileloopctl from
# the tree; their files, dkms.conf and Depends are what they should be;
# lintian has nothing to say; and, installed with dpkg into a throwaway
# overlay of this machine's root, DKMS builds the module for Debian's 6.1
# kernel and dpkg -r takes it all away again.  The install part needs root
# (mounts) and overlayfs; nothing is installed on this machine itself.
# About 80-120 s on a busy 2-core host (45 s of CPU): make deb, then the
# install with lintian running alongside.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

tmp=$(mktemp -d /tmp/fileloop-packages.XXXXXX)
lintian_pid=
cleanup() {
	[ -n "$lintian_pid" ] && kill "$lintian_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

missing=
for c in dpkg-buildpackage dh dh_dkms dkms lintian; do
	command -v "$c" >/dev/null || missing+="$c "
done
is "$missing" "" "the packaging tools are installed (scripts/install-deps)" ||
	{ done_testing; exit 1; }

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -SVersion)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
debs=$tmp/deb
dkms_deb=$debs/fileloop-dkms_${version}_all.deb
ctl_deb=$debs/fileloopctl_${version}_$arch.deb
src=usr/src/fileloop-$version

out=$(make -s -C "$top" deb DEB_DIR="$debs" 2>&1)
ok $? "make deb builds (into $debs, ${SECONDS}s)" || diag "$(tail -n 30 <<<"$out")"
for f in "$dkms_deb" "$ctl_deb" "$debs/fileloop_${version}_$arch.changes" \
	 "$debs/fileloop_${version}_$arch.buildinfo"; do
	[ -f "$f" ]
	ok $? "make deb made ${f##*/}"
done
if [ ! -f "$dkms_deb" ] || [ ! -f "$ctl_deb" ]; then done_testing; exit 1; fi

# lintian takes a while: it runs while the contents are checked and the
# packages installed.
lintian -I -E --pedantic "$debs/fileloop_${version}_$arch.changes" \
	>"$tmp/lintian.out" 2>"$tmp/lintian.err" &
lintian_pid=$!

# Files (not directories) in a .deb, one path a line, sorted.
files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sort; }
field() { dpkg-deb -f "$1" "$2"; }

# fileloop-dkms: the module source as the tree has it, and dkms.conf.
want=$( { echo Kbuild; echo dkms.conf
	  for f in "$top"/kernel/*.[ch]; do
		case $f in *.mod.c) ;; *) basename "$f" ;; esac
	  done; } | sed "s|^|./$src/|" | sort)
is "$(files "$dkms_deb" | grep "^./usr/src/")" "$want" \
   "fileloop-dkms ships Kbuild, dkms.conf and every kernel/ source in /$src"
is "$(files "$dkms_deb" | grep -v "^./usr/src/")" \
   "./usr/share/doc/fileloop-dkms/README.md.gz
./usr/share/doc/fileloop-dkms/changelog.gz
./usr/share/doc/fileloop-dkms/copyright
./usr/share/doc/fileloop-dkms/dm-fileloop.rst.gz" \
   "fileloop-dkms ships its docs and nothing else"
mkdir "$tmp/dkms" "$tmp/ctl"
dpkg-deb -x "$dkms_deb" "$tmp/dkms"
dpkg-deb -x "$ctl_deb" "$tmp/ctl"
differ=
for f in "$tmp/dkms/$src"/*; do
	case ${f##*/} in dkms.conf) continue ;; esac
	cmp -s "$f" "$top/kernel/${f##*/}" || differ+="${f##*/} "
done
is "$differ" "" "the packaged module source is the tree's"

# dkms.conf is shell that dkms sources with these set.
conf=$(cd "$tmp/dkms/$src" && kernel_source_dir=KSRC dkms_tree=DTREE bash -c '
	set -e; . ./dkms.conf
	printf "%s\n" "$PACKAGE_NAME" "$PACKAGE_VERSION" "${BUILT_MODULE_NAME[0]}" \
		"${DEST_MODULE_LOCATION[0]}" "$AUTOINSTALL" "${MAKE[0]}"' 2>&1)
is "$conf" "fileloop
$version
dm-fileloop
/updates/dkms
yes
make -C KSRC M=DTREE/fileloop/$version/build modules" \
   "dkms.conf: name, version (from debian/changelog), module, location, autoinstall, make"
grep -qx 'obj-m := dm-fileloop.o' "$tmp/dkms/$src/Kbuild"
ok $? "the module dkms.conf names is the one Kbuild builds"
is "$(field "$dkms_deb" Architecture)" all "fileloop-dkms is Architecture: all"
field "$dkms_deb" Depends | grep -Eq '(^|, )dkms( |,|$)'
ok $? "fileloop-dkms depends on dkms ($(field "$dkms_deb" Depends))"
dpkg-deb --ctrl-tarfile "$dkms_deb" | tar -xO ./postinst 2>/dev/null |
	grep -Eq "^DKMS_NAME=fileloop$" &&
	dpkg-deb --ctrl-tarfile "$dkms_deb" | tar -xO ./postinst |
	grep -Eq "^DKMS_VERSION=$version$"
ok $? "fileloop-dkms's postinst registers fileloop/$version with DKMS"

# fileloopctl: the tool (also as mount(8)'s helpers), its man pages,
# completion, docs and example, the systemd generator and its target
# where this release's systemd looks for them.
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
gendir=$(pkg-config --variable=systemdsystemgeneratordir systemd)
is "$(files "$ctl_deb")" "$(sort <<EOF
.$gendir/fileloop-generator
.$unitdir/fileloop.target
./usr/share/man/man5/filelooptab.5.gz
./usr/sbin/fileloopctl
./usr/sbin/mount.fileloop
./usr/sbin/umount.fileloop
./usr/share/bash-completion/completions/fileloopctl
./usr/share/doc/fileloopctl/README.md.gz
./usr/share/doc/fileloopctl/changelog.gz
./usr/share/doc/fileloopctl/copyright
./usr/share/doc/fileloopctl/examples/encrypted-mount-example
./usr/share/man/man8/fileloopctl.8.gz
./usr/share/man/man8/mount.fileloop.8.gz
./usr/share/man/man8/umount.fileloop.8.gz
EOF
)" "fileloopctl's file list"
[ -x "$tmp/ctl/usr/sbin/fileloopctl" ] &&
	[ -x "$tmp/ctl/usr/share/doc/fileloopctl/examples/encrypted-mount-example" ]
ok $? "the tool and the example script are executable"
is "$("$tmp/ctl/usr/sbin/fileloopctl" --version 2>&1)" "fileloopctl $version" \
   "the packaged tool runs and reports the package's version"
zcat "$tmp/ctl/usr/share/man/man8/fileloopctl.8.gz" | cmp -s - "$top/docs/fileloopctl.8"
ok $? "the man page is docs/fileloopctl.8"
# The packaged generator's units run the packaged tool.
mkdir "$tmp/units"
echo "v /srv/v.img none" >"$tmp/tab"
FILELOOPTAB=$tmp/tab "$tmp/ctl$gendir/fileloop-generator" "$tmp/units"
is "$(grep ^ExecStop= "$tmp/units/fileloop@v.service" 2>&1)" \
   "ExecStop=/usr/sbin/fileloopctl close v" \
   "the packaged generator's units run /usr/sbin/fileloopctl"
is "$(readlink "$tmp/units/multi-user.target.wants/fileloop.target")" \
   "$unitdir/fileloop.target" "and pull in the packaged fileloop.target"

# Depends: the package of every library the tool links (NEEDED) and of
# the two it dlopen()s by soname (the sonames are strings in the binary).
depends=$(field "$ctl_deb" Depends)
diag "fileloopctl Depends: $depends"
needed=$(objdump -p "$tmp/ctl/usr/sbin/fileloopctl" | awk '$1 == "NEEDED" {print $2}')
loaded=$(strings "$tmp/ctl/usr/sbin/fileloopctl" |
	grep -Ex 'lib(cryptsetup|crypto)\.so\.[0-9.]+' | sort -u)
is "$(wc -l <<<"$loaded")" 2 "the tool names the sonames of libcryptsetup and libcrypto"
for s in $needed $loaded; do
	pkg=$(dpkg -S "*/$multiarch/$s" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] && grep -Eq "(^|, )$pkg( |,|$)" <<<"$depends"
	ok $? "fileloopctl depends on ${pkg:-the package of $s} ($s)"
done
is "$(field "$ctl_deb" Recommends)" fileloop-dkms "fileloopctl recommends fileloop-dkms"
is "$(field "$ctl_deb" Architecture)" "$arch" "fileloopctl is Architecture: $arch"

# Installed into an overlay of / in a mount namespace of its own: dpkg,
# DKMS and depmod write to the overlay's tmpfs, gone when it exits.
k61=$("$top/scripts/kernel-release" 6.1 2>/dev/null)
if [ "$(id -u)" -ne 0 ] || ! grep -qw overlay /proc/filesystems || [ -z "$k61" ]; then
	# Not a skip: a check that silently goes away passes for nothing.
	ok 1 "install test: needs root, overlayfs and Debian's 6.1 headers"
else
	mkdir "$tmp/out"
	cp "$dkms_deb" "$ctl_deb" "$tmp/out/"
	# shellcheck disable=SC2016  # expanded by the inner shells
	unshare -m sh -c '
		set -e; tmp=$1 k=$2; r=$tmp/root
		mkdir "$tmp/t" "$r"
		mount -t tmpfs tmpfs "$tmp/t"
		mkdir "$tmp/t/upper" "$tmp/t/work"
		mount -t overlay overlay \
			-o "lowerdir=/,upperdir=$tmp/t/upper,workdir=$tmp/t/work" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mkdir "$r/fileloop-test"
		mount --bind "$tmp/out" "$r/fileloop-test"
		# The postinst only registers the module (dkms add); dkms
		# install below builds it for one kernel, the same on any host.
		touch "$r/etc/dkms/no-autoinstall"
		# No man-db index rebuild on install and removal (seconds).
		rm -f "$r/var/lib/man-db/auto-update"
		exec chroot "$r" sh -c "
			cd /fileloop-test
			dpkg -i *.deb >dpkg-i.log 2>&1; echo \$? >dpkg-i.rc
			dkms install fileloop/$3 -k $k >dkms.log 2>&1; echo \$? >dkms.rc
			dkms status fileloop/$3 -k $k >status 2>&1
			modinfo -k $k -F vermagic dm-fileloop >vermagic 2>&1
			modinfo -k $k -n dm-fileloop >modpath 2>&1
			fileloopctl --version >version 2>&1
			dpkg -r fileloop-dkms fileloopctl >dpkg-r.log 2>&1; echo \$? >dpkg-r.rc
			ls /usr/src >src-after
			dkms status >status-after 2>&1
			modinfo -k $k -n dm-fileloop >modpath-after 2>&1 || true
		"
	' sh "$tmp" "$k61" "$version"
	o=$tmp/out
	diag "installed, built and removed at ${SECONDS}s"
	is "$(cat "$o/dpkg-i.rc" 2>/dev/null)" 0 "dpkg -i installs both packages" ||
		diag "$(tail -n 20 "$o/dpkg-i.log" 2>/dev/null)"
	is "$(cat "$o/dkms.rc" 2>/dev/null)" 0 "dkms builds and installs the module for $k61" ||
		diag "$(tail -n 20 "$o/dkms.log" 2>/dev/null)"
	is "$(cat "$o/status" 2>/dev/null)" "fileloop/$version, $k61, $(uname -m): installed" \
	   "dkms status: installed for $k61"
	grep -Eqx "/lib/modules/$k61/updates/dkms/dm-fileloop\.ko(\.xz)?" "$o/modpath"
	ok $? "modinfo finds the DKMS module in updates/dkms (depmod ran)" ||
		diag "$(cat "$o/modpath")"
	grep -q "^$k61 " "$o/vermagic" 2>/dev/null
	ok $? "the module's vermagic is $k61's" || diag "$(cat "$o/vermagic")"
	is "$(cat "$o/version" 2>/dev/null)" "fileloopctl $version" \
	   "the installed fileloopctl runs from PATH"
	is "$(cat "$o/dpkg-r.rc" 2>/dev/null)" 0 "dpkg -r removes both packages" ||
		diag "$(tail -n 20 "$o/dpkg-r.log" 2>/dev/null)"
	grep -qx "fileloop-$version" "$o/src-after" 2>/dev/null
	ok $((!$?)) "removal leaves no /$src"
	grep -q fileloop "$o/status-after" 2>/dev/null
	ok $((!$?)) "removal leaves nothing in DKMS" || diag "$(cat "$o/status-after")"
	grep -q '\.ko' "$o/modpath-after" 2>/dev/null
	ok $((!$?)) "removal leaves no module for $k61" || diag "$(cat "$o/modpath-after")"
fi

wait "$lintian_pid"
lintian_rc=$?
diag "lintian done at ${SECONDS}s"
lintian_pid=
is "$(cat "$tmp/lintian.out")" "" \
   "lintian -I -E --pedantic: no tags on the .debs, .changes, .buildinfo"
ok "$lintian_rc" "lintian exits 0" || diag "$(cat "$tmp/lintian.err")"

done_testing
