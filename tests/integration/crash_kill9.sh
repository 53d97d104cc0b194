#!/usr/bin/env bash
# kill -9 riskmeshd while it ingests alerts over HTTP; after a restart every
# acknowledged (201) record is there. Five trials on one store: each drives
# the node with the bounded C load generator (rm_load_gen, 4 connections),
# waits until at least 200 records are acknowledged, kills at a random
# moment under load, restarts, and fetches every hash acknowledged in this
# and every earlier trial. scripts/crash-trials runs the same trial N times.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crash_lib.sh"
TRIALS=5

crash_setup "$FED" "$RM_TEST_DATA/agencies.csv"
for i in $(seq 1 $TRIALS); do
	crash_trial "$FED" "$T/acked.$i" "$T/acked.all" "$T/acked.all"
	echo "# trial $i: $CR_ACKED acknowledged, killed ${CR_DELAY_MS} ms after $CR_MIN_ACKED"
	check "trial $i: at least $CR_MIN_ACKED acknowledged before the kill ($CR_ACKED, waited at most ${CR_WAIT_S} s)" \
	    test "$CR_REACHED" = 1 -a "$CR_ACKED" -ge "$CR_MIN_ACKED"
	check_eq "trial $i: killed under load (load generator still running)" "$CR_UNDER_LOAD" 1
	check_eq "trial $i: load generator ended cleanly when the node died" "$CR_GEN_RC" 0
	check_eq "trial $i: every acknowledged record survived kill -9 ($CR_CHECKED checked)" \
	    "$CR_LOST" 0
	check "trial $i: store holds at least the acknowledged records ($CR_RECORDS >= $CR_TOTAL)" \
	    test "${CR_RECORDS:-0}" -ge "$CR_TOTAL"
done
finish
