# crash_lib.sh -- one kill -9 trial under load, shared by crash_kill9.sh
# (5 trials, in ctest) and scripts/crash-trials (N trials, not in CI).
# Needs fedlib.sh sourced (RM_BIN set) and RM_BUILD_DIR. No timing is
# asserted: every wait is a condition with a bound.

CR_A=120000.emergency
CR_LOAD_GEN=$RM_BUILD_DIR/tests/integration/rm_load_gen
CR_MIN_ACKED=200  # acknowledged records before the kill
CR_WAIT_S=60      # bound on reaching CR_MIN_ACKED (a bound, not a speed)
CR_JITTER_MS=1500 # then kill after a random 0..CR_JITTER_MS ms more load

# crash_setup FEDDIR AGENCIES_CSV: a federation with one node (CR_A, no
# peers, no CoAP), started; CR_ADDR and CR_TOKEN name its HTTP API,
# CR_BASE is the number of records it stores from the start (agency records).
crash_setup() {
	local nd
	[ -x "$CR_LOAD_GEN" ] || rm_die "$CR_LOAD_GEN not built"
	rm_fed_init "$1" test
	rm_agencies_import "$1" "$2" "$CR_A"
	rm_node_config "$1" "$CR_A" "$(rm_base_port)" off
	rm_node_start "$1" "$CR_A"
	nd=$(rm_node_dir "$1" "$CR_A")
	CR_ADDR=$(rm_conf_get "$nd/node.conf" http_listen)
	CR_TOKEN=$(rm_conf_get "$nd/node.conf" http_token)
	# what the store holds before any alert: the agency records it read
	# from agencies.cbor at start
	CR_BASE=$(rm_metric "$1" "$CR_A" riskmesh_records) || rm_die "no riskmesh_records"
}

# crash_trial FEDDIR ACKED ALL CHECK: one trial against the running node.
# Starts the load generator (4 connections), which writes each acknowledged
# hash to ACKED; waits until CR_MIN_ACKED are acknowledged (at most
# CR_WAIT_S s), lets the load run a random 0..CR_JITTER_MS ms more, kills
# the node with SIGKILL, waits for the generator to notice, appends ACKED
# to ALL, restarts the node and fetches every hash in CHECK (ACKED or ALL)
# from it. Sets:
#   CR_REACHED    1 if CR_MIN_ACKED were acknowledged within the bound
#   CR_UNDER_LOAD 1 if the generator was still running at the kill
#   CR_GEN_RC     the generator's exit status (0: ended by the kill)
#   CR_DELAY_MS   the random delay used
#   CR_ACKED      hashes acknowledged in this trial (lines of ACKED)
#   CR_TOTAL      lines of ALL (every trial so far)
#   CR_CHECKED    hashes in CHECK; CR_LOST those not found (-1: check failed)
#   CR_RECORDS    records in the restarted node's store, less CR_BASE
crash_trial() {
	local fed=$1 acked=$2 all=$3 check=$4 gen deadline out
	CR_REACHED=0 CR_UNDER_LOAD=0 CR_LOST=-1 CR_CHECKED=0
	CR_DELAY_MS=$((RANDOM % (CR_JITTER_MS + 1)))
	: >"$acked"
	"$CR_LOAD_GEN" post --addr "$CR_ADDR" --token "$CR_TOKEN" --out "$acked" \
	    --conns 4 --max 100000000 --secs $((CR_WAIT_S + 60)) \
	    --tag "$(basename "$acked")" >"$acked.gen" 2>&1 &
	gen=$!
	RM_PIDS+=("$gen")
	deadline=$(($(date +%s) + CR_WAIT_S))
	while [ "$(date +%s)" -le "$deadline" ] && kill -0 "$gen" 2>/dev/null; do
		[ "$(wc -l <"$acked")" -ge "$CR_MIN_ACKED" ] && { CR_REACHED=1; break; }
		sleep 0.05
	done
	if [ "$CR_REACHED" = 1 ]; then
		sleep "$(printf '%d.%03d' $((CR_DELAY_MS / 1000)) $((CR_DELAY_MS % 1000)))"
		kill -0 "$gen" 2>/dev/null && CR_UNDER_LOAD=1
	fi
	rm_node_kill "$fed" "$CR_A" KILL
	wait "$gen"
	CR_GEN_RC=$?
	[ "$CR_GEN_RC" = 0 ] || sed 's/^/  load_gen: /' "$acked.gen" >&2
	cat "$acked" >>"$all"
	CR_ACKED=$(wc -l <"$acked")
	CR_TOTAL=$(wc -l <"$all")

	rm_node_start "$fed" "$CR_A"
	out=$("$CR_LOAD_GEN" verify --addr "$CR_ADDR" --token "$CR_TOKEN" --in "$check" \
	    2>"$acked.verify")
	if [[ $out =~ ^acknowledged\ ([0-9]+)\ lost\ ([0-9]+)$ ]]; then
		CR_CHECKED=${BASH_REMATCH[1]} CR_LOST=${BASH_REMATCH[2]}
	fi
	[ "$CR_LOST" = 0 ] || sed 's/^/  verify: /' "$acked.verify" >&2
	CR_RECORDS=$(rm_metric "$fed" "$CR_A" riskmesh_records)
	CR_RECORDS=$((CR_RECORDS - CR_BASE))
}
