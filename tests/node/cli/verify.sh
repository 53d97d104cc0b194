#!/usr/bin/env bash
# riskmesh verify: valid, forged, unauthorised, corrupted and truncated
# records, with and without a roster.
. "$(dirname "$0")/lib.sh"
F=$T/fed
"$RM" federation init --dir "$F" --name tianjin >/dev/null || bad "federation init"
"$RM" agency import --dir "$F" --csv "$RM_TEST_DATA/agencies.csv" \
    --only 120000.meteorology,120116.gov >/dev/null || bad "agency import"
KEY=$F/agencies/120116.gov/agency.key

hash=$("$SEAL" "$KEY" 120116.gov 120116 orange "$T/ok.cose") || bad "seal"
expect "valid record verifies" 0 "^valid$" "$RM" verify "$T/ok.cose" --dir "$F"
check "prints origin" grep -q "^origin:   120116.gov$" <<<"$OUT"
check "prints kind" grep -q "^kind:     alert$" <<<"$OUT"
check "prints object id" grep -q "^object:   120116.gov-test-001$" <<<"$OUT"
check "prints ver and seq" grep -q "^ver:      1$" <<<"$OUT"
check "prints grade" grep -q "^grade:    orange$" <<<"$OUT"
check "prints areas" grep -q "^areas:    120116$" <<<"$OUT"
check "prints headline" grep -q "测试大风预警" <<<"$OUT"
check_eq "prints the record hash" "$(sed -n 's/^hash: *//p' <<<"$OUT")" "$hash"
check_eq "hash is SHA-256 of the file" "$(sha256sum "$T/ok.cose" | cut -d' ' -f1)" "$hash"
expect "--roster/--ca/--agencies work too" 0 "^valid$" \
    "$RM" verify "$T/ok.cose" --roster "$F/roster.cose" --ca "$F/ca.crt" \
    --agencies "$F/agencies.cbor"
expect "--roster/--ca alone: the charter names only registrars" 1 "INVALID: EUNKNOWNSIGNER" \
    "$RM" verify "$T/ok.cose" --roster "$F/roster.cose" --ca "$F/ca.crt"
expect "without a roster: structure only" 0 "NOT checked" "$RM" verify "$T/ok.cose"
check "structure-only does not claim valid" test -z "$(grep -x valid <<<"$OUT")"

"$SEAL" "$KEY" 120116.gov 120116 red "$T/red.cose" >/dev/null || bad "seal red"
expect "grade above the roster's maximum" 1 "INVALID: EUNAUTH" \
    "$RM" verify "$T/red.cose" --dir "$F"
"$SEAL" "$KEY" 120116.gov 120103 blue "$T/area.cose" >/dev/null || bad "seal area"
expect "area outside the agency's prefixes" 1 "INVALID: EUNAUTH" \
    "$RM" verify "$T/area.cose" --dir "$F"
"$SEAL" "$KEY" 120000.meteorology 120116 blue "$T/impostor.cose" >/dev/null || bad "seal impostor"
expect "origin is not the signer" 1 "INVALID: EUNAUTH" \
    "$RM" verify "$T/impostor.cose" --dir "$F"

"$RM" federation init --dir "$T/other" --name other >/dev/null
"$RM" agency add --dir "$T/other" --id 120116.gov --areas 120116 --max-grade red \
    --kinds alert >/dev/null 2>&1
"$SEAL" "$T/other/agencies/120116.gov/agency.key" 120116.gov 120116 blue "$T/stranger.cose" >/dev/null
expect "signer not in the roster" 1 "INVALID: EUNKNOWNSIGNER" \
    "$RM" verify "$T/stranger.cose" --dir "$F"

# flip one bit in the last byte (inside the signature)
cp "$T/ok.cose" "$T/badsig.cose"
n=$(stat -c %s "$T/badsig.cose")
last=$(od -An -tu1 -j $((n - 1)) -N1 "$T/badsig.cose" | tr -d ' ')
printf "$(printf '\\%03o' $(( last ^ 1 )))" |
    dd of="$T/badsig.cose" bs=1 seek=$((n - 1)) conv=notrunc 2>/dev/null
expect "corrupted signature" 1 "INVALID: EBADSIG" "$RM" verify "$T/badsig.cose" --dir "$F"
head -c $((n - 10)) "$T/ok.cose" >"$T/trunc.cose"
expect "truncated record" 1 "INVALID: EMALFORMED" "$RM" verify "$T/trunc.cose" --dir "$F"
expect "truncated record without a roster" 1 "INVALID: EMALFORMED" "$RM" verify "$T/trunc.cose"
printf 'not cbor at all' >"$T/junk.cose"
expect "junk" 1 "INVALID: " "$RM" verify "$T/junk.cose" --dir "$F"
expect "missing file" 1 "nothing.cose: No such file" "$RM" verify "$T/nothing.cose"
expect "missing CA / roster" 1 "nowhere/ca.crt: No such file" "$RM" verify "$T/ok.cose" --dir "$T/nowhere"
expect "--roster without --ca" 2 "--roster and --ca go together" \
    "$RM" verify "$T/ok.cose" --roster "$F/roster.cose"
expect "--dir with --roster" 2 "not both" \
    "$RM" verify "$T/ok.cose" --dir "$F" --roster "$F/roster.cose" --ca "$F/ca.crt"
finish
