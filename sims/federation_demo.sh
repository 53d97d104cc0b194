#!/usr/bin/env bash
# federation_demo.sh -- the main job: a local federation of five agencies on
# loopback that keeps exchanging warnings while the command centre is down.
#
#   RM_BIN=build/node sims/federation_demo.sh [WORKDIR]
#
# Topology (every node links to the centre and to two other nodes, so no
# path needs the centre):
#
#        meteorology ---- water
#          |    \        /   |
#          |     centre      |
#          |    /      \     |
#        Hexi ----------- Binhai
#
# Steps: (1) meteorology issues the red typhoon warning for 120116 and a
# real coap-client observing coap://binhai/alerts/120116 prints it; (2) the
# centre is killed with SIGKILL; (3) water issues an orange storm-surge
# warning for 120116: the Binhai observer prints it and Hexi has it too;
# still without the centre, Hexi imports its risk register (风险清单) and
# Binhai dispatches a task (交办) to Hexi, which acknowledges it; (4) the
# centre restarts and catches up until its record count equals the
# others', and its city register rolls up both districts' risks and the
# whole history of the task. Exits 0 only if every step was observed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${RM_BIN:=$here/../build/node}"
export RM_BIN
. "$here/lib/fedlib.sh"

# A work dir given on the command line is kept; a temporary one (which
# holds the federation's root key) is removed on exit unless RM_DEMO_KEEP=1.
if [ $# -ge 1 ]; then
	work=$1
	keep=1
else
	work=$(mktemp -d /tmp/riskmesh-demo.XXXXXX)
	keep=${RM_DEMO_KEEP:-0}
fi
mkdir -p "$work"
fed=$work/federation
COAP_CLIENT=${COAP_CLIENT:-coap-client-openssl}
observer_pid=

cleanup() {
	[ -n "$observer_pid" ] && kill "$observer_pid" 2>/dev/null
	rm_cleanup
	if [ "$keep" = 1 ]; then
		echo "(work dir kept: $work)"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT INT TERM

CENTRE=120000.command
MET=120000.meteorology
WATER=120000.water
HEXI=120103.gov
BINHAI=120116.gov
NODES=($CENTRE $MET $WATER $HEXI $BINHAI)

base=$(rm_base_port)
declare -A HTTP COAP
i=0
for id in "${NODES[@]}"; do
	HTTP[$id]=$((base + i))
	COAP[$id]=$((base + 10 + i))
	i=$((i + 1))
done

# Links: "a b" -- a listens, b dials, each on its own port.
LINKS=("$CENTRE $MET" "$CENTRE $WATER" "$CENTRE $HEXI" "$CENTRE $BINHAI"
       "$MET $WATER" "$WATER $BINHAI" "$BINHAI $HEXI" "$HEXI $MET")
declare -A PEERARGS
port=$((base + 40))
for l in "${LINKS[@]}"; do
	set -- $l
	PEERARGS[$1]+=" --peer $2,listen,tls+tcp://127.0.0.1:$port"
	PEERARGS[$2]+=" --peer $1,dial,tls+tcp://127.0.0.1:$port"
	port=$((port + 1))
done

echo "== riskmesh federation demo (work dir $work)"
rm_say "creating federation 'tianjin': root key, CA, roster"
rm_fed_init "$fed" tianjin
rm_agencies_import "$fed" "$here/data/agencies.csv" "$(IFS=,; echo "${NODES[*]}")"
"$RM_BIN/riskmesh" agency list --dir "$fed" | sed 's/^/    /'

for id in "${NODES[@]}"; do
	# shellcheck disable=SC2086
	rm_node_config "$fed" "$id" "${HTTP[$id]}" "${COAP[$id]}" ${PEERARGS[$id]}
done
rm_say "starting 5 riskmeshd nodes on loopback (mutual TLS between peers)"
for id in "${NODES[@]}"; do
	rm_node_start "$fed" "$id"
	rm_say "  $id up: http 127.0.0.1:${HTTP[$id]} coap 127.0.0.1:${COAP[$id]}"
done
for id in "${NODES[@]}"; do
	want=$(echo "${PEERARGS[$id]}" | wc -w); want=$((want / 2))
	rm_wait_peers_up "$fed" "$id" "$want" 20 || rm_die "$id: peers not all up"
done
rm_say "all 8 peer links authenticated (HELLO against the roster)"

obs_out=$work/binhai-observer.txt
"$COAP_CLIENT" -m get -s 600 -B 600 -w -A 0 \
    "coap://127.0.0.1:${COAP[$BINHAI]}/alerts/120116" >"$obs_out" 2>"$work/observer.err" &
observer_pid=$!
rm_say "coap-client observing coap://127.0.0.1:${COAP[$BINHAI]}/alerts/120116 (Binhai node)"
sleep 0.5

wait_observed() { # TEXT SECONDS
	local deadline=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		grep -q "$1" "$obs_out" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# (1) red typhoon warning from meteorology
rm_alert_json "$here/data/alerts/typhoon-red-zh-en.json" "$work/typhoon.json"
t=$(rm_now_ms)
out=$("$RM_BIN/riskmesh" alert issue -c "$(rm_node_dir "$fed" $MET)/node.conf" \
    --json "$work/typhoon.json") || rm_die "meteorology could not issue: $out"
rm_say "(1) $MET: $out"
wait_observed "Red typhoon warning" 10 || rm_die "Binhai observer did not print the red typhoon warning"
rm_say "    Binhai observer printed it after $(( $(rm_now_ms) - t )) ms:"
grep "Red typhoon" "$obs_out" | tail -1 | sed 's/^/      /'

# (2) the centre fails
rm_node_kill "$fed" $CENTRE KILL
rm_say "(2) $CENTRE killed with SIGKILL"

# (3) orange storm surge from water, with the centre down
rm_alert_json "$here/data/alerts/storm-surge-orange.json" "$work/surge.json"
t=$(rm_now_ms)
out=$("$RM_BIN/riskmesh" alert issue -c "$(rm_node_dir "$fed" $WATER)/node.conf" \
    --json "$work/surge.json") || rm_die "water could not issue: $out"
rm_say "(3) $WATER: $out"
wait_observed "Orange storm-surge warning" 10 ||
    rm_die "Binhai observer did not print the storm-surge warning with the centre down"
rm_say "    Binhai observer printed it after $(( $(rm_now_ms) - t )) ms (centre down):"
grep "storm-surge" "$obs_out" | tail -1 | sed 's/^/      /'
surge_oid=$(echo "$out" | awk '{print $2}')
deadline=$(( $(date +%s) + 10 ))
until rm_http "$fed" $HEXI GET "/v1/alerts?area=120116" | grep -q "\"$surge_oid\""; do
	[ "$(date +%s)" -le "$deadline" ] || rm_die "Hexi does not have the storm-surge warning"
	sleep 0.1
done
rm_say "    Hexi ($HEXI) has it too: $(rm_http "$fed" $HEXI GET "/v1/alerts?area=120116" | sed '$d' | rm_json 'd["count"]') alerts in force for 120116"

# (3b) the risk register and a task, with the centre still down
hexi_conf=$(rm_node_dir "$fed" $HEXI)/node.conf
binhai_conf=$(rm_node_dir "$fed" $BINHAI)/node.conf
out=$("$RM_BIN/riskmesh" risk import -c "$hexi_conf" "$here/data/demo-hexi-register.csv") ||
    rm_die "Hexi could not import its register: $out"
rm_say "(3b) $HEXI imports its risk register: $(echo "$out" | tail -1)"
out=$("$RM_BIN/riskmesh" risk add -c "$binhai_conf" --id BH-2026-0001 \
    --area 120116 --name "海堤薄弱段" --category natural --subcategory storm_surge \
    --grade 较大 --location "滨海新区沿海海堤" --review 2026-12-31) ||
    rm_die "Binhai could not register a risk: $out"
out=$("$RM_BIN/riskmesh" task add -c "$binhai_conf" --id surge-evac \
    --subject "协助转移滨海新区沿海低洼地区群众" --assignee $HEXI \
    --priority urgent --deadline +2h --link $BINHAI/BH-2026-0001) ||
    rm_die "Binhai could not dispatch the task: $out"
rm_say "     $BINHAI dispatches a task to $HEXI: $out"
deadline=$(( $(date +%s) + 10 ))
until out=$("$RM_BIN/riskmesh" task ack -c "$hexi_conf" surge-evac --state in_progress \
    --note "已派出转移车辆" 2>&1); do
	[ "$(date +%s)" -le "$deadline" ] || rm_die "Hexi could not acknowledge the task: $out"
	sleep 0.2
done
rm_say "     $HEXI acknowledges it: $out"

# (4) the centre returns and catches up
want=$(rm_status_field "$fed" $BINHAI 'd["records"]')
t=$(rm_now_ms)
rm_node_start "$fed" $CENTRE
rm_say "(4) $CENTRE restarted; catching up to $want records"
rm_wait_records "$fed" $CENTRE "$want" 20 || rm_die "centre did not catch up"
have=$(rm_status_field "$fed" $CENTRE 'd["records"]')
rm_say "    centre has $have records after $(( $(rm_now_ms) - t )) ms (others: $want)"
for id in "${NODES[@]}"; do
	n=$(rm_status_field "$fed" "$id" 'd["records"]')
	[ "$n" = "$have" ] || rm_die "$id has $n records, centre $have"
done
rm_say "every node holds the same $have records"
centre_conf=$(rm_node_dir "$fed" $CENTRE)/node.conf
rm_say "    the centre's city register (the roll-up of both districts):"
"$RM_BIN/riskmesh" risk list -c "$centre_conf" --area 120000 | sed 's/^/      /'
n=$(rm_http "$fed" $CENTRE GET "/v1/risks?area=120000" | sed '$d' | rm_json 'len(d["risks"])')
[ "$n" = 4 ] || rm_die "the centre's city register has $n risks, want 4"
state=$(rm_http "$fed" $CENTRE GET "/v1/tasks/surge-evac?origin=$BINHAI" | sed '$d' |
    rm_json '[a["state"] for a in d["task"]["acks"]]')
[ "$state" = "['in_progress']" ] || rm_die "the centre does not see Hexi's acknowledgement: $state"
rm_say "    the centre sees the task dispatched while it was down, acknowledged: $state"
echo "== demo passed: all 4 steps observed"
