# about: benchmark: a mesh's cost per node and per link (CPU, bytes/s) at rest and under 100 records/s
# Topology: generated mesh (--nodes, default 64, --ci 6). After the links
# are up and a settle: REST seconds idle (default 20, --ci 5), then LOAD
# seconds (default 20, --ci 5) of RATE records/s (default 100, env
# SIM_RATE) issued over HTTP at 10 ring nodes (one curl per node and
# second, keep-alive). CPU: utime+stime of every riskmeshd from
# /proc/PID/stat; bytes: the relay's counters (TLS bytes on the wire,
# both directions). Writes cost.csv. Asserts only that every record
# issued under load reached every node.
sim_cpu_snapshot() { # FILE: "id ticks" per running node
	local id
	for id in "${!RUNNING[@]}"; do
		echo "$id $(awk '{ print $14 + $15 }' "/proc/$(rm_node_pid "$FED" "$id")/stat")"
	done >"$1"
}
sim_cost_phase() { # NAME SECONDS T0_MS: one cost.csv row from the snapshots
	local name=$1 secs
	secs=$(awk -v a="$3" -v b="$(rm_now_ms)" 'BEGIN { print (b - a) / 1000 }')
	awk -v name="$name" -v secs="$secs" -v hz="$(getconf CLK_TCK)" -v L=${#LINK_A[@]} '
	    FILENAME ~ /cpu-.*0$/ { c0[$1] = $2; next }
	    FILENAME ~ /cpu-/ { d = ($2 - c0[$1]) / hz / secs * 100; cpu += d; n++; if (d > cmax) cmax = d; next }
	    FILENAME ~ /0\.txt$/ { if (FNR > 1) b0[$1] = $3 + $4; next }
	    FNR > 1 { b = $3 + $4 - b0[$1]; bytes += b; if (b > bmax) bmax = b }
	    END { printf "%s,%.1f,%d,%d,%.2f,%.2f,%.0f,%.0f,%.0f\n", name, secs, n, L,
	        cpu / n, cmax, bytes / secs / L, bmax / secs, 2 * bytes / secs / n }' \
	    "$OUT/cpu-${name}0" "$OUT/cpu-${name}1" "$OUT/relay-${name}0.txt" "$OUT/relay-${name}1.txt" \
	    >>"$OUT/cost.csv"
}
scenario_run() {
	local rest=${SIM_REST:-$(sim_size 5 20)}
	local load=${SIM_LOAD:-$(sim_size 5 20)}
	local rate=${SIM_RATE:-100}
	sim_mesh_up 6 64
	sleep 3
	echo "phase,seconds,nodes,links,cpu_pct_per_node_mean,cpu_pct_node_max,bytes_per_s_per_link_mean,bytes_per_s_link_max,bytes_per_s_per_node_mean" >"$OUT/cost.csv"
	local t0
	sim_event phase rest
	sim_relay_dump rest0; sim_cpu_snapshot "$OUT/cpu-rest0"; t0=$(rm_now_ms)
	sleep "$rest"
	sim_relay_dump rest1; sim_cpu_snapshot "$OUT/cpu-rest1"
	sim_cost_phase rest "$rest" "$t0"
	# load: each second, one curl per issuer posting rate/10 alerts
	local ring=("${NODES[@]:1}") issuers=() k s id per=$(( rate / 10 )) urls
	for k in $(seq 0 9); do issuers+=("${ring[$(( (k * ${#ring[@]}) / 10 ))]}"); done
	local before; before=$(sim_count "${NODES[0]}")
	sim_event phase load
	sim_relay_dump load0; sim_cpu_snapshot "$OUT/cpu-load0"; t0=$(rm_now_ms)
	local pids=()
	for s in $(seq 1 "$load"); do
		for id in "${issuers[@]}"; do
			urls=$(for k in $(seq 1 $per); do printf 'http://127.0.0.1:%s/v1/alerts ' "${HTTP[$id]}"; done)
			# shellcheck disable=SC2086
			curl -sS -m 10 -H "Authorization: Bearer $(rm_conf_get "$(rm_node_dir "$FED" "$id")/node.conf" http_token)" \
			    -H 'Content-Type: application/json' \
			    -d "{\"grade\":\"blue\",\"areas\":[\"${SIM_AREA[$id]}\"],\"texts\":[{\"lang\":\"en-US\",\"event\":\"Load\",\"headline\":\"load\"}]}" \
			    $urls >>"$OUT/load-$id.out" 2>&1 &
			pids+=($!)
		done
		sleep "$(awk -v t0=$t0 -v s=$s -v now="$(rm_now_ms)" 'BEGIN { d = (t0 + s * 1000 - now) / 1000; print (d > 0 ? d : 0) }')"
	done
	for k in "${pids[@]}"; do wait "$k"; done
	local load_ms=$(( $(rm_now_ms) - t0 ))
	sim_relay_dump load1; sim_cpu_snapshot "$OUT/cpu-load1"
	sim_cost_phase load "$load" "$t0"
	local issued; issued=$(cat "$OUT"/load-*.out | grep -o '"hash"' | wc -l)
	ISSUED=$((ISSUED + issued))
	sim_value load_records_issued "$issued"
	sim_value load_seconds "$(awk -v t=$load_ms 'BEGIN { printf "%.1f", t / 1000 }')"
	sim_value load_rate_achieved "$(awk -v i=$issued -v t=$load_ms 'BEGIN { printf "%.1f", i * 1000 / t }')"
	sim_check "load: all ${#NODES[@]} nodes store the $issued records issued" \
	    sim_wait_count 120 $((before + issued)) "${NODES[@]}"
	column -s, -t "$OUT/cost.csv"
}
