// Runs once the app has lifted (before it reports so). Only test switches live here.
module.exports.bootstrap = function (done) {
  if (process.env.STICKY_COOKIE) {
    // A sticky load balancer in miniature: a request of an established Engine.IO session (a poll, a POST, the upgrade)
    // must carry the "io" cookie the handshake set (config/sockets.js), or it is refused with HTTP 400.
    sails.stickyRefusals = 0;
    // And the balancer's own cookie on every handshake, WebSocket included (engine.io's "io" cookie only comes with a
    // polling handshake: a WebSocket's 101 is written before the session exists).
    sails.io.engine.on('initial_headers', function (headers) {
      headers['Set-Cookie'] = (headers['Set-Cookie'] || []).concat('lb=node-a; Path=/; HttpOnly');
    });
    sails.io.engine.use(function (req, res, next) {
      var sid = req._query && req._query.sid;
      if (!sid) { return next(); }
      var cookies = String(req.headers.cookie || '').split(';').map(function (c) { return c.trim(); });
      if (cookies.indexOf('io=' + sid) < 0) {
        sails.stickyRefusals++;
        return next(new Error('no sticky cookie'));
      }
      return next();
    });
  }
  return done();
};
