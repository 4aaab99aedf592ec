// A language server that crashes on purpose, for the restart tests: it runs the real server given
// as its first argument in this process (so the JSON-RPC is the real server's own) and watches the
// client's messages on stdin.
//
//   node lsp-crash.js --before-initialize SERVER --stdio
//       reads the client's `initialize`, writes a line to stderr and exits 1 before answering it
//   node lsp-crash.js --after-initialized MILLIS SERVER --stdio
//       the real server answers `initialize`; MILLIS after the client's `initialized` this process
//       exits 70, every time it is started
'use strict';

const path = require('path');

const mode = process.argv[2];
let serverArg = 3;
let afterMillis = 0;
if (mode === '--after-initialized') {
  afterMillis = Number(process.argv[3]);
  serverArg = 4;
} else if (mode !== '--before-initialize') {
  process.stderr.write(`lsp-crash: unknown mode ${mode}\n`);
  process.exit(2);
}
const server = path.resolve(process.argv[serverArg]);
// The real server reads --stdio from argv: leave it what follows the server's path.
process.argv.splice(2, serverArg - 1);

// The client's frames are small; a bounded tail of stdin is enough to see a method name that
// arrives split across two reads.
const TAIL_CHARS = 4096;
let seen = '';
process.stdin.on('data', (chunk) => {
  seen = (seen + chunk.toString('utf8')).slice(-TAIL_CHARS);
  if (mode === '--before-initialize' && seen.includes('"method":"initialize"')) {
    process.stderr.write('lsp-crash: cannot load the workspace settings, giving up\n');
    process.exit(1);
  }
  if (mode === '--after-initialized' && seen.includes('"method":"initialized"')) {
    seen = '';
    setTimeout(() => {
      process.stderr.write(`lsp-crash: crashing ${afterMillis} ms after initialized\n`);
      process.exit(70);
    }, afterMillis);
  }
});

if (mode === '--after-initialized') {
  require(server);
}
