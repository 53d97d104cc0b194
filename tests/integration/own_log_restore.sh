#!/usr/bin/env bash
# A node whose store was wiped (or restored from an old backup) must not
# sign a second record with a seq its peers already hold: it refuses to
# issue (503 EBUSY) until the peers' catch-up has brought its own log back,
# then continues after it. No fork anywhere.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
it_two_nodes $A $B
conf=$(rm_node_dir "$FED" $A)/node.conf
for i in 1 2 3; do
	"$RM_BIN/riskmesh" alert issue -c "$conf" --grade yellow --area 120116 \
	    --event "大风" --headline "大风黄色预警 $i" >/dev/null
done
check "Binhai holds meteorology's 3 records" rm_wait_records "$FED" $B $((NA + 3)) 10

rm_node_kill "$FED" $A TERM
rm -rf "$(rm_node_dir "$FED" $A)/data"
rm_node_start "$FED" $A
# Straight after start, before any peer has sent its version vector:
r=$(rm_http "$FED" $A POST /v1/alerts -H 'Content-Type: application/json' \
    --data-binary '{"grade":"blue","areas":["120116"],"texts":[{"lang":"zh-CN","event":"测试","headline":"早到的预警"}]}')
code=$(http_status <<<"$r")
if [ "$code" = 503 ]; then
	check_eq "an early issue is refused as EBUSY" "$(http_body <<<"$r" | rm_json 'd["error"]')" EBUSY
else
	# the catch-up may already be complete on a fast machine
	check_eq "an early issue continues after the restored log" \
	    "$(http_body <<<"$r" | rm_json 'd["seq"]')" 4
fi
out=$("$RM_BIN/riskmesh" alert issue -c "$conf" --grade yellow --area 120116 \
    --event "大风" --headline "大风黄色预警 after restore")
seq=$(awk '{print $6}' <<<"$out")
check "the CLI waits for the catch-up and issues after the restored log (seq $seq)" \
    test "${seq:-0}" -ge 4
check "meteorology got its own 3 records back" test "$(rm_status_field "$FED" $A 'd["records"]')" -ge $((NA + 4))
check_eq "no fork on meteorology" "$(rm_status_field "$FED" $A 'd["forks"]')" 0
want=$(rm_status_field "$FED" $A 'd["records"]')
check "Binhai receives the new record" rm_wait_records "$FED" $B "$want" 10
check_eq "no fork on Binhai" "$(rm_status_field "$FED" $B 'd["forks"]')" 0

# Restored from an older, non-empty backup: the node holds records of its
# own, but fewer than its peer; it must still not reuse a seq.
data=$(rm_node_dir "$FED" $A)/data
rm_node_kill "$FED" $A TERM
cp -a "$data" "$T/backup"
rm_node_start "$FED" $A
for i in 1 2; do
	"$RM_BIN/riskmesh" alert issue -c "$conf" --grade yellow --area 120116 \
	    --event "大风" --headline "大风黄色预警 after backup $i" >/dev/null
done
want=$(rm_status_field "$FED" $A 'd["records"]')
check "Binhai holds the two newer records" rm_wait_records "$FED" $B "$want" 10
rm_node_kill "$FED" $A TERM
rm -rf "$data" && cp -a "$T/backup" "$data"
rm_node_start "$FED" $A
r=$(rm_http "$FED" $A POST /v1/alerts -H 'Content-Type: application/json' \
    --data-binary '{"grade":"blue","areas":["120116"],"texts":[{"lang":"zh-CN","event":"测试","headline":"恢复后的预警"}]}')
code=$(http_status <<<"$r")
if [ "$code" = 503 ]; then
	check_eq "an issue straight after the restore waits (EBUSY)" \
	    "$(http_body <<<"$r" | rm_json 'd["error"]')" EBUSY
else
	check "an issue after the catch-up continues the log" test "$code" = 201
fi
"$RM_BIN/riskmesh" alert issue -c "$conf" --grade yellow --area 120116 \
    --event "大风" --headline "大风黄色预警 after restore 2" >/dev/null
check_eq "no fork on meteorology after the restore" \
    "$(rm_status_field "$FED" $A 'd["forks"]')" 0
want=$(rm_status_field "$FED" $A 'd["records"]')
check "Binhai receives what follows" rm_wait_records "$FED" $B "$want" 10
check_eq "no fork on Binhai after the restore" \
    "$(rm_status_field "$FED" $B 'd["forks"]')" 0
finish
