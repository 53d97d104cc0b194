# simlib.sh -- the sims harness (sims/run, sims/README.md): a federation of
# real riskmeshd processes on loopback built from a topology file, every
# peer link routed through rm_relay (sims/relay/rm_relay.c) so that links
# and partitions can be cut and healed while the nodes run, faults, and
# the records of a run (events, issued records, node logs, relay counters)
# for sims/lib/analyse.py. Sourced after fedlib.sh by sims/run.
#
# Every wait is bounded in time; polling loops run curl and awk only.
# Globals set by sim_setup: OUT (run folder), FED, NODES (ids in topology
# order), COLD (ids not started at set-up), LINK_A/LINK_B (link i: A
# listens, B dials), HTTP[id], NA (agency records every node holds at
# start), ISSUED (records issued so far).

SIM_RELAY_PID=
SIM_FIFO=
SIM_DUMP_SEQ=0
ISSUED=0
NODES=()
COLD=()
GATEWAYS=()
LINK_A=()
LINK_B=()
declare -A HTTP RUNNING SIM_AREA SIM_CUT LINK_GW SIM_FEDDIR SIM_REGION_NAME
# gateway links (topologies with "gateway A B"): the export policy each end
# configures, as `riskmesh gateway add` options; SIM_GW_POLICY_OF[ID]
# overrides it for the gateway node ID.
SIM_GW_POLICY=${SIM_GW_POLICY:---kinds agency,alert --areas 110000,120000 --grade yellow}
declare -A SIM_GW_POLICY_OF

sim_event() { # WHAT [DETAIL]: one line of OUT/events.csv
	echo "$(rm_now_ms),$1,${2:-}" >>"$OUT/events.csv"
	rm_say "$1 ${2:-}"
}

# --- assertions: PASS/FAIL lines, summary.txt, exit status ---------------
SIM_PASS=0
SIM_FAIL=0
sim_check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		SIM_PASS=$((SIM_PASS + 1)); echo "PASS $what" | tee -a "$OUT/summary.txt"
	else
		SIM_FAIL=$((SIM_FAIL + 1)); echo "FAIL $what" | tee -a "$OUT/summary.txt"
	fi
}
sim_skip() { # REASON: the scenario cannot run on this build; exit 77
	echo "SKIP $*" | tee -a "$OUT/summary.txt"
	exit 77
}
sim_value() { # NAME VALUE: a measured figure, to summary.txt and stdout
	echo "VALUE $1 $2" | tee -a "$OUT/summary.txt"
}

# --- topology -----------------------------------------------------------
# sim_topo_load FILE: node/link/gateway lines (sims/README.md "Topology files").
sim_topo_load() {
	local kw a b rest lineno=0
	while read -r kw a b rest; do
		lineno=$((lineno + 1))
		case "$kw" in
		'' | '#'*) ;;
		node)
			NODES+=("$a")
			[ "$b" = cold ] && COLD+=("$a") ;;
		link)
			[ -n "$b" ] || rm_die "$1:$lineno: link needs two node ids"
			LINK_A+=("$a"); LINK_B+=("$b") ;;
		gateway)
			[ -n "$b" ] || rm_die "$1:$lineno: gateway needs two node ids"
			GATEWAYS+=("$a $b")
			LINK_GW[${#LINK_A[@]}]=1
			LINK_A+=("$a"); LINK_B+=("$b") ;;
		*) rm_die "$1:$lineno: unknown directive '$kw'" ;;
		esac
	done < <(sed 's/#.*//' "$1")
	[ ${#NODES[@]} -ge 2 ] || rm_die "$1: fewer than two nodes"
}

# sim_topo_mesh N FILE: the generated topology -- the centre and N-1 agencies
# in a ring (city departments, district governments, then district bureaus),
# each linked to the centre and to its ring neighbours.
sim_topo_mesh() {
	local n=$1 out=$2 ids=() i
	mapfile -t ids < <({
		awk -F, 'NR > 1 && $1 != "120000.command" && $1 ~ /^12/ && $4 == "department" && $7 ~ /alert/ { print $1 }' \
		    "$SIM_DATA/agencies.csv"
		awk -F, '$4 == "120000" { print $1 ".gov" }' "$SIM_DATA/areas.csv"
		for b in emergency water police fire; do
			awk -F, -v b=$b '$4 == "120000" { print $1 "." b }' "$SIM_DATA/areas.csv"
		done; } | awk '!seen[$0]++')
	[ "$n" -le $((${#ids[@]} + 1)) ] || rm_die "at most $((${#ids[@]} + 1)) generated nodes"
	{
		echo "# generated: sims/run --nodes $n (centre + ring, sims/README.md)"
		sim_topo_star_ring 120000.command "${ids[@]:0:$((n - 1))}"
	} >"$out"
}

# sim_topo_star_ring CENTRE ID...: node and link lines: the centre linked
# to every node, the others in a ring (a single link for two).
sim_topo_star_ring() {
	local c=$1 i
	shift
	echo "node $c"
	for i in "$@"; do echo "node $i"; done
	for i in "$@"; do echo "link $c $i"; done
	if [ $# -ge 3 ]; then
		for i in $(seq 1 $#); do echo "link ${!i} ${@:$((i % $# + 1)):1}"; done
	elif [ $# -eq 2 ]; then
		echo "link $1 $2"
	fi
}

# sim_topo_gateway N FILE: two federations for the gateway scenario --
# Beijing (ceil(N/2) nodes) and Tianjin (the rest), each its command
# centre, one city department that publishes alerts, the district
# governments, then the other departments; inside each the centre is linked to every node and the
# others form a ring; "gateway" links the two centres.
sim_topo_gateway() {
	local n=$1 out=$2 nb=$(( ($1 + 1) / 2 )) side
	[ "$n" -ge 4 ] || rm_die "the gateway topology needs at least 4 nodes"
	side() { # REGION CSV COUNT
		local ids=() i m=$3
		mapfile -t ids < <({
			awk -F, -v r="$1" 'NR > 1 && $1 != r "0000.command" && $1 ~ "^" r &&
			    $4 == "department" && $7 ~ /alert/ { print $1 }' "$SIM_DATA/$2" |
			    sed -n 1p
			awk -F, -v r="$1" '$4 == r "0000" { print $1 ".gov" }' "$SIM_DATA/areas.csv"
			awk -F, -v r="$1" 'NR > 1 && $1 != r "0000.command" && $1 ~ "^" r &&
			    $4 == "department" && $7 ~ /alert/ { print $1 }' "$SIM_DATA/$2"
		} | awk '!seen[$0]++')
		[ "$m" -le $((${#ids[@]} + 1)) ] || rm_die "at most $((${#ids[@]} + 1)) nodes in region $1"
		sim_topo_star_ring "${1}0000.command" "${ids[@]:0:$((m - 1))}"
	}
	{
		echo "# generated: sims/run gateway --nodes $n (two federations, sims/README.md)"
		side 11 agencies-beijing.csv "$nb"
		side 12 agencies.csv $((n - nb))
		echo "gateway 110000.command 120000.command"
	} >"$out"
}

# sim_agencies_csv [ID...]: the agencies (default: of the topology) as an
# agencies.csv: rows of sims/data/agencies.csv or agencies-beijing.csv,
# others made up from the id AREA.NAME (areas AREA, highest grade orange,
# alert;risk;task;indicator).
sim_agencies_csv() {
	local id row
	[ $# -gt 0 ] || set -- "${NODES[@]}"
	head -1 "$SIM_DATA/agencies.csv"
	for id in "$@"; do
		row=$(cat "$SIM_DATA/agencies.csv" "$SIM_DATA/agencies-beijing.csv" |
		    grep "^$id," | head -1)
		if [ -n "$row" ]; then
			echo "$row"
		else
			echo "$id,$id,$id,district,${id%%.*},orange,alert;risk;task;indicator"
		fi
	done
}

# Federations. Without gateway lines the topology is one federation,
# "sims" in OUT/federation. With them, each region (the first two digits
# of the area code: 11 Beijing, 12 Tianjin, 13 Hebei) is a federation of
# its own with its own root (OUT/fed-NAME), its nodes still under
# OUT/federation/nodes/ID (OUT/fed-NAME/nodes is a link there), so every
# helper that takes "$FED" works for both. SIM_FEDDIR[region],
# SIM_REGION_NAME[region].
sim_region() { echo "${1:0:2}"; }
sim_region_name() {
	case "$1" in 11) echo beijing ;; 12) echo tianjin ;; 13) echo hebei ;;
	*) echo "region$1" ;; esac
}
sim_feddir_of() { echo "${SIM_FEDDIR[$(sim_region "$1")]}"; }

# --- ports -----------------------------------------------------------------
# HTTP: base+i; link i: the listening node's port base+N+2i, the relay's
# base+N+2i+1. A slot of the range 29000-31999 per run, picked from the PID,
# moved on while any of its ports is listening already.
sim_ports() {
	local need=$(( ${#NODES[@]} + 2 * ${#LINK_A[@]} + 1 )) slots k base used
	slots=$(( 3000 / need ))
	[ "$slots" -ge 1 ] || rm_die "topology needs $need ports, the sims range has 3000"
	used=$(ss -Hltn 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }')
	for k in $(seq 0 $((slots - 1))); do
		base=$(( 29000 + (($$ + k) % slots) * need ))
		awk -v lo=$base -v hi=$((base + need)) '$1 >= lo && $1 < hi { f = 1 } END { exit f }' \
		    <<<"$used" && { SIM_BASE=$base; return 0; }
	done
	rm_die "no free port slot in 29000-31999"
}

# --- set-up ----------------------------------------------------------------
sim_setup() { # TOPOLOGY_FILE
	sim_topo_load "$1"
	cp "$1" "$OUT/topology.topo"
	FED=$OUT/federation
	sim_ports
	local n=${#NODES[@]} i id r
	sim_agencies_csv >"$OUT/agencies.csv"
	if [ ${#GATEWAYS[@]} -eq 0 ]; then
		SIM_FEDDIR[all]=$FED
		sim_region() { echo all; }
		rm_fed_init "$FED" sims
		rm_agencies_import "$FED" "$OUT/agencies.csv" "$(IFS=,; echo "${NODES[*]}")"
		NA=$("$RM_BIN/riskmesh" agency list --dir "$FED" |
		    sed -n '1s/.*; \([0-9][0-9]*\) records)$/\1/p')
		[ -n "$NA" ] || rm_die "agency list: no record count"
	else
		mkdir -p "$FED/nodes"
		for r in $(for id in "${NODES[@]}"; do sim_region "$id"; done | sort -u); do
			SIM_REGION_NAME[$r]=$(sim_region_name "$r")
			SIM_FEDDIR[$r]=$OUT/fed-${SIM_REGION_NAME[$r]}
			rm_fed_init "${SIM_FEDDIR[$r]}" "${SIM_REGION_NAME[$r]}"
			local ids=()
			for id in "${NODES[@]}"; do [ "$(sim_region "$id")" = "$r" ] && ids+=("$id"); done
			sim_agencies_csv "${ids[@]}" >"$OUT/agencies-${SIM_REGION_NAME[$r]}.csv"
			rm_agencies_import "${SIM_FEDDIR[$r]}" "$OUT/agencies-${SIM_REGION_NAME[$r]}.csv" \
			    "$(IFS=,; echo "${ids[*]}")"
			rm -rf "${SIM_FEDDIR[$r]}/nodes"
			ln -s "$FED/nodes" "${SIM_FEDDIR[$r]}/nodes"
		done
		NA=  # per federation; the gateway scenario counts by hash
	fi
	declare -gA PEERARGS=()
	: >"$OUT/links.txt"
	echo "link,listener,dialer,listener_port,relay_port,gateway" >"$OUT/links.csv"
	for i in "${!LINK_A[@]}"; do
		local lp=$((SIM_BASE + n + 2 * i)) rp=$((SIM_BASE + n + 2 * i + 1))
		if [ -z "${LINK_GW[$i]:-}" ]; then
			PEERARGS[${LINK_A[$i]}]+=" --peer ${LINK_B[$i]},listen,tls+tcp://127.0.0.1:$lp"
			PEERARGS[${LINK_B[$i]}]+=" --peer ${LINK_A[$i]},dial,tls+tcp://127.0.0.1:$rp"
		fi
		echo "$i $rp $lp" >>"$OUT/links.txt"
		echo "$i,${LINK_A[$i]},${LINK_B[$i]},$lp,$rp,${LINK_GW[$i]:-0}" >>"$OUT/links.csv"
	done
	for i in "${!NODES[@]}"; do
		id=${NODES[$i]}
		HTTP[$id]=$((SIM_BASE + i))
		SIM_AREA[$id]=${id%%.*}
		# shellcheck disable=SC2086
		rm_node_config "$(sim_feddir_of "$id")" "$id" "${HTTP[$id]}" off ${PEERARGS[$id]:-}
		# links come back within a second of a heal; records are pushed
		# as they are stored, the periodic vector exchange stays default
		sed -i "s/^reconnect_max_ms *=.*/reconnect_max_ms = ${SIM_RECONNECT_MS:-1000}/" \
		    "$(rm_node_dir "$FED" "$id")/node.conf"
	done
	[ ${#GATEWAYS[@]} -eq 0 ] || sim_gateways_config
	SIM_FIFO=$OUT/relay.ctl
	mkfifo "$SIM_FIFO"
	"$SIM_RELAY" "$OUT/links.txt" "$SIM_FIFO" "$OUT/relay.stats" \
	    "$OUT/relay-sessions.txt" 2>>"$OUT/relay.log" &
	SIM_RELAY_PID=$!
	exec 9<>"$SIM_FIFO"
	rm_wait_log "$OUT/relay.log" "links ready" 10 || rm_die "relay did not start"
	rm_say "${#SIM_FEDDIR[@]} federation(s) of $n nodes, ${#LINK_A[@]} links (${#GATEWAYS[@]} gateway), ports $SIM_BASE.. (out: $OUT)"
}

sim_conf() { echo "$(rm_node_dir "$FED" "$1")/node.conf"; }

# sim_gateways_config: every node trusts the root of every other region of
# the topology for that region's areas (a `foreign` line: it keeps what its
# gateway relays), and each "gateway A B" becomes a gateway link (A
# listens, B dials through the relay) with `riskmesh gateway add` and the
# export policy SIM_GW_POLICY (or SIM_GW_POLICY_OF[ID]) on each end.
sim_gateways_config() {
	local id r i a b lp rp pol
	for id in "${NODES[@]}"; do
		for r in "${!SIM_FEDDIR[@]}"; do
			[ "$r" = "$(sim_region "$id")" ] && continue
			echo "foreign = ${SIM_REGION_NAME[$r]} ${SIM_FEDDIR[$r]}/ca.crt ${r}0000" \
			    >>"$(sim_conf "$id")"
		done
	done
	for i in "${!LINK_GW[@]}"; do
		a=${LINK_A[$i]} b=${LINK_B[$i]}
		lp=$((SIM_BASE + ${#NODES[@]} + 2 * i)) rp=$((lp + 1))
		[ "$(sim_region "$a")" != "$(sim_region "$b")" ] ||
		    rm_die "gateway $a $b: both in one region"
		pol=${SIM_GW_POLICY_OF[$a]:-$SIM_GW_POLICY}
		# shellcheck disable=SC2086
		"$RM_BIN/riskmesh" gateway add -c "$(sim_conf "$a")" "$b" listen \
		    "tls+tcp://127.0.0.1:$lp" --federation \
		    "${SIM_REGION_NAME[$(sim_region "$b")]}" $pol >/dev/null ||
		    rm_die "gateway add $a $b"
		pol=${SIM_GW_POLICY_OF[$b]:-$SIM_GW_POLICY}
		# shellcheck disable=SC2086
		"$RM_BIN/riskmesh" gateway add -c "$(sim_conf "$b")" "$a" dial \
		    "tls+tcp://127.0.0.1:$rp" --federation \
		    "${SIM_REGION_NAME[$(sim_region "$a")]}" $pol >/dev/null ||
		    rm_die "gateway add $b $a"
	done
}

# sim_size CI_VALUE FULL_VALUE: the scenario's figure for --ci or a full run.
sim_size() { if [ "$CI" = 1 ]; then echo "$1"; else echo "$2"; fi; }

# sim_mesh_up CI_NODES FULL_NODES: set up from --topo FILE, or else the
# generated mesh of --nodes (default: the figure for --ci or a full run),
# start every node that is not cold and wait for the links.
sim_mesh_up() {
	if [ -z "$TOPO" ]; then
		TOPO=$OUT/generated.topo
		sim_topo_mesh "${OPT_NODES:-$(sim_size "$1" "$2")}" "$TOPO"
	fi
	sim_setup "$TOPO"
	sim_start_all
}

sim_is_cold() { local c; for c in "${COLD[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }

# sim_links_of ID: the number of links of node ID.
sim_links_of() {
	local i k=0
	for i in "${!LINK_A[@]}"; do
		[ "${LINK_A[$i]}" = "$1" ] || [ "${LINK_B[$i]}" = "$1" ] && k=$((k + 1))
	done
	echo $k
}

# A node that is down refuses connections on its ports; through the relay
# a dial would be accepted and then reset, which is another fault (a TLS
# dial then waits for its timeout). So while a node is down the relay
# stops listening for the links it listens on (sim_node_ports down), and
# listens again when it starts, unless the scenario cut the link.
sim_node_ports() { # ID up|down
	local i
	for i in "${!LINK_A[@]}"; do
		[ "${LINK_A[$i]}" = "$1" ] || continue
		if [ "$2" = down ]; then sim_relay "cut $i"
		elif [ -z "${SIM_CUT[$i]:-}" ]; then sim_relay "heal $i"; fi
	done
}

sim_start() { # ID
	sim_node_ports "$1" up
	rm_node_start "$FED" "$1"
	RUNNING[$1]=1
}
sim_stop() { # ID SIGNAL
	rm_node_kill "$FED" "$1" "$2"
	unset "RUNNING[$1]"
	sim_node_ports "$1" down
}

# sim_start_all: every node but the cold ones, then wait until each has
# every link up whose other end runs.
sim_start_all() {
	local id
	for id in "${NODES[@]}"; do
		if sim_is_cold "$id"; then
			sim_node_ports "$id" down
			sim_event cold "$id"
		else
			sim_start "$id"
		fi
	done
	sim_wait_links 60 || rm_die "links not up"
	sim_event start "${#RUNNING[@]} nodes up"
}

# sim_wait_links SECONDS: every running node has all its links to running
# nodes through uncut links up.
sim_wait_links() {
	local id i want deadline=$(( $(date +%s) + $1 ))
	for id in "${!RUNNING[@]}"; do
		want=0
		for i in "${!LINK_A[@]}"; do
			[ -z "${SIM_CUT[$i]:-}" ] || continue
			if [ "${LINK_A[$i]}" = "$id" ] && [ -n "${RUNNING[${LINK_B[$i]}]:-}" ]; then
				want=$((want + 1))
			elif [ "${LINK_B[$i]}" = "$id" ] && [ -n "${RUNNING[${LINK_A[$i]}]:-}" ]; then
				want=$((want + 1))
			fi
		done
		rm_wait_peers_up "$FED" "$id" "$want" $(( deadline - $(date +%s) )) || return 1
	done
}

# --- faults ---------------------------------------------------------------

# sim_peer_up NODE PEER SECONDS: NODE's link to PEER is up within SECONDS.
sim_peer_up() {
	local deadline=$(( $(date +%s) + $3 )) st
	while [ "$(date +%s)" -le "$deadline" ]; do
		st=$(rm_http "$FED" "$1" GET "/v1/peers/$2" 2>/dev/null | sed '$d' |
		    rm_json 'd["state"]' 2>/dev/null) && [ "$st" = up ] && return 0
		sleep 0.2
	done
	return 1
}

sim_kill() { # ID [SIGNAL]
	sim_stop "$1" "${2:-KILL}"
	sim_event "kill" "$1 SIG${2:-KILL}"
}
sim_restart() { # ID
	sim_start "$1"
	sim_event restart "$1"
}
sim_relay() { echo "$*" >&9; }
sim_cut() { # LINK_INDEX...
	local i
	for i in "$@"; do SIM_CUT[$i]=1; sim_relay "cut $i"; done
	sim_event cut "links $*"
}
sim_heal() { # LINK_INDEX...
	local i
	for i in "$@"; do unset "SIM_CUT[$i]"; sim_relay "heal $i"; done
	sim_event heal "links $*"
}
# sim_crossing ID...: the indices of the links with exactly one end among IDs.
sim_crossing() {
	local i a b in_a in_b id out=()
	for i in "${!LINK_A[@]}"; do
		in_a=0; in_b=0
		for id in "$@"; do
			[ "${LINK_A[$i]}" = "$id" ] && in_a=1
			[ "${LINK_B[$i]}" = "$id" ] && in_b=1
		done
		[ $in_a != $in_b ] && out+=("$i")
	done
	echo "${out[@]}"
}
sim_link_index() { # A B: the index of the link between A and B
	local i
	for i in "${!LINK_A[@]}"; do
		if { [ "${LINK_A[$i]}" = "$1" ] && [ "${LINK_B[$i]}" = "$2" ]; } ||
		   { [ "${LINK_A[$i]}" = "$2" ] && [ "${LINK_B[$i]}" = "$1" ]; }; then
			echo "$i"; return 0
		fi
	done
	return 1
}
# sim_backup ID NAME / sim_restore ID NAME: copy the store of a stopped node
# (SIGTERM, copy, start again) / replace it by the copy (SIGKILL, restore;
# the caller restarts it).
sim_backup() {
	local nd; nd=$(rm_node_dir "$FED" "$1")
	sim_stop "$1" TERM
	rm -rf "$OUT/backups/$1.$2"
	mkdir -p "$OUT/backups"
	cp -a "$nd/data" "$OUT/backups/$1.$2"
	sim_event backup "$1 $2"
	sim_start "$1"
}
sim_restore() {
	local nd; nd=$(rm_node_dir "$FED" "$1")
	[ -z "${RUNNING[$1]:-}" ] || sim_kill "$1"
	rm -rf "$nd/data"
	cp -a "$OUT/backups/$1.$2" "$nd/data"
	sim_event restore "$1 $2"
}

# sim_relay_dump NAME: the relay's per-link counters to OUT/relay-NAME.txt.
sim_relay_dump() {
	SIM_DUMP_SEQ=$((SIM_DUMP_SEQ + 1))
	sim_relay "dump $SIM_DUMP_SEQ"
	local k
	for k in $(seq 1 50); do
		[ "$(head -1 "$OUT/relay.stats" 2>/dev/null)" = "seq $SIM_DUMP_SEQ" ] && break
		sleep 0.1
	done
	cp "$OUT/relay.stats" "$OUT/relay-$1.txt"
}

# --- issuing ----------------------------------------------------------------
# sim_issue ID [TAG [GRADE [AREA]]]: one alert (default blue, for the
# node's own area), retried while the node answers 503 (catching up,
# waiting for vectors; at most 15 s). Appends "t_ms,origin,hash,tag" to
# OUT/issued.csv and sets SIM_LAST_HASH; fails if not accepted.
sim_issue() {
	local id=$1 tag=${2:-} grade=${3:-blue} area=${4:-${SIM_AREA[$1]}} out code t k
	for k in $(seq 1 60); do
		t=$(rm_now_ms)
		out=$(rm_http "$FED" "$id" POST /v1/alerts -H 'Content-Type: application/json' \
		    -d "{\"grade\":\"$grade\",\"areas\":[\"$area\"],\"texts\":[{\"lang\":\"en-US\",\"event\":\"Sim\",\"headline\":\"sim $tag $k\"}]}" 2>/dev/null)
		code=${out##*$'\n'}
		[ "$code" = 201 ] && break
		[ "$code" = 503 ] || { echo "sim_issue $id: HTTP ${code:-none}: ${out%$'\n'*}" >&2; return 1; }
		sleep 0.25
	done
	[ "$code" = 201 ] || return 1
	local h; h=$(sed -n 's/.*"hash": *"\([0-9a-f]*\)".*/\1/p' <<<"${out%$'\n'*}" | head -1)
	echo "$t,$id,$h,$tag" >>"$OUT/issued.csv"
	SIM_LAST_HASH=$h
	ISSUED=$((ISSUED + 1))
}

# sim_issue_round TAG ID...: one record at each node.
sim_issue_round() {
	local tag=$1 id
	shift
	for id in "$@"; do sim_issue "$id" "$tag" || return 1; done
}

# --- waits ------------------------------------------------------------------
# sim_wait_count SECONDS COUNT ID...: every node listed stores COUNT records
# (NA agency records + the ones issued). Fails naming the first short one.
sim_wait_count() {
	local secs=$1 want=$2 id deadline
	shift 2
	deadline=$(( $(date +%s) + secs ))
	for id in "$@"; do
		rm_wait_records "$FED" "$id" "$want" $(( deadline - $(date +%s) )) || {
			echo "  $id: $(rm_metric "$FED" "$id" riskmesh_records || echo '?') records, want $want" >&2
			return 1
		}
	done
}
sim_count() { rm_metric "$FED" "$1" riskmesh_records; }

# sim_record_code ID HASH: the HTTP status of GET /v1/records/HASH (200
# stored, 404 not).
sim_record_code() {
	local code
	code=$(rm_http "$FED" "$1" GET "/v1/records/$2" -o /dev/null 2>/dev/null)
	echo "${code##*$'\n'}"
}
# sim_codes_are CODE ID HASH...: GET /v1/records/HASH answers CODE for each.
sim_codes_are() {
	local want=$1 id=$2 h code
	shift 2
	for h in "$@"; do
		code=$(sim_record_code "$id" "$h")
		[ "$code" = "$want" ] || { echo "  $id: $h HTTP $code, want $want" >&2; return 1; }
	done
}
# sim_has ID HASH... / sim_lacks ID HASH...: the node stores every record
# listed / none of them.
sim_has() { sim_codes_are 200 "$@"; }
sim_lacks() { sim_codes_are 404 "$@"; }
# sim_wait_has SECONDS ID HASH...: the node stores every record listed
# within SECONDS (GET /v1/records, 0.1 s apart).
sim_wait_has() {
	local deadline=$(( $(date +%s) + $1 )) id=$2 h
	shift 2
	for h in "$@"; do
		until [ "$(sim_record_code "$id" "$h")" = 200 ]; do
			[ "$(date +%s)" -le "$deadline" ] ||
			    { echo "  $id lacks $h after $1 s" >&2; return 1; }
			sleep 0.1
		done
	done
}
# sim_hashes [TAG]: hashes of the issued records (with that tag).
sim_hashes() { awk -F, -v t="${1:-}" 'NR > 1 && (t == "" || $4 == t) { print $3 }' "$OUT/issued.csv"; }

# sim_sent_total ID...: records the nodes sent to peers (sum over links).
sim_sent_total() {
	local id s=0 v
	for id in "$@"; do
		v=$(rm_metric "$FED" "$id" riskmesh_peer_records_sent_total || echo 0)
		s=$((s + ${v%.*}))
	done
	echo $s
}

# --- CPU --------------------------------------------------------------------
# sim_cpu_ticks: utime+stime (clock ticks) summed over the running nodes.
sim_cpu_ticks() {
	local id pids=()
	for id in "${!RUNNING[@]}"; do pids+=("/proc/$(rm_node_pid "$FED" "$id")/stat"); done
	awk '{ s += $14 + $15 } END { print s + 0 }' "${pids[@]}" 2>/dev/null
}

# --- end ----------------------------------------------------------------------
sim_cleanup() {
	local rc=$?
	rm_cleanup
	if [ -n "$SIM_RELAY_PID" ]; then
		kill "$SIM_RELAY_PID" 2>/dev/null
		wait "$SIM_RELAY_PID" 2>/dev/null
	fi
	exec 9>&- 2>/dev/null
	[ -n "$SIM_FIFO" ] && rm -f "$SIM_FIFO"
	return $rc
}

# sim_analyse: CSVs and plots from issued.csv, events.csv and the node logs.
sim_analyse() {
	/usr/bin/python3 "$SIM_HOME/lib/analyse.py" "$OUT" ||
	    echo "analysis failed (the assertions stand)" >&2
}

# sim_relay_stop: the relay logs the sessions still open and exits (bounded).
sim_relay_stop() {
	[ -n "$SIM_RELAY_PID" ] || return 0
	sim_relay quit
	local k
	for k in $(seq 1 30); do
		kill -0 "$SIM_RELAY_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$SIM_RELAY_PID" 2>/dev/null
	wait "$SIM_RELAY_PID" 2>/dev/null
	SIM_RELAY_PID=
}

sim_finish() {
	sim_relay_dump final
	sim_relay_stop
	sim_analyse
	echo "$SIM_PASS passed, $SIM_FAIL failed" | tee -a "$OUT/summary.txt"
	echo "output: $OUT"
	[ "$SIM_FAIL" -eq 0 ]
}
