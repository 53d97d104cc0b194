#!/usr/bin/env bash
# alert issue/cancel/list and status against a stand-in for the node's
# HTTP API (fake_api.py): requests, bodies, output and exit codes.
. "$(dirname "$0")/lib.sh"
TOKEN='0123456789abcdef#0123'   # '#' inside a value is not a comment
/usr/bin/python3 "$(dirname "$0")/fake_api.py" "$TOKEN" "$T/port" "$T/requests.log" &
CLEANUP_PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")
conf() { # FILE HTTP_LISTEN TOKEN
	cat >"$1" <<CONF
agency = 120116.gov
data_dir = data
key = k/agency.key
ca = k/ca.crt
roster = k/roster.cose
tls_cert = k/tls.crt
tls_key = k/tls.key
http_listen = $2
http_token = $3
coap_listen = off
CONF
}
conf "$T/node.conf" "127.0.0.1:$PORT" "$TOKEN"
C=$T/node.conf
last() { tail -1 "$T/requests.log" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

expect "alert issue from options" 0 "^issued 120116.gov-1-x ver 1 seq 7 hash (ab){32}$" \
    "$RM" alert issue -c "$C" --grade orange --area 120116,120103 --event 大风 \
    --headline 滨海新区大风橙色预警 --event-en Gale --headline-en "Orange gale warning" \
    --description 描述 --instruction 注意 --expires 2026-08-16T06:00:00+08:00 \
    --category Met,Safety --urgency Immediate --certainty Likely
check_eq "POST /v1/alerts" "$(last 'd["method"]+" "+d["path"]')" "POST /v1/alerts"
check_eq "bearer token sent" "$(last 'd["auth"]')" "Bearer $TOKEN"
check_eq "JSON content type" "$(last 'd["ctype"]')" "application/json"
check_eq "grade" "$(last 'd["body"]["grade"]')" orange
check_eq "areas" "$(last '",".join(d["body"]["areas"])')" 120116,120103
check_eq "zh-CN text block" "$(last 'd["body"]["texts"][0]["lang"]+" "+d["body"]["texts"][0]["headline"]')" \
    "zh-CN 滨海新区大风橙色预警"
check_eq "description, instruction" "$(last 'd["body"]["texts"][0]["description"]+d["body"]["texts"][0]["instruction"]')" 描述注意
check_eq "en-US text block" "$(last 'd["body"]["texts"][1]["lang"]+" "+d["body"]["texts"][1]["event"]')" "en-US Gale"
check_eq "categories" "$(last '",".join(d["body"]["categories"])')" Met,Safety
check_eq "expires passed through" "$(last 'd["body"]["expires"]')" 2026-08-16T06:00:00+08:00
check_eq "no defaults invented" "$(last '"status" in d["body"] or "severity" in d["body"]')" False

expect "alert issue --object-id (update)" 0 "^issued obj-7 ver 1" \
    "$RM" alert issue -c "$C" --grade blue --area 120116 --event e --headline h --object-id obj-7
check_eq "object_id sent" "$(last 'd["body"]["object_id"]')" obj-7

cat >"$T/alert.json" <<'JSON'
{"grade": "red", "areas": ["120116"], "identifier": "met-2026-001",
 "texts": [{"lang": "zh-CN", "event": "台风", "headline": "台风红色预警"}]}
JSON
expect "alert issue --json" 0 "^issued met-2026-001 ver 1 seq 7 hash" \
    "$RM" alert issue -c "$C" --json "$T/alert.json"
check_eq "JSON body sent as given" "$(last 'd["body"]["identifier"]+" "+d["body"]["texts"][0]["event"]')" "met-2026-001 台风"

expect "server 422 names error, field and reason" 1 \
    "^riskmesh alert issue: HTTP 422: EBADVALUE grade: unknown grade \"purple\"" \
    "$RM" alert issue -c "$C" --grade purple --area 120116 --event e --headline h
check "nothing on stdout on failure" test -z "$OUT"
expect "server 403" 1 "HTTP 403: EUNAUTH areas: 110000 is outside 120116$" \
    "$RM" alert issue -c "$C" --grade red --area 110000 --event e --headline h
expect "reason that names the field: field printed once" 1 \
    "^riskmesh alert issue: HTTP 403: EUNAUTH grade: red above the maximum orange of 120116.gov$" \
    "$RM" alert issue -c "$C" --grade red --area 120000 --event e --headline h
expect "reason with the field's deeper path" 1 \
    "^riskmesh alert issue: HTTP 422: EMISSING texts\[1\]\.headline: required$" \
    "$RM" alert issue -c "$C" --grade yellow --area 120000 --event e --headline h
expect "empty field" 1 "^riskmesh alert issue: HTTP 500: EIO cannot write$" \
    "$RM" alert issue -c "$C" --grade blue --area 120000 --event e --headline h

expect "alert cancel" 0 "^cancelled obj-7 ver 2 seq 8 hash (cd){32}$" \
    "$RM" alert cancel -c "$C" obj-7
check_eq "POST .../cancel" "$(last 'd["method"]+" "+d["path"]')" "POST /v1/alerts/obj-7/cancel"
expect "alert cancel of an unknown object" 1 "HTTP 404: ENOTFOUND object_id: no such object" \
    "$RM" alert cancel -c "$C" missing
expect "alert cancel of an id with ':'" 0 "^cancelled " "$RM" alert cancel -c "$C" typhoon:2026.v_2
check_eq "path segment percent-encoded" "$(last 'd["path"]')" "/v1/alerts/typhoon%3A2026.v_2/cancel"
expect "alert cancel .. refused before any request" 2 "dot segments" "$RM" alert cancel -c "$C" ..
check_eq "no request for .." "$(last 'd["path"]')" "/v1/alerts/typhoon%3A2026.v_2/cancel"

expect "alert list" 0 "^red +120000.meteorology +met-001 +台风红色预警$" \
    "$RM" alert list -c "$C" --area 120116
check_eq "GET with area" "$(last 'd["method"]+" "+d["path"]')" "GET /v1/alerts?area=120116"
expect "alert list --json is the raw answer" 0 '"count": 1' "$RM" alert list -c "$C" --json
expect "status" 0 "^agency   120116.gov \(federation tianjin, roster version 6\)" \
    "$RM" status -c "$C"
check "status shows peers and states" grep -qE "120000.command +dial +up +tls\+tcp://127.0.0.1:7101 +sent 3 received 39" <<<"$OUT"
check "status shows records" grep -q "records  42 from 5 origins, 2 active alerts" <<<"$OUT"
expect "status --json" 0 '"roster_version": 6' "$RM" status -c "$C" --json

conf "$T/wrong.conf" "127.0.0.1:$PORT" wrongtoken0123456789
expect "wrong token: 401 reported" 1 "HTTP 401: EUNAUTH" "$RM" status -c "$T/wrong.conf"
conf "$T/down.conf" "127.0.0.1:1" "$TOKEN"
expect "node not running" 1 "cannot reach riskmeshd at http://127.0.0.1:1" \
    "$RM" alert issue -c "$T/down.conf" --grade red --area 120116 --event e --headline h
expect "unreadable node.conf" 1 "nothing.conf: No such file" "$RM" status -c "$T/nothing.conf"
echo "bogus = 1" >>"$T/down.conf"
expect "invalid node.conf names FILE:LINE: KEY" 1 "down.conf:11: bogus: unknown key" \
    "$RM" status -c "$T/down.conf"
printf '{"grade": "red",' >"$T/broken.json"
expect "--json file that is not JSON" 1 "broken.json:1:" \
    "$RM" alert issue -c "$C" --json "$T/broken.json"
finish
