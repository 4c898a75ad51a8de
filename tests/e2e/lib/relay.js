// Starts and stops a real nostpp deployment for one test file.
//
//   const ctx = setupRelay(['--max-limit', '5']);   // registers before()/after() hooks
//   ... ctx.relay.url  (ws://127.0.0.1:<port>)
//   setupRelay([], { env: { OTEL_SERVICE_NAME: 'x' } })  // extra environment variables
//
// The binary comes from $NOSTPP_BIN (default ../../build/nostpp relative to tests/e2e).
// Every process listens on 127.0.0.1 on a free port; the store gets a fresh temporary data
// directory; processes are stopped by PID (SIGTERM, then SIGKILL) in an after() hook, also when
// tests fail, and the data directory is removed.
//
// NOSTPP_E2E_DEPLOYMENT chooses what a "relay" is:
//   relay (default)  one `nostpp relay` process
//   split            `nostpp event-handler` (owns the data directory) plus a
//                    `nostpp websocket-handler` pointed at it; the test's extra flags go to
//                    both. The object the tests see is the same (url, httpUrl, port, dataDir,
//                    stop, kill9, alive, describe, stdout/stderr), plus eventHandler,
//                    websocketHandler and restartEventHandler() for split-only tests.
// NOSTPP_E2E_DATABASE_URL (a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres):
//   each data directory gets its own fresh database on that server (created with createdb,
//   reused when a relay restarts on the same directory, dropped when the directory is removed
//   or the test process exits), passed as --database-url to the process that owns the store.
// NOSTPP_E2E_REDIS_URL: passed as --redis-url to every process.
// In the extra flags, '{port}' stands for the port of the process they are given to (so a test
// can pass --relay-url ws://127.0.0.1:{port}: the client-facing process's own URL).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

import { closeAllClients } from './ws.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(here, '..');
export const RELAY_BIN = process.env.NOSTPP_BIN
  ? path.resolve(process.env.NOSTPP_BIN)
  : path.resolve(E2E_DIR, '../../build/nostpp');

export const DEPLOYMENT = process.env.NOSTPP_E2E_DEPLOYMENT || 'relay';
if (!['relay', 'split'].includes(DEPLOYMENT)) {
  throw new Error(`NOSTPP_E2E_DEPLOYMENT must be 'relay' or 'split', not '${DEPLOYMENT}'`);
}
export const isSplit = DEPLOYMENT === 'split';
const DATABASE_URL = process.env.NOSTPP_E2E_DATABASE_URL || '';
// True when the store is a PostgreSQL database rather than the data directory.
export const usesDatabase = DATABASE_URL !== '';
const REDIS_URL = process.env.NOSTPP_E2E_REDIS_URL || '';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_KEEP_BYTES = 64 * 1024;

// Relays still running; killed synchronously if this process exits without stopping them.
const running = new Set();
function killRunning() {
  for (const r of running) {
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', () => {
  killRunning();
  dropDatabases();
});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    killRunning();
    process.exit(code);
  });
}

// The rate limits' defaults suit a public relay, not a test that opens dozens of connections
// from 127.0.0.1 and publishes hundreds of events from one key: every process the harness
// starts has them off through the environment (flags win over it, so 20-rate-limits sets its
// own; a variable already in the environment wins too).
export const RATE_LIMITS_OFF = {
  MAX_CONNECTIONS_PER_IP: '0',
  MESSAGES_PER_SECOND: '0',
  REQS_PER_MINUTE: '0',
  REGULAR_EVENTS_PER_MINUTE: '0',
  REPLACEABLE_EVENTS_PER_MINUTE: '0',
  EPHEMERAL_EVENTS_PER_MINUTE: '0',
  ADDRESSABLE_EVENTS_PER_MINUTE: '0',
};

// The split roles authenticate to each other as in production (EVENT_HANDLER_TOKEN, the
// compose file generates one): every process the harness starts gets this token through the
// environment, unless the test's env (or the environment itself) sets another. Direct calls
// to the event handler's POST routes send EVENT_HANDLER_AUTH.
export const EVENT_HANDLER_TOKEN = `e2e-${crypto.randomBytes(16).toString('hex')}`;
export const EVENT_HANDLER_AUTH = { Authorization: `Bearer ${EVENT_HANDLER_TOKEN}` };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A port that was free a moment ago: bind port 0 on loopback and read it back.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function appendCapped(buffer, chunk) {
  const next = buffer + chunk.toString('utf8');
  return next.length > OUTPUT_KEEP_BYTES ? next.slice(next.length - OUTPUT_KEEP_BYTES) : next;
}

// One PostgreSQL database per data directory (NOSTPP_E2E_DATABASE_URL): named after the
// directory, so a relay restarted on the same directory finds its events again.
const createdDatabases = new Set();

function databaseName(dataDir) {
  const hash = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex');
  return `nostpp_e2e_${hash.slice(0, 16)}`;
}

function databaseUrlFor(dataDir) {
  const name = databaseName(dataDir);
  if (!createdDatabases.has(name)) {
    const run = spawnSync('createdb', ['--maintenance-db', DATABASE_URL, name], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (run.status !== 0 && !/already exists/.test(run.stderr ?? '')) {
      throw new Error(`createdb ${name} on ${DATABASE_URL} failed: ${run.stderr || run.error}`);
    }
    createdDatabases.add(name);
  }
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function dropDatabase(name) {
  if (!createdDatabases.delete(name)) return;
  spawnSync('dropdb', ['--if-exists', '--force', '--maintenance-db', DATABASE_URL, name], {
    stdio: 'ignore',
    timeout: 30_000,
  });
}

function dropDatabases() {
  for (const name of [...createdDatabases]) dropDatabase(name);
}

// Flags that place the store: the data directory, and the database when one is configured.
export function storeArgs(dataDir) {
  return ['--data-dir', dataDir, ...(DATABASE_URL ? ['--database-url', databaseUrlFor(dataDir)] : [])];
}
const busArgs = () => (REDIS_URL ? ['--redis-url', REDIS_URL] : []);
const withPort = (args, port) => args.map((arg) => arg.replaceAll('{port}', String(port)));

// Removes a data directory the harness created, with its database.
export function removeDataDir(dataDir) {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (DATABASE_URL) dropDatabase(databaseName(dataDir));
}

// One running nostpp process (the relay, or one role of the split deployment).
class ServerProcess {
  constructor({ role, port, args, env = {}, proc, dataDir = null, ownsDataDir = false }) {
    this.role = role;
    this.port = port;
    this.env = env;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.args = args;
    this.proc = proc;
    this.pid = proc.pid;
    this.url = `ws://127.0.0.1:${port}`;
    this.httpUrl = `http://127.0.0.1:${port}/`;
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // { code, signal } once it has exited
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        resolve(this.exit);
      });
    });
    proc.stdout.on('data', (c) => (this.stdout = appendCapped(this.stdout, c)));
    proc.stderr.on('data', (c) => (this.stderr = appendCapped(this.stderr, c)));
    running.add(this);
  }

  alive() {
    if (this.exit) return false;
    try {
      process.kill(this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  describe() {
    const status = this.exit
      ? `exited (code ${this.exit.code}, signal ${this.exit.signal})`
      : `running (pid ${this.pid})`;
    return `${this.role} ${status}; args: ${this.args.join(' ')}\n--- ${this.role} stderr (tail) ---\n${this.stderr.slice(-4000)}`;
  }

  async waitExit(ms) {
    if (this.exit) return true;
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const result = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  // By PID: SIGTERM, SIGKILL after a timeout. A process that stops on SIGTERM must exit with
  // status 0: a sanitizer report at shutdown (a leak, a use after free in teardown) or a
  // crash while stopping makes it fail, and so fails the test file (the hooks call this).
  async terminate() {
    if (this.exit) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    if (!(await this.waitExit(STOP_TIMEOUT_MS))) {
      await this.kill9();
      return;
    }
    if (this.exit.code !== 0 || this.exit.signal !== null)
      throw new Error(`${this.role} did not stop cleanly on SIGTERM: ${this.describe()}`);
  }

  // Stops the process, then removes the data directory if the harness made it.
  async stop() {
    await stopAll([this], () => {
      if (this.dataDir && this.ownsDataDir) removeDataDir(this.dataDir);
    });
  }

  // Simulates a crash: SIGKILL, no chance to flush or clean up. Keeps the data directory.
  async kill9() {
    if (!this.exit) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await this.waitExit(STOP_TIMEOUT_MS);
    }
  }
}

// Terminates each process in order, even when one of them did not stop cleanly, then runs
// `cleanup`; throws the first error afterwards.
export async function stopAll(processes, cleanup = () => {}) {
  let first = null;
  for (const p of processes) {
    try {
      await p.terminate();
    } catch (err) {
      first ??= err;
    }
  }
  cleanup();
  if (first) throw first;
}

// Spawns `nostpp <args>` and waits (bounded) until it accepts connections on `port`.
async function spawnServer({ role, port, args, env = {}, dataDir, ownsDataDir, startTimeoutMs }) {
  if (!fs.existsSync(RELAY_BIN)) {
    throw new Error(`relay binary not found at ${RELAY_BIN} (set NOSTPP_BIN)`);
  }
  const proc = spawn(RELAY_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...RATE_LIMITS_OFF, EVENT_HANDLER_TOKEN, ...process.env, ...env },
  });
  const server = new ServerProcess({ role, port, args, env, proc, dataDir, ownsDataDir });
  let spawnError = null;
  proc.once('error', (err) => (spawnError = err));

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError || server.exit) break;
    if (await canConnect(port)) return server;
    await sleep(50);
  }
  const why = spawnError
    ? `could not spawn ${RELAY_BIN}: ${spawnError.message}`
    : server.exit
      ? `${role} exited during startup`
      : `${role} did not accept connections on port ${port} within ${startTimeoutMs} ms`;
  await server.terminate().catch(() => {}); // the startup failure is the error to report
  const err = new Error(`${why}\n${server.describe()}`);
  err.addressInUse = /in use|EADDRINUSE/i.test(server.stderr);
  throw err;
}

// Retries (bounded) with a new port only if the port was taken meanwhile.
export async function spawnOnFreePort(makeArgs, options) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await spawnServer({ ...options, port, args: makeArgs(port) });
    } catch (err) {
      lastError = err;
      if (!err.addressInUse) break;
    }
  }
  throw lastError;
}

// The split deployment behind the same interface as a single relay process.
class SplitRelay {
  constructor({ eventHandler, websocketHandler, dataDir, ownsDataDir, startTimeoutMs }) {
    this.eventHandler = eventHandler;
    this.websocketHandler = websocketHandler;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.startTimeoutMs = startTimeoutMs;
    this.port = websocketHandler.port;
    this.pid = websocketHandler.pid;
    this.url = websocketHandler.url;
    this.httpUrl = websocketHandler.httpUrl;
    this.eventHandlerUrl = `http://127.0.0.1:${eventHandler.port}`;
    this.args = websocketHandler.args;
  }

  get stdout() {
    return `--- event-handler ---\n${this.eventHandler.stdout}--- websocket-handler ---\n${this.websocketHandler.stdout}`;
  }

  get stderr() {
    return `--- event-handler ---\n${this.eventHandler.stderr}--- websocket-handler ---\n${this.websocketHandler.stderr}`;
  }

  alive() {
    return this.eventHandler.alive() && this.websocketHandler.alive();
  }

  describe() {
    return `split deployment\n${this.eventHandler.describe()}\n${this.websocketHandler.describe()}`;
  }

  // The websocket-handler first, so requests it still has in flight get their answers.
  async stop() {
    await stopAll([this.websocketHandler, this.eventHandler], () => {
      if (this.ownsDataDir) removeDataDir(this.dataDir);
    });
  }

  async kill9() {
    await Promise.all([this.websocketHandler.kill9(), this.eventHandler.kill9()]);
  }

  // Starts the event handler again on the same port, data and flags (after kill9()/stop()
  // of this.eventHandler); the websocket-handler is expected to reconnect by itself.
  async restartEventHandler() {
    if (this.eventHandler.alive()) throw new Error('the event handler is still running');
    const { port, args, env } = this.eventHandler;
    this.eventHandler = await spawnServer({
      role: 'event-handler',
      port,
      args,
      env,
      startTimeoutMs: this.startTimeoutMs,
    });
    return this.eventHandler;
  }
}

async function startSplit(args, { startTimeoutMs, dataDir, ownsDataDir, env }) {
  const eventHandler = await spawnOnFreePort(
    (port) => [
      'event-handler',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      ...storeArgs(dataDir),
      ...busArgs(),
      ...withPort(args, port),
    ],
    { role: 'event-handler', startTimeoutMs, env },
  );
  try {
    const websocketHandler = await spawnOnFreePort(
      (port) => [
        'websocket-handler',
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--event-handler-url',
        `http://127.0.0.1:${eventHandler.port}`,
        ...busArgs(),
        ...withPort(args, port),
      ],
      { role: 'websocket-handler', startTimeoutMs, env },
    );
    return new SplitRelay({ eventHandler, websocketHandler, dataDir, ownsDataDir, startTimeoutMs });
  } catch (err) {
    await eventHandler.terminate().catch(() => {}); // the startup failure is the error to report
    throw err;
  }
}

// Starts a relay (or, in split mode, the pair) with extra flags.
// options.dataDir: run on an existing data directory (kept when the relay stops).
// options.env: environment variables added for every process (e.g. OTEL_*).
export async function startRelay(args = [], { startTimeoutMs = START_TIMEOUT_MS, dataDir: givenDir, env = {} } = {}) {
  const dataDir = givenDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-'));
  const ownsDataDir = !givenDir;
  try {
    if (isSplit) return await startSplit(args, { startTimeoutMs, dataDir, ownsDataDir, env });
    return await spawnOnFreePort(
      (port) => ['relay', '--bind', '127.0.0.1', '--port', String(port), ...storeArgs(dataDir), ...busArgs(), ...withPort(args, port)],
      { role: 'relay', dataDir, ownsDataDir, startTimeoutMs, env },
    );
  } catch (err) {
    if (ownsDataDir) removeDataDir(dataDir);
    throw err;
  }
}

// Registers before()/after() hooks on the current file: one relay for all its tests.
// The after() hook also closes every client connection the tests opened.
// Node 20 runs root-level before() hooks concurrently, so a file's own before() hook must
// `await ctx.ready()` (memoized) instead of relying on hook order.
export function setupRelay(args = [], options = {}) {
  let starting = null;
  const ctx = {
    relay: null,
    ready() {
      if (!starting) {
        starting = startRelay(args, options).then((relay) => {
          ctx.relay = relay;
          return relay;
        });
      }
      return starting;
    },
  };
  before(async () => {
    await ctx.ready();
  });
  after(async () => {
    await closeAllClients();
    if (starting) await starting.catch(() => {});
    if (ctx.relay) await ctx.relay.stop();
  });
  return ctx;
}
