# lib.sh -- common set-up for integration tests: a temp dir, the binaries
# from the build tree, fedlib, a trap that always cleans up, and checks.
set -u
: "${RM_SRC_DIR:?run through ctest}"
: "${RM_BUILD_DIR:?run through ctest}"
RM_BIN=$RM_BUILD_DIR/node
export RM_BIN
. "$RM_SRC_DIR/sims/lib/fedlib.sh"
T=$(mktemp -d /tmp/rm-itest.XXXXXX)
FED=$T/federation
EXTRA_PIDS=()
it_cleanup() {
	local rc=$?
	for p in "${EXTRA_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	rm_cleanup
	if [ $rc -ne 0 ]; then
		echo "--- node logs (test failed) ---"
		for f in "$FED"/nodes/*/log; do
			[ -f "$f" ] && { echo "== $f"; tail -40 "$f"; }
		done
	else
		rm -rf "$T"
	fi
}
trap it_cleanup EXIT

PASS=0
FAIL=0
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		PASS=$((PASS + 1)); echo "ok   - $what"
	else
		FAIL=$((FAIL + 1)); echo "FAIL - $what"
	fi
}
check_eq() { # DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then
		PASS=$((PASS + 1)); echo "ok   - $1"
	else
		FAIL=$((FAIL + 1)); echo "FAIL - $1: got '$2', want '$3'"
	fi
}
check_contains() { # DESCRIPTION GOT WANT-SUBSTRING
	case "$2" in
	*"$3"*) PASS=$((PASS + 1)); echo "ok   - $1" ;;
	*) FAIL=$((FAIL + 1)); echo "FAIL - $1: got '$2', want it to contain '$3'" ;;
	esac
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# wait_field NODE EXPR WANT SECONDS: until EXPR of the node's GET
# /v1/status (rm_status_field) prints WANT.
wait_field() { # NODE EXPR WANT SECONDS
	local deadline=$(( $(date +%s) + $4 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(rm_status_field "$FED" "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

# wait_metric_ge NODE NAME MIN SECONDS: until metric NAME (rm_metric) >= MIN.
wait_metric_ge() { # NODE NAME MIN SECONDS
	local deadline=$(( $(date +%s) + $4 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_metric "$FED" "$1" "$2" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

# it_seen FILE TEXT SECONDS: FILE holds TEXT (a grep pattern) within
# SECONDS (what a background client, e.g. coap-client, printed).
it_seen() {
	local deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		grep -q "$2" "$1" && return 0
		sleep 0.05
	done
	return 1
}

# body and status of an rm_http call
http_status() { tail -1; }
http_body() { sed '$d'; }

# it_agency_records: the number of agency records in $FED/agencies.cbor.
# Every node reads them at start and stores them like any record, so a
# node's record count (riskmesh_records, /v1/status records) is this number
# plus the records the test issued. Call it once, after the last agency
# change the nodes start with (one CLI run, not for loops).
it_agency_records() {
	local n
	n=$("$RM_BIN/riskmesh" agency list --dir "$FED" |
	    sed -n '1s/.*; \([0-9][0-9]*\) records)$/\1/p')
	[ -n "$n" ] || rm_die "agency list: no record count"
	echo "$n"
}

# it_two_nodes A B [insecure]: federation of A and B, A listens, B dials;
# sets NA to the number of agency records each node holds from the start.
it_two_nodes() {
	local a=$1 b=$2 scheme=tls+tcp extra=()
	[ "${3:-}" = insecure ] && { scheme=tcp; extra=(--insecure); }
	local base; base=$(rm_base_port)
	rm_fed_init "$FED" test
	rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$a,$b"
	NA=$(it_agency_records)
	rm_node_config "$FED" "$a" $((base)) $((base + 10)) \
	    --peer "$b,listen,$scheme://127.0.0.1:$((base + 20))" "${extra[@]}"
	rm_node_config "$FED" "$b" $((base + 1)) $((base + 11)) \
	    --peer "$a,dial,$scheme://127.0.0.1:$((base + 20))" "${extra[@]}"
	rm_node_start "$FED" "$a"
	rm_node_start "$FED" "$b"
	rm_wait_peers_up "$FED" "$a" 1 15 || rm_die "$a: peer not up"
	rm_wait_peers_up "$FED" "$b" 1 15 || rm_die "$b: peer not up"
}
