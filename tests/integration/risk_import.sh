#!/usr/bin/env bash
# Importing a risk register into a node (riskmesh risk import -c,
# POST /v1/risks/import) with two riskmeshd processes: a 2,000-row file
# imports (counts right) and reaches the peer; importing it again
# changes nothing; a file with 3 bad rows imports nothing and names
# them (FILE:LINE: COLUMN: reason), with --skip-errors the rest is
# imported; changed rows become new versions, removed rows removals;
# a file split in pieces keeps its own line numbers; the route wants
# text/csv.
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai district: publishes alert;risk, max orange
B=120000.meteorology
it_two_nodes $A $B
GEN=$RM_SRC_DIR/scripts/gen-risk-register
CONF=$(rm_node_dir "$FED" $A)/node.conf
imp() { "$RM_BIN/riskmesh" risk import -c "$CONF" "$@"; }
# (limit: GET /v1/risks answers pages of 1,000 by default)
count() { rm_http "$FED" "$1" GET "/v1/risks?responsible=$A&limit=100000" | http_body | rm_json 'd["count"]'; }

"$GEN" 2000 $A 120116 --bom > "$T/reg.csv"
out=$(imp "$T/reg.csv" 2>"$T/err"); rc=$?
check_eq "2,000 rows import: exit 0" "$rc" 0
check_eq "counts" "$out" "$T/reg.csv: 2000 rows: 2000 created, 0 updated, 0 removed, 0 unchanged, 0 skipped"
check_eq "no progress bar when stderr is not a terminal" "$(cat "$T/err")" ""
check_eq "Binhai lists 2,000 risks" "$(count $A)" 2000
check "meteorology receives every imported risk" rm_wait_records "$FED" $B $((NA + 2000)) 30
check_eq "meteorology lists 2,000 risks" "$(count $B)" 2000

out=$(imp "$T/reg.csv" 2>&1)
check_eq "the same file again changes nothing" "$out" "$T/reg.csv: 2000 rows: 0 created, 0 updated, 0 removed, 2000 unchanged, 0 skipped"
check_eq "no record was issued" "$(rm_status_field "$FED" $A 'd["records"]')" "$((NA + 2000))"

# 3 bad rows (lines 11, 502, 1999 of a 2,500-row file: ids 1..2500, the
# first 2,000 as before): nothing imported, every bad row named
"$GEN" 2500 $A 120116 --bad 11,502,1999 > "$T/bad.csv"
out=$(imp "$T/bad.csv" 2>&1); rc=$?
check_eq "a file with 3 bad rows: exit 1" "$rc" 1
check_contains "line 11: the grade" "$out" "$T/bad.csv:11: grade: "
check_contains "line 502: the area outside Binhai's" "$out" "$T/bad.csv:502: area_code: "
check_contains "line 1999: the date" "$out" "$T/bad.csv:1999: review_date: "
check_contains "and says nothing was imported" "$out" "3 of 2500 rows are bad: nothing was imported"
check_eq "nothing was imported" "$(count $A)" 2000
out=$(imp --skip-errors "$T/bad.csv" 2>"$T/err"); rc=$?
check_eq "--skip-errors: exit 0" "$rc" 0
check_contains "--skip-errors imports the rest" "$out" "2500 rows: 500 created"
check_contains "the bad rows are still named" "$(cat "$T/err")" "$T/bad.csv:502: area_code: "
check_contains "and counted skipped" "$out" "3 skipped"
check_eq "Binhai lists 2,500 risks" "$(count $A)" 2500

# the HTTP route
r=$(rm_http "$FED" $A POST "/v1/risks/import?check=1" -H 'Content-Type: application/json' --data-binary @"$T/reg.csv")
check_eq "JSON body: 415" "$(http_status <<<"$r")" 415
r=$(rm_http "$FED" $A POST "/v1/risks/import?check=1" -H 'Content-Type: text/csv' --data-binary @"$T/bad.csv")
check_eq "check=1 of a bad file: 422 with every bad row" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json '(d["bad_rows"], [(b["line"], b["column"]) for b in d["bad"]])')" \
    "422:(3, [(11, 'grade'), (502, 'area_code'), (1999, 'review_date')])"
r=$(rm_http "$FED" $A POST "/v1/risks/import?check=1&skip_errors=1" -H 'Content-Type: text/csv' --data-binary @"$T/bad.csv")
check_eq "check=1&skip_errors=1: 200, nothing to do but the 3 skipped" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json '(d["check"], d["created"], d["unchanged"], d["skipped"])')" \
    "200:(True, 0, 2497, 3)"
cut -d, -f1-4 "$T/reg.csv" > "$T/cols.csv"
r=$(rm_http "$FED" $A POST "/v1/risks/import?check=1" -H 'Content-Type: text/csv' --data-binary @"$T/cols.csv")
check_eq "a header without the grade column: 422 EMISSING, field header" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json '(d["error"], d["field"])')" "422:('EMISSING', 'header')"
r=$(rm_http "$FED" $A POST "/v1/risks/import?dry=1" -H 'Content-Type: text/csv' --data-binary @"$T/bad.csv")
check_eq "an unknown parameter: 400" "$(http_status <<<"$r")" 400

# changes: a regraded row is a new version, a removed row a removal
/usr/bin/python3 - "$T/reg.csv" "$T/chg.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
rows[2][4] = "低 blue" if rows[2][4] != "低 blue" else "一般 yellow"   # line 3
rows[3][12] = "已整改销号 removed"                                   # line 4
csv.writer(open(sys.argv[2], "w", encoding="utf-8", newline=""),
           lineterminator="\r\n").writerows(rows)
PY
NEWG=$(sed -n 3p "$T/chg.csv" | cut -d, -f5 | sed 's/.* //')
out=$(imp "$T/chg.csv" 2>&1)
check_contains "one updated, one removed, the rest unchanged" "$out" "2000 rows: 0 created, 1 updated, 1 removed, 1998 unchanged"
check_eq "the removed risk is no longer in force" "$(count $A)" 2499
r=$(rm_http "$FED" $A GET "/v1/risks?responsible=$A&grade=$NEWG" | http_body |
    rm_json '[x["ver"] for x in d["risks"] if x["object_id"] == "R-000002"]')
check_eq "R-000002 is ver 2, $NEWG" "$r" "[2]"

# a large file is checked whole, then sent in pieces: line numbers are
# the file's own
"$GEN" 12000 $A 120116 --prefix P --bad 11000 > "$T/big.csv"
out=$(imp "$T/big.csv" 2>&1); rc=$?
check_eq "a 12,000-row file with a bad row on line 11000: exit 1" "$rc" 1
check_contains "the bad row is named on the file's line" "$out" "$T/big.csv:11000: grade: "
check_eq "nothing of it was imported" "$(count $A)" 2499
out=$(imp --skip-errors "$T/big.csv" 2>&1)
check_contains "--skip-errors, in pieces: 11,999 created" "$out" "12000 rows: 11999 created, 0 updated, 0 removed, 0 unchanged, 1 skipped"
check_contains "the piece's report names the file's line" "$out" "$T/big.csv:11000: grade: "

# Reasons say each thing once (issue 7, G and F): a grade above the
# agency's maximum names the column once; a NUL byte is said as such,
# with the row's line once; a header's reason is not garbled; a refused
# file points at --skip-errors; a JSON NUL is said in the API's words.
"$GEN" 1 $A 120116 | sed '2s/低 blue/重大 red/' > "$T/red.csv"
out=$(imp "$T/red.csv" 2>&1)
check_contains "a red row in Binhai's (max orange) register" "$out" \
    "$T/red.csv:2: grade: red above the maximum orange of $A"
check_eq "  the column is said once" "$(grep -c 'grade: grade:' <<<"$out")" 0
check_contains "  a refused file points at --skip-errors" "$out" "--skip-errors"
"$GEN" 1 $A 120116 | sed '2s/危险/危\x00险/' > "$T/nul.csv"
out=$(imp "$T/nul.csv" 2>&1)
check_contains "a NUL byte is named" "$out" "$T/nul.csv: line 2: a field holds a NUL byte"
r=$(rm_http "$FED" $A POST "/v1/risks/import?check=1" -H 'Content-Type: text/csv' --data-binary @"$T/nul.csv")
check_eq "  by the node too, its line said once" \
    "$(http_body <<<"$r" | rm_json '(d["bad"][0]["line"], d["bad"][0]["reason"], d["reason"])')" \
    "(2, 'a field holds a NUL byte', 'line 2: a field holds a NUL byte')"
"$GEN" 1 $A 120116 | sed '1s/风险编号 risk_id/编号 id/' > "$T/nohdr.csv"
r=$(rm_http "$FED" $A POST "/v1/risks/import?check=1" -H 'Content-Type: text/csv' --data-binary @"$T/nohdr.csv")
check_contains "a header without risk_id: the reason" \
    "$(http_body <<<"$r" | rm_json 'd["reason"]')" "line 1: no column risk_id (bilingual"
r=$(rm_http "$FED" $A POST /v1/risks -H 'Content-Type: application/json' --data-binary '{"name": "a\u0000b"}')
check_eq "a JSON NUL: 400, said in the API's words" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["reason"]' | grep -c 'a NUL character (\\u0000) is not allowed')" "400:1"

finish
