#!/usr/bin/env bash
# A fork (fork_lib.sh: a copy of A's identity signs another seq 1) is
# resolved by a signed fork_resolution record, and every node -- the
# two forkers, their neighbours and W, adjacent to neither -- reports
# the fork resolved and accepts A's new records again.
#
# fork_resolve.sh origin: A's key is rotated (riskmesh agency add
#   --new-keys), its agency record is published to C (riskmesh roster
#   publish) and spreads, A restarts on its new key and
#   resolves its own fork. Before the rotation A's own resolution is
#   refused (its key signed both sides of the fork).
# fork_resolve.sh registrar: C is the province's registrar
#   (120000.registry, named by the charter: it signs agency records),
#   resolves the fork; D, not one, is refused with 403.
# fork_resolve.sh dir: the registrar resolves it offline, in the
#   federation directory (riskmesh fork resolve --dir), and the record is
#   published to W (riskmesh roster publish), adjacent to neither forker.
. "$(dirname "$0")/lib.sh"
MODE=${1:-origin}
[ "$MODE" = registrar ] && C=120000.registry
. "$(dirname "$0")/fork_lib.sh"
fork_setup
fork_make 1

# The record to keep: the one in A's own log.
keep=$(rm_http "$FED" $X GET /v1/forks | http_body | rm_json 'd["forks"][0]["log"]')
check "A's log record is named" test "${#keep}" = 64
resolve() { # NODE-DIR-NAME: prints "STATUS ERROR"
	local r
	r=$(rm_http "$FED" "$1" POST "/v1/forks/$X/1/resolve" \
	    -H 'Content-Type: application/json' --data-binary "{\"keep\":\"$keep\"}")
	printf '%s %s\n' "$(http_status <<<"$r")" \
	    "$(http_body <<<"$r" | rm_json 'd.get("error","-")')"
}

if [ "$MODE" = dir ]; then
	wconf=$(rm_node_dir "$FED" $W)/node.conf
	publish_w() {
		"$RM_BIN/riskmesh" roster publish --dir "$FED" \
		    --node "http://$(rm_conf_get "$wconf" http_listen)" \
		    --token "$(rm_conf_get "$wconf" http_token)" 2>&1
	}
	# A wrong --keep first: signed (the directory cannot know the
	# fork's records), refused by the node, corrected with --again.
	bad=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	"$RM_BIN/riskmesh" fork resolve --dir "$FED" $X 1 --keep $bad >/dev/null ||
	    rm_die "fork resolve --dir (wrong keep)"
	check_contains "the node refuses a resolution that keeps neither record" \
	    "$(publish_w)" "refused 1"
	check_eq "the fork is still open on W" \
	    "$(rm_status_field "$FED" $W 'd["forks"]')" 1
	again=$("$RM_BIN/riskmesh" fork resolve --dir "$FED" $X 1 --keep "$keep" 2>&1)
	check_contains "  a second resolution needs --again" "$again" "give --again"
	out=$("$RM_BIN/riskmesh" fork resolve --dir "$FED" $X 1 --keep "$keep" --again)
	check "the registrar resolves it in the directory (ver 2)" \
	    grep -q "^resolved $X seq 1: keep $keep; signed by 120000.registry" <<<"$out"
	reg=$("$RM_BIN/riskmesh" fork resolve --dir "$FED" 120000.registry 1 --keep "$keep" 2>&1)
	check_contains "  a registrar's own fork is not its to resolve" "$reg" "is a registrar"
	# the first, refused again, is reported again; the new one is stored
	check_contains "riskmesh roster publish hands it to W" "$(publish_w)" \
	    "stored 1, duplicate"
elif [ "$MODE" = registrar ]; then
	check_eq "D is no registrar: 403" "$(resolve $D)" "403 EUNAUTH"
	xconf=$(rm_node_dir "$FED" $C)/node.conf
	out=$("$RM_BIN/riskmesh" fork resolve -c "$xconf" $X 1 --keep "$keep")
	check "C resolves: riskmesh fork resolve" grep -q "^resolved $X seq 1" <<<"$out"
else
	check_eq "A on the key that forked: 403" "$(resolve $X)" "403 EUNAUTH"
	declare -A applied0
	for n in $C $D $W; do
		applied0[$n]=$(rm_metric "$FED" $n riskmesh_agency_records_applied_total)
	done
	"$RM_BIN/riskmesh" agency add --dir "$FED" --id $X --areas 120116 \
	    --max-grade orange --kinds alert --new-keys >/dev/null ||
	    rm_die "agency add --new-keys"
	cconf=$(rm_node_dir "$FED" $C)/node.conf   # published to C, spreads
	check "riskmesh roster publish hands the new key's record to C" \
	    "$RM_BIN/riskmesh" roster publish --dir "$FED" \
	    --node "http://$(rm_conf_get "$cconf" http_listen)" \
	    --token "$(rm_conf_get "$cconf" http_token)"
	# The copy, on A's old key, is refused by its peer once D has the
	# record, so it is not expected to receive it (checked below).
	for n in $C $D $W; do
		check "the new agency record reaches $n" wait_metric_ge $n \
		    riskmesh_agency_records_applied_total $((applied0[$n] + 1)) 30
	done
	rm_node_kill "$FED" $X TERM     # A restarts on its new key
	rm_node_start "$FED" $X
	check "A is up with C" rm_wait_peers_up "$FED" $X 1 20
	xconf=$(rm_node_dir "$FED" $X)/node.conf
	out=$("$RM_BIN/riskmesh" fork resolve -c "$xconf" $X 1 --keep "$keep")
	check "A resolves with its new key: riskmesh fork resolve" \
	    grep -q "^resolved $X seq 1" <<<"$out"
fi

# In origin mode the forker still holds A's rotated key: no peer lets
# it in any more (a link needs the key in use), so it never hears of
# the resolution; it sees its links refused.
resolved_on="$X $C $D $W copy"
if [ "$MODE" = origin ]; then
	resolved_on="$X $C $D $W"
	check "the forker on A's old key is refused by its peer" \
	    wait_field copy '[p["state"] for p in d["peers"]]' "['refused']" 30
fi
for n in $resolved_on; do
	check "the fork is resolved on $n" \
	    wait_field $n 'd["forks"],d["forks_resolved"]' "(0, 1)" 30
	check_eq "$n keeps A's record at seq 1" \
	    "$(rm_http "$FED" $n GET /v1/forks | http_body |
	       rm_json 'd["forks"][0]["log"]+" "+str(d["forks"][0]["resolved"])')" \
	    "$keep True"
done
check_eq "metrics: no open fork on W" "$(rm_metric "$FED" $W riskmesh_forks)" 0
check_eq "metrics: one resolved on W" \
    "$(rm_metric "$FED" $W riskmesh_forks_resolved)" 1
list=$("$RM_BIN/riskmesh" fork list -c "$(rm_node_dir "$FED" $W)/node.conf")
check "riskmesh fork list says resolved" grep -q "^$X *seq 1 .*resolved by" <<<"$list"

# A's records are accepted again everywhere.
r0=$(rm_metric "$FED" $W riskmesh_records)
check_eq "A issues after the resolution" "$(issue $X "after the resolution")" 201
for n in $C $D $W; do
	check "$n accepts A's new record" rm_wait_records "$FED" $n $((r0 + 1)) 20
done
check_eq "A's new record is an alert in force on W" \
    "$(rm_http "$FED" $W GET /v1/alerts | http_body |
       rm_json 'sum(1 for a in d["alerts"] if a["origin"]=="'$X'")')" 2
finish
