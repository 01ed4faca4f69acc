'use strict';
// A plain socket.io 4.8.1 server that answers every Sails-style `get` at once with a JWR
// ({body, headers, statusCode}), so that a load run against it measures the client, not the server.
//
//   PORT=0 node server.js      -> prints "SOCKETIO ACK SERVER LISTENING on 127.0.0.1:<port>"
//   TLS_CERT=cert.pem TLS_KEY=key.pem PORT=0 node server.js   -> the same over https/wss (the load tool's --tls)
//
// Binds 127.0.0.1 only. Exits when its standard input closes, so it never outlives the process that started it.
const fs = require('fs');
const http = require('http');
const https = require('https');
const { Server } = require('socket.io');

const port = Number.parseInt(process.env.PORT || '0', 10);
function notFound(req, res) {
  res.writeHead(404);
  res.end();
}
const tls = process.env.TLS_CERT && process.env.TLS_KEY;
const httpServer = tls
  ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }, notFound)
  : http.createServer(notFound);
const io = new Server(httpServer, {
  transports: (process.env.TRANSPORTS || 'polling,websocket').split(','),
  pingInterval: Number(process.env.PING_INTERVAL || 25000),
  pingTimeout: Number(process.env.PING_TIMEOUT || 20000),
  maxHttpBufferSize: 1e8,
  serveClient: false,
  // Thousands of sockets from one load process: no per-socket compression state.
  perMessageDeflate: false,
  httpCompression: false,
});

// Echo what a Sails /echo would echo about the request, so the response body is comparable in size.
function reply(envelope, ack) {
  if (typeof ack !== 'function') {
    return;
  }
  const url = envelope && typeof envelope.url === 'string' ? envelope.url : null;
  ack({
    body: { method: envelope && envelope.method, url: url, isSocket: true },
    headers: {},
    statusCode: 200,
  });
}

io.on('connection', (socket) => {
  for (const verb of ['get', 'post', 'put', 'patch', 'delete']) {
    socket.on(verb, reply);
  }
});

httpServer.listen(port, '127.0.0.1', () => {
  const address = httpServer.address();
  console.log(`SOCKETIO ACK SERVER LISTENING on 127.0.0.1:${address.port}`);
});

function stop() {
  io.close();
  httpServer.close();
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
