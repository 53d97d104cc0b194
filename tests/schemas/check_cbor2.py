#!/usr/bin/env python3
"""Independent check of the record encoding with cbor2.

Usage: check_cbor2.py RECORD_SAMPLE_EXE WORKDIR

Runs record_sample to write the typhoon sample record, decodes it with
cbor2, checks the field values, and asserts that cbor2's canonical
re-encoding (RFC 7049 §3.9 / RFC 8949 §4.2.1 for these text-keyed maps)
is byte-identical to ours.
"""
import os
import subprocess
import sys

import cbor2


def main():
    exe, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "typhoon.cbor")
    subprocess.run([exe, path], check=True)
    with open(path, "rb") as f:
        data = f.read()
    rec = cbor2.loads(data)

    assert list(rec.keys()) == ["v", "oid", "seq", "ver", "body", "kind",
                                "prev", "areas", "issued", "origin",
                                "expires", "supersedes"], list(rec.keys())
    assert rec["v"] == 1
    assert rec["kind"] == "alert"
    assert rec["origin"] == "120000.meteo"
    assert rec["oid"] == "typhoon-2026-09:tj"
    assert rec["ver"] == 2 and rec["seq"] == 7
    assert rec["issued"] == 1786000000000
    assert rec["expires"] == 1786086400000
    assert rec["areas"] == ["120000", "120103", "120116001"]
    assert rec["prev"] == bytes(range(32))
    assert rec["supersedes"] == bytes(0xa0 + i for i in range(32))

    a = rec["body"]
    assert list(a.keys()) == ["id", "cat", "refs", "grade", "texts",
                              "circle", "status", "msgType", "polygon",
                              "urgency", "severity", "certainty",
                              "effective"], list(a.keys())
    assert a["id"] == "CN-TJ-METEO-2026-0915-01"
    assert a["cat"] == ["Met", "Safety"]
    assert a["grade"] == "red"
    assert a["status"] == "Actual" and a["msgType"] == "Update"
    assert a["urgency"] == "Immediate" and a["severity"] == "Extreme"
    assert a["certainty"] == "Likely"
    assert a["effective"] == 1786000000000
    assert a["circle"] == [39084000, 117201000, 150000]
    assert len(a["polygon"]) == 5 and a["polygon"][0] == a["polygon"][-1]
    assert a["polygon"][1] == [39100000, 117900000]
    assert len(a["refs"]) == 2
    assert a["refs"][0].startswith("120000.meteo,CN-TJ-METEO-2026-0915-00,")
    zh, en = a["texts"]
    assert zh["lang"] == "zh-CN" and zh["event"] == "台风"
    assert zh["headline"] == "天津市气象台发布台风红色预警信号"
    assert zh["areaDesc"] == "天津市全境"
    assert list(zh.keys()) == ["desc", "lang", "event", "instr", "sender",
                               "areaDesc", "headline"], list(zh.keys())
    assert en["lang"] == "en-US" and en["event"] == "Typhoon"
    assert en["sender"] == "Tianjin Meteorological Observatory"

    again = cbor2.dumps(rec, canonical=True)
    assert again == data, "cbor2 canonical re-encoding differs"
    print("cbor2 interop: %d bytes, canonical re-encoding identical"
          % len(data))


if __name__ == "__main__":
    main()
