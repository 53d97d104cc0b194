#!/usr/bin/python3
"""coap_junk.py HOST PORT COUNT RUNTS: send COUNT junk datagrams to a CoAP
server on loopback: RUNTS of 1-3 bytes, the rest 4-64 random bytes that no
CoAP parser accepts (version 0, 2 or 3, or version 1 with a token length
over 8). libcoap answers each parsed-but-malformed one with an RST, which
paces the sender (at most WINDOW in flight) so the node's socket buffer
never drops one; runts get no answer and go slowly. Prints what it sent."""
import os, random, socket, sys, time

host, port, count, runts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
WINDOW = 64
rng = random.Random(9)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((host, port))
s.settimeout(2.0)

def junk():
    n = rng.randint(4, 64)
    b = bytearray(rng.getrandbits(8) for _ in range(n))
    if rng.random() < 0.8:
        b[0] = (rng.choice((0, 2, 3)) << 6) | (b[0] & 0x3f)
    else:
        b[0] = (1 << 6) | (b[0] & 0x30) | rng.randint(9, 15)
    return bytes(b)

sent = inflight = 0
lost = 0
for _ in range(count - runts):
    s.send(junk())
    sent += 1
    inflight += 1
    while inflight >= WINDOW:
        try:
            s.recv(2048)
            inflight -= 1
        except socket.timeout:
            lost += 1
            inflight = 0
while inflight > 0:
    try:
        s.recv(2048)
        inflight -= 1
    except socket.timeout:
        break
for i in range(runts):
    s.send(bytes(rng.getrandbits(8) for _ in range(1 + i % 3)))
    sent += 1
    time.sleep(0.001)
print(sent, "sent", lost, "pacing timeouts")
