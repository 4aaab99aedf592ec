// A WebSocket JSON-RPC peer on the npm `ws` package that refuses members it does not know, as
// some protocols do, for Tether's envelope tests.
// Usage: node strict-peer.js PORT
// Listens on 127.0.0.1 only. Prints "READY <port>" once listening.
// A request with any member other than id, method, sessionId, params (e.g. "jsonrpc") gets the
// error response WITHOUT an id:
//   {"error":{"code":-32600,"message":"Message has property other than 'id', 'method', 'sessionId', 'params'"}}
// Any other request {"id":I,"method":M,"params":P} gets {"id":I,"result":P} (null without params).
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 0);
const ALLOWED = new Set(['id', 'method', 'sessionId', 'params']);
const REFUSAL = {
  error: {
    code: -32600,
    message: "Message has property other than 'id', 'method', 'sessionId', 'params'",
  },
};

const server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 1 << 20 });

server.on('connection', (ws) => {
  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch (e) {
      ws.send(JSON.stringify({ error: { code: -32700, message: 'Parse error' } }));
      return;
    }
    if (msg === null || typeof msg !== 'object' || Object.keys(msg).some((k) => !ALLOWED.has(k))) {
      ws.send(JSON.stringify(REFUSAL));
      return;
    }
    ws.send(JSON.stringify({ id: msg.id, result: msg.params === undefined ? null : msg.params }));
  });
});

server.on('listening', () => {
  console.log('READY ' + server.address().port);
});
