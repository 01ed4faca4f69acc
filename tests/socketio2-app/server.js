'use strict';
// A plain socket.io 2.x server (Engine.IO 3 / Socket.IO protocol 4 only): the peer for EngineRevisionSelection.Auto
// against a server that cannot speak Engine.IO 4 (tests/SailSocket.IntegrationTests/Transports).
//
//   PORT=0 node server.js      -> prints "SOCKETIO APP LISTENING on 127.0.0.1:<port>"
//
// Events on "/": echo(...args, ack) acks the arguments back; whoami(ack) gives { id, engineId, eio, transport }.
// GET /stats returns { handshakes: { "<EIO query value>": n } }: every Engine.IO handshake by the revision the client
// asked for. engine.io 3 does not check EIO, so a client asking for 4 is answered in revision 3 framing.
//
// Binds 127.0.0.1 only. Exits when its standard input closes.
const http = require('http');
const socketio = require('socket.io');

const port = Number.parseInt(process.env.PORT || '0', 10);
const handshakes = {};
const httpServer = http.createServer((req, res) => {
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ handshakes }));
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = socketio(httpServer, {
  transports: (process.env.TRANSPORTS || 'polling,websocket').split(','),
  pingInterval: Number(process.env.PING_INTERVAL || 25000),
  pingTimeout: Number(process.env.PING_TIMEOUT || 5000),
  serveClient: false,
});
io.engine.on('connection', (conn) => {
  const eio = String(conn.request._query.EIO);
  handshakes[eio] = (handshakes[eio] || 0) + 1;
});

io.on('connection', (socket) => {
  socket.on('echo', (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (ack) ack(...args);
  });
  socket.on('whoami', (ack) => {
    if (typeof ack === 'function') {
      ack({ id: socket.id, engineId: socket.conn.id, eio: socket.conn.request._query.EIO, transport: socket.conn.transport.name });
    }
  });
});

require('../node-app-lifetime')(httpServer, io, port);
