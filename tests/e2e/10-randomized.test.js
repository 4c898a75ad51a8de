// Randomized differential check: the relay's REQ and COUNT answers against a reference built
// from nostr-tools' matchFilter. Reproduce a failure with E2E_SEED=<seed printed below>.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { matchFilter } from 'nostr-tools/filter';
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure';

import { setupRelay } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { compareNewestFirst } from './lib/nostr.js';

const SEED = process.env.E2E_SEED ? Number(process.env.E2E_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;
console.log(`randomized e2e seed: E2E_SEED=${SEED}`);

const N_KEYS = 5;
const N_EVENTS = 200;
const N_QUERIES = 150;
const BASE = 1_700_000_000; // fixed so ids are reproducible from the seed
const SPAN = 40; // created_at in [BASE, BASE + SPAN): ties are common
const KINDS = [1, 7, 1111];
const TIME_BUDGET_MS = 50_000;

// mulberry32: small, fast, seedable.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const int = (n) => Math.floor(rand() * n); // 0..n-1
const chance = (p) => rand() < p;
const pick = (arr) => arr[int(arr.length)];
const hex = (bytes) => Array.from({ length: bytes }, () => int(256).toString(16).padStart(2, '0')).join('');
function subset(arr, min, max) {
  const n = Math.min(arr.length, min + int(max - min + 1));
  const copy = arr.slice();
  const out = [];
  for (let i = 0; i < n; i++) out.push(copy.splice(int(copy.length), 1)[0]);
  return out;
}

// --- data set ---------------------------------------------------------------------------
const keys = [];
while (keys.length < N_KEYS) {
  const sk = Uint8Array.from(Buffer.from(hex(32), 'hex'));
  try {
    keys.push({ sk, pk: getPublicKey(sk) });
  } catch {
    // out of range for secp256k1 (astronomically unlikely); draw again
  }
}
const unknownPk = hex(32);
const ePool = Array.from({ length: 6 }, () => hex(32));
const pPool = [...keys.map((k) => k.pk), hex(32), hex(32)];
const tPool = ['nostr', 'relay', 'cpp', 'bitcoin', 'art', 'music'];

function randomTags() {
  const tags = [];
  const n = int(4);
  for (let i = 0; i < n; i++) {
    const r = int(4);
    if (r === 0) tags.push(chance(0.5) ? ['e', pick(ePool)] : ['e', pick(ePool), 'wss://relay.example.com', 'root']);
    else if (r === 1) tags.push(['p', pick(pPool)]);
    else if (r === 2) tags.push(['t', pick(tPool)]);
    else tags.push(['t', `decoy-${int(3)}`, pick(tPool)]); // second value is not indexed
  }
  return tags;
}

const events = [];
for (let i = 0; i < N_EVENTS; i++) {
  const key = pick(keys);
  events.push(
    finalizeEvent(
      {
        kind: pick(KINDS),
        created_at: BASE + int(SPAN),
        tags: randomTags(),
        content: `random ${SEED} #${i} ${hex(4)}`,
      },
      key.sk,
    ),
  );
}
const plainEvents = events.map((e) => JSON.parse(JSON.stringify(e)));

function randomFilter() {
  const f = {};
  if (chance(0.15)) {
    f.ids = subset(plainEvents, 1, 6).map((e) => e.id);
    if (chance(0.3)) f.ids.push(hex(32));
  }
  if (chance(0.4)) {
    f.authors = subset(keys, 1, 3).map((k) => k.pk);
    if (chance(0.2)) f.authors.push(unknownPk);
  }
  if (chance(0.4)) f.kinds = subset([...KINDS, 30023], 1, 2);
  if (chance(0.2)) f['#e'] = subset(ePool, 1, 3);
  if (chance(0.2)) f['#p'] = subset(pPool, 1, 3);
  if (chance(0.25)) f['#t'] = subset([...tPool, 'decoy-0'], 1, 3);
  if (chance(0.25)) f.since = BASE + int(SPAN);
  if (chance(0.25)) f.until = BASE + int(SPAN);
  if (chance(0.35)) f.limit = chance(0.1) ? 0 : 1 + int(30);
  return f;
}
const queries = Array.from({ length: N_QUERIES }, () => {
  const n = chance(0.6) ? 1 : 2 + int(2);
  return Array.from({ length: n }, randomFilter);
});

// --- reference -------------------------------------------------------------------------
function referenceIds(filters) {
  const out = new Set();
  for (const f of filters) {
    let matches = plainEvents.filter((e) => matchFilter(f, e)).sort(compareNewestFirst);
    if (f.limit !== undefined) matches = matches.slice(0, f.limit);
    for (const e of matches) out.add(e.id);
  }
  return out;
}
function referenceCount(filters) {
  return plainEvents.filter((e) => filters.some((f) => matchFilter(f, e))).length;
}
const stripLimit = (filters) => filters.map(({ limit, ...rest }) => rest);

// Live subscriptions opened before anything is published: each must receive exactly the
// events matching one of its filters (limit only applies to stored events, so it is ignored).
const N_LIVE_CONNECTIONS = 3;
const LIVE_SUBS_PER_CONNECTION = 8;
const liveQueries = Array.from({ length: N_LIVE_CONNECTIONS * LIVE_SUBS_PER_CONNECTION }, () => {
  const n = chance(0.6) ? 1 : 2 + int(2);
  return Array.from({ length: n }, randomFilter);
});
const liveSubs = []; // { client, subId, filters }

// --- run -------------------------------------------------------------------------------
const ctx = setupRelay();
let client;

before(async () => {
  await ctx.ready();
  for (let c = 0; c < N_LIVE_CONNECTIONS; c++) {
    const sub = await connectRaw(ctx.relay.url);
    for (let j = 0; j < LIVE_SUBS_PER_CONNECTION; j++) {
      const filters = liveQueries[c * LIVE_SUBS_PER_CONNECTION + j];
      const subId = `live${j}`;
      const { events: stored } = await sub.req(subId, filters);
      assert.deepEqual(stored, [], 'store should be empty before publishing');
      liveSubs.push({ client: sub, subId, filters });
    }
  }
  const started = Date.now();
  const publisher = await connectNostr(ctx.relay.url);
  const results = await Promise.allSettled(events.map((e) => publisher.publish(e)));
  const failed = results
    .map((r, i) => (r.status === 'rejected' ? `${plainEvents[i].id}: ${r.reason?.message}` : null))
    .filter(Boolean);
  assert.deepEqual(failed, [], `publishing the data set failed (seed ${SEED})`);
  client = await connectRaw(ctx.relay.url);
  console.log(`published ${events.length} events in ${Date.now() - started} ms`);
});

function describeMismatch(i, filters, got, expected) {
  const missing = [...expected].filter((id) => !got.includes(id));
  const extra = got.filter((id) => !expected.has(id));
  const info = (id) => {
    const e = plainEvents.find((x) => x.id === id);
    return e ? `${id.slice(0, 12)}(t=${e.created_at - BASE},k=${e.kind})` : `${id.slice(0, 12)}(unknown)`;
  };
  return (
    `query #${i} ${JSON.stringify(filters)}\n` +
    `  relay returned ${got.length}, reference ${expected.size}\n` +
    `  missing: ${missing.map(info).join(' ')}\n` +
    `  extra:   ${extra.map(info).join(' ')}`
  );
}

test(`REQ answers match the reference (${N_QUERIES} random filter sets, seed ${SEED})`, async () => {
  const deadline = Date.now() + TIME_BUDGET_MS;
  const problems = [];
  for (const [i, filters] of queries.entries()) {
    assert.ok(Date.now() < deadline, `time budget exceeded at query #${i}`);
    const got = (await client.query(filters)).map((e) => e);
    const gotIds = got.map((e) => e.id);
    const expected = referenceIds(filters);
    if (new Set(gotIds).size !== gotIds.length) {
      problems.push(`query #${i} ${JSON.stringify(filters)}: duplicate events in the answer`);
      continue;
    }
    if (gotIds.length !== expected.size || !gotIds.every((id) => expected.has(id))) {
      problems.push(describeMismatch(i, filters, gotIds, expected));
      continue;
    }
    for (let j = 1; j < got.length; j++) {
      if (got[j].created_at > got[j - 1].created_at) {
        problems.push(
          `query #${i} ${JSON.stringify(filters)}: not newest-first at position ${j} ` +
            `(${got[j - 1].created_at - BASE} then ${got[j].created_at - BASE})`,
        );
        break;
      }
    }
  }
  assert.equal(
    problems.length,
    0,
    `${problems.length} of ${N_QUERIES} queries differ (E2E_SEED=${SEED}):\n${problems.slice(0, 6).join('\n')}`,
  );
});

test(`COUNT answers match the reference (seed ${SEED})`, async () => {
  const deadline = Date.now() + TIME_BUDGET_MS;
  const problems = [];
  for (const [i, withLimit] of queries.entries()) {
    assert.ok(Date.now() < deadline, `time budget exceeded at query #${i}`);
    // COUNT counts every match; limit is a REQ paging concept, so it is left out here.
    const filters = stripLimit(withLimit);
    const reply = await client.count(`c${i}`, filters);
    const expected = referenceCount(filters);
    if (reply[0] !== 'COUNT' || reply[2]?.count !== expected) {
      problems.push(`query #${i} ${JSON.stringify(filters)}: relay ${JSON.stringify(reply)}, reference ${expected}`);
    }
  }
  assert.equal(
    problems.length,
    0,
    `${problems.length} of ${N_QUERIES} COUNTs differ (E2E_SEED=${SEED}):\n${problems.slice(0, 6).join('\n')}`,
  );
});

test(`live delivery matches the reference (${liveQueries.length} subscriptions, seed ${SEED})`, async () => {
  const problems = [];
  const deadline = Date.now() + 10_000;
  await new Promise((resolve) => setTimeout(resolve, 300)); // let stray deliveries arrive
  for (const [i, { client: sub, subId, filters }] of liveSubs.entries()) {
    const expected = new Set(plainEvents.filter((e) => filters.some((f) => matchFilter(f, e))).map((e) => e.id));
    const got = [];
    // Wait (bounded) until the expected number arrived, then a short quiet period for extras.
    while (got.length < expected.size && Date.now() < deadline) {
      got.push(...(await sub.liveEvents(subId, 50)).map((e) => e.id));
    }
    got.push(...(await sub.liveEvents(subId, 0)).map((e) => e.id));
    if (new Set(got).size !== got.length) {
      problems.push(`live sub #${i} ${JSON.stringify(filters)}: an event was delivered twice`);
    } else if (got.length !== expected.size || !got.every((id) => expected.has(id))) {
      problems.push(describeMismatch(`live ${i}`, filters, got, expected));
    }
  }
  assert.equal(
    problems.length,
    0,
    `${problems.length} of ${liveSubs.length} live subscriptions differ (E2E_SEED=${SEED}):\n${problems.slice(0, 6).join('\n')}`,
  );
});
