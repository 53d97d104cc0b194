#!/usr/bin/env bash
# Task proposals of the rules (docs/RULES.md "Risk review dates",
# "Conditions"): a review_overdue rule on Binhai raises one task
# proposal for a risk whose review date has passed, to the risk's
# responsible unit, linked to the risk; a restart raises no second one;
# confirming it dispatches the task (linking the proposal and the risk)
# to the unit's node; a later review date expires an open one. An
# indicator definition and a value worse than its target raise an
# off_target rectification task proposal; the value back on target
# expires it.
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai district: alert;risk;task;indicator
B=120000.meteorology  # the responsible unit of the risks here
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B"
RM=$RM_BIN/riskmesh

rules=$T/binhai.rules
cat >"$rules" <<'EOF2'
rule review
    scope    120116
    when     review_overdue
    task     responsible
    subject  风险复核逾期，请复核
end
rule green
    scope    120116
    when     off_target(hc.green_ratio)
    task     120116.gov
    subject  绿地率未达标，请制定整改方案
end
EOF2
out=$("$RM" rules check "$rules" 2>&1)
check_eq "riskmesh rules check: clean" "$?:$out" "0:$rules: 2 rules, no errors"
printf 'rule x\n scope 120116\n when review_overdue and rain >= 5\n task responsible\n subject s\nend\nrule y\n scope 120116\n when review_overdue\n warning red\n event e\n headline h\nend\nrule z\n scope 120116\n when off_target(Bad Code)\n task responsible\n subject s\nend\n' >"$T/bad.rules"
out=$("$RM" rules check "$T/bad.rules" 2>&1)
check_eq "a bad file: exit 1" "$?" 1
check_contains "  review_overdue with another term, line 3" "$out" \
    "$T/bad.rules:3: when: review_overdue stands alone"
check_contains "  review_overdue with a warning, line 7" "$out" \
    "$T/bad.rules:7: rule y: review_overdue raises a review task"
check_contains "  off_target with a bad code, line 16" "$out" \
    "$T/bad.rules:16: when: off_target(\"Bad\")"

rm_node_config "$FED" $A $base $((base + 10)) \
    --peer "$B,listen,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_config "$FED" $B $((base + 1)) $((base + 11)) \
    --peer "$A,dial,tls+tcp://127.0.0.1:$((base + 20))"
aconf=$(rm_node_dir "$FED" $A)/node.conf
echo "rules = $rules" >>"$aconf"
rm_node_start "$FED" $A
rm_node_start "$FED" $B
rm_wait_peers_up "$FED" $A 1 15 || rm_die "$A: peer not up"
rm_wait_peers_up "$FED" $B 1 15 || rm_die "$B: peer not up"

post() { # PATH JSON
	rm_http "$FED" $A POST "$1" -H 'Content-Type: application/json' -d "$2"
}
props() { # EXPR
	rm_http "$FED" $A GET /v1/proposals | http_body | rm_json "$1"
}
wait_eq() { # SECONDS EXPR WANT
	local deadline=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(props "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
past=$(TZ=Asia/Shanghai date -d '-3 days' +%F)
future=$(TZ=Asia/Shanghai date -d '+30 days' +%F)

r=$(post /v1/risks "{\"id\": \"bh-dike-7\", \"area\": \"120116\",
    \"name\": \"海河左岸堤防\", \"category\": \"natural\", \"subcategory\": \"flood\",
    \"grade\": \"orange\", \"location\": \"海河左岸\", \"responsible\": \"$B\", \"review\": \"$past\"}")
check_eq "a risk with a review date 3 days past: 201" "$(http_status <<<"$r")" 201
r=$(post /v1/risks "{\"id\": \"bh-dike-8\", \"area\": \"120116\",
    \"name\": \"海河右岸堤防\", \"category\": \"natural\", \"subcategory\": \"flood\",
    \"grade\": \"yellow\", \"location\": \"海河右岸\", \"responsible\": \"$B\", \"review\": \"$past\"}")
check_eq "a second one: 201" "$(http_status <<<"$r")" 201
r=$(post /v1/risks "{\"id\": \"bh-dike-9\", \"area\": \"120116\",
    \"name\": \"未逾期\", \"category\": \"natural\", \"subcategory\": \"flood\",
    \"grade\": \"yellow\", \"location\": \"海河右岸\", \"responsible\": \"$B\", \"review\": \"$future\"}")
check_eq "one not due: 201" "$(http_status <<<"$r")" 201
check "two review task proposals" wait_eq 10 'd["count"]' 2
check_eq "  for the responsible unit, subject with the risk id and name" \
    "$(props '[(x["rule"], x["type"], x["assignee"], x["subject"]) for x in sorted(d["proposals"], key=lambda p: p["subject"])]')" \
    "[('review', 'task', '$B', '风险复核逾期，请复核 bh-dike-7 海河左岸堤防'), ('review', 'task', '$B', '风险复核逾期，请复核 bh-dike-8 海河右岸堤防')]"
check_eq "  the evidence: review date, days overdue, the risk" \
    "$(props '[(e["what"], e["code"], e["value"], e["risk"]) for x in d["proposals"] for e in x["evidence"] if e["risk"].endswith("dike-7")]')" \
    "[('review', '$past', 3.0, '$A/bh-dike-7')]"
pid7=$(props '[x["object_id"] for x in d["proposals"] if "dike-7" in x["subject"]][0]')
pid8=$(props '[x["object_id"] for x in d["proposals"] if "dike-8" in x["subject"]][0]')
check_contains "  a deterministic object id: rule, review, hash, date" "$pid7" "prop:review:review:"
check_contains "  ending with the review date" "$pid7" ":$past"

# a restart: the full pass finds both risks overdue, raises nothing new
rm_node_kill "$FED" $A TERM
rm_node_start "$FED" $A
rm_wait_peers_up "$FED" $A 1 15 || rm_die "$A: peer not up"
sleep 1
check_eq "after a restart: still the same two" \
    "$(props 'sorted(x["object_id"] for x in d["proposals"])')" \
    "$(/usr/bin/python3 -c "print(sorted(['$pid7', '$pid8']))")"

# confirming dispatches the task, linked to the proposal and the risk
r=$(rm_http "$FED" $A POST "/v1/proposals/$pid7/confirm")
check_eq "confirming the review proposal: 201" "$(http_status <<<"$r")" 201
task=$(http_body <<<"$r" | rm_json 'd["object_id"]')
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
check "the responsible unit receives the task" wait_task
check_eq "  linked to the proposal and the risk" \
    "$(tasks_on_b '[(l["origin"], l["oid"]) for l in d["tasks"][0]["links"]]')" \
    "[('$A', '$pid7'), ('$A', 'bh-dike-7')]"

# a later review date expires the open one (bh-dike-8)
r=$(post /v1/risks/bh-dike-8 "{\"review\": \"$future\"}")
check_eq "bh-dike-8 reviewed: next review in 30 days: 201" "$(http_status <<<"$r")" 201
check "its proposal expires" wait_eq 10 'd["count"]' 0
r=$(rm_http "$FED" $A POST "/v1/proposals/$pid8/confirm")
check_eq "  expired: confirming it is 409" "$(http_status <<<"$r")" 409
check_contains "  saying so" "$(http_body <<<"$r")" "is expired"

# off_target: the green ratio definition (lower is worse, target 40)
out=$("$RM" indicator define -c "$aconf" --code hc.green_ratio --unit % \
    --direction lower_worse --target 40 --name-zh 绿地率 --period year \
    --source statistics --area 120116 2>&1)
check_contains "Binhai defines hc.green_ratio" "$out" "defined hc.green_ratio ver 1"
printf 'code,area,time,value\nhc.green_ratio,120116,2024,41.5\nhc.green_ratio,120116,2025,38.2\n' >"$T/g.csv"
out=$("$RM" indicator ingest -c "$aconf" "$T/g.csv" 2>&1)
check_contains "values ingested: 2025 below the target" "$out" "ingested 2 values"
check "an off_target task proposal" wait_eq 10 'd["count"]' 1
check_eq "  rule, assignee, subject, evidence" \
    "$(props '[(x["rule"], x["assignee"], x["subject"], [(e["what"], e["code"], e["value"]) for e in x["evidence"]]) for x in d["proposals"]]')" \
    "[('green', '$A', '绿地率未达标，请制定整改方案', [('target', 'hc.green_ratio', 38.2)])]"
printf 'code,area,time,value\nhc.green_ratio,120116,2026,40.5\n' >"$T/g2.csv"
"$RM" indicator ingest -c "$aconf" "$T/g2.csv" >/dev/null 2>&1
check "back on target: it expires" wait_eq 10 'd["count"]' 0
st=$(rm_http "$FED" $A GET /v1/status | http_body | rm_json '(d["rules"]["raised"], d["rules"]["cleared"], d["rules"]["issue_failed"], d["rules"]["review_refused"])')
check_eq "status: raised, cleared, failed, refused since the restart" "$st" "(1, 2, 0, 0)"
finish
