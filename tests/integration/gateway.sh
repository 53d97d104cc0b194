#!/usr/bin/env bash
# Two federations, Beijing (11xxxx) and Tianjin (12xxxx), each with its own
# root made by the CLI, linked by a gateway node on each side over mutual
# TLS (each side's certificate checked against the other's root), with a
# district node behind each gateway (docs/PROTOCOL.md §12). Both ways:
#   - a region-wide red alert crosses in one hop and reaches the district
#     behind the other gateway (which verifies it end to end against the
#     foreign roster its gateway relayed);
#   - a district's blue notice does not cross (the policy's lowest grade);
#   - a forged record -- a root that made itself a registrar for the other
#     region and an agency for one of its districts -- is refused by the
#     other side's foreign trust and counted.
. "$(dirname "$0")/lib.sh"

BJ=$T/bj
TJ=$T/tj
FED=$BJ                        # lib.sh's failure report shows these logs
on_exit() {
	local rc=$?
	if [ $rc -ne 0 ]; then
		for f in "$TJ"/nodes/*/log; do
			[ -f "$f" ] && { echo "== $f"; tail -40 "$f"; }
		done
	fi
	it_cleanup
}
trap on_exit EXIT

BJ_GW=110000.command BJ_D=110105.gov BJ_ROGUE=110101.rogue
TJ_GW=120000.command TJ_D=120116.gov TJ_ROGUE=120101.rogue
POLICY=(--kinds alert,agency --areas 110000,120000 --grade yellow)
base=$(rm_base_port)

# Each federation, and in each a rogue agency for a district of the
# other region, named by its root in its charter: its keys and TLS
# certificate made by the CLI in a copy of the federation directory, its
# charter entry by charter_forge.py (a root may sign anything).
rm_fed_init "$BJ" beijing
rm_fed_init "$TJ" tianjin
rm_agencies_import "$BJ" "$RM_TEST_DATA/agencies-beijing.csv" "$BJ_GW,$BJ_D"
rm_agencies_import "$TJ" "$RM_TEST_DATA/agencies.csv" "$TJ_GW,$TJ_D"
rogue() { # FEDDIR ID AREA
	local scratch=$T/scratch-$2
	cp -r "$1" "$scratch"
	rm_agencies_import "$scratch" \
	    "$RM_SRC_DIR/tests/integration/gateway_rogue.csv" "$2"
	cp -r "$scratch/agencies/$2" "$1/agencies/"
	/usr/bin/python3 "$RM_SRC_DIR/tests/integration/charter_forge.py" \
	    "$1" "$2" "$3" "$1/agencies/$2/agency.key" ||
	    rm_die "charter_forge $2"
}
rogue "$BJ" $TJ_ROGUE 120101
rogue "$TJ" $BJ_ROGUE 110101

# FEDDIR ID HTTP LINKS...: a node (CoAP off) with its federation links
node() {
	local dir=$1 id=$2 http=$3
	shift 3
	rm_node_config "$dir" "$id" "$http" off "$@"
}
node "$BJ" $BJ_GW $((base)) \
    --peer "$BJ_D,listen,tls+tcp://127.0.0.1:$((base + 20))" \
    --peer "$TJ_ROGUE,listen,tls+tcp://127.0.0.1:$((base + 21))"
node "$BJ" $BJ_D $((base + 1)) \
    --peer "$BJ_GW,dial,tls+tcp://127.0.0.1:$((base + 20))"
node "$BJ" $TJ_ROGUE $((base + 2)) \
    --peer "$BJ_GW,dial,tls+tcp://127.0.0.1:$((base + 21))"
node "$TJ" $TJ_GW $((base + 3)) \
    --peer "$TJ_D,listen,tls+tcp://127.0.0.1:$((base + 23))" \
    --peer "$BJ_ROGUE,listen,tls+tcp://127.0.0.1:$((base + 24))"
node "$TJ" $TJ_D $((base + 4)) \
    --peer "$TJ_GW,dial,tls+tcp://127.0.0.1:$((base + 23))"
node "$TJ" $BJ_ROGUE $((base + 5)) \
    --peer "$TJ_GW,dial,tls+tcp://127.0.0.1:$((base + 24))"

conf() { echo "$(rm_node_dir "$1" "$2")/node.conf"; }
# The gateway links, with `riskmesh gateway add` (which also writes the
# foreign line: the other federation's root, trusted for its areas only).
"$RM_BIN/riskmesh" gateway add -c "$(conf "$BJ" $BJ_GW)" $TJ_GW listen \
    "tls+tcp://127.0.0.1:$((base + 22))" --federation tianjin \
    --root "$TJ/ca.crt" --fed-areas 12 "${POLICY[@]}" >/dev/null
check "gateway add (Beijing side)" test $? -eq 0
"$RM_BIN/riskmesh" gateway add -c "$(conf "$TJ" $TJ_GW)" $BJ_GW dial \
    "tls+tcp://127.0.0.1:$((base + 22))" --federation beijing \
    --root "$TJ/../bj/ca.crt" --fed-areas 110000 "${POLICY[@]}" >/dev/null
check "gateway add (Tianjin side)" test $? -eq 0
# The districts trust the other root too (for its areas), so that they
# keep what their gateway relays.
echo "foreign = tianjin $TJ/ca.crt 120000" >>"$(conf "$BJ" $BJ_D)"
echo "foreign = beijing $BJ/ca.crt 110000" >>"$(conf "$TJ" $TJ_D)"
out=$("$RM_BIN/riskmesh" gateway policy -c "$(conf "$TJ" $TJ_GW)" $BJ_GW)
check_eq "gateway policy shows the link's policy" "$out" \
    "$BJ_GW beijing kinds=agency,alert areas=110000,120000 grade=yellow"
check "riskmeshd -n accepts the gateway config" \
    "$RM_BIN/riskmeshd" -n -c "$(conf "$TJ" $TJ_GW)"
# A foreign root is never trusted for the home federation's own areas.
cp "$(conf "$TJ" $TJ_GW)" "$(conf "$TJ" $TJ_GW).bad"
echo "foreign = hebei $TJ/../bj/ca.crt 120000" >>"$(conf "$TJ" $TJ_GW).bad"
out=$("$RM_BIN/riskmeshd" -n -c "$(conf "$TJ" $TJ_GW).bad" 2>&1)
check "riskmeshd -n refuses a foreign root for home areas" test $? -ne 0
check_contains "... saying which area overlaps" "$out" "overlaps"
rm -f "$(conf "$TJ" $TJ_GW).bad"
sum0=$(sha256sum <"$(conf "$TJ" $TJ_GW)")
out=$("$RM_BIN/riskmesh" gateway add -c "$(conf "$TJ" $TJ_GW)" 130000.command dial \
    "tls+tcp://127.0.0.1:$((base + 23))" --federation hebei \
    --root "$TJ/../bj/ca.crt" --fed-areas 120000 --kinds alert 2>&1)
check "gateway add refuses what riskmeshd -n would refuse" test $? -ne 0
check_contains "... saying why" "$out" "overlaps"
check_eq "... and leaves node.conf unchanged" "$(sha256sum <"$(conf "$TJ" $TJ_GW)")" "$sum0"

for id in $BJ_GW $BJ_D $TJ_ROGUE; do rm_node_start "$BJ" $id; done
for id in $TJ_GW $TJ_D $BJ_ROGUE; do rm_node_start "$TJ" $id; done
check "Beijing gateway: district, rogue and gateway links up" \
    rm_wait_peers_up "$BJ" $BJ_GW 3 20
check "Tianjin gateway: district, rogue and gateway links up" \
    rm_wait_peers_up "$TJ" $TJ_GW 3 20
check "Beijing district up" rm_wait_peers_up "$BJ" $BJ_D 1 20
check "Tianjin district up" rm_wait_peers_up "$TJ" $TJ_D 1 20

# FEDDIR ID HASH SECONDS: until the node holds the record
has_record() {
	[ "$(rm_http "$1" "$2" GET "/v1/records/$3" -o /dev/null | tail -1)" = 200 ]
}
lacks() { ! has_record "$@"; }
wait_record() {
	local deadline=$(( $(date +%s) + $4 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		has_record "$1" "$2" "$3" && return 0
		sleep 0.2
	done
	return 1
}
# FEDDIR ID ARGS...: issue an alert, print its hash
issue() {
	local dir=$1 id=$2
	shift 2
	"$RM_BIN/riskmesh" alert issue -c "$(conf "$dir" "$id")" "$@" |
	    awk '{print $NF}'
}
# FEDDIR ID EXPR MIN SECONDS: until a number of GET /v1/status >= MIN
wait_status_ge() {
	local deadline=$(( $(date +%s) + $5 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_status_field "$1" "$2" "$3" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$4" ] && return 0
		sleep 0.2
	done
	return 1
}

# one direction: FROM federation (gateway, district, rogue of the other
# region), TO federation (gateway, district), the areas
direction() {
	local from=$1 fgw=$2 fd=$3 rogue=$4 to=$5 tgw=$6 td=$7
	local region=$8 district=$9 rarea=${10} red blue red2 forged
	red=$(issue "$from" "$fgw" --grade red --area "$region" \
	    --event "暴雨" --headline "全市暴雨红色预警" \
	    --event-en "Rainstorm" --headline-en "Region-wide red rainstorm")
	check "$fgw issues a region-wide red alert" \
	    grep -Eqx "[0-9a-f]{64}" <<<"$red"
	check "it crosses the gateway to $tgw" wait_record "$to" "$tgw" "$red" 20
	check "and reaches the district $td behind it" \
	    wait_record "$to" "$td" "$red" 20
	rm_http "$from" "$fgw" GET "/v1/records/$red" -o "$T/a.cose" >/dev/null
	rm_http "$to" "$td" GET "/v1/records/$red" -o "$T/b.cose" >/dev/null
	check "byte-identical on the far district (never re-signed)" \
	    cmp -s "$T/a.cose" "$T/b.cose"

	blue=$(issue "$from" "$fd" --grade blue --area "$district" \
	    --event "大风" --headline "区大风蓝色预警" \
	    --event-en "Gale" --headline-en "District blue gale notice")
	check "$fd issues a blue notice" grep -Eqx "[0-9a-f]{64}" <<<"$blue"
	check "the notice reaches its own gateway $fgw" \
	    wait_record "$from" "$fgw" "$blue" 20
	# a marker after it on the same link: once it arrived, the notice
	# would have too (one link, in order)
	red2=$(issue "$from" "$fgw" --grade orange --area "$region" \
	    --event "高温" --headline "全市高温橙色预警" \
	    --event-en "Heat" --headline-en "Region-wide orange heat")
	check "an orange alert after it crosses" \
	    wait_record "$to" "$td" "$red2" 20
	check "the blue notice did not cross to $tgw" \
	    lacks "$to" "$tgw" "$blue"
	check "nor reached $td" \
	    lacks "$to" "$td" "$blue"

	forged=$(issue "$from" "$rogue" --grade red --area "$rarea" \
	    --event "地震" --headline "伪造的红色预警" \
	    --event-en "Earthquake" --headline-en "Forged red alert")
	check "the rogue agency of $(basename "$from")'s root issues for $rarea" \
	    grep -Eqx "[0-9a-f]{64}" <<<"$forged"
	check "its own federation takes it ($fgw)" \
	    wait_record "$from" "$fgw" "$forged" 20
	check "$tgw refuses and counts them (foreign root, its areas)" \
	    wait_status_ge "$to" "$tgw" 'd["foreign"]["foreign_refused"]' 1 20
	check "and logs why on the security channel" grep -q \
	    "sec/fed: refused record .*foreign record of .* from $rogue seq 1: origin $rogue outside" \
	    "$(rm_node_dir "$to" "$tgw")/log"
	check "the gateway link counts them too" \
	    wait_status_ge "$to" "$tgw" 'd["gateways"][0]["foreign_refused"]' 1 5
	red2=$(issue "$from" "$fgw" --grade red --area "$region" \
	    --event "暴雨" --headline "全市暴雨红色预警（更新）" \
	    --event-en "Rainstorm" --headline-en "Region-wide red, again")
	check "a later red alert crosses" wait_record "$to" "$td" "$red2" 20
	check "the forged record is not kept on $tgw" \
	    lacks "$to" "$tgw" "$forged"
	check "nor on $td" \
	    lacks "$to" "$td" "$forged"
	n=$(rm_metric "$to" "$tgw" riskmesh_foreign_refused_total || echo 0)
	check "riskmesh_foreign_refused_total on $tgw >= 1 ($n)" test "$n" -ge 1
}

direction "$BJ" $BJ_GW $BJ_D $TJ_ROGUE "$TJ" $TJ_GW $TJ_D 110000 110105 120101
direction "$TJ" $TJ_GW $TJ_D $BJ_ROGUE "$BJ" $BJ_GW $BJ_D 120000 120116 110101

st=$(rm_http "$TJ" $TJ_GW GET /v1/status | http_body)
check_eq "status: the gateway's federation" \
    "$(rm_json 'd["gateways"][0]["federation"]' <<<"$st")" beijing
check_eq "status: the gateway is up" \
    "$(rm_json 'd["gateways"][0]["state"]' <<<"$st")" up
check_eq "status: its policy" "$(rm_json 'd["gateways"][0]["policy"]' <<<"$st")" \
    "kinds=agency,alert areas=110000,120000 grade=yellow"
check "status: lag, last record received" \
    test "$(rm_json 'd["gateways"][0]["lag"]["last_received"] is not None' <<<"$st")" = True
# Range-based reconciliation over the gateway runs on the exported
# subsets only (docs/PROTOCOL.md §12.5).
out=$("$RM_BIN/riskmesh" sync -c "$(conf "$TJ" $TJ_GW)" $BJ_GW 2>&1)
check "sync over the gateway link ends without error" test $? -eq 0
check_contains "... over equal exported subsets (nothing missing, no loop)" \
    "$out" "reconciled with $BJ_GW: 0 records sent, 0 wanted"
# A node of Tianjin without a foreign line for Beijing (the rogue's
# node) does not keep the Beijing records its gateway relays: counted
# as untrusted, not as refused records (no false security alert).
st=$(rm_http "$TJ" $BJ_ROGUE GET /v1/status | http_body)
check "Beijing records not kept there are counted as untrusted" \
    test "$(rm_json 'd["foreign"]["untrusted"]' <<<"$st")" -ge 1
check_eq "... and not as refused records" \
    "$(rm_json 'd["refused"]["EUNKNOWNSIGNER"]' <<<"$st")" 0
check "... logged at notice, naming the origin, not on the security channel" \
    grep -q "notice fed: record .* not kept: origin 110[0-9]*\.[a-z]* is outside" \
    "$(rm_node_dir "$TJ" $BJ_ROGUE)/log"
out=$("$RM_BIN/riskmesh" gateway list -c "$(conf "$TJ" $TJ_GW)")
check_contains "riskmesh gateway list" "$out" "$BJ_GW  beijing  up"

# A restart keeps the foreign trust: the Beijing charter saved under the
# data dir and the Beijing agency records in the store (no gateway link
# on this node: nothing brings them again before the next red alert).
check "the Tianjin district saved the Beijing charter" \
    test -s "$(rm_node_dir "$TJ" $TJ_D)/data/foreign/beijing.cose"
rm_node_kill "$TJ" $TJ_D TERM
rm_node_start "$TJ" $TJ_D
check "the Tianjin district is back" rm_wait_peers_up "$TJ" $TJ_D 1 20
check_contains "it reads the Beijing roster at start" \
    "$(cat "$(rm_node_dir "$TJ" $TJ_D)/log")" \
    "foreign federation beijing: roster version"
red3=$(issue "$BJ" $BJ_GW --grade red --area 110000 --event "暴雨" \
    --headline "全市暴雨红色预警（三）" --event-en "Rainstorm" \
    --headline-en "Region-wide red, third")
check "after the restart a Beijing red alert still reaches it" \
    wait_record "$TJ" $TJ_D "$red3" 20
finish
