#!/usr/bin/env bash
# review_overdue rules at their limits (docs/RULES.md "Risk review
# dates", "Limits"): with rules_review_max = 3 and 5 overdue risks, 3
# get proposals and 2 wait (review_refused); each proposal that clears
# frees a slot for a waiting risk. Then a 4,000-row register of past-due
# risks imports in one POST /v1/risks/import although every stored risk
# is overdue (the rules hold their proposals while the import runs, so
# they never move the own log's head under its sealed batches), and the
# proposals follow once it is done.
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai district: alert;risk;task;indicator
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rules=$T/review.rules
cat >"$rules" <<'EOF2'
rule review
    scope    120116
    when     review_overdue
    task     responsible
    subject  风险复核逾期，请复核
end
EOF2
rm_node_config "$FED" $A $base $((base + 10))
aconf=$(rm_node_dir "$FED" $A)/node.conf
echo "rules = $rules" >>"$aconf"
sed -i 's/^rules_review_max = .*$/rules_review_max = 3/' "$aconf"
rm_node_start "$FED" $A

post() { # PATH JSON
	rm_http "$FED" $A POST "$1" -H 'Content-Type: application/json' -d "$2"
}
props() { # EXPR
	rm_http "$FED" $A GET /v1/proposals | http_body | rm_json "$1"
}
wait_eq() { # SECONDS EXPR WANT
	local deadline=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -le "$deadline" ]; do
		[ "$(props "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
past=$(TZ=Asia/Shanghai date -d '-3 days' +%F)
future=$(TZ=Asia/Shanghai date -d '+30 days' +%F)
risk() { # ID REVIEW
	post /v1/risks "{\"id\": \"$1\", \"area\": \"120116\", \"name\": \"堤防 $1\",
	    \"category\": \"natural\", \"subcategory\": \"flood\", \"grade\": \"yellow\",
	    \"location\": \"海河\", \"responsible\": \"$A\", \"review\": \"$2\"}"
}
for i in 1 2 3 4 5; do
	check_eq "overdue risk r$i: 201" "$(http_status <<<"$(risk r$i "$past")")" 201
done
subjects='sorted(x["subject"].split()[1] for x in d["proposals"])'
check "3 proposals (the bound)" wait_eq 10 'd["count"]' 3
check_eq "  2 risks refused" \
    "$(rm_status_field "$FED" $A 'd["rules"]["review_refused"] >= 2')" True
held=$(props "$subjects")
waiting=$(/usr/bin/python3 -c "print(sorted(set(['r1','r2','r3','r4','r5']) - set($held)))")
one=$(/usr/bin/python3 -c "print($held[0])")
two=$(/usr/bin/python3 -c "print($held[1])")
# a held one reviewed: its proposal expires, a waiting risk gets one
r=$(post "/v1/risks/$one" "{\"review\": \"$future\"}")
check_eq "$one reviewed: 201" "$(http_status <<<"$r")" 201
check "  a waiting risk takes the free slot" wait_eq 10 \
    "len(d[\"proposals\"]) == 3 and '$one' not in $subjects" True
r=$(post "/v1/risks/$two" "{\"review\": \"$future\"}")
check_eq "$two reviewed: 201" "$(http_status <<<"$r")" 201
check "  every overdue risk left has its proposal" wait_eq 10 "$subjects" \
    "$(/usr/bin/python3 -c "print(sorted(set(['r1','r2','r3','r4','r5']) - {'$one', '$two'}))")"
check_eq "  including both that waited" \
    "$(props "all(w in $subjects for w in $waiting)")" True

# a past-due register, imported in one request while the rule reacts
rm_node_kill "$FED" $A TERM
sed -i 's/^rules_review_max = 3$/rules_review_max = 4096/' "$aconf"
rm_node_start "$FED" $A
"$RM_SRC_DIR/scripts/gen-risk-register" 4000 $A 120116 |
    sed -E "2,\$ s/,[0-9]{4}-[0-9]{2}-[0-9]{2}(\r?)\$/,$past\1/" >"$T/reg.csv"
check_eq "every row past due" "$(grep -c ",$past" "$T/reg.csv")" 4000
r=$(rm_http "$FED" $A POST /v1/risks/import -H 'Content-Type: text/csv' \
    --data-binary @"$T/reg.csv")
check_eq "4,000 past-due rows import in one request: 200, 4000 created" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["created"]' 2>&1)" \
    "200:4000"
check "their 4,000 proposals follow" wait_eq 120 'd["count"]' 4003
check_eq "  none failed" \
    "$(rm_status_field "$FED" $A 'd["rules"]["issue_failed"]')" 0
finish
