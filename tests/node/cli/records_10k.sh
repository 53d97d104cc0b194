#!/usr/bin/env bash
# 10,000 agencies in two provinces from one CSV: one import, two
# registrars, agency list counts them all. (No timing is asserted; the
# import prints its own duration.)
. "$(dirname "$0")/lib.sh"
F=$T/fed
"$RM" federation init --dir "$F" --name big >/dev/null || bad "federation init"
awk 'BEGIN {
	print "agency_id,name_zh,name_en,kind,areas,max_grade,publishes"
	for (i = 0; i < 10000; i++) {
		a = sprintf("%d%04d", i % 2 ? 12 : 13, 101 + i % 50)
		printf "%s.u%d,单位%d,Unit %d,department,%s,orange,alert;risk\n", a, i, i, i, a
	}
}' >"$T/big.csv"
expect "import 10,000 agencies" 0 "10000 agency records signed \(10000 new, 0 changed\)" \
    "$RM" roster import --dir "$F" "$T/big.csv"
check "two registrars" test "$(grep -c '^registrar .* added to the charter (version 2)$' <<<"$OUT")" = 2
check "one file of 10000 records" grep -qE "agencies.cbor: 10000 records, [0-9]+ bytes" <<<"$OUT"
grep "agencies.cbor: " <<<"$OUT"
expect "agency list counts them" 0 \
    "charter version 2, 10002 agencies \(2 in the charter, 10000 from agency records; 10000 records\)" \
    "$RM" agency list --dir "$F"
check_eq "10000 active agency rows" "$(awk '$NF == "active" && $8 ~ /registry\/v1$/' <<<"$OUT" | wc -l)" 10000
expect "importing it again changes nothing" 0 "0 agency records signed .*, 10000 unchanged" \
    "$RM" roster import --dir "$F" "$T/big.csv"
finish
