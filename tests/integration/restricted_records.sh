#!/usr/bin/env bash
# Restricted records (docs/PROTOCOL.md §6a) with real riskmeshd processes:
# A issues an alert to B only; C, between them, verifies, stores and
# relays it without reading it; B (and A, the origin) read its content,
# C sees only that it exists, who sent it, to whom, its kind and areas.
# Then an independent implementation (python3-cbor2 + cryptography)
# decrypts C's copy with B's enc.key, and a record Python encrypted to B
# (sent through C by the peer probe as A) is read by B and not by C.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
C=120000.water
PY=/usr/bin/python3
HERE=$(dirname "$0")
PROBE=$RM_BUILD_DIR/tests/federation/rm_peer_probe
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B,$C"
NA=$(it_agency_records)
check "agency import made B's enc.key (0600)" \
    test "$(stat -c %a "$FED/agencies/$B/enc.key")" = 600
urlA=tls+tcp://127.0.0.1:$((base + 20))
urlB=tls+tcp://127.0.0.1:$((base + 21))
# A and B each have one link, to C: whatever B gets, C relayed
rm_node_config "$FED" $C $((base + 2)) off --peer "$A,listen,$urlA" \
    --peer "$B,listen,$urlB"
rm_node_config "$FED" $A $base off --peer "$C,dial,$urlA"
rm_node_config "$FED" $B $((base + 1)) off --peer "$C,dial,$urlB"
check "node config names the enc_key" grep -q "^enc_key = .*/$B/enc.key" \
    "$(rm_node_dir "$FED" $B)/node.conf"
for n in $C $A $B; do rm_node_start "$FED" $n; done
rm_wait_peers_up "$FED" $C 2 15 || rm_die "$C: peers not up"
rm_wait_peers_up "$FED" $A 1 15 || rm_die "$A: peer not up"
rm_wait_peers_up "$FED" $B 1 15 || rm_die "$B: peer not up"

HL="滨海新区限定通报：危化品仓储风险"
EXP=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
body="{\"grade\":\"orange\",\"areas\":[\"120116\"],\"expires\":\"$EXP\",
  \"texts\":[{\"lang\":\"zh-CN\",\"event\":\"危化品\",\"headline\":\"$HL\"}],
  \"object_id\":\"restricted-1\",\"to\":[\"$B\"]}"
r=$(rm_http "$FED" $A POST /v1/alerts -H 'Content-Type: application/json' \
    --data-binary "$body")
check_eq "A issues the restricted alert: 201" "$(http_status <<<"$r")" 201
hash=$(http_body <<<"$r" | rm_json 'd["hash"]')
check "C stores it" rm_wait_records "$FED" $C $((NA + 1)) 10
check "B receives it through C" rm_wait_records "$FED" $B $((NA + 1)) 10

view() { rm_http "$FED" "$1" GET "/v1/records/$hash?view=json" | http_body; }
vb=$(view $B)
check_eq "B: restricted, to A and B" "$(rm_json '[d["restricted"], d["to"]]' <<<"$vb")" \
    "[True, ['$A', '$B']]"
check_eq "B reads the headline" "$(rm_json 'd["texts"][0]["headline"]' <<<"$vb")" "$HL"
check_eq "B reads the grade" "$(rm_json 'd["grade"]' <<<"$vb")" orange
check_eq "A (the origin) reads it" "$(view $A | rm_json 'd["texts"][0]["headline"]')" "$HL"
vc=$(view $C)
check_eq "C: that it exists, origin, recipients, kind, areas" \
    "$(rm_json '[d["restricted"], d["origin"], d["to"], d["kind"], d["areas"], d["hash"]]' <<<"$vc")" \
    "[True, '$A', ['$A', '$B'], 'alert', ['120116'], '$hash']"
check_eq "C: no content (no texts, grade, msg_type)" \
    "$(rm_json '[k for k in ("texts", "grade", "msg_type", "identifier") if k in d]' <<<"$vc")" "[]"
rm_http "$FED" $C GET "/v1/records/$hash" -o "$T/c.cose" >/dev/null
check "C's signed copy does not hold the headline" bash -c "! grep -qF '$HL' '$T/c.cose'"
check "C's copy verifies offline against the roster" \
    "$RM_BIN/riskmesh" verify "$T/c.cose" --dir "$FED"
lb=$(rm_http "$FED" $B GET "/v1/alerts" | http_body)
check_eq "B's alert list shows the content" \
    "$(rm_json '[a["texts"][0]["headline"] for a in d["alerts"]]' <<<"$lb")" "['$HL']"
lc=$(rm_http "$FED" $C GET "/v1/alerts" | http_body)
check_eq "C's alert list shows it without content" \
    "$(rm_json '[(a["restricted"], "texts" in a) for a in d["alerts"]]' <<<"$lc")" "[(True, False)]"

# Cancel on the origin: the new version stays restricted to the same
# agencies; B drops it from its list, C still sees the (newer) stub.
r=$(rm_http "$FED" $A POST /v1/alerts/restricted-1/cancel)
check_eq "A cancels it: 201" "$(http_status <<<"$r")" 201
check "B receives the cancel" rm_wait_records "$FED" $B $((NA + 2)) 10
check_eq "B lists no alert after the cancel" \
    "$(rm_http "$FED" $B GET "/v1/alerts" | http_body | rm_json 'd["count"]')" 0
check_eq "C lists the restricted ver 2 without content" \
    "$(rm_http "$FED" $C GET "/v1/alerts" | http_body | rm_json '[(a["ver"], a["to"], "msg_type" in a) for a in d["alerts"]]')" \
    "[(2, ['$A', '$B'], False)]"

# Independent implementation, direction 1: Python decrypts what riskmeshd
# made, from C's copy, with B's enc.key.
out=$($PY "$HERE/restricted_interop.py" open "$T/c.cose" "$FED/agencies/$B/enc.key")
check_eq "Python decrypts riskmeshd's record with B's enc.key" \
    "$(rm_json '[d["headline"], d["grade"]]' <<<"$out")" "['$HL', 'orange']"
check "Python cannot decrypt it with C's enc.key" \
    bash -c "! $PY '$HERE/restricted_interop.py' open '$T/c.cose' '$FED/agencies/$C/enc.key' 2>/dev/null"

# Direction 2: Python encrypts to B, signs as A (seq 3 after the cancel),
# and the probe hands it to C as A (A's node stopped first).
# the cancel's hash: the latest version, from C's list
cancel=$(rm_http "$FED" $C GET "/v1/alerts" | http_body | rm_json 'd["alerts"][0]["hash"]')
rm_http "$FED" $C GET "/v1/records/$cancel" -o "$T/cancel.cose" >/dev/null
rm_node_kill "$FED" $A TERM
RM_TO=$B $PY "$HERE/restricted_interop.py" make "$T/cancel.cose" \
    "$FED/agencies/$A/agency.key" "$FED/agencies/$B/enc.key" py-restricted-1 "$T/py.cose"
check "Python made a restricted record" test -s "$T/py.cose"
out=$("$PROBE" --agency $A --key "$FED/agencies/$A/agency.key" --ca "$FED/ca.crt" \
    --cert "$FED/agencies/$A/tls.crt" --tls-key "$FED/agencies/$A/tls.key" \
    --roster "$FED/roster.cose" --dial "$urlA" --peer $C --send "$T/py.cose" 2>"$T/probe.err")
rc=$?
check_eq "the probe sends it (exit 0, no refusal)" "$rc:$out" "0:"
check "B receives Python's record through C" rm_wait_records "$FED" $B $((NA + 3)) 10
pyh=$(sha256sum "$T/py.cose" | cut -d' ' -f1)
check_eq "B reads Python's content" \
    "$(rm_http "$FED" $B GET "/v1/records/$pyh?view=json" | http_body | rm_json '[d["to"], d["texts"][0]["headline"]]')" \
    "[['$B'], '$HL']"
check_eq "C holds it and reads no content" \
    "$(rm_http "$FED" $C GET "/v1/records/$pyh?view=json" | http_body | rm_json '[d["restricted"], "texts" in d]')" \
    "[True, False]"
finish
