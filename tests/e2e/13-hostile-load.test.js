// Hostile load: while a well-behaved nostr-tools client keeps publishing and querying,
// attackers churn thousands of connections, send oversized frames, 100,000 levels of nested
// JSON, REQ/COUNT with 10,000-element filters, invalid and unterminated UTF-8 and unknown
// verbs. The relay must stay alive, answer every attacker message with a prefixed refusal (or
// its normal answer, or a close), keep its memory bounded, and keep answering the good client
// with its normal latency (printed: baseline vs under attack).
// The relay runs with 1 MiB messages so the 10,000-element id and author lists (660 KB) are
// parsed and queried rather than refused for their size.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { test } from 'node:test';
import WebSocket from 'ws';

import { isSplit, RELAY_BIN, setupRelay, sleep } from './lib/relay.js';
import { startGoodClient } from './lib/good-client.js';
import { connectRaw, isPrefixedRefusal } from './lib/ws.js';
import { newKey, signEvent } from './lib/nostr.js';

// An ASan + UBSan build (Debug, unoptimized) runs the relay several times slower: its bounds
// are wider. Set by test.sh for the sanitizer phases, or seen in the binary's path.
const SANITIZED = process.env.NOSTPP_E2E_SANITIZED === '1' || /build-asan/.test(RELAY_BIN);
const MAX_MESSAGE_BYTES = 1 << 20;
const BASELINE_MS = 3_000;
const ATTACK_MAX_MS = SANITIZED ? 50_000 : 25_000;
const CHURN_CONNECTIONS = 3_000;
const CHURN_CONCURRENCY = 24;
const P99_BOUND_MS = SANITIZED ? 3_000 : 1_000;
const RSS_BOUND_MB = 1_536;

const ctx = setupRelay(['--max-message-bytes', String(MAX_MESSAGE_BYTES)]);

const hexList = (n) => Array.from({ length: n }, () => crypto.randomBytes(32).toString('hex'));

// One attack message and what counts as its answer. `expect`: 'refusal' (a prefixed
// NOTICE/CLOSED/OK false, or a close), 'close' (the connection is failed), 'eose' (a valid
// query: its EOSE or a prefixed CLOSED), 'count' (COUNT or a prefixed CLOSED).
const ATTACKS = [
  { name: 'oversized frame (2 MiB)', times: 6, expect: 'refusal', make: () => JSON.stringify(['REQ', 'big', { '#t': ['x'.repeat(2 << 20)] }]) },
  { name: 'frame over the hard cap (6 MiB)', times: 2, expect: 'refusal', make: () => 'x'.repeat(6 << 20) },
  { name: '100,000 nested [', times: 20, expect: 'refusal', make: () => '['.repeat(100_000) },
  { name: '100,000 nested objects in a filter', times: 10, expect: 'refusal', make: () => `["REQ","deep",${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}]` },
  { name: 'REQ with 10,000 ids', times: 8, expect: 'eose', make: (id) => JSON.stringify(['REQ', id, { ids: hexList(10_000) }]) },
  { name: 'REQ with 10,000 authors', times: 8, expect: 'eose', make: (id) => JSON.stringify(['REQ', id, { authors: hexList(10_000), kinds: [1] }]) },
  { name: 'REQ with 10,000 tag values', times: 8, expect: 'eose', make: (id) => JSON.stringify(['REQ', id, { '#t': Array.from({ length: 10_000 }, (_, i) => `t${i}`) }]) },
  { name: 'COUNT with 10,000 authors', times: 8, expect: 'count', make: (id) => JSON.stringify(['COUNT', id, { authors: hexList(10_000) }]) },
  { name: 'invalid UTF-8', times: 20, expect: 'close', make: () => Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]) },
  { name: 'unterminated UTF-8', times: 20, expect: 'close', make: () => Buffer.concat([Buffer.from('["NOTICE","'), Buffer.from([0xe2, 0x82])]) },
  { name: 'unknown verb', times: 40, expect: 'refusal', make: () => JSON.stringify(['HELLO', crypto.randomBytes(8).toString('hex')]) },
];

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const summary = (values) =>
  `n=${values.length} p50=${percentile(values, 50).toFixed(1)} ms p99=${percentile(values, 99).toFixed(1)} ms max=${Math.max(...values).toFixed(1)} ms`;

function matchesExpectation(answer, expect, id) {
  if (!Array.isArray(answer)) return false;
  if (expect === 'eose') return (answer[0] === 'EOSE' && answer[1] === id) || (answer[0] === 'CLOSED' && answer[1] === id && isPrefixedRefusal(answer));
  if (expect === 'count') return (answer[0] === 'COUNT' && answer[1] === id) || (answer[0] === 'CLOSED' && answer[1] === id && isPrefixedRefusal(answer));
  return isPrefixedRefusal(answer);
}

// Sends each attack message on a raw connection and waits for its answer or the close;
// reconnects after a close. Returns counts per outcome; throws on a message left unanswered.
async function attacker(url, attack, stats) {
  let client = await connectRaw(url, { timeoutMs: 10_000 });
  for (let i = 0; i < attack.times; i++) {
    if (!client.open) client = await connectRaw(url, { timeoutMs: 10_000 });
    const id = `${attack.expect}-${i}`;
    const message = attack.make(id);
    if (Buffer.isBuffer(message)) client.ws.send(message, { binary: false });
    else client.send(message);
    try {
      const answer = await client.next((m) => Array.isArray(m) && m[0] !== 'EVENT', {
        timeoutMs: 20_000,
        what: `the answer to ${attack.name}`,
      });
      assert.ok(matchesExpectation(answer, attack.expect, id), `${attack.name}: unexpected answer ${JSON.stringify(answer).slice(0, 300)}`);
      assert.notEqual(attack.expect, 'close', `${attack.name}: answered instead of closed`);
      stats.answered += 1;
    } catch (err) {
      if (!client.closeInfo) throw err;
      assert.ok(attack.expect !== 'eose' && attack.expect !== 'count', `${attack.name}: connection closed: ${err.message}`);
      stats.closed += 1;
      stats.closeCodes[client.closeInfo.code] = (stats.closeCodes[client.closeInfo.code] ?? 0) + 1;
    }
  }
  await client.close();
}

// Opens and closes connections, CHURN_CONCURRENCY at a time: half close politely, half are
// dropped without a close frame; every fourth sends a REQ first.
async function churn(url, total, stats) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      await new Promise((resolve) => {
        const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
        ws.on('error', () => {
          stats.failed += 1;
          resolve();
        });
        ws.on('open', () => {
          stats.opened += 1;
          if (n % 4 === 0) ws.send(JSON.stringify(['REQ', 'churn', { kinds: [1], limit: 5 }]));
          if (n % 2 === 0) ws.close();
          else ws.terminate();
          resolve();
        });
      });
    }
  };
  await Promise.all(Array.from({ length: CHURN_CONCURRENCY }, worker));
}

// Resident memory of a process in MiB (Linux), or NaN.
function rssMb(pid) {
  try {
    const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return NaN;
  }
}

const relayPids = (relay) => (isSplit ? { 'websocket-handler': relay.websocketHandler.pid, 'event-handler': relay.eventHandler.pid } : { relay: relay.pid });

test('a well-behaved client keeps its latency while attackers hammer the relay', async () => {
  const relay = ctx.relay;
  const baselineClient = startGoodClient(relay.url);
  await sleep(BASELINE_MS);
  const baseline = await baselineClient.stop();

  const goodClient = startGoodClient(relay.url);
  const started = Date.now();
  const churnStats = { opened: 0, failed: 0 };
  const attackStats = Object.fromEntries(ATTACKS.map((a) => [a.name, { answered: 0, closed: 0, closeCodes: {} }]));
  let peakRss = {};
  const sampler = setInterval(() => {
    for (const [role, pid] of Object.entries(relayPids(relay))) peakRss[role] = Math.max(peakRss[role] ?? 0, rssMb(pid));
  }, 200);
  let attackError = null;
  const attacks = Promise.all([
    churn(relay.url, CHURN_CONNECTIONS, churnStats),
    ...ATTACKS.map((a) => attacker(relay.url, a, attackStats[a.name])),
  ]).catch((err) => (attackError = err));
  const deadline = sleep(ATTACK_MAX_MS).then(() => 'deadline');
  const finished = await Promise.race([attacks.then(() => 'done'), deadline]);
  const attackSeconds = (Date.now() - started) / 1000;
  const underAttack = await goodClient.stop();
  clearInterval(sampler);

  console.log(`# hostile load (${isSplit ? 'split' : 'relay'}${SANITIZED ? ', sanitizer build' : ''}): attack lasted ${attackSeconds.toFixed(1)} s; churn: ${churnStats.opened} connections opened, ${churnStats.failed} failed`);
  for (const [name, s] of Object.entries(attackStats)) {
    console.log(`#   ${name}: ${s.answered} answered, ${s.closed} closed ${JSON.stringify(s.closeCodes)}`);
  }
  console.log(`# good client publish  baseline: ${summary(baseline.publishMs)}`);
  console.log(`# good client publish  attacked: ${summary(underAttack.publishMs)}`);
  console.log(`# good client query    baseline: ${summary(baseline.queryMs)}`);
  console.log(`# good client query    attacked: ${summary(underAttack.queryMs)}`);
  console.log(`# peak resident memory (MiB): ${JSON.stringify(Object.fromEntries(Object.entries(peakRss).map(([k, v]) => [k, Math.round(v)])))}`);

  assert.equal(finished, 'done', `the attacks did not finish within ${ATTACK_MAX_MS} ms`);
  assert.equal(attackError, null, attackError?.stack);
  assert.ok(relay.alive(), relay.describe());
  assert.equal(churnStats.opened, CHURN_CONNECTIONS, `${churnStats.failed} churn connections failed`);
  for (const attack of ATTACKS) {
    const s = attackStats[attack.name];
    assert.equal(s.answered + s.closed, attack.times, `${attack.name}: every message answered or closed`);
  }
  assert.ok(underAttack.publishMs.length >= 10, `the good client made only ${underAttack.publishMs.length} round trips`);
  for (const [what, values] of [
    ['publish', underAttack.publishMs],
    ['query', underAttack.queryMs],
  ]) {
    const p99 = percentile(values, 99);
    assert.ok(p99 < P99_BOUND_MS, `good client ${what} p99 under attack ${p99.toFixed(1)} ms >= ${P99_BOUND_MS} ms`);
  }
  for (const [role, mb] of Object.entries(peakRss)) {
    assert.ok(mb < RSS_BOUND_MB, `${role} peaked at ${Math.round(mb)} MiB resident (bound ${RSS_BOUND_MB})`);
  }

  // and afterwards the relay serves a fresh client normally
  const after = await connectRaw(relay.url);
  const event = signEvent(newKey());
  assert.equal((await after.publish(event))[2], true);
  assert.equal((await after.query([{ ids: [event.id] }])).length, 1);
});
