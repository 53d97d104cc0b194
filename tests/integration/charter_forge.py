#!/usr/bin/python3
"""A federation root that lists an agency for another region's area: the
charter (roster.cose, docs/PROTOCOL.md §5) of FEDDIR re-signed with its
root key, version + 1, with one more agency entry, written by an
independent implementation (python3-cbor2 + python3-cryptography). Used
by gateway.sh: a root may sign anything, and the other federation must
refuse its records for areas outside the ones it trusts that root for
(§12.1).

usage: charter_forge.py FEDDIR AGENCY_ID AREA AGENCY_KEY.pem
"""
import os
import sys
import time

import cbor2
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "crypto"))
sys.path.insert(0, HERE)
from cose_encrypt_interop import canon  # noqa: E402
from interop_common import read, spki_der, write  # noqa: E402
from restricted_interop import sign1  # noqa: E402


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    feddir, agency, area, key_path = sys.argv[1:]
    root = serialization.load_pem_private_key(
        read(os.path.join(feddir, "root.key")), None)
    key = serialization.load_pem_private_key(read(key_path), None)
    cose = cbor2.loads(read(os.path.join(feddir, "roster.cose")))
    body = cbor2.loads(cose.value[2])
    body["agencies"] = [a for a in body["agencies"] if a["id"] != agency]
    body["agencies"].append({
        "id": agency, "key": spki_der(key.public_key()),
        "role": "district", "areas": [area], "kinds": ["alert"],
        "name_en": "forged " + agency, "name_zh": "伪造 " + agency,
        "max_grade": "red"})
    body["agencies"].sort(key=lambda a: a["id"].encode())
    body["version"] += 1
    body["issued"] = int(time.time() * 1000)
    write(os.path.join(feddir, "roster.cose"), sign1(root, canon(body)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
