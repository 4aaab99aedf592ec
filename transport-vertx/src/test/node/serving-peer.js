// A bidirectional JSON-RPC 2.0 server on the npm `json-rpc-2.0` package (JSONRPCServerAndClient)
// over the npm `ws` package, that sends requests to its client, for Tether's serving tests (I11).
// Usage: node serving-peer.js PORT
// Listens on 127.0.0.1 only. Prints "READY <port>" once listening.
// Methods the client may call:
//   ask {method, params}      sends the request METHOD(PARAMS) to this client, waits for its
//                             answer and returns the whole response: {"result":…} or {"error":…}
//   askLater {method, params} sends the request and returns "sent" at once (the answer, if any,
//                             is recorded like every other)
//   received                  the responses this process has received from its clients, in order
'use strict';
const { WebSocketServer } = require('ws');
const { JSONRPCServer, JSONRPCClient, JSONRPCServerAndClient } = require('json-rpc-2.0');

const port = Number(process.argv[2] || 0);
const received = []; // every response a client sent to this process

const server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 1 << 20 });

server.on('connection', (ws) => {
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => {
      ws.send(JSON.stringify(request));
      return Promise.resolve();
    }),
  );
  peer.addMethod('ask', async ({ method, params }) => {
    const response = await peer.requestAdvanced({ jsonrpc: '2.0', id: nextId(), method, params });
    return response.error ? { error: response.error } : { result: response.result };
  });
  peer.addMethod('askLater', ({ method, params }) => {
    peer.requestAdvanced({ jsonrpc: '2.0', id: nextId(), method, params }).then(
      () => {},
      () => {},
    );
    return 'sent';
  });
  peer.addMethod('received', () => received);
  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch (e) {
      return;
    }
    if (msg && typeof msg === 'object' && !('method' in msg) && ('result' in msg || 'error' in msg)) {
      received.push(msg);
    }
    peer.receiveAndSend(msg).catch((e) => console.log('ERROR ' + e.message));
  });
  ws.on('close', () => peer.rejectAllPendingRequests('connection closed'));
});

let lastId = 0;
function nextId() {
  lastId += 1;
  return 'srv-' + lastId;
}

server.on('listening', () => {
  console.log('READY ' + server.address().port);
});
