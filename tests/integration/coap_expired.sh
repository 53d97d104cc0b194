#!/usr/bin/env bash
# An alert that arrives already expired is stored but not broadcast
# (issue 9, Lifecycle): a node that receives a record whose expiry has
# passed stores it, and its CoAP observers get no notification (their set
# did not change); a live alert handed in the same way is notified.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
CC=coap-client-openssl
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B"
NA=$(it_agency_records)
# two nodes without a link: B gets A's records only when handed in
rm_node_config "$FED" $A $base off
rm_node_config "$FED" $B $((base + 1)) $((base + 11))
rm_node_start "$FED" $A
rm_node_start "$FED" $B
ca=$(rm_node_dir "$FED" $A)/node.conf

cose_of() { # HASH -> FILE
	rm_http "$FED" $A GET "/v1/records/$1?view=cose" -o "$2" >/dev/null
}
soon=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S+00:00)
out=$("$RM_BIN/riskmesh" alert issue -c "$ca" --grade blue --area 120116 \
    --event "大风" --headline "即将过期的大风预警" --expires "$soon")
h1=$(awk '{print $NF}' <<<"$out")
check "A issues an alert expiring in 2 s" grep -Eqx "[0-9a-f]{64}" <<<"$h1"
cose_of "$h1" "$T/expired.cose"
sleep 3

$CC -m get -s 20 -B 20 -w -A 0 "coap://127.0.0.1:$((base + 11))/alerts/120116" \
    >"$T/obs.txt" 2>/dev/null &
EXTRA_PIDS+=($!)
check "the observer registered (empty set)" it_seen "$T/obs.txt" "无生效预警" 5
sent() { rm_status_field "$FED" $B '(d["coap"]["notifications_non"], d["coap"]["notifications_con"])'; }
before=$(sent)
code=$(rm_http "$FED" $B POST /v1/records -H 'Content-Type: application/cbor-seq' \
    --data-binary "@$T/expired.cose" | http_status)
check_eq "B stores the expired alert when handed in" "$code" 200
check_eq "B holds it" "$(rm_status_field "$FED" $B 'd["records"]')" $((NA + 1))
sleep 1
check_eq "no notification was sent for it" "$(sent)" "$before"
check "the observer saw nothing of it" test -z "$(grep '即将过期' "$T/obs.txt")"

out=$("$RM_BIN/riskmesh" alert issue -c "$ca" --grade blue --area 120116 \
    --event "大雾" --headline "生效中的大雾预警")
h2=$(awk '{print $NF}' <<<"$out")
cose_of "$h2" "$T/live.cose"
rm_http "$FED" $B POST /v1/records -H 'Content-Type: application/cbor-seq' \
    --data-binary "@$T/live.cose" >/dev/null
check "a live alert handed in the same way is notified" it_seen "$T/obs.txt" "生效中的大雾预警" 5
finish
