# about: (b) the city split in two halves (every link between them cut), both issue, heal, converge
# Topology: generated mesh (--nodes, default 16, --ci 6) or --topo FILE.
# Half A: the first half of the topology's nodes (the centre among them),
# half B: the rest; the cut is every link with one end in each half, in
# the relay, both directions, the nodes keep running. Assertions:
#  1. during the split each half stores everything issued in it;
#  2. ...and nothing issued in the other half (the cut holds);
#  3. after the heal every node stores every record (count and by hash);
#  convergence time after the heal is recorded (VALUE heal_converge_ms).
scenario_run() {
	local rounds=$(sim_size 3 10)
	sim_mesh_up 6 16
	local half=$(( ${#NODES[@]} / 2 ))
	local A=("${NODES[@]:0:$half}") B=("${NODES[@]:$half}") k
	local cut; cut=$(sim_crossing "${B[@]}")
	rm_say "half A: ${A[*]}"
	rm_say "half B: ${B[*]}"
	sim_issue_round before "${NODES[@]}" || rm_die "issue failed"
	sim_check "before the split: every node stores all $ISSUED records" \
	    sim_wait_count 30 $((NA + ISSUED)) "${NODES[@]}"
	local base=$ISSUED
	# shellcheck disable=SC2086
	sim_cut $cut
	sim_event phase split
	sleep 1
	local ia=0 ib=0
	for k in $(seq 1 "$rounds"); do
		sim_issue "${A[$((k % ${#A[@]}))]}" half_a || rm_die "issue in A"
		ia=$((ia + 1))
		sim_issue "${B[$((k % ${#B[@]}))]}" half_b || rm_die "issue in B"
		ib=$((ib + 1))
		sleep 0.2
	done
	sim_check "split: half A (${#A[@]} nodes) stores its $ia records" \
	    sim_wait_count 30 $((NA + base + ia)) "${A[@]}"
	sim_check "split: half B (${#B[@]} nodes) stores its $ib records" \
	    sim_wait_count 30 $((NA + base + ib)) "${B[@]}"
	sleep 1
	local leak=0 id c
	for id in "${A[@]}"; do c=$(sim_count "$id"); [ "$c" = $((NA + base + ia)) ] || leak=1; done
	for id in "${B[@]}"; do c=$(sim_count "$id"); [ "$c" = $((NA + base + ib)) ] || leak=1; done
	sim_check "split: no record crossed the cut" test $leak = 0
	local t0; t0=$(rm_now_ms)
	# shellcheck disable=SC2086
	sim_heal $cut
	sim_event phase healed
	sim_check "healed: all ${#NODES[@]} nodes store all $ISSUED records" \
	    sim_wait_count 60 $((NA + ISSUED)) "${NODES[@]}"
	sim_value heal_converge_ms $(( $(rm_now_ms) - t0 ))
	local hashes ok=0; mapfile -t hashes < <(sim_hashes half_a; sim_hashes half_b)
	for id in "${NODES[@]}"; do sim_has "$id" "${hashes[@]}" || ok=1; done
	sim_check "healed: every record issued during the split is on every node (by hash)" test $ok = 0
}
