#!/usr/bin/env bash
# Usage: --help everywhere, and every usage error exits 2 saying what and
# why plus the usage line.
. "$(dirname "$0")/lib.sh"
expect "--help lists all commands" 0 "federation init" "$RM" --help
HELP=$OUT
for c in "federation init" "agency add" "agency import" "agency list" \
    "agency rotate-key" "agency revoke" "agency remove" "roster import" \
    "roster publish" \
    "node config" "node check" "alert issue" "alert cancel" "alert list" \
    "status" "verify"; do
	check "riskmesh --help lists $c" grep -q "^  $c " <<<"$HELP"
	# shellcheck disable=SC2086
	expect "$c --help" 0 "^usage: riskmesh $c " "$RM" $c --help
done
expect "node config --help lists node.conf keys" 0 "sync_interval_ms +number +30000" \
    "$RM" node config --help
# agency import --help lists the CSV columns once, in the CSV's order
expect "agency import --help" 0 "" "$RM" agency import --help
COLS=$(head -1 "$RM_TEST_DATA/agencies.csv" | tr -d '\r')
check "import --help shows the CSV header" grep -qxF "  $COLS" <<<"$OUT"
check_eq "import --help explains the columns in the CSV's order" \
    "$(grep -oE "\b(${COLS//,/|})\b" <<<"$OUT" | paste -sd, -)" "$COLS,kind,areas,max_grade,publishes"
expect "--version" 0 "^riskmesh [0-9]+\.[0-9]+" "$RM" --version
expect "group --help" 0 "^  import +add agencies" "$RM" agency --help
expect "no arguments" 2 "usage: riskmesh COMMAND" "$RM"
expect "unknown command" 2 "unknown command \"frobnicate\"" "$RM" frobnicate
expect "missing subcommand" 2 "riskmesh alert: missing subcommand" "$RM" alert
expect "unknown subcommand" 2 "riskmesh agency: unknown subcommand \"frobnicate\"" "$RM" agency frobnicate
expect "unknown option" 2 "riskmesh federation init: unknown option --nmae" \
    "$RM" federation init --dir "$T/f" --nmae x
check "usage line follows" grep -q "^usage: riskmesh federation init --dir DIR --name NAME" <<<"$ERR"
expect "missing required option" 2 "missing --name NAME" \
    "$RM" federation init --dir "$T/f"
check "nothing created on a usage error" test ! -e "$T/f"
expect "option without its value" 2 "option --dir needs a value \(DIR\)" \
    "$RM" agency list --dir
expect "option given twice" 2 "option --dir given twice" \
    "$RM" agency list --dir a --dir b
expect "flag with a value" 2 "option --json takes no value" \
    "$RM" status -c x.conf --json=yes
expect "unexpected argument" 2 "unexpected argument \"extra\"" \
    "$RM" agency list --dir a extra
expect "bad --days" 2 "--days: \"0\" is not a number of days" \
    "$RM" federation init --dir "$T/f" --name x --days 0
expect "bad --max-grade" 2 "--max-grade: unknown grade \"purple\"" \
    "$RM" agency add --dir "$T/f" --id 120116.gov --areas 120116 --max-grade purple --kinds alert
expect "bad --areas" 2 "--areas: \"12011x\" is not a GB/T 2260 area code" \
    "$RM" agency add --dir "$T/f" --id 120116.gov --areas 120116,12011x --max-grade red --kinds alert
expect "empty area in the list" 2 "--areas: expected 1..16 area codes" \
    "$RM" agency add --dir "$T/f" --id 120116.gov --areas 120116,,120103 --max-grade red --kinds alert
expect "unknown kind" 2 "--kinds: unknown kind \"survey\" \(supported: alert,indicator,risk,task\)" \
    "$RM" agency add --dir "$T/f" --id 120116.gov --areas 120116 --max-grade red --kinds alert,survey
expect "bad --role" 2 "--role: \"mayor\" is not centre, department or district" \
    "$RM" agency add --dir "$T/f" --id 120116.gov --areas 120116 --max-grade red --kinds alert --role mayor
expect "agency id that would escape the directory" 2 "--id: \"../x\" is not an agency id" \
    "$RM" agency add --dir "$T/f" --id ../x --areas 120116 --max-grade red --kinds alert
expect "alert issue without --grade" 2 "missing --grade \(or give --json FILE\)" \
    "$RM" alert issue -c x.conf --area 120116 --event e --headline h
expect "--json with --grade" 2 "--json and --grade cannot be combined" \
    "$RM" alert issue -c x.conf --json a.json --grade red
expect "--event-en without --headline-en" 2 "--event-en and --headline-en go together" \
    "$RM" alert issue -c x.conf --grade red --area 120116 --event e --headline h --event-en E
expect "alert issue without -c" 2 "missing --config NODE.CONF" \
    "$RM" alert issue --grade red --area 120116 --event e --headline h
expect "alert cancel without OBJECT_ID" 2 "missing argument" "$RM" alert cancel -c x.conf
expect "alert cancel with an unsafe OBJECT_ID" 2 "OBJECT_ID \"a/b\" is not an object id" \
    "$RM" alert cancel -c x.conf a/b
expect "alert cancel: '~' is refused as by the API" 2 "OBJECT_ID \"a~b\" is not an object id: 1..128 of letters, digits and \. _ : -" \
    "$RM" alert cancel -c x.conf 'a~b'
expect "alert cancel: '..' is refused locally" 2 "OBJECT_ID \"..\" is not an object id: \".\" and \"..\" are dot segments" \
    "$RM" alert cancel -c x.conf ..
expect "alert cancel: '.' is refused locally" 2 "OBJECT_ID \".\" is not an object id: \".\" and \"..\" are dot segments" \
    "$RM" alert cancel -c x.conf .
expect "alert issue: bad --object-id" 2 "--object-id \"a~b\" is not an object id" \
    "$RM" alert issue -c x.conf --grade red --area 120116 --event e --headline h --object-id 'a~b'
expect "alert list bad --area" 2 "--area: \"abc\" is not a GB/T 2260 area code" \
    "$RM" alert list -c x.conf --area abc
expect "verify without FILE" 2 "missing argument" "$RM" verify
expect "node check without -c" 2 "missing --config" "$RM" node check
finish
