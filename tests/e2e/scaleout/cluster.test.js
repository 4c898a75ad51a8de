// The scale-out deployment as one relay: two websocket-handlers share one event-handler on
// PostgreSQL, live events cross between them through Redis, and the deployment survives
// Redis and PostgreSQL restarts without losing an acknowledged event.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startCluster, testServer } from '../lib/cluster.js';
import { sleep } from '../lib/relay.js';
import { closeAllClients, connectRaw } from '../lib/ws.js';
import { newKey, now, signEvent } from '../lib/nostr.js';

let cluster;
before(async () => {
  cluster = await startCluster({ websocketHandlers: 2 });
});
after(async () => {
  await closeAllClients();
  if (cluster) await cluster.stop();
});

function alive() {
  for (const p of [cluster.eventHandler, ...cluster.handlers]) assert.ok(p.alive(), p.describe());
}

// Publishes fresh events through `via` until one reaches `sub` live (bounded); returns the
// milliseconds it took from the first attempt.
async function waitForDelivery(via, sub, subId, key, deadlineMs) {
  const start = Date.now();
  while (Date.now() - start < deadlineMs) {
    const event = signEvent(key, { kind: 1, content: `probe ${Date.now()}` });
    const ok = await via.publish(event, { timeoutMs: 5000 });
    if (ok[2] === true) {
      const got = await sub.liveEvents(subId, 300);
      if (got.some((e) => e.id === event.id)) return Date.now() - start;
    } else {
      await sleep(200);
    }
  }
  throw new Error(`no live delivery within ${deadlineMs} ms`);
}

test('an event published through one websocket-handler reaches a live subscriber on the other', async () => {
  const [a, b] = cluster.handlers;
  const publisher = await connectRaw(a.url);
  const subscriber = await connectRaw(b.url);
  const key = newKey();
  await subscriber.req('live', [{ authors: [key.pk], kinds: [1] }]);

  const latencies = [];
  for (let i = 0; i < 50; i++) {
    const event = signEvent(key, { kind: 1, content: `cross ${i}` });
    const sent = performance.now();
    publisher.send(['EVENT', event]);
    const received = await subscriber.nextEvent('live', { timeoutMs: 5000 });
    latencies.push(performance.now() - sent);
    assert.equal(received.id, event.id);
    assert.equal((await publisher.ok(event.id))[2], true);
  }
  latencies.sort((x, y) => x - y);
  console.log(`# cross-handler live delivery over 50 events: p50 ${latencies[25].toFixed(1)} ms, max ${latencies[49].toFixed(1)} ms`);
  // each event exactly once
  assert.deepEqual(await subscriber.liveEvents('live', 300), []);

  // and the stored copy is visible through both handlers
  const viaA = await publisher.query([{ authors: [key.pk] }]);
  const viaB = await subscriber.query([{ authors: [key.pk] }]);
  assert.equal(viaA.length, 50);
  assert.deepEqual(viaB.map((e) => e.id), viaA.map((e) => e.id));
});

test('ephemeral events cross handlers and are not stored', async () => {
  const [a, b] = cluster.handlers;
  const publisher = await connectRaw(a.url);
  const subscriber = await connectRaw(b.url);
  const key = newKey();
  await subscriber.req('eph', [{ authors: [key.pk] }]);
  const event = signEvent(key, { kind: 20001, content: 'typing' });
  assert.equal((await publisher.publish(event))[2], true);
  assert.equal((await subscriber.nextEvent('eph')).id, event.id);
  assert.deepEqual(await publisher.query([{ authors: [key.pk] }]), []);
});

test('Redis restart: writes and local delivery go on while it is down, cross-handler delivery resumes', async () => {
  const [a, b] = cluster.handlers;
  const publisher = await connectRaw(a.url);
  const localSub = await connectRaw(a.url);
  const remoteSub = await connectRaw(b.url);
  const key = newKey();
  await localSub.req('local', [{ authors: [key.pk] }]);
  await remoteSub.req('remote', [{ authors: [key.pk] }]);
  await waitForDelivery(publisher, remoteSub, 'remote', key, 5000);
  await localSub.liveEvents('local', 100);

  testServer('redis', 'stop');
  try {
    const during = signEvent(key, { kind: 1, content: 'while redis is down' });
    const ok = await publisher.publish(during, { timeoutMs: 5000 });
    assert.equal(ok[2], true, `write during the Redis outage: ${JSON.stringify(ok)}`);
    assert.equal((await localSub.nextEvent('local', { timeoutMs: 3000 })).id, during.id);
  } finally {
    testServer('redis', 'start');
  }
  const ms = await waitForDelivery(publisher, remoteSub, 'remote', key, 15_000);
  console.log(`# cross-handler delivery resumed ${ms} ms after Redis came back`);
  alive();
});

test('PostgreSQL stopped: EVENT and REQ get error answers, nothing crashes, acknowledged events survive', async () => {
  const [a, b] = cluster.handlers;
  const client = await connectRaw(a.url);
  const other = await connectRaw(b.url);
  const key = newKey();
  const acked = [];
  for (let i = 0; i < 20; i++) {
    const event = signEvent(key, { kind: 1, created_at: now() - i, content: `before ${i}` });
    assert.equal((await client.publish(event))[2], true);
    acked.push(event.id);
  }

  testServer('postgres', 'stop');
  try {
    const during = signEvent(key, { kind: 1, content: 'while postgres is down' });
    const ok = await client.publish(during, { timeoutMs: 15_000 });
    assert.equal(ok[2], false);
    assert.match(ok[3], /^error: /);
    other.send(['REQ', 'down', { authors: [key.pk] }]);
    const answer = await other.next((m) => m[1] === 'down' && (m[0] === 'CLOSED' || m[0] === 'EOSE'), {
      timeoutMs: 15_000,
    });
    assert.equal(answer[0], 'CLOSED');
    assert.match(answer[2], /^error: /);
    alive();
  } finally {
    testServer('postgres', 'start');
  }

  // service resumes by itself (the pools reconnect)
  const deadline = Date.now() + 30_000;
  let resumed = false;
  while (!resumed && Date.now() < deadline) {
    const event = signEvent(key, { kind: 1, content: `after ${Date.now()}` });
    const ok = await client.publish(event, { timeoutMs: 15_000 });
    if (ok[2] === true) {
      resumed = true;
      acked.push(event.id);
    } else await sleep(500);
  }
  assert.ok(resumed, 'writes did not resume within 30 s after PostgreSQL restarted');
  const stored = await other.query([{ authors: [key.pk] }], { timeoutMs: 15_000 });
  const storedIds = new Set(stored.map((e) => e.id));
  for (const id of acked) assert.ok(storedIds.has(id), `acknowledged event ${id} is missing`);
  alive();
});
