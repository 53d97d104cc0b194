#!/usr/bin/env bash
# An authenticated peer that abuses reconciliation (docs/PROTOCOL.md §7a):
# RECONCILE before UP ends the session; one WANT naming one key 1,024
# times (and under every prefix length) is answered with that record
# once; a WANT of keys not held gets nothing; malformed RECONCILE
# messages are aborted and counted; of thirty "I hold none" sessions at
# once only the session budget is served, and after it refills the node
# serves again; the store is as it was.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
C=120000.water
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$C"
NA=$(it_agency_records)
rm_node_config "$FED" $A $base $((base + 10)) \
    --peer "$C,listen,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_start "$FED" $A
conf=$(rm_node_dir "$FED" $A)/node.conf
for i in 1 2 3; do
	"$RM_BIN/riskmesh" alert issue -c "$conf" --grade blue --area 120000 \
	    --event "测试" --headline "对账 $i" >/dev/null
done
set0=$(rm_status_field "$FED" $A 'd["set"]')
out=$(/usr/bin/python3 "$RM_SRC_DIR/tests/integration/rbsr_hostile.py" \
    $((base + 20)) "$FED" $C $A 2>&1)
echo "$out" | sed 's/^/    probe: /'
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' <<<"$out"; }
check_eq "RECONCILE before UP refused" "$(field preup)" "RECONCILE before UP"
check_eq "the node streamed its records after our empty vector" "$(field stream)" $((NA + 3))
check_eq "a WANT of one key 1,024 times: that record once" "$(field want1024)" 1
check_eq "a WANT of keys not held: nothing" "$(field wantnone)" 0
for b in notcbor trailing mode9 prefix33 unordered overflow nested; do
	check_eq "malformed RECONCILE ($b) aborted" \
	    "$(awk -v k="$b" '$1 == "bad" && $2 == k { print $3 }' <<<"$out")" abort
done
check "of thirty sessions at once at most the budget (8) is served ($(field served))" \
    test "$(field served)" -ge 1 -a "$(field served)" -le 8
check_eq "after the budget refills a session completes" "$(field alive)" 1
check "malformed RECONCILEs counted (riskmesh_fed_reconcile_refused_total)" test \
    "$(rm_metric "$FED" $A riskmesh_fed_reconcile_refused_total || echo 0)" -ge 7
check "malformed RECONCILEs logged on sec/fed" \
    grep -q "sec/fed: peer $C: RECONCILE [0-9]* refused" "$(rm_node_dir "$FED" $A)/log"
check_eq "the store is as it was" "$(rm_status_field "$FED" $A 'd["set"]')" "$set0"
finish
