// Shared by the Node test fixtures (tests/socketio-app, tests/socketio2-app): listen on 127.0.0.1 only, print the port
// for the test launcher (NodeAppServer), and exit when the launcher's stdin closes or on a signal, so a fixture never
// outlives the test process.
'use strict';

module.exports = function serveUntilParentExits(httpServer, io, port) {
  httpServer.listen(port, '127.0.0.1', () => {
    console.log(`SOCKETIO APP LISTENING on 127.0.0.1:${httpServer.address().port}`);
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
};
