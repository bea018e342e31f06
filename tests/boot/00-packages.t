#!/bin/bash
# DESCRIPTION: fileloop installed as a user installs it: the two Debian
# packages of make deb ($FLT_DEBS, made by tests/vm-boot.t) go in with
# dpkg, DKMS builds the module for the running kernel, device-mapper
# loads it on demand for a fileloop table (the VM loaded none), and the
# quick start (scripts/demo) runs with the installed fileloopctl.  The
# suites after this one in the boot use the installed tool and module.
# REQUIRES: a VM booted with --no-module (the test VM, no dm-fileloop
#   loaded, no fileloopctl installed), $FLT_DEBS (fileloop-dkms_*.deb and
#   fileloopctl_*_ARCH.deb of make deb), dpkg, debconf-set-selections, dkms
#   building for the running kernel, modinfo, the kernel loading modules on
#   demand, dmsetup, scripts/demo (dm-crypt, libcryptsetup, cryptsetup,
#   mkfs.ext4); with FLT_UDEV=1 also systemd-udevd and udevadm.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
rel=$(uname -r)

ls "${FLT_DEBS:-/nonexistent}"/fileloop-dkms_*.deb "$FLT_DEBS"/fileloopctl_*.deb >/dev/null 2>&1
ok $? "the packages are there ($FLT_DEBS)" || { done_testing; exit 1; }
ok "$(! grep -q '^dm_fileloop ' /proc/modules; echo $?)" "no fileloop module loaded yet"
ok "$([ ! -e /usr/sbin/fileloopctl ]; echo $?)" "no fileloopctl installed yet"

# Not what is tested, and minutes under emulation: man-db's index rebuild
# (a dpkg trigger) and dpkg's fsync of every file.
echo "man-db man-db/auto-update boolean false" | debconf-set-selections
started=$SECONDS
run_ok "dpkg -i fileloop-dkms and fileloopctl (DKMS builds the module for $rel)" \
	dpkg --force-unsafe-io -i "$FLT_DEBS"/fileloop-dkms_*.deb \
	"$FLT_DEBS"/fileloopctl_*_"$(dpkg --print-architecture)".deb
diag "dpkg -i took $((SECONDS - started)) s"
dkms status -k "$rel" fileloop >"$FLT_DIR/dkms" 2>&1
grep -q ": installed" "$FLT_DIR/dkms"
ok $? "dkms status: fileloop installed for $rel" || diag "$(cat "$FLT_DIR/dkms")"
case $(modinfo -n dm-fileloop 2>&1) in
/lib/modules/"$rel"/updates/dkms/dm-fileloop.ko*) ok 0 "modinfo finds DKMS's dm-fileloop" ;;
*) ok 1 "modinfo finds DKMS's dm-fileloop"; diag "$(modinfo -n dm-fileloop 2>&1)" ;;
esac

# device-mapper asks for the module of an unknown target type itself.
flt_file "$FLT_DIR/img" 8M
run_ok "dmsetup create with a fileloop table" \
	dmsetup create flt-pkg --table "0 16384 fileloop $FLT_DIR/img 0"
ok "$(grep -q '^dm_fileloop ' /proc/modules; echo $?)" "the kernel loaded dm-fileloop on demand"
is "$(sha /dev/mapper/flt-pkg)" "$(sha "$FLT_DIR/img")" "the device reads the file"
dmsetup remove flt-pkg

is "$(command -v fileloopctl)" /usr/sbin/fileloopctl "fileloopctl on PATH is the package's"
out=$(FLC=/usr/sbin/fileloopctl "$top/scripts/demo" 2>&1)
ok $? "the quick start (scripts/demo) with the installed fileloopctl" || diag "$out"
ok "$(grep -q '^Hello from a LUKS2 vault' <<<"$out"; echo $?)" "it read its file back from the reopened vault"
ok "$([ -x /lib/systemd/system-generators/fileloop-generator ] ||
      [ -x /usr/lib/systemd/system-generators/fileloop-generator ]; echo $?)" \
	"the generator is where systemd runs generators"
done_testing
