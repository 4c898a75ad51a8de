// EVENT_HANDLER_TOKEN, the websocket-handlers' secret toward the event handler, on a pair of
// processes this file starts itself (whatever NOSTPP_E2E_DEPLOYMENT says; the store follows
// NOSTPP_E2E_DATABASE_URL): with the same token on both, clients are served and the API
// refuses POST /event, /query, /count without it (401) while /health and /metrics stay open; a
// websocket-handler with a wrong token, or none, gives its clients `error:` answers and logs
// the misconfiguration once, not per request; without a token the event handler warns and
// stays open; the token never shows in logs nor in --help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { RELAY_BIN, removeDataDir, spawnOnFreePort, stopAll, storeArgs } from './lib/relay.js';
import { closeAllClients, connectRaw } from './lib/ws.js';
import { newKey, signEvent } from './lib/nostr.js';

const TOKEN = 'e2e-right-token-0123456789abcdef';
const WRONG = 'e2e-wrong-token-0123456789abcdef';
const START = { startTimeoutMs: 15_000 };
const MISCONFIGURED = /^error: relay misconfigured: /;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-token-'));
const started = [];
let eventHandler;
let apiUrl;

async function startEventHandler(token, dir) {
  const process_ = await spawnOnFreePort(
    (port) => ['event-handler', '--bind', '127.0.0.1', '--port', String(port), ...storeArgs(dir),
      '--log-level', 'debug'],
    { role: 'event-handler', env: { EVENT_HANDLER_TOKEN: token }, ...START },
  );
  started.push(process_);
  return process_;
}

// `token` undefined: the variable is empty (no token).
async function startWebsocketHandler(token, target = eventHandler) {
  const process_ = await spawnOnFreePort(
    (port) => ['websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
      '--event-handler-url', `http://127.0.0.1:${target.port}`, '--log-level', 'debug'],
    { role: 'websocket-handler', env: { EVENT_HANDLER_TOKEN: token ?? '' }, ...START },
  );
  started.push(process_);
  return process_;
}

before(async () => {
  eventHandler = await startEventHandler(TOKEN, dataDir);
  apiUrl = `http://127.0.0.1:${eventHandler.port}`;
});

// Websocket-handlers first (last started, first stopped), then the event handler.
after(async () => {
  await closeAllClients();
  await stopAll([...started].reverse(), () => removeDataDir(dataDir));
});

const api = (route, init = {}) => fetch(`${apiUrl}${route}`, { signal: AbortSignal.timeout(5000), ...init });
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

test('the same token on both roles: clients are served', async () => {
  const front = await startWebsocketHandler(TOKEN);
  const client = await connectRaw(front.url);
  const key = newKey();
  const event = signEvent(key, { content: 'with the token' });
  assert.deepEqual(await client.publish(event), ['OK', event.id, true, '']);
  assert.deepEqual((await client.query([{ authors: [key.pk] }])).map((e) => e.id), [event.id]);
  const count = await client.count('c', [{ authors: [key.pk] }]);
  assert.equal(count[0], 'COUNT', JSON.stringify(count));
  assert.equal(count[2].count, 1);
});

test('the API refuses POST /event, /query, /count without the right token; /health and /metrics are open', async () => {
  const event = signEvent(newKey(), { content: 'direct' });
  const bodies = {
    '/event': JSON.stringify(event),
    '/query': JSON.stringify({ filters: [{ ids: [event.id] }] }),
    '/count': JSON.stringify({ filters: [{ ids: [event.id] }] }),
  };
  for (const headers of [{}, bearer(WRONG), { Authorization: `Basic ${TOKEN}` }]) {
    for (const [route, body] of Object.entries(bodies)) {
      const res = await api(route, { method: 'POST', body, headers });
      assert.equal(res.status, 401, `${route} with ${JSON.stringify(headers)}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.match((await res.json()).error, /^error: unauthorized: /);
    }
  }
  const health = await api('/health');
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const metrics = await api('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /nostpp_http_requests_total\{route="\/event",status="401"\} [1-9]/);

  // Nothing refused was stored; the right token is served.
  const none = await api('/query', { method: 'POST', body: bodies['/query'], headers: bearer(TOKEN) });
  assert.equal(none.status, 200);
  assert.deepEqual((await none.json()).events, []);
  const stored = await api('/event', { method: 'POST', body: bodies['/event'], headers: bearer(TOKEN) });
  assert.equal(stored.status, 200);
  assert.equal((await stored.json()).outcome, 'stored');
  // Nine refusals, one warning line (at most one a minute).
  assert.equal(eventHandler.stderr.match(/refused \d+ request\(s\) without the right token/g)?.length, 1, eventHandler.stderr);
});

for (const [name, token] of [['a wrong token', WRONG], ['no token', undefined]]) {
  test(`a websocket-handler with ${name}: clients get error: answers, the log says why once`, async () => {
    const front = await startWebsocketHandler(token);
    const client = await connectRaw(front.url);
    const key = newKey();
    for (let i = 0; i < 3; i++) {
      const event = signEvent(key, { content: `refused ${i}` });
      const ok = await client.publish(event);
      assert.equal(ok[2], false, JSON.stringify(ok));
      assert.match(ok[3], MISCONFIGURED);
    }
    const req = await client.req('r', [{ authors: [key.pk] }], { allowClosed: true });
    assert.ok(req.closed, JSON.stringify(req));
    assert.match(req.closed[2], MISCONFIGURED);
    const count = await client.count('c', [{ authors: [key.pk] }]);
    assert.equal(count[0], 'CLOSED', JSON.stringify(count));
    assert.match(count[2], MISCONFIGURED);
    assert.ok(front.alive(), front.describe());
    const lines = front.stderr.match(/the event handler refused \d+ request\(s\) .*HTTP 401.*$/gm) ?? [];
    assert.equal(lines.length, 1, front.stderr);
    assert.match(lines[0], /EVENT_HANDLER_TOKEN/);
    if (token === undefined) assert.match(front.stderr, /no EVENT_HANDLER_TOKEN: requests to the event handler carry no token/);
  });
}

test('an event handler without a token warns at start and stays open', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-token-open-'));
  try {
    const open = await startEventHandler('', dir);
    assert.match(open.stderr, /no EVENT_HANDLER_TOKEN: anyone who can reach this port may write events/);
    const event = signEvent(newKey(), { content: 'open API' });
    const res = await fetch(`http://127.0.0.1:${open.port}/event`, {
      method: 'POST', body: JSON.stringify(event), signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).outcome, 'stored');
    // A websocket-handler that sends a token to it is served (the token is not checked).
    const front = await startWebsocketHandler(TOKEN, open);
    const client = await connectRaw(front.url);
    const next = signEvent(newKey(), { content: 'through an open event handler' });
    assert.equal((await client.publish(next))[2], true);
    await client.close();
    await stopAll([front, open]);
  } finally {
    removeDataDir(dir);
  }
});

test('the token is in no log line (debug level) and not in --help', () => {
  for (const p of started) {
    assert.ok(!p.stderr.includes(TOKEN) && !p.stdout.includes(TOKEN), `${p.role} printed the token`);
    assert.ok(!p.stderr.includes(WRONG), `${p.role} printed the wrong token`);
  }
  const config = path.join(dataDir, 'token.toml');
  fs.writeFileSync(config, `event_handler_token = "${TOKEN}"\n`);
  for (const role of ['event-handler', 'websocket-handler']) {
    for (const env of [{ EVENT_HANDLER_TOKEN: TOKEN }, { NOSTPP_CONFIG: config }]) {
      const run = spawnSync(RELAY_BIN, [role, '--help'], {
        encoding: 'utf8', timeout: 10_000, env: { ...process.env, EVENT_HANDLER_TOKEN: '', ...env },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /--event-handler-token/);
      assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN), `${role} --help printed the token`);
    }
  }
});

test('a token too short or with spaces stops the role at start, without quoting it', () => {
  for (const bad of ['short-token', 'a token with spaces in it']) {
    for (const role of ['event-handler', 'websocket-handler']) {
      const run = spawnSync(RELAY_BIN, [role, '--port', '0', '--data-dir', dataDir], {
        encoding: 'utf8', timeout: 10_000, env: { ...process.env, EVENT_HANDLER_TOKEN: bad },
      });
      assert.notEqual(run.status, 0, `${role} started with '${bad}'`);
      assert.match(run.stderr, /--event-handler-token/);
      assert.ok(!run.stderr.includes(bad), run.stderr);
    }
  }
});
