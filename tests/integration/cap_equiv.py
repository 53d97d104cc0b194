#!/usr/bin/python3
"""cap_equiv.py A.xml B.xml -- exit 0 iff two CAP 1.2 documents are
equivalent: the same elements in the same order with the same values
(text byte for byte after stripping the white space around it, so
Chinese text must be identical), times the same instant whatever their
offsets, numbers the same decimal value, polygons vertex for vertex.
Prints the first difference otherwise. Uses xml.etree only."""
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal

NS = "{urn:oasis:names:tc:emergency:cap:1.2}"
TIMES = {"sent", "effective", "onset", "expires"}
NUMBERS = {"altitude", "ceiling"}


def norm(tag, text):
    t = (text or "").strip()
    if tag in TIMES:
        return datetime.fromisoformat(t).timestamp()
    if tag in NUMBERS:
        return Decimal(t)
    if tag == "polygon":
        return [tuple(Decimal(c) for c in p.split(",")) for p in t.split()]
    if tag == "circle":
        c, r = t.split()
        return (tuple(Decimal(x) for x in c.split(",")), Decimal(r))
    if tag == "references":
        out = []
        for trip in t.split():
            s, i, when = trip.split(",")
            out.append((s, i, datetime.fromisoformat(when).timestamp()))
        return out
    return t


def walk(a, b, path):
    if a.tag != b.tag:
        return "%s: element %s vs %s" % (path, a.tag, b.tag)
    tag = a.tag.replace(NS, "")
    if len(a) != len(b):
        return "%s/%s: %d vs %d children" % (path, tag, len(a), len(b))
    if len(a) == 0 and norm(tag, a.text) != norm(tag, b.text):
        return "%s/%s: %r vs %r" % (path, tag, a.text, b.text)
    for i, (x, y) in enumerate(zip(a, b)):
        d = walk(x, y, "%s/%s[%d]" % (path, tag, i))
        if d:
            return d
    return None


d = walk(ET.parse(sys.argv[1]).getroot(), ET.parse(sys.argv[2]).getroot(), "")
if d:
    print("differ: " + d)
    sys.exit(1)
