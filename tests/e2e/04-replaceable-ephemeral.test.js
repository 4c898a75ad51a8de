// Replaceable (0, 3, 10000-19999), addressable (30000-39999) and ephemeral (20000-29999) kinds.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { setupRelay } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { byId, newKey, now, signEvent, sortedIds } from './lib/nostr.js';

const ctx = setupRelay();
const PREFIX = /^[a-z-]+:/;

let client;
before(async () => {
  await ctx.ready();
  client = await connectRaw(ctx.relay.url);
});

async function accept(event, label = 'publish') {
  const ok = await client.publish(event);
  assert.equal(ok[2], true, `${label}: ${JSON.stringify(ok)}`);
  return ok;
}

async function refuse(event, label) {
  const ok = await client.publish(event);
  assert.equal(ok[1], event.id);
  assert.equal(ok[2], false, `${label}: an older/losing version must get OK false: ${JSON.stringify(ok)}`);
  assert.match(ok[3], PREFIX, `${label}: OK false needs a machine-readable prefix`);
  return ok;
}

for (const kind of [0, 3, 10002]) {
  test(`replaceable kind ${kind}: only the newest version is returned; an older one afterwards is refused`, async () => {
    const key = newKey();
    const t = now() - 1000;
    const v1 = signEvent(key, { kind, created_at: t, content: kind === 0 ? '{"name":"v1"}' : '' });
    const v2 = signEvent(key, { kind, created_at: t + 10, content: kind === 0 ? '{"name":"v2"}' : '' });
    const v0 = signEvent(key, { kind, created_at: t - 10, content: kind === 0 ? '{"name":"v0"}' : '' });
    const other = signEvent(key, { kind: 1, created_at: t });
    await accept(v1, 'v1');
    await accept(v2, 'v2 (newer)');
    await accept(other, 'unrelated kind 1');

    let events = await client.query([{ authors: [key.pk], kinds: [kind] }]);
    assert.deepEqual(events.map((e) => e.id), [v2.id], 'only the newest version');
    assert.deepEqual(await client.query([{ ids: [v1.id] }]), [], 'replaced version still served by id');

    await refuse(v0, 'older version sent after the newer one');
    events = await client.query([{ authors: [key.pk], kinds: [kind] }]);
    assert.deepEqual(events.map((e) => e.id), [v2.id]);
    // Other kinds of the same author are unaffected.
    assert.deepEqual(sortedIds(await client.query([{ authors: [key.pk] }])), [v2.id, other.id].sort());
    const count = await client.count('cnt', [{ authors: [key.pk], kinds: [kind] }]);
    assert.equal(count[2]?.count, 1, `COUNT: ${JSON.stringify(count)}`);
  });
}

test('replaceable: versions of different authors are independent', async () => {
  const k1 = newKey();
  const k2 = newKey();
  const t = now() - 500;
  const a = signEvent(k1, { kind: 0, created_at: t, content: '{}' });
  const b = signEvent(k2, { kind: 0, created_at: t - 100, content: '{}' });
  await accept(a);
  await accept(b);
  const events = await client.query([{ authors: [k1.pk, k2.pk], kinds: [0] }]);
  assert.deepEqual(sortedIds(events), [a.id, b.id].sort());
});

test('replaceable with equal created_at: the lowest id is kept (lower id arrives second)', async () => {
  const key = newKey();
  const t = now() - 800;
  const [low, high] = byId(
    signEvent(key, { kind: 10002, created_at: t, content: 'one', tags: [['r', 'wss://a.example']] }),
    signEvent(key, { kind: 10002, created_at: t, content: 'two', tags: [['r', 'wss://b.example']] }),
  );
  await accept(high, 'higher id first');
  await accept(low, 'lower id with the same created_at replaces it');
  const events = await client.query([{ authors: [key.pk], kinds: [10002] }]);
  assert.deepEqual(events.map((e) => e.id), [low.id]);
});

test('replaceable with equal created_at: the lowest id is kept (higher id arrives second)', async () => {
  const key = newKey();
  const t = now() - 800;
  const [low, high] = byId(
    signEvent(key, { kind: 0, created_at: t, content: '{"name":"one"}' }),
    signEvent(key, { kind: 0, created_at: t, content: '{"name":"two"}' }),
  );
  await accept(low, 'lower id first');
  await refuse(high, 'higher id with the same created_at');
  const events = await client.query([{ authors: [key.pk], kinds: [0] }]);
  assert.deepEqual(events.map((e) => e.id), [low.id]);
});

test('addressable kind 30023: newest per d tag; different d tags coexist; older refused', async () => {
  const key = newKey();
  const t = now() - 1000;
  const a1 = signEvent(key, { kind: 30023, created_at: t, tags: [['d', 'alpha']], content: 'a1' });
  const a2 = signEvent(key, { kind: 30023, created_at: t + 5, tags: [['d', 'alpha']], content: 'a2' });
  const b1 = signEvent(key, { kind: 30023, created_at: t, tags: [['d', 'beta']], content: 'b1' });
  const a0 = signEvent(key, { kind: 30023, created_at: t - 5, tags: [['d', 'alpha']], content: 'a0' });
  await accept(a1);
  await accept(b1);
  await accept(a2);
  let events = await client.query([{ authors: [key.pk], kinds: [30023] }]);
  assert.deepEqual(sortedIds(events), [a2.id, b1.id].sort());
  assert.deepEqual(
    (await client.query([{ authors: [key.pk], kinds: [30023], '#d': ['alpha'] }])).map((e) => e.id),
    [a2.id],
  );
  await refuse(a0, 'older addressable version');
  events = await client.query([{ authors: [key.pk], kinds: [30023] }]);
  assert.deepEqual(sortedIds(events), [a2.id, b1.id].sort());
});

test('addressable: missing d tag is the same address as d = ""', async () => {
  const key = newKey();
  const t = now() - 1000;
  const noD = signEvent(key, { kind: 30023, created_at: t, tags: [], content: 'no d' });
  const emptyD = signEvent(key, { kind: 30023, created_at: t + 1, tags: [['d', '']], content: 'empty d' });
  const olderNoD = signEvent(key, { kind: 30023, created_at: t - 1, tags: [['t', 'x']], content: 'older no d' });
  await accept(noD);
  await accept(emptyD, '["d",""] newer than the event without d');
  let events = await client.query([{ authors: [key.pk], kinds: [30023] }]);
  assert.deepEqual(events.map((e) => e.id), [emptyD.id]);
  await refuse(olderNoD, 'older event without d');
  events = await client.query([{ authors: [key.pk], kinds: [30023] }]);
  assert.deepEqual(events.map((e) => e.id), [emptyD.id]);
});

test('addressable: the same d in different kinds or authors does not replace', async () => {
  const k1 = newKey();
  const k2 = newKey();
  const t = now() - 1000;
  const x = signEvent(k1, { kind: 30023, created_at: t, tags: [['d', 'same']] });
  const y = signEvent(k1, { kind: 30024, created_at: t + 1, tags: [['d', 'same']] });
  const z = signEvent(k2, { kind: 30023, created_at: t + 2, tags: [['d', 'same']] });
  await accept(x);
  await accept(y);
  await accept(z);
  const events = await client.query([{ authors: [k1.pk, k2.pk] }]);
  assert.deepEqual(sortedIds(events), [x.id, y.id, z.id].sort());
});

test('addressable with equal created_at: the lowest id is kept', async () => {
  const key = newKey();
  const t = now() - 700;
  const [low, high] = byId(
    signEvent(key, { kind: 30023, created_at: t, tags: [['d', 'tie']], content: 'p' }),
    signEvent(key, { kind: 30023, created_at: t, tags: [['d', 'tie']], content: 'q' }),
  );
  await accept(high);
  await accept(low);
  assert.deepEqual(
    (await client.query([{ authors: [key.pk], kinds: [30023] }])).map((e) => e.id),
    [low.id],
  );
});

test('ephemeral kind 20001: OK true, delivered live, never returned by REQ', async () => {
  const key = newKey();
  const subscriber = await connectRaw(ctx.relay.url);
  const publisher = await connectNostr(ctx.relay.url);
  await subscriber.req('eph', [{ authors: [key.pk], kinds: [20001] }]);

  const event = signEvent(key, { kind: 20001, content: 'ephemeral' });
  await publisher.publish(event); // nostr-tools: resolves on OK true
  const delivered = await subscriber.nextEvent('eph');
  assert.equal(delivered.id, event.id);

  const stored = await subscriber.query([{ authors: [key.pk] }]);
  assert.deepEqual(stored, [], 'ephemeral event was stored');
  assert.deepEqual(await subscriber.query([{ ids: [event.id] }]), []);
  const count = await subscriber.count('eph-count', [{ authors: [key.pk] }]);
  assert.equal(count[2]?.count, 0, JSON.stringify(count));
});

test('ephemeral with nobody listening: OK (true, or false "mute:"), not stored', async () => {
  const key = newKey();
  const event = signEvent(key, { kind: 20001 });
  const ok = await client.publish(event);
  if (ok[2] !== true) assert.match(ok[3], /^mute:/, JSON.stringify(ok));
  assert.deepEqual(await client.query([{ ids: [event.id] }]), []);
});

test('a refused older replaceable version is not delivered to live subscribers', async () => {
  const key = newKey();
  const sub = await connectRaw(ctx.relay.url);
  await sub.req('repl-live', [{ authors: [key.pk], kinds: [0] }]);
  const t = now() - 100;
  const newer = signEvent(key, { kind: 0, created_at: t, content: '{"name":"new"}' });
  const older = signEvent(key, { kind: 0, created_at: t - 50, content: '{"name":"old"}' });
  await accept(newer);
  await refuse(older, 'older version');
  const live = await sub.liveEvents('repl-live', 400);
  assert.deepEqual(live.map((e) => e.id), [newer.id], 'subscriber saw the refused older version');
});
