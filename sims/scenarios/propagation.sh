# about: benchmark: one alert at a time through the mesh, issue -> every node p50/p99, centre up and killed
# Topology: generated mesh (--nodes, default 32, --ci 6): the centre and
# a ring, each ring node linked to the centre and its two neighbours.
# ALERTS alerts per phase (default 20, --ci 5; env SIM_ALERTS), each at
# another ring node, each waited for on every running node before the
# next. Phase "up" with the centre, phase "killed" after its SIGKILL.
# Latency from the node logs (latency.csv, propagation.csv). Asserts only
# that every alert reached every running node, never a speed.
# prop_phase TAG OFFSET NODE...: ALERTS alerts, the k-th at ring node
# (k * step + OFFSET), each waited for on every NODE listed.
prop_phase() {
	local tag=$1 off=$2 k ok=0
	shift 2
	sim_event phase "$tag"
	for k in $(seq 0 $((alerts - 1))); do
		sim_issue "${ring[$(((k * step + off) % ${#ring[@]}))]}" "$tag" || rm_die "issue failed"
		sim_wait_count 30 $((NA + ISSUED)) "$@" || ok=1
		sleep 0.3
	done
	sim_check "$tag: each of $alerts alerts reached all $# running nodes" test $ok = 0
}
scenario_run() {
	local alerts=${SIM_ALERTS:-$(sim_size 5 20)}
	sim_mesh_up 6 32
	sleep 2
	local centre=${NODES[0]} ring=("${NODES[@]:1}")
	local step=$(( ${#ring[@]} / 4 + 1 ))
	prop_phase up 0 "${NODES[@]}"
	sim_kill "$centre"
	sleep 2
	prop_phase killed 1 "${ring[@]}"
}
