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
# (4) the centre restarts and catches up until its record count equals the
# others'. Exits 0 only if every step was observed.
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
echo "== demo passed: all 4 steps observed"
