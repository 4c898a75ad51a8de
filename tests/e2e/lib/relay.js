// Starts and stops a real `nostpp relay` process for one test file.
//
//   const ctx = setupRelay(['--max-limit', '5']);   // registers before()/after() hooks
//   ... ctx.relay.url  (ws://127.0.0.1:<port>)
//
// The binary comes from $NOSTPP_BIN (default ../../build/nostpp relative to tests/e2e).
// Every relay listens on 127.0.0.1 on a free port with a fresh temporary data directory;
// it is stopped by PID (SIGTERM, then SIGKILL) in an after() hook, also when tests fail,
// and its data directory is removed.
import { spawn } from 'node:child_process';
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
process.on('exit', killRunning);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    killRunning();
    process.exit(code);
  });
}

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

class RelayProcess {
  constructor({ port, dataDir, ownsDataDir = true, args, proc }) {
    this.port = port;
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
    return `relay ${status}; args: ${this.args.join(' ')}\n--- relay stderr (tail) ---\n${this.stderr.slice(-4000)}`;
  }

  async waitExit(ms) {
    if (this.exit) return true;
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const result = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  // Stops by PID: SIGTERM, SIGKILL after a timeout; then removes the data directory.
  async stop() {
    if (!this.exit) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      if (!(await this.waitExit(STOP_TIMEOUT_MS))) {
        try {
          process.kill(this.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await this.waitExit(STOP_TIMEOUT_MS);
      }
    }
    if (this.ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
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

// options.dataDir: run on an existing data directory (kept when the relay stops).
async function startOnce(args, { startTimeoutMs = START_TIMEOUT_MS, dataDir: givenDir } = {}) {
  if (!fs.existsSync(RELAY_BIN)) {
    throw new Error(`relay binary not found at ${RELAY_BIN} (set NOSTPP_BIN)`);
  }
  const port = await freePort();
  const dataDir = givenDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-'));
  const fullArgs = [
    'relay',
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    ...args,
  ];
  const proc = spawn(RELAY_BIN, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = new RelayProcess({ port, dataDir, ownsDataDir: !givenDir, args: fullArgs, proc });
  let spawnError = null;
  proc.once('error', (err) => (spawnError = err));

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError || relay.exit) break;
    if (await canConnect(port)) return relay;
    await sleep(50);
  }
  const why = spawnError
    ? `could not spawn ${RELAY_BIN}: ${spawnError.message}`
    : relay.exit
      ? 'relay exited during startup'
      : `relay did not accept connections on port ${port} within ${startTimeoutMs} ms`;
  await relay.stop();
  const err = new Error(`${why}\n${relay.describe()}`);
  err.addressInUse = /in use|EADDRINUSE/i.test(relay.stderr);
  throw err;
}

// Starts a relay with extra flags; retries (bounded) only if the port was taken meanwhile.
export async function startRelay(args = [], options = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(args, options);
    } catch (err) {
      lastError = err;
      if (!err.addressInUse) break;
    }
  }
  throw lastError;
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
