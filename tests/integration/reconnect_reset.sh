#!/usr/bin/env bash
# A peer's port that accepts a TCP connection and resets it at once (a
# proxy whose backend is dead) must not hold up the next dial: after the
# port works again the dialing node reconnects within its back-off
# (reconnect_max_ms = 1000 here), not after nng's TLS dial gives up by
# itself or a fallback timer fires (federation/peer/link_nng.c, "dial
# deadline"). The fault comes from rm_relay's `reset` command (the
# sims relay): the dialer's TCP connect succeeds, the relay accepts and
# closes with RST, the TLS handshake never starts. The bound is generous
# (4 s, four times the back-off cap); it is not a speed figure.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
RELAY=$RM_BUILD_DIR/tests/integration/rm_relay
RELAY_PID=
on_exit() {
	local rc=$?
	[ -n "$RELAY_PID" ] && { kill "$RELAY_PID" 2>/dev/null; wait "$RELAY_PID" 2>/dev/null; }
	exec 9>&- 2>/dev/null
	(exit $rc)
	it_cleanup
}
trap on_exit EXIT

base=$(rm_base_port)
lp=$((base + 20)) rp=$((base + 21))
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B"
rm_node_config "$FED" $A $((base)) off --peer "$B,listen,tls+tcp://127.0.0.1:$lp"
rm_node_config "$FED" $B $((base + 1)) off --peer "$A,dial,tls+tcp://127.0.0.1:$rp"
for id in $A $B; do
	sed -i 's/^reconnect_max_ms *=.*/reconnect_max_ms = 1000/' \
	    "$(rm_node_dir "$FED" $id)/node.conf"
done
grep -q '^reconnect_max_ms = 1000' "$(rm_node_dir "$FED" $B)/node.conf" ||
    rm_die "node.conf has no reconnect_max_ms line"
echo "0 $rp $lp" >"$T/links.txt"
mkfifo "$T/relay.ctl"
"$RELAY" "$T/links.txt" "$T/relay.ctl" "$T/relay.stats" "$T/sessions.txt" \
    2>>"$T/relay.log" &
RELAY_PID=$!
exec 9<>"$T/relay.ctl"
rm_wait_log "$T/relay.log" "links ready" 10 || rm_die "relay did not start"
relay() { echo "$*" >&9; }
# connections the relay accepted and reset (or refused) so far (a dump)
relay_refused() {
	local seq=$1 k
	relay "dump $seq"
	for k in $(seq 1 50); do
		[ "$(head -1 "$T/relay.stats" 2>/dev/null)" = "seq $seq" ] && break
		sleep 0.1
	done
	awk '$1 == 0 { print $7 }' "$T/relay.stats"
}

rm_node_start "$FED" $A
rm_node_start "$FED" $B
check "the link is up through the relay" rm_wait_peers_up "$FED" $B 1 20

# RESET_MS: how long the port resets every connection, a round (longer
# than the 5 s handshake timeout, so that one dial waiting for it shows
# as a gap, and long enough for several back-off periods of 1 s).
RESET_MS=7000
for round in 1 2; do
	t_reset=$(rm_now_ms)
	relay "reset 0"
	# B's session ends; every dial meanwhile is accepted and reset
	sleep $((RESET_MS / 1000))
	n=$(relay_refused "$round")
	t0=$(rm_now_ms)
	relay "heal 0"
	check "round $round: dials were accepted and reset ($n so far)" test "${n:-0}" -ge "$round"
	# the largest gap between B's attempts (each logged by the relay as
	# it resets it) while the port reset them, the reset and the heal
	# included as the ends: a dial left waiting for the handshake
	# timeout shows as a gap of 5 s or more
	gap=$(awk -v a="$t_reset" -v b="$t0" '$3 == "reset" && $2 >= a && $2 <= b { print $2 }
	    END { print b }' "$T/relay.log" | awk -v prev="$t_reset" '
	    { if ($1 - prev > m) m = $1 - prev; prev = $1 } END { print m + 0 }')
	echo "     round $round: largest gap between attempts: $gap ms"
	check "round $round: B retried within 4 s of each reset ($gap ms; back-off cap 1 s)" \
	    test "$gap" -le 4000
	check "round $round: the link comes back after the heal" rm_wait_peers_up "$FED" $B 1 20
	dt=$(( $(rm_now_ms) - t0 ))
	echo "     round $round: reconnect after the heal: $dt ms"
	check "round $round: ... within 4 s of it ($dt ms)" test "$dt" -le 4000
done
finish
