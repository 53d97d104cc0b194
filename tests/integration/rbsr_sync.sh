#!/usr/bin/env bash
# Range-based set reconciliation between two real nodes over mutual TLS
# (docs/PROTOCOL.md §7a): the session after connect, `riskmesh sync` on
# demand with its report, a node restored from an old copy of its store
# repaired (the two sets' fingerprints equal), and the refusals of sync.
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
it_two_nodes $A $B
ca=$(rm_node_dir "$FED" $A)/node.conf
cb=$(rm_node_dir "$FED" $B)/node.conf

peer_field() { # NODE EXPR on its one peer
	rm_status_field "$FED" "$1" "d[\"peers\"][0][\"reconcile\"]$2"
}
wait_true() { # SECONDS COMMAND...
	local deadline=$(( $(date +%s) + $1 )); shift
	while [ "$(date +%s)" -le "$deadline" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}
session_done() { [ "$(peer_field "$1" '["sessions"]')" -ge "$2" ] &&
    [ "$(peer_field "$1" '["running"]')" = False ]; }
check "the dialer (B) reconciled once after connect" wait_true 15 session_done $B 1
check_eq "that session ended without error" "$(peer_field $B '["error"]')" None

issue() { "$RM_BIN/riskmesh" alert issue -c "$1" --grade blue --area 120116 \
    --event "测试" --headline "$2" >/dev/null; }
for i in 1 2 3; do issue "$ca" "气象局提示 $i"; done
check "B holds A's three alerts" rm_wait_records "$FED" $B $((NA + 3)) 10

out=$("$RM_BIN/riskmesh" sync -c "$cb" $A 2>&1)
check "riskmesh sync exits 0" test $? -eq 0
check "riskmesh sync reports an equal set" grep -q "^reconciled with $A: 0 records sent, 0 wanted" <<<"$out"
out=$("$RM_BIN/riskmesh" sync -c "$ca" $B 2>&1)
check "the listening side can start one too" grep -q "^reconciled with $B: 0 records sent, 0 wanted" <<<"$out"

# A copy of B's store, then both issue, then B is restored from the copy.
nb=$(rm_node_dir "$FED" $B)
rm_node_kill "$FED" $B TERM
cp -a "$nb/data" "$T/b-backup"
rm_node_start "$FED" $B
rm_wait_peers_up "$FED" $B 1 15 || rm_die "$B: peer not up"
for i in 1 2 3 4 5 6 7 8 9 10; do issue "$ca" "备份之后 $i"; done
issue "$cb" "滨海新区备份之后"
check "B has everything before the restore" rm_wait_records "$FED" $B $((NA + 14)) 15
rm_node_kill "$FED" $B KILL
rm -rf "$nb/data" && cp -a "$T/b-backup" "$nb/data"
rm_node_start "$FED" $B
same_set() {
	local fa fb
	fa=$(rm_status_field "$FED" $A 'd["set"]["fingerprint"]') &&
	fb=$(rm_status_field "$FED" $B 'd["set"]["fingerprint"]') &&
	[ -n "$fa" ] && [ "$fa" = "$fb" ]
}
check "the restored node converges: equal set fingerprints" wait_true 30 same_set
check_eq "B holds every record again" "$(rm_status_field "$FED" $B 'd["set"]["count"]')" $((NA + 14))
check "B's own alert came back" bash -c "'$RM_BIN/riskmesh' alert list -c '$cb' --area 120116 | grep -q 滨海新区备份之后"
out=$("$RM_BIN/riskmesh" sync -c "$cb" $A 2>&1)
check "after the repair sync finds nothing to do" grep -q "^reconciled with $A: 0 records sent, 0 wanted" <<<"$out"

out=$("$RM_BIN/riskmesh" sync -c "$cb" 120101.gov 2>&1)
check "sync with an agency that is no peer fails" test $? -ne 0
check "... saying there is no such link" grep -q "HTTP 404: ENOTFOUND" <<<"$out"
out=$("$RM_BIN/riskmesh" sync -c "$cb" not-an-id 2>&1)
check "sync with a bad id is a usage error" test $? -ne 0
rm_node_kill "$FED" $A TERM
out=$("$RM_BIN/riskmesh" sync -c "$cb" $A 2>&1)
check "sync with a peer that is down is refused" grep -q "HTTP 409: EBUSY" <<<"$out"
finish
