// The split deployment only (NOSTPP_E2E_DEPLOYMENT=split): the websocket-handler when the event
// handler dies and comes back, the event handler's HTTP API status codes, and keep-alive
// between the two.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEPLOYMENT, EVENT_HANDLER_AUTH, isSplit, setupRelay } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { deepCopy, newKey, now, signEvent } from './lib/nostr.js';

const MAX_REQUEST_BYTES = 4096;
const skip = isSplit
  ? false
  : `needs the split deployment (NOSTPP_E2E_DEPLOYMENT=split); this run uses '${DEPLOYMENT}'`;
if (skip) console.log(`# 12-split: skipped: ${skip}`);

// Registered in every mode (node:test needs the hooks at load time); starts nothing when skipped.
const ctx = isSplit ? setupRelay(['--max-request-bytes', String(MAX_REQUEST_BYTES)]) : null;

// With the harness's EVENT_HANDLER_TOKEN, as the websocket-handler sends it.
const api = (path, init = {}) =>
  fetch(`${ctx.relay.eventHandlerUrl}${path}`, {
    signal: AbortSignal.timeout(5000),
    ...init,
    headers: { ...EVENT_HANDLER_AUTH, ...init.headers },
  });

async function metric(name) {
  const text = await (await api('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `metric ${name} missing from /metrics:\n${text}`);
  return Number(line.split(' ')[1]);
}

test('the event handler killed: EVENT and REQ fail fast with error:, then service resumes', { skip }, async () => {
  const relay = ctx.relay;
  const client = await connectRaw(relay.url);
  const key = newKey();
  const before = signEvent(key, { created_at: now() - 10, content: 'before the crash' });
  assert.equal((await client.publish(before))[2], true);

  await relay.eventHandler.kill9();
  const started = Date.now();
  const during = signEvent(key, { created_at: now() - 5, content: 'while it is down' });
  const ok = await client.publish(during, { timeoutMs: 3000 });
  assert.equal(ok[2], false, JSON.stringify(ok));
  assert.match(ok[3], /^error: /);
  const req = await client.req('down', [{ authors: [key.pk] }], { allowClosed: true, timeoutMs: 3000 });
  assert.ok(req.closed, `REQ was not CLOSED: ${JSON.stringify(req)}`);
  assert.match(req.closed[2], /^error: /);
  const count = await client.count('down-count', [{ authors: [key.pk] }], { timeoutMs: 3000 });
  assert.equal(count[0], 'CLOSED', JSON.stringify(count));
  assert.match(count[2], /^error: /);
  assert.ok(Date.now() - started < 3000, `errors took ${Date.now() - started} ms`);
  assert.ok(relay.websocketHandler.alive(), relay.describe());

  // Same port, same data: the websocket-handler reconnects on its own, on the same client
  // connection.
  await relay.restartEventHandler();
  const live = await client.req('live', [{ authors: [key.pk] }]);
  assert.deepEqual(live.events.map((e) => e.id), [before.id], 'the acknowledged event survived the crash');
  const after = signEvent(key, { created_at: now(), content: 'after the restart' });
  assert.equal((await client.publish(after))[2], true);
  assert.equal((await client.nextEvent('live')).id, after.id);
  const all = await client.query([{ authors: [key.pk] }]);
  assert.deepEqual(all.map((e) => e.id), [after.id, before.id]);
});

test('HTTP API status codes: 404, 405, 400, 413, 200', { skip }, async () => {
  const missing = await api('/nope');
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /^invalid: unknown route/);

  const wrongMethod = await api('/event');
  assert.equal(wrongMethod.status, 405);
  assert.match((await wrongMethod.json()).error, /^invalid: /);

  const malformed = await api('/event', { method: 'POST', body: '{"id":' });
  assert.equal(malformed.status, 400);
  assert.deepEqual(await malformed.json(), { error: 'invalid: malformed JSON' });

  const badFilter = await api('/query', { method: 'POST', body: '{"filters":[{"kinds":"x"}]}' });
  assert.equal(badFilter.status, 400);
  assert.match((await badFilter.json()).error, /^invalid: /);

  const tooLarge = await api('/event', { method: 'POST', body: 'x'.repeat(MAX_REQUEST_BYTES + 1000) });
  assert.equal(tooLarge.status, 413);
  assert.match((await tooLarge.json()).error, /^invalid: request body larger than/);

  const event = signEvent(newKey(), { content: 'over http' });
  const stored = await api('/event', { method: 'POST', body: JSON.stringify(event) });
  assert.equal(stored.status, 200);
  const reply = await stored.json();
  assert.equal(reply.accepted, true, JSON.stringify(reply));
  assert.equal(reply.outcome, 'stored');
  assert.equal(typeof reply.seq, 'number');

  const query = await api('/query', { method: 'POST', body: JSON.stringify({ filters: [{ ids: [event.id] }] }) });
  assert.equal(query.status, 200);
  const result = await query.json();
  assert.deepEqual(result.events, [deepCopy(event)]);
  assert.ok(result.snapshot_seq >= reply.seq);

  const health = await api('/health');
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
});

test('keep-alive: many requests through the websocket-handler reuse a few connections', { skip }, async () => {
  const opened = await metric('nostpp_http_connections_total');
  const client = await connectRaw(ctx.relay.url);
  const key = newKey();
  const events = Array.from({ length: 200 }, (_, i) => signEvent(key, { created_at: now() - i, content: `ka ${i}` }));
  const oks = await Promise.all(events.map((e) => client.publish(e, { timeoutMs: 10_000 })));
  assert.ok(oks.every((ok) => ok[2] === true));
  for (let i = 0; i < 100; i++) await client.query([{ authors: [key.pk], limit: 2 }]);
  const requests = await metric('nostpp_http_requests_total{route="/query",status="200"}');
  assert.ok(requests >= 100, `only ${requests} queries reached the event handler`);
  const added = (await metric('nostpp_http_connections_total')) - opened;
  // The pool holds 16 connections (--event-handler-connections), plus this test's fetch().
  assert.ok(added <= 18, `${added} new connections for 300 requests`);
});
