#!/usr/bin/python3
"""analyse.py OUT -- the records of one sims run to CSVs and PNG plots.

Reads OUT/issued.csv (t_ms,origin,hash,tag), OUT/events.csv, every node's
log (OUT/federation/nodes/*/log: "store: stored <hash16> ... from <peer>"
lines, written when the record is committed: the event, no polling) and
OUT/relay-sessions.txt, and writes:

  propagation.csv  hash,tag,origin,node,issued_ms,seen_ms,latency_ms,from
                   issued_ms: stored at the origin ("from local");
                   seen_ms: first stored at the node
  records.csv      per record: nodes reached, latency to the last node
  latency.csv      per tag: records, p50/p90/p99/max of issue -> every node
                   and of issue -> each node
  hops.csv         per tag and hop count (the path walked back along
                   "from" to the origin): pairs, p50/p99/max of issue ->
                   node; and per tag (hops "each"): one hop, a node's
                   first store minus its sender's, p50/p90/p99/max
  convergence.csv  t_s (since the first issue), delivered (record, node)
                   pairs, fraction of the final number
  sessions.csv     per relay session (one peer connection = one sync):
                   link, start/end, bytes each way, turns, round_trips
  propagation_cdf.png, convergence.png (gnuplot)

Run once per scenario by sims/run; not in any loop.
"""
import csv, os, re, subprocess, sys
from datetime import datetime, timezone

out = sys.argv[1]
nodes_dir = os.path.join(out, 'federation', 'nodes')
line_re = re.compile(r'^(\S+Z) \w+\s+store: stored (\w{16}) \S+ \S+ ver \d+ seq \d+ from (\S+)')


def ms(ts):
    return datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%fZ').replace(
        tzinfo=timezone.utc).timestamp() * 1000


def pct(v, p):
    if not v:
        return ''
    v = sorted(v)
    k = min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))
    return round(v[k], 1)


issued = list(csv.DictReader(open(os.path.join(out, 'issued.csv'))))
events = list(csv.DictReader(open(os.path.join(out, 'events.csv'))))
want = {r['hash'][:16]: r for r in issued if r['hash']}
seen = {}  # hash16 -> node -> (ms, from)
nodes = sorted(os.listdir(nodes_dir)) if os.path.isdir(nodes_dir) else []
for n in nodes:
    try:
        f = open(os.path.join(nodes_dir, n, 'log'), errors='replace')
    except OSError:
        continue
    for l in f:
        m = line_re.match(l)
        if m and m[2] in want:
            seen.setdefault(m[2], {}).setdefault(n, (ms(m[1]), m[3]))

# Nodes down (killed, restored, not yet joined) at a record's issue time get
# it by catch-up on return: those pairs are counted under "TAG:catchup",
# not as propagation.
down = {}  # node -> [(from_ms, to_ms)]
for e in events:
    n, t = (e['detail'].split() or [''])[0], float(e['t_ms'])
    if e['event'] in ('kill', 'cold'):
        down.setdefault(n, []).append([t, float('inf')])
    elif e['event'] in ('restart', 'join') and down.get(n):
        down[n][-1][1] = t


def was_down(n, t):
    return any(a <= t < b for a, b in down.get(n, []))


rows, per_tag, pairs = [], {}, []
with open(os.path.join(out, 'records.csv'), 'w') as rf:
    rw = csv.writer(rf)
    rw.writerow(['hash', 'tag', 'origin', 'nodes_reached', 'to_last_node_ms'])
    for h, r in want.items():
        s = seen.get(h, {})
        o = s.get(r['origin'])
        t0 = o[0] if o else float(r['t_ms'])
        lat = []
        for n, (t, src) in sorted(s.items()):
            rows.append([r['hash'], r['tag'], r['origin'], n, int(t0), int(t),
                         round(t - t0, 1), src])
            if n == r['origin']:
                continue
            pairs.append(t)
            if was_down(n, t0):
                d = per_tag.setdefault((r['tag'] or '-') + ':catchup', {'every': [], 'each': []})
                d['each'].append(t - t0)
                d['every'].append(t - t0)
            else:
                lat.append(t - t0)
        last = max(lat) if lat else 0
        rw.writerow([r['hash'], r['tag'], r['origin'], len(s), round(last, 1)])
        d = per_tag.setdefault(r['tag'] or '-', {'every': [], 'each': []})
        d['every'].append(last)
        d['each'].extend(lat)
with open(os.path.join(out, 'propagation.csv'), 'w') as f:
    w = csv.writer(f)
    w.writerow(['hash', 'tag', 'origin', 'node', 'issued_ms', 'seen_ms', 'latency_ms', 'from'])
    w.writerows(rows)
with open(os.path.join(out, 'latency.csv'), 'w') as f:
    w = csv.writer(f)
    w.writerow(['tag', 'records', 'every_p50_ms', 'every_p90_ms', 'every_p99_ms', 'every_max_ms',
                'each_p50_ms', 'each_p99_ms', 'each_max_ms'])
    for tag, d in per_tag.items():
        e, a = d['every'], d['each']
        w.writerow([tag, len(e), pct(e, 50), pct(e, 90), pct(e, 99), pct(e, 100),
                    pct(a, 50), pct(a, 99), pct(a, 100)])
        print(f'latency {tag}: {len(e)} records, issue -> every node p50 {pct(e, 50)} '
              f'p99 {pct(e, 99)} max {pct(e, 100)} ms; -> each node p50 {pct(a, 50)} p99 {pct(a, 99)} ms')

# Per hop: walk each (record, node) back along "from" to the origin.
hop_lat, hop_one = {}, {}  # (tag, hops) -> latencies; tag -> one-hop times
for h, r in want.items():
    s = seen.get(h, {})
    tag = r['tag'] or '-'
    for n, (t, src) in s.items():
        if n == r['origin'] or src not in s:
            continue
        hop_one.setdefault(tag, []).append(t - s[src][0])
        k, cur = 1, src
        while cur != r['origin'] and cur in s and k < len(s):
            cur, k = s[cur][1], k + 1
        if cur == r['origin']:
            hop_lat.setdefault((tag, k), []).append(t - s[r['origin']][0])
with open(os.path.join(out, 'hops.csv'), 'w') as f:
    w = csv.writer(f)
    w.writerow(['tag', 'hops', 'pairs', 'p50_ms', 'p90_ms', 'p99_ms', 'max_ms'])
    for tag, v in sorted(hop_one.items()):
        w.writerow([tag, 'each', len(v), pct(v, 50), pct(v, 90), pct(v, 99), pct(v, 100)])
    for (tag, k), v in sorted(hop_lat.items()):
        w.writerow([tag, k, len(v), pct(v, 50), pct(v, 90), pct(v, 99), pct(v, 100)])

t_first = min((float(r['t_ms']) for r in issued), default=0)
pairs.sort()
with open(os.path.join(out, 'convergence.csv'), 'w') as f:
    w = csv.writer(f)
    w.writerow(['t_s', 'delivered', 'fraction'])
    for i, t in enumerate(pairs, 1):
        w.writerow([round((t - t_first) / 1000, 3), i, round(i / len(pairs), 4)])

sess = os.path.join(out, 'relay-sessions.txt')
with open(os.path.join(out, 'sessions.csv'), 'w') as f:
    w = csv.writer(f)
    w.writerow(['link', 'start_ms', 'end_ms', 'bytes_dialer_to_listener',
                'bytes_listener_to_dialer', 'turns', 'round_trips', 'why'])
    if os.path.exists(sess):
        for l in open(sess):
            p = l.split()
            if len(p) == 7:
                w.writerow([p[1], p[2], p[0], p[3], p[4], p[5], int(p[5]) // 2, p[6]])

# plots: one gnuplot run
gp = []
tags = [t for t in per_tag if per_tag[t]['each'] and ':' not in t]
if tags:
    for t in tags:
        v = sorted(per_tag[t]['each'])
        with open(os.path.join(out, f'cdf-{t}.dat'), 'w') as f:
            for i, x in enumerate(v, 1):
                f.write(f'{x:.1f} {i / len(v):.4f}\n')
    gp.append(f"set terminal pngcairo size 900,540 noenhanced; set output '{out}/propagation_cdf.png'")
    gp.append("set title 'Propagation: issue on the origin -> stored on each node'; "
              "set xlabel 'latency (ms)'; set ylabel 'fraction of (record, node) pairs'; "
              "set key bottom right; set grid; set logscale x")
    gp.append('plot ' + ', '.join(f"'{out}/cdf-{t}.dat' using 1:2 with steps title '{t}'" for t in tags))
if pairs:
    gp.append(f"set terminal pngcairo size 900,540 noenhanced; set output '{out}/convergence.png'; unset logscale x")
    gp.append("set title 'Convergence: (record, node) pairs delivered over time'; "
              "set xlabel 'time since first issue (s)'; set ylabel 'fraction delivered'; "
              "set key off; set grid; set datafile separator ','")
    for i, e in enumerate(events):
        if e['event'] in ('kill', 'restart', 'cut', 'heal', 'restore', 'phase', 'join'):
            x = (float(e['t_ms']) - t_first) / 1000
            if x >= 0:
                lab = (e['event'] + ' ' + e['detail'])[:24].replace("'", '')
                gp.append(f"set arrow from {x:.3f}, graph 0 to {x:.3f}, graph 1 nohead lc rgb 'grey'")
                gp.append(f"set label '{lab}' at {x:.3f}, graph {0.95 - 0.05 * (i % 8):.2f} font ',8'")
    gp.append(f"plot '{out}/convergence.csv' every ::1 using 1:3 with steps lw 2")
if gp:
    r = subprocess.run(['gnuplot'], input='\n'.join(gp) + '\n', text=True,
                       capture_output=True)
    if r.returncode != 0:
        print('gnuplot:', r.stderr.strip()[:400], file=sys.stderr)
