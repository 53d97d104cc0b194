#!/usr/bin/env bash
# Task dispatch (交办) between two riskmeshd processes: Binhai dispatches
# a task to Heping, which acknowledges it (received, in_progress, done);
# both nodes show the acks joined in and the whole history; a second
# task passes its deadline and Binhai's node issues exactly one
# escalation, which Heping (the lead unit) receives and both list as
# overdue (HTTP and `riskmesh task list --overdue`); an agency that is
# not an assignee cannot acknowledge, and its ack handed in signed
# (POST /v1/records) is stored but never counts.
. "$(dirname "$0")/lib.sh"
A=120116.gov   # Binhai: the assigner
B=120101.gov   # Heping: the assignee
C=120102.gov   # Hedong: in the roster, no node, assigned nothing
SEAL=$RM_BUILD_DIR/tests/integration/rm_test_seal_ack
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B,$C"
NA=$(it_agency_records)
rm_node_config "$FED" $A $((base)) $((base + 10)) \
    --peer "$B,listen,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_config "$FED" $B $((base + 1)) $((base + 11)) \
    --peer "$A,dial,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_start "$FED" $A
rm_node_start "$FED" $B
rm_wait_peers_up "$FED" $A 1 15 || rm_die "$A: peer not up"
rm_wait_peers_up "$FED" $B 1 15 || rm_die "$B: peer not up"
aconf=$(rm_node_dir "$FED" $A)/node.conf
bconf=$(rm_node_dir "$FED" $B)/node.conf

post() { # NODE PATH JSON
	rm_http "$FED" "$1" POST "$2" -H 'Content-Type: application/json' -d "$3"
}
get() { # NODE PATH EXPR
	rm_http "$FED" "$1" GET "$2" | http_body | rm_json "$3"
}
in_s() { date -u -d "+$1 seconds" +%Y-%m-%dT%H:%M:%S.%3NZ; }

r=$(post $A /v1/tasks '{"id": "t1", "subject": "排查海河堤防渗漏点",
    "assignees": ["'$B'"], "priority": "urgent", "deadline": "'"$(in_s 3600)"'",
    "links": [{"origin": "'$A'", "oid": "bh-flood-1"}]}')
check_eq "Binhai dispatches t1: 201 ver 1" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["ver"]')" "201:1"
check "Heping receives it" rm_wait_records "$FED" $B $((NA + 1)) 10
# the field rules, each refused naming its field
refuse() { # WANT BODY-FIELDS
	r=$(post $A /v1/tasks '{"subject": "x", "deadline": "'"$(in_s 600)"'", '"$2"'}')
	check_eq "refused: $2" \
	    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "$1"
}
refuse 422:lead '"assignees": ["'$B'", "'$C'"], "lead": "120000.water"'
refuse 400:lead '"assignees": ["'$B'", "'$C'"]'
refuse 422:assignees '"assignees": ["'$A'"]'
refuse 422:assignees '"assignees": ["'$B'", "'$B'"]'
refuse 422:assignees '"assignees": ["120105.gov"]'
refuse 422:priority '"assignees": ["'$B'"], "priority": "asap"'
refuse 422:id '"assignees": ["'$B'"], "id": "'"$(printf 'x%.0s' {1..60})"'"'
refuse 400:bogus '"assignees": ["'$B'"], "bogus": 1'
r=$(post $A /v1/tasks '{"subject": "x", "assignees": ["'$B'"], "deadline": "2020-01-01T00:00:00Z"}')
check_eq "a deadline in the past: 422 field deadline" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "422:deadline"
r=$(rm_http "$FED" $A GET '/v1/tasks?status=closed')
check_eq "lists hold open tasks: status=closed is 422" "$(http_status <<<"$r")" 422
check_eq "Heping lists it as its task" \
    "$(get $B "/v1/tasks?assignee=$B" '[(t["object_id"], t["lead"], t["priority"], t["acks"][0]["state"]) for t in d["tasks"]]')" \
    "[('t1', '$B', 'urgent', None)]"
r=$(post $A /v1/tasks/t1/ack '{"state": "received"}')
check_eq "the assigner cannot acknowledge: 403 EUNAUTH field assignees" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["error"]+" "+d["field"]')" \
    "403:EUNAUTH assignees"
check_contains "  the reason names the assignees" "$(http_body <<<"$r")" "only $B may"
for s in received in_progress; do
	r=$(post $B /v1/tasks/t1/ack '{"state": "'$s'"}')
	check_eq "Heping acks $s: 201" "$(http_status <<<"$r")" 201
done
r=$(post $B /v1/tasks/t1/ack '{"state": "received"}')
check_eq "no step back: 422 field state" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "422:state"
r=$(post $B /v1/tasks/t1/ack '{"state": "done"}')
check_eq "done without a note: 400 field note" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "400:note"
r=$(post $B /v1/tasks/t1/ack '{"state": "done", "note": "已完成加固"}')
check_eq "Heping acks done with a note: 201 ver 3" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["ver"]')" "201:3"
check "Binhai receives the acks" rm_wait_records "$FED" $A $((NA + 4)) 10
check_eq "Binhai sees t1 done by Heping" \
    "$(get $A "/v1/tasks?assigner=$A" '[(t["object_id"], t["done"], t["acks"][0]["state"]) for t in d["tasks"]]')" \
    "[('t1', 1, 'done')]"
check_eq "the history: 1 task version, 3 ack versions" \
    "$(get $A /v1/tasks/t1 '[(h["role"], h["ver"]) for h in d["history"]]')" \
    "[('task', 1), ('ack', 3), ('ack', 2), ('ack', 1)]"
check_eq "Heping finds t1 without the origin, and with it" \
    "$(get $B /v1/tasks/t1 'd["task"]["origin"]'):$(get $B "/v1/tasks/t1?origin=$A" 'd["task"]["done"]')" \
    "$A:1"
r=$(post $A /v1/tasks/t1/close '{"note": "办结"}')
check_eq "Binhai closes t1: 201 ver 2" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["ver"]')" "201:2"
check_eq "closed tasks leave the list" "$(get $A /v1/tasks 'd["count"]')" 0
r=$(post $A /v1/tasks/t1/close '{}')
check_eq "closed is final: 409 field status" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["field"]')" "409:status"

# Overdue: a deadline 8 s ahead (room for the checks before it on a busy
# machine); Binhai's node escalates once.
r=$(post $A /v1/tasks '{"id": "t2", "subject": "上报隐患台账",
    "assignees": ["'$B'"], "deadline": "'"$(in_s 8)"'"}')
check_eq "Binhai dispatches t2 due in 8 s: 201" "$(http_status <<<"$r")" 201
check_eq "  not overdue yet" "$(get $A '/v1/tasks?overdue=1' 'd["count"]')" 0
r=$(post $B /v1/tasks/t2/ack '{"state": "received"}')
check_eq "Heping acks received" "$(http_status <<<"$r")" 201
check "Binhai's node issues the escalation" wait_metric_ge $A riskmesh_records $((NA + 8)) 30
check "Heping receives it" rm_wait_records "$FED" $B $((NA + 8)) 10
check_eq "Binhai lists t2 overdue and escalated" \
    "$(get $A '/v1/tasks?overdue=1' '[(t["object_id"], t["overdue"], t["escalated"]) for t in d["tasks"]]')" \
    "[('t2', True, True)]"
check_eq "so does Heping, the lead unit" \
    "$(get $B "/v1/tasks?overdue=1&assignee=$B" '[(t["object_id"], t["escalated"]) for t in d["tasks"]]')" \
    "[('t2', True)]"
check_eq "the escalation names the lead and who is not done" \
    "$(get $B /v1/tasks/t2 '[(h["lead"], h["pending"]) for h in d["history"] if h["role"] == "escalation"]')" \
    "[('$B', ['$B'])]"
sleep 1
check_eq "exactly one escalation (Binhai holds 8 records of its own and Heping's)" \
    "$(rm_metric "$FED" $A riskmesh_records)" "$((NA + 8))"
r=$(rm_http "$FED" $A GET '/v1/tasks.csv?overdue=1')
check_contains "the CSV view has a BOM and the header" "$(http_body <<<"$r" | head -1)" $'\xef\xbb\xbfassigner'
check_contains "  and t2" "$(http_body <<<"$r")" "t2"
check_eq "  served as text/csv" \
    "$(rm_http "$FED" $A GET /v1/tasks.csv -o /dev/null -w '%{content_type}' | head -1)" \
    "text/csv; charset=utf-8"
for n in $A $B; do
	out=$("$RM_BIN/riskmesh" task list -c "$(rm_node_dir "$FED" $n)/node.conf" --overdue)
	check_contains "riskmesh task list --overdue on $n shows t2" "$out" "t2"
	check_contains "  escalated, 1 overdue" "$out" "ESCALATED"
	check_contains "  one line" "$out" "1 open task overdue"
done
out=$("$RM_BIN/riskmesh" task list -c "$bconf" --overdue --csv)
check_contains "task list --csv: the CSV view" "$out" "assigner 交办单位"
out=$("$RM_BIN/riskmesh" task list -c "$bconf" --json)
check_eq "task list --json: the API's JSON" "$(rm_json 'd["count"]' <<<"$out")" 1

# The CLI: dispatch, acknowledge, show, close.
out=$("$RM_BIN/riskmesh" task add -c "$aconf" --id t3 --subject "汛前检查" \
    --assignee $B --priority high --deadline +2h \
    --link $A/bh-flood-1 2>&1)
check_contains "riskmesh task add" "$out" "dispatched t3 ver 1"
check "Heping receives t3" rm_wait_records "$FED" $B $((NA + 9)) 10
out=$("$RM_BIN/riskmesh" task ack -c "$bconf" t3 --state refused 2>&1)
check_contains "task ack refused without a reason: the reason" "$out" "reason"
out=$("$RM_BIN/riskmesh" task ack -c "$bconf" t3 --state in_progress --note 已部署 2>&1)
check_contains "riskmesh task ack" "$out" "acknowledged ack:$A:t3 ver 1"
out=$("$RM_BIN/riskmesh" task ack -c "$aconf" t3 --state received 2>&1)
check_contains "the assigner's CLI is refused with the reason" "$out" "only $B may acknowledge"
check "Binhai receives the ack" rm_wait_records "$FED" $A $((NA + 10)) 10
out=$("$RM_BIN/riskmesh" task show -c "$aconf" t3)
check_contains "riskmesh task show: the ack (lead starred)" "$out" "$B*:in_progress"
check_contains "  the history" "$out" "(已部署)"

# Hedong is no assignee: its node would refuse; a validly signed ack
# handed in is stored (Hedong may sign acks) but never counts.
"$SEAL" "$FED/agencies/$C/agency.key" $C 120102 $A t3 done "$T/c.cose" >/dev/null ||
    rm_die "seal"
r=$(rm_http "$FED" $A POST /v1/records -H 'Content-Type: application/cbor-seq' \
    --data-binary @"$T/c.cose")
check_eq "Hedong's ack handed to Binhai is stored" \
    "$(http_body <<<"$r" | rm_json 'd["stored"]')" 1
check "and reaches Heping" rm_wait_records "$FED" $B $((NA + 11)) 10
for n in $A $B; do
	check_eq "on $n it never counts: t3 not done, Heping in_progress, 1 ignored" \
	    "$(get $n "/v1/tasks/t3?origin=$A" '(d["task"]["done"], [a["state"] for a in d["task"]["acks"]], d["task"]["ignored_acks"])')" \
	    "(0, ['in_progress'], 1)"
	check_eq "  counted in riskmesh_acks_ignored_total" \
	    "$(rm_metric "$FED" $n riskmesh_acks_ignored_total)" 1
done
check_eq "only Binhai escalated, once" \
    "$(rm_metric "$FED" $A riskmesh_escalations_total):$(rm_metric "$FED" $B riskmesh_escalations_total)" "1:0"
out=$("$RM_BIN/riskmesh" task close -c "$aconf" t3 --cancel --note 改由他案办理 2>&1)
check_contains "riskmesh task close --cancel" "$out" "cancelled t3 ver 2"
# a task the node neither assigned nor was given: the error says how to
# name it (the assigner, --origin)
out=$("$RM_BIN/riskmesh" task show -c "$bconf" no-such-task 2>&1)
check_contains "task show of another agency's task suggests --origin" \
    "$out" "riskmesh task show --origin"

finish
