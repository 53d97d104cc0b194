# about: (d) a new node joins cold (empty store) after records were issued, and catches up
# Topology: generated mesh (--nodes, default 16, --ci 6) whose last node is
# marked cold, or --topo FILE with a "node ID cold" line. The others issue
# while it is away; then it starts with an empty store. Assertions:
#  1. before the join every running node stores everything issued;
#  2. the joiner stores every record (count, and each by hash);
#  3. records issued after the join reach it as well.
# Recorded: VALUE join_catch_up_ms, the bytes its links carried in the
# catch-up (relay-joined.txt, sessions.csv).
scenario_run() {
	local rounds=$(sim_size 3 20)
	if [ -z "$TOPO" ]; then
		TOPO=$OUT/generated.topo
		sim_topo_mesh "${OPT_NODES:-$(sim_size 6 16)}" "$TOPO"
		local last; last=$(awk '$1 == "node" { id = $2 } END { print id }' "$TOPO")
		sed -i "s/^node $last\$/node $last cold/" "$TOPO"
	fi
	sim_mesh_up 6 16
	[ ${#COLD[@]} -ge 1 ] || rm_die "the topology has no cold node"
	local joiner=${COLD[0]} k others=()
	for k in "${NODES[@]}"; do [ "$k" = "$joiner" ] || others+=("$k"); done
	for k in $(seq 1 "$rounds"); do
		sim_issue_round before "${others[@]}" || rm_die "issue failed"
	done
	sim_check "before the join: the ${#others[@]} running nodes store all $ISSUED records" \
	    sim_wait_count 60 $((NA + ISSUED)) "${others[@]}"
	sim_relay_dump before_join
	local t0; t0=$(rm_now_ms)
	sim_start "$joiner"
	sim_event join "$joiner"
	sim_check "the joiner stores all $((NA + ISSUED)) records" \
	    sim_wait_count 60 $((NA + ISSUED)) "$joiner"
	sim_value join_catch_up_ms $(( $(rm_now_ms) - t0 ))
	sim_relay_dump joined
	local hashes; mapfile -t hashes < <(sim_hashes before)
	sim_check "the joiner holds each of the ${#hashes[@]} records (by hash)" sim_has "$joiner" "${hashes[@]}"
	sim_issue_round after "${others[0]}" "$joiner" || rm_die "issue after the join failed"
	sim_check "after the join records flow both ways" \
	    sim_wait_count 30 $((NA + ISSUED)) "${NODES[@]}"
	# bytes the joiner's links carried during the catch-up
	local links; links=$(awk -F, -v j="$joiner" '$2 == j || $3 == j { printf "%s ", $1 }' "$OUT/links.csv")
	sim_value join_bytes "$(awk -v L=" $links" 'NR == FNR { if (FNR > 1) b[$1] = $3 + $4; next }
	    FNR > 1 && index(L, " " $1 " ") { s += $3 + $4 - b[$1] } END { print s + 0 }' \
	    "$OUT/relay-before_join.txt" "$OUT/relay-joined.txt")"
}
