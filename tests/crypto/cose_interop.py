#!/usr/bin/env python3
"""COSE_Sign1 / ES256 interop between riskmesh's crypto/ (through
cose_tool) and an independent implementation: python3-cbor2 for CBOR and
python3-cryptography for ECDSA P-256 (RFC 9052 §4.2, §4.4; RFC 9053 §2.1).

usage: cose_interop.py PATH/TO/cose_tool
  1. C signs, Python verifies (structure, canonical header, kid, hash).
  2. Python signs with its own key, C verifies.
  3. Python-tampered or off-profile messages are rejected by C.
"""
import hashlib
import os
import sys
import tempfile

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

from interop_common import FAILS, check, kid_of, read, run, write

TOOL = sys.argv[1] if len(sys.argv) > 1 else None


def tool(*args):
    return run(TOOL, *args)


def protected(kid, extra=None, order=None):
    hdr = {1: -7, 4: kid}
    if extra:
        hdr.update(extra)
    if order is None:
        return cbor2.dumps(hdr, canonical=True)
    # deliberately non-canonical key order
    out = bytes([0xa0 + len(order)])
    for k in order:
        out += cbor2.dumps(k) + cbor2.dumps(hdr[k])
    return out


def sig_structure(prot, payload):
    return cbor2.dumps(["Signature1", prot, b"", payload], canonical=True)


def py_sign(priv, payload, prot=None, tag=18):
    prot = prot if prot is not None else protected(kid_of(priv.public_key()))
    der = priv.sign(sig_structure(prot, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    arr = [prot, {}, payload, sig]
    obj = cbor2.CBORTag(tag, arr) if tag is not None else arr
    return cbor2.dumps(obj, canonical=True)


def py_verify(pub, msg_bytes):
    """Independent COSE_Sign1 verification; returns (ok, payload, kid)."""
    obj = cbor2.loads(msg_bytes)
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != 18:
        return False, None, None
    arr = obj.value
    if not isinstance(arr, list) or len(arr) != 4:
        return False, None, None
    prot, unprot, payload, sig = arr
    hdr = cbor2.loads(prot)
    if hdr.get(1) != -7 or unprot != {} or len(sig) != 64:
        return False, None, None
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                               int.from_bytes(sig[32:], "big"))
    try:
        pub.verify(der, sig_structure(prot, payload),
                   ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False, payload, hdr.get(4)
    return True, payload, hdr.get(4)


def c_signs_python_verifies(d):
    key = os.path.join(d, "c.pem")
    check(tool("keygen", key).returncode == 0, "C keygen")
    priv = serialization.load_pem_private_key(read(key), None)
    pub = priv.public_key()
    check(isinstance(pub.curve, ec.SECP256R1), "C key is P-256")
    kid_hex = tool("kid", key).stdout.strip()
    check(kid_hex == kid_of(pub).hex(), "C kid == sha256(SPKI DER)")
    for n in (0, 1, 23, 24, 255, 256, 1000, 40000):
        payload = os.urandom(n)
        pf, mf = os.path.join(d, "p%d" % n), os.path.join(d, "m%d" % n)
        write(pf, payload)
        r = tool("sign", key, pf, mf)
        check(r.returncode == 0, "C sign %d-byte payload" % n)
        msg = read(mf)
        ok, got, kid = py_verify(pub, msg)
        check(ok, "Python verifies C signature (%d bytes)" % n)
        check(got == payload, "payload round trip (%d bytes)" % n)
        check(kid == kid_of(pub), "kid in protected header (%d)" % n)
        arr = cbor2.loads(msg).value
        check(arr[0] == protected(kid_of(pub)),
              "protected header is canonical {1:-7, 4:kid} (%d)" % n)
        check(cbor2.dumps(cbor2.loads(msg), canonical=True) == msg,
              "whole message is canonical CBOR (%d)" % n)
        h = tool("hash", mf).stdout.strip()
        check(h == hashlib.sha256(msg).hexdigest(),
              "record hash == sha256(file) (%d)" % n)
        # Python tampers with a C-signed message: C must reject
        bad = bytearray(msg)
        bad[-1] ^= 1
        write(mf + ".bad", bytes(bad))
        check(tool("verify", key, mf + ".bad").returncode == 1,
              "C rejects flipped signature byte (%d)" % n)
    return key


def python_signs_c_verifies(d, c_key):
    priv = ec.generate_private_key(ec.SECP256R1())
    pub = priv.public_key()
    pub_pem = os.path.join(d, "py.pub.pem")
    write(pub_pem, pub.public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo))
    p8 = os.path.join(d, "py.p8.pem")
    write(p8, priv.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()))
    sec1 = os.path.join(d, "py.sec1.pem")
    write(sec1, priv.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    check(tool("kid", pub_pem).stdout.strip() == kid_of(pub).hex(),
          "C kid of Python key == sha256(SPKI DER)")

    def verify(msg, keyfile=pub_pem):
        path = os.path.join(d, "py.cose")
        write(path, msg)
        return tool("verify", keyfile, path).returncode

    for n in (0, 17, 300, 70000 // 2):
        payload = os.urandom(n)
        msg = py_sign(priv, payload)
        check(verify(msg) == 0, "C verifies Python signature (%d)" % n)
    payload = b'{"kind":"alert","grade":"red"}'
    msg = py_sign(priv, payload)
    check(verify(msg, p8) == 0, "C verifies with Python PKCS#8 key")
    check(verify(msg, sec1) == 0, "C verifies with Python SEC1 key")
    check(verify(msg, c_key) == 1, "C rejects: wrong verifying key")

    # tampering and off-profile messages, each rejected by C
    obj = cbor2.loads(msg)
    prot, unprot, pl, sig = obj.value

    def enc(p=prot, u=unprot, y=pl, s=sig, tag=18, extra=()):
        return cbor2.dumps(cbor2.CBORTag(tag, [p, u, y, s, *extra]),
                           canonical=True)

    check(verify(enc()) == 0, "re-encoded message still verifies")
    check(verify(enc(y=pl[:-1] + b"!")) == 1, "C rejects altered payload")
    check(verify(enc(s=sig[:10] + bytes([sig[10] ^ 4]) + sig[11:])) == 1,
          "C rejects altered signature")
    other_kid = hashlib.sha256(b"someone else").digest()
    check(verify(enc(p=protected(other_kid))) == 1, "C rejects altered kid")
    check(verify(enc(tag=17)) == 1, "C rejects tag 17")
    check(verify(cbor2.dumps([prot, unprot, pl, sig])) == 1,
          "C rejects untagged message")
    check(verify(enc(u={4: kid_of(pub)})) == 1,
          "C rejects non-empty unprotected header")
    check(verify(enc(y=None)) == 1, "C rejects detached payload")
    check(verify(enc(s=sig[:63])) == 1, "C rejects 63-byte signature")
    check(verify(enc(extra=(b"",))) == 1, "C rejects 5-element array")
    check(verify(enc() + b"\x00") == 1, "C rejects trailing bytes")
    # validly signed but off-profile protected headers
    kid = kid_of(pub)
    check(verify(py_sign(priv, payload, protected(kid, {3: 60}))) == 1,
          "C rejects extra protected parameter (content type)")
    check(verify(py_sign(priv, payload, protected(kid, order=[4, 1]))) == 1,
          "C rejects non-canonical protected header order")
    es384 = cbor2.dumps({1: -35, 4: kid}, canonical=True)
    check(verify(py_sign(priv, payload, es384)) == 1, "C rejects alg -35")
    # DER signature instead of r||s
    der = priv.sign(sig_structure(prot, pl), ec.ECDSA(hashes.SHA256()))
    check(verify(enc(s=der)) == 1, "C rejects a DER signature")


def main():
    if TOOL is None:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory(prefix="rm-cose-interop-") as d:
        c_key = c_signs_python_verifies(d)
        python_signs_c_verifies(d, c_key)
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
