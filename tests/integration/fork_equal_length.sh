#!/usr/bin/env bash
# Two processes with one agency's identity each sign a different seq 1:
# the two logs have the same length, so version vectors alone look equal.
# The head hash in every vector entry exposes it; the evidence spreads;
# every node reports the fork -- the two forkers, a node next to each,
# and a node next to neither -- and the origin's later records are held.
#
#   A (120116.gov) -- C (120000.command) -- D (120103.gov) -- A' (120116.gov,
#   a copy of A's identity with its own store)
#   W (120000.water) -- D: adjacent to neither forker
#
# fork_equal_length.sh [N]: A signs N records before the copy joins
# (default 1: logs of one length; 2: the copy's forked log is the shorter
# one, so only its own record can tell the others about the fork).
. "$(dirname "$0")/lib.sh"
N=${1:-1}
X=120116.gov
C=120000.command
D=120103.gov
W=120000.water
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$X,$C,$D,$W"
url() { echo "tls+tcp://127.0.0.1:$((base + 20 + $1))"; }
rm_node_config "$FED" $X $((base)) off --peer "$C,listen,$(url 0)"
rm_node_config "$FED" $C $((base + 1)) off \
    --peer "$X,dial,$(url 0)" --peer "$D,listen,$(url 1)"
rm_node_config "$FED" $D $((base + 2)) off \
    --peer "$C,dial,$(url 1)" --peer "$X,listen,$(url 2)" \
    --peer "$W,listen,$(url 3)"
rm_node_config "$FED" $W $((base + 3)) off --peer "$D,dial,$(url 3)"
# the copy: a node directory of its own, with X's identity and no peer yet
copy_conf() {
	mkdir -p "$FED/nodes/copy"
	"$RM_BIN/riskmesh" node config --dir "$FED" --id $X \
	    --data-dir "$FED/nodes/copy/data" --http "127.0.0.1:$((base + 4))" \
	    --coap off "$@" -o "$FED/nodes/copy/node.conf" >/dev/null ||
	    rm_die "node config copy"
}
copy_conf

issue() { # NODE-DIR-NAME HEADLINE: prints the HTTP status
	rm_http "$FED" "$1" POST /v1/alerts -H 'Content-Type: application/json' \
	    --data-binary "{\"grade\":\"blue\",\"areas\":[\"120116\"],\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"测试\",\"headline\":\"$2\"}]}" |
	    http_status
}
wait_forks() { # NODE-DIR-NAME SECONDS
	local deadline=$(( $(date +%s) + $2 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_status_field "$FED" "$1" 'd["forks"]' 2>/dev/null || echo 0)
		[ "${n:-0}" -ge 1 ] && return 0
		sleep 0.2
	done
	return 1
}

for n in $X $C $D $W; do rm_node_start "$FED" $n; done
check "C is up" rm_wait_peers_up "$FED" $C 2 15
check "D is up with C and W" rm_wait_peers_up "$FED" $D 2 15
for i in $(seq "$N"); do
	check_eq "A issues seq $i" "$(issue $X "original")" 201
done
for n in $C $D $W; do
	check "$n holds A's $N records" rm_wait_records "$FED" $n "$N" 15
done

# The copy signs its own seq 1 alone (no peers: nothing to wait for).
rm_node_start "$FED" copy
check_eq "the copy issues a different seq 1" "$(issue copy "forged")" 201
rm_node_kill "$FED" copy TERM
copy_conf --peer "$D,dial,$(url 2)"
rm_node_start "$FED" copy

for n in $D copy $C $X $W; do
	check "the fork is reported on $n" wait_forks $n 30
done
check "the original forker refuses to issue on a forked log" \
    test "$(issue $X "after the fork")" != 201
check "the copy refuses too" test "$(issue copy "after the fork")" != 201
check_eq "W holds A's records and the copy's seq 1 as evidence, no more" \
    "$(rm_status_field "$FED" $W 'd["records"]')" $((N + 1))

# What an operator sees on W, two hops from either forker.
wconf=$(rm_node_dir "$FED" $W)/node.conf
forks=$(rm_http "$FED" $W GET /v1/forks | http_body)
check_eq "GET /v1/forks lists one fork" "$(rm_json 'd["count"]' <<<"$forks")" 1
check_eq "of the forked origin at seq 1" \
    "$(rm_json 'd["forks"][0]["origin"]+" "+str(d["forks"][0]["seq"])' <<<"$forks")" \
    "$X 1"
list=$("$RM_BIN/riskmesh" fork list -c "$wconf")
check "riskmesh fork list names it" grep -q "^$X *seq 1 .*evidence" <<<"$list"
show=$("$RM_BIN/riskmesh" fork show -c "$wconf" $X 1)
check "riskmesh fork show prints both records" \
    test "$(grep -c '^headline: \[zh-CN\] \(original\|forged\)$' <<<"$show")" = 2
"$RM_BIN/riskmesh" fork show -c "$wconf" $X 2 >/dev/null 2>&1
check_eq "no fork at seq 2: exit 1" "$?" 1
finish
