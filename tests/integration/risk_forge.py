#!/usr/bin/python3
"""A risk record signed with an agency's own key for an area outside
its roster areas, by an independent implementation (python3-cbor2 +
python3-cryptography), to hand to a node that must refuse it.

usage:
  risk_forge.py PREV.cose SIGN_KEY.pem AREA OID OUT
      A risk of PREV's origin (PREV: one of its risk records), next in
      its log (seq + 1, prev = SHA-256 of PREV), object OID ver 1, the
      body of PREV with id OID, its single area AREA, signed ES256 with
      SIGN_KEY.pem (the origin's agency key). Written to OUT.
  risk_forge.py --next PREV.cose SIGN_KEY.pem STATUS OUT
      The next version of PREV's object (ver + 1, supersedes PREV), next
      in its origin's log, with status STATUS (and no removal reason),
      signed with SIGN_KEY.pem: a valid record that a node must refuse
      when PREV's status is final (a removed risk brought back).
"""
import hashlib
import os
import sys

import cbor2
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "crypto"))
sys.path.insert(0, HERE)
from interop_common import read, write  # noqa: E402
from restricted_interop import sign1  # noqa: E402  (the same COSE_Sign1)


def canon(obj):
    return cbor2.dumps(obj, canonical=True)


def main():
    nxt = len(sys.argv) == 6 and sys.argv[1] == "--next"
    if len(sys.argv) != 6 or (not nxt and sys.argv[1].startswith("-")):
        print(__doc__)
        return 2
    if nxt:
        prev_path, key_path, status, out = sys.argv[2:]
    else:
        prev_path, key_path, area, oid, out = sys.argv[1:]
    prev_bytes = read(prev_path)
    tag = cbor2.loads(prev_bytes)
    assert isinstance(tag, cbor2.CBORTag) and tag.tag == 18, "COSE_Sign1"
    rec = cbor2.loads(tag.value[2])
    assert rec["kind"] == "risk", "PREV is not a risk"
    prev_hash = hashlib.sha256(prev_bytes).digest()
    if nxt:
        rec.update({"ver": rec["ver"] + 1, "seq": rec["seq"] + 1,
                    "prev": prev_hash, "supersedes": prev_hash})
        rec["body"]["status"] = status
        rec["body"].pop("reason", None)
    else:
        rec.pop("supersedes", None)
        rec.update({"oid": oid, "ver": 1, "seq": rec["seq"] + 1,
                    "prev": prev_hash, "areas": [area]})
        rec["body"]["id"] = oid
    priv = serialization.load_pem_private_key(read(key_path), None)
    write(out, sign1(priv, canon(rec)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
