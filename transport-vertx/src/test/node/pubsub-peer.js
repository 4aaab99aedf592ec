// A pub/sub JSON-RPC server in the eth_subscribe convention, on the npm `json-rpc-2.0` library
// (server and client over one `ws` socket), for Tether's server-named subscription tests.
// Usage: node pubsub-peer.js PORT TICK_MILLIS
// Listens on 127.0.0.1 only. Prints "READY <port>" once listening.
//   eth_subscribe([name])   -> a subscription id of its own: "0x" + 16 random hex digits, so ids
//                              differ per server process; prints "SUB <name> <id>"
//   eth_unsubscribe([id])   -> true if the id was live on this connection, else false; prints
//                              "UNSUB <id> <true|false>"
// Every TICK_MILLIS each live subscription gets an event
//   {"jsonrpc":"2.0","method":"eth_subscription",
//    "params":{"subscription":ID,"result":{"stream":NAME,"id":ID,"pid":PID,"seq":N}}}
// with N counting from 1 per subscription. A closed socket's subscriptions end with it.
'use strict';
const crypto = require('crypto');
const { WebSocketServer } = require('ws');
const { JSONRPCServer, JSONRPCClient, JSONRPCServerAndClient } = require('json-rpc-2.0');

const port = Number(process.argv[2] || 0);
const tickMillis = Number(process.argv[3] || 20);

const server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 1 << 20 });

server.on('connection', (ws) => {
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => {
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify(request));
      }
    }),
  );
  const live = new Map(); // id -> timer

  peer.addMethod('eth_subscribe', (params) => {
    const name = Array.isArray(params) ? params[0] : undefined;
    if (typeof name !== 'string' || name === '') {
      throw new Error('eth_subscribe needs a subscription name');
    }
    const id = '0x' + crypto.randomBytes(8).toString('hex');
    let seq = 0;
    const timer = setInterval(() => {
      seq += 1;
      peer.notify('eth_subscription', {
        subscription: id,
        result: { stream: name, id, pid: process.pid, seq },
      });
    }, tickMillis);
    live.set(id, timer);
    console.log('SUB ' + name + ' ' + id);
    return id;
  });

  peer.addMethod('eth_unsubscribe', (params) => {
    const id = Array.isArray(params) ? params[0] : undefined;
    const timer = live.get(id);
    if (timer !== undefined) {
      clearInterval(timer);
      live.delete(id);
    }
    console.log('UNSUB ' + id + ' ' + (timer !== undefined));
    return timer !== undefined;
  });

  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch (e) {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
      return;
    }
    peer.receiveAndSend(msg).catch((e) => console.error('receive failed: ' + e));
  });

  ws.on('close', () => {
    for (const timer of live.values()) {
      clearInterval(timer);
    }
    live.clear();
    peer.rejectAllPendingRequests('connection closed');
  });
});

server.on('listening', () => {
  console.log('READY ' + server.address().port);
});
