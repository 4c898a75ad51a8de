// Hostile input on one connection gets NIP-01 answers with a machine-readable prefix, while a
// second, well-behaved connection keeps working and the relay process stays alive.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { setupRelay } from './lib/relay.js';
import { connectNostr, connectRaw, isPrefixedRefusal } from './lib/ws.js';
import { deepCopy, newKey, signEvent } from './lib/nostr.js';

const ctx = setupRelay();

const validKey = newKey();
const valid = signEvent(validKey);

// label -> text frame (string sent as-is)
const TEXT_INPUTS = {
  'malformed JSON': '["EVENT", {',
  'garbage text': 'hello relay',
  'empty text frame': '',
  'JSON object, not an array': '{"kind": 1}',
  'JSON string': '"REQ"',
  'JSON number': '42',
  'JSON null': 'null',
  'empty array': '[]',
  'verb is not a string': '[1, "sub", {}]',
  'unknown verb': '["HELLO", "world"]',
  'lowercase verb': '["req", "sub", {}]',
  'EVENT without event': '["EVENT"]',
  'EVENT with a string': '["EVENT", "not an event"]',
  'EVENT with an array': '["EVENT", []]',
  'EVENT with wrong field types': JSON.stringify(['EVENT', { ...deepCopy(valid), kind: '1', tags: {} }]),
  'REQ without id': '["REQ"]',
  'REQ with numeric id': '["REQ", 5, {}]',
  'REQ with empty id': '["REQ", "", {}]',
  'REQ with a string filter': '["REQ", "sub-str", "filter"]',
  'REQ with kinds of strings': '["REQ", "sub-kinds", {"kinds": ["1"]}]',
  'REQ with authors not hex': '["REQ", "sub-auth", {"authors": ["xyz"]}]',
  'REQ with negative limit': '["REQ", "sub-lim", {"limit": -1}]',
  'REQ with float since': '["REQ", "sub-since", {"since": 1.5}]',
  'REQ with #e not array': '["REQ", "sub-e", {"#e": "abc"}]',
  'CLOSE without id': '["CLOSE"]',
  'CLOSE with object id': '["CLOSE", {}]',
  'COUNT with no filters': '["COUNT", "cnt"]',
  'COUNT with a number filter': '["COUNT", "cnt2", 7]',
  'deeply nested arrays (10,000 [)': '['.repeat(10000),
  'deeply nested closed arrays': `${'['.repeat(10000)}${']'.repeat(10000)}`,
  'deeply nested objects in a filter': `["REQ","deep",${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}]`,
  'NUL bytes': '["REQ", "a\u0000b", {"kinds":[1]}]',
  'huge number': '["REQ", "big", {"limit": 1e400}]',
  'huge integer kind': '["REQ", "bigk", {"kinds": [99999999999999999999]}]',
};

const isPrefixed = isPrefixedRefusal;

let good; // the well-behaved connection
let liveKey;
before(async () => {
  await ctx.ready();
  good = await connectRaw(ctx.relay.url);
  liveKey = newKey();
  await good.req('watch', [{ authors: [liveKey.pk] }]);
});

async function assertGoodConnectionWorks(label) {
  const event = signEvent(liveKey, { content: `still alive after ${label}` });
  const ok = await good.publish(event);
  assert.equal(ok[2], true, `publish on the good connection after ${label}: ${JSON.stringify(ok)}`);
  const live = await good.nextEvent('watch');
  assert.equal(live.id, event.id, 'live subscription on the good connection');
  const stored = await good.query([{ ids: [event.id] }]);
  assert.equal(stored.length, 1, `REQ on the good connection after ${label}`);
}

test('each hostile text message gets a prefixed NOTICE/CLOSED/OK; the relay keeps serving', async (t) => {
  let bad = await connectRaw(ctx.relay.url);
  for (const [label, text] of Object.entries(TEXT_INPUTS)) {
    await t.test(label, async () => {
      if (!bad.open) bad = await connectRaw(ctx.relay.url);
      bad.send(text);
      const answer = await bad.nextAnswer({ timeoutMs: 3000 });
      assert.ok(isPrefixed(answer), `answer lacks a NIP-01 prefix or is not a refusal: ${JSON.stringify(answer).slice(0, 300)}`);
      assert.ok(ctx.relay.alive(), `relay died after ${label}\n${ctx.relay.describe()}`);
    });
  }
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
  await assertGoodConnectionWorks('hostile text messages');
});

test('after garbage, the same connection still handles valid messages', async () => {
  const c = await connectRaw(ctx.relay.url);
  c.send('not json at all');
  await c.nextAnswer();
  c.send('["UNKNOWN"]');
  await c.nextAnswer();
  const event = signEvent(newKey());
  const ok = await c.publish(event);
  assert.equal(ok[2], true, JSON.stringify(ok));
  assert.equal((await c.query([{ ids: [event.id] }])).length, 1);
});

test('binary frame gets a prefixed NOTICE', async () => {
  const bad = await connectRaw(ctx.relay.url);
  bad.sendBinary(Buffer.from(JSON.stringify(['REQ', 'bin', {}])));
  const answer = await bad.nextAnswer();
  assert.ok(isPrefixed(answer), JSON.stringify(answer));
  assert.notEqual(answer[0], 'EOSE');
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
  await assertGoodConnectionWorks('binary frame');
});

test('huge message (512 KiB, over the 128 KiB default) gets a prefixed answer', async () => {
  const bad = await connectRaw(ctx.relay.url);
  bad.send(JSON.stringify(['REQ', 'huge', { '#t': ['x'.repeat(512 * 1024)] }]));
  const answer = await bad.nextAnswer({ timeoutMs: 5000 });
  assert.ok(isPrefixed(answer), JSON.stringify(answer).slice(0, 300));
  assert.notEqual(answer[0], 'EOSE');
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
  await assertGoodConnectionWorks('huge message');
});

test('enormous message (8 MiB): prefixed answer or connection closed; relay unharmed', async () => {
  const bad = await connectRaw(ctx.relay.url);
  bad.send(JSON.stringify(['REQ', 'enormous', { '#t': ['x'.repeat(8 * 1024 * 1024)] }]));
  let answer = null;
  try {
    answer = await bad.nextAnswer({ timeoutMs: 10000 });
  } catch (err) {
    assert.ok(bad.closeInfo, `neither an answer nor a close: ${err.message}`);
    // 1009 = message too big. 1006 (no close frame seen) happens when the relay closes while
    // the client is still sending: the unread data makes the TCP stack reset the connection.
    assert.ok(
      [1009, 1006].includes(bad.closeInfo.code),
      `closed with ${JSON.stringify(bad.closeInfo)}`,
    );
  }
  if (answer) assert.ok(isPrefixed(answer), JSON.stringify(answer).slice(0, 300));
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
  await assertGoodConnectionWorks('enormous message');
});

test('huge EVENT (over the limit) gets OK false "invalid:" with its id', async () => {
  const bad = await connectRaw(ctx.relay.url);
  const key = newKey();
  const event = signEvent(key, { content: 'x'.repeat(200 * 1024) });
  bad.send(['EVENT', event]);
  const answer = await bad.nextAnswer({ timeoutMs: 5000 });
  assert.deepEqual(answer.slice(0, 3), ['OK', event.id, false], JSON.stringify(answer).slice(0, 300));
  assert.match(answer[3], /^invalid:/);
  await assertGoodConnectionWorks('huge EVENT');
});

test('a burst of mixed garbage on many connections does not disturb the good one', async () => {
  const clients = await Promise.all(Array.from({ length: 5 }, () => connectRaw(ctx.relay.url)));
  const garbage = Object.values(TEXT_INPUTS);
  for (let round = 0; round < 4; round++) {
    for (const [i, c] of clients.entries()) {
      if (c.open) c.send(garbage[(round * clients.length + i) % garbage.length]);
    }
  }
  await Promise.all(clients.map((c) => c.close()));
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
  await assertGoodConnectionWorks('garbage burst');
  // nostr-tools client still works too.
  const relay = await connectNostr(ctx.relay.url);
  await relay.publish(signEvent(newKey()));
});

test('abrupt disconnects (terminate mid-subscription) do not disturb the relay', async () => {
  for (let i = 0; i < 5; i++) {
    const c = await connectRaw(ctx.relay.url);
    c.send(['REQ', 'x', {}]);
    c.ws.terminate();
  }
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
  await assertGoodConnectionWorks('abrupt disconnects');
});
