// A peer endpoint (DESIGN.md, "Peer endpoint protocol") written with Node's own net module, for
// Tether's consented-registration tests: newline-delimited JSON over TCP on 127.0.0.1.
// Usage: node consent-peer.js PORT NAME [ACCEPTED_SOURCE...]
// Prints "READY <port>" once listening, then "GOT <method> <source>" for every request it reads.
// On every connection: one alert, then the snapshot; only then it reads requests.
// peer.register: ack for an accepted source, otherwise error "unknown-source";
// peer.unregister: always ack; anything else: error "unknown-method".
'use strict';
const net = require('net');

const port = Number(process.argv[2]);
const name = process.argv[3];
const accepted = new Set(process.argv.slice(4));
const MAX_LINE_CHARS = 1 << 20; // a peer must bound its input too

function send(socket, event, data) {
  socket.write(JSON.stringify({ event, data }) + '\n');
}

function handle(socket, line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return send(socket, 'error', { id: null, code: 'malformed-request', message: 'not JSON' });
  }
  const id = msg.id;
  const source = msg.params && msg.params.source;
  console.log('GOT ' + msg.method + ' ' + source);
  if (msg.method === 'peer.register') {
    if (accepted.has(source)) return send(socket, 'ack', { id });
    return send(socket, 'error', { id, code: 'unknown-source', message: source + ' is not accepted by ' + name });
  }
  if (msg.method === 'peer.unregister') return send(socket, 'ack', { id });
  return send(socket, 'error', { id, code: 'unknown-method', message: 'unknown method' });
}

const server = net.createServer((socket) => {
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  send(socket, 'alert', { level: 'info', text: name + ' is a Node peer' });
  send(socket, 'snapshot', { name, status: 'ready' });
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.length > 0) handle(socket, line);
    }
    if (pending.length > MAX_LINE_CHARS) socket.destroy();
  });
});

server.on('error', (e) => {
  console.error('ERROR ' + e.message);
  process.exit(2);
});
server.listen(port, '127.0.0.1', () => console.log('READY ' + server.address().port));
