#!/usr/bin/env bash
# Unauthorised edits of the risk register, with two district nodes in
# one federation (real riskmeshd processes): district A cannot update or
# remove district B's risk through its own node; a risk for B's area
# issued through A's node is refused (A's roster areas); a record A's
# key signed for B's area, handed to B's node (POST /v1/records), is
# refused and counted, B's store untouched; an import file with a row
# for B's area is refused naming the line and column. Every refusal
# says why. A removed risk stays removed on every node: a validly signed
# next version of B's removed risk that brings it back, handed to A's
# node, is refused there (the kind's version rule, in the store).
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai district: risks in 120116
B=120101.gov          # Heping district: risks in 120101
it_two_nodes $A $B

post() { # NODE PATH JSON
	rm_http "$FED" "$1" POST "$2" -H 'Content-Type: application/json' -d "$3"
}
risk() { # ID AREA
	printf '{"id": "%s", "area": "%s", "name": "x", "category": "natural",
	    "subcategory": "flood", "grade": "blue", "location": "x",
	    "review": "2027-06-30"}' "$1" "$2"
}
field() { http_body | rm_json "$1"; }

r=$(post $B /v1/risks "$(risk hp-1 120101)")
check_eq "Heping adds its risk hp-1: 201" "$(http_status <<<"$r")" 201
r=$(post $A /v1/risks "$(risk bh-1 120116)")
check_eq "Binhai adds its risk bh-1: 201" "$(http_status <<<"$r")" 201
H=$(http_body <<<"$r" | rm_json 'd["hash"]')
check "each node holds both" rm_wait_records "$FED" $A $((NA + 2)) 10
check "and the other" rm_wait_records "$FED" $B $((NA + 2)) 10

# Binhai's node acts for Binhai only: Heping's risk is not its object
r=$(post $A /v1/risks/hp-1 '{"grade": "yellow"}')
check_eq "Binhai updating Heping's hp-1: 404 ENOTFOUND" \
    "$(http_status <<<"$r"):$(field 'd["error"]' <<<"$r")" "404:ENOTFOUND"
check_contains "the reason: Binhai has no such risk" "$(field 'd["reason"]' <<<"$r")" "$A has no risk \"hp-1\""
r=$(post $A /v1/risks/hp-1/remove '{"reason": "not ours"}')
check_eq "Binhai removing Heping's hp-1: 404 ENOTFOUND" \
    "$(http_status <<<"$r"):$(field 'd["error"]' <<<"$r")" "404:ENOTFOUND"
check_contains "the reason: Binhai has no such risk" "$(field 'd["reason"]' <<<"$r")" "$A has no risk \"hp-1\""
check_eq "Heping's hp-1 is unchanged on Heping's node" \
    "$(rm_http "$FED" $B GET "/v1/risks?area=120101" | http_body | rm_json '[(x["origin"], x["ver"], x["grade"]) for x in d["risks"]]')" \
    "[('$B', 1, 'blue')]"

# a risk in Heping's area through Binhai's node
r=$(post $A /v1/risks "$(risk hp-2 120101)")
check_eq "a risk for Heping's area from Binhai's node: 403 EUNAUTH" \
    "$(http_status <<<"$r"):$(field 'd["error"]' <<<"$r")" "403:EUNAUTH"
check_contains "the reason names the roster areas" "$(field 'd["reason"]' <<<"$r")" \
    "120101 is outside the areas of $A"

# a record Binhai's key signed for Heping's area, handed to Heping's node
rm_http "$FED" $A GET "/v1/records/$H?view=cose" -o "$T/prev.cose" >/dev/null
/usr/bin/python3 "$RM_SRC_DIR/tests/integration/risk_forge.py" "$T/prev.cose" \
    "$FED/agencies/$A/agency.key" 120101 hp-forged "$T/forged.cose" ||
    rm_die "risk_forge.py"
before=$(rm_status_field "$FED" $B 'd["records"]')
r=$(rm_http "$FED" $B POST /v1/records -H 'Content-Type: application/cbor-seq' \
    --data-binary @"$T/forged.cose")
check_eq "handed to Heping's node: refused EUNAUTH, nothing stored" \
    "$(http_status <<<"$r"):$(field '(d["stored"], [x["error"] for x in d["refused"]])' <<<"$r")" \
    "200:(0, ['EUNAUTH'])"
check_contains "the reason names the area" "$(field 'd["refused"][0]["reason"]' <<<"$r")" "120101"
check_eq "Heping's store is untouched" "$(rm_status_field "$FED" $B 'd["records"]')" "$before"
check_eq "and the refusal is counted" \
    "$(rm_http "$FED" $B GET /metrics | http_body | awk '$1 == "riskmesh_records_refused_total{reason=\"EUNAUTH\"}" {print $2}')" 1
check_eq "hp-forged is listed nowhere" \
    "$(rm_http "$FED" $B GET "/v1/risks?area=120101" | http_body | rm_json 'd["count"]')" 1

# an import file with a row for Heping's area
"$RM_SRC_DIR/scripts/gen-risk-register" 3 $A 120116 > "$T/reg.csv"
sed -i '3s/,12011600[0-9],\|,1201160[1-9][0-9],\|,120116,/,120101,/' "$T/reg.csv"
out=$("$RM_BIN/riskmesh" risk import -c "$(rm_node_dir "$FED" $A)/node.conf" "$T/reg.csv" 2>&1); rc=$?
check_eq "importing it into Binhai's node: exit 1" "$rc" 1
check_contains "line 3, column area_code, the roster's reason" "$out" \
    "$T/reg.csv:3: area_code: areas[0]: 120101 is outside the areas of $A"
check_eq "nothing of the file was imported" \
    "$(rm_http "$FED" $A GET "/v1/risks?responsible=$A" | http_body | rm_json 'd["count"]')" 1

# Heping removes hp-1; a next version signed with Heping's own key that
# brings it back is refused by Binhai's node (final states are final on
# every node, not only on the issuing one)
r=$(post $B /v1/risks/hp-1/remove '{"reason": "dyke rebuilt"}')
check_eq "Heping removes hp-1: 201" "$(http_status <<<"$r")" 201
RH=$(http_body <<<"$r" | rm_json 'd["hash"]')
check "Binhai's node holds the removal" rm_wait_records "$FED" $A $((NA + 3)) 10
rm_http "$FED" $B GET "/v1/records/$RH?view=cose" -o "$T/removed.cose" >/dev/null
/usr/bin/python3 "$RM_SRC_DIR/tests/integration/risk_forge.py" --next \
    "$T/removed.cose" "$FED/agencies/$B/agency.key" identified \
    "$T/back.cose" || rm_die "risk_forge.py --next"
before=$(rm_status_field "$FED" $A 'd["records"]')
r=$(rm_http "$FED" $A POST /v1/records -H 'Content-Type: application/cbor-seq' \
    --data-binary @"$T/back.cose")
check_eq "removed -> identified handed to Binhai's node: refused EBADVALUE" \
    "$(http_status <<<"$r"):$(field '(d["stored"], [x["error"] for x in d["refused"]])' <<<"$r")" \
    "200:(0, ['EBADVALUE'])"
check_eq "Binhai's store is untouched" "$(rm_status_field "$FED" $A 'd["records"]')" "$before"
check_eq "the refusal is counted" \
    "$(rm_http "$FED" $A GET /metrics | http_body | awk '$1 == "riskmesh_records_refused_total{reason=\"EBADVALUE\"}" {print $2}')" 1
check_eq "hp-1 is still removed on Binhai's node (not in force)" \
    "$(rm_http "$FED" $A GET "/v1/risks?area=120101" | http_body | rm_json 'd["count"]')" 0
finish
