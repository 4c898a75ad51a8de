// Operator limits, with a relay started with small values.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { setupRelay, startRelay } from './lib/relay.js';
import { connectRaw, PREFIX_RE } from './lib/ws.js';
import { newKey, now, signEvent } from './lib/nostr.js';

const LIMITS = {
  maxMessageBytes: 4096,
  maxSubscriptions: 3,
  maxFilters: 2,
  maxLimit: 5,
  maxSubidLength: 16,
  maxEventTags: 10,
  maxContentLength: 1000,
  createdAtFuture: 60,
  createdAtPast: 86400,
};

const ctx = setupRelay([
  '--max-message-bytes', String(LIMITS.maxMessageBytes),
  '--max-subscriptions', String(LIMITS.maxSubscriptions),
  '--max-filters', String(LIMITS.maxFilters),
  '--max-limit', String(LIMITS.maxLimit),
  '--max-subid-length', String(LIMITS.maxSubidLength),
  '--max-event-tags', String(LIMITS.maxEventTags),
  '--max-content-length', String(LIMITS.maxContentLength),
  '--created-at-future', String(LIMITS.createdAtFuture),
  '--created-at-past', String(LIMITS.createdAtPast),
]);

let client;
before(async () => {
  await ctx.ready();
  client = await connectRaw(ctx.relay.url);
});

async function expectInvalid(c, event, label) {
  const ok = await c.publish(event);
  assert.equal(ok[1], event.id);
  assert.equal(ok[2], false, `${label}: expected OK false, got ${JSON.stringify(ok)}`);
  assert.match(ok[3], /^invalid:/, label);
}

async function expectAccepted(c, event, label) {
  const ok = await c.publish(event);
  assert.equal(ok[2], true, `${label}: ${JSON.stringify(ok)}`);
}

test('too many subscriptions -> CLOSED with a prefix; replacing or closing frees nothing/one slot', async () => {
  const c = await connectRaw(ctx.relay.url);
  for (let i = 0; i < LIMITS.maxSubscriptions; i++) {
    const r = await c.req(`sub${i}`, [{ kinds: [1], limit: 1 }]);
    assert.equal(r.eose, true);
  }
  const over = await c.req('one-too-many', [{ kinds: [1] }], { allowClosed: true });
  assert.ok(over.closed, 'subscription over the limit was not CLOSED');
  assert.equal(over.closed[1], 'one-too-many');
  assert.match(over.closed[2], PREFIX_RE);

  // Re-using an existing id replaces it and is not a new subscription.
  const replaced = await c.req('sub0', [{ kinds: [7] }], { allowClosed: true });
  assert.equal(replaced.closed, null, `replacing an existing subscription was refused: ${JSON.stringify(replaced.closed)}`);

  // After CLOSE a new one fits again.
  c.send(['CLOSE', 'sub1']);
  const fresh = await c.req('fresh', [{ kinds: [1], limit: 1 }], { allowClosed: true });
  assert.equal(fresh.closed, null, `new subscription after CLOSE refused: ${JSON.stringify(fresh.closed)}`);

  // The limit is per connection: another connection can still subscribe.
  const other = await connectRaw(ctx.relay.url);
  const r = await other.req('x', [{ kinds: [1], limit: 1 }], { allowClosed: true });
  assert.equal(r.closed, null);
});

test('too many filters -> CLOSED (REQ) and CLOSED (COUNT)', async () => {
  const filters = Array.from({ length: LIMITS.maxFilters + 1 }, (_, i) => ({ kinds: [i + 1] }));
  const r = await client.req('many-filters', filters, { allowClosed: true });
  assert.ok(r.closed, 'REQ with too many filters was not CLOSED');
  assert.match(r.closed[2], PREFIX_RE);

  const exact = await client.req('ok-filters', filters.slice(0, LIMITS.maxFilters), { allowClosed: true });
  assert.equal(exact.closed, null, 'REQ with exactly max-filters filters was refused');
  client.send(['CLOSE', 'ok-filters']);

  const count = await client.count('many-count', filters);
  assert.equal(count[0], 'CLOSED', `COUNT with too many filters: ${JSON.stringify(count)}`);
  assert.match(count[2], PREFIX_RE);
});

test('subscription id longer than max-subid-length is refused', async () => {
  const c = await connectRaw(ctx.relay.url);
  const longId = 'x'.repeat(LIMITS.maxSubidLength + 1);
  c.send(['REQ', longId, { kinds: [1] }]);
  const answer = await c.next((m) => ['CLOSED', 'NOTICE', 'EOSE'].includes(m[0]), { what: 'answer to long sub id' });
  assert.notEqual(answer[0], 'EOSE', 'over-long subscription id was accepted');
  assert.match(answer[answer.length - 1], PREFIX_RE);
  const okId = 'y'.repeat(LIMITS.maxSubidLength);
  const r = await c.req(okId, [{ kinds: [1], limit: 1 }], { allowClosed: true });
  assert.equal(r.closed, null, 'subscription id of exactly max length refused');
});

test('oversized EVENT message -> OK false "invalid:" with its id', async () => {
  const c = await connectRaw(ctx.relay.url);
  const key = newKey();
  // Short content and few tags, but long tag values: only the message size is over the limit.
  const big = signEvent(key, {
    content: 'short',
    tags: Array.from({ length: 5 }, (_, i) => ['r', `${i}`.padEnd(900, 'z')]),
  });
  const size = Buffer.byteLength(JSON.stringify(['EVENT', big]));
  assert.ok(size > LIMITS.maxMessageBytes, `test event is only ${size} bytes`);
  c.send(['EVENT', big]);
  const answer = await c.nextAnswer();
  if (answer[0] === 'OK') {
    assert.equal(answer[1], big.id);
    assert.equal(answer[2], false, JSON.stringify(answer));
    assert.match(answer[3], /^invalid:/);
  } else {
    assert.fail(`expected OK false with the event id, got ${JSON.stringify(answer)}`);
  }
  assert.deepEqual(await client.query([{ authors: [key.pk] }]), []);
});

test('oversized non-EVENT message -> NOTICE (or CLOSED) with a prefix', async () => {
  const c = await connectRaw(ctx.relay.url);
  const ids = Array.from({ length: 80 }, (_, i) => i.toString(16).padStart(64, '0'));
  const msg = JSON.stringify(['REQ', 'huge', { ids }]);
  assert.ok(Buffer.byteLength(msg) > LIMITS.maxMessageBytes);
  c.send(msg);
  const answer = await c.next((m) => ['NOTICE', 'CLOSED', 'EOSE'].includes(m[0]), { what: 'answer to oversized REQ' });
  assert.notEqual(answer[0], 'EOSE', 'oversized REQ was executed');
  assert.match(answer[answer.length - 1], PREFIX_RE);
});

test('too many tags -> OK false "invalid:"; exactly max-event-tags is accepted', async () => {
  const key = newKey();
  const tags = (n) => Array.from({ length: n }, (_, i) => ['t', `t${i}`]);
  await expectInvalid(client, signEvent(key, { tags: tags(LIMITS.maxEventTags + 1) }), 'too many tags');
  await expectAccepted(client, signEvent(key, { tags: tags(LIMITS.maxEventTags) }), 'exactly max tags');
});

test('content too long -> OK false "invalid:"; exactly max-content-length is accepted', async () => {
  const key = newKey();
  await expectInvalid(client, signEvent(key, { content: 'c'.repeat(LIMITS.maxContentLength + 1) }), 'content too long');
  await expectAccepted(client, signEvent(key, { content: 'c'.repeat(LIMITS.maxContentLength) }), 'content at max');
});

test('max-content-length counts characters (NIP-11), not UTF-8 bytes', async () => {
  const key = newKey();
  // 1000 two-byte characters: 2000 bytes, but exactly max-content-length characters.
  await expectAccepted(client, signEvent(key, { content: 'é'.repeat(LIMITS.maxContentLength) }), 'é x max');
  await expectInvalid(client, signEvent(key, { content: 'é'.repeat(LIMITS.maxContentLength + 1) }), 'é x (max+1)');
});

test('created_at too far in the future -> "invalid:"; within the window accepted', async () => {
  const key = newKey();
  await expectInvalid(client, signEvent(key, { created_at: now() + 3600 }), 'created_at +1h');
  await expectAccepted(client, signEvent(key, { created_at: now() + 30 }), 'created_at +30s');
});

test('created_at too far in the past (--created-at-past) -> "invalid:"', async () => {
  const key = newKey();
  await expectInvalid(client, signEvent(key, { created_at: now() - 2 * 86400 }), 'created_at -2d');
  await expectAccepted(client, signEvent(key, { created_at: now() - 3600 }), 'created_at -1h');
});

test('limit above max-limit is clamped; no limit means at most max-limit', async () => {
  const key = newKey();
  const t = now() - 1000;
  const events = Array.from({ length: LIMITS.maxLimit + 3 }, (_, i) => signEvent(key, { created_at: t + i }));
  for (const e of events) await expectAccepted(client, e, 'setup');
  const newest = events
    .slice()
    .reverse()
    .slice(0, LIMITS.maxLimit)
    .map((e) => e.id);
  const clamped = await client.query([{ authors: [key.pk], limit: 1000 }]);
  assert.deepEqual(clamped.map((e) => e.id), newest, `limit 1000 should give the newest ${LIMITS.maxLimit}`);
  const unlimited = await client.query([{ authors: [key.pk] }]);
  assert.ok(unlimited.length <= LIMITS.maxLimit, `no limit returned ${unlimited.length} events`);
  // COUNT is not a list of events: it counts all matches.
  const count = await client.count('clamp-count', [{ authors: [key.pk] }]);
  assert.equal(count[2]?.count, events.length, JSON.stringify(count));
});

test('--default-limit applies to filters without limit (and stays under max-limit)', async (testCtx) => {
  const relay = await startRelay(['--max-limit', '5', '--default-limit', '3']);
  testCtx.after(() => relay.stop());
  const c = await connectRaw(relay.url);
  const key = newKey();
  const t = now() - 1000;
  const events = Array.from({ length: 8 }, (_, i) => signEvent(key, { created_at: t + i }));
  for (const e of events) await expectAccepted(c, e, 'setup');
  const newestFirst = events.slice().reverse().map((e) => e.id);
  assert.deepEqual((await c.query([{ authors: [key.pk] }])).map((e) => e.id), newestFirst.slice(0, 3));
  assert.deepEqual((await c.query([{ authors: [key.pk], limit: 4 }])).map((e) => e.id), newestFirst.slice(0, 4));
  assert.deepEqual((await c.query([{ authors: [key.pk], limit: 10 }])).map((e) => e.id), newestFirst.slice(0, 5));
  await c.close();
});
