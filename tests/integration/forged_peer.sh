#!/usr/bin/env bash
# A peer that completes the handshake with real credentials and then sends
# forged, malformed and unauthorised records: every one is refused with its
# reason, counted in /metrics, and nothing is stored.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
B=120000.water
PROBE=$RM_BUILD_DIR/tests/federation/rm_peer_probe
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A,$B"
NA=$(it_agency_records)
url=tls+tcp://127.0.0.1:$((base + 20))
rm_node_config "$FED" $A $base $((base + 10)) --peer "$B,listen,$url"
rm_node_start "$FED" $A

probe() { # AGENCY KEY KIND
	"$PROBE" --agency "$1" --key "$2" --ca "$FED/ca.crt" \
	    --cert "$FED/agencies/$B/tls.crt" --tls-key "$FED/agencies/$B/tls.key" \
	    --roster "$FED/roster.cose" --agencies "$FED/agencies.cbor" \
	    --dial "$url" --peer $A --forge "$3" 2>"$T/probe.err"
}
metric() { # NAME{LABELS}
	rm_http "$FED" $A GET /metrics | http_body | awk -v m="$1" '$1 == m {print $2}'
}

for kind in badsig:EBADSIG unknown-signer:EUNKNOWNSIGNER malformed:EMALFORMED \
    unauthorised:EUNAUTH origin-mismatch:EUNAUTH; do
	k=${kind%%:*} want=${kind##*:}
	out=$(probe $B "$FED/agencies/$B/agency.key" "$k")
	check "forged '$k' record refused as $want" grep -q "^refused $want" <<<"$out"
done
check_eq "bad signature counted" "$(metric 'riskmesh_records_refused_total{reason="EBADSIG"}')" 1
check_eq "unknown signer counted" "$(metric 'riskmesh_records_refused_total{reason="EUNKNOWNSIGNER"}')" 1
check_eq "malformed counted" "$(metric 'riskmesh_records_refused_total{reason="EMALFORMED"}')" 1
check_eq "unauthorised and origin mismatch counted" "$(metric 'riskmesh_records_refused_total{reason="EUNAUTH"}')" 2
check_eq "nothing was stored" "$(rm_status_field "$FED" $A 'd["records"]')" $NA
check "refusal was logged with its reason" grep -q "sec/fed" "$(rm_node_dir "$FED" $A)/log"

# A peer that claims to be water but holds another key never gets in.
"$RM_BIN/riskmesh" federation init --dir "$T/other" --name other >/dev/null
"$RM_BIN/riskmesh" agency add --dir "$T/other" --id $B --areas 120000 \
    --max-grade red --kinds alert >/dev/null
out=$(probe $B "$T/other/agencies/$B/agency.key" badsig)
rc=$?
check_eq "a peer with the wrong agency key fails the handshake (probe exit 2)" "$rc" 2
check "the refusal names the failed HELLO proof" grep -q "PROOF does not verify" "$(rm_node_dir "$FED" $A)/log"
check_eq "still nothing stored" "$(rm_status_field "$FED" $A 'd["records"]')" $NA
n=$(metric 'riskmesh_handshakes_failed_total')
check "failed handshake counted" test "${n:-0}" -ge 1
finish
