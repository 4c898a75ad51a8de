// Invalid events are rejected with ["OK", id, false, "invalid: ..."] (raw WebSocket, since
// nostr-tools refuses to send them), and NIP-70 protected events with "auth-required:".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finalizeEvent } from 'nostr-tools/pure';

import { setupRelay } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { deepCopy, newKey, now, signEvent } from './lib/nostr.js';

const ctx = setupRelay();

async function expectRejected(client, event, prefix, label) {
  const ok = await client.publish(event);
  assert.equal(ok[0], 'OK');
  assert.equal(ok[1], event.id, `${label}: OK must carry the event id`);
  assert.equal(ok[2], false, `${label}: expected rejection, got ${JSON.stringify(ok)}`);
  assert.equal(typeof ok[3], 'string');
  assert.ok(ok[3].startsWith(prefix), `${label}: message should start with "${prefix}": ${JSON.stringify(ok[3])}`);
  return ok;
}

async function assertNotStored(client, key) {
  const events = await client.query([{ authors: [key.pk] }]);
  assert.deepEqual(events, [], 'rejected event was stored anyway');
}

test('wrong id (content tampered on a deep copy) -> OK false "invalid:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const tampered = deepCopy(signEvent(key, { content: 'original' }));
  tampered.content = 'tampered';
  await expectRejected(client, tampered, 'invalid:', 'tampered content');
  await assertNotStored(client, key);
});

test('id that is not the hash but has a valid signature over itself -> "invalid:"', async () => {
  // Signature is checked against the claimed id, but the id does not match the content.
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const a = signEvent(key, { content: 'a' });
  const b = deepCopy(signEvent(key, { content: 'b' }));
  b.id = a.id;
  b.sig = a.sig; // a valid signature of a.id by key, but b's content hashes differently
  await expectRejected(client, b, 'invalid:', 'id/content mismatch');
  await assertNotStored(client, key);
});

test('bad signature -> OK false "invalid:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = deepCopy(signEvent(key));
  const last = event.sig[event.sig.length - 1];
  event.sig = event.sig.slice(0, -1) + (last === '0' ? '1' : '0');
  await expectRejected(client, event, 'invalid:', 'flipped signature');
  await assertNotStored(client, key);
});

test('signature of another key -> OK false "invalid:"', async () => {
  const key = newKey();
  const other = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = deepCopy(signEvent(key, { created_at: 1700000000, content: 'same' }));
  const forged = deepCopy(signEvent(other, { created_at: 1700000000, content: 'same' }));
  event.sig = forged.sig;
  await expectRejected(client, event, 'invalid:', 'signature by another key');
  await assertNotStored(client, key);
});

test('uppercase hex pubkey -> OK false "invalid:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = deepCopy(signEvent(key));
  event.pubkey = event.pubkey.toUpperCase();
  assert.notEqual(event.pubkey, key.pk, 'pubkey must contain letters for this test');
  await expectRejected(client, event, 'invalid:', 'uppercase pubkey');
  await assertNotStored(client, key);
});

test('uppercase hex id -> rejected with "invalid:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = deepCopy(signEvent(key));
  event.id = event.id.toUpperCase();
  client.send(['EVENT', event]);
  const answer = await client.nextAnswer();
  // The relay may answer OK false with the (uppercase) id or a NOTICE; either way "invalid:".
  if (answer[0] === 'OK') {
    assert.equal(answer[2], false, JSON.stringify(answer));
    assert.match(answer[3], /^invalid:/);
  } else {
    assert.equal(answer[0], 'NOTICE', JSON.stringify(answer));
    assert.match(answer[1], /^invalid:/);
  }
  await assertNotStored(client, key);
});

test('float created_at (correctly hashed and signed) -> "invalid:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  // id and sig are computed over the serialization with the float, so only the type is wrong.
  const event = finalizeEvent(
    { kind: 1, tags: [], content: 'float time', created_at: now() + 0.5 },
    key.sk,
  );
  assert.ok(!Number.isInteger(event.created_at));
  await expectRejected(client, deepCopy(event), 'invalid:', 'float created_at');
  await assertNotStored(client, key);
});

test('created_at as a string -> "invalid:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = deepCopy(signEvent(key));
  event.created_at = String(event.created_at);
  await expectRejected(client, event, 'invalid:', 'string created_at');
  await assertNotStored(client, key);
});

test('missing sig / non-string content / kind out of range -> "invalid:"', async (t) => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const cases = {
    'missing sig': (e) => delete e.sig,
    'content is a number': (e) => (e.content = 42),
    'kind 70000': (e) => (e.kind = 70000),
    'negative kind': (e) => (e.kind = -1),
    'tag with a number': (e) => (e.tags = [['t', 5]]),
    'tags not an array': (e) => (e.tags = 'x'),
    'short sig': (e) => (e.sig = e.sig.slice(0, 100)),
  };
  for (const [label, mutate] of Object.entries(cases)) {
    await t.test(label, async () => {
      const event = deepCopy(signEvent(key));
      mutate(event);
      await expectRejected(client, event, 'invalid:', label);
    });
  }
  await assertNotStored(client, key);
});

test('NIP-70: event with a ["-"] tag -> OK false "auth-required:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = signEvent(key, { tags: [['-']], content: 'protected' });
  await expectRejected(client, event, 'auth-required:', 'protected event');
  await assertNotStored(client, key);
});

test('NIP-70: nostr-tools publish of a protected event rejects with "auth-required:"', async () => {
  const key = newKey();
  const relay = await connectNostr(ctx.relay.url);
  const event = signEvent(key, { tags: [['t', 'x'], ['-']] });
  await assert.rejects(relay.publish(event), (err) => {
    assert.match(err.message, /^auth-required:/);
    return true;
  });
});

test('NIP-70: ["-"] is recognised anywhere in the tag list', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const protectedLater = signEvent(key, { tags: [['p', key.pk], ['t', 'x'], ['-']] });
  await expectRejected(client, protectedLater, 'auth-required:', 'protected (last tag)');
  await assertNotStored(client, key);
});
