'use strict';
// A plain socket.io 4.x server for the SocketIo-layer integration tests (tests/SailSocket.IntegrationTests/SocketIo).
//
//   PORT=0 node server.js      -> prints "SOCKETIO APP LISTENING on 127.0.0.1:<port>"
//
// Environment:
//   ALLOW_EIO3=1               also accept Engine.IO 3 / Socket.IO protocol 4 clients (socket.io's allowEIO3)
//   TRANSPORTS=polling,websocket
//   MAX_HTTP_BUFFER_SIZE=N     the largest message the server accepts (default 1e6, socket.io's own default)
//   PING_INTERVAL, PING_TIMEOUT
//
// Namespaces "/", "/chat" and "/admin" (the last behind an auth middleware) all answer the same events:
//   echo(...args, ack)         acks the arguments back as received: Buffers come back as binary attachments
//   whoami(ack)                { id, engineId, nsp, auth, protocol, transport }: what the server knows of this socket
//   digest(...args, ack)       [{ length, sha256 }] of every Buffer found in the arguments, depth first
//   emit-binary(spec, ack)     emits "binary" with spec.count Buffers of spec.size bytes (byte i of buffer k is
//                              (i * 31 + k) & 0xff), nested in an object and an array; then acks
//   disconnect-me()            disconnects this socket from its namespace only (socket.disconnect())
// GET /stats returns { handshakes: { "3": n, "4": m } } (Engine.IO handshakes by protocol revision).
//
// Binds 127.0.0.1 only. Exits when its standard input closes, so it never outlives the process that started it.
const crypto = require('crypto');
const http = require('http');
const { Server } = require('socket.io');

const port = Number.parseInt(process.env.PORT || '0', 10);
const handshakes = { 3: 0, 4: 0 };
const httpServer = http.createServer((req, res) => {
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ handshakes }));
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(httpServer, {
  allowEIO3: process.env.ALLOW_EIO3 === '1',
  transports: (process.env.TRANSPORTS || 'polling,websocket').split(','),
  pingInterval: Number(process.env.PING_INTERVAL || 25000),
  pingTimeout: Number(process.env.PING_TIMEOUT || 20000),
  maxHttpBufferSize: Number(process.env.MAX_HTTP_BUFFER_SIZE || 1e6),
  serveClient: false,
  cors: { origin: true },
});
io.engine.on('connection', (conn) => {
  handshakes[conn.protocol] = (handshakes[conn.protocol] || 0) + 1;
});

function collectBuffers(value, found) {
  if (Buffer.isBuffer(value)) {
    found.push(value);
  } else if (Array.isArray(value)) {
    value.forEach((item) => collectBuffers(item, found));
  } else if (value && typeof value === 'object') {
    Object.keys(value).forEach((key) => collectBuffers(value[key], found));
  }
  return found;
}

function pattern(size, k) {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    buffer[i] = (i * 31 + k) & 0xff;
  }
  return buffer;
}

function splitAck(args) {
  const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
  return [args, ack];
}

function serve(socket) {
  socket.on('echo', (...raw) => {
    const [args, ack] = splitAck(raw);
    if (ack) ack(...args);
  });
  socket.on('whoami', (...raw) => {
    const [, ack] = splitAck(raw);
    if (ack) {
      ack({
        id: socket.id,
        engineId: socket.conn.id,
        nsp: socket.nsp.name,
        auth: socket.handshake.auth,
        protocol: socket.conn.protocol,
        transport: socket.conn.transport.name,
      });
    }
  });
  socket.on('digest', (...raw) => {
    const [args, ack] = splitAck(raw);
    const digests = collectBuffers(args, []).map((b) => ({
      length: b.length,
      sha256: crypto.createHash('sha256').update(b).digest('hex'),
    }));
    if (ack) ack(digests);
  });
  socket.on('emit-binary', (...raw) => {
    const [args, ack] = splitAck(raw);
    const spec = args[0] || {};
    const count = spec.count || 1;
    const size = spec.size || 16;
    const buffers = [];
    for (let k = 0; k < count; k++) {
      buffers.push(pattern(size, k));
    }
    socket.emit('binary', { first: buffers[0], rest: buffers.slice(1) }, 'tail');
    if (ack) ack(count);
  });
  socket.on('disconnect-me', () => socket.disconnect());
}

io.on('connection', serve);
io.of('/chat').on('connection', serve);
const admin = io.of('/admin');
admin.use((socket, next) => {
  const token = socket.handshake.auth && socket.handshake.auth.token;
  if (token === 'let-me-in') {
    next();
    return;
  }
  const err = new Error(token ? 'bad token' : 'no token');
  err.data = { code: token ? 'BAD_TOKEN' : 'NO_TOKEN', seen: token || null };
  next(err);
});
admin.on('connection', serve);

require('../node-app-lifetime')(httpServer, io, port);
