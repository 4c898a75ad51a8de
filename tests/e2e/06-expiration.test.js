// NIP-40 expiration tags. The relay runs with the default purge period (60 s), so these tests
// check that expired events are hidden at query time, not only removed by the purge.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { setupRelay, sleep } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { newKey, now, signEvent } from './lib/nostr.js';

const ctx = setupRelay();

let client;
before(async () => {
  await ctx.ready();
  client = await connectRaw(ctx.relay.url);
});

test('already expired event -> OK false "invalid:"', async () => {
  const key = newKey();
  const event = signEvent(key, { created_at: now() - 60, tags: [['expiration', String(now() - 10)]] });
  const ok = await client.publish(event);
  assert.equal(ok[1], event.id);
  assert.equal(ok[2], false, JSON.stringify(ok));
  assert.match(ok[3], /^invalid:/);
  assert.deepEqual(await client.query([{ ids: [event.id] }]), []);
});

test('event with a future expiration is accepted and served', async () => {
  const key = newKey();
  const event = signEvent(key, { tags: [['expiration', String(now() + 3600)]] });
  const ok = await client.publish(event);
  assert.equal(ok[2], true, JSON.stringify(ok));
  assert.deepEqual((await client.query([{ ids: [event.id] }])).map((e) => e.id), [event.id]);
});

test('event expiring in ~2 s is returned before and not after expiry (REQ and COUNT)', async (t) => {
  const key = newKey();
  const expiration = now() + 2;
  const expiring = signEvent(key, { tags: [['expiration', String(expiration)]], content: 'soon gone' });
  const lasting = signEvent(key, { content: 'stays' });
  const ok = await client.publish(expiring);
  assert.equal(ok[2], true, JSON.stringify(ok));
  assert.equal((await client.publish(lasting))[2], true);

  const before = await client.query([{ authors: [key.pk] }]);
  assert.ok(
    before.some((e) => e.id === expiring.id),
    'expiring event not served before its expiration',
  );

  // Bounded wait: until one second past the expiration (at most ~4 s).
  const waitMs = Math.min((expiration + 1) * 1000 - Date.now() + 50, 4000);
  if (waitMs > 0) await sleep(waitMs);
  assert.ok(now() > expiration);

  await t.test('REQ after expiry', async () => {
    const after = await client.query([{ authors: [key.pk] }]);
    assert.deepEqual(after.map((e) => e.id), [lasting.id], 'expired event still served');
    assert.deepEqual(await client.query([{ ids: [expiring.id] }]), [], 'expired event served by id');
  });
  await t.test('COUNT after expiry', async () => {
    const count = await client.count('exp-count', [{ authors: [key.pk] }]);
    assert.equal(count[2]?.count, 1, `expired event still counted: ${JSON.stringify(count)}`);
  });
});
