#!/usr/bin/env bash
# Interop with two independent CoAP stacks observing a real riskmeshd
# (docs/COAP.md "Interop"): node-coap (npm `coap`, installed by
# scripts/deps into build/npm) observes /alerts/120116 as text/plain and
# as application/cbor over coap://, and coap-client-openssl observes it
# over coaps:// as a registered DTLS-PSK device. All three see: a red
# alert (confirmable: node-coap acknowledges, coap.acks), a body of
# several blocks whole, with the observation kept (node-coap fetches the
# later blocks with Observe: 0 on its registration token), an Update, a
# Cancel, and an alert that expires and leaves the next notification
# with no message sent. SKIP (77) without node or node-coap.
. "$(dirname "$0")/lib.sh"
JS=$RM_SRC_DIR/tests/integration/nodecoap_observe.js
NM=${RM_NODE_MODULES:-$RM_BUILD_DIR/npm/node_modules}
[ -d "$NM/coap" ] || NM=$RM_SRC_DIR/build/npm/node_modules
if ! command -v node >/dev/null; then
	echo "SKIP: no node (scripts/deps installs Debian's nodejs)"; exit 77
fi
if [ ! -f "$NM/coap/package.json" ]; then
	echo "SKIP: node-coap not installed in $NM (scripts/deps runs" \
	    "npm install coap@1.5.0; it needs the npm registry)"; exit 77
fi
ver=$(node -p 'require(process.argv[1]).version' "$NM/coap/package.json")
echo "# node $(node --version), node-coap $ver, $(coap-client-openssl 2>&1 | head -1 | cut -d" " -f1,2)"

A=120000.emergency
CC=coap-client-openssl
PY=/usr/bin/python3
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rm_node_config "$FED" $A $base $((base + 10))
conf=$(rm_node_dir "$FED" $A)/node.conf
sed -i "s/^coaps_listen = .*/coaps_listen = 127.0.0.1:$((base + 11))/" "$conf"
rm_node_start "$FED" $A
C=coap://127.0.0.1:$((base + 10))
S=coaps://127.0.0.1:$((base + 11))
RM=("$RM_BIN/riskmesh")
status() { rm_http "$FED" $A GET /v1/status | http_body; }
coap() { rm_json "d[\"coap\"][\"$1\"]" <<<"$(status)"; }

# ---- the observers ----
KEY=nodecoap-interop-key-0001
printf '%s\n' "$KEY" >"$T/key"
"${RM[@]}" device add -c "$conf" panel-1 --area 120116 --psk-file "$T/key" >/dev/null ||
    rm_die "device add"
NODE_PATH=$NM node "$JS" "$C/alerts/120116" text/plain 150 \
    >"$T/nt.jsonl" 2>"$T/nt.trace" &
NT=$!
EXTRA_PIDS+=($NT)
NODE_PATH=$NM node "$JS" "$C/alerts/120116" application/cbor 150 \
    >"$T/nc.jsonl" 2>"$T/nc.trace" &
NC=$!
EXTRA_PIDS+=($NC)
$CC -m get -s 150 -B 150 -w -A 0 -u panel-1 -k "$KEY" "$S/alerts/120116" \
    >"$T/dtls.txt" 2>"$T/dtls.err" &
EXTRA_PIDS+=($!)

# What the newest node-coap notification says (nodecoap_observe.js
# lines): its text, or its CBOR body as "headline | headline ..." lines.
last_text() { tail -n 1 "$T/nt.jsonl" 2>/dev/null | $PY -c '
import json, sys
for l in sys.stdin:
    print(json.loads(l).get("text", ""), end="")'; }
last_cbor() { tail -n 1 "$T/nc.jsonl" 2>/dev/null | $PY -c '
import base64, cbor2, json, sys
for l in sys.stdin:
    d = json.loads(l)
    if "base64" not in d:
        print("NOT CBOR"); continue
    try:
        v = cbor2.loads(base64.b64decode(d["base64"]))
    except Exception as e:
        print("UNDECODABLE", e); continue
    print("items %d" % len(v))
    for a in v:
        print(" | ".join(a["headline"]), a["grade"], a["msgType"])'; }
# coap-client prints the bodies one after the other, one alert a line,
# newest first; once 12 BLOCK alerts are in force a body is 12 or 13
# lines: dtls_line N is the Nth of the last 13 non-blank lines, so
# line 1 is the end of the body before a 12-line body.
dtls_line() { grep -v '^[[:space:]]*$' "$T/dtls.txt" | tail -n 13 | sed -n "$1p"; }
dtls_has() { grep -v '^[[:space:]]*$' "$T/dtls.txt" | tail -n 13 | grep -q -- "$1"; }
dtls_body12() { # the last body: BLOCK-12 .. BLOCK-01 alone
	case "$(dtls_line 1)" in *BLOCK-01*) ;; *) return 1 ;; esac
	case "$(dtls_line 2)" in *BLOCK-12*) ;; *) return 1 ;; esac
	case "$(dtls_line 13)" in *BLOCK-01*) return 0 ;; esac
	return 1
}
# until: COMMAND... holds within 10 s (a bound for slow machines, not a
# speed check)
until_ok() {
	local i
	for i in $(seq 200); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}
has() { grep -q -- "$2" <<<"$($1)"; }           # has FUNC TEXT
lacks() { ! grep -q -- "$2" <<<"$($1)"; }       # lacks FUNC TEXT

check "node-coap (text/plain) gets the initial state" until_ok has last_text "无生效预警"
check "node-coap (cbor) gets the initial state (an empty array)" until_ok has last_cbor "items 0"
check "coap-client over DTLS-PSK gets the initial state" it_seen "$T/dtls.txt" "无生效预警" 10
check "the gauge counts three observers (two plain, one DTLS)" until_ok test "$(coap observers)" -eq 3
tok=$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["token"])' "$T/nt.trace")
check "node-coap registered with a token" test -n "$tok"

# ---- a red alert: CON, acknowledged ----
out=$("${RM[@]}" alert issue -c "$conf" --grade red --area 120116 \
    --event "台风" --headline "滨海新区台风红色预警" --event-en Typhoon \
    --headline-en "Red typhoon warning for Binhai")
oid=$(awk '{print $2}' <<<"$out")
check "node-coap (text) hears the red alert in Chinese" until_ok has last_text "滨海新区台风红色预警"
check "node-coap (cbor) hears it: both headlines, red" \
    until_ok has last_cbor "滨海新区台风红色预警 | Red typhoon warning for Binhai red Alert"
check "coap-client (DTLS) hears it" it_seen "$T/dtls.txt" "滨海新区台风红色预警" 10
check "the notification came confirmable to node-coap" \
    grep -q '"dir":"in","type":"CON","code":"2.05"' "$T/nt.trace"
check "both node-coap clients acknowledged it (coap.acks >= 2)" \
    until_ok test "$(coap acks)" -ge 2

# ---- a body of several blocks ----
for i in $(seq -w 1 12); do
	"${RM[@]}" alert issue -c "$conf" --grade yellow --area 120116 --event "暴雨" \
	    --headline "BLOCK-$i 滨海新区暴雨黄色预警，请注意防范城市内涝和道路积水" >/dev/null
	# one change at a time: node-coap 1.5 mixes the blocks of two
	# transfers on one token (docs/COAP.md "Interop")
	until_ok has last_text "BLOCK-$i" || break
	until_ok has last_cbor "BLOCK-$i" || break
done
len=$($CC -m get -B 5 -A 0 "$C/alerts/120116" | wc -c)
check "the text body needs several blocks ($len bytes)" test "$len" -gt 1024
nlines() { last_text | grep -c '预警'; }
check_eq "node-coap (text): the whole body, 13 alerts" "$(nlines)" 13
check "... BLOCK-12 first (newest), the typhoon last" \
    test "$(last_text | head -1 | grep -c BLOCK-12)$(last_text | tail -1 | grep -c 台风)" = 11
check_eq "node-coap (cbor): the body parses, 13 items" "$(last_cbor | head -1)" "items 13"
check "node-coap fetched later blocks with Observe: 0 on its token" \
    grep -q "\"dir\":\"out\",\"type\":\"CON\",\"code\":\"0.01\",\"mid\":[0-9]*,\"token\":\"$tok\",\"observe\":0,\"block2\":\\[[1-9]" "$T/nt.trace"
check "... and no 4.xx came back" test -z "$(grep '"code":"4\.' "$T/nt.trace" "$T/nc.trace")"
dtls_whole() {
	case "$(dtls_line 1)$(dtls_line 13)" in *BLOCK-12*台风红色*) return 0 ;; esac
	return 1
}
check "coap-client (DTLS) gets the multi-block body whole" until_ok dtls_whole
n=$(wc -l <"$T/nt.jsonl")
check_eq "node-coap still observes: all three observers counted" "$(coap observers)" 3

# ---- an Update ----
"${RM[@]}" alert issue -c "$conf" --grade orange --area 120116 --event "台风" \
    --headline "UPDATED 滨海新区台风降为橙色预警" --object-id "$oid" --msg-type Update >/dev/null
check "node-coap (text) hears the Update on the same observation" \
    until_ok has last_text "UPDATED 滨海新区台风降为橙色预警"
check "... which replaces the red text" lacks last_text "台风红色预警"
check "... with the 12 other alerts still there" test "$(nlines)" -eq 13
check "node-coap (cbor) hears the Update (orange, msgType Update)" \
    until_ok has last_cbor "UPDATED 滨海新区台风降为橙色预警 orange Update"
check "... the red version is gone" lacks last_cbor "台风红色预警"
check "more notifications after the multi-block ones" test "$(wc -l <"$T/nt.jsonl")" -gt "$n"
dtls_update() {
	case "$(dtls_line 1)$(dtls_line 13)" in *UPDATED*BLOCK-01*) ;; *) return 1 ;; esac
	! dtls_has 台风红色
}
check "coap-client (DTLS) hears the Update, whole" until_ok dtls_update

# ---- a Cancel ----
"${RM[@]}" alert cancel -c "$conf" "$oid" >/dev/null
check "node-coap (text) hears the cancel: the typhoon is gone" until_ok lacks last_text "台风"
check "... the other 12 stay" test "$(nlines)" -eq 12
check "node-coap (cbor) hears the cancel" until_ok has last_cbor "items 12"
check "... the typhoon is gone" lacks last_cbor "台风"
check "coap-client (DTLS) hears the cancel" until_ok dtls_body12
check "... the typhoon is gone" test "$(dtls_has 台风 || echo gone)" = gone

# ---- expiry: gone from the next notification, no message sent ----
exp_s=$(( $(date +%s) + 5 ))
exp=$(date -u -d "@$exp_s" +%FT%TZ)
"${RM[@]}" alert issue -c "$conf" --grade blue --area 120116 --event "大风" \
    --headline "SHORT-LIVED 滨海新区大风蓝色预警" --expires "$exp" >/dev/null
check "node-coap (text) hears the short-lived alert" until_ok has last_text "SHORT-LIVED"
check "node-coap (cbor) hears it" until_ok has last_cbor "SHORT-LIVED"
check "coap-client (DTLS) hears it" it_seen "$T/dtls.txt" "SHORT-LIVED" 10
records=$(rm_json 'd["records"]' <<<"$(status)")
# a bound, not a speed: the expiry notification within 15 s of it
expired() { lacks last_text "SHORT-LIVED" && lacks last_cbor "SHORT-LIVED"; }
wait_expired() {
	local i
	for i in $(seq 400); do
		expired && return 0
		sleep 0.05
	done
	return 1
}
check "node-coap (text and cbor): gone from the next notification after the expiry" wait_expired
check "... the 12 others stay" test "$(nlines)" -eq 12
check "... not before the expiry (it came at or after $exp)" test "$(date +%s)" -ge "$exp_s"
check_eq "no record was stored for it (no message)" "$(rm_json 'd["records"]' <<<"$(status)")" "$records"
check "coap-client (DTLS): gone from the next notification" until_ok dtls_body12
check "... (no SHORT-LIVED line in it)" test "$(dtls_has SHORT-LIVED || echo gone)" = gone

# ---- one observation all along, and a clean cancel ----
check_eq "node-coap (text): every notification on one token" \
    "$(grep '"dir":"in"' "$T/nt.trace" | grep -v '"type":"ACK"' | grep -o '"token":"[0-9a-f]*"' | sort -u | wc -l)" 1
check "no error response to node-coap, ever" test -z "$(grep -h '"code"' "$T/nt.jsonl" "$T/nc.jsonl")"
kill -TERM $NT $NC
wait $NT; rc1=$?
wait $NC; rc2=$?
check_eq "node-coap observers exit cleanly" "$rc1 $rc2" "0 0"
check "they cancelled (GET with Observe: 1)" grep -q '"observe":1,' "$T/nt.trace"
check "the gauge is back to the DTLS observer alone" until_ok test "$(coap observers)" -eq 1
finish
