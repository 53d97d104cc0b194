#!/usr/bin/env bash
# The own observe engine (docs/COAP.md "Observe") with real clients: a
# coap-client observes /alerts/120116 and sees a red CAP alert (CON, which
# it acknowledges), its CAP Update, its Cancel, and a body of several
# blocks whole; a raw UDP device that registers and then never answers
# gets the same confirmable notification again (RFC 7252 §4.8). That it
# is then dropped (RFC 7641 §4.5, 62-93 s with the RFC's timeouts) is
# tested with a short ACK_TIMEOUT in node.coap_life (con_no_ack).
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
COAP_CLIENT=coap-client-openssl
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rm_node_config "$FED" $A $base $((base + 10))
rm_node_start "$FED" $A
C=coap://127.0.0.1:$((base + 10))
P=$((base + 10))
conf=$(rm_node_dir "$FED" $A)/node.conf
status() { rm_http "$FED" $A GET /v1/status | http_body; }
coap() { rm_json "d[\"coap\"][\"$1\"]" <<<"$(status)"; }
wait_ge() { # FIELD MIN: the status figure reaches MIN within 5 s
	local i
	for i in $(seq 50); do
		[ "$(coap "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The shared CAP examples, moved into the present so they are in force.
d1=$(date -u -d '-1 day' +%F)
d2=$(date -u -d '+2 day' +%F)
for f in typhoon-red-zh-en typhoon-red-update typhoon-cancel; do
	sed -e "s/2026-08-15/$d1/g" -e "s/2026-08-16/$d2/g" \
	    "$RM_TEST_DATA/cap/$f.xml" >"$T/$f.xml"
done

$COAP_CLIENT -m get -s 60 -B 60 -w -A 0 "$C/alerts/120116" >"$T/obs.txt" 2>"$T/obs.err" &
EXTRA_PIDS+=($!)
check "coap-client registered (initial state)" it_seen "$T/obs.txt" "无生效预警" 5

# A device that registers (CON) and then never answers a notification.
/usr/bin/python3 - "$P" "$T/mute.txt" <<'PY' &
import socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", port))
# CON GET, token "MU", Observe: 0, Uri-Path alerts / 120101
s.send(bytes([0x42, 0x01, 0x12, 0x34]) + b"MU" + bytes([0x60, 0x56]) +
       b"alerts" + bytes([0x06]) + b"120101")
s.settimeout(5)
ack = s.recv(2048)
open(out, "w").write("registered %d\n" % (ack[0] >> 4 & 3))
got = {}
end = time.time() + 40
while time.time() < end:
    s.settimeout(max(0.1, end - time.time()))
    try:
        m = s.recv(2048)
    except socket.timeout:
        break
    if m[0] >> 4 & 3 == 0 and m[1] == 0x45:
        mid = m[2] << 8 | m[3]
        got[mid] = got.get(mid, 0) + 1
        with open(out, "a") as f:
            f.write("con %04x %d\n" % (mid, got[mid]))
PY
MUTE=$!
EXTRA_PIDS+=($MUTE)
check "the mute device registered (piggybacked ACK)" it_seen "$T/mute.txt" "registered 2" 5
check_eq "the gauge counts both observers" "$(coap observers)" 2

"$RM_BIN/riskmesh" alert import -c "$conf" "$T/typhoon-red-zh-en.xml" >/dev/null
check "the red CAP alert reaches coap-client" it_seen "$T/obs.txt" "天津市气象局发布台风红色预警" 5
check "it came confirmable and coap-client acknowledged it" wait_ge acks 1
check "notifications_con counted" test "$(coap notifications_con)" -ge 1

# The mute device hears a red alert for its area, CON, again and again.
"$RM_BIN/riskmesh" alert issue -c "$conf" --grade red --area 120101 \
    --event "地震" --headline "和平区地震红色预警" >/dev/null
check "the mute device gets a CON notification" it_seen "$T/mute.txt" "^con .* 1$" 5
check "... and the same message again after ACK_TIMEOUT (2-3 s)" it_seen "$T/mute.txt" "^con .* 2$" 6
check "... and again after twice that" it_seen "$T/mute.txt" "^con .* 3$" 12
check "retransmissions counted" test "$(coap retransmissions)" -ge 2
check_eq "no ACK from it: still observing until the last retransmission" \
    "$(coap observers)" 2

"$RM_BIN/riskmesh" alert import -c "$conf" "$T/typhoon-red-update.xml" >/dev/null
check "the CAP Update reaches coap-client" it_seen "$T/obs.txt" "台风红色预警降级为橙色预警" 5

# A body of several blocks (RFC 7959): the last notification is whole.
for i in $(seq -w 1 12); do
	"$RM_BIN/riskmesh" alert issue -c "$conf" --grade yellow --area 120116 \
	    --event "暴雨" --headline "BLOCK-$i 滨海新区暴雨黄色预警，请注意防范城市内涝和道路积水" >/dev/null
done
len=$($COAP_CLIENT -m get -B 5 -A 0 "$C/alerts/120116" | wc -c)
check "the body needs several blocks ($len bytes)" test "$len" -gt 1100
# Newest first: BLOCK-12 opens the body; BLOCK-01 and the update are in
# its last block. The newest notification coap-client printed (from the
# last BLOCK-12 on) holds them all.
last_one() { awk '/BLOCK-12/{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$T/obs.txt"; }
whole() {
	local i
	for i in $(seq 100); do
		last_one | grep -q 'BLOCK-01' && last_one | grep -q '降级为橙色' &&
		    return 0
		sleep 0.05
	done
	return 1
}
check "a multi-block notification reaches coap-client whole" whole
n12=$(grep -c 'BLOCK-12' "$T/obs.txt")
"$RM_BIN/riskmesh" alert import -c "$conf" "$T/typhoon-cancel.xml" >/dev/null
cancelled() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c 'BLOCK-12' "$T/obs.txt")" -gt "$n12" ] &&
		    last_one | grep -q 'BLOCK-01' &&
		    ! last_one | grep -q '台风' && return 0
		sleep 0.05
	done
	return 1
}
check "the CAP Cancel reaches coap-client (the typhoon is gone)" cancelled
check "the gauge is exact" test "$(coap observers)" -eq 2
check "socket drops reported" test "$(coap socket_drops)" -ge 0
finish
