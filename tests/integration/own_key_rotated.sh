#!/usr/bin/env bash
# An agency's key is rotated (riskmesh agency add --new-keys) while its
# node runs on the old key; the new agency record is published to the
# water node itself (riskmesh roster publish) and spreads from there to
# Binhai. Once the water node has it, it
# refuses to issue (503 EUNKNOWNSIGNER, field "key", own_key_valid false,
# riskmesh_own_key_valid 0) instead of signing records every peer would
# refuse; restarted with the current key it issues again, continuing its
# log, and its peer accepts what it signs. Meanwhile the link is refused
# on both sides, with the reason on both (Binhai refuses the old key's
# PROOF and says so in a session REFUSE), never up on the water node.
. "$(dirname "$0")/lib.sh"
A=120000.water
B=120116.gov
it_two_nodes $A $B
issue() { # prints "STATUS ERROR FIELD"
	local r
	r=$(rm_http "$FED" $A POST /v1/alerts -H 'Content-Type: application/json' \
	    --data-binary "{\"grade\":\"blue\",\"areas\":[\"120000\"],\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"测试\",\"headline\":\"$1\"}]}")
	printf '%s %s\n' "$(http_status <<<"$r")" \
	    "$(http_body <<<"$r" | rm_json 'd.get("error","-")+" "+d.get("field","-")')"
}
check_eq "the water bureau issues on its key" "$(issue "before")" "201 - -"
check "Binhai holds it" rm_wait_records "$FED" $B $((NA + 1)) 15
applied0=$(rm_metric "$FED" $A riskmesh_agency_records_applied_total)

"$RM_BIN/riskmesh" agency add --dir "$FED" --id $A --areas 120000 \
    --max-grade orange --kinds alert --new-keys >/dev/null ||
    rm_die "agency add --new-keys"
NA2=$(it_agency_records)            # the rotation is one more agency record
check_eq "the rotation appended one agency record" "$NA2" $((NA + 1))
aconf=$(rm_node_dir "$FED" $A)/node.conf
check "riskmesh roster publish hands it to the water node" \
    "$RM_BIN/riskmesh" roster publish --dir "$FED" \
    --node "http://$(rm_conf_get "$aconf" http_listen)" \
    --token "$(rm_conf_get "$aconf" http_token)"
check "the water node applies the new agency record" \
    wait_metric_ge $A riskmesh_agency_records_applied_total $((applied0 + 1)) 20
check_eq "it refuses to issue on its old key" "$(issue "after rotation")" \
    "503 EUNKNOWNSIGNER key"
check_eq "status says why" "$(rm_status_field "$FED" $A 'd["own_key_valid"]')" False
check_eq "metrics say so" "$(rm_metric "$FED" $A riskmesh_own_key_valid)" 0
check_eq "nothing was stored" "$(rm_status_field "$FED" $A 'd["records"]')" $((NA2 + 1))
check "the agency record spreads to Binhai" rm_wait_records "$FED" $B $((NA2 + 1)) 15

# Link state is symmetric: Binhai refuses the old key's PROOF, and the
# water node (which verified Binhai's PROOF) reports it refused as well.
REF='(lambda p: p["state"]+" "+(p["refusal"] or {}).get("by","-")+" "+(p["refusal"] or {}).get("code","-"))(d["peers"][0])'
check "Binhai shows the link refused by itself" \
    wait_field $B "$REF" "refused self EBADSIG" 15
check "the water node shows it refused by the peer" \
    wait_field $A "$REF" "refused peer EBADSIG" 15
for i in 1 2 3 4 5; do              # across reconnects: never up
	sa=$(rm_status_field "$FED" $A 'd["peers"][0]["state"]')
	sb=$(rm_status_field "$FED" $B 'd["peers"][0]["state"]')
	check_eq "still refused on both sides ($i)" "$sa $sb" "refused refused"
	sleep 0.3
done
check_eq "never up on the water node" "$(rm_metric "$FED" $A riskmesh_peer_up)" 0
check_eq "refused in its metrics" "$(rm_metric "$FED" $A riskmesh_peer_refused)" 1
check_contains "the reason on the water node" \
    "$(rm_status_field "$FED" $A 'd["peers"][0]["refusal"]["reason"]')" \
    "PROOF does not verify with the key of $A"
check_contains "and on Binhai" \
    "$(rm_status_field "$FED" $B 'd["peers"][0]["refusal"]["reason"]')" \
    "PROOF does not verify with the key of $A"
check_contains "riskmesh status says who refused and why" \
    "$("$RM_BIN/riskmesh" status -c "$(rm_node_dir "$FED" $A)/node.conf")" \
    "refused by the peer: EBADSIG: PROOF does not verify"

rm_node_kill "$FED" $A TERM         # restarted with the current key
rm_node_start "$FED" $A
check "the link comes up with the new key" rm_wait_peers_up "$FED" $A 1 20
check_eq "own key valid again" "$(rm_metric "$FED" $A riskmesh_own_key_valid)" 1
out=$(issue "on the new key")
check_eq "it issues again" "$out" "201 - -"
check "Binhai accepts the record signed with the new key" \
    rm_wait_records "$FED" $B $((NA2 + 2)) 15
check_eq "the log continues (seq 2)" \
    "$(rm_http "$FED" $B GET '/v1/alerts' | http_body | rm_json 'max(a["seq"] for a in d["alerts"])')" 2
check_eq "no fork" "$(rm_status_field "$FED" $B 'd["forks"]')" 0
finish
