# about: (c) a district node restored from a week-old backup rejoins and is repaired (vector catch-up, then riskmesh sync: range-based reconciliation)
# Uses `riskmesh sync PEER` (range-based set reconciliation,
# docs/PROTOCOL.md §7a); reports SKIP (exit 77) on a build without it.
# Topology: generated mesh (--nodes, default 16, --ci 6) or --topo FILE;
# the restored node is the third one. Steps: every node issues; the
# node's store is copied while it is stopped (the "week-old" backup);
# every node issues more, the restored node too (its own log moves past
# the backup) and so do third origins; the node is killed, its store
# replaced by the backup, restarted, and `riskmesh sync` run against
# each of its peers whose link comes up. Assertions:
#  1. before the backup everything issued is everywhere;
#  1a. every sync with a linked peer that is up ends without error;
#  2. after the restore the node stores every record (count, and each by
#     hash: its own later records and third-origin ones included);
#  3. it issues again (its own log caught up) and that record reaches
#     every node.
# SIM_RESTORE_WITHOUT_SYNC=1 runs it anyway, without `riskmesh sync`, to
# show what the version-vector catch-up alone repairs (a diagnostic: it
# is never what ctest runs).
scenario_run() {
	local sync=1
	if [ "${SIM_RESTORE_WITHOUT_SYNC:-0}" = 1 ]; then
		sync=0
	else "$RM_BIN/riskmesh" --help 2>&1 | grep -q '^ *sync ' ||
	    sim_skip "restore: needs range-based reconciliation and 'riskmesh sync PEER' (issue 8, RBSR); this build's CLI has no sync command"
	fi
	local rounds=$(sim_size 3 20)
	sim_mesh_up 6 16
	local d=${NODES[2]} k id
	sim_issue_round early "${NODES[@]}" || rm_die "issue failed"
	sim_check "before the backup: every node stores all $ISSUED records" \
	    sim_wait_count 30 $((NA + ISSUED)) "${NODES[@]}"
	sim_backup "$d" week_old
	sim_wait_links 30 || rm_die "links not back after the backup"
	for k in $(seq 1 "$rounds"); do
		sim_issue_round later "${NODES[@]}" || rm_die "issue failed"
	done
	sim_check "before the restore: every node stores all $ISSUED records" \
	    sim_wait_count 60 $((NA + ISSUED)) "${NODES[@]}"
	sim_restore "$d" week_old
	local t0; t0=$(rm_now_ms)
	sim_restart "$d"
	local peers; peers=$(awk -F, -v d="$d" '$2 == d { print $3 } $3 == d { print $2 }' "$OUT/links.csv")
	local conf; conf=$(rm_node_dir "$FED" "$d")/node.conf
	[ $sync = 1 ] || peers=
	local synced=0 failed=0
	for id in $peers; do
		# only a link that comes up (a peer may be down in this run)
		sim_peer_up "$d" "$id" 10 || continue
		if timeout 120 "$RM_BIN/riskmesh" sync -c "$conf" "$id" >>"$OUT/sync.log" 2>&1; then
			synced=$((synced + 1))
		else
			failed=$((failed + 1))
			echo "riskmesh sync $id: exit $?" | tee -a "$OUT/sync.log"
		fi
	done
	if [ $sync = 1 ]; then
		sim_check "restored: riskmesh sync with every linked peer that is up succeeds ($synced)" \
		    test "$failed" -eq 0 -a "$synced" -ge 1
	fi
	sim_check "restored: $d stores all $((NA + ISSUED)) records" \
	    sim_wait_count 60 $((NA + ISSUED)) "$d"
	sim_value restore_repair_ms $(( $(rm_now_ms) - t0 ))
	local hashes; mapfile -t hashes < <(sim_hashes)
	sim_check "restored: $d holds each of the ${#hashes[@]} records (by hash)" sim_has "$d" "${hashes[@]}"
	sim_issue "$d" after || rm_die "$d cannot issue after the restore"
	sim_check "restored: $d issues again and every node gets it" \
	    sim_wait_count 30 $((NA + ISSUED)) "${NODES[@]}"
}
