#!/usr/bin/env python3
"""COSE_Encrypt interop between riskmesh's crypto/ (through cose_tool) and
an independent implementation: python3-cbor2 for CBOR and
python3-cryptography for ECDH P-256, HKDF-SHA-256, AES Key Wrap and
AES-GCM (RFC 9052 §5.1, §5.3; RFC 9053 §4.1, §5.1, §5.2, §6.4.1).

usage: cose_encrypt_interop.py PATH/TO/cose_tool
  0. The Python side reproduces a published COSE example
     (cose-wg/Examples ecdh-wrap-examples/p256-wrap-256-01.json), and C
     opens the same message (kid re-encoded to the profile's 32 bytes).
  1. C seals to 1 and 3 recipients, Python opens as each recipient.
  2. Python seals to 1 and 3 recipients, C opens as each recipient.
  3. Non-recipients, tampering, a different AAD and off-profile messages
     are refused by C with the documented error.
"""
import os
import sys
import tempfile

import cbor2
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import (aes_key_unwrap,
                                                     aes_key_wrap)

from interop_common import FAILS, check, kid_of, read, run, write

TOOL = sys.argv[1] if len(sys.argv) > 1 else None


def tool(*args):
    return run(TOOL, *args)
KW = {-29: (-3, 16), -31: (-5, 32)}   # ECDH-ES + AxxxKW -> (AxxxKW, KEK)
GCM = {1: 16, 3: 32}                  # A128GCM, A256GCM -> key bytes


def canon(obj):
    return cbor2.dumps(obj, canonical=True)


def kdf_context(kw_alg, prot):
    """COSE_KDF_Context, RFC 9053 §5.2, no PartyU/PartyV parameters."""
    alg_id, kek_len = KW[kw_alg]
    return canon([alg_id, [None, None, None], [None, None, None],
                  [kek_len * 8, prot]])


def enc_structure(prot, aad):
    return canon(["Encrypt", prot, aad])          # RFC 9052 §5.3


def kek_for(priv, peer_pub, kw_alg, prot):
    z = priv.exchange(ec.ECDH(), peer_pub)
    return HKDF(hashes.SHA256(), KW[kw_alg][1], None,
                kdf_context(kw_alg, prot)).derive(z)


def point(x, y):
    return ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"),
        ec.SECP256R1()).public_key()


def py_seal(pt, pubs, aad, content_alg=3, kw_alg=-31, sort=True):
    cek = os.urandom(GCM[content_alg])
    iv = os.urandom(12)
    prot0 = canon({1: content_alg})
    ct = AESGCM(cek).encrypt(iv, pt, enc_structure(prot0, aad))
    prot1 = canon({1: kw_alg})
    rcpts = []
    for pub in pubs:
        eph = ec.generate_private_key(ec.SECP256R1())
        kek = kek_for(eph, pub, kw_alg, prot1)
        n = eph.public_key().public_numbers()
        epk = {1: 2, -1: 1, -2: n.x.to_bytes(32, "big"),
               -3: n.y.to_bytes(32, "big")}
        rcpts.append([prot1, {4: kid_of(pub), -1: epk},
                      aes_key_wrap(kek, cek)])
    if sort:
        rcpts.sort(key=lambda r: r[1][4])
    return canon(cbor2.CBORTag(96, [prot0, {5: iv}, ct, rcpts]))


def py_open(msg, priv, aad, kid=None):
    """Independent COSE_Encrypt decryption; None if not addressed to
    priv, raises InvalidTag/ValueError on failure."""
    obj = cbor2.loads(msg)
    assert isinstance(obj, cbor2.CBORTag) and obj.tag == 96
    prot0, unprot0, ct, rcpts = obj.value
    alg = cbor2.loads(prot0)[1]
    kid = kid if kid is not None else kid_of(priv.public_key())
    for prot1, unprot1, wrapped in rcpts:
        if unprot1[4] != kid:
            continue
        kw_alg = cbor2.loads(prot1)[1]
        epk = unprot1[-1]
        kek = kek_for(priv, point(epk[-2], epk[-3]), kw_alg, prot1)
        cek = aes_key_unwrap(kek, wrapped)
        check(len(cek) == GCM[alg], "CEK length matches content alg")
        return AESGCM(cek).decrypt(unprot0[5], ct,
                                   enc_structure(prot0, aad))
    return None


# cose-wg/Examples ecdh-wrap-examples/p256-wrap-256-01.json (test data)
EX_D = "aff907c99f9ad3aae6c4cdf21122bce2bd68b5283e6907154ad911840fa208cf"
EX_MSG = ("D8608443A10101A1054C02D1F7E6F26C43D4868D87CE582464F84D913BA60A76"
          "070A9A48F26E97E863E2852948658F0811139868826E89218A75715B818344A1"
          "01381EA220A4010220012158203FC1141F492FDB3B33122BE61B31BAFD860798"
          "DB190E07831FB7A2E42713F4CA225820FC09D3DEF88EA52953B51F48955BFAC1"
          "AC79B4286F0673519A4A71FC18B628690458246D65726961646F632E6272616E"
          "64796275636B406275636B6C616E642E6578616D706C655818E00E25B58AEADD"
          "E5A475F1D69D2A2C199E5C1F231C5B164A")
EX_CONTEXT = "842483F6F6F683F6F6F68219010044A101381E"
EX_SECRET = "8BED545F07A7F39BD7179403C94E7D9862D0A5630217C289B8B4D953490D6D9E"
EX_KEK = "185E6208B1E0ABEE41FCD0890318FFE5320B5FB2D66B4976F7A51A9493E5B502"
EX_CEK = "B2353161740AACF1F7163647984B522A"
EX_AAD = "8367456E637279707443A1010140"


def known_answer(d):
    priv = ec.derive_private_key(int(EX_D, 16), ec.SECP256R1())
    msg = bytes.fromhex(EX_MSG)
    prot0, unprot0, ct, rcpts = cbor2.loads(msg).value
    prot1, unprot1, wrapped = rcpts[0]
    check(kdf_context(cbor2.loads(prot1)[1], prot1) ==
          bytes.fromhex(EX_CONTEXT), "KAT: COSE_KDF_Context bytes")
    check(enc_structure(prot0, b"") == bytes.fromhex(EX_AAD),
          "KAT: Enc_structure bytes")
    epk = point(unprot1[-1][-2], unprot1[-1][-3])
    check(priv.exchange(ec.ECDH(), epk) == bytes.fromhex(EX_SECRET),
          "KAT: ECDH secret")
    kek = kek_for(priv, epk, -31, prot1)
    check(kek == bytes.fromhex(EX_KEK), "KAT: HKDF-SHA-256 KEK")
    check(aes_key_unwrap(kek, wrapped) == bytes.fromhex(EX_CEK),
          "KAT: unwrapped CEK")
    pt = py_open(msg, priv, b"", kid=unprot1[4])
    check(pt == b"This is the content.", "KAT: Python decrypts example")
    # the same message in the riskmesh profile: 32-byte kid, canonical
    unprot1[4] = kid_of(priv.public_key())
    ours = canon(cbor2.CBORTag(96, [prot0, unprot0, ct, rcpts]))
    key = os.path.join(d, "kat.pem")
    write(key, priv.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    write(os.path.join(d, "kat.cose"), ours)
    r = tool("open", key, os.path.join(d, "kat.cose"), "",
             os.path.join(d, "kat.out"))
    check(r.returncode == 0 and read(os.path.join(d, "kat.out")) ==
          b"This is the content.", "KAT: C decrypts example (A128GCM)")


def c_open(d, key, msg, aad=b""):
    """(exit code, error name or plaintext)"""
    mf, of = os.path.join(d, "in.cose"), os.path.join(d, "out.bin")
    write(mf, msg)
    r = tool("open", key, mf, aad.hex(), of)
    if r.returncode != 0:
        return r.returncode, r.stderr.split(":")[2].strip() \
            if r.stderr.count(":") >= 2 else r.stderr
    return 0, read(of)


def make_keys(d):
    """Three C keys (PEM files + Python objects) and two Python keys."""
    c = []
    for i in range(3):
        path = os.path.join(d, "c%d.pem" % i)
        check(tool("keygen", path).returncode == 0, "C keygen %d" % i)
        c.append((path, serialization.load_pem_private_key(read(path),
                                                           None)))
    py = []
    for i in range(2):
        priv = ec.generate_private_key(ec.SECP256R1())
        path = os.path.join(d, "py%d.pem" % i)
        write(path, priv.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        py.append((path, priv))
    return c, py


def pub_pem(d, name, priv):
    path = os.path.join(d, name + ".pub.pem")
    write(path, priv.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def c_seals_python_opens(d, c, py):
    aad = b"\x83\x66origin\x63oid\x01"
    outsider = ec.generate_private_key(ec.SECP256R1())
    groups = {1: [py[0]], 3: [c[0], py[1], c[1]]}
    for nr, group in groups.items():
        pubs = [pub_pem(d, "r%d" % i, k) for i, (_, k) in enumerate(group)]
        for n in (0, 1, 1000, 32768):
            pt = os.urandom(n)
            pf, mf = os.path.join(d, "pt"), os.path.join(d, "m.cose")
            write(pf, pt)
            r = tool("seal", pf, aad.hex(), mf, *pubs)
            check(r.returncode == 0, "C seals %d bytes to %d" % (n, nr))
            msg = read(mf)
            check(canon(cbor2.loads(msg)) == msg,
                  "C output is canonical CBOR (%d, %d)" % (n, nr))
            prot0, unprot0, ct, rcpts = cbor2.loads(msg).value
            check(prot0 == bytes.fromhex("a10103") and
                  list(unprot0) == [5] and len(unprot0[5]) == 12,
                  "layer 0: {1: 3} A256GCM, {5: iv[12]}")
            kids = [r[1][4] for r in rcpts]
            check(kids == sorted(kid_of(k.public_key()) for _, k in group),
                  "recipients are exactly the keys, in kid order")
            check(all(r[0] == bytes.fromhex("a101381e") and
                      len(r[2]) == 40 for r in rcpts),
                  "layer 1: {1: -31} ECDH-ES + A256KW, 40-byte wrapped CEK")
            check(len({r[1][-1][-2] for r in rcpts}) == nr,
                  "one ephemeral key per recipient")
            listed = tool("recipients", mf).stdout.split()
            check(listed == [k.hex() for k in kids],
                  "cose_tool recipients lists the kids")
            for i, (_, k) in enumerate(group):
                check(py_open(msg, k, aad) == pt,
                      "Python opens as recipient %d of %d (%d bytes)"
                      % (i, nr, n))
            check(py_open(msg, outsider, aad) is None,
                  "no recipient entry for an outsider (%d)" % nr)
            try:
                py_open(msg, group[0][1], aad + b"x")
                check(False, "Python refuses another AAD")
            except InvalidTag:
                check(True, "Python refuses another AAD")


def python_seals_c_opens(d, c, py):
    aad = b"record header"
    for nr, group in ((1, [c[2]]), (3, [c[0], py[0], c[2]])):
        for n in (0, 17, 5000):
            pt = os.urandom(n)
            msg = py_seal(pt, [k.public_key() for _, k in group], aad)
            for i, (path, _) in enumerate(group):
                rc, got = c_open(d, path, msg, aad)
                check(rc == 0 and got == pt, "C opens Python's message as "
                      "recipient %d of %d (%d bytes)" % (i, nr, n))
    # the other algorithms of the profile's read side
    pt = b"{\"kind\":\"alert\"}"
    msg = py_seal(pt, [c[0][1].public_key()], aad, 1, -29)
    check(c_open(d, c[0][0], msg, aad) == (0, pt),
          "C opens A128GCM + ECDH-ES + A128KW")
    return pt, aad


def refusals(d, c, py, pt, aad):
    keys = [c[0][1].public_key(), c[1][1].public_key()]
    msg = py_seal(pt, keys, aad)
    obj = cbor2.loads(msg)
    prot0, unprot0, ct, rcpts = obj.value

    def enc(p=None, u=None, t=None, r=None, tag=96):
        return canon(cbor2.CBORTag(tag, [
            prot0 if p is None else p, unprot0 if u is None else u,
            ct if t is None else t, rcpts if r is None else r]))

    def rcpt(i, prot=None, unprot=None, wrapped=None):
        out = [list(x) for x in rcpts]
        if prot is not None:
            out[i][0] = prot
        if unprot is not None:
            out[i][1] = unprot
        if wrapped is not None:
            out[i][2] = wrapped
        return out

    def flip(b, i=0):
        return b[:i] + bytes([b[i] ^ 1]) + b[i + 1:]

    me = c[0][0] if kid_of(keys[0]) == rcpts[0][1][4] else c[1][0]
    cases = [
        ("untampered", msg, aad, (0, pt)),
        ("outsider key", msg, aad, py[1][0]),
        ("another AAD", msg, aad + b"!", "EBADSIG"),
        ("flipped ciphertext", enc(t=flip(ct)), aad, "EBADSIG"),
        ("flipped tag", enc(t=flip(ct, len(ct) - 1)), aad, "EBADSIG"),
        ("other IV", enc(u={5: flip(unprot0[5])}), aad, "EBADSIG"),
        ("flipped wrapped key",
         enc(r=rcpt(0, wrapped=flip(rcpts[0][2], 5))), aad, "EBADSIG"),
        ("protected A128GCM", enc(p=canon({1: 1})), aad, "EBADVALUE"),
        ("recipient alg -25 (direct)",
         enc(r=rcpt(0, prot=canon({1: -25}))), aad, "EUNKNOWN"),
        ("unsorted recipients", enc(r=rcpts[::-1]), aad, "ENONCANON"),
        ("no recipients", enc(r=[]), aad, "EMISSING"),
        ("untagged", canon([prot0, unprot0, ct, rcpts]), aad, "EMALFORMED"),
        ("tag 16 (COSE_Encrypt0)", enc(tag=16), aad, "EBADVALUE"),
        ("extra unprotected param", enc(u={5: unprot0[5], 6: b"x"}), aad,
         "EUNKNOWN"),
        ("trailing byte", msg + b"\x00", aad, "EMALFORMED"),
    ]
    epk = dict(rcpts[0][1][-1])
    epk[-3] = True
    cases.append(("compressed ephemeral y",
                  enc(r=rcpt(0, unprot={4: rcpts[0][1][4], -1: epk})), aad,
                  "EBADVALUE"))
    epk = dict(rcpts[0][1][-1])
    epk[-2] = flip(epk[-2], 31)
    unprot = {4: rcpts[0][1][4], -1: epk}
    cases.append(("ephemeral key off the curve",
                  enc(r=rcpt(0, unprot=unprot)), aad, "EBADVALUE"))
    # non-canonical: -1 before 4 in a recipient's unprotected map
    cases.append(("non-canonical header order",
                  msg.replace(bytes([0xa2, 0x04, 0x58, 0x20]) +
                              rcpts[0][1][4] + b"\x20" +
                              canon(rcpts[0][1][-1]),
                              bytes([0xa2, 0x20]) + canon(rcpts[0][1][-1]) +
                              bytes([0x04, 0x58, 0x20]) + rcpts[0][1][4]),
                  aad, "ENONCANON"))
    for what, m, a, want in cases:
        key = me
        if what == "outsider key":
            key, want = want, "ENOTFOUND"
        got = c_open(d, key, m, a)
        if isinstance(want, tuple):
            check(got == want, "C opens: %s" % what)
        else:
            check(got == (1, want), "C refuses %s: %s (got %r)"
                  % (what, want, got[1]))


def main():
    if TOOL is None:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory(prefix="rm-cose-enc-") as d:
        known_answer(d)
        c, py = make_keys(d)
        c_seals_python_opens(d, c, py)
        pt, aad = python_seals_c_opens(d, c, py)
        refusals(d, c, py, pt, aad)
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
