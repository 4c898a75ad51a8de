// NIP-01 publish / subscribe flow with nostr-tools and raw WebSockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { setupRelay } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { newKey, signEvent, token } from './lib/nostr.js';

const ctx = setupRelay();
const QUIET_MS = 400; // how long to wait to be confident something is NOT delivered

test('nostr-tools publish resolves for a valid event, REQ returns it then EOSE', async () => {
  const key = newKey();
  const relay = await connectNostr(ctx.relay.url);
  const event = signEvent(key, { content: 'hello nostpp' });
  await relay.publish(event); // rejects on OK false or timeout

  const received = [];
  const invalid = [];
  await new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => reject(new Error('no EOSE within 5 s')), 5000);
    const sub = relay.subscribe([{ authors: [key.pk] }], {
      onevent: (e) => received.push(e),
      oninvalidevent: (e) => invalid.push(e),
      oneose: () => {
        done = true;
        clearTimeout(timer);
        resolve();
        sub.close();
      },
      onclose: (reason) => {
        if (done) return; // our own close() after EOSE
        clearTimeout(timer);
        reject(new Error(`subscription closed by relay: ${reason}`));
      },
      eoseTimeout: 5000,
    });
  });
  assert.deepEqual(invalid, [], 'relay sent events that do not match the filter or are invalid');
  assert.equal(received.length, 1);
  assert.deepEqual(JSON.parse(JSON.stringify(received[0])), JSON.parse(JSON.stringify(event)));
});

test('OK message is ["OK", id, true, string] and REQ answers EVENT... then EOSE (raw)', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = signEvent(key);
  const ok = await client.publish(event);
  assert.equal(ok.length, 4, `OK must have 4 elements: ${JSON.stringify(ok)}`);
  assert.equal(ok[2], true, `expected acceptance: ${JSON.stringify(ok)}`);
  assert.equal(typeof ok[3], 'string');

  client.send(['REQ', 'r1', { authors: [key.pk] }]);
  const first = await client.next((m) => m[1] === 'r1');
  assert.equal(first[0], 'EVENT');
  assert.equal(first[2].id, event.id);
  const second = await client.next((m) => m[1] === 'r1');
  assert.deepEqual(second, ['EOSE', 'r1']);
});

test('live delivery after EOSE: matching event from another connection arrives, non-matching does not', async () => {
  const key = newKey();
  const other = newKey();
  const subscriber = await connectNostr(ctx.relay.url);
  const publisher = await connectNostr(ctx.relay.url);

  const received = [];
  const invalid = [];
  let eosed;
  const eose = new Promise((resolve) => (eosed = resolve));
  let gotMatching;
  const matching = new Promise((resolve) => (gotMatching = resolve));
  const sub = subscriber.subscribe([{ authors: [key.pk], kinds: [1] }], {
    onevent: (e) => {
      received.push(e);
      gotMatching();
    },
    oninvalidevent: (e) => invalid.push(e),
    oneose: () => eosed(),
    eoseTimeout: 5000,
  });
  await eose;

  // Non-matching ones first (wrong kind, wrong author), then the matching one.
  const wrongKind = signEvent(key, { kind: 7 });
  const wrongAuthor = signEvent(other, { kind: 1 });
  const good = signEvent(key, { kind: 1 });
  await publisher.publish(wrongKind);
  await publisher.publish(wrongAuthor);
  await publisher.publish(good);

  let timer;
  await Promise.race([
    matching,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('matching event not delivered live within 5 s')), 5000);
    }),
  ]);
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, QUIET_MS));
  sub.close();
  assert.deepEqual(
    invalid.map((e) => e.id),
    [],
    'relay delivered events that do not match the subscription',
  );
  assert.deepEqual(
    received.map((e) => e.id),
    [good.id],
  );
});

test('CLOSE stops live delivery (other subscriptions on the connection keep working)', async () => {
  const key = newKey();
  const sub = await connectRaw(ctx.relay.url);
  const pub = await connectRaw(ctx.relay.url);
  await sub.req('closed-one', [{ authors: [key.pk] }]);
  await sub.req('control', [{ authors: [key.pk] }]);

  sub.send(['CLOSE', 'closed-one']);
  // Make sure the CLOSE was processed: a later REQ on the same connection is answered after it.
  await sub.req('barrier', [{ ids: ['0'.repeat(64)] }]);

  const event = signEvent(key);
  const ok = await pub.publish(event);
  assert.equal(ok[2], true, JSON.stringify(ok));

  const controlEvent = await sub.nextEvent('control');
  assert.equal(controlEvent.id, event.id);
  const leaked = await sub.liveEvents('closed-one', QUIET_MS);
  assert.deepEqual(leaked, [], 'closed subscription still received events');
  // CLOSE of an open subscription needs no answer; a CLOSED for it is tolerated but no EVENT.
});

test('REQ with an existing subscription id replaces the old subscription', async () => {
  const keyOld = newKey();
  const keyNew = newKey();
  const sub = await connectRaw(ctx.relay.url);
  const pub = await connectRaw(ctx.relay.url);

  const storedOld = signEvent(keyOld);
  const storedNew = signEvent(keyNew);
  assert.equal((await pub.publish(storedOld))[2], true);
  assert.equal((await pub.publish(storedNew))[2], true);

  const first = await sub.req('same', [{ authors: [keyOld.pk] }]);
  assert.deepEqual(first.events.map((e) => e.id), [storedOld.id]);
  // Same id, different filter: the stored events of the new filter only.
  const second = await sub.req('same', [{ authors: [keyNew.pk] }]);
  assert.deepEqual(second.events.map((e) => e.id), [storedNew.id]);

  // Live: an event matching only the old filter must not arrive; one matching the new does.
  const liveOld = signEvent(keyOld);
  const liveNew = signEvent(keyNew);
  assert.equal((await pub.publish(liveOld))[2], true);
  assert.equal((await pub.publish(liveNew))[2], true);
  const delivered = await sub.nextEvent('same');
  assert.equal(delivered.id, liveNew.id, 'first live event on the replaced subscription');
  const more = await sub.liveEvents('same', QUIET_MS);
  assert.deepEqual(more.map((e) => e.id), [], 'old filter of the replaced subscription still delivers');
});

test('duplicate event: OK true with a message starting "duplicate:"', async () => {
  const key = newKey();
  const client = await connectRaw(ctx.relay.url);
  const event = signEvent(key, { content: `dup ${token()}` });
  const first = await client.publish(event);
  assert.equal(first[2], true, JSON.stringify(first));
  const again = await client.publish(event);
  assert.equal(again[1], event.id);
  assert.equal(again[2], true, JSON.stringify(again));
  assert.match(again[3], /^duplicate:/);
  // Still stored exactly once.
  const events = await client.query([{ authors: [key.pk] }]);
  assert.deepEqual(events.map((e) => e.id), [event.id]);
});

test('duplicate from a second connection is also "duplicate:" and is not delivered live twice', async () => {
  const key = newKey();
  const sub = await connectRaw(ctx.relay.url);
  const a = await connectRaw(ctx.relay.url);
  const b = await connectRaw(ctx.relay.url);
  await sub.req('live', [{ authors: [key.pk] }]);
  const event = signEvent(key);
  assert.equal((await a.publish(event))[2], true);
  const dup = await b.publish(event);
  assert.equal(dup[2], true, JSON.stringify(dup));
  assert.match(dup[3], /^duplicate:/);
  const first = await sub.nextEvent('live');
  assert.equal(first.id, event.id);
  assert.deepEqual(await sub.liveEvents('live', QUIET_MS), [], 'duplicate delivered live again');
});
