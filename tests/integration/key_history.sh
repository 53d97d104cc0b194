#!/usr/bin/env bash
# Keys with history (docs/PROTOCOL.md §5b), with real riskmeshd processes:
#   1. the water bureau (W) issues 3 alerts on its first key; Binhai (B)
#      is backed up;
#   2. W's key is rotated (riskmesh agency rotate-key, roster publish to
#      the centre C): W, still on the old key, refuses to issue (503
#      EUNKNOWNSIGNER key) since no peer takes its key; restarted on the
#      new key it issues again, continuing its log;
#   3. a fresh node (Hexi, H, empty store) joins and accepts every record
#      W signed before the rotation; B restored from its backup does too;
#   4. W's key is revoked (riskmesh agency revoke --last-seq 4): records
#      signed with it after the revocation, or past seq 4 however dated,
#      are refused (POST /v1/records, EUNAUTH with the reason), and W
#      refuses to issue.
. "$(dirname "$0")/lib.sh"
C=120000.command
W=120000.water
B=120116.gov
H=120103.gov
SEAL=$RM_BUILD_DIR/tests/node/rm_test_seal
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$C,$W,$B,$H"
NA=$(it_agency_records)
rm_node_config "$FED" $C $base $((base + 10)) \
    --peer "$W,listen,tls+tcp://127.0.0.1:$((base + 20))" \
    --peer "$B,listen,tls+tcp://127.0.0.1:$((base + 21))" \
    --peer "$H,listen,tls+tcp://127.0.0.1:$((base + 22))"
rm_node_config "$FED" $W $((base + 1)) $((base + 11)) \
    --peer "$C,dial,tls+tcp://127.0.0.1:$((base + 20))"
rm_node_config "$FED" $B $((base + 2)) $((base + 12)) \
    --peer "$C,dial,tls+tcp://127.0.0.1:$((base + 21))"
rm_node_config "$FED" $H $((base + 3)) $((base + 13)) \
    --peer "$C,dial,tls+tcp://127.0.0.1:$((base + 22))"
for n in $C $W $B; do rm_node_start "$FED" $n; done
rm_wait_peers_up "$FED" $W 1 15 || rm_die "W not up"
rm_wait_peers_up "$FED" $B 1 15 || rm_die "B not up"

issue() { # NODE HEADLINE: prints "STATUS ERROR FIELD"
	local r
	r=$(rm_http "$FED" $1 POST /v1/alerts -H 'Content-Type: application/json' \
	    --data-binary "{\"grade\":\"blue\",\"areas\":[\"120000\"],\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"测试\",\"headline\":\"$2\"}]}")
	printf '%s %s\n' "$(http_status <<<"$r")" \
	    "$(http_body <<<"$r" | rm_json 'd.get("error","-")+" "+d.get("field","-")')"
}
w_alerts() { # NODE: W's alerts in force there
	rm_http "$FED" $1 GET /v1/alerts | http_body |
	    rm_json 'sum(1 for a in d["alerts"] if a["origin"]=="'$W'")'
}
publish() { # NODE
	local conf; conf=$(rm_node_dir "$FED" $1)/node.conf
	"$RM_BIN/riskmesh" roster publish --dir "$FED" \
	    --node "http://$(rm_conf_get "$conf" http_listen)" \
	    --token "$(rm_conf_get "$conf" http_token)" >/dev/null
}
post_record() { # NODE FILE: prints "stored refused error"
	local conf; conf=$(rm_node_dir "$FED" $1)/node.conf
	curl -s -X POST -H "Authorization: Bearer $(rm_conf_get "$conf" http_token)" \
	    -H 'Content-Type: application/cbor-seq' --data-binary @"$2" \
	    "http://$(rm_conf_get "$conf" http_listen)/v1/records" |
	    rm_json 'str(d["stored"])+" "+str(d["refused_total"])+" "+(d["refused"][0]["error"]+" "+d["refused"][0]["reason"] if d["refused"] else "-")'
}

# 1. three records on the first key
for i in 1 2 3; do
	check_eq "W issues alert $i on its first key" "$(issue $W "first key $i")" "201 - -"
done
check "B holds them" rm_wait_records "$FED" $B $((NA + 3)) 15
rm_node_kill "$FED" $B TERM
cp -a "$(rm_node_dir "$FED" $B)/data" "$T/b-backup"
rm_node_start "$FED" $B

# 2. rotation
"$RM_BIN/riskmesh" agency rotate-key --dir "$FED" $W >/dev/null ||
    rm_die "agency rotate-key"
NA2=$(it_agency_records)
check_eq "the rotation is one agency record" "$NA2" $((NA + 1))
check "published to the centre" publish $C
check "the centre has it" rm_wait_records "$FED" $C $((NA2 + 3)) 15
ok=
for i in $(seq 1 40); do            # W learns when C refuses its key
	[ "$(issue $W "old key")" = "503 EUNKNOWNSIGNER key" ] && { ok=1; break; }
	sleep 0.25
done
check "W on its rotated key refuses to issue (503 EUNKNOWNSIGNER key)" test -n "$ok"
# C refused W's PROOF made with the old key and sent W the agency record
# that says why, before its REFUSE: W knows its key was rotated.
r=$(rm_http "$FED" $W POST /v1/alerts -H 'Content-Type: application/json' \
    --data-binary '{"grade":"blue","areas":["120000"],"texts":[{"lang":"zh-CN","event":"测试","headline":"x"}]}' |
    http_body | rm_json 'd["reason"]')
check_contains "W learned from C that its key was rotated" "$r" "was rotated at"
check_eq "W's status says so" "$(rm_status_field "$FED" $W 'd["own_key_valid"]')" False
rm_node_kill "$FED" $W TERM         # its config names DIR/.../agency.key:
rm_node_start "$FED" $W             # the new key
check "W is up again on its new key" rm_wait_peers_up "$FED" $W 1 15
check_eq "W issues on its new key" "$(issue $W "new key")" "201 - -"
check "C holds W's four records" rm_wait_records "$FED" $C $((NA2 + 4)) 15
check "B holds them" rm_wait_records "$FED" $B $((NA2 + 4)) 15
check_eq "W's log continues across the rotation: seqs 1-4 on C" \
    "$(rm_http "$FED" $C GET /v1/alerts | http_body |
       rm_json 'sorted(a["seq"] for a in d["alerts"] if a["origin"]=="'$W'")')" \
    "[1, 2, 3, 4]"

# 3. a fresh node and a restored one accept the records of the old key
rm_node_start "$FED" $H
check "H (fresh) is up" rm_wait_peers_up "$FED" $H 1 15
check "H holds every record" rm_wait_records "$FED" $H $((NA2 + 4)) 20
check_eq "H has W's four alerts in force (three signed with the old key)" \
    "$(w_alerts $H)" 4
rm_node_kill "$FED" $B TERM
rm -rf "$(rm_node_dir "$FED" $B)/data"
cp -a "$T/b-backup" "$(rm_node_dir "$FED" $B)/data"
rm_node_start "$FED" $B
check "B (restored from before the rotation) catches up" \
    rm_wait_records "$FED" $B $((NA2 + 4)) 20
check_eq "B has W's four alerts in force" "$(w_alerts $B)" 4
check_eq "nothing refused on H" \
    "$(rm_status_field "$FED" $H 'sum(d["refused"].values()) if isinstance(d["refused"],dict) else 0')" 0

# 4. revocation: W's current key, last good seq 4
before_ms=$(date +%s%3N)          # before the revocation (its --at: now)
"$RM_BIN/riskmesh" agency revoke --dir "$FED" $W --last-seq 4 >/dev/null ||
    rm_die "agency revoke"
now_ms=$(date +%s%3N)             # after it
check "published to the centre" publish $C
# C re-checks W's session on the new roster, finds no key in use, and
# sends W the record that revokes its key before refusing it.
ok=
for i in $(seq 1 40); do
	[ "$(issue $W "revoked")" = "503 EUNKNOWNSIGNER key" ] && { ok=1; break; }
	sleep 0.25
done
check "W on its revoked key refuses to issue" test -n "$ok"
r=$(rm_http "$FED" $W POST /v1/alerts -H 'Content-Type: application/json' \
    --data-binary '{"grade":"blue","areas":["120000"],"texts":[{"lang":"zh-CN","event":"测试","headline":"x"}]}' |
    http_body | rm_json 'd["reason"]')
check_contains "  and knows why: its key was revoked (from C)" "$r" "was revoked at"
key=$FED/agencies/$W/agency.key
"$SEAL" "$key" $W 120000 blue "$T/after.cose" 5 $((now_ms + 1000)) >/dev/null ||
    rm_die "seal"
"$SEAL" "$key" $W 120000 blue "$T/backdated.cose" 5 $((before_ms - 100)) >/dev/null ||
    rm_die "seal"
m='riskmesh_records_refused_total{reason="EUNAUTH"}'
ref0=$(rm_metric "$FED" $C "$m")
r=$(post_record $C "$T/after.cose")
check_eq "a record signed after the revocation: stored / refused" \
    "$(cut -d' ' -f1-3 <<<"$r")" "0 1 EUNAUTH"
check_contains "  says the key was revoked" "$r" "was revoked"
r=$(post_record $C "$T/backdated.cose")
check_eq "a backdated record past seq 4: stored / refused" \
    "$(cut -d' ' -f1-3 <<<"$r")" "0 1 EUNAUTH"
check_contains "  says the seq is past the revocation" "$r" "after seq 4"
check_eq "  both counted as refused (EUNAUTH) on the centre" \
    "$(rm_metric "$FED" $C "$m")" $((ref0 + 2))
check_eq "the centre still holds exactly W's four records" \
    "$(w_alerts $C)" 4
finish
