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
. "$(dirname "$0")/fork_lib.sh"
N=${1:-1}
fork_setup
fork_make "$N"
check "the original forker refuses to issue on a forked log" \
    test "$(issue $X "after the fork")" != 201
check "the copy refuses too" test "$(issue copy "after the fork")" != 201
check_eq "W holds A's records and the copy's seq 1 as evidence, no more" \
    "$(rm_status_field "$FED" $W 'd["records"]')" $((NA + N + 1))

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
