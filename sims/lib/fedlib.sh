# fedlib.sh -- shell helpers to build a local riskmesh federation and drive
# real riskmeshd processes. Sourced by scripts/demo, sims/*.sh and the
# integration tests. Needs: RM_BIN (dir with riskmeshd, riskmesh), curl,
# awk, Debian's /usr/bin/python3 (never whichever python3 is first on PATH:
# a version-manager shim can cost 0.35 s a start). Every wait is bounded;
# polling loops read /metrics with awk, no interpreter per iteration.

: "${RM_BIN:?RM_BIN must point at the directory holding riskmeshd and riskmesh}"
RM_PIDS=()
RM_T0_MS=$(date +%s%3N)

rm_now_ms() { date +%s%3N; }
rm_elapsed() { echo "$(( $(date +%s%3N) - RM_T0_MS ))"; }
rm_say() { printf '[%6s ms] %s\n' "$(rm_elapsed)" "$*"; }
rm_die() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# A base port for this run: distinct per process so parallel runs don't clash,
# and below Linux's ephemeral range (32768-60999), so that no outgoing
# connection of another process can be holding one of our listening ports.
rm_base_port() { echo $(( 21000 + ($$ % 80) * 100 )); }

# rm_fed_init DIR NAME: federation root, CA and empty roster.
rm_fed_init() {
	"$RM_BIN/riskmesh" federation init --dir "$1" --name "$2" >/dev/null ||
	    rm_die "federation init"
}

# rm_agencies_import DIR CSV ID,ID,...
rm_agencies_import() {
	"$RM_BIN/riskmesh" agency import --dir "$1" --csv "$2" --only "$3" >/dev/null ||
	    rm_die "agency import"
}

# Per-node state lives in DIR/nodes/ID: node.conf, data/, log.
rm_node_dir() { echo "$1/nodes/$2"; }

# rm_node_config FEDDIR ID HTTP_PORT COAP_PORT [extra riskmesh node config args...]
rm_node_config() {
	local dir=$1 id=$2 http=$3 coap=$4
	shift 4
	local nd; nd=$(rm_node_dir "$dir" "$id")
	mkdir -p "$nd"
	"$RM_BIN/riskmesh" node config --dir "$dir" --id "$id" \
	    --data-dir "$nd/data" --http "127.0.0.1:$http" \
	    --coap "$([ "$coap" = off ] && echo off || echo "127.0.0.1:$coap")" \
	    "$@" -o "$nd/node.conf" >/dev/null || rm_die "node config $id"
}

# rm_node_start FEDDIR ID: start riskmeshd in the background, wait for "ready".
rm_node_start() {
	local nd; nd=$(rm_node_dir "$1" "$2")
	"$RM_BIN/riskmeshd" -c "$nd/node.conf" >>"$nd/log" 2>&1 &
	echo $! >"$nd/pid"
	RM_PIDS+=($!)
	rm_wait_log "$nd/log" "ready" 15 || { tail -20 "$nd/log" >&2; rm_die "$2 did not start"; }
}

rm_node_pid() { cat "$(rm_node_dir "$1" "$2")/pid"; }

# rm_node_kill FEDDIR ID SIGNAL
rm_node_kill() {
	local pid; pid=$(rm_node_pid "$1" "$2")
	kill -"$3" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	# the next "ready" must come from a new process
	echo "--- killed with SIG$3 ---" >>"$(rm_node_dir "$1" "$2")/log"
}

# rm_wait_log FILE PATTERN SECONDS: wait for a line matching PATTERN written
# after the last "--- killed" marker.
rm_wait_log() {
	local deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if [ -f "$1" ] && awk '/^--- killed/{found=0} index($0, p){found=1} END{exit !found}' p="$2" "$1"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

rm_conf_get() { sed -n "s/^$2 *= *//p" "$1" | head -1; }

# rm_http FEDDIR ID METHOD PATH [curl args...]: authenticated API call; body
# on stdout, HTTP status in the last line.
rm_http() {
	local nd; nd=$(rm_node_dir "$1" "$2")
	local addr token
	addr=$(rm_conf_get "$nd/node.conf" http_listen)
	token=$(rm_conf_get "$nd/node.conf" http_token)
	local method=$3 path=$4
	shift 4
	curl -sS -m 10 -X "$method" -H "Authorization: Bearer $token" \
	    -w '\n%{http_code}' "$@" "http://$addr$path"
}

# rm_json EXPR: evaluate a Python expression on the JSON document on stdin
# (bound to `d`), print the result. One interpreter start: not for loops.
rm_json() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# rm_status_field FEDDIR ID EXPR: a field of GET /v1/status.
rm_status_field() {
	rm_http "$1" "$2" GET /v1/status | sed '$d' | rm_json "$3"
}

# rm_metric FEDDIR ID NAME: the value of metric NAME from GET /metrics,
# summed over its labels (riskmesh_peer_up: links up); fails if the node
# does not answer or has no such metric.
rm_metric() {
	local out
	out=$(rm_http "$1" "$2" GET /metrics 2>/dev/null) && [ "${out##*$'\n'}" = 200 ] ||
	    return 1
	awk -v m="$3" '$1 == m || index($1, m "{") == 1 { s += $NF; f = 1 }
	    END { if (!f) exit 1; print s }' <<<"${out%$'\n'*}"
}

# rm_wait_peers_up FEDDIR ID COUNT SECONDS
rm_wait_peers_up() {
	local deadline=$(( $(date +%s) + $4 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_metric "$1" "$2" riskmesh_peer_up || echo 0)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

# rm_wait_records FEDDIR ID COUNT SECONDS: wait until the node stores COUNT records.
rm_wait_records() {
	local deadline=$(( $(date +%s) + $4 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_metric "$1" "$2" riskmesh_records || echo 0)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# rm_alert_json TEMPLATE OUT: fill @DATE@ and @EXPIRES@ (now + 24 h).
rm_alert_json() {
	sed -e "s/@DATE@/$(date -u +%Y%m%d-%H%M%S)/" \
	    -e "s/@EXPIRES@/$(date -u -d '+24 hours' +%Y-%m-%dT%H:%M:%SZ)/" "$1" >"$2"
}

rm_cleanup() {
	local p
	for p in "${RM_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${RM_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}
