"""Helpers shared by the COSE interop scripts (cose_interop.py,
cose_encrypt_interop.py): result reporting, files, the cose_tool runner
and the riskmesh kid (SHA-256 of the DER SubjectPublicKeyInfo)."""
import hashlib
import subprocess

from cryptography.hazmat.primitives import serialization

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def run(tool_path, *args):
    return subprocess.run([tool_path, *args], capture_output=True,
                          text=True)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def spki_der(pub):
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def kid_of(pub):
    return hashlib.sha256(spki_der(pub)).digest()
