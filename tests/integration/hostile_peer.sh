#!/usr/bin/env bash
# Links that hold (issue 6): ten rounds, each with its own gap between bad
# sessions. A hostile peer (hostile_peer.py, the peer probe) runs every bad
# session against the listening node A -- forged records, raw garbage,
# TLS garbage, oversized SP lengths, a 5 MiB message, HELLO then garbage,
# VECTOR before HELLO, wrong agency, wrong protocol version, huge
# RECORDS, a bad SP header, three silent authenticated connections held
# open -- then the correct peer B must be up on both sides within its
# reconnect back-off. Then A stops (SIGTERM) and the hostile peer takes
# A's port and answers B's dials with the same bad sessions; A returns and
# the link must be up within B's back-off again. Every SIGTERM must end
# the daemon cleanly within 2 s.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
B=120000.water
PROBE=$RM_BUILD_DIR/tests/federation/rm_peer_probe
HOSTILE="/usr/bin/python3 $RM_SRC_DIR/tests/integration/hostile_peer.py"
BACKOFF_MS=2000          # reconnect_max_ms of both nodes
SLACK_MS=4000            # a busy 2-core CI machine: start-up, TLS, scheduling
base=$(rm_base_port)
port=$((base + 20))
url=tls+tcp://127.0.0.1:$port
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B,120000.command"
NA=$(it_agency_records)
rm_node_config "$FED" $A $base $((base + 10)) --peer "$B,listen,$url"
rm_node_config "$FED" $B $((base + 1)) $((base + 11)) --peer "$A,dial,$url"
for n in $A $B; do
	sed -i "s/^reconnect_max_ms = .*/reconnect_max_ms = $BACKOFF_MS/" \
	    "$(rm_node_dir "$FED" $n)/node.conf"
done

now_ms() { date +%s%3N; }
# up_within NODE MS: the node's link is up within MS; prints the time taken.
up_within() {
	local t0; t0=$(now_ms)
	while [ $(( $(now_ms) - t0 )) -le "$2" ]; do
		[ "$(rm_metric "$FED" "$1" riskmesh_peer_up || echo 0)" -ge 1 ] &&
		    { echo $(( $(now_ms) - t0 )); return 0; }
		sleep 0.1
	done
	echo "more than $2"
	return 1
}
# stop_within NODE: SIGTERM; the daemon exits 0 within 2 s. Sets $why.
stop_within() {
	local pid t0 rc=0; pid=$(rm_node_pid "$FED" "$1"); t0=$(now_ms)
	why=
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null && [ $(( $(now_ms) - t0 )) -lt 2000 ]; do
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		why="still running 2 s after SIGTERM"
	fi
	wait "$pid" 2>/dev/null || rc=$?
	echo "--- stopped ---" >>"$(rm_node_dir "$FED" "$1")/log"
	[ -n "$why" ] || [ "$rc" -eq 0 ] || why="exit status $rc"
	[ -z "$why" ]
}
forged() { # the probe authenticates as B and sends a forged record
	"$PROBE" --agency $B --key "$FED/agencies/$B/agency.key" \
	    --ca "$FED/ca.crt" --cert "$FED/agencies/$B/tls.crt" \
	    --tls-key "$FED/agencies/$B/tls.key" --roster "$FED/roster.cose" \
	    --agencies "$FED/agencies.cbor" \
	    --dial "$url" --peer $A --forge badsig >/dev/null 2>&1
}

rm_node_start "$FED" $A
gaps=(0.5 0 0.2 0.05 1 0.1 0.3 0.02 0.7 0.15)
for round in 1 2 3 4 5 6 7 8 9 10; do
	gap=${gaps[$((round - 1))]}
	# 1. Against the listener, then B dials.
	forged
	coproc HP { $HOSTILE dial "127.0.0.1:$port" "$FED" $B $A "$gap" 2>/dev/null; }
	hp=$HP_PID
	read -r -t 60 ready <&"${HP[0]}" || ready=
	check_eq "round $round (gap $gap s): hostile sessions against the listener ran" "$ready" ready
	rm_node_start "$FED" $B
	t=$(up_within $B $((BACKOFF_MS + SLACK_MS)))
	check "round $round: B up after the hostile sessions ($t ms)" test $? -eq 0
	t=$(up_within $A $((BACKOFF_MS + SLACK_MS)))
	check "round $round: A up as well ($t ms)" test $? -eq 0
	eval "exec ${HP[1]}>&-"
	kill "$hp" 2>/dev/null; wait "$hp" 2>/dev/null
	# 2. Against the dialer: the hostile peer holds A's port.
	stop_within $A
	check "round $round: A stops within 2 s of SIGTERM $why" test -z "$why"
	serve_s=$(awk -v g="$gap" 'BEGIN { printf "%.1f", 2 + 4 * g }')
	$HOSTILE serve $port "$FED" $A $B "$serve_s" >/dev/null 2>&1
	rm_node_start "$FED" $A
	t=$(up_within $B $((BACKOFF_MS + SLACK_MS)))
	check "round $round: B up again after hostile listener sessions ($t ms)" test $? -eq 0
	stop_within $B
	check "round $round: B stops within 2 s of SIGTERM $why" test -z "$why"
done
check_eq "nothing forged was stored" "$(rm_status_field "$FED" $A 'd["records"]')" $NA
n=$(grep -c "handshake refused" "$(rm_node_dir "$FED" $A)/log")
check "refusals logged, rate-limited ($n lines on A)" test "$n" -ge 1 -a "$n" -le 60
stop_within $A
check "A stops within 2 s of SIGTERM at the end $why" test -z "$why"
finish
