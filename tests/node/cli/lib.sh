# lib.sh -- shared by the riskmesh CLI script tests: a temp dir removed
# by a trap, the binaries, and check helpers that count failures.
set -u
: "${RM_BUILD_DIR:?run through ctest (RM_BUILD_DIR)}"
: "${RM_TEST_DATA:?run through ctest (RM_TEST_DATA)}"
RM=$RM_BUILD_DIR/node/riskmesh
SEAL=$RM_BUILD_DIR/tests/node/rm_test_seal
T=$(mktemp -d /tmp/rm_cli_test.XXXXXX)
CLEANUP_PIDS=()
cleanup() {
	local p
	for p in "${CLEANUP_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
FAILS=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; FAILS=$((FAILS + 1)); }
# check DESC CMD...: CMD must succeed
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# check_eq DESC GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }
# run_rc WANT_RC CMD...: runs CMD, stdout in $OUT, stderr in $ERR, rc in $RC
run() { OUT=$("$@" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr"); }
# expect DESC WANT_RC PATTERN_IN_OUTPUT CMD...: rc and a grep on stdout+stderr
expect() {
	local d=$1 rc=$2 pat=$3; shift 3
	run "$@"
	if [ "$RC" != "$rc" ]; then
		bad "$d: exit $RC, want $rc; out: $OUT; err: $ERR"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$OUT$ERR"; then
		bad "$d: no /$pat/ in: $OUT $ERR"
	else
		ok "$d"
	fi
}
finish() { if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi; echo "all passed"; exit 0; }
