"""hostile_peer.py -- bad peer sessions against a riskmeshd peer port.

  hostile_peer.py dial HOST:PORT FEDDIR AS PEER GAP_S   (against a listener)
  hostile_peer.py serve PORT FEDDIR AS PEER SECONDS     (for a dialer)

AS is the roster member whose TLS certificate is used, PEER the node's
agency (TLS server name). dial runs every bad session once, GAP_S apart,
and leaves one silent authenticated TLS connection open until stdin
closes. serve answers each connection of the dialing node with the next
bad behaviour until SECONDS pass. One run per round: no interpreter in a
hot loop.
"""
import os
import socket
import ssl
import struct
import sys
import time

import cbor2

SP_HDR = b"\x00SP\x00\x00\x11\x00\x00"


def sp_msg(body):
    return struct.pack(">Q", len(body) + 4) + b"\x00\x00\x00\x01" + body


def hello(agency, proto=1, roster=1):
    return cbor2.dumps([1, proto, agency, roster, os.urandom(32)])


def ctx(fed, who, server):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else
                       ssl.PROTOCOL_TLS_CLIENT)
    c.load_verify_locations(fed + "/ca.crt")
    c.load_cert_chain(fed + "/agencies/%s/tls.crt" % who,
                      fed + "/agencies/%s/tls.key" % who)
    if server:
        c.verify_mode = ssl.CERT_REQUIRED
    return c


def bad_sessions(who):
    """(name, plain_tcp, bytes to send after the TLS+SP handshake)"""
    big = cbor2.dumps([5, [os.urandom(60000) for _ in range(70)]])
    return [
        ("raw garbage", True, os.urandom(3000)),
        ("TLS garbage", False, None),
        ("oversized SP length", False, struct.pack(">Q", 1 << 62) + b"x" * 64),
        ("5 MiB message", False, sp_msg(b"\x00" * (5 << 20))),
        ("HELLO then garbage", False, sp_msg(hello(who)) + os.urandom(2000)),
        ("VECTOR before HELLO", False, sp_msg(cbor2.dumps([4, {who: 5}]))),
        ("wrong agency", False, sp_msg(hello("120000.command"))),
        ("wrong protocol version", False, sp_msg(hello(who, proto=9))),
        ("huge RECORDS", False, sp_msg(big)),
        ("second HELLO", False, sp_msg(hello(who)) + sp_msg(hello(who))),
        ("bad SP header", False, b"\x00SP\x00\x00\x10\x00\x00"),
    ]


def play(sock, tls_garbage, payload):
    sock.settimeout(3)
    try:
        if tls_garbage:
            sock.sendall(os.urandom(4000))
        elif payload is not None:
            sock.sendall(payload)
        sock.recv(4096)
    except (OSError, ssl.SSLError):
        pass
    sock.close()


def dial(addr, fed, who, peer, gap):
    host, port = addr.rsplit(":", 1)
    c = ctx(fed, who, False)
    c.check_hostname = False
    held = []
    for name, plain, payload in bad_sessions(who):
        try:
            raw = socket.create_connection((host, int(port)), timeout=3)
            if plain:
                play(raw, False, payload)
            elif payload is None:
                s = c.wrap_socket(raw, server_hostname=peer)
                play(s, True, None)
            else:
                s = c.wrap_socket(raw, server_hostname=peer)
                s.sendall(SP_HDR)
                play(s, False, payload)
        except (OSError, ssl.SSLError) as e:
            print("%s: %s" % (name, e), file=sys.stderr)
        time.sleep(gap)
    # Silence: authenticated TLS, SP header, then nothing (held open).
    for _ in range(3):
        try:
            s = c.wrap_socket(socket.create_connection((host, int(port)),
                                                       timeout=3),
                              server_hostname=peer)
            s.sendall(SP_HDR)
            held.append(s)
        except (OSError, ssl.SSLError):
            pass
    print("ready", flush=True)
    sys.stdin.read()


def serve(port, fed, who, peer, seconds):
    c = ctx(fed, who, True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    ls.settimeout(0.5)
    sessions = bad_sessions(who) + [("silence", False, b"")]
    i = 0
    end = time.time() + seconds
    while time.time() < end:
        try:
            raw, _ = ls.accept()
        except socket.timeout:
            continue
        name, plain, payload = sessions[i % len(sessions)]
        i += 1
        try:
            if plain:
                play(raw, False, payload)
                continue
            s = c.wrap_socket(raw, server_side=True)
            if payload is None:
                play(s, True, None)
                continue
            s.sendall(SP_HDR)
            if payload == b"":
                s.settimeout(min(3, max(0.1, end - time.time())))
                try:
                    s.recv(65536)
                except (OSError, ssl.SSLError):
                    pass
                s.close()
                continue
            play(s, False, payload)
        except (OSError, ssl.SSLError) as e:
            print("%s: %s" % (name, e), file=sys.stderr)
    ls.close()
    print("served", i, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "dial":
        dial(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
             float(sys.argv[6]))
    else:
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5],
              float(sys.argv[6]))
