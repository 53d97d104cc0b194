#!/usr/bin/env bash
# Task dispatch with the centre down: the centre and two districts
# linked in a triangle; the centre is killed (-9); Binhai dispatches a
# task to Heping, which acknowledges it (received, in_progress, done)
# over their direct link; the centre restarts and shows the whole
# history (the task and every version of the ack).
. "$(dirname "$0")/lib.sh"
C=120000.command   # the centre
A=120116.gov       # Binhai: the assigner
B=120101.gov       # Heping: the assignee
base=$(rm_base_port)
url() { echo "tls+tcp://127.0.0.1:$((base + $1))"; }
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$C,$A,$B"
NA=$(it_agency_records)
rm_node_config "$FED" $C $((base)) off \
    --peer "$A,listen,$(url 20)" --peer "$B,listen,$(url 21)"
rm_node_config "$FED" $A $((base + 1)) off \
    --peer "$C,dial,$(url 20)" --peer "$B,listen,$(url 22)"
rm_node_config "$FED" $B $((base + 2)) off \
    --peer "$C,dial,$(url 21)" --peer "$A,dial,$(url 22)"
for n in $C $A $B; do rm_node_start "$FED" $n; done
for n in $C $A $B; do
	rm_wait_peers_up "$FED" $n 2 20 || rm_die "$n: peers not up"
done

post() { # NODE PATH JSON
	rm_http "$FED" "$1" POST "$2" -H 'Content-Type: application/json' -d "$3"
}
get() { # NODE PATH EXPR
	rm_http "$FED" "$1" GET "$2" | http_body | rm_json "$3"
}

peers_up_is() { # NODE N SECONDS: until exactly N links are up
	local deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(rm_metric "$FED" "$1" riskmesh_peer_up)" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
rm_node_kill "$FED" $C KILL
check "Binhai sees the centre down (1 link up)" peers_up_is $A 1 15
check "so does Heping" peers_up_is $B 1 15
dl=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
r=$(post $A /v1/tasks '{"id": "t1", "subject": "防汛物资清点",
    "assignees": ["'$B'"], "priority": "high", "deadline": "'$dl'"}')
check_eq "Binhai dispatches with the centre down: 201" "$(http_status <<<"$r")" 201
check "Heping receives it directly" rm_wait_records "$FED" $B $((NA + 1)) 10
n=1
for s in received in_progress done; do
	r=$(post $B /v1/tasks/t1/ack '{"state": "'$s'", "note": "'$s' 记录"}')
	check_eq "Heping acks $s: 201" "$(http_status <<<"$r")" 201
	n=$((n + 1))
done
check "Binhai receives every ack" rm_wait_records "$FED" $A $((NA + 4)) 10
check_eq "Binhai sees t1 done" \
    "$(get $A "/v1/tasks?assigner=$A" '[(t["object_id"], t["done"], t["acks"][0]["state"]) for t in d["tasks"]]')" \
    "[('t1', 1, 'done')]"

rm_node_start "$FED" $C
check "the centre catches up when it returns" rm_wait_records "$FED" $C $((NA + 4)) 30
check_eq "the centre shows the whole history" \
    "$(get $C "/v1/tasks/t1?origin=$A" '[(h["role"], h["origin"], h["ver"], h.get("state", h.get("status"))) for h in d["history"]]')" \
    "[('task', '$A', 1, 'open'), ('ack', '$B', 3, 'done'), ('ack', '$B', 2, 'in_progress'), ('ack', '$B', 1, 'received')]"
check_eq "and lists t1 done by Heping" \
    "$(get $C "/v1/tasks?assignee=$B" '[(t["object_id"], t["done"], t["overdue"]) for t in d["tasks"]]')" \
    "[('t1', 1, False)]"
out=$("$RM_BIN/riskmesh" task show -c "$(rm_node_dir "$FED" $C)/node.conf" t1 --origin $A)
check_contains "riskmesh task show on the centre" "$out" "$B*:done"
finish
