# about: (f) a flapping link (cut/heal every few seconds for a minute) loses nothing and does not storm
# Topology: generated mesh (--nodes, default 16, --ci 6) or --topo FILE;
# the flapping link is the one between the second and third node (ring
# neighbours in the generated mesh). It is cut and healed every PERIOD
# seconds (3 s, --ci 2 s; +-0.5 s jitter from --seed) for DURATION (60 s,
# --ci 12 s) while both its ends and a third node issue. Assertions:
#  1. nothing is lost: every node stores every record (count, by hash);
#  2. no storm: records sent over all links <= 2 x links x records issued
#     (flooding sends a record over each link at most once each way;
#     the ratio to the flooding figure 2L-N+1 is VALUE flood_ratio);
#  3. no reconnect storm: sessions on the flapping link <= heals + 2,
#     and the link is up again after the last heal.
scenario_run() {
	local period_ms=$(sim_size 2000 3000)
	local dur_s=$(sim_size 12 60)
	sim_mesh_up 6 16
	local a=${NODES[1]} b=${NODES[2]} c=${NODES[$(( ${#NODES[@]} - 1 ))]}
	local l; l=$(sim_link_index "$a" "$b") || rm_die "no link $a - $b"
	local L=${#LINK_A[@]} N=${#NODES[@]}
	sim_relay_dump before
	local sent0; sent0=$(sim_sent_total "${NODES[@]}")
	local sess0; sess0=$(awk -v l=$l '$1 == l { print $6 }' "$OUT/relay-before.txt")
	sim_event phase flapping
	local end=$(( $(rm_now_ms) + dur_s * 1000 )) next_flip cut=0 heals=0 now
	next_flip=$(( $(rm_now_ms) + period_ms ))
	while now=$(rm_now_ms); [ "$now" -lt "$end" ]; do
		if [ "$now" -ge "$next_flip" ]; then
			if [ $cut = 0 ]; then sim_cut "$l"; cut=1; else sim_heal "$l"; cut=0; heals=$((heals + 1)); fi
			next_flip=$(( now + period_ms + (RANDOM % 1000) - 500 ))
		fi
		sim_issue_round flap "$a" "$b" "$c" || rm_die "issue failed"
		sleep 0.3
	done
	[ $cut = 1 ] && { sim_heal "$l"; heals=$((heals + 1)); }
	sim_event phase settled
	sim_check "nothing lost: all $N nodes store all $ISSUED records" \
	    sim_wait_count 60 $((NA + ISSUED)) "${NODES[@]}"
	local hashes ok=0 id; mapfile -t hashes < <(sim_hashes flap)
	for id in "$a" "$b" "$c"; do sim_has "$id" "${hashes[@]}" || ok=1; done
	sim_check "nothing lost: the ${#hashes[@]} records are on both ends of the link and on $c (by hash)" \
	    test $ok = 0
	sleep 1
	sim_relay_dump after
	local sent; sent=$(( $(sim_sent_total "${NODES[@]}") - sent0 ))
	local M=${#hashes[@]} bound=$(( 2 * L * ${#hashes[@]} ))
	sim_value records_issued "$M"
	sim_value records_sent "$sent"
	sim_value flood_ratio "$(awk -v s=$sent -v m=$M -v l=$L -v n=$N 'BEGIN { printf "%.3f", s / (m * (2 * l - n + 1)) }')"
	sim_check "no storm: $sent records sent <= 2 x $L links x $M records = $bound" test "$sent" -le "$bound"
	local sess; sess=$(( $(awk -v l=$l '$1 == l { print $6 }' "$OUT/relay-after.txt") - sess0 ))
	sim_value flap_heals "$heals"
	sim_value flap_link_sessions "$sess"
	sim_value flap_link_bytes "$(awk -v l=$l 'NR == FNR { if ($1 == l) b = $3 + $4; next } $1 == l { print $3 + $4 - b }' \
	    "$OUT/relay-before.txt" "$OUT/relay-after.txt")"
	sim_check "the flapping link is up again after the last heal" sim_wait_links 15
	sim_check "no reconnect storm: $sess sessions on the flapping link <= $heals heals + 2" \
	    test "$sess" -le $((heals + 2))
}
