#!/usr/bin/env bash
# Registered devices over DTLS-PSK with a real coap-client-openssl
# (docs/COAP.md "Devices"): a device with its key observes over coaps://
# and gets the alert; a wrong key and an unregistered identity fail the
# handshake (counted); a receipt POSTed over DTLS shows in
# /v1/alerts/{id}/reach with its district and a p50; a plain-CoAP receipt
# is refused 4.01 and counted; a restart keeps the registry and receipts;
# a removed device is refused without a restart.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
CC=coap-client-openssl
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rm_node_config "$FED" $A $base $((base + 10))
nd=$(rm_node_dir "$FED" $A)
conf=$nd/node.conf
sed -i "s/^coaps_listen = .*/coaps_listen = 127.0.0.1:$((base + 11))/" "$conf"
rm_node_start "$FED" $A
C=coap://127.0.0.1:$((base + 10))
S=coaps://127.0.0.1:$((base + 11))
RM=("$RM_BIN/riskmesh")

# ---- the registry ----
K1=siren-one-secret-key-0001
printf '%s\n' "$K1" >"$T/k1"
out=$("${RM[@]}" device add -c "$conf" siren-1 --area 120116001 --psk-file "$T/k1")
check_contains "device add with a key file" "$out" "registered device siren-1"
out=$("${RM[@]}" device add -c "$conf" panel-2 --area 120116)
K2=$(sed -n 's/^psk //p' <<<"$out")
check_eq "a generated key is printed once (64 hex digits)" "${#K2}" 64
"${RM[@]}" device add -c "$conf" far-3 --area 120103 >/dev/null
out=$("${RM[@]}" device add -c "$conf" siren-1 --area 120116 2>&1)
check "a duplicate id is refused" test $? -ne 0
check_contains "duplicate: 409 EEXIST" "$out" "409"
out=$("${RM[@]}" device add -c "$conf" 'bad id' --area 120116 2>&1)
check_contains "an id outside the charset is refused" "$out" "422"
printf 'short\n' >"$T/short"
out=$("${RM[@]}" device add -c "$conf" x-short --area 120116 --psk-file "$T/short" 2>&1)
check_contains "a key shorter than 16 characters is refused" "$out" "psk"
out=$("${RM[@]}" device list -c "$conf")
check_contains "device list shows siren-1" "$out" "siren-1"
check "device list never prints a key" test -z "$(grep -e "$K1" -e "$K2" <<<"$out")"
out=$(rm_http "$FED" $A GET /v1/devices)
check "GET /v1/devices never carries a key" test -z "$(grep -e "$K1" -e "$K2" <<<"$out")"
check_eq "registry file mode 0600" "$(stat -c %a "$nd/data/devices")" 600

# ---- observe over coaps:// with the right key ----
$CC -m get -s 20 -B 20 -w -A 0 -u siren-1 -k "$K1" "$S/alerts/120116" \
    >"$T/obs.txt" 2>"$T/obs.err" &
EXTRA_PIDS+=($!)
seen() { # FILE TEXT SECONDS
	local deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		grep -q "$2" "$1" && return 0
		sleep 0.05
	done
	return 1
}
check "DTLS observer gets the initial state" seen "$T/obs.txt" "无生效预警" 10
out=$("${RM[@]}" alert issue -c "$conf" --grade red --area 120116 \
    --event "台风" --headline "滨海新区台风红色预警")
oid=$(awk '{print $2}' <<<"$out")
hash=$(sed -n 's/.* hash \([0-9a-f]\{64\}\).*/\1/p' <<<"$out")
check_eq "alert issued (hash)" "${#hash}" 64
check "DTLS observer with the right key is notified of the alert" \
    seen "$T/obs.txt" "滨海新区台风红色预警" 10

# ---- wrong key, unregistered identity ----
out=$(timeout 20 $CC -m get -B 3 -u siren-1 -k wrong-key-wrong-key-0 "$S/alerts/120116" 2>&1)
check "a wrong key gets no alert" test -z "$(grep '台风' <<<"$out")"
out=$(timeout 20 $CC -m get -B 3 -u nobody-9 -k "$K1" "$S/alerts/120116" 2>&1)
check "an unregistered identity gets no alert" test -z "$(grep '台风' <<<"$out")"
# a wrong key is never answered (DTLS drops what does not decrypt):
# it counts as failed when the handshake is not done within 10 s
check "failed handshakes (wrong key, unknown identity) are counted" \
    wait_metric_ge $A riskmesh_coap_dtls_handshakes_total'{result="failed"}' 2 15
check "the unregistered identity is counted" \
    wait_metric_ge $A riskmesh_coap_psk_unknown_total 1 5
check "good handshakes are counted" \
    wait_metric_ge $A riskmesh_coap_dtls_handshakes_total'{result="ok"}' 1 5

# ---- receipts ----
out=$($CC -m post -B 5 -t 0 -e "$hash" -u siren-1 -k "$K1" "$S/receipts" 2>&1)
check_contains "a text receipt over DTLS is counted" "$out" "counted"
/usr/bin/python3 -c 'import cbor2,sys; sys.stdout.buffer.write(cbor2.dumps({"hash": bytes.fromhex(sys.argv[1])}))' \
    "$hash" >"$T/r.cbor"
out=$($CC -m post -B 5 -t 60 -f "$T/r.cbor" -u panel-2 -k "$K2" "$S/receipts" 2>&1)
check_contains "a CBOR receipt over DTLS is counted" "$out" "counted"
out=$($CC -m post -B 5 -t 0 -e "$hash" -u siren-1 -k "$K1" "$S/receipts" 2>&1)
check_contains "a second receipt from one device counts once" "$out" "already counted"
out=$($CC -m post -B 5 -t 50 -e "{}" -u siren-1 -k "$K1" "$S/receipts" 2>&1)
check_contains "another content format is 4.15" "$out" "4.15"
out=$($CC -m post -B 5 -t 0 -e "$(printf '%064d' 0)" -u siren-1 -k "$K1" "$S/receipts" 2>&1)
check_contains "a receipt for an alert not held is 4.04" "$out" "4.04"
out=$($CC -m post -B 5 -t 0 -e "$hash" "$C/receipts" 2>&1)
check_contains "a plain-CoAP receipt is 4.01" "$out" "4.01"
check "the plain receipt is counted" \
    wait_metric_ge $A riskmesh_receipts_refused_total'{reason="plain"}' 1 5
check_eq "receipts log mode 0600" "$(stat -c %a "$nd/data/receipts.log")" 600

reach() { rm_http "$FED" $A GET "/v1/alerts/$oid/reach" | http_body; }
r=$(reach)
check_eq "reach: district 120116 has 2 registered, 2 receipts" \
    "$(rm_json '[(x["registered"], x["receipts"]) for x in d["districts"] if x["district"] == "120116"]' <<<"$r")" \
    "[(2, 2)]"
check_eq "reach: a p50 delivery time" \
    "$(rm_json 'd["total"]["p50_ms"] is not None and d["total"]["p50_ms"] >= 0' <<<"$r")" True
check_eq "reach: the device outside the alert's area is not counted" \
    "$(rm_json 'd["total"]["registered"]' <<<"$r")" 2
out=$("${RM[@]}" alert reach -c "$conf" "$oid")
check_contains "riskmesh alert reach prints the district" "$out" "120116"

# ---- restart keeps the registry and the receipts ----
rm_node_kill "$FED" $A TERM
rm_node_start "$FED" $A
r=$(reach)
check_eq "after a restart: the receipts and registry are kept" \
    "$(rm_json '(d["total"]["registered"], d["total"]["receipts"])' <<<"$r")" "(2, 2)"
out=$(timeout 20 $CC -m get -B 5 -u panel-2 -k "$K2" "$S/alerts/120116" 2>&1)
check_contains "after a restart: the generated key still works" "$out" "台风"
out=$($CC -m post -B 5 -t 0 -e "$hash" -u siren-1 -k "$K1" "$S/receipts" 2>&1)
check_contains "after a restart: a repeated receipt still counts once" "$out" "already counted"

# ---- removal takes effect at once ----
"${RM[@]}" device remove -c "$conf" siren-1 >/dev/null
out=$(timeout 20 $CC -m get -B 3 -u siren-1 -k "$K1" "$S/alerts/120116" 2>&1)
check "a removed device is refused without a restart" test -z "$(grep '台风' <<<"$out")"
out=$("${RM[@]}" device remove -c "$conf" siren-1 2>&1)
check_contains "removing it again is 404" "$out" "404"

# ---- coap_allow_unregistered = no: registered devices only ----
rm_node_kill "$FED" $A TERM
sed -i "s/^coap_allow_unregistered = .*/coap_allow_unregistered = no/" "$conf"
grep -q '^coap_allow_unregistered = no' "$conf" ||
    echo "coap_allow_unregistered = no" >>"$conf"
rm_node_start "$FED" $A
out=$(timeout 10 $CC -m get -B 3 "$C/alerts/120116" 2>&1)
check_contains "plain GET refused 4.01" "$out" "4.01"
check "... without the alert" test -z "$(grep '台风' <<<"$out")"
out=$(timeout 10 $CC -m get -s 3 -B 3 "$C/alerts/120116" 2>&1)
check_contains "plain Observe refused 4.01 too (never registered)" "$out" "4.01"
st=$(rm_http "$FED" $A GET /v1/status | http_body)
check_eq "no plain observer registered" "$(rm_json 'd["coap"]["observers"]' <<<"$st")" 0
check "plain refusals counted" test "$(rm_json 'd["coap"]["plain_refused"]' <<<"$st")" -ge 2
out=$(timeout 20 $CC -m get -B 5 -u panel-2 -k "$K2" "$S/alerts/120116" 2>&1)
check_contains "a registered device still reads over coaps://" "$out" "台风"
# ---- a receipts log that is a symbolic link is refused, its target untouched ----
rm_node_kill "$FED" $A TERM
nd=$(rm_node_dir "$FED" $A)
mv "$nd/data/receipts.log" "$T/receipts.keep"
printf 'not a receipt\nno newline at the end' >"$T/victim"
ln -s "$T/victim" "$nd/data/receipts.log"
"$RM_BIN/riskmeshd" -c "$conf" >>"$nd/log" 2>&1
check "riskmeshd refuses to start on a symlinked receipts log" test $? -ne 0
check_eq "the symlink's target is untouched" "$(cat "$T/victim")" \
    "$(printf 'not a receipt\nno newline at the end')"
rm -f "$nd/data/receipts.log"
mv "$T/receipts.keep" "$nd/data/receipts.log"
finish
