// The server roles' logs: with --log-format json every line is one JSON object (time, level,
// logger, role, message); at debug level there is one line per connection opened and closed
// and one per rejected event; and no password ever shows. Every role runs with secrets in its
// PostgreSQL and Redis URLs (the Redis server has no password, so its AUTH fails and the error
// paths log too), one relay takes its password from POSTGRES_PASSWORD, and one relay cannot
// reach its database at all and exits with a logged error.
//
// Needs NOSTPP_E2E_DATABASE_URL and NOSTPP_E2E_REDIS_URL (scripts/test.sh, phase
// `observability`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { requireEnv } from '../lib/cluster.js';
import { newKey, signEvent } from '../lib/nostr.js';
import { RELAY_BIN, freePort, removeDataDir, spawnOnFreePort, storeArgs } from '../lib/relay.js';
import { closeAllClients, connectNostr, connectRaw } from '../lib/ws.js';

const SECRETS = ['pg-Secret-one', 'redis-Secret-two', 'pg-env-Secret-three', 'pg-Secret-four'];
const procs = [];
const dataDirs = [];

after(async () => {
  await closeAllClients();
  for (const p of procs) await p.terminate();
  for (const dir of dataDirs) removeDataDir(dir);
});

function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dataDirs.push(dir);
  return dir;
}

// storeArgs() with a password added to the database URL.
function storeArgsWithPassword(dataDir, password) {
  const args = storeArgs(dataDir);
  const i = args.indexOf('--database-url');
  const url = new URL(args[i + 1]);
  url.password = password;
  args[i + 1] = url.toString();
  return args;
}

function redisUrlWithPassword(password) {
  const url = new URL(requireEnv('NOSTPP_E2E_REDIS_URL'));
  url.password = password;
  return url.toString();
}

// Every line of a JSON log, parsed; fails on a line that is not one JSON object.
function jsonLines(text, role) {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    let entry;
    assert.doesNotThrow(() => (entry = JSON.parse(line)), `not JSON: ${line}`);
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, line);
    assert.ok(['trace', 'debug', 'info', 'warning', 'error', 'critical'].includes(entry.level), line);
    assert.equal(entry.logger, 'nostpp', line);
    assert.equal(entry.role, role, line);
    assert.equal(typeof entry.message, 'string', line);
    return entry;
  });
}

function assertNoSecret(text, who) {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${who} logged the secret '${secret}':\n${text}`);
}

const messages = (entries, level) => entries.filter((e) => e.level === level).map((e) => e.message);

// A port nothing listens on.
async function closedPort() {
  const port = await freePort();
  await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', resolve);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
  return port;
}

// A forged event (its signature no longer matches) and an unreadable EVENT.
async function sendRejectedEvents(url, key) {
  const raw = await connectRaw(url);
  const good = signEvent(key, { content: 'genuine' });
  const forged = await raw.publish({ ...good, content: 'forged' });
  assert.match(forged[3], /^invalid:/, JSON.stringify(forged));
  raw.send('["EVENT",{"id":"nope"}]');
  await raw.nextAnswer();
  await raw.close();
}

test('JSON logs of every role: connections, rejected events, and no secret anywhere', async () => {
  const redisUrl = redisUrlWithPassword(SECRETS[1]);
  const eventHandler = await spawnOnFreePort(
    (port) => [
      'event-handler', '--bind', '127.0.0.1', '--port', String(port),
      ...storeArgsWithPassword(tempDir('nostpp-logs-eh-'), SECRETS[0]),
      '--redis-url', redisUrl, '--log-level', 'trace', '--log-format', 'json',
    ],
    { role: 'event-handler', startTimeoutMs: 15_000 },
  );
  procs.push(eventHandler);
  const websocketHandler = await spawnOnFreePort(
    (port) => [
      'websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
      '--event-handler-url', `http://127.0.0.1:${eventHandler.port}`, '--redis-url', redisUrl,
      '--log-level', 'debug', '--log-format', 'json',
    ],
    { role: 'websocket-handler', startTimeoutMs: 15_000 },
  );
  procs.push(websocketHandler);
  // The reference deployment's POSTGRES_* variables instead of a URL.
  const envDir = tempDir('nostpp-logs-relay-');
  const database = new URL(storeArgs(envDir).at(-1));
  const env = {
    POSTGRES_USER: 'postgres',
    POSTGRES_PASSWORD: SECRETS[2],
    POSTGRES_HOST: database.hostname,
    POSTGRES_PORT: database.port,
    POSTGRES_DB: database.pathname.slice(1),
  };
  Object.assign(process.env, env);
  let relay;
  try {
    relay = await spawnOnFreePort(
      (port) => ['relay', '--bind', '127.0.0.1', '--port', String(port), '--data-dir', envDir,
        '--log-level', 'debug', '--log-format', 'json'],
      { role: 'relay', startTimeoutMs: 15_000 },
    );
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
  }
  procs.push(relay);

  const key = newKey();
  const client = await connectNostr(websocketHandler.url);
  await client.publish(signEvent(key, { content: 'logged, not its content' }));
  client.close();
  await sendRejectedEvents(websocketHandler.url, key);
  const relayClient = await connectNostr(relay.url);
  await relayClient.publish(signEvent(key, { content: 'on the relay' }));
  relayClient.close();
  await sendRejectedEvents(relay.url, key);
  // Let the close lines be written, then stop every process so its last lines are in.
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const p of [websocketHandler, relay, eventHandler]) await p.terminate();

  for (const p of [eventHandler, websocketHandler, relay]) {
    assertNoSecret(p.stderr + p.stdout, p.role);
    assert.ok(!p.stderr.includes('logged, not its content'), `${p.role} logged event content`);
  }
  const ws = jsonLines(websocketHandler.stderr, 'websocket-handler');
  const eh = jsonLines(eventHandler.stderr, 'event-handler');
  const rl = jsonLines(relay.stderr, 'relay');

  for (const [entries, who] of [[ws, 'websocket-handler'], [rl, 'relay']]) {
    const debug = messages(entries, 'debug');
    assert.equal(debug.filter((m) => /^127\.0\.0\.1: connection open$/.test(m)).length, 2, `${who}:\n${debug.join('\n')}`);
    const closed = debug.filter((m) => /^127\.0\.0\.1: connection closed after \d+\.\d{3} s, \d+ messages$/.test(m));
    assert.equal(closed.length, 2, `${who}:\n${debug.join('\n')}`);
    assert.ok(closed.some((m) => m.endsWith(', 2 messages')), closed.join('\n'));
    assert.ok(debug.includes('127.0.0.1: event of kind 1 rejected (invalid)'), `${who}:\n${debug.join('\n')}`);
    assert.ok(debug.includes('127.0.0.1: unreadable event rejected (invalid)'), `${who}:\n${debug.join('\n')}`);
  }
  const ehDebug = messages(eh, 'debug');
  assert.ok(ehDebug.includes('event of kind 1 rejected (invalid)'), ehDebug.join('\n'));
  assert.ok(ehDebug.some((m) => /^127\.0\.0\.1: HTTP connection open$/.test(m)), ehDebug.join('\n'));
  assert.ok(ehDebug.some((m) => /^127\.0\.0\.1: HTTP connection closed after \d+\.\d{3} s, \d+ requests$/.test(m)), ehDebug.join('\n'));
  // The connection strings are logged, redacted.
  assert.ok(messages(eh, 'info').some((m) => /PostgreSQL at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1/.test(m)), eventHandler.stderr);
  assert.ok(messages(rl, 'info').some((m) => /PostgreSQL at postgresql:\/\/postgres:\*\*\*@/.test(m)), relay.stderr);
  assert.ok(eh.some((e) => e.level === 'warning' && e.message.includes('redis://:***@127.0.0.1')), eventHandler.stderr);
});

test('a role that cannot start logs why, as JSON, without the password', async () => {
  const port = await closedPort();
  const run = spawnSync(
    RELAY_BIN,
    ['relay', '--bind', '127.0.0.1', '--port', String(await freePort()), '--log-format', 'json',
      '--log-level', 'debug', '--data-dir', tempDir('nostpp-logs-fail-'), '--database-url', `postgresql://nostr:${SECRETS[3]}@127.0.0.1:${port}/x`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(run.status, 1, run.stderr);
  assertNoSecret(run.stderr + run.stdout, 'relay');
  const entries = jsonLines(run.stderr, 'relay');
  const last = entries.at(-1);
  assert.equal(last.level, 'critical', run.stderr);
  assert.match(last.message, /PostgreSQL|connection|127\.0\.0\.1/, run.stderr);
});
