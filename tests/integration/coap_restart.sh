#!/usr/bin/env bash
# Observers outlive a restart of the node (docs/COAP.md "Restarts"): a
# real coap-client observes /alerts/120116 and /alerts; the node is
# stopped (SIGTERM) and, later, killed (SIGKILL) and started again; the
# next alert reaches the same coap-client processes, which never
# registered again, within 10 s of the restart.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
COAP_CLIENT=coap-client-openssl
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
# a long Max-Age: coap-client 4.3.1 never registers again by itself
rm_node_config "$FED" $A $base $((base + 10))
sed -i "s/^coap_max_age_s .*/coap_max_age_s = 3600/" "$(rm_node_dir "$FED" $A)/node.conf"
rm_node_start "$FED" $A
C=coap://127.0.0.1:$((base + 10))
nd=$(rm_node_dir "$FED" $A)
conf=$nd/node.conf

$COAP_CLIENT -m get -s 90 -B 90 -w -A 0 "$C/alerts/120116" >"$T/area.txt" 2>"$T/area.err" &
EXTRA_PIDS+=($!)
$COAP_CLIENT -m get -s 90 -B 90 -w -A 0 "$C/alerts" >"$T/all.txt" 2>"$T/all.err" &
EXTRA_PIDS+=($!)
check "area observer registered (initial state)" it_seen "$T/area.txt" "无生效预警" 5
check "/alerts observer registered" it_seen "$T/all.txt" "无生效预警" 5
check "the observers file lists both within 2 s" \
    bash -c "for i in \$(seq 40); do [ \$(grep -c '^udp 127.0.0.1 ' '$nd/data/coap-observers' 2>/dev/null) = 2 ] && exit 0; sleep 0.05; done; exit 1"

issue() { "$RM_BIN/riskmesh" alert issue -c "$conf" --grade "$1" --area 120116 \
    --event "暴雨" --headline "$2" >/dev/null; }

# 1. a clean stop
rm_node_kill "$FED" $A TERM
rm_node_start "$FED" $A
t0=$(date +%s)
issue orange "重启后第一条预警"
check "after SIGTERM + start: the area observer hears the next alert" \
    it_seen "$T/area.txt" "重启后第一条预警" 10
check "after SIGTERM + start: the /alerts observer hears it" \
    it_seen "$T/all.txt" "重启后第一条预警" 10
check "within 10 s of the restart" test $(( $(date +%s) - t0 )) -le 10
st=$(rm_http "$FED" $A GET /v1/status | http_body)
check_eq "status: two observers restored" \
    "$(rm_json 'd["coap"]["restored_observers"]' <<<"$st")" 2

# 2. kill -9: the file written within a second of the last change holds
rm_node_kill "$FED" $A KILL
rm_node_start "$FED" $A
issue red "强杀重启后红色预警"
check "after SIGKILL + start: the area observer hears the next alert" \
    it_seen "$T/area.txt" "强杀重启后红色预警" 10
check "after SIGKILL + start: the /alerts observer hears it" \
    it_seen "$T/all.txt" "强杀重启后红色预警" 10

# 3. an observer that is gone answers RST and is dropped
# SIGKILL: a coap-client stopped by SIGTERM cancels its observation
# (GET with Observe: 1), which now ends it; a vanished device does not.
kill -9 "${EXTRA_PIDS[0]}" 2>/dev/null; wait "${EXTRA_PIDS[0]}" 2>/dev/null
rm_node_kill "$FED" $A TERM
rm_node_start "$FED" $A
issue yellow "客户端退出后的预警"
check "the remaining observer still hears it" it_seen "$T/all.txt" "客户端退出后的预警" 10
st=$(rm_http "$FED" $A GET /v1/status | http_body)
# A closed client's port answers with ICMP, not RST, which an unconnected
# UDP socket never sees: its entry stays until it expires (24 h).
check_eq "status: the gone client is still listed" \
    "$(rm_json 'd["coap"]["restored_observers"]' <<<"$st")" 2
check "status: notifications to restored observers counted" \
    test "$(rm_json 'd["coap"]["restored_notifications"]' <<<"$st")" -ge 2
# 4. a hostile observers file never stops the start: a symlink to an
# endless device, a FIFO nobody writes, a "since" far in the future
obs=$nd/data/coap-observers
for kind in symlink fifo future; do
	rm_node_kill "$FED" $A TERM
	rm -f "$obs"
	case $kind in
	symlink) ln -s /dev/zero "$obs" ;;
	fifo) mkfifo "$obs" ;;
	future) echo "udp 127.0.0.1 9 - all 0 99999999999" >"$obs" ;;
	esac
	rm_node_start "$FED" $A
	check_eq "observers file ($kind): the node starts, nothing restored" \
	    "$(rm_status_field "$FED" $A 'd["coap"]["restored_observers"]')" 0
done
rm_node_kill "$FED" $A TERM
check "... and the next save replaced it with a regular file" test -f "$obs" -a ! -L "$obs"
finish
