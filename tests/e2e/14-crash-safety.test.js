// Crash safety: sustained ingest from several connections, SIGKILL at a random moment, restart
// on the same data, several times; then every event that got OK true is stored and the store
// is consistent: each index (ids, authors, kinds, tags, replaceable slots) agrees with a full
// scan, COUNT agrees with REQ, every replaceable/addressable slot holds exactly its newest
// version, nothing is duplicated, nothing is stored that was not sent.
// LMDB (relay), PostgreSQL (relay --database-url) and the split deployment, where the event
// handler is what gets killed while the websocket-handler stays up.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { isSplit, removeDataDir, sleep, startRelay } from './lib/relay.js';
import { connectRaw, PREFIX_RE } from './lib/ws.js';
import { newKey, now } from './lib/nostr.js';
import { signMany } from './lib/sign.js';

const KILLS = 4;
const WRITERS = 4;
const WINDOW = 16; // events in flight per connection
const PACE_MS = 3; // pause between sends on one connection
const KILL_AFTER_MS = [50, 600]; // random moment of each kill, after the round's first OK
const POOL = 4000; // pre-signed events; each round uses only what it sends
const TOPICS = ['alpha', 'beta', 'gamma', 'delta'];
const D_TAGS = ['one', 'two', 'three'];
const REPLACEABLE_KINDS = [0, 10002];

let relay = null;
let dataDir = null;
after(async () => {
  if (relay) await relay.stop().catch(() => {});
  if (dataDir) removeDataDir(dataDir);
});

// Regular events with tags, replaceable (0, 10002) and addressable (30023 by d tag) events;
// created_at grows with the index, so in any slot the later event is the newer version.
function makeEvents(authors) {
  const base = now() - 100_000;
  const items = [];
  for (let i = 0; i < POOL; i++) {
    const key = authors[i % authors.length];
    const created_at = base + i;
    const slot = i % 10;
    let fields;
    if (slot < 6) {
      const mention = authors[(i + 1) % authors.length].pk;
      fields = { kind: 1, created_at, tags: [['t', TOPICS[i % TOPICS.length]], ['p', mention]], content: `note ${i}` };
    } else if (slot < 8) {
      fields = { kind: REPLACEABLE_KINDS[slot - 6], created_at, content: `replaceable ${i}` };
    } else {
      fields = { kind: 30023, created_at, tags: [['d', D_TAGS[i % D_TAGS.length]]], content: `addressable ${i}` };
    }
    items.push({ key, fields });
  }
  return signMany(items);
}

// The slot an event occupies in the store: its id for regular events, else author+kind(+d).
function slotOf(event) {
  if (event.kind === 1) return `id:${event.id}`;
  const d = event.kind === 30023 ? event.tags.find((t) => t[0] === 'd')[1] : '';
  return `${event.kind}:${event.pubkey}:${d}`;
}

// Newer version first: created_at descending, then lowest id (NIP-01).
const newer = (a, b) => (a.created_at !== b.created_at ? a.created_at > b.created_at : a.id < b.id);

// WRITERS connections send from the shared pool (paced, at most WINDOW in flight each) until
// `stopped()`; resolves once every sent event has its OK or its connection is gone.
async function ingest(url, pool, outcome, stopped) {
  const writer = async () => {
    const client = await connectRaw(url, { timeoutMs: 10_000 });
    const inFlight = new Set();
    while (!stopped() && client.open && pool.length > 0) {
      if (inFlight.size >= WINDOW) {
        await Promise.race(inFlight);
        continue;
      }
      const event = pool.shift();
      outcome.sent.set(event.id, event);
      const done = client.publish(event, { timeoutMs: 15_000 }).then(
        (ok) => {
          if (ok[2] === true) outcome.acked.add(event.id);
          else {
            assert.match(ok[3], PREFIX_RE, `OK false without a prefix: ${JSON.stringify(ok)}`);
            outcome.refused.add(event.id);
          }
        },
        () => outcome.unanswered.add(event.id),
      );
      const tracked = done.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      await sleep(PACE_MS);
    }
    await Promise.all(inFlight);
    await client.close();
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

// Everything the reader finds for `filter` (which must not hit the relay's limits).
async function find(reader, filter) {
  const events = await reader.query([{ ...filter, limit: 5000 }], { timeoutMs: 20_000 });
  const ids = events.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, `duplicates in the answer to ${JSON.stringify(filter)}`);
  return events;
}

async function count(reader, filter) {
  const reply = await reader.count(reader.nextId('c'), [filter], { timeoutMs: 20_000 });
  assert.equal(reply[0], 'COUNT', JSON.stringify(reply));
  return reply[2].count;
}

const idSet = (events) => new Set(events.map((e) => e.id));

function assertSameIds(found, expected, what) {
  const got = idSet(found);
  const want = idSet(expected);
  const missing = [...want].filter((id) => !got.has(id));
  const extra = [...got].filter((id) => !want.has(id));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${what}: index and full scan disagree`);
}

test(`no acknowledged event lost and the store consistent after ${KILLS} SIGKILLs during ingest`, async () => {
  const authors = [newKey(), newKey(), newKey()];
  const pool = makeEvents(authors);
  const outcome = { sent: new Map(), acked: new Set(), refused: new Set(), unanswered: new Set() };
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-crash-'));
  relay = await startRelay([], { dataDir });

  for (let round = 0; round < KILLS; round++) {
    const before = { acked: outcome.acked.size, sent: outcome.sent.size };
    let killed = false;
    const delay = KILL_AFTER_MS[0] + crypto.randomInt(KILL_AFTER_MS[1] - KILL_AFTER_MS[0]);
    const writing = ingest(relay.url, pool, outcome, () => killed);
    // The random moment counts from the first acknowledgement: ingest is under way.
    const deadline = Date.now() + 15_000;
    while (outcome.acked.size === before.acked && Date.now() < deadline) await sleep(5);
    await sleep(delay);
    killed = true;
    if (isSplit) await relay.eventHandler.kill9();
    else await relay.kill9();
    await writing;
    console.log(
      `# kill ${round + 1} ${delay} ms after the first OK: ${outcome.sent.size - before.sent} sent, ${outcome.acked.size - before.acked} acknowledged`,
    );
    assert.ok(outcome.acked.size > before.acked, `round ${round + 1}: nothing was acknowledged before the kill`);
    if (isSplit) await relay.restartEventHandler();
    else relay = await startRelay([], { dataDir });
  }
  console.log(
    `# total: ${outcome.sent.size} sent, ${outcome.acked.size} acknowledged, ${outcome.refused.size} refused, ${outcome.unanswered.size} unanswered`,
  );

  const reader = await connectRaw(relay.url);
  const pubkeys = authors.map((a) => a.pk);
  const stored = await find(reader, { authors: pubkeys });
  assert.equal(await count(reader, { authors: pubkeys }), stored.length, 'COUNT of everything');

  // Nothing stored that was not sent; no slot holds two versions.
  const bySlot = new Map();
  for (const event of stored) {
    assert.ok(outcome.sent.has(event.id), `stored event ${event.id} was never sent`);
    assert.deepEqual(event, outcome.sent.get(event.id), 'stored event differs from the one sent');
    const slot = slotOf(event);
    assert.ok(!bySlot.has(slot), `two versions stored in slot ${slot}`);
    bySlot.set(slot, event);
  }
  // Every acknowledged event is stored, or (replaceable/addressable) replaced by a newer version.
  const lost = [];
  const staleSlots = [];
  for (const id of outcome.acked) {
    const event = outcome.sent.get(id);
    const holder = bySlot.get(slotOf(event));
    if (!holder) lost.push(id);
    else if (holder.id !== id && newer(event, holder)) staleSlots.push(slotOf(event));
  }
  assert.deepEqual(lost, [], `${lost.length} of ${outcome.acked.size} acknowledged events lost`);
  assert.deepEqual(staleSlots, [], 'slots holding an older version than an acknowledged one');

  // Each index agrees with the full scan, and COUNT with REQ.
  const acked = [...outcome.acked].map((id) => outcome.sent.get(id));
  for (let i = 0; i < acked.length; i += 400) {
    const batch = acked.slice(i, i + 400).map((e) => e.id);
    const found = await find(reader, { ids: batch });
    assertSameIds(found, stored.filter((e) => batch.includes(e.id)), `ids batch ${i / 400}`);
  }
  const filters = [
    ...pubkeys.map((pk) => [{ authors: [pk] }, (e) => e.pubkey === pk]),
    ...[1, 30023, ...REPLACEABLE_KINDS].map((k) => [{ kinds: [k] }, (e) => e.kind === k]),
    ...TOPICS.map((t) => [{ '#t': [t] }, (e) => e.tags.some((tag) => tag[0] === 't' && tag[1] === t)]),
    ...pubkeys.map((pk) => [{ '#p': [pk], kinds: [1] }, (e) => e.kind === 1 && e.tags.some((tag) => tag[0] === 'p' && tag[1] === pk)]),
    ...D_TAGS.map((d) => [{ kinds: [30023], '#d': [d] }, (e) => e.kind === 30023 && e.tags.some((tag) => tag[0] === 'd' && tag[1] === d)]),
    ...pubkeys.map((pk) => [{ authors: [pk], kinds: [0] }, (e) => e.pubkey === pk && e.kind === 0]),
  ];
  for (const [filter, predicate] of filters) {
    const expected = stored.filter(predicate);
    const found = await find(reader, filter);
    assertSameIds(found, expected, JSON.stringify(filter));
    assert.equal(await count(reader, filter), found.length, `COUNT ${JSON.stringify(filter)}`);
  }
  // A time window through the created_at index.
  const middle = stored[Math.floor(stored.length / 2)].created_at;
  const window = { since: middle - 50, until: middle + 50 };
  const inWindow = stored.filter((e) => e.created_at >= window.since && e.created_at <= window.until);
  assertSameIds(await find(reader, window), inWindow, 'since/until');
});
