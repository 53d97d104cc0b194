#!/usr/bin/env bash
# riskmesh risk import --check: the office register (sims/data/
# risk-register.csv) is clean, also saved by a spreadsheet program (BOM,
# CRLF); a register with broken rows names every one (line, column,
# reason) and exits 1; --dir checks agencies and areas against a roster.
. "$(dirname "$0")/lib.sh"
REG=$RM_TEST_DATA/risk-register.csv
expect "the office register is clean" 0 "18 risks, all valid" \
    "$RM" risk import --check "$REG"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$REG"; } >"$T/excel.csv"
expect "saved by a spreadsheet program (BOM, CRLF): the same" 0 \
    "18 risks, all valid" "$RM" risk import --check "$T/excel.csv"
head -1 "$REG" >"$T/bad.csv"
cat >>"$T/bad.csv" <<'ROWS'
TJ-X-1,好,事故灾难 accident,燃气 gas,紫色 purple,120103,某地,39.1,117.2,120000.gas,,措施,管控中 controlled,2026-12-31
TJ-X-2,好,事故灾难 accident,燃气 gas,较大 orange,12x,某地,39.1,117.2,120000.gas,,措施,管控中 controlled,2026-12-31
TJ-X-3,好,事故灾难 accident,燃气 gas,较大 orange,120103,某地,91.5,117.2,120000.gas,,措施,管控中 controlled,2026-02-30
TJ-X-4,好,自然灾害 natural,燃气 gas,较大 orange,120103,某地,,,nobody,,措施,管控中 controlled,2026-12-31
TJ-X-5,好,事故灾难 accident,燃气 gas,较大 orange,120103
TJ-X-1,"名称, 带逗号","事故灾难 accident",燃气 gas,较大 orange,120103,"多行
位置",,,120000.gas,,措施,已识别 identified,2026-12-31
ROWS
run "$RM" risk import --check "$T/bad.csv"
check_eq "a broken register exits 1" "$RC" 1
want="$T/bad.csv:2: grade: \"紫色 purple\" is not a grade (重大 red, 较大 orange, 一般 yellow, 低 blue)
$T/bad.csv:3: area_code: \"12x\" is not a GB/T 2260 area code
$T/bad.csv:4: lat: \"91.5\" is not a latitude (-90..90, at most 6 decimals)
$T/bad.csv:4: review_date: \"2026-02-30\" is not a date YYYY-MM-DD
$T/bad.csv:6: location: missing (the row has 6 columns)"
while IFS= read -r line; do
	case "$ERR" in
	*"$line"*) ok "reported: ${line#$T/}" ;;
	*) bad "not reported: $line; stderr: $ERR" ;;
	esac
done <<<"$want"
case "$ERR" in
*"bad.csv:5: "*) ok "reported: line 5 (a gas risk is no natural one, or nobody is no agency)" ;;
*) bad "line 5 not reported: $ERR" ;;
esac
case "$ERR" in
*"bad.csv:7: risk_id: TJ-X-1 listed twice (first on line 2)"*) ok "a duplicate id names the first line" ;;
*) bad "duplicate not reported: $ERR" ;;
esac
case "$ERR" in
*"6 bad rows of 6"*) ok "the count of bad rows" ;;
*) bad "count: $ERR" ;;
esac
{ head -1 "$REG" | sed 's/\r*$/,风险编号 risk_id/'; } >"$T/dup.csv"
expect "a header naming a column twice" 1 "header: column risk_id twice \(columns 1 and 15\)" \
    "$RM" risk import --check "$T/dup.csv"
expect "without --check: a usage error" 2 "give --check" \
    "$RM" risk import "$REG"
# --dir: agencies and areas against a roster
F=$T/fed
"$RM" federation init --dir "$F" --name t >/dev/null || bad "federation init"
"$RM" roster import --dir "$F" "$RM_TEST_DATA/agencies.csv" >/dev/null 2>&1 ||
    bad "roster import"
# the roster's highest grade applies to risks as to alerts: two rows of
# the office register grade risks above what their unit may publish
run "$RM" risk import --check --dir "$F" "$REG"
check_eq "with the roster: exit 1" "$RC" 1
case "$ERR" in
*"risk-register.csv:8: responsible: 120000.water may not publish it: grade: red above the maximum orange"*)
	ok "a red risk from a unit allowed orange is named" ;;
*) bad "grade above the roster's not reported: $ERR" ;;
esac
case "$ERR" in
*"2 bad rows of 18"*) ok "  two such rows" ;;
*) bad "count with the roster: $ERR" ;;
esac
case "$ERR" in
*"2 bad rows of 18 (a node imports nothing of it unless --skip-errors)"*)
	ok "  a refused file points at --skip-errors" ;;
*) bad "no --skip-errors hint: $ERR" ;;
esac
# cooperating units are not checked against the roster (as the node):
# a unit it does not know is a note, the file is clean
{ head -1 "$REG"; echo "TJ-X-9,好,事故灾难 accident,燃气 gas,一般 yellow,120103,某地,,,120103.gov,120000.nobody,措施,管控中 controlled,2026-12-31"; } >"$T/coop.csv"
expect "an unknown cooperating unit is a note, not an error" 0 \
    "cooperating: note: 120000.nobody is not an agency of the roster" \
    "$RM" risk import --check --dir "$F" "$T/coop.csv"

finish
