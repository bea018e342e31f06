#!/bin/bash
# DESCRIPTION: filelooptab(5) with systemd as init (scripts/vm --systemd,
# run by tests/vm-boot.t): after daemon-reload, fileloop-generator's units
# are there and systemd-analyze verify has nothing to say; starting
# fileloop.target opens each line without noauto (LUKS with a key file,
# LUKS asking systemd's agents), mounting first the filesystem that holds
# the images (an fstab noauto mount: RequiresMountsFor), while a failing
# nofail line leaves the target active; an fstab mount of /dev/mapper/NAME
# opens a noauto line; one stop transaction unmounts before it closes;
# nothing is left, no udev cookie either.
# REQUIRES: systemd as PID 1 (scripts/vm --systemd), udev (systemd-udevd
#   running: the /dev/mapper links), the test VM, the dm-fileloop target,
#   the built fileloopctl ($FLC) with fileloop-generator and
#   fileloop.target beside it (or the package's /usr/sbin/fileloopctl),
#   make (the build's SBINDIR and UNITDIR), systemctl, systemd-analyze,
#   perl (Socket), dm-crypt and libcryptsetup, dmsetup, mkfs.ext4 on
#   /dev/vda directly (not through flt_scratch_fs), writable /etc/fstab,
#   /etc/filelooptab and /etc/systemd/system-generators.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fileloop.sh"
. "$(dirname "$0")/../lib/ctl.sh"
flc_require

if [ "$(cat /proc/1/comm)" != systemd ] || ! udevadm control --ping 2>/dev/null; then
	ok 1 "systemd is init and udev runs (tests/vm-boot.t boots so)"; done_testing; exit 1
fi
# The package's generator, target and tool when fileloopctl is the
# package's (tests/vm-boot.t, after 00-packages.t); else the build's: the
# tool where the generator was built to find it, the generator where
# systemd looks.
if [ "$FLC" != /usr/sbin/fileloopctl ]; then
	gen=$(dirname "$FLC")/fileloop-generator
	ctl=$(make -s --no-print-directory -C "$(dirname "$FLC")/.." print-SBINDIR)/fileloopctl
	unitdir=$(make -s --no-print-directory -C "$(dirname "$FLC")/.." print-UNITDIR)
	mkdir -p /etc/systemd/system-generators "$(dirname "$ctl")" "$unitdir"
	ln -sf "$gen" /etc/systemd/system-generators/fileloop-generator
	[ "$FLC" -ef "$ctl" ] || ln -sf "$FLC" "$ctl"
	cp "$(dirname "$FLC")/../fileloop.target" "$unitdir/"
fi

images=/srv/flt-images
plain_mnt=/srv/flt-plain
cp /etc/fstab "$FLT_DIR/fstab" 2>/dev/null || : >"$FLT_DIR/fstab"
boot_cleanup() {
	systemctl stop 'fileloop@*.service' srv-flt\\x2dplain.mount \
		srv-flt\\x2dimages.mount >/dev/null 2>&1
	cp "$FLT_DIR/fstab" /etc/fstab
	rm -f /etc/filelooptab
	systemctl daemon-reload
	flc_cleanup
}
trap boot_cleanup EXIT

# --- images on a filesystem nothing has mounted yet -----------------------------
mkfs.ext4 -q -F /dev/vda >/dev/null
mkdir -p "$images" "$plain_mnt"
mount /dev/vda "$images"
"$FLC" keygen "$images/key" >/dev/null
"$FLC" create flt-v "$images/vault.img" --size 48M --luks "${FLC_KDF[@]}" \
	--key-file "$images/key" >/dev/null
"$FLC" close flt-v
printf 'pw-agent\n' | "$FLC" create flt-a "$images/ask.img" --size 32M --luks "${FLC_KDF[@]}" >/dev/null
"$FLC" close flt-a
"$FLC" create flt-p "$images/plain.img" --size 32M --mkfs ext4 --mount "$plain_mnt" >/dev/null
flt_file "$FLT_DIR/data" 1M
cp "$FLT_DIR/data" "$plain_mnt/data"
"$FLC" close flt-p
umount "$images"
flc_nothing_left "set up"

cat >>/etc/fstab <<TAB
/dev/vda $images ext4 noauto 0 0
/dev/mapper/flt-p $plain_mnt ext4 noauto 0 0
TAB
cat >/etc/filelooptab <<TAB
flt-v    $images/vault.img    $images/key   luks
flt-a    $images/ask.img      none          luks
flt-p    $images/plain.img    none          noluks,noauto
flt-gone $images/missing.img  none          nofail
TAB
run_ok "systemctl daemon-reload (runs the generators)" systemctl daemon-reload
v=flt\\x2dv a=flt\\x2da p=flt\\x2dp
for u in $v $a $p flt\\x2dgone; do
	is "$(systemctl show -P LoadState "fileloop@$u.service")" loaded "fileloop@$u.service is loaded"
done
is "$(systemctl show -P SourcePath "fileloop@$v.service")" /etc/filelooptab \
	"its source is /etc/filelooptab"
out=$(cd /run/systemd/generator && systemd-analyze verify --man=no fileloop@*.service 2>&1)
is "$out" "" "systemd-analyze verify has nothing to say about them"
ok "$(! mountpoint -q "$images"; echo $?)" "the images' filesystem is not mounted"

# --- fileloop.target: flt-v with its key file, flt-a from the agents ----------------
# Answer flt-a's question as an agent does: "+PASSPHRASE" to its socket.
answer() {
	local f sock
	for _ in $(seq 1 600); do
		f=$(grep -l "^Id=fileloop:$1$" /run/systemd/ask-password/ask.* 2>/dev/null | head -1)
		[ -n "$f" ] && break
		sleep 0.1
	done
	[ -n "$f" ] || return 1
	sock=$(sed -n 's/^Socket=//p' "$f")
	perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die;
		send($s, "+$ARGV[1]", 0, pack_sockaddr_un($ARGV[0])) or die' "$sock" "$2"
}
answer flt-a pw-agent >"$FLT_DIR/agent.out" 2>&1 &
agent=$!
run_ok "systemctl start fileloop.target" timeout 300 systemctl start fileloop.target
wait "$agent"
ok $? "flt-a's passphrase was asked through the agents (Id=fileloop:flt-a) and answered"
is "$(systemctl is-active fileloop.target)" active "fileloop.target is active, flt-gone's failure notwithstanding (nofail)"
is "$(systemctl is-active "fileloop@$v.service")" active "fileloop@flt-v.service is active"
is "$(systemctl is-active "fileloop@$a.service")" active "fileloop@flt-a.service is active"
is "$(systemctl is-active fileloop@flt\\x2dgone.service)" failed "fileloop@flt-gone.service failed (no image)"
is "$(systemctl is-active srv-flt\\x2dimages.mount)" active \
	"the images' filesystem was mounted first (RequiresMountsFor)"
flc_only "flt-v and flt-a opened, flt-p (noauto) not" flt-v flt-v-file flt-a flt-a-file
is "$(dmsetup table flt-v | awk '{print $3}')" crypt "flt-v is unlocked"
ok "$([ -L /dev/mapper/flt-v ] && [ -b /dev/mapper/flt-v ]; echo $?)" \
	"/dev/mapper/flt-v is udev's link to a block device"

# --- an fstab mount of a noauto line's device opens it ------------------------------
run_ok "systemctl start ${plain_mnt#/}.mount (fstab: /dev/mapper/flt-p)" \
	timeout 300 systemctl start srv-flt\\x2dplain.mount
is "$(systemctl is-active "fileloop@$p.service")" active "fileloop@flt-p.service was pulled in by the device"
is "$(sha "$plain_mnt/data")" "$(sha "$FLT_DIR/data")" "the mounted filesystem holds the file"

# --- stop: unmount first, then close ---------------------------------------------------
run_ok "stop the mount and the services in one transaction" \
	systemctl stop srv-flt\\x2dplain.mount "fileloop@$p.service" "fileloop@$v.service" "fileloop@$a.service"
ok "$(! mountpoint -q "$plain_mnt"; echo $?)" "unmounted"
for u in $v $a $p; do
	is "$(systemctl is-active "fileloop@$u.service")" inactive "fileloop@$u.service stopped cleanly"
done
flc_nothing_left "every device closed"
is "$(dmsetup udevcookies 2>/dev/null | awk 'NR > 1' | wc -l)" 0 "no udev cookie left"
done_testing
