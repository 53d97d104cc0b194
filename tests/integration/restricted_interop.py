#!/usr/bin/env python3
"""Restricted records (docs/PROTOCOL.md §6a) read and written by an
independent implementation: python3-cbor2 + python3-cryptography, with
the COSE_Encrypt functions of tests/crypto/cose_encrypt_interop.py.

usage:
  restricted_interop.py open RECORD.cose ENC_KEY.pem
      Decode the signed record a node stored, rebuild the AAD from its
      header, decrypt the body as the holder of ENC_KEY.pem and print
      {"to": [...], "headline": ..., "grade": ...} as JSON. Exit 1 if
      the record is not restricted or not addressed to the key.
  restricted_interop.py make PREV.cose SIGN_KEY.pem ENC_KEY.pem OID OUT
      A restricted alert of PREV's origin, next in its log (seq + 1,
      prev = SHA-256 of PREV), object OID ver 1, the same header times
      and areas, the body of PREV (decrypted with ENC_KEY.pem) encrypted
      by Python to ENC_KEY.pem's public key only, signed ES256 with
      SIGN_KEY.pem (the origin's agency key). "to" names RECIPIENT (env
      RM_TO). Written to OUT.
"""
import hashlib
import json
import os
import sys

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "crypto"))
import cose_encrypt_interop  # noqa: E402
from cose_encrypt_interop import canon, py_open, py_seal  # noqa: E402
from interop_common import kid_of, read, write  # noqa: E402


def quiet_check(cond, what):
    """py_open's sanity checks, without their "ok" lines on stdout."""
    if not cond:
        raise SystemExit("FAIL " + what)


cose_encrypt_interop.check = quiet_check


def load_key(path):
    return serialization.load_pem_private_key(read(path), None)


def record_of(signed):
    tag = cbor2.loads(signed)
    assert isinstance(tag, cbor2.CBORTag) and tag.tag == 18, "COSE_Sign1"
    return cbor2.loads(tag.value[2])


def aad_of(rec):
    return canon(["riskmesh restricted v1", rec["origin"], rec["kind"],
                  rec["oid"], rec["ver"], rec["to"]])


def decrypt(rec, priv):
    if "to" not in rec or not isinstance(rec["body"], bytes):
        raise SystemExit("not a restricted record")
    pt = py_open(rec["body"], priv, aad_of(rec))
    if pt is None:
        raise SystemExit("not encrypted to this key")
    return pt


def cmd_open(path, key):
    rec = record_of(read(path))
    body = cbor2.loads(decrypt(rec, load_key(key)))
    print(json.dumps({"to": rec["to"], "grade": body["grade"],
                      "headline": body["texts"][0]["headline"]},
                     ensure_ascii=False))
    return 0


def sign1(priv, payload):
    prot = canon({1: -7, 4: kid_of(priv.public_key())})
    der = priv.sign(canon(["Signature1", prot, b"", payload]),
                    ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return canon(cbor2.CBORTag(18, [prot, {}, payload, sig]))


def cmd_make(prev_path, sign_key, enc_key, oid, out):
    prev_bytes = read(prev_path)
    prev = record_of(prev_bytes)
    enc = load_key(enc_key)
    plain = decrypt(prev, enc)
    rec = {k: prev[k] for k in ("v", "kind", "areas", "issued", "origin")}
    if "expires" in prev:
        rec["expires"] = prev["expires"]
    rec.update({"oid": oid, "ver": 1, "seq": prev["seq"] + 1,
                "prev": hashlib.sha256(prev_bytes).digest(),
                "to": [os.environ["RM_TO"]]})
    rec["body"] = py_seal(plain, [enc.public_key()], aad_of(rec))
    write(out, sign1(load_key(sign_key), canon(rec)))
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "open":
        return cmd_open(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 7 and sys.argv[1] == "make":
        return cmd_make(*sys.argv[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
