#!/usr/bin/env bash
# The risk register across two riskmeshd processes over mutual TLS: a
# district adds a risk, it replicates, the peer lists it by area and by
# grade; an update regrades it, a removal takes it out of the in-force
# list; an agency the roster does not allow is refused with the reason.
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai district: publishes alert;risk, max orange
B=120000.meteorology  # publishes alert;indicator: no risk
it_two_nodes $A $B

post() { # NODE PATH JSON
	rm_http "$FED" "$1" POST "$2" -H 'Content-Type: application/json' -d "$3"
}
list() { # NODE QUERY EXPR
	rm_http "$FED" "$1" GET "/v1/risks$2" | http_body | rm_json "$3"
}

r=$(post $A /v1/risks '{"id": "bh-flood-1", "area": "120116",
    "name": "海河下游堤防渗漏", "category": "natural", "subcategory": "flood",
    "grade": "较大", "point": {"lat": 39.0215, "lon": 117.6481},
    "location": "滨海新区海河左岸 K12+300", "cooperating": ["120000.water"],
    "measures": "汛期每日巡查", "review": "2026-06-30"}')
check_eq "Binhai adds a risk: 201" "$(http_status <<<"$r")" 201
check_eq "it is ver 1 of bh-flood-1" "$(http_body <<<"$r" | rm_json '(d["object_id"], d["ver"])')" \
    "('bh-flood-1', 1)"
check "meteorology receives it" rm_wait_records "$FED" $B $((NA + 1)) 10
check_eq "meteorology lists it for area 120116" \
    "$(list $B '?area=120116' '[(x["object_id"], x["grade"], x["status"], x["responsible"]) for x in d["risks"]]')" \
    "[('bh-flood-1', 'orange', 'identified', '$A')]"
check_eq "point in decimal degrees, cooperating units" \
    "$(list $B '' '[(x["point"]["lat"], x["point"]["lon"], x["cooperating"]) for x in d["risks"]]')" \
    "[(39.0215, 117.6481, ['120000.water'])]"
check_eq "and for the city (120000): the area contains 120116" "$(list $B '?area=120000' 'd["count"]')" 1
check_eq "not for another district" "$(list $B '?area=120101' 'd["count"]')" 0
check_eq "grade filter orange" "$(list $B '?grade=orange' 'd["count"]')" 1
check_eq "grade filter red" "$(list $B '?grade=red' 'd["count"]')" 0
check_eq "category and responsible filters" \
    "$(list $B "?category=natural&responsible=$A&area=120116" 'd["count"]')" 1

r=$(post $A /v1/risks/bh-flood-1 '{"grade": "yellow", "status": "controlled"}')
check_eq "an update regrades it: 201 ver 2" "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["ver"]')" "201:2"
check "meteorology receives the update" rm_wait_records "$FED" $B $((NA + 2)) 10
check_eq "meteorology lists it yellow, controlled, name kept" \
    "$(list $B '?area=120116' '[(x["ver"], x["grade"], x["status"], x["name"]) for x in d["risks"]]')" \
    "[(2, 'yellow', 'controlled', '海河下游堤防渗漏')]"
check_eq "no longer under grade=orange" "$(list $B '?grade=orange' 'd["count"]')" 0
check_eq "under grade=yellow" "$(list $B '?grade=yellow' 'd["count"]')" 1

r=$(post $A /v1/risks/bh-flood-1 '{"grade": "red"}')
check_eq "red is above Binhai's max grade: 403" "$(http_status <<<"$r")" 403
check_contains "the reason names the grade" "$(http_body <<<"$r")" "grade"
r=$(post $A /v1/risks '{"id": "bh-x", "area": "120101", "name": "x",
    "category": "accident", "subcategory": "gas", "grade": "blue",
    "location": "和平区", "review": "2026-06-30"}')
check_eq "a risk outside Binhai's area: 403 EUNAUTH" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["error"]')" "403:EUNAUTH"
check_contains "the reason names the area" "$(http_body <<<"$r")" "120101"
r=$(post $B /v1/risks '{"id": "met-1", "area": "120000", "name": "x",
    "category": "natural", "subcategory": "typhoon", "grade": "blue",
    "location": "全市", "review": "2026-06-30"}')
check_eq "meteorology may not publish risks: 403 EUNAUTH" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["error"]')" "403:EUNAUTH"
check_contains "the reason names the kind" "$(http_body <<<"$r")" "risk"
r=$(post $A /v1/risks '{"id": "bh-flood-1", "area": "120116", "name": "x",
    "category": "natural", "subcategory": "flood", "grade": "blue",
    "location": "x", "review": "2026-06-30"}')
check_eq "adding an existing id: 409" "$(http_status <<<"$r")" 409
r=$(post $A /v1/risks '{"id": "bh-2", "area": "120116", "name": "x",
    "category": "natural", "subcategory": "gas", "grade": "blue",
    "location": "x", "review": "2026-06-30"}')
check_eq "gas is not a natural risk: 422, field subcategory" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "422:subcategory"

# the units a risk names are agencies of the roster covering its area
for u in '"responsible": "990000.zz"' '"responsible": "120101.gov"'; do
	r=$(post $A /v1/risks '{"area": "120116", "name": "x", "category": "natural",
	    "subcategory": "flood", "grade": "blue", "location": "x",
	    "review": "2026-12-31", '"$u"'}')
	check_eq "a risk naming $u: 422" \
	    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" \
	    "422:${u:1:11}"
done
r=$(rm_http "$FED" $A GET '/v1/risks?responsible=bad%20id')
check_eq "a responsible filter that is no agency id: 422" \
    "$(http_status <<<"$r")" 422
r=$(post $A /v1/risks/bh-flood-1/remove '{"reason": ""}')
check_contains "an empty removal reason says so" "$(http_body <<<"$r")" "not empty"
r=$(post $A '/v1/risks/bad%20id/remove' '{"reason": "x"}')
check_eq "a path that is no object id: 404 field object_id" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["error"]+" "+d["field"]')" \
    "404:ENOTFOUND object_id"
r=$(post $A /v1/risks/bh-flood-1/remove '{}')
check_eq "a removal without a reason: 400 field reason" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "400:reason"
r=$(post $A /v1/risks/bh-flood-1/remove '{"reason": "堤防加固完成"}')
check_eq "Binhai removes it: 201 ver 3" "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["ver"]')" "201:3"
check "meteorology receives the removal" rm_wait_records "$FED" $B $((NA + 3)) 10
check_eq "meteorology's in-force list is empty" "$(list $B '?area=120116' 'd["count"]')" 0
check_eq "and Binhai's" "$(list $A '' 'd["count"]')" 0
r=$(post $A /v1/risks/bh-flood-1 '{"grade": "blue"}')
check_eq "a removed risk is closed: 409 field status" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "409:status"
# The same through the CLI (riskmesh risk add|update|list|remove).
aconf=$(rm_node_dir "$FED" $A)/node.conf
bconf=$(rm_node_dir "$FED" $B)/node.conf
out=$("$RM_BIN/riskmesh" risk add -c "$aconf" --id bh-gas-1 --area 120116 \
    --name "老旧小区燃气立管" --category accident --subcategory gas \
    --grade 较大 --location "滨海新区某小区" --lat 39.0215 --lon 117.6481 \
    --cooperating 120000.water --review 2026-12-31 2>&1)
check_contains "riskmesh risk add registers it" "$out" "registered bh-gas-1 ver 1"
check "meteorology receives it" rm_wait_records "$FED" $B $((NA + 4)) 10
out=$("$RM_BIN/riskmesh" risk list -c "$bconf" --area 120116 --grade orange)
check_contains "riskmesh risk list on meteorology shows it" "$out" "bh-gas-1"
check_contains "  one in force" "$out" "1 risk in force"
out=$("$RM_BIN/riskmesh" risk update -c "$aconf" bh-gas-1 --status controlled 2>&1)
check_contains "riskmesh risk update" "$out" "updated bh-gas-1 ver 2"
out=$("$RM_BIN/riskmesh" risk list -c "$aconf" --status controlled)
check_contains "  listed as controlled" "$out" "controlled"
# Chinese values are sent percent-encoded (not as raw UTF-8, which the
# server refuses by closing the connection).
out=$("$RM_BIN/riskmesh" risk list -c "$aconf" --grade 较大 --status 管控中 2>&1)
check_contains "riskmesh risk list --grade 较大 --status 管控中" "$out" "bh-gas-1"
check_contains "  one in force" "$out" "1 risk in force"
out=$("$RM_BIN/riskmesh" risk add -c "$bconf" --area 120116 --name x \
    --category accident --subcategory gas --grade blue --location x \
    --review 2026-12-31 2>&1)
check_contains "meteorology may not register risks: the reason" "$out" "EUNAUTH"
out=$("$RM_BIN/riskmesh" risk remove -c "$aconf" bh-gas-1 --reason 已整改销号 2>&1)
check_contains "riskmesh risk remove" "$out" "removed bh-gas-1 ver 3"
out=$("$RM_BIN/riskmesh" risk list -c "$aconf")
check_contains "  nothing in force" "$out" "0 risks in force"
finish
