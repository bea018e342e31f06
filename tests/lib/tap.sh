# Minimal TAP producer for the shell suites (sourced, bash).
#
#   ok COND-EXIT-STATUS "description"
#   is GOT EXPECTED "description"      string equality, shows both on failure
#   run_ok "description" cmd args...   passes when cmd exits 0
#   run_fails "description" cmd args... passes when cmd exits non-zero
#   diag "text"                        a '#' comment line (shown by prove -v)
#   done_testing                       prints the plan; exit status = failures
#
# A suite that dies early prints no plan, so prove reports it as failed: a
# test that did not run can never count as passed.

_tap_n=0
_tap_failed=0

diag() { printf '# %s\n' "$*" | sed '2,$s/^/# /'; }

ok() {
	local rc=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$rc" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$*"
	else
		printf 'not ok %d - %s\n' "$_tap_n" "$*"
		_tap_failed=$((_tap_failed + 1))
	fi
	return "$rc"
}

is() {
	local got=$1 want=$2; shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$*"
	else
		ok 1 "$*"
		diag "got:  '$got'"
		diag "want: '$want'"
		return 1
	fi
}

run_ok() {
	local desc=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	ok "$rc" "$desc" || diag "command: $*" "$out" "(exit $rc)"
}

run_fails() {
	local desc=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne 0 ]; then ok 0 "$desc"; else
		ok 1 "$desc"; diag "command unexpectedly succeeded: $*" "$out"
		return 1
	fi
}

done_testing() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
