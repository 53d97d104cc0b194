#!/usr/bin/env bash
# riskmesh alert import --check / alert cap: CAP 1.2 files offline. The
# shared corpus (sims/data/cap) gives its verdicts: valid files exit 0,
# each invalid one exits 1 naming the element and the rule on stderr;
# `alert cap` prints a document that is accepted again, Chinese text
# and +08:00 kept.
. "$(dirname "$0")/lib.sh"
CAP=$RM_TEST_DATA/cap
for f in "$CAP"/*.xml; do
	expect "$(basename "$f") accepted" 0 "accepted" \
	    "$RM" alert import --check "$f"
done
expect "out of order: names the element and rule" 1 \
    "alert/status: out of order: must come before <msgType> \(CAP 1.2 §3.2.1" \
    "$RM" alert import --check "$CAP/invalid/elements-out-of-order.xml"
expect "polygon not closed" 1 \
    "alert/info\[0\]/area\[0\]/polygon\[0\]: not closed" \
    "$RM" alert import --check "$CAP/invalid/polygon-not-closed.xml"
expect "references identifier only" 1 \
    "alert/references: .*is not sender,identifier,sent" \
    "$RM" alert import --check "$CAP/invalid/references-identifier-only.xml"
expect "sent without offset" 1 "alert/sent: .*no time zone offset" \
    "$RM" alert import --check "$CAP/invalid/sent-without-offset.xml"
expect "severity lower case" 1 \
    "alert/info\[0\]/severity: \"severe\" is not one of .*exact case" \
    "$RM" alert import --check "$CAP/invalid/severity-lowercase.xml"
run "$RM" alert import --check "$CAP/invalid/severity-lowercase.xml"
check_eq "a refusal goes to stderr only" "$OUT" ""
expect "without --check: a usage error" 2 "give --check" \
    "$RM" alert import "$CAP/exercise-yellow.xml"
expect "a missing file" 1 "nope.xml" \
    "$RM" alert import --check "$T/nope.xml"
sed 's/cap:1.2/cap:1.1/' "$CAP/exercise-yellow.xml" >"$T/v11.xml"
expect "CAP 1.1 is named" 1 "CAP 1.1 .*only CAP 1.2 is read" \
    "$RM" alert import --check "$T/v11.xml"
# valid CAP, but not an alert riskmesh can issue (no grade parameter)
grep -v '<parameter>' "$CAP/exercise-yellow.xml" >"$T/nograde.xml"
expect "no grade: not issuable" 1 "not an alert riskmesh can issue.*grade" \
    "$RM" alert import --check "$T/nograde.xml"
# alert cap: the normalised document is accepted again, texts byte for byte
run "$RM" alert cap "$CAP/typhoon-red-zh-en.xml"
check_eq "alert cap exits 0" "$RC" 0
printf '%s\n' "$OUT" >"$T/norm.xml"
expect "the normalised document is accepted" 0 "2 info blocks: accepted" \
    "$RM" alert import --check "$T/norm.xml"
for s in '<headline>天津市气象局发布台风红色预警</headline>' \
    '<sent>2026-08-15T06:00:00+08:00</sent>' \
    '<polygon>38.9,117.6 39.3,117.6 39.3,117.95 38.9,117.95 38.9,117.6</polygon>'; do
	case "$(cat "$T/norm.xml")" in
	*"$s"*) ok "kept: $s" ;;
	*) bad "not in alert cap output: $s" ;;
	esac
done
run "$RM" alert cap "$T/norm.xml"
check_eq "normalising is idempotent" "$OUT" "$(cat "$T/norm.xml")"
expect "alert cap refuses as import does" 1 "alert/sent" \
    "$RM" alert cap "$CAP/invalid/sent-without-offset.xml"
finish
