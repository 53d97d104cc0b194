#!/usr/bin/env node
// nodecoap_observe.js -- observe one CoAP resource with node-coap (the npm
// package `coap`, an independent CoAP stack) for integration tests.
//
//   node nodecoap_observe.js URL ACCEPT SECONDS
//
//   URL      coap://host:port/path
//   ACCEPT   a content format name node-coap knows (text/plain,
//            application/cbor, application/json, ...)
//   SECONDS  lifetime: after it the observation is cancelled (GET with
//            Observe: 1) and the process exits 0
//
// stdout: one JSON line per notification node-coap delivers (a body of
// several blocks is delivered once, whole):
//   {"t_ms": ms since start, "observe": the Observe value of the message
//    that completed it (null if it had none), "bytes": body length,
//    "text": body (text/plain) or "base64": body (any other format),
//    "content-format": the Content-Format (null: absent = text/plain)}
// stderr: one JSON line per datagram sent or received on node-coap's
// socket ({"dir": "out"|"in", "type", "code", "mid", "token" (hex),
// "observe", "block2" [num, more, size]}) and a last line {"end": reason}.
// Exit status: 0 at the end of the lifetime, 1 on a request error or
// if the observation ends before it (a 4.xx/5.xx response or a RST).
// The module is found through NODE_PATH (scripts/deps installs it into
// build/npm/node_modules).
'use strict';
const coap = require('coap');
const packet = require('coap-packet');

const [url, accept, seconds] = process.argv.slice(2);
if (!url || !accept || !(Number(seconds) > 0)) {
	process.stderr.write('usage: nodecoap_observe.js URL ACCEPT SECONDS\n');
	process.exit(2);
}
const t0 = Date.now();
const u = new URL(url);
const agent = new coap.Agent({ type: u.hostname.includes(':') ? 'udp6' : 'udp4' });

function optval(p, name) {
	const o = (p.options || []).find((x) => x.name === name);
	if (!o) return null;
	let v = 0;
	for (const b of o.value) v = v * 256 + b;
	return v;
}
function trace(dir, buf) {
	let p;
	try { p = packet.parse(buf); } catch (e) { return; }
	const b2 = optval(p, 'Block2');
	const type = p.ack ? 'ACK' : p.reset ? 'RST' : p.confirmable ? 'CON' : 'NON';
	process.stderr.write(JSON.stringify({
		t_ms: Date.now() - t0, dir, type, code: p.code, mid: p.messageId,
		token: p.token ? p.token.toString('hex') : '',
		observe: optval(p, 'Observe'),
		block2: b2 === null ? null : [b2 >> 4, (b2 >> 3) & 1, 16 << (b2 & 7)],
		bytes: p.payload ? p.payload.length : 0,
	}) + '\n');
}

const req = agent.request({
	hostname: u.hostname.replace(/^\[|\]$/g, ''),
	port: Number(u.port) || 5683,
	pathname: u.pathname,
	method: 'GET',
	observe: true,
	confirmable: true,
});
req.setOption('Accept', accept);
// Trace the socket: what node-coap sends (block requests included) and
// what arrives, before node-coap filters or reassembles it.
const sock = agent._sock;
if (sock) {
	const send = sock.send.bind(sock);
	sock.send = (buf, ...rest) => { trace('out', buf); return send(buf, ...rest); };
	sock.prependListener('message', (msg) => trace('in', msg));
}

let res = null;
let done = false;
function finish(code, why) {
	if (done) return;
	done = true;
	process.stderr.write(JSON.stringify({ end: why }) + '\n');
	// Cancel with node-coap's own deregistration (GET with Observe: 1 on
	// the token). Not res.close(true): node-coap 1.5 closes its socket
	// on 'close' before it sends the cancel, and throws.
	if (res && code === 0) res.emit('deregister');
	// give the cancel a moment on the wire, then leave
	setTimeout(() => process.exit(code), 500);
}

req.on('response', (r) => {
	res = r;
	if (!r.code.startsWith('2.')) {
		process.stdout.write(JSON.stringify({
			t_ms: Date.now() - t0, code: r.code, text: r.payload.toString('utf8'),
		}) + '\n');
		finish(1, 'response ' + r.code);
		return;
	}
	r.on('data', (body) => {
		const cf = r.headers['Content-Format'];
		const line = {
			t_ms: Date.now() - t0,
			observe: typeof r.headers.Observe === 'number' ? r.headers.Observe : null,
			bytes: body.length,
		};
		if (cf === undefined || cf === 'text/plain' || cf === 'text/plain;charset=utf-8')
			line.text = body.toString('utf8');
		else
			line.base64 = body.toString('base64');
		line['content-format'] = cf === undefined ? null : cf;
		process.stdout.write(JSON.stringify(line) + '\n');
	});
	r.on('end', () => finish(done ? 0 : 1, 'observation ended by the server'));
});
req.on('error', (e) => finish(1, 'error: ' + e.message));
req.end();

setTimeout(() => finish(0, 'lifetime'), Number(seconds) * 1000);
process.on('SIGTERM', () => finish(0, 'SIGTERM'));
process.on('SIGINT', () => finish(0, 'SIGINT'));
