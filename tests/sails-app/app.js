// Lifts the SailSocket test app on 127.0.0.1 (never on another interface).
//   PORT=0 node app.js      -> the OS picks a free port; the line below reports it.
// Prints "SAILS APP LIFTED on 127.0.0.1:<port> pid=<pid>" once the app is ready; the .NET test fixture waits for it.
var sails = require('sails');
var fs = require('fs');
var port = +(process.env.PORT || 1337);
// TLS_CERT and TLS_KEY (PEM files): https/wss instead of http/ws (the load tool's --tls).
var ssl = process.env.TLS_CERT && process.env.TLS_KEY
  ? { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }
  : {};
sails.lift({
  appPath: __dirname,
  ssl: ssl,
  port: port,
  explicitHost: '127.0.0.1',
  environment: 'development',
  hooks: { grunt: false, views: false, i18n: false },
  log: { level: process.env.LOG_LEVEL || 'warn' }
}, function (err) {
  if (err) { console.error('LIFT FAILED', err); process.exit(1); }
  var address = sails.hooks.http.server.address();
  console.log('SAILS APP LIFTED on 127.0.0.1:' + address.port + ' pid=' + process.pid);
});
// The parent (test fixture or demo) closes our stdin when it goes away: never outlive it.
process.stdin.on('end', function () { process.exit(0); });
process.stdin.resume();
