# about: (a) the centre dies mid-incident; districts and departments keep issuing; every survivor gets everything; the centre catches up
# Topology: generated mesh (--nodes, default 16, --ci 8) or --topo FILE
# whose first node is the centre. Assertions:
#  1. before the failure every node stores every record issued;
#  2. after SIGKILL of the centre, records issued by districts and
#     departments reach every surviving node (count, and each record by hash);
#  3. the restarted centre catches up: it stores every record, by hash.
scenario_run() {
	local rounds=$(sim_size 3 10)
	sim_mesh_up 8 16
	local centre=${NODES[0]} issuers=() survivors=() k id
	survivors=("${NODES[@]:1}")
	# up to 6 issuers spread over the ring: departments first, then districts
	local step=$(( (${#survivors[@]} + 5) / 6 ))
	for ((k = 0; k < ${#survivors[@]}; k += step)); do issuers+=("${survivors[$k]}"); done
	sim_event phase before
	sim_issue_round before "$centre" "${issuers[@]}" || rm_die "issue failed"
	sim_check "before the failure: all ${#NODES[@]} nodes store all $ISSUED records" \
	    sim_wait_count 30 $((NA + ISSUED)) "${NODES[@]}"
	sim_kill "$centre"
	sim_event phase centre_down
	for k in $(seq 1 "$rounds"); do
		sim_issue_round down "${issuers[@]}" || rm_die "issue failed with the centre down"
		sleep 0.2
	done
	sim_check "centre down: all ${#survivors[@]} survivors store all $ISSUED records" \
	    sim_wait_count 30 $((NA + ISSUED)) "${survivors[@]}"
	local hashes; mapfile -t hashes < <(sim_hashes down)
	local ok=0
	for id in "${survivors[@]}"; do sim_has "$id" "${hashes[@]}" || ok=1; done
	sim_check "centre down: each of the ${#hashes[@]} records issued without the centre is on every survivor (by hash)" \
	    test $ok = 0
	local t0; t0=$(rm_now_ms)
	sim_restart "$centre"
	sim_event phase centre_back
	sim_check "the centre catches up: $((NA + ISSUED)) records" \
	    sim_wait_count 30 $((NA + ISSUED)) "$centre"
	sim_value centre_catch_up_ms $(( $(rm_now_ms) - t0 ))
	mapfile -t hashes < <(sim_hashes)
	sim_check "the centre holds every record issued (by hash)" sim_has "$centre" "${hashes[@]}"

}
