// A JSON-RPC notification flood on the npm `ws` package, for Tether's read-backpressure tests.
// Usage: node flood-peer.js PORT
// Listens on 127.0.0.1 only. Prints "READY <port>" once listening.
// To every client, as fast as it can while respecting TCP backpressure (it writes only while the
// socket's bufferedAmount is under 1 MiB): {"jsonrpc":"2.0","method":"tick","params":{"seq":N}},
// N = 1, 2, 3, ... per connection. Prints "FULL <connection>" the first time a connection's buffer
// reaches 1 MiB (the client stopped reading and TCP pushed back), "OPEN <connection>" and
// "CLOSED <connection>". Answers requests {"id":..,"method":"echo","params":P} with result P.
'use strict';
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 0);
const LIMIT_BYTES = 1024 * 1024;
const BATCH = 512; // notifications per turn of the event loop, so requests are still read

const server = new WebSocketServer({ host: '127.0.0.1', port });
let connections = 0;

server.on('connection', (ws) => {
  const id = ++connections;
  let seq = 0;
  let full = false;
  console.log('OPEN ' + id);
  const pump = () => {
    if (ws.readyState !== WebSocket.OPEN) {
      return;
    }
    for (let i = 0; i < BATCH && ws.bufferedAmount < LIMIT_BYTES; i++) {
      ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'tick', params: { seq: ++seq } }));
    }
    if (ws.bufferedAmount >= LIMIT_BYTES) {
      if (!full) {
        full = true;
        console.log('FULL ' + id);
      }
      setTimeout(pump, 1);
    } else {
      setImmediate(pump);
    }
  };
  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch (e) {
      return;
    }
    if (msg.id !== undefined && msg.method === 'echo') {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: msg.params }));
    }
  });
  ws.on('close', () => console.log('CLOSED ' + id));
  ws.on('error', (e) => console.log('ERROR ' + id + ' ' + e.message));
  pump();
});
server.on('listening', () => console.log('READY ' + server.address().port));
server.on('error', (e) => {
  console.error('ERROR ' + e.message);
  process.exit(2);
});
