#!/usr/bin/env bash
# Two riskmeshd processes over real mutual TLS exchange signed records in
# both directions; the bytes are identical on both sides.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
it_two_nodes $A $B

rm_alert_json "$RM_TEST_DATA/alerts/typhoon-red-zh-en.json" "$T/typhoon.json"
out=$("$RM_BIN/riskmesh" alert issue -c "$(rm_node_dir "$FED" $A)/node.conf" --json "$T/typhoon.json")
check "meteorology issues the red typhoon warning" test $? -eq 0
hash=$(echo "$out" | awk '{print $NF}')
check "issue prints a 64-hex record hash" grep -Eqx "[0-9a-f]{64}" <<<"$hash"
check "Binhai receives it over TLS" rm_wait_records "$FED" $B $((NA + 1)) 10

rm_http "$FED" $A GET "/v1/records/$hash" -o "$T/a.cose" >/dev/null
rm_http "$FED" $B GET "/v1/records/$hash" -o "$T/b.cose" >/dev/null
check "both nodes hold byte-identical signed records" cmp -s "$T/a.cose" "$T/b.cose"
check_eq "record hash is SHA-256 of the signed bytes" "$(sha256sum "$T/b.cose" | cut -d' ' -f1)" "$hash"
check "the copy verifies offline against the roster" \
    "$RM_BIN/riskmesh" verify "$T/b.cose" --dir "$FED"

out=$("$RM_BIN/riskmesh" alert issue -c "$(rm_node_dir "$FED" $B)/node.conf" \
    --grade orange --area 120116 --event "大风" --headline "滨海新区大风橙色预警" \
    --event-en "Gale" --headline-en "Orange gale warning for Binhai")
check "Binhai issues an orange warning" test $? -eq 0
check "meteorology receives it (reverse direction)" rm_wait_records "$FED" $A $((NA + 2)) 10
n=$(rm_http "$FED" $A GET "/v1/alerts?area=120116" | http_body | rm_json 'd["count"]')
check_eq "meteorology lists 2 alerts in force for 120116" "$n" 2
out=$("$RM_BIN/riskmesh" alert list -c "$(rm_node_dir "$FED" $A)/node.conf" --area 120116)
check "riskmesh alert list shows Binhai's warning on meteorology" grep -q "滨海新区大风橙色预警" <<<"$out"
check "riskmesh alert list counts both" grep -q "^2 alerts in force for 120116" <<<"$out"
out=$("$RM_BIN/riskmesh" status -c "$(rm_node_dir "$FED" $B)/node.conf")
check "riskmesh status names the agency" grep -q "^agency   $B" <<<"$out"
check "riskmesh status shows the peer up" grep -q "$A.*up" <<<"$out"
check_eq "no record was pushed back (records on A)" "$(rm_status_field "$FED" $A 'd["records"]')" $((NA + 2))
check_eq "records on B" "$(rm_status_field "$FED" $B 'd["records"]')" $((NA + 2))
check_eq "the set's count on B" "$(rm_status_field "$FED" $B 'd["set"]["count"]')" $((NA + 2))
fa=$(rm_status_field "$FED" $A 'd["set"]["fingerprint"]')
check "the set fingerprint is 16 bytes of hex" grep -Eq '^[0-9a-f]{32}$' <<<"$fa"
check_eq "both nodes hold the same set (fingerprints)" "$(rm_status_field "$FED" $B 'd["set"]["fingerprint"]')" "$fa"
finish
