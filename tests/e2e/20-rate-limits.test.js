// Rate limits (issue "Hardening"), in every deployment: concurrent connections per client
// address (HTTP 429 on the upgrade), messages per connection per second (the NIP-01 answer of
// each verb with "rate-limited:", a flood closed), REQ/COUNT per connection per minute
// (CLOSED), events per pubkey per minute by kind class (OK false, never spent by forged
// events), X-Forwarded-For believed only from --trusted-proxies; and, with PostgreSQL +
// Redis, two websocket-handlers (each with its own event handler) sharing one pubkey budget
// and one count of connections per address. Every refusal leaves the connection, and the
// others, working. The harness turns the limits off (lib/relay.js); each relay here sets its
// own with flags.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { isSplit, sleep, spawnOnFreePort, startRelay, storeArgs, usesDatabase } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { deepCopy, newKey, signEvent } from './lib/nostr.js';

const REDIS_URL = process.env.NOSTPP_E2E_REDIS_URL || '';
const started = [];
// Last started, first stopped (a front before the event handler behind it); every process is
// stopped even when one does not stop cleanly, and that failure is reported.
after(async () => {
  let first = null;
  for (const r of started.reverse()) {
    try {
      await r.stop();
    } catch (err) {
      first ??= err;
    }
  }
  if (first) throw first;
});

async function relayWith(args) {
  const relay = await startRelay(args);
  started.push(relay);
  return relay;
}

// The connection front with options only it takes (--trusted-proxies, --ip-deny): the relay,
// or in the split deployment a websocket-handler in front of a pair's event handler.
async function frontWith(args) {
  if (!isSplit) return relayWith(args);
  const backend = await relayWith([]);
  const front = await spawnOnFreePort(
    (port) => ['websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
      '--event-handler-url', backend.eventHandlerUrl, ...args],
    { role: 'websocket-handler', startTimeoutMs: 15_000 },
  );
  started.push({ stop: () => front.terminate() });
  return front;
}

// Resolves with the HTTP status that refused the upgrade, or 101 (the connection is closed).
async function upgradeStatus(url, headers) {
  try {
    const client = await connectRaw(url, { headers });
    await client.close();
    return 101;
  } catch (err) {
    const match = /Unexpected server response: (\d+)/.exec(err.message);
    if (!match) throw err;
    return Number(match[1]);
  }
}

async function metric(url, limit) {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const match = new RegExp(`^nostpp_rate_limited_total\\{limit="${limit}"\\} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

// Budgets are counted per calendar minute: keep a test's events inside one.
async function awayFromMinuteEnd(needMs = 8000) {
  const into = Date.now() % 60_000;
  if (into > 60_000 - needMs) await sleep(60_000 - into + 200);
}

const isRateLimited = (text) => typeof text === 'string' && text.startsWith('rate-limited: ');

test('connections per address beyond --max-connections-per-ip are refused with HTTP 429', async () => {
  const relay = await relayWith(['--max-connections-per-ip', '3']);
  const clients = [];
  for (let i = 0; i < 3; i++) clients.push(await connectRaw(relay.url));
  assert.equal(await upgradeStatus(relay.url), 429);
  // The open ones keep working, and a connection that leaves frees its place.
  const { events } = await clients[0].req('s', [{ kinds: [1], limit: 1 }]);
  assert.ok(Array.isArray(events));
  await clients[2].close();
  let status = 0;
  for (let i = 0; i < 50 && status !== 101; i++) {
    status = await upgradeStatus(relay.url);
    if (status !== 101) await sleep(20);
  }
  assert.equal(status, 101);
  assert.ok((await metric(relay.httpUrl, 'connections_per_ip')) >= 1);
  // Plain HTTP (NIP-11) is not a WebSocket connection and is not counted.
  const res = await fetch(relay.httpUrl, { headers: { Accept: 'application/nostr+json' } });
  assert.equal(res.status, 200);
  for (const client of clients) await client.close();
});

test('messages over --messages-per-second get their verb\'s answer with rate-limited:', async () => {
  const relay = await relayWith(['--messages-per-second', '1', '--message-burst', '10', '--flood-close-after', '50']);
  const key = newKey();
  const client = await connectRaw(relay.url);
  const other = await connectRaw(relay.url);
  for (let i = 0; i < 10; i++) client.send(['CLOSE', `x${i}`]);
  const event = signEvent(key);
  client.send(['EVENT', event]);
  client.send(['REQ', 'limited', {}]);
  client.send(['COUNT', 'counted', {}]);
  client.send(['CLOSE', 'x']);
  // NIP-42: an AUTH is answered with an OK, not a NOTICE.
  const auth = signEvent(key, { kind: 22242, tags: [['relay', relay.url], ['challenge', 'x']] });
  client.send(['AUTH', auth]);
  const ok = await client.next((m) => m[0] === 'OK' && m[1] === event.id);
  assert.equal(ok[2], false);
  assert.ok(isRateLimited(ok[3]), ok[3]);
  const closed = await client.next((m) => m[0] === 'CLOSED' && m[1] === 'limited');
  assert.ok(isRateLimited(closed[2]), closed[2]);
  const counted = await client.next((m) => m[0] === 'CLOSED' && m[1] === 'counted');
  assert.ok(isRateLimited(counted[2]), counted[2]);
  const notice = await client.next((m) => m[0] === 'NOTICE');
  assert.ok(isRateLimited(notice[1]), notice[1]);
  const authOk = await client.next((m) => m[0] === 'OK' && m[1] === auth.id);
  assert.equal(authOk[2], false);
  assert.ok(isRateLimited(authOk[3]), authOk[3]);
  // Others are not affected; the limited connection works again once a token is back.
  assert.ok(Array.isArray((await other.req('o', [{ ids: [event.id] }])).events));
  await sleep(1100);
  const { events } = await client.req('again', [{ ids: [event.id] }]);
  assert.deepEqual(events, []); // the limited EVENT was not processed
  assert.ok((await metric(relay.httpUrl, 'messages')) >= 4);
});

test('a connection that keeps flooding is closed; the others carry on', async () => {
  const relay = await relayWith(['--messages-per-second', '1', '--message-burst', '5', '--flood-close-after', '20']);
  const flooder = await connectRaw(relay.url);
  const other = await connectRaw(relay.url);
  for (let i = 0; i < 200 && flooder.open; i++) flooder.send(['CLOSE', `f${i}`]);
  for (let i = 0; i < 100 && !flooder.closeInfo; i++) await sleep(20);
  assert.ok(flooder.closeInfo, 'the flooding connection was not closed');
  assert.match(flooder.closeInfo.reason, /^rate-limited: /);
  assert.ok(Array.isArray((await other.req('o', [{ kinds: [1], limit: 1 }])).events));
});

test('REQ and COUNT over --reqs-per-minute are CLOSED rate-limited:, per connection', async () => {
  const relay = await relayWith(['--reqs-per-minute', '1', '--req-burst', '3']);
  const client = await connectRaw(relay.url);
  for (let i = 0; i < 3; i++) await client.req(`r${i}`, [{ kinds: [1], limit: 1 }]);
  const closed = await client.req('r3', [{ kinds: [1] }], { allowClosed: true });
  assert.ok(isRateLimited(closed.closed?.[2]), JSON.stringify(closed));
  client.send(['COUNT', 'c', { kinds: [1] }]);
  const count = await client.next((m) => m[1] === 'c');
  assert.equal(count[0], 'CLOSED');
  assert.ok(isRateLimited(count[2]), count[2]);
  // Another connection has its own budget; this one still publishes and closes.
  const other = await connectRaw(relay.url);
  assert.ok(Array.isArray((await other.req('o', [{ kinds: [1], limit: 1 }])).events));
  const ok = await client.publish(signEvent(newKey()));
  assert.equal(ok[2], true);
  assert.ok((await metric(relay.httpUrl, 'reqs')) >= 2);
});

test('events per pubkey per minute, per kind class, after the signature', async () => {
  const relay = await relayWith(['--regular-events-per-minute', '3', '--replaceable-events-per-minute', '1']);
  await awayFromMinuteEnd();
  const [alice, bob] = [newKey(), newKey()];
  const nostr = await connectNostr(relay.url);
  const raw = await connectRaw(relay.url);
  // Forged events naming alice (bad signature) are refused as invalid and spend nothing.
  for (let i = 0; i < 5; i++) {
    const forged = deepCopy(signEvent(alice));
    forged.sig = forged.sig.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const ok = await raw.publish(forged);
    assert.equal(ok[2], false);
    assert.match(ok[3], /^invalid: /);
  }
  for (let i = 0; i < 3; i++) await nostr.publish(signEvent(alice)); // rejects on OK false
  await assert.rejects(nostr.publish(signEvent(alice)), /rate-limited: /);
  const ok = await raw.publish(signEvent(alice));
  assert.deepEqual([ok[2], isRateLimited(ok[3])], [false, true], ok[3]);
  // Another pubkey, and another kind class of the same pubkey, have their own budgets.
  await nostr.publish(signEvent(bob));
  await nostr.publish(signEvent(alice, { kind: 0, content: '{}' }));
  await assert.rejects(nostr.publish(signEvent(alice, { kind: 0, content: '{"name":"x"}' })), /rate-limited: /);
  await nostr.publish(signEvent(alice, { kind: 20001 })); // ephemeral: not limited here
  const metricsUrl = isSplit ? `${relay.eventHandlerUrl}/` : relay.httpUrl;
  assert.equal(await metric(metricsUrl, 'events_regular'), 2);
  assert.equal(await metric(metricsUrl, 'events_replaceable'), 1);
});

test('X-Forwarded-For counts only from a trusted proxy, right-most untrusted hop', async () => {
  const direct = await frontWith(['--max-connections-per-ip', '1']);
  // Not a trusted proxy: a client cannot pose as many by writing the header itself.
  const held = await connectRaw(direct.url, { headers: { 'X-Forwarded-For': '198.51.100.1' } });
  assert.equal(await upgradeStatus(direct.url, { 'X-Forwarded-For': '198.51.100.2' }), 429);
  await held.close();

  const proxied = await frontWith([
    '--trusted-proxies', '127.0.0.0/8',
    '--max-connections-per-ip', '1',
    '--ip-deny', '203.0.113.66',
    '--log-level', 'debug',
  ]);
  const a = await connectRaw(proxied.url, { headers: { 'X-Forwarded-For': '198.51.100.1' } });
  const b = await connectRaw(proxied.url, { headers: { 'X-Forwarded-For': '198.51.100.2' } });
  // A forged left-most hop does not make a new client: 198.51.100.1 is the right-most.
  assert.equal(await upgradeStatus(proxied.url, { 'X-Forwarded-For': '192.0.2.77, 198.51.100.1' }), 429);
  // The IP deny list applies to the forwarded client, and plain HTTP requests are checked too.
  assert.equal(await upgradeStatus(proxied.url, { 'X-Forwarded-For': '203.0.113.66' }), 403);
  const res = await fetch(proxied.httpUrl, { headers: { 'X-Forwarded-For': '203.0.113.66' } });
  assert.equal(res.status, 403);
  assert.ok(Array.isArray((await a.req('s', [{ kinds: [1], limit: 1 }])).events));
  assert.ok(b.open);
  assert.match(proxied.stderr, /198\.51\.100\.1: connection open/);
});

// Two front ends, each with its own event handler, on one PostgreSQL database and one Redis:
// the budget and the connection count are shared only through Redis.
test('two websocket-handlers share one pubkey budget and connection counts through Redis', async (t) => {
  if (!isSplit || !REDIS_URL || !usesDatabase) {
    t.skip('needs the split deployment on PostgreSQL + Redis (NOSTPP_E2E_DEPLOYMENT=split, NOSTPP_E2E_DATABASE_URL, NOSTPP_E2E_REDIS_URL)');
    return;
  }
  // Their own channel: the file's other relays share this Redis but not these counts.
  const limits = ['--regular-events-per-minute', '3', '--max-connections-per-ip', '2', '--rate-limit-sync-ms', '100',
    '--redis-channel', `nostpp:e2e-rate-limits:${process.pid}`];
  const first = await relayWith(limits);
  const common = ['--redis-url', REDIS_URL, ...limits];
  const eventHandler = await spawnOnFreePort(
    (port) => ['event-handler', '--bind', '127.0.0.1', '--port', String(port), ...storeArgs(first.dataDir), ...common],
    { role: 'event-handler', startTimeoutMs: 15_000 },
  );
  started.push({ stop: () => eventHandler.terminate() });
  const handler = await spawnOnFreePort(
    (port) => ['websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
      '--event-handler-url', `http://127.0.0.1:${eventHandler.port}`, ...common],
    { role: 'websocket-handler', startTimeoutMs: 15_000 },
  );
  started.push({ stop: () => handler.terminate() });
  const syncs = () => sleep(600); // several --rate-limit-sync-ms rounds

  await awayFromMinuteEnd(15_000);
  const alice = newKey();
  const viaFirst = await connectRaw(first.url);
  const viaSecond = await connectRaw(handler.url);
  assert.equal((await viaFirst.publish(signEvent(alice)))[2], true);
  assert.equal((await viaFirst.publish(signEvent(alice)))[2], true);
  await syncs();
  assert.equal((await viaSecond.publish(signEvent(alice)))[2], true);
  await syncs();
  for (const client of [viaSecond, viaFirst]) {
    const ok = await client.publish(signEvent(alice));
    assert.deepEqual([ok[2], isRateLimited(ok[3])], [false, true], ok[3]);
  }
  // Two connections from 127.0.0.1 are open (one per handler): a third is refused by either.
  await syncs();
  assert.equal(await upgradeStatus(first.url), 429);
  assert.equal(await upgradeStatus(handler.url), 429);
  await viaFirst.close();
  await syncs();
  assert.equal(await upgradeStatus(handler.url), 101);
});
