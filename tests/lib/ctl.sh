# Helpers for the fileloopctl suites (tests/guest/2*-ctl-*.t, tests/boot/), sourced after
# tests/lib/tap.sh and tests/lib/fileloop.sh.

# FLC=PATH in the environment runs the suites against another build, e.g.
# to see a new test fail on the code before its fix.
FLC=${FLC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tools/build/fileloopctl}
# Fast key derivation under TCG; fileloopctl's defaults stay strong.
FLC_KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)

# LUKS stacks first (the generic trap would remove NAME-file before NAME),
# then the generic cleanup of mounts, flt-* mappings and $FLT_DIR.
flc_cleanup() {
	local m d
	for m in $(awk -v d="$FLT_DIR" 'index($2, d) == 1 { print $2 }' \
			/proc/mounts | sort -r); do
		umount "$m" 2>/dev/null
	done
	for d in $(dmsetup ls --target crypt 2>/dev/null |
			awk '$1 ~ /^flt-/ { print $1 }'); do
		cryptsetup close "$d" 2>/dev/null
	done
	flt_cleanup
}
trap flc_cleanup EXIT

# udev as a host runs it: systemd-udevd with Debian's dm rules, and
# libdevmapper synchronising with it by cookies (DM_DISABLE_UDEV unset).
# The VM boots without udev; a suite that starts it stops it again at its
# end, since the next suite's libdevmapper makes its nodes by itself.
FLC_UDEVD=
flc_start_udev() {
	local udevd
	for udevd in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
		[ -x "$udevd" ] && break
	done
	[ -x "$udevd" ] || { diag "no systemd-udevd in this root"; return 1; }
	"$udevd" --daemon 2>/dev/null || return 1
	FLC_UDEVD=$udevd
	trap 'flc_cleanup; flc_stop_udev' EXIT
	udevadm trigger --type=devices --action=add &&
		udevadm settle --timeout=60 || return 1
	unset DM_DISABLE_UDEV
}
flc_stop_udev() {
	[ -n "$FLC_UDEVD" ] || return 0
	udevadm settle --timeout=30
	udevadm control --exit
	FLC_UDEVD=
	export DM_DISABLE_UDEV=1
}
# FLT_UDEV=1 (make check-long): every fileloopctl suite runs under udev.
if [ "${FLT_UDEV:-0}" = 1 ] && [ -z "$FLC_UDEVD" ]; then
	flc_start_udev || { ok 1 "systemd-udevd started (FLT_UDEV=1)"; done_testing; exit 1; }
fi

flc_require() {
	if [ ! -x "$FLC" ]; then
		ok 1 "$FLC is built (make tools, or make tools-trixie)"
		done_testing
		exit 1
	fi
}

# flc_exit WANT DESC CMD...: CMD exits with status WANT; its output is
# kept in $FLC_OUT for the message checks that follow.
flc_exit() {
	local want=$1 desc=$2 rc; shift 2
	FLC_OUT=$("$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ]; then
		ok 0 "$desc (exit $want)"
	else
		ok 1 "$desc (exit $want)"
		diag "command: $*" "$FLC_OUT" "(exit $rc)"
	fi
}

# flc_says REGEX DESC: the last flc_exit output matches REGEX.
flc_says() {
	if grep -qE -- "$1" <<<"$FLC_OUT"; then ok 0 "$2"; else
		ok 1 "$2"; diag "want /$1/ in:" "$FLC_OUT"; fi
}

# flc_nothing_left DESC: no flt-* mapping is left.
flc_nothing_left() {
	local left
	left=$(dmsetup ls 2>/dev/null | awk '$1 ~ /^flt-/ { print $1 }' | tr '\n' ' ')
	is "$left" "" "$1: dmsetup ls shows no flt-* device"
}

# flc_only DESC NAME...: exactly these flt-* mappings exist.
flc_only() {
	local desc=$1 got want; shift
	got=$(dmsetup ls 2>/dev/null | awk '$1 ~ /^flt-/ { print $1 }' | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	is "$got" "$want" "$desc: mapped are exactly: $*"
}

sha() { sha256sum "$@" | cut -d' ' -f1; }

# flc_rand FILE SIZE: random content.
flc_rand() { head -c "$2" /dev/urandom > "$1"; }
