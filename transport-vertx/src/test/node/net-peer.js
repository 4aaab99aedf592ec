// A newline-delimited JSON-RPC 2.0 peer written with Node's own net module, for Tether's
// transport tests. Speaks the vm-service dialect: streamListen/streamCancel with {"streamId"},
// events as "streamNotify" notifications with params.streamId.
// Usage: node net-peer.js tcp PORT TICK_MILLIS   (listens on 127.0.0.1)
//        node net-peer.js unix PATH TICK_MILLIS
// Prints "READY <port or path>" once listening.
// Methods: getVersion, echo, streamListen, streamCancel, slow({millis, value}) -> value later.
'use strict';
const net = require('net');
const fs = require('fs');

const kind = process.argv[2];
const where = process.argv[3];
const tickMillis = Number(process.argv[4] || 10);
const MAX_LINE_CHARS = 1 << 20; // a peer must bound its input too

let seq = 0;
const clients = new Set();

function send(socket, obj) {
  socket.write(JSON.stringify(obj) + '\n');
}

function handle(socket, streams, line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    send(socket, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    return;
  }
  if (msg.id === undefined || msg.id === null) {
    return; // a notification: nothing to answer
  }
  const reply = (result) => send(socket, { jsonrpc: '2.0', id: msg.id, result });
  const fail = (code, message) => send(socket, { jsonrpc: '2.0', id: msg.id, error: { code, message } });
  const streamId = msg.params && msg.params.streamId;
  switch (msg.method) {
    case 'getVersion':
      return reply({ type: 'Version', major: 4, minor: 0 });
    case 'echo':
      return reply(msg.params === undefined ? null : msg.params);
    case 'slow':
      setTimeout(() => reply(msg.params.value), msg.params.millis);
      return undefined;
    case 'streamListen':
      if (streams.has(streamId)) return fail(103, 'Stream already subscribed');
      streams.add(streamId);
      return reply({ type: 'Success' });
    case 'streamCancel':
      if (!streams.has(streamId)) return fail(104, 'Stream not subscribed');
      streams.delete(streamId);
      return reply({ type: 'Success' });
    default:
      return fail(-32601, 'Method not found');
  }
}

const server = net.createServer((socket) => {
  const client = { socket, streams: new Set() };
  clients.add(client);
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.length > 0) handle(socket, client.streams, line);
    }
    if (pending.length > MAX_LINE_CHARS) socket.destroy();
  });
  socket.on('error', () => {});
  socket.on('close', () => clients.delete(client));
});

server.on('error', (e) => {
  console.error('ERROR ' + e.message);
  process.exit(2);
});

function ready() {
  console.log('READY ' + (kind === 'unix' ? where : server.address().port));
  setInterval(() => {
    seq++;
    for (const c of clients) {
      for (const streamId of c.streams) {
        send(c.socket, {
          jsonrpc: '2.0',
          method: 'streamNotify',
          params: { streamId, event: { kind: 'Tick', seq, pid: process.pid } },
        });
      }
    }
  }, tickMillis);
}

if (kind === 'unix') {
  // A SIGKILLed predecessor leaves its socket file behind; a restart on the same path removes it.
  try { fs.unlinkSync(where); } catch (e) { /* absent */ }
  server.listen(where, ready);
} else if (kind === 'tcp') {
  server.listen(Number(where), '127.0.0.1', ready);
} else {
  console.error('usage: net-peer.js tcp PORT TICK_MILLIS | unix PATH TICK_MILLIS');
  process.exit(2);
}
