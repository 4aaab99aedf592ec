// A real rpc-websockets server (the npm package) for Tether's transport tests.
// Usage: node rpc-websockets-peer.js PORT TICK_MILLIS
// Listens on 127.0.0.1 only. Prints "READY <port>" once listening.
// Methods: echo(params) -> params; sum([a, b]) -> a + b; slow([millis, value]) -> value after millis.
// Event: "tick" with {"seq": n, "pid": process.pid}, emitted every TICK_MILLIS ms.
'use strict';
const { Server } = require('rpc-websockets');

const port = Number(process.argv[2] || 0);
const tickMillis = Number(process.argv[3] || 10);

const server = new Server({ host: '127.0.0.1', port });
server.register('echo', (params) => params);
server.register('sum', (params) => params[0] + params[1]);
server.register('slow', (params) =>
  new Promise((resolve) => setTimeout(() => resolve(params[1]), params[0])));
server.event('tick');

let seq = 0;
server.on('listening', () => {
  console.log('READY ' + server.wss.address().port);
  setInterval(() => server.emit('tick', { seq: ++seq, pid: process.pid }), tickMillis);
});
server.on('error', (e) => {
  console.error('ERROR ' + e.message);
  process.exit(2);
});
