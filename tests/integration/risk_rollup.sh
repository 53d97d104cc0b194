#!/usr/bin/env bash
# The city register as the roll-up of the districts' registers, across
# three riskmeshd processes (a city centre and two districts, each
# district linked to the centre over mutual TLS): each district issues
# risks for its own area; the centre's list and summary for the city
# show all of both, each district's `within` view only its own; a
# regrade and a removal show in `risk diff` on every node; the CSV view
# is the spreadsheet form (BOM, bilingual header, CRLF, Chinese cells).
. "$(dirname "$0")/lib.sh"
C=120000.command   # the city centre
A=120101.gov       # Heping district
B=120102.gov       # Hedong district
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$C,$A,$B"
NA=$(it_agency_records)
rm_node_config "$FED" $C $base $((base + 10)) \
    --peer "$A,listen,tls+tcp://127.0.0.1:$((base + 20))" \
    --peer "$B,listen,tls+tcp://127.0.0.1:$((base + 21))"
rm_node_config "$FED" $A $((base + 1)) $((base + 11)) \
    --peer "$C,dial,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_config "$FED" $B $((base + 2)) $((base + 12)) \
    --peer "$C,dial,tls+tcp://127.0.0.1:$((base + 21))"
for n in $C $A $B; do rm_node_start "$FED" $n; done
rm_wait_peers_up "$FED" $C 2 15 || rm_die "$C: peers not up"
rm_wait_peers_up "$FED" $A 1 15 || rm_die "$A: peer not up"
rm_wait_peers_up "$FED" $B 1 15 || rm_die "$B: peer not up"

post() { # NODE PATH JSON
	rm_http "$FED" "$1" POST "$2" -H 'Content-Type: application/json' -d "$3"
}
get() { # NODE PATH EXPR
	rm_http "$FED" "$1" GET "$2" | http_body | rm_json "$3"
}
risk() { # NODE ID AREA GRADE SUBCATEGORY NAME REVIEW
	local cat=natural
	[ "$5" = gas ] && cat=accident
	r=$(post "$1" /v1/risks '{"id": "'"$2"'", "area": "'"$3"'",
	    "name": "'"$6"'", "category": "'$cat'", "subcategory": "'"$5"'",
	    "grade": "'"$4"'", "location": "'"$6"'", "review": "'"$7"'"}')
	check_eq "$1 adds $2: 201" "$(http_status <<<"$r")" 201
}
risk $A hp-1 120101 orange flood "和平区海河堤段" 2020-03-31
risk $A hp-2 120101 yellow gas "老旧小区燃气立管" 2099-12-31
risk $A hp-3 120101001 blue rainstorm_waterlogging "劝业场街下穿隧道" 2099-06-30
risk $B hd-1 120102 orange flood "河东区防洪墙" 2099-01-31
risk $B hd-2 120102 blue gas "河东区燃气调压站" 2021-06-30
total=$((NA + 5))
for n in $C $A $B; do
	check "$n holds all five" rm_wait_records "$FED" $n $total 15
done

ids='sorted(x["object_id"] for x in d["risks"])'
check_eq "the centre's city register shows both districts" \
    "$(get $C '/v1/risks?area=120000' "$ids")" \
    "['hd-1', 'hd-2', 'hp-1', 'hp-2', 'hp-3']"
check_eq "Heping's within view: only its own" \
    "$(get $C '/v1/risks?area=120101&within=1' "$ids")" \
    "['hp-1', 'hp-2', 'hp-3']"
check_eq "Hedong's within view, on Heping's node" \
    "$(get $A '/v1/risks?area=120102&within=1' "$ids")" "['hd-1', 'hd-2']"
check_eq "grade AND area" \
    "$(get $B '/v1/risks?area=120000&grade=orange' "$ids")" "['hd-1', 'hp-1']"
check_eq "overdue: review dates passed" \
    "$(get $C '/v1/risks?overdue=1' "$ids")" "['hd-2', 'hp-1']"
check_eq "subcategory and responsible" \
    "$(get $C "/v1/risks?subcategory=gas&responsible=$A" "$ids")" "['hp-2']"
r=$(get $C '/v1/risks?area=120000&limit=2' '(d["count"], "next" in d)')
check_eq "limit 2: a page and a next cursor" "$r" "(2, True)"
pages=$(for i in 1; do
	nxt=""; all=""
	while :; do
		q="/v1/risks?area=120000&limit=2${nxt:+&next=$nxt}"
		body=$(rm_http "$FED" $C GET "$q" | http_body)
		all="$all $(rm_json '" ".join(x["object_id"] for x in d["risks"])' <<<"$body")"
		nxt=$(rm_json 'd.get("next", "")' <<<"$body")
		[ -n "$nxt" ] || break
	done
	echo $all | tr ' ' '\n' | sort | tr '\n' ' '
done)
check_eq "the pages cover the register exactly once" "$pages" \
    "hd-1 hd-2 hp-1 hp-2 hp-3 "
r=$(rm_http "$FED" $C GET '/v1/risks?limit=0')
check_eq "limit 0 is refused: 422" "$(http_status <<<"$r")" 422

summary='(d["total"]["total"], [(a["area"], a["total"], a["grade"]["orange"]) for a in d["areas"]], sorted((u["responsible"], u["total"]) for u in d["responsible"]))'
check_eq "the centre's summary of the city: per district and per unit" \
    "$(get $C '/v1/risks/summary?area=120000' "$summary")" \
    "(5, [('120101', 3, 1), ('120102', 2, 1)], [('$A', 3), ('$B', 2)])"
check_eq "the summary of the city's districts (120100): the same" \
    "$(get $C '/v1/risks/summary?area=120100' "$summary")" \
    "(5, [('120101', 3, 1), ('120102', 2, 1)], [('$A', 3), ('$B', 2)])"
check_eq "a district's summary: its street, its unit" \
    "$(get $B '/v1/risks/summary?area=120101' "$summary")" \
    "(3, [('120101001000', 1, 0)], [('$A', 3)])"
out=$("$RM_BIN/riskmesh" risk summary -c "$(rm_node_dir "$FED" $C)/node.conf" --area 120100)
check_contains "riskmesh risk summary prints Heping's row" "$out" "120101"

# the dynamic adjustment: a regrade, a removal and a new risk after T1
sleep 1.1
T1=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1.1
r=$(post $A /v1/risks/hp-1 '{"grade": "yellow"}')
check_eq "Heping regrades hp-1: 201" "$(http_status <<<"$r")" 201
r=$(post $B /v1/risks/hd-2/remove '{"reason": "调压站已迁建"}')
check_eq "Hedong removes hd-2: 201" "$(http_status <<<"$r")" 201
risk $B hd-3 120102 blue flood "河东区新增积水点" 2099-01-31
for n in $C $A $B; do
	check "$n holds the changes" rm_wait_records "$FED" $n $((total + 3)) 15
done
TO=$(date -u -d tomorrow +%Y-%m-%d)
for n in $C $A $B; do
	out=$("$RM_BIN/riskmesh" risk diff -c "$(rm_node_dir "$FED" $n)/node.conf" \
	    --from "$T1" --to "$TO")
	check_contains "$n: risk diff shows the regrade" "$out" "orange -> yellow"
	check_contains "$n:   the removal with its reason" "$out" "调压站已迁建"
	check_contains "$n:   the new risk" "$out" "added"
	check_contains "$n:   three changes" "$out" "3 changes"
done
check_eq "GET /v1/risks/diff for Hedong's area" \
    "$(get $C "/v1/risks/diff?from=$T1&to=$TO&area=120102" \
    'sorted((c["change"], c["id"]) for c in d["changes"])')" \
    "[('added', 'hd-3'), ('removed', 'hd-2')]"
check_eq "the regrade names both grades and versions" \
    "$(get $A "/v1/risks/diff?from=$T1&to=$TO&area=120101" \
    '[(c["old_grade"], c["grade"], c["old_ver"], c["ver"]) for c in d["changes"]]')" \
    "[('orange', 'yellow', 1, 2)]"
r=$(rm_http "$FED" $C GET '/v1/risks/diff?from=9999-12-31&to=9999-12-31')
check_eq "a diff ending after 9999-12-30: 422 field to" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "422:to"
check_eq "  to=9999-12-30 ends at the last valid time" \
    "$(get $C '/v1/risks/diff?from=9999-12-30&to=9999-12-30' 'd["to"]')" \
    "9999-12-31T00:00:00.000Z"

# the CSV view: the spreadsheet form
csv=$T/risks.csv
rm_http "$FED" $C GET '/v1/risks.csv?area=120101&within=1' -o "$csv" >/dev/null
check_eq "CSV starts with the UTF-8 BOM" "$(head -c 3 "$csv" | od -An -tx1 | tr -d ' ')" "efbbbf"
check_eq "lines end CRLF" "$(head -1 "$csv" | tail -c 2 | od -An -tx1 | tr -d ' ')" "0d0a"
check_contains "the header names 风险等级 grade" "$(head -1 "$csv")" "风险等级 grade"
check_contains "a Chinese cell" "$(cat "$csv")" "老旧小区燃气立管"
check_eq "three data rows" "$(($(wc -l <"$csv") - 1))" 3
out=$("$RM_BIN/riskmesh" risk import --check "$csv" 2>&1)
check_eq "the export is a clean import file (risk import --check)" "$?" 0
# The city's whole register exported, imported into Heping's node: its
# own rows are unchanged, the other agencies' rows are left alone
# (counted foreign), nothing is issued.
all=$T/city.csv
rm_http "$FED" $C GET '/v1/risks.csv' -o "$all" >/dev/null
check_contains "the export names each row's register" "$(head -1 "$all")" \
    "登记单位 origin"
out=$("$RM_BIN/riskmesh" risk import --check "$all" 2>&1)
check_contains "risk import --check counts the registers" "$out" \
    "name their register (登记单位 origin)"
own='len([r for r in d["risks"] if r["origin"] == "'$A'"])'
before=$(get $A /v1/risks "$own")
out=$("$RM_BIN/riskmesh" risk import -c "$(rm_node_dir "$FED" $A)/node.conf" "$all" 2>&1)
check_eq "the city's export imports into Heping's node" "$?" 0
check_contains "  nothing created or updated" "$out" "0 created, 0 updated, 0 removed"
check_contains "  the other agencies' rows left alone" "$out" \
    "of other agencies' registers left alone"
check_eq "  Heping's register is as it was" "$(get $A /v1/risks "$own")" "$before"
out=$("$RM_BIN/riskmesh" risk list -c "$(rm_node_dir "$FED" $C)/node.conf" \
    --area 120102 --within --csv)
check_contains "riskmesh risk list --csv" "$out" "河东区防洪墙"
out=$("$RM_BIN/riskmesh" risk list -c "$(rm_node_dir "$FED" $C)/node.conf" --overdue)
check_contains "riskmesh risk list --overdue" "$out" "1 risk in force"
finish
