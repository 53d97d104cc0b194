#!/usr/bin/env bash
# A real coap-client observes /alerts/120116 on a node: it sees a red alert
# appear (Chinese text included), ignores other districts, and sees it go
# when cancelled. CBOR and link-format representations are checked too.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
COAP_CLIENT=coap-client-openssl
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rm_node_config "$FED" $A $base $((base + 10))
rm_node_start "$FED" $A
C=coap://127.0.0.1:$((base + 10))
conf=$(rm_node_dir "$FED" $A)/node.conf

out=$($COAP_CLIENT -m get -B 5 "$C/.well-known/core")
check "/.well-known/core lists /alerts" grep -q '</alerts>' <<<"$out"
check "/alerts is observable in the link format" grep -q 'obs' <<<"$out"

$COAP_CLIENT -m get -s 30 -B 30 -w -A 0 "$C/alerts/120116" >"$T/obs.txt" 2>"$T/obs.err" &
EXTRA_PIDS+=($!)
sleep 0.5
seen() { # TEXT SECONDS
	local deadline=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		grep -q "$1" "$T/obs.txt" && return 0
		sleep 0.05
	done
	return 1
}
check "observer gets the initial (empty) state" seen "无生效预警" 5

out=$("$RM_BIN/riskmesh" alert issue -c "$conf" --grade red --area 120116 \
    --event "台风" --headline "滨海新区台风红色预警" --event-en Typhoon \
    --headline-en "Red typhoon warning for Binhai")
oid=$(awk '{print $2}' <<<"$out")
check "red alert notified to the observer, in Chinese" seen "滨海新区台风红色预警" 5
"$RM_BIN/riskmesh" alert issue -c "$conf" --grade yellow --area 120103 \
    --event "大雾" --headline "河西区大雾黄色预警" >/dev/null
"$RM_BIN/riskmesh" alert issue -c "$conf" --grade blue --area 120116 --status Exercise \
    --event "演练" --headline "滨海新区应急演练" >/dev/null
check "exercise alert is marked as such" seen "EXERCISE" 5
check "other districts' alerts are not on /alerts/120116" \
    test -z "$(grep '河西区大雾' "$T/obs.txt")"

$COAP_CLIENT -m get -B 5 -A 60 -o "$T/all.cbor" "$C/alerts/120000"
n=$(/usr/bin/python3 -c 'import cbor2,sys; print(len(cbor2.load(open(sys.argv[1],"rb"))))' "$T/all.cbor")
check_eq "the city resource (CBOR) holds all three alerts" "$n" 3

# Alerts are listed newest first, so while both are in force every
# notification ends with the (older) typhoon line; after the cancel the
# next notification holds the exercise line alone and ends with it.
last_line() { grep -v '^[[:space:]]*$' "$T/obs.txt" | tail -1; }
check "before the cancel the last notification ends with the typhoon" \
    grep -q '滨海新区台风红色预警' <<<"$(last_line)"
"$RM_BIN/riskmesh" alert cancel -c "$conf" "$oid" >/dev/null
cancel_notified() {
	local deadline=$(( $(date +%s) + 5 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		grep -q '滨海新区应急演练' <<<"$(last_line)" && return 0
		sleep 0.05
	done
	return 1
}
check "cancellation is notified (the new set ends with the exercise)" cancel_notified
$COAP_CLIENT -m get -B 5 -A 0 "$C/alerts/120116" >"$T/after.txt"
check "cancelled alert is gone from the resource" test -z "$(grep '台风红色' "$T/after.txt")"
out=$($COAP_CLIENT -m get -B 5 "$C/alerts/12x" 2>&1)
check "invalid area code is 4.04" grep -q '4.04' <<<"$out"
finish
