#!/usr/bin/env bash
# CAP 1.2 in and out of real nodes (docs/CAP.md): two linked riskmeshd;
# the documents' sender 120000.meteorology is node A's agency (the CAP
# sender is the signing agency, no mapping). Import on A, export on B:
# an equivalent document (tests/integration/cap_equiv.py: same elements
# and values, Chinese text identical, times the same instant); the
# Update then the Cancel with their references; the same file twice
# stored once; a reused identifier and a self-reference refused with the
# rule; 415 for text/plain; the Atom feed (RFC 4287).
. "$(dirname "$0")/lib.sh"
A=120000.meteorology
B=120116.gov
CAP=$RM_TEST_DATA/cap
EQUIV="/usr/bin/python3 $(dirname "$0")/cap_equiv.py"
it_two_nodes $A $B
CA=$(rm_node_dir "$FED" $A)/node.conf
CB=$(rm_node_dir "$FED" $B)/node.conf
OID=120000.meteorology-2026-0815-001

# atom FILE: "entries" of a feed that parses, after checking RFC 4287's
# required feed elements and each entry's id, updated and CAP link
atom() {
	/usr/bin/python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
f = ET.parse(sys.argv[1]).getroot()
assert f.tag == A + "feed", f.tag
for e in ("id", "title", "updated", "author"):
    assert f.find(A + e) is not None, e
out = []
for en in f.findall(A + "entry"):
    l = [x for x in en.findall(A + "link") if x.get("rel") == "alternate"]
    assert l and l[0].get("type") == "application/cap+xml", "link"
    out.append("%s %s %s" % (en.find(A + "id").text,
        en.find(A + "updated").text, l[0].get("href")))
print(len(out))
for o in out:
    print(o)
PY
}

# 1. an empty node's feed is a valid feed
rm_http "$FED" $B GET /v1/alerts.atom -D "$T/h0" | http_body >"$T/empty.atom"
check_eq "an empty feed parses with id, title, updated, author, no entry" \
    "$(atom "$T/empty.atom" | head -1)" 0
check "the feed is application/atom+xml" grep -qi '^content-type: application/atom+xml' "$T/h0"

# 2. a body that is neither JSON nor CAP
r=$(rm_http "$FED" $A POST /v1/alerts -H 'Content-Type: text/plain' -d 'red typhoon')
check_eq "text/plain is 415" "$(http_status <<<"$r")" 415
check_eq "... EUNSUPPORTED naming the type" \
    "$(http_body <<<"$r" | rm_json 'd["error"]+" "+str("text/plain" in d["reason"])')" "EUNSUPPORTED True"

# 3. import on A, export on B
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$CAP/typhoon-red-zh-en.xml")
check "A imports the red typhoon warning" grep -q "^imported $OID ver 1 " <<<"$out"
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$CAP/typhoon-red-zh-en.xml")
check "the same file again: already stored, nothing issued" \
    grep -q "^already stored $OID ver 1 " <<<"$out"
check "B receives it (once)" rm_wait_records "$FED" $B $((NA + 1)) 15
check "B exports it as CAP" "$RM_BIN/riskmesh" alert export -c "$CB" "$OID" \
    --origin $A -o "$T/b1.xml"
check "equivalent to the imported document" $EQUIV "$CAP/typhoon-red-zh-en.xml" "$T/b1.xml"
check "Chinese text byte for byte" grep -q '预计未来12小时内滨海新区沿海将受台风严重影响，平均风力可达12级以上。' "$T/b1.xml"
check "times in their own offset" grep -q '<sent>2026-08-15T06:00:00+08:00</sent>' "$T/b1.xml"
rm_http "$FED" $A GET "/v1/alerts/$OID.xml" -o "$T/a1.xml" -D "$T/h1" >/dev/null
check "A and B write the same bytes" cmp -s "$T/a1.xml" "$T/b1.xml"
check "GET .xml is application/cap+xml" grep -qi '^content-type: application/cap+xml' "$T/h1"

# 4. the Update, then the Cancel, in order
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$CAP/typhoon-red-update.xml")
check "the Update is the object's version 2" grep -q "^imported $OID ver 2 " <<<"$out"
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$CAP/typhoon-red-update.xml")
check "the Update again: already stored" grep -q "^already stored $OID ver 2 " <<<"$out"
check "B receives the Update" rm_wait_records "$FED" $B $((NA + 2)) 15
"$RM_BIN/riskmesh" alert export -c "$CB" "$OID" --origin $A -o "$T/b2.xml"
check "B exports the Update, equivalent, with its reference" \
    $EQUIV "$CAP/typhoon-red-update.xml" "$T/b2.xml"
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$CAP/typhoon-cancel.xml")
check "the Cancel is version 3" grep -q "^imported $OID ver 3 " <<<"$out"
check "B receives the Cancel" rm_wait_records "$FED" $B $((NA + 3)) 15
"$RM_BIN/riskmesh" alert export -c "$CB" "$OID" --origin $A -o "$T/b3.xml"
check "B exports the Cancel with both references" \
    $EQUIV "$CAP/typhoon-cancel.xml" "$T/b3.xml"
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$CAP/typhoon-red-update.xml" 2>&1)
check "an old Update after the Cancel is still the stored message" \
    grep -q "^already stored $OID ver 2 " <<<"$out"

# 5. refusals naming the rule
# another message with the Update's identifier
sed -e 's|<headline>台风红色预警降级为橙色预警</headline>|<headline>另一条消息</headline>|' \
    "$CAP/typhoon-red-update.xml" >"$T/reuse.xml"
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$T/reuse.xml" 2>&1)
check "an identifier reused for another message is refused" \
    grep -q "HTTP 409: EEXIST identifier.*already used.*CAP 1.2 §3.2.1" <<<"$out"
sed -e 's|-2026-0815-002</identifier>|-2026-0815-009</identifier>|' \
    -e 's|-2026-0815-001,2026-08-15T06:00:00+08:00|-2026-0815-009,2026-08-15T06:00:00+08:00|' \
    "$CAP/typhoon-red-update.xml" >"$T/self.xml"
out=$("$RM_BIN/riskmesh" alert import -c "$CA" "$T/self.xml" 2>&1)
check "a message referencing itself is refused with the rule" \
    grep -q "references.*itself" <<<"$out"
out=$("$RM_BIN/riskmesh" alert import -c "$CB" "$CAP/typhoon-red-zh-en.xml" 2>&1)
check "B may not issue meteorology's message (sender = signing agency)" \
    grep -q "HTTP 403: EUNAUTH sender" <<<"$out"
check_eq "nothing more was stored on B" "$(rm_status_field "$FED" $B 'd["records"]')" $((NA + 3))

# 6. alerts in force in the feed: two future copies (new identifiers)
for n in 1 2; do
	sed -e "s|2026-08-1|2099-08-1|g" -e "s|-2026-0815-001|-2099-0815-00$n|g" \
	    "$CAP/typhoon-red-zh-en.xml" >"$T/future$n.xml"
	"$RM_BIN/riskmesh" alert import -c "$CA" "$T/future$n.xml" >/dev/null
	check "A imports future alert $n" test $? -eq 0
done
check "B receives them" rm_wait_records "$FED" $B $((NA + 5)) 15
"$RM_BIN/riskmesh" alert list -c "$CB" --atom >"$T/f1.atom"
check_eq "B's feed: one entry per alert in force" "$(atom "$T/f1.atom" | head -1)" 2
check "each entry links to its CAP document" \
    grep -q "/v1/alerts/120000.meteorology-2099-0815-001.xml?origin=$A" "$T/f1.atom"
href=$(atom "$T/f1.atom" | sed -n 2p | cut -d' ' -f3)
rm_http "$FED" $B GET "$href" | http_body >"$T/linked.xml"
check "the linked document is the alert" grep -q "<identifier>120000.meteorology-2099-0815-00" "$T/linked.xml"
sleep 1
"$RM_BIN/riskmesh" alert list -c "$CB" --atom >"$T/f2.atom"
check_eq "entry ids and updated are stable while alerts do not change" \
    "$(atom "$T/f2.atom")" "$(atom "$T/f1.atom")"
check_eq "A's feed has the same entries" \
    "$(rm_http "$FED" $A GET /v1/alerts.atom | http_body >"$T/fa.atom"; atom "$T/fa.atom")" \
    "$(atom "$T/f1.atom")"
finish
