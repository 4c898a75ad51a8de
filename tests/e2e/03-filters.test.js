// NIP-01 filters and NIP-45 COUNT against a small known data set.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { setupRelay } from './lib/relay.js';
import { connectNostr, connectRaw, withTimeout } from './lib/ws.js';
import { compareNewestFirst, newKey, now, randomHex, signEvent, sortedIds, token } from './lib/nostr.js';

const ctx = setupRelay();
const QUIET_MS = 400;

const A = newKey();
const B = newKey();
const C = newKey();
const T = now() - 5000; // base timestamp of the data set
const tok = token(); // makes tag values unique to this run
const tag = (name) => `${name}-${tok}`;
const refId1 = randomHex();
const refId2 = randomHex();

// name -> event
const E = {};
function add(name, key, fields) {
  E[name] = signEvent(key, fields);
}
add('a1', A, { kind: 1, created_at: T + 10, tags: [['t', tag('x')]] });
add('a2', A, { kind: 1, created_at: T + 20, tags: [['t', tag('y')], ['p', C.pk]] });
add('a3', A, { kind: 7, created_at: T + 30, tags: [['e', refId1, 'wss://relay.example.com'], ['p', B.pk]] });
add('b1', B, { kind: 1, created_at: T + 40, tags: [['t', tag('x')], ['p', C.pk]] });
add('b2', B, { kind: 7, created_at: T + 50, tags: [['e', refId2]] });
add('b3', B, { kind: 1111, created_at: T + 60, tags: [['t', tag('z')], ['e', refId1]] });
// Only the first value of a tag is indexed: x appears as the 2nd value here.
add('c1', C, { kind: 1, created_at: T + 70, tags: [['t', tag('w'), tag('x')]] });
// since/until boundaries
add('c2', C, { kind: 1, created_at: T + 100 });
add('c3', C, { kind: 1, created_at: T + 101 });
add('c4', C, { kind: 1, created_at: T + 102 });
add('c5', C, { kind: 1, created_at: T + 103 });

const all = () => Object.values(E);
const idsOf = (...names) => names.map((n) => E[n].id).sort();

let client;
before(async () => {
  await ctx.ready();
  client = await connectRaw(ctx.relay.url);
  for (const event of all()) {
    const ok = await client.publish(event);
    assert.equal(ok[2], true, `setup publish failed: ${JSON.stringify(ok)}`);
  }
});

async function query(filters) {
  return client.query(filters);
}

test('ids filter returns exactly those events', async () => {
  const events = await query([{ ids: [E.a1.id, E.b2.id, randomHex()] }]);
  assert.deepEqual(sortedIds(events), idsOf('a1', 'b2'));
});

test('authors filter', async () => {
  assert.deepEqual(sortedIds(await query([{ authors: [A.pk] }])), idsOf('a1', 'a2', 'a3'));
  assert.deepEqual(
    sortedIds(await query([{ authors: [A.pk, B.pk] }])),
    idsOf('a1', 'a2', 'a3', 'b1', 'b2', 'b3'),
  );
});

test('kinds filter (ANDed with authors)', async () => {
  assert.deepEqual(sortedIds(await query([{ authors: [A.pk, B.pk], kinds: [7] }])), idsOf('a3', 'b2'));
  assert.deepEqual(
    sortedIds(await query([{ authors: [A.pk, B.pk, C.pk], kinds: [7, 1111] }])),
    idsOf('a3', 'b2', 'b3'),
  );
});

test('#t filter: OR within the list, first tag value only', async () => {
  assert.deepEqual(sortedIds(await query([{ '#t': [tag('x')] }])), idsOf('a1', 'b1'));
  assert.deepEqual(sortedIds(await query([{ '#t': [tag('x'), tag('z')] }])), idsOf('a1', 'b1', 'b3'));
  assert.deepEqual(sortedIds(await query([{ '#t': [tag('w')] }])), idsOf('c1'));
});

test('#e and #p filters (hex values; extra tag elements ignored)', async () => {
  assert.deepEqual(sortedIds(await query([{ '#e': [refId1] }])), idsOf('a3', 'b3'));
  assert.deepEqual(sortedIds(await query([{ '#e': [refId2, refId1] }])), idsOf('a3', 'b2', 'b3'));
  assert.deepEqual(sortedIds(await query([{ '#p': [C.pk] }])), idsOf('a2', 'b1'));
  assert.deepEqual(sortedIds(await query([{ '#e': [randomHex()] }])), []);
});

test('tag filters are ANDed across letters and with other fields', async () => {
  assert.deepEqual(sortedIds(await query([{ '#t': [tag('x'), tag('y')], '#p': [C.pk] }])), idsOf('a2', 'b1'));
  assert.deepEqual(sortedIds(await query([{ '#t': [tag('x')], '#p': [C.pk] }])), idsOf('b1'));
  assert.deepEqual(sortedIds(await query([{ '#t': [tag('x')], authors: [A.pk] }])), idsOf('a1'));
  assert.deepEqual(sortedIds(await query([{ '#e': [refId1], kinds: [1111] }])), idsOf('b3'));
});

test('since and until are inclusive', async () => {
  const f = { authors: [C.pk] };
  assert.deepEqual(sortedIds(await query([{ ...f, since: T + 101, until: T + 102 }])), idsOf('c3', 'c4'));
  assert.deepEqual(sortedIds(await query([{ ...f, since: T + 103 }])), idsOf('c5'));
  assert.deepEqual(sortedIds(await query([{ ...f, until: T + 70 }])), idsOf('c1'));
  assert.deepEqual(sortedIds(await query([{ ...f, since: T + 102, until: T + 102 }])), idsOf('c4'));
  assert.deepEqual(sortedIds(await query([{ ...f, since: T + 104 }])), []);
});

test('results are newest first', async () => {
  const events = await query([{ authors: [A.pk, B.pk, C.pk] }]);
  assert.equal(events.length, all().length);
  const expected = all().slice().sort(compareNewestFirst).map((e) => e.id);
  assert.deepEqual(events.map((e) => e.id), expected);
});

test('limit returns the newest n; ties broken by lowest id first', async () => {
  const key = newKey();
  const base = now() - 3000;
  const tied = [0, 1, 2, 3].map((i) => signEvent(key, { created_at: base + 5, content: `tie ${i}` }));
  const newest = signEvent(key, { created_at: base + 9 });
  const older = signEvent(key, { created_at: base + 3 });
  for (const e of [...tied, newest, older]) assert.equal((await client.publish(e))[2], true);
  const tiedSorted = tied.slice().sort((a, b) => (a.id < b.id ? -1 : 1));

  const three = await query([{ authors: [key.pk], limit: 3 }]);
  assert.deepEqual(
    three.map((e) => e.id),
    [newest.id, tiedSorted[0].id, tiedSorted[1].id],
    'limit 3: newest, then the two lowest ids of the tied events',
  );
  const one = await query([{ authors: [key.pk], limit: 1 }]);
  assert.deepEqual(one.map((e) => e.id), [newest.id]);
  const many = await query([{ authors: [key.pk], limit: 100 }]);
  assert.deepEqual(
    many.map((e) => e.id),
    [newest.id, ...tiedSorted.map((e) => e.id), older.id],
  );
});

test('limit is per filter and combines with since/until', async () => {
  const events = await query([{ authors: [C.pk], until: T + 102, limit: 2 }]);
  assert.deepEqual(sortedIds(events), idsOf('c3', 'c4'));
});

test('limit 0: EOSE immediately with no stored events, and the subscription stays live', async () => {
  const key = newKey();
  const pub = await connectRaw(ctx.relay.url);
  const stored = signEvent(key);
  assert.equal((await pub.publish(stored))[2], true);

  const sub = await connectRaw(ctx.relay.url);
  const { events, eose } = await sub.req('zero', [{ authors: [key.pk], limit: 0 }]);
  assert.equal(eose, true);
  assert.deepEqual(events, []);

  const live = signEvent(key);
  assert.equal((await pub.publish(live))[2], true);
  const delivered = await sub.nextEvent('zero');
  assert.equal(delivered.id, live.id);
});

test('several filters are ORed and no event is sent twice', async () => {
  const events = await query([
    { authors: [A.pk] },
    { kinds: [1], authors: [A.pk, B.pk] }, // overlaps a1, a2
    { '#t': [tag('x')] }, // overlaps a1, b1
    { ids: [E.a1.id, E.c5.id] },
  ]);
  const got = events.map((e) => e.id);
  assert.equal(new Set(got).size, got.length, `duplicates in ${JSON.stringify(got)}`);
  assert.deepEqual(got.slice().sort(), idsOf('a1', 'a2', 'a3', 'b1', 'c5'));
});

test('live delivery with several filters sends a matching event once', async () => {
  const key = newKey();
  const sub = await connectRaw(ctx.relay.url);
  await sub.req('multi', [{ authors: [key.pk] }, { kinds: [1], authors: [key.pk] }, { '#t': [tag('live')] }]);
  const event = signEvent(key, { kind: 1, tags: [['t', tag('live')]] });
  assert.equal((await client.publish(event))[2], true);
  assert.equal((await sub.nextEvent('multi')).id, event.id);
  assert.deepEqual(await sub.liveEvents('multi', QUIET_MS), [], 'event delivered more than once');
});

test('empty filter {} is valid: returns stored events and delivers live ones', async () => {
  const sub = await connectRaw(ctx.relay.url);
  const { events, eose } = await sub.req('everything', [{}]);
  assert.equal(eose, true);
  assert.ok(events.length >= all().length, `expected at least ${all().length} events, got ${events.length}`);
  const key = newKey();
  const event = signEvent(key);
  assert.equal((await client.publish(event))[2], true);
  const delivered = await sub.nextEvent('everything');
  assert.equal(delivered.id, event.id);
});

test('NIP-45 COUNT returns ["COUNT", id, {"count": n}]', async () => {
  const reply = await client.count('c-authors', [{ authors: [A.pk] }]);
  assert.equal(reply[0], 'COUNT', JSON.stringify(reply));
  assert.equal(reply[1], 'c-authors');
  assert.equal(typeof reply[2], 'object');
  assert.equal(reply[2].count, 3);

  const kinds = await client.count('c-kinds', [{ authors: [A.pk, B.pk], kinds: [7] }]);
  assert.equal(kinds[2].count, 2);
  const none = await client.count('c-none', [{ authors: [randomHex()] }]);
  assert.equal(none[2].count, 0);
});

test('NIP-45 COUNT with several overlapping filters counts each event once', async () => {
  const reply = await client.count('c-multi', [
    { authors: [A.pk] },
    { kinds: [1], authors: [A.pk, B.pk] },
    { '#t': [tag('x')] },
  ]);
  assert.equal(reply[0], 'COUNT', JSON.stringify(reply));
  // a1 a2 a3 | a1 a2 b1 | a1 b1  -> a1 a2 a3 b1
  assert.equal(reply[2].count, 4);
});

test('NIP-45 COUNT through nostr-tools', async () => {
  const relay = await connectNostr(ctx.relay.url);
  const n = await withTimeout(relay.count([{ '#e': [refId1] }], {}), 5000, 'nostr-tools count');
  assert.equal(n, 2);
});

test('a REQ with an invalid filter is refused with CLOSED (prefix)', async () => {
  const sub = await connectRaw(ctx.relay.url);
  const result = await sub.req('bad', [{ authors: ['not-hex'] }], { allowClosed: true });
  assert.ok(result.closed, `expected CLOSED, got EOSE with ${result.events.length} events`);
  assert.match(result.closed[2], /^[a-z-]+:/);
  // The connection still works.
  const ok = await sub.query([{ ids: [E.a1.id] }]);
  assert.equal(ok.length, 1);
});
