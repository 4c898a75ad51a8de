// NIP-09 deletion requests (kind 5) by `e` and `a` tags.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { setupRelay } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { newKey, now, signEvent, sortedIds } from './lib/nostr.js';

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
}

test('kind 5 with an e tag by the same author removes the event; the deletion itself is served', async () => {
  const key = newKey();
  const t = now() - 100;
  const target = signEvent(key, { kind: 1, created_at: t, content: 'oops' });
  const keep = signEvent(key, { kind: 1, created_at: t + 1, content: 'keep me' });
  await accept(target);
  await accept(keep);
  const deletion = signEvent(key, {
    kind: 5,
    created_at: t + 2,
    tags: [['e', target.id], ['k', '1']],
    content: 'published by accident',
  });
  await accept(deletion, 'deletion request');

  assert.deepEqual(await client.query([{ ids: [target.id] }]), [], 'deleted event still served by id');
  const all = await client.query([{ authors: [key.pk] }]);
  assert.deepEqual(sortedIds(all), [keep.id, deletion.id].sort());
  const kind5 = await client.query([{ kinds: [5], authors: [key.pk] }]);
  assert.deepEqual(kind5.map((e) => e.id), [deletion.id]);
  const count = await client.count('del-count', [{ authors: [key.pk], kinds: [1] }]);
  assert.equal(count[2]?.count, 1, `COUNT after deletion: ${JSON.stringify(count)}`);
});

test('re-submitting a deleted event is refused (OK false with a prefix)', async () => {
  const key = newKey();
  const target = signEvent(key, { kind: 1 });
  await accept(target);
  await accept(signEvent(key, { kind: 5, tags: [['e', target.id]] }), 'deletion');
  const ok = await client.publish(target);
  assert.equal(ok[1], target.id);
  assert.equal(ok[2], false, `deleted event accepted again: ${JSON.stringify(ok)}`);
  assert.match(ok[3], PREFIX);
  assert.deepEqual(await client.query([{ ids: [target.id] }]), []);
});

test('deletion request arriving before the event (same author) keeps the event out', async () => {
  // The relay knows the deletion, so the referenced event (same pubkey) must not be served.
  const key = newKey();
  const target = signEvent(key, { kind: 1, created_at: now() - 50 });
  await accept(signEvent(key, { kind: 5, tags: [['e', target.id]] }), 'deletion first');
  const ok = await client.publish(target);
  assert.equal(ok[2], false, `event deleted in advance was accepted: ${JSON.stringify(ok)}`);
  assert.deepEqual(await client.query([{ ids: [target.id] }]), []);
});

test('deletion by a different author has no effect (e and a tags)', async () => {
  const owner = newKey();
  const attacker = newKey();
  const t = now() - 200;
  const note = signEvent(owner, { kind: 1, created_at: t });
  const article = signEvent(owner, { kind: 30023, created_at: t, tags: [['d', 'mine']] });
  await accept(note);
  await accept(article);
  const deletion = signEvent(attacker, {
    kind: 5,
    created_at: t + 10,
    tags: [
      ['e', note.id],
      ['e', article.id],
      ['a', `30023:${owner.pk}:mine`],
    ],
  });
  await client.publish(deletion); // may be accepted or refused; either way no effect
  assert.deepEqual(sortedIds(await client.query([{ authors: [owner.pk] }])), [note.id, article.id].sort());
  // And re-publishing the owner's event is still just a duplicate, not "deleted".
  const again = await client.publish(note);
  assert.equal(again[2], true, JSON.stringify(again));
});

test('a-tag deletion removes addressable versions up to its created_at; a newer version is kept', async () => {
  const key = newKey();
  const t = now() - 1000;
  const v1 = signEvent(key, { kind: 30023, created_at: t, tags: [['d', 'post']], content: 'v1' });
  const other = signEvent(key, { kind: 30023, created_at: t, tags: [['d', 'other']], content: 'x' });
  await accept(v1);
  await accept(other);
  const deletion = signEvent(key, {
    kind: 5,
    created_at: t + 100,
    tags: [['a', `30023:${key.pk}:post`], ['k', '30023']],
  });
  await accept(deletion, 'a-tag deletion');

  let events = await client.query([{ authors: [key.pk], kinds: [30023] }]);
  assert.deepEqual(events.map((e) => e.id), [other.id], 'only the other d tag remains');

  // A version at exactly the deletion's created_at is also covered (<=).
  const atDeletion = signEvent(key, { kind: 30023, created_at: t + 100, tags: [['d', 'post']], content: 'v-eq' });
  const okEq = await client.publish(atDeletion);
  events = await client.query([{ authors: [key.pk], kinds: [30023], '#d': ['post'] }]);
  assert.deepEqual(events, [], `version with created_at == deletion served (OK was ${JSON.stringify(okEq)})`);

  // Newer than the deletion: kept.
  const v2 = signEvent(key, { kind: 30023, created_at: t + 200, tags: [['d', 'post']], content: 'v2' });
  await accept(v2, 'version newer than the deletion');
  events = await client.query([{ authors: [key.pk], kinds: [30023] }]);
  assert.deepEqual(sortedIds(events), [v2.id, other.id].sort());
  // The deletion request itself is still served.
  assert.deepEqual((await client.query([{ ids: [deletion.id] }])).map((e) => e.id), [deletion.id]);
});

test('a-tag deletion of a replaceable kind (kind:pubkey: with empty d)', async () => {
  const key = newKey();
  const t = now() - 1000;
  const profile = signEvent(key, { kind: 10002, created_at: t, tags: [['r', 'wss://x.example']] });
  await accept(profile);
  await accept(signEvent(key, { kind: 5, created_at: t + 10, tags: [['a', `10002:${key.pk}:`]] }));
  assert.deepEqual(await client.query([{ authors: [key.pk], kinds: [10002] }]), []);
  const newer = signEvent(key, { kind: 10002, created_at: t + 20, tags: [['r', 'wss://y.example']] });
  await accept(newer);
  assert.deepEqual((await client.query([{ authors: [key.pk], kinds: [10002] }])).map((e) => e.id), [newer.id]);
});

test('a deletion request cannot delete a deletion request', async () => {
  const key = newKey();
  const target = signEvent(key, { kind: 1 });
  await accept(target);
  const del1 = signEvent(key, { kind: 5, tags: [['e', target.id]] });
  await accept(del1);
  await client.publish(signEvent(key, { kind: 5, tags: [['e', del1.id]] }));
  assert.deepEqual(
    (await client.query([{ ids: [del1.id] }])).map((e) => e.id),
    [del1.id],
    'deletion request was deleted',
  );
  assert.deepEqual(await client.query([{ ids: [target.id] }]), [], 'target came back');
});

test('a refused re-submission of a deleted event is not delivered to live subscribers', async () => {
  const key = newKey();
  const target = signEvent(key, { kind: 1 });
  await accept(target);
  const deletion = signEvent(key, { kind: 5, tags: [['e', target.id]] });
  await accept(deletion);
  const sub = await connectRaw(ctx.relay.url);
  await sub.req('del-live', [{ authors: [key.pk] }]);
  const ok = await client.publish(target);
  assert.equal(ok[2], false, JSON.stringify(ok));
  const live = await sub.liveEvents('del-live', 400);
  assert.deepEqual(live.map((e) => e.id), [], 'subscriber received the deleted event');
});
