// A small JSON-RPC child for the process transport's tests: plain node, no dependencies.
//
// Flags (any order):
//   --framing ndjson|content-length   how frames travel on stdio (default ndjson)
//   --banner                          print two non-JSON lines on stdout first
//   --crash-after MS                  write two stderr lines, then exit with code 3 after MS
//   --ignore-sigterm                  survive SIGTERM (and stdin EOF): only SIGKILL ends it
//   --grandchild                      spawn a grandchild (sleeping node) at start
//   --close-stdout-after MS           close stdout after MS but keep running
//   --stderr-lines N                  write N numbered lines to stderr at start
// Methods: echo (result = params), args (argv after the script), env (params.name's value),
//   cwd, pid, grandchild (its pid or null), exit (params.code, after params.stderr lines).
'use strict';
const { spawn } = require('child_process');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const framing = value('--framing', 'ndjson');
let grandchild = null;

function write(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (framing === 'content-length') {
    process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
    process.stdout.write(body);
  } else {
    process.stdout.write(Buffer.concat([body, Buffer.from('\n')]));
  }
}

function handle(message) {
  if (message.id === undefined || message.method === undefined) return;
  const p = message.params || {};
  const answer = (result) => write({ jsonrpc: '2.0', id: message.id, result });
  switch (message.method) {
    case 'echo': return answer(p);
    case 'args': return answer(argv);
    case 'env': return answer(process.env[p.name] === undefined ? null : process.env[p.name]);
    case 'cwd': return answer(process.cwd());
    case 'pid': return answer(process.pid);
    case 'grandchild': return answer(grandchild ? grandchild.pid : null);
    case 'exit':
      for (const line of p.stderr || []) process.stderr.write(line + '\n');
      return process.exit(p.code);
    default:
      return write({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'no ' + message.method } });
  }
}

let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    if (framing === 'content-length') {
      const headerEnd = pending.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const match = /Content-Length: *(\d+)/i.exec(pending.subarray(0, headerEnd).toString('ascii'));
      const length = Number(match[1]);
      if (pending.length < headerEnd + 4 + length) return;
      const body = pending.subarray(headerEnd + 4, headerEnd + 4 + length);
      pending = pending.subarray(headerEnd + 4 + length);
      handle(JSON.parse(body.toString('utf8')));
    } else {
      const nl = pending.indexOf('\n');
      if (nl < 0) return;
      const line = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      if (line.trim()) handle(JSON.parse(line));
    }
  }
});

if (flag('--ignore-sigterm')) {
  process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\n'));
  setInterval(() => {}, 1000);
} else {
  process.stdin.on('end', () => process.exit(0));
}
if (flag('--banner')) {
  process.stdout.write('peer.js starting up\n');
  process.stdout.write('Listening on stdio\n');
}
const stderrLines = Number(value('--stderr-lines', '0'));
for (let i = 1; i <= stderrLines; i++) process.stderr.write(`line ${i}\n`);
if (flag('--grandchild')) {
  grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}
if (value('--crash-after') !== undefined) {
  setTimeout(() => {
    process.stderr.write('peer.js: fatal: simulated crash\n');
    process.stderr.write('    at crash (peer.js)\n');
    process.exit(3);
  }, Number(value('--crash-after')));
}
if (value('--close-stdout-after') !== undefined) {
  setTimeout(() => {
    process.stderr.write('closing stdout\n');
    require('fs').closeSync(1);
  }, Number(value('--close-stdout-after')));
  setInterval(() => {}, 1000);
}
