'use strict';
// Node's socket.io-client 4.8.1 driven through the load tool's phases (docs/benchmarks.md), sending the same Sails
// envelope as the .NET clients: emit('get', {method, headers, data, url: '/echo?i=k'}, ack).
//
//   node --expose-gc client.js --url http://127.0.0.1:PORT --n 2000 --warmup 2000 --concurrency 32 --seconds 5 \
//        [--sockets 0 --connect-concurrency 64 --timeout 30]
//
// Prints one JSON line: {sequential, pipelined, sockets} with the load tool's field meanings. CPU is this process's
// (process.cpuUsage), memory its own (heapUsed, rss). Exits when done; never listens on anything.
//
//   node --expose-gc client.js --mode serve --url http://127.0.0.1:PORT [--timeout 30]
//
// Driven mode, for the load tool's --compare node,X: see serve() below.
const { io } = require('socket.io-client');

const args = Object.create(null);
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
const url = args.url;
if (!url || !/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(url)) {
  console.error('--url must be a loopback http URL');
  process.exit(2);
}
const n = Number(args.n ?? 2000);
const warmup = Number(args.warmup ?? 2000);
const concurrency = Number(args.concurrency ?? 32);
const seconds = Number(args.seconds ?? 5);
const socketCount = Number(args.sockets ?? 0);
const connectConcurrency = Number(args['connect-concurrency'] ?? 64);
const timeoutMs = Number(args.timeout ?? 30) * 1000;
const query = { __sails_io_sdk_version: '1.2.1', __sails_io_sdk_platform: 'node', __sails_io_sdk_language: 'javascript' };
const envelopes = Array.from({ length: 1024 }, (_, i) => ({ method: 'get', headers: {}, data: {}, url: `/echo?i=${i}` }));

function connect() {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs, query });
    const timer = setTimeout(() => { socket.close(); reject(new Error('connect timeout')); }, timeoutMs);
    socket.once('connect', () => { clearTimeout(timer); resolve(socket); });
    socket.once('connect_error', (e) => { clearTimeout(timer); socket.close(); reject(e); });
  });
}

function echo(socket, k) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit('get', envelopes[k & 1023], (err, jwr) => {
      if (err) { reject(err); } else { resolve(jwr && jwr.statusCode === 200); }
    });
  });
}

function cpuSeconds(before) {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function percentile(sorted, p) {
  if (sorted.length === 0) { return 0; }
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function sequential(socket) {
  for (let i = 0; i < warmup; i++) { await echo(socket, i); }
  const times = new Float64Array(n);
  let errors = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    if (!(await echo(socket, i))) { errors++; }
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const cpuUsed = cpuSeconds(cpu);
  const sorted = Array.from(times).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    requests: n, errors, p50_us: percentile(sorted, 0.5), p90_us: percentile(sorted, 0.9), p99_us: percentile(sorted, 0.99),
    mean_us: mean, max_us: sorted[sorted.length - 1], cpu_seconds_per_10k: cpuUsed / n * 10000,
  };
}

async function pipelined(socket) {
  // Warm-up: the same number of requests as the sequential warm-up, pipelined.
  let k = 0;
  await runFor(socket, () => k++ < warmup);
  let count = 0;
  let errors = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  await runFor(socket, () => process.hrtime.bigint() < end, (ok) => { count++; if (!ok) { errors++; } });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuUsed = cpuSeconds(cpu);
  return { concurrency, seconds: elapsed, requests: count, errors, requests_per_second: count / elapsed, cpu_seconds_per_10k: cpuUsed / count * 10000 };
}

async function runFor(socket, more, done) {
  let i = 0;
  const workers = [];
  for (let w = 0; w < concurrency; w++) {
    workers.push((async () => {
      while (more()) {
        const ok = await echo(socket, i++);
        if (done) { done(ok); }
      }
    })());
  }
  await Promise.all(workers);
}

function settle() {
  if (global.gc) { global.gc(); global.gc(); }
}

async function sockets() {
  const list = new Array(socketCount);
  let errors = 0;
  let firstError = null;
  settle();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(connectConcurrency, socketCount) }, async () => {
    let i;
    while ((i = next++) < socketCount) {
      try { list[i] = await connect(); } catch (e) { errors++; firstError ??= 'connect: ' + e.message; }
    }
  }));
  const connectSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let alive = 0;
  next = 0;
  await Promise.all(Array.from({ length: Math.min(connectConcurrency, socketCount) }, async () => {
    let i;
    while ((i = next++) < socketCount) {
      if (!list[i]) { continue; }
      try { if (await echo(list[i], i)) { alive++; } } catch (e) { errors++; firstError ??= 'request: ' + e.message; }
    }
  }));
  await new Promise((r) => setTimeout(r, 1000));
  settle();
  const heap1 = process.memoryUsage().heapUsed;
  const rss1 = process.memoryUsage().rss;
  const connected = list.filter(Boolean).length;
  for (const s of list) { if (s) { s.close(); } }
  return {
    requested: socketCount, connect_concurrency: connectConcurrency, connected, alive, connect_seconds: connectSeconds,
    heap_bytes_per_socket: connected ? (heap1 - heap0) / connected : 0,
    working_set_bytes_per_socket: connected ? (rss1 - rss0) / connected : 0, errors, first_error: firstError,
  };
}

// Driven mode (--mode serve), for the load tool's --compare node,X (Comparison.cs interleaves this client with a .NET
// one block by block): one socket, then one command per stdin line and one JSON line per command on stdout.
//   seq <count> <firstK>          count sequential round trips, request k numbered from firstK
//                                 -> {done, errors, first_error, ns: [each round trip in ns], cpu}
//   warm <count> <concurrency>    count pipelined requests, concurrency outstanding -> {done, errors, first_error, cpu}
//   pipe <seconds> <concurrency>  a pipelined slice, drained -> {done, errors, first_error, elapsed, cpu}
//   gc                            a full collection (--expose-gc), as the load tool settles before measuring -> {}
//   quit                          closes the socket and exits
// cpu: this process's CPU seconds over the command (process.cpuUsage). A command lasting over a second also prints
// {progress: n} each second (requests completed meanwhile) for the load tool's stall watchdog. The first line is
// {ready: true} once connected, or {error}. As in the load tool, a failed request (ack timeout, disconnect) ends its
// block or its pipelined worker and is counted; a non-200 answer is counted and the run goes on. Exits as soon as
// stdin closes, whatever it is doing, so it never outlives the load tool.
const drainMs = 10000;

function reply(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

function describe(e) {
  return String((e && e.message) || e);
}

async function serve() {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  // Reading starts now, so that stdin closing during the connect ends the process too.
  const lines = require('readline').createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let socket;
  try {
    socket = await connect();
  } catch (e) {
    reply({ error: 'connect: ' + describe(e) });
    process.exit(1);
  }
  reply({ ready: true });
  // Set once a slice had to abandon requests: the socket is then closed and later commands fail at once.
  let dead = null;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = next.value;
    const [command, first, second] = line.trim().split(/\s+/);
    const x = Number(first);
    const y = Number(second);
    if (command === 'quit') { break; }
    if (command === 'gc') { settle(); reply({}); continue; }
    if (!['seq', 'warm', 'pipe'].includes(command) || !(x >= 0 && x <= 1e8) || !(y >= 0 && y <= 1e9)) {
      reply({ error: `unknown command '${line.slice(0, 80)}'` });
      continue;
    }
    if (dead) {
      reply({ done: 0, errors: 1, first_error: dead, ns: [], elapsed: 0, cpu: 0 });
      continue;
    }
    const progress = { count: 0, reported: 0 };
    const ticker = setInterval(() => {
      reply({ progress: progress.count - progress.reported });
      progress.reported = progress.count;
    }, 1000);
    const cpu = process.cpuUsage();
    let result;
    try {
      if (command === 'seq') {
        result = await seqBlock(socket, x, y, progress);
      } else {
        const deadline = command === 'pipe' ? process.hrtime.bigint() + BigInt(Math.round(x * 1e9)) : null;
        result = await slice(socket, command === 'warm' ? x : Infinity, deadline, Math.max(1, Math.floor(y)), progress);
        if (result.stalled > 0) {
          dead = `${result.stalled} requests still outstanding ${drainMs / 1000} s after the deadline`;
          result.first_error ??= dead;
          socket.close();
        }
      }
    } finally {
      clearInterval(ticker);
    }
    result.cpu = cpuSeconds(cpu);
    reply(result);
  }
  socket.close();
  process.exit(0);
}

async function seqBlock(socket, count, firstK, progress) {
  const ns = [];
  let errors = 0;
  let firstError = null;
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    let ok;
    try {
      ok = await echo(socket, firstK + i);
    } catch (e) {
      errors++;
      firstError = describe(e);
      break;
    }
    ns.push(Number(process.hrtime.bigint() - t0));
    progress.count++;
    if (!ok) { errors++; firstError ??= 'a response was not 200'; }
  }
  return { done: ns.length, errors, first_error: firstError, ns };
}

// Workers keep one request each outstanding until count have started or the deadline has passed; the slice then
// drains (a timed slice for at most drainMs; what is still outstanding after that is counted as stalled). elapsed runs
// to the last completion, as the load tool's does, so that a slow drain does not dilute the rate.
async function slice(socket, count, deadline, workers, progress) {
  let started = 0;
  let done = 0;
  let errors = 0;
  let inFlight = 0;
  let firstError = null;
  const start = process.hrtime.bigint();
  let last = start;
  const work = async () => {
    while (started < count && (deadline === null || process.hrtime.bigint() < deadline)) {
      const k = started++;
      inFlight++;
      try {
        const ok = await echo(socket, k);
        done++;
        progress.count++;
        last = process.hrtime.bigint();
        if (!ok) { errors++; firstError ??= 'a response was not 200'; }
      } catch (e) {
        errors++;
        firstError ??= describe(e);
        return;
      } finally {
        inFlight--;
      }
    }
  };
  const all = Promise.all(Array.from({ length: workers }, work));
  // Every request is bounded by its ack timeout (--timeout) anyway; the drain bound mirrors the load tool's slices.
  let timer;
  const stalled = deadline === null ? await all.then(() => 0) : await Promise.race([
    all.then(() => 0),
    new Promise((resolve) => { timer = setTimeout(() => resolve(inFlight), Number(deadline - start) / 1e6 + drainMs); }),
  ]);
  clearTimeout(timer);
  return { done, errors: errors + stalled, stalled, first_error: firstError, elapsed: done === 0 ? 0 : Number(last - start) / 1e9 };
}

(async () => {
  if (args.mode === 'serve') { return serve(); }
  const result = {};
  try {
    if (n > 0 || seconds > 0) {
      const socket = await connect();
      if (n > 0) { result.sequential = await sequential(socket); }
      if (seconds > 0) { result.pipelined = await pipelined(socket); }
      socket.close();
    }
    if (socketCount > 0) { result.sockets = await sockets(); }
  } catch (e) {
    result.error = String(e && e.message || e);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.error ? 1 : 0);
})();
