#!/usr/bin/env bash
# Agency records: a CSV with bad rows signs nothing and names every bad
# field; rotate-key, revoke and remove write records whose key states
# agency list shows; a damaged agencies.cbor is refused naming the record.
. "$(dirname "$0")/lib.sh"
F=$T/fed
H=agency_id,name_zh,name_en,kind,areas,max_grade,publishes
"$RM" federation init --dir "$F" --name tianjin >/dev/null || bad "federation init"
"$RM" roster import --dir "$F" "$RM_TEST_DATA/agencies.csv" \
    --only 120000.command,120000.water,120116.gov >/dev/null 2>&1 || bad "roster import"

# ---- every bad row reported, nothing signed
cp "$F/agencies.cbor" "$T/records.before"
cp "$F/roster.cose" "$T/charter.before"
{
	echo "$H"
	echo "120101.ok,甲,A,district,120101,red,alert"
	echo "120102.gov,乙,B,district,120102,purple,alert"
	echo "../evil,丙,C,district,12x,red,alert"
	echo "120103.gov,丁,D,mayor,120103;130100,red,alert;agency"
	echo "120104.gov,戊,E,district,120104"
	echo "120101.ok,己,F,district,120101,red,alert"
	echo "130100.gov,,G,district,130100,red,alert"
} >"$T/bad.csv"
expect "a CSV with bad rows" 1 "bad.csv: 6 bad rows; nothing signed" \
    "$RM" roster import --dir "$F" "$T/bad.csv"
want="$T/bad.csv:3: max_grade: unknown grade \"purple\" (blue|yellow|orange|red)
$T/bad.csv:4: agency_id: \"../evil\" is not an agency id (an area code of 6, 9 or 12 digits, '.', then 1-48 of a-z, 0-9, '-', '_')
$T/bad.csv:4: areas: \"12x\" is not a GB/T 2260 area code (6, 9 or 12 digits)
$T/bad.csv:5: kind: \"mayor\" is not centre, department or district
$T/bad.csv:5: areas: 130100 is not in province 120000 of 120103 (one registrar signs an agency: all its areas must be in one province)
$T/bad.csv:5: publishes: kind \"agency\" is granted only by the charter (registrars)
$T/bad.csv:6: max_grade: missing column
$T/bad.csv:6: publishes: missing column
$T/bad.csv:8: name_zh: 1..256 bytes of UTF-8 expected (0 bytes)
$T/bad.csv:7: agency_id: 120101.ok listed twice (first on line 2)"
check_eq "each bad field as FILE:LINE: FIELD: reason" "$(grep "^$T/bad.csv:" <<<"$ERR")" "$want"
check "agencies.cbor unchanged byte for byte" cmp -s "$F/agencies.cbor" "$T/records.before"
check "charter unchanged" cmp -s "$F/roster.cose" "$T/charter.before"
check "no keys made for the good row" test ! -e "$F/agencies/120101.ok"
expect "agency import --csv reports the same" 1 "bad.csv:3: max_grade: unknown grade" \
    "$RM" agency import --dir "$F" --csv "$T/bad.csv"
check "still unchanged" cmp -s "$F/agencies.cbor" "$T/records.before"

# ---- key states
state() { "$RM" agency list --dir "$F" | awk -v id="$1" '$1 == id {$1=$2=$3=$4=$5=$6=""; sub(/^ +/, ""); print}'; }
check_eq "water before" "$(state 120000.water)" "1 120000.registry/v1 active"
expect "rotate-key" 0 "^rotated key of 120000.water: agency record ver 2" \
    "$RM" agency rotate-key --dir "$F" 120000.water
check "old key until now, rotated" grep -qE "^  old key [0-9a-f]{16} from .* until .* rotated$" <<<"$OUT"
check "new key open" grep -qE "^  new key [0-9a-f]{16} from [^ ]+$" <<<"$OUT"
check_eq "water rotated: 2 keys, active" "$(state 120000.water)" "2 120000.registry/v2 active"
expect "revoke --at a future time" 0 "^revoked key of 120000.water: agency record ver 3" \
    "$RM" agency revoke --dir "$F" 120000.water --at 2099-01-01T00:00:00Z --last-seq 7
check_eq "water: active until the revocation" "$(state 120000.water)" \
    "2 120000.registry/v3 active until 2099-01-01T00:00:00.000Z (revoked)"
expect "revoke now" 0 "until .* revoked$" "$RM" agency revoke --dir "$F" 120000.water
check_eq "water revoked" "$(state 120000.water)" "2 120000.registry/v4 revoked"
expect "revoke again: nothing in use" 1 "has no key in use \(its last key ended: revoked\)" \
    "$RM" agency revoke --dir "$F" 120000.water
expect "revoke: bad --at" 2 "--at: \"yesterday\" is not an RFC 3339 time" \
    "$RM" agency revoke --dir "$F" 120000.water --at yesterday
expect "rotate-key after revocation" 0 "record ver 5" "$RM" agency rotate-key --dir "$F" 120000.water
check_eq "water: new key, 3 in the history" "$(state 120000.water)" "3 120000.registry/v5 active"
expect "remove" 0 "^removed 120116.gov: agency record ver 2" "$RM" agency remove --dir "$F" 120116.gov
check "its key closed, removed" grep -qE "^  old key .* removed$" <<<"$OUT"
check_eq "120116.gov removed" "$(state 120116.gov)" "1 120000.registry/v2 removed"
expect "remove again" 1 "120116.gov is already removed" "$RM" agency remove --dir "$F" 120116.gov
expect "node config refuses a removed agency" 1 "120116.gov was removed" \
    "$RM" node config --dir "$F" --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off -o "$T/n.conf"
expect "add it again: a new key" 0 "^agency record ver 3" \
    "$RM" agency add --dir "$F" --id 120116.gov --areas 120116 --max-grade orange --kinds alert
check_eq "120116.gov back, 2 keys" "$(state 120116.gov)" "2 120000.registry/v3 active"
expect "unknown agency" 1 "120999.x: no agency record" "$RM" agency rotate-key --dir "$F" 120999.x
expect "a registrar is not an agency record" 1 "named by the charter" \
    "$RM" agency revoke --dir "$F" 120000.registry
expect "list checks every record" 0 "charter version 2, 4 agencies \(1 in the charter, 3 from agency records; 9 records\)" \
    "$RM" agency list --dir "$F"

# ---- a damaged file is refused, naming the record
cp "$F/agencies.cbor" "$T/good.cbor"
head -c $(( $(stat -c %s "$F/agencies.cbor") - 7 )) "$T/good.cbor" >"$F/agencies.cbor"
expect "truncated agencies.cbor" 1 "agencies.cbor: record 8 \(byte [0-9]+\): truncated or not CBOR" \
    "$RM" agency list --dir "$F"
cp "$T/good.cbor" "$F/agencies.cbor"
n=$(stat -c %s "$F/agencies.cbor")
printf '\x00' | dd of="$F/agencies.cbor" bs=1 seek=$((n - 3)) conv=notrunc 2>/dev/null
expect "bad signature in the last record" 1 "agencies.cbor: record 8 \(byte [0-9]+\): EBADSIG" \
    "$RM" agency list --dir "$F"
cp "$T/good.cbor" "$F/agencies.cbor"
# ---- a CSV saved by a spreadsheet program imports like the original:
# UTF-8 BOM, CRLF line ends, a quoted name with a comma and a line break
S=$T/sheet
"$RM" federation init --dir "$S" --name sheet >/dev/null || bad "federation init"
{
	printf '\xef\xbb\xbf%s\r\n' "$H"
	printf '120101.gov,"和平区人民政府, 应急","Heping District\r\nGovernment",district,120101,orange,alert\r\n'
} >"$T/sheet.csv"
expect "a spreadsheet-saved CSV imports" 0 "1 agency records? signed" \
    "$RM" roster import --dir "$S" "$T/sheet.csv"
expect "  and lists the agency" 0 "120101.gov" \
    "$RM" agency list --dir "$S"
{
	printf '%s\n' "$H"
	printf '120102.gov,"open quote,B,district,120102,orange,alert\n'
} >"$T/quote.csv"
expect "an unclosed quote names its line" 1 "quote.csv: line 3: a quoted field is not closed \(opened on line 2\); nothing signed" \
    "$RM" roster import --dir "$S" "$T/quote.csv"
finish
