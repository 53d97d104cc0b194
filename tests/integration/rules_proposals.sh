#!/usr/bin/env bash
# Monitoring rules across two riskmeshd processes over mutual TLS. The
# Binhai node runs a rules file; observations reach its engine through
# POST /v1/rules/observations (node_rules_observe: the indicator kind is
# not wired yet) and raise a warning proposal, visible at GET
# /v1/proposals(.csv) and on the peer; `riskmesh proposal confirm` issues
# the alert, which the peer receives with the confirmed proposal. The
# alert in force then makes a chained rule fire with a river level; the
# level falling past the hysteresis expires that proposal. A pending
# period ends on the rules thread's timer; a confirmed task proposal is
# a task the assignee's node receives; indicator values ingested through
# POST /v1/indicators reach the engine from the store.
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai district: alert;risk;task;indicator, max orange
B=120000.meteorology
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B"
NA=$(it_agency_records)

rules=$T/binhai.rules
cat >"$rules" <<'EOF'
# Binhai's monitoring rules (docs/RULES.md)
rule rain3h-orange
    scope    120116
    when     rain_3h >= 50 clear 40   # mm over 3 hours
    pending  30m
    warning  orange
    event    暴雨
    headline 滨海新区3小时降雨量超过50毫米
end
rule flood
    scope    120116
    when     alert(暴雨) >= orange and river_level >= 4.5 clear 4.3
    warning  orange
    event    洪水
    headline 暴雨预警期间海河水位超过警戒水位
end
rule gale
    scope    120116
    when     wind >= 24.5
    pending  2s
    warning  yellow
    event    大风
    headline 滨海新区出现10级大风
end
rule heat
    scope      120116
    when       temp_max >= 37
    warning    yellow
    event      高温
    headline   滨海新区最高气温超过37℃
    auto_issue yes
end
rule river-task
    scope    120116
    when     rise(river_level, 3h) >= 0.4
    task     120000.meteorology
    subject  海河水位3小时上涨超过0.4米，请核查堤防风险
end
rule rain1h-yellow
    scope    120116
    when     rain_1h >= 30
    warning  yellow
    event    暴雨
    headline 滨海新区1小时降雨量超过30毫米
end
EOF
out=$("$RM_BIN/riskmesh" rules check "$rules" 2>&1)
check_eq "riskmesh rules check: clean, exit 0" "$?:$out" "0:$rules: 6 rules, no errors"
printf 'rule x\n    scope 12\n    when rain >> 5\n' >"$T/bad.rules"
out=$("$RM_BIN/riskmesh" rules check "$T/bad.rules" 2>&1)
check_eq "a bad file: exit 1" "$?" 1
check_contains "  scope at line 2" "$out" "$T/bad.rules:2: scope: \"12\""
check_contains "  the operator at line 3" "$out" "$T/bad.rules:3: when: rain: want an operator"
check_contains "  the missing end at line 1" "$out" "$T/bad.rules:1: rule x has no end"

rm_node_config "$FED" $A $base $((base + 10)) \
    --peer "$B,listen,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_config "$FED" $B $((base + 1)) $((base + 11)) \
    --peer "$A,dial,tls+tcp://127.0.0.1:$((base + 20))"
aconf=$(rm_node_dir "$FED" $A)/node.conf
bconf=$(rm_node_dir "$FED" $B)/node.conf
cp "$aconf" "$T/bad.conf"
echo "rules = $T/bad.rules" >>"$T/bad.conf"
out=$("$RM_BIN/riskmeshd" -n -c "$T/bad.conf" 2>&1)
check_eq "riskmeshd -n refuses a bad rules file" "$?" 1
check_contains "  naming the file and line" "$out" "bad.rules:"
echo "rules = $rules" >>"$aconf"
sed -i 's/^rules_auto_issue = no$/rules_auto_issue = yes/' "$aconf"
rm_node_start "$FED" $A
rm_node_start "$FED" $B
rm_wait_peers_up "$FED" $A 1 15 || rm_die "$A: peer not up"
rm_wait_peers_up "$FED" $B 1 15 || rm_die "$B: peer not up"

observe() { # JSON-ARRAY
	rm_http "$FED" $A POST /v1/rules/observations \
	    -H 'Content-Type: application/json' -d "{\"observations\": $1}"
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
props() { # NODE QUERY EXPR
	rm_http "$FED" "$1" GET "/v1/proposals$2" | http_body | rm_json "$3"
}
wait_props() { # NODE COUNT SECONDS
	local deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(props "$1" '' 'd["count"]' 2>/dev/null)" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# Rainfall recorded over the last three hours: above 50 from 2 h ago,
# so the 30 min pending period ended an hour and a half ago.
r=$(observe "[{\"code\": \"rain_3h\", \"area\": \"120116\", \"time\": \"$(at '-3 hours')\", \"value\": 20},
    {\"code\": \"rain_3h\", \"area\": \"120116\", \"time\": \"$(at '-2 hours')\", \"value\": 55},
    {\"code\": \"rain_3h\", \"area\": \"120116\", \"time\": \"$(at '-1 hours')\", \"value\": 60.5}]")
check_eq "observations accepted: 202, 3" "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["accepted"]')" "202:3"
check "a warning proposal is issued" wait_props $A 1 10
check_eq "  rule, type, grade, area, state" \
    "$(props $A '' '[(x["rule"], x["type"], x["grade"], x["areas"], x["state"]) for x in d["proposals"]]')" \
    "[('rain3h-orange', 'warning', 'orange', ['120116'], 'open')]"
check_eq "  its evidence: the 55 mm that held through the pending period" \
    "$(props $A '' '[(e["what"], e["code"], e["value"]) for e in d["proposals"][0]["evidence"]]')" \
    "[('level', 'rain_3h', 55.0)]"
pid=$(props $A '' 'd["proposals"][0]["object_id"]')
r=$(rm_http "$FED" $A GET /v1/proposals.csv)
check_eq "GET /v1/proposals.csv: 200" "$(http_status <<<"$r")" 200
check_contains "  BOM and header" "$(http_body <<<"$r" | head -c 40 | od -An -tx1 | tr -d ' \n')" "efbbbf6f626a6563745f6964"
check_contains "  the proposal's row" "$(http_body <<<"$r")" "$pid,$A,120116,rain3h-orange,warning,open,orange,暴雨"
check "meteorology receives the proposal" rm_wait_records "$FED" $B $((NA + 1)) 10
check_eq "  and lists it" "$(props $B '?area=120116' 'd["proposals"][0]["object_id"]')" "$pid"
out=$("$RM_BIN/riskmesh" proposal list -c "$aconf")
check_contains "riskmesh proposal list" "$out" "$pid"
check_contains "  one open" "$out" "1 open proposal"
out=$("$RM_BIN/riskmesh" proposal list -c "$aconf" --csv 2>&1)
check_contains "riskmesh proposal list --csv (GET /v1/proposals.csv)" "$out" \
    "$pid,$A,120116,rain3h-orange,warning,open"

out=$("$RM_BIN/riskmesh" proposal confirm -c "$aconf" "$pid" 2>&1)
check_contains "riskmesh proposal confirm issues the alert" "$out" "issued alert $A-"
check "meteorology receives the alert and the confirmed proposal" \
    rm_wait_records "$FED" $B $((NA + 3)) 10
check_eq "meteorology: the alert in force, with the proposal's fields" \
    "$(rm_http "$FED" $B GET '/v1/alerts?area=120116' | http_body | rm_json '[(a["grade"], a["texts"][0]["event"], a["texts"][0]["headline"], a["references"][0].split(",")[:2]) for a in d["alerts"]]')" \
    "[('orange', '暴雨', '滨海新区3小时降雨量超过50毫米', ['$A', '$pid'])]"
check_eq "  no open proposal left" "$(props $B '' 'd["count"]')" 0
r=$(rm_http "$FED" $A POST "/v1/proposals/$pid/confirm")
check_eq "confirming again: 409 field state" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "409:state"
check_eq "the CSV view has no row left" \
    "$(rm_http "$FED" $A GET /v1/proposals.csv | http_body | grep -c '^prop:')" 0

# The chain: the orange rainstorm alert is in force; the river rises.
r=$(observe "[{\"code\": \"river_level\", \"area\": \"120116\", \"time\": \"$(at now)\", \"value\": 4.8}]")
check "the chained rule fires with the alert and the level" wait_props $A 1 10
check_eq "  it is the flood rule, its evidence both terms" \
    "$(props $A '' '[(x["rule"], [(e["what"], e["code"]) for e in x["evidence"]]) for x in d["proposals"]]')" \
    "[('flood', [('alert', '暴雨'), ('level', 'river_level')])]"
fid=$(props $A '' 'd["proposals"][0]["object_id"]')
observe "[{\"code\": \"river_level\", \"area\": \"120116\", \"time\": \"$(at '+1 second')\", \"value\": 4.4}]" >/dev/null
sleep 1
check_eq "4.4 m is inside the hysteresis band: still open" "$(props $A '' 'd["count"]')" 1
observe "[{\"code\": \"river_level\", \"area\": \"120116\", \"time\": \"$(at '+2 seconds')\", \"value\": 4.0}]" >/dev/null
check "4.0 m clears it: the proposal expires" wait_props $A 0 10
check "meteorology receives the expiry" wait_props $B 0 10

# A pending period ends on the rules thread's timer.
observe "[{\"code\": \"wind\", \"area\": \"120116\", \"time\": \"$(at now)\", \"value\": 26}]" >/dev/null
check "the gale rule fires 2 s later without another input" wait_props $A 1 15
check_eq "  it is the gale rule" "$(props $A '' 'd["proposals"][0]["rule"]')" gale
gid=$(props $A '' 'd["proposals"][0]["object_id"]')

# A task proposal for meteorology. 4.45 m is 0.45 above the 3-hour
# minimum, below the flood mark.
observe "[{\"code\": \"river_level\", \"area\": \"120116\", \"time\": \"$(at '+3 seconds')\", \"value\": 4.45}]" >/dev/null
check "the river-task rule raises a task proposal" wait_props $A 2 10
tid=$(props $A '' '[x["object_id"] for x in d["proposals"] if x["type"] == "task"][0]')
check_eq "  for the rule's assignee" "$(props $A '' '[x["assignee"] for x in d["proposals"] if x["type"] == "task"]')" "['$B']"
r=$(observe '[{"code": "wind", "area": "12", "time": "2026-01-01T00:00:00Z", "value": 1}]')
check_eq "a bad observation: 422 field value" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "422:value"
r=$(rm_http "$FED" $B POST /v1/rules/observations -d '{"observations": [{"code": "wind", "area": "120116", "time": "2026-01-01T00:00:00Z", "value": 1}]}')
check_eq "a node without rules: 404 field rules" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "404:rules"

# auto_issue, allowed by the node's config: the alert at once.
observe "[{\"code\": \"temp_max\", \"area\": \"120116\", \"time\": \"$(at '+4 seconds')\", \"value\": 38.2}]" >/dev/null
check "an auto_issue rule issues its alert without a proposal" \
    rm_wait_records "$FED" $B $((NA + 8)) 10
check_eq "  the heat alert is in force on meteorology" \
    "$(rm_http "$FED" $B GET '/v1/alerts?area=120116' | http_body | rm_json 'sorted(a["texts"][0]["event"] for a in d["alerts"])')" \
    "['暴雨', '高温']"
check_eq "  and no proposal was added" "$(props $A '' 'd["count"]')" 2

# A restart keeps the open proposals firing: clearing still expires them.
rm_node_kill "$FED" $A TERM
rm_node_start "$FED" $A
observe "[{\"code\": \"wind\", \"area\": \"120116\", \"time\": \"$(at '+5 seconds')\", \"value\": 10}]" >/dev/null
check "after a restart the gale clears and its proposal expires" wait_props $A 1 10
check_eq "  the task proposal stays" "$(props $A '' '[x["object_id"] for x in d["proposals"]]')" "['$tid']"
check_eq "GET /v1/status: the rules since the restart" \
    "$(rm_status_field "$FED" $A '(d["rules"]["rules"], d["rules"]["raised"], d["rules"]["cleared"])')" "(6, 0, 1)"
check_eq "  none on meteorology" "$(rm_status_field "$FED" $B 'd["rules"]')" None

# Confirming the task proposal dispatches the task to meteorology.
out=$("$RM_BIN/riskmesh" proposal confirm -c "$aconf" "$tid" 2>&1)
check_contains "riskmesh proposal confirm of a task proposal: issued task" \
    "$out" "issued task "
task=$(awk '/^issued task /{print $3}' <<<"$out")
tasks_on_b() {
	rm_http "$FED" $B GET "/v1/tasks?assignee=$B" | http_body | rm_json "$1"
}
wait_task() {
	local deadline=$(( $(date +%s) + 10 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(tasks_on_b '[t["object_id"] for t in d["tasks"]]' 2>/dev/null)" = "['$task']" ] && return 0
		sleep 0.2
	done
	return 1
}
check "meteorology receives the task" wait_task
check_eq "  its subject is the rule's, it links the proposal" \
    "$(tasks_on_b '(d["tasks"][0]["subject"], d["tasks"][0]["links"][0]["oid"])')" \
    "('海河水位3小时上涨超过0.4米，请核查堤防风险', '$tid')"
check_eq "  the proposal is gone from the open list" "$(props $A '' 'd["count"]')" 0

# Indicator values ingested on the node reach the rules from the store.
r=$(printf 'code,area,time,value,unit,source\nrain_1h,120116,%s,35.5,mm,sensor\n' "$(at now)" |
    rm_http "$FED" $A POST /v1/indicators -H 'Content-Type: text/csv' --data-binary @-)
check_eq "rain_1h 35.5 ingested as an indicator series" "$(http_status <<<"$r")" 201
check "the rain1h rule raises its proposal from the stored series" wait_props $A 1 10
check_eq "  rain1h-yellow" "$(props $A '' 'd["proposals"][0]["rule"]')" rain1h-yellow
check "  meteorology receives it" wait_props $B 1 10
finish
