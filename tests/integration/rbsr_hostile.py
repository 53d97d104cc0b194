"""rbsr_hostile.py -- an authenticated peer that abuses reconciliation.

  rbsr_hostile.py PORT FEDDIR AS PEER

Completes the HELLO handshake as AS (its agency key and TLS certificate
from FEDDIR/agencies/AS) against PEER listening on 127.0.0.1:PORT, then
runs each abuse and prints one line "NAME VALUE" per result:

  preup        the REFUSE reason for a RECONCILE before UP
  stream N     records the node streamed after our empty VECTOR
  want1024 N   records answered to one WANT naming one key 1,024 times
               (and under 32 prefix lengths)
  wantnone N   records answered to a WANT of keys the node does not hold
  bad NAME X   "abort" when the node aborted a malformed RECONCILE
  alive 1      the link still answers a proper empty session after it all
"""
import time
import hashlib
import os
import socket
import ssl
import struct
import sys

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature

SP_HDR = b"\x00SP\x00\x00\x11\x00\x00"
INF = (1 << 64) - 1


class Peer:
    def __init__(self, port, fed, me, peer):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.load_verify_locations(fed + "/ca.crt")
        d = "%s/agencies/%s/" % (fed, me)
        c.load_cert_chain(d + "tls.crt", d + "tls.key")
        c.check_hostname = False
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s = c.wrap_socket(raw, server_hostname=peer)
        with open(d + "agency.key", "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        self.me, self.peer = me, peer
        self.s.sendall(SP_HDR)
        self.recvn(8)

    def recvn(self, n):
        b = b""
        while len(b) < n:
            x = self.s.recv(n - len(b))
            if not x:
                raise EOFError
            b += x
        return b

    def send(self, frame):
        body = cbor2.dumps(frame)
        self.s.sendall(struct.pack(">Q", len(body) + 4) +
                       b"\x00\x00\x00\x01" + body)

    def recv(self, timeout):
        self.s.settimeout(timeout)
        n = struct.unpack(">Q", self.recvn(8))[0]
        self.recvn(4)
        return cbor2.loads(self.recvn(n - 4))

    def frames(self, timeout=1.5):
        """Every frame until timeout s of silence or the connection ends."""
        out = []
        try:
            while True:
                out.append(self.recv(timeout))
        except (OSError, EOFError):
            pass
        return out

    def handshake(self, vector=True):
        nonce = os.urandom(32)
        self.send([1, 3, self.me, 1, nonce])
        while True:
            f = self.recv(5)
            if f[0] == 1:
                t = (b"riskmesh/1 hello" + f[4] + nonce + self.me.encode() +
                     b"\0" + self.peer.encode())
                r, s = decode_dss_signature(
                    self.key.sign(t, ec.ECDSA(hashes.SHA256())))
                self.send([2, r.to_bytes(32, "big") + s.to_bytes(32, "big")])
            elif f[0] == 2 and vector:
                self.send([4, {}])
            elif f[0] == 2:
                return None
            elif f[0] == 4:
                return f
            elif f[0] == 6:
                raise RuntimeError("refused: %r" % (f,))


def records(frames):
    return [r for f in frames if f[0] == 5 for r in f[1]]


def key(rec):
    payload = cbor2.loads(cbor2.loads(rec).value[2])
    return payload["issued"], hashlib.sha256(rec).digest()


def main():
    port, fed, me, peer = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
        sys.argv[4]
    # RECONCILE before UP: HELLO and PROOF sent, our VECTOR not yet.
    p = Peer(port, fed, me, peer)
    p.handshake(vector=False)
    p.send([7, 1, cbor2.dumps([[INF, b"", 3, []]])])
    why = [f[2] for f in p.frames(3) if f[0] == 6]
    print("preup", why[-1] if why else "none")
    p.s.close()

    p = Peer(port, fed, me, peer)
    p.handshake()
    got = records(p.frames())
    print("stream", len(got))
    issued, h = key(max(got, key=len))
    w = []
    for _ in range(1024 - 32):
        w += [issued, h[:16]]
    for n in range(1, 33):
        w += [issued, h[:n]]
    p.send([8, w])
    print("want1024", len(records(p.frames())))
    p.send([8, [issued + 1, h[:16], 1, b"\x01" * 16]])
    print("wantnone", len(records(p.frames())))
    bad = {
        "notcbor": b"\xff\xff",
        "trailing": cbor2.dumps([[INF, b"", 0]]) + b"\x00",
        "mode9": cbor2.dumps([[INF, b"", 9]]),
        "prefix33": cbor2.dumps([[5, b"\x01" * 33, 1, b"\0" * 16, 0]]),
        "unordered": cbor2.dumps([[5, b"", 1, b"\0" * 16, 0],
                                  [0, b"", 1, b"\0" * 16, 0]]),
        "overflow": cbor2.dumps([[INF, b"", 1, b"\0" * 16, 0],
                                 [5, b"", 0]]),
        "nested": b"\x81" * 5000,
    }
    sid = 100
    for name, msg in bad.items():
        sid += 1
        p.send([7, sid, msg])
        fr = [f for f in p.frames(1.0) if f[0] == 7 and f[1] == sid]
        print("bad", name, "abort" if fr and fr[0][2] == b"" else repr(fr))
    # Many sessions that each say "I hold none", sent at once.
    for sid in range(200, 230):
        p.send([7, sid, cbor2.dumps([[INF, b"", 3, []]])])
    fr = p.frames(3)
    served = {f[1] for f in fr if f[0] == 7 and f[2] != b""}
    print("served", len(served))
    time.sleep(4.5)    # the session budget refills (2 s a session)
    p.send([7, 999, cbor2.dumps([[INF, b"", 3, []]])])
    fr = [f for f in p.frames(3) if f[0] == 7 and f[1] == 999]
    print("alive", 1 if fr and fr[0][2] == b"\x80" else 0)


if __name__ == "__main__":
    main()
