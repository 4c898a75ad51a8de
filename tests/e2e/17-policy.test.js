// Write policy (issue 7), in every deployment: NIP-13 minimum proof of work (with committed
// targets), pubkey allow/deny lists, maximum event age (--max-event-age), and IP allow/deny
// lists that close refused connections as soon as they are accepted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { finalizeEvent, getEventHash } from 'nostr-tools/pure';
import { getPow, minePow } from 'nostr-tools/nip13';

import { RELAY_BIN, isSplit, setupRelay, spawnOnFreePort, startRelay } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { newKey, now, signEvent } from './lib/nostr.js';

const MIN_POW = 8;
const MAX_AGE = 3600;
const [alice, bob, stranger] = [newKey(), newKey(), newKey()];

// Alice and Bob are on the allow list, Bob is also denied: the deny list wins.
const ctx = setupRelay([
  '--min-pow-difficulty', String(MIN_POW),
  '--pubkey-allow', `${alice.pk},${bob.pk}`,
  '--pubkey-deny', bob.pk,
  '--max-event-age', String(MAX_AGE),
]);

// Mines by hand (nostr-tools' minePow always commits to the difficulty it mines for and
// resets created_at): a nonce tag committing to `target` (none when null), until the id has
// at least `difficulty` leading zero bits.
function mine(key, { target = null, difficulty = MIN_POW, created_at = now(), content = 'mined' } = {}) {
  const nonce = ['nonce', '0'];
  if (target !== null) nonce.push(String(target));
  const template = { kind: 1, content, tags: [nonce], created_at, pubkey: key.pk };
  for (let n = 1; getPow(getEventHash(template)) < difficulty; n++) {
    assert.ok(n < 1_000_000, 'mining took too long');
    nonce[1] = String(n);
  }
  return finalizeEvent(template, key.sk);
}

// A signed event whose id has fewer than MIN_POW leading zero bits.
function unmined(key) {
  for (;;) {
    const event = signEvent(key, { content: `no work ${Math.random()}` });
    if (getPow(event.id) < MIN_POW) return event;
  }
}

test('NIP-11 advertises NIP-13, min_pow_difficulty, restricted writes and the age limit', async () => {
  const res = await fetch(ctx.relay.httpUrl, { headers: { Accept: 'application/nostr+json' } });
  const doc = await res.json();
  assert.ok(doc.supported_nips.includes(13));
  assert.equal(doc.limitation.min_pow_difficulty, MIN_POW);
  assert.equal(doc.limitation.restricted_writes, true);
  assert.equal(doc.limitation.created_at_lower_limit, MAX_AGE);
});

test('an event mined with nostr-tools minePow is accepted and readable', async () => {
  const relay = await connectNostr(ctx.relay.url);
  const template = { kind: 1, content: 'mined with nip13.minePow', tags: [], created_at: now(), pubkey: alice.pk };
  const event = finalizeEvent(minePow(template, MIN_POW), alice.sk);
  assert.ok(getPow(event.id) >= MIN_POW);
  await relay.publish(event); // rejects on OK false
  const raw = await connectRaw(ctx.relay.url);
  const { events } = await raw.req('pow', [{ ids: [event.id] }]);
  assert.deepEqual(events.map((e) => e.id), [event.id]);
});

test('too little work is refused "pow: difficulty <d> is less than <N>"', async () => {
  const client = await connectRaw(ctx.relay.url);
  const event = unmined(alice);
  const ok = await client.publish(event);
  assert.deepEqual(ok.slice(2), [false, `pow: difficulty ${getPow(event.id)} is less than ${MIN_POW}`]);
  // Exactly the minimum is enough, committed or not.
  assert.equal((await client.publish(mine(alice, { target: MIN_POW })))[2], true);
  assert.equal((await client.publish(mine(alice)))[2], true);
});

test('a lucky event committed to a lower target is refused "pow: committed target"', async () => {
  const client = await connectRaw(ctx.relay.url);
  const lucky = mine(alice, { target: MIN_POW - 4 });
  assert.ok(getPow(lucky.id) >= MIN_POW);
  const ok = await client.publish(lucky);
  assert.deepEqual(ok.slice(2), [false, `pow: committed target ${MIN_POW - 4} is less than ${MIN_POW}`]);
  // A target that is not a number commits to nothing: the id alone counts.
  const event = mine(alice, { target: 'twenty' });
  assert.equal((await client.publish(event))[2], true);
});

test('pubkey lists: outside the allow list and on the deny list are "blocked:"', async () => {
  const client = await connectRaw(ctx.relay.url);
  const strangers = await client.publish(mine(stranger));
  assert.deepEqual(strangers.slice(2), [false, "blocked: pubkey is not on this relay's allow list"]);
  const denied = await client.publish(mine(bob));
  assert.deepEqual(denied.slice(2), [false, "blocked: pubkey is on this relay's deny list"]);
  // Proof of work is checked first: an unmined event of a denied author gets "pow:".
  assert.match((await client.publish(unmined(bob)))[3], /^pow: /);
});

test('--max-event-age refuses events older than the limit', async () => {
  const client = await connectRaw(ctx.relay.url);
  const old = mine(alice, { created_at: now() - MAX_AGE - 120 });
  assert.deepEqual((await client.publish(old)).slice(2), [
    false,
    `invalid: created_at is more than ${MAX_AGE} seconds in the past`,
  ]);
  const recent = mine(alice, { created_at: now() - MAX_AGE + 120 });
  assert.equal((await client.publish(recent))[2], true);
});

test('bad list entries and --max-event-age with --created-at-past stop the relay at startup', () => {
  const role = isSplit ? 'websocket-handler' : 'relay';
  for (const [args, why] of [
    [['--pubkey-deny', 'abc'], /pubkey-deny.*not a public key/],
    [['--ip-deny', '10.0.0.1/8'], /ip-deny.*host bits/],
    [['--ip-allow', '10.0.0.0/33'], /ip-allow.*prefix length/],
    [['--max-event-age', '60', '--created-at-past', '60'], /excludes/],
  ]) {
    const run = spawnSync(RELAY_BIN, [role, '--port', '0', ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.notEqual(run.status, 0, `${args.join(' ')} was accepted`);
    assert.match(run.stderr + run.stdout, why);
  }
});

// The connection front (the relay, or in the split deployment a websocket-handler in front
// of this file's event handler) with IP lists; the event handler takes no IP options.
async function startFront(ipArgs) {
  if (!isSplit) return startRelay(ipArgs);
  return spawnOnFreePort(
    (port) => [
      'websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
      '--event-handler-url', ctx.relay.eventHandlerUrl, ...ipArgs,
    ],
    { role: 'websocket-handler', startTimeoutMs: 15_000 },
  );
}

async function refusesConnections(front) {
  await assert.rejects(fetch(front.httpUrl), 'NIP-11 over HTTP must fail');
  await assert.rejects(connectRaw(front.url, { timeoutMs: 3_000 }), 'a WebSocket must fail');
}

for (const [what, ipArgs] of [
  ['--ip-deny 127.0.0.1', ['--ip-deny', '127.0.0.1']],
  ['--ip-deny 127.0.0.0/8', ['--ip-deny', '127.0.0.0/8']],
  ['--ip-allow 10.0.0.0/8 (127.0.0.1 not on it)', ['--ip-allow', '10.0.0.0/8,2001:db8::/32']],
  ['--ip-allow 127.0.0.1 with --ip-deny 127.0.0.1 (deny wins)', ['--ip-allow', '127.0.0.1', '--ip-deny', '127.0.0.1']],
]) {
  test(`IP lists: ${what} closes the connection at accept`, async () => {
    await ctx.ready();
    const front = await startFront(ipArgs);
    try {
      await refusesConnections(front);
      assert.ok(front.alive(), 'refusing connections must not hurt the server');
    } finally {
      await front.stop();
    }
  });
}

test('IP lists: --ip-allow 127.0.0.1/32 admits the local client', async () => {
  await ctx.ready();
  const front = await startFront(['--ip-allow', '127.0.0.1/32, ::1']);
  try {
    const res = await fetch(front.httpUrl, { headers: { Accept: 'application/nostr+json' } });
    assert.equal(res.status, 200);
    const client = await connectRaw(front.url);
    const ok = await client.publish(mine(alice, { content: 'through an allow-listed front' }));
    // The split front forwards to this file's event handler, which has the write policy.
    assert.equal(ok[2], true, JSON.stringify(ok));
  } finally {
    await front.stop();
  }
});
