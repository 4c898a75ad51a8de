// NIP-42 authentication in every deployment, with nostr-tools' own AUTH support (Relay.auth(),
// nip42.makeAuthEvent): the challenge sent on connect, AUTH accepted or refused check by
// check, NIP-70 protected events from their authenticated author only, --auth-read-kinds
// (direct messages invisible to non-participants, stored and live; COUNT of what the
// connection may read), and --auth-required for EVENT, REQ and COUNT.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Relay } from 'nostr-tools/relay';
import { finalizeEvent } from 'nostr-tools/pure';
import { makeAuthEvent } from 'nostr-tools/nip42';

import { RELAY_BIN, isSplit, setupRelay, sleep, startRelay } from './lib/relay.js';
import { DEFAULT_TIMEOUT_MS, connectRaw } from './lib/ws.js';
import { newKey, now, signEvent } from './lib/nostr.js';

const DM_KINDS = [4, 1059];
// The relay's own URL, as nostr-tools writes it in the relay tag (no trailing slash): the
// relay compares them normalized, so the trailing slash here does not matter.
const open = setupRelay(['--relay-url', 'ws://127.0.0.1:{port}/', '--auth-read-kinds', DM_KINDS.join(',')]);
const closed = setupRelay(['--auth-required']);

const [alice, bob, mallory] = [newKey(), newKey(), newKey()];

// A raw client and the challenge it was sent on connect.
async function rawWithChallenge(url) {
  const client = await connectRaw(url);
  const [, challenge] = await client.next((m) => Array.isArray(m) && m[0] === 'AUTH', {
    what: 'the AUTH challenge',
  });
  return { client, challenge };
}

// Sends ["AUTH", event] and resolves with its OK.
async function sendAuth(client, event) {
  client.send(['AUTH', event]);
  return client.ok(event.id);
}

// An AUTH event made by nostr-tools for `url` and `challenge`, with fields overridden.
function authEvent(key, url, challenge, overrides = {}) {
  return finalizeEvent({ ...makeAuthEvent(url, challenge), ...overrides }, key.sk);
}

// A raw client authenticated as each of `keys`.
async function authenticatedRaw(url, ...keys) {
  const { client, challenge } = await rawWithChallenge(url);
  for (const key of keys) {
    const ok = await sendAuth(client, authEvent(key, url, challenge));
    assert.deepEqual(ok.slice(2), [true, ''], `AUTH as ${key.pk.slice(0, 8)}`);
  }
  return client;
}

// nostr-tools Relay that has received its challenge (it arrives right after the connection
// opens), authenticated as `key` through Relay.auth().
async function nostrToolsAuthenticated(url, key) {
  const relay = new Relay(url);
  relay.publishTimeout = DEFAULT_TIMEOUT_MS;
  await relay.connect();
  for (let waited = 0; !relay.challenge; waited += 20) {
    assert.ok(waited < DEFAULT_TIMEOUT_MS, 'no AUTH challenge from the relay');
    await sleep(20);
  }
  await relay.auth((template) => Promise.resolve(finalizeEvent(template, key.sk)));
  return relay;
}

test('NIP-11 lists NIP-42 and says whether AUTH is required', async () => {
  for (const [ctx, required] of [
    [open, false],
    [closed, true],
  ]) {
    const res = await fetch(ctx.relay.httpUrl, { headers: { Accept: 'application/nostr+json' } });
    const doc = await res.json();
    assert.ok(doc.supported_nips.includes(42));
    assert.equal(doc.limitation.auth_required, required);
  }
});

test('every connection is sent its own AUTH challenge as soon as it opens', async () => {
  const first = await rawWithChallenge(open.relay.url);
  const second = await rawWithChallenge(open.relay.url);
  assert.match(first.challenge, /^[0-9a-f]{32}$/);
  assert.notEqual(first.challenge, second.challenge);
});

test('nostr-tools Relay.auth() succeeds; the AUTH event is neither stored nor broadcast', async () => {
  const watcher = await connectRaw(open.relay.url);
  watcher.send(['REQ', 'auth-watch', { kinds: [22242] }]);
  await watcher.collect('auth-watch');
  const relay = await nostrToolsAuthenticated(open.relay.url, alice);
  relay.close();
  assert.deepEqual(await watcher.liveEvents('auth-watch', 300), []);
  const { events } = await watcher.req('auth-stored', [{ kinds: [22242] }]);
  assert.deepEqual(events, []);
});

test('AUTH events failing a check are refused "invalid:" and authenticate nobody', async () => {
  const url = open.relay.url;
  const { client, challenge } = await rawWithChallenge(url);
  const cases = [
    ['wrong challenge', authEvent(alice, url, challenge.replace(/.$/, (c) => (c === '0' ? '1' : '0'))), /challenge/],
    ['wrong relay', authEvent(alice, 'wss://other.example.com', challenge), /relay tag/],
    ['wrong kind', authEvent(alice, url, challenge, { kind: 1 }), /kind 22242/],
    ['created_at 11 minutes ago', authEvent(alice, url, challenge, { created_at: now() - 660 }), /created_at/],
  ];
  for (const [what, event, reason] of cases) {
    const ok = await sendAuth(client, event);
    assert.equal(ok[2], false, what);
    assert.match(ok[3], /^invalid: /, what);
    assert.match(ok[3], reason, what);
  }
  // Normalized URL: an upper-case scheme and a trailing slash name the same relay.
  const variant = `${url.replace('ws://', 'WS://')}/`;
  assert.deepEqual((await sendAuth(client, authEvent(bob, variant, challenge))).slice(2), [true, '']);
  // Still not Alice: her protected event is refused.
  const protectedByAlice = signEvent(alice, { tags: [['-']] });
  const ok = await client.publish(protectedByAlice);
  assert.equal(ok[2], false);
  assert.match(ok[3], /^restricted: /);
});

test('NIP-70: a protected event is refused before AUTH and accepted from its authenticated author', async () => {
  const relay = new Relay(open.relay.url);
  relay.publishTimeout = DEFAULT_TIMEOUT_MS;
  await relay.connect();
  const event = signEvent(alice, { tags: [['-']], content: 'protected' });
  await assert.rejects(relay.publish(event), /auth-required: /);
  relay.close();

  const authed = await nostrToolsAuthenticated(open.relay.url, alice);
  await authed.publish(event); // rejects on OK false
  authed.close();
  const reader = await connectRaw(open.relay.url);
  const { events } = await reader.req('protected', [{ ids: [event.id] }]);
  assert.deepEqual(events.map((e) => e.id), [event.id]);
});

test('several pubkeys on one connection: each may publish its own protected events', async () => {
  const client = await authenticatedRaw(open.relay.url, alice, bob);
  for (const key of [alice, bob]) {
    const ok = await client.publish(signEvent(key, { tags: [['-']] }));
    assert.deepEqual(ok.slice(2), [true, '']);
  }
  const ok = await client.publish(signEvent(mallory, { tags: [['-']] }));
  assert.match(ok[3], /^restricted: /);
});

test('--auth-read-kinds: stored DMs are served only to their participants', async () => {
  const writer = await connectRaw(open.relay.url);
  const dm = signEvent(alice, { kind: 4, tags: [['p', bob.pk]], content: 'for bob' });
  const note = signEvent(alice, { kind: 1, content: 'public' });
  for (const event of [dm, note]) assert.equal((await writer.publish(event))[2], true);

  const anonymous = await connectRaw(open.relay.url);
  const refused = await anonymous.req('dms', [{ kinds: [4] }], { allowClosed: true });
  assert.match(refused.closed?.[2] ?? '', /^auth-required: /);
  // Without kinds the REQ runs, but the DM is left out.
  const byAlice = await anonymous.req('alice', [{ authors: [alice.pk] }]);
  assert.ok(byAlice.events.some((e) => e.id === note.id));
  assert.ok(!byAlice.events.some((e) => e.id === dm.id));

  const stranger = await authenticatedRaw(open.relay.url, mallory);
  assert.deepEqual((await stranger.req('dms', [{ kinds: [4], authors: [alice.pk] }])).events, []);
  assert.ok(!(await stranger.req('all', [{ ids: [dm.id, note.id] }])).events.some((e) => e.id === dm.id));

  for (const participant of [alice, bob]) {
    const client = await authenticatedRaw(open.relay.url, participant);
    const { events } = await client.req('dms', [{ kinds: [4], ids: [dm.id] }]);
    assert.deepEqual(events.map((e) => e.id), [dm.id], `participant ${participant === alice ? 'alice' : 'bob'}`);
  }
});

test('--auth-read-kinds: live DMs reach participants only', async () => {
  const since = now() - 5;
  const recipient = await authenticatedRaw(open.relay.url, bob);
  const stranger = await authenticatedRaw(open.relay.url, mallory);
  const anonymous = await connectRaw(open.relay.url);
  for (const client of [recipient, stranger, anonymous]) {
    client.send(['REQ', 'live', { since, authors: [alice.pk] }]);
    await client.collect('live');
  }
  const wrap = signEvent(alice, { kind: 1059, tags: [['p', bob.pk]], content: 'sealed' });
  const after = signEvent(alice, { kind: 1, content: 'public after the wrap' });
  const writer = await connectRaw(open.relay.url);
  for (const event of [wrap, after]) assert.equal((await writer.publish(event))[2], true);

  assert.equal((await recipient.nextEvent('live')).id, wrap.id);
  assert.equal((await recipient.nextEvent('live')).id, after.id);
  for (const client of [stranger, anonymous]) {
    // The public event published after the wrap arrives; the wrap never does.
    assert.equal((await client.nextEvent('live')).id, after.id);
    assert.deepEqual(await client.liveEvents('live', 300), []);
  }
});

test('--auth-read-kinds: COUNT counts only what the connection may read', async () => {
  const tag = `count-${now()}-${Math.random().toString(16).slice(2)}`;
  const writer = await connectRaw(open.relay.url);
  const carol = newKey();
  for (const event of [
    signEvent(alice, { kind: 4, tags: [['p', bob.pk], ['t', tag]] }),
    signEvent(alice, { kind: 4, tags: [['p', carol.pk], ['t', tag]] }),
    signEvent(alice, { kind: 1, tags: [['t', tag]] }),
  ])
    assert.equal((await writer.publish(event))[2], true);

  const anonymous = await connectRaw(open.relay.url);
  assert.match((await anonymous.count('c1', [{ kinds: [4], '#t': [tag] }]))[2], /^auth-required: /);
  // A filter without kinds could count DMs: refused, whoever asks.
  assert.match((await anonymous.count('c2', [{ '#t': [tag] }]))[2], /^restricted: /);

  for (const [who, key, expected] of [
    ['alice (author of both DMs)', alice, 3],
    ['bob (recipient of one)', bob, 2],
    ['mallory (neither)', mallory, 1],
  ]) {
    const client = await authenticatedRaw(open.relay.url, key);
    const answer = await client.count('c3', [{ kinds: [1, 4], '#t': [tag] }]);
    assert.deepEqual(answer.slice(0, 2), ['COUNT', 'c3'], who);
    // Exactly the visible events; no HyperLogLog, which would describe the hidden ones too.
    assert.deepEqual(answer[2], { count: expected }, who);
  }
});

test('--auth-required: EVENT, REQ and COUNT are refused until the client authenticates', async () => {
  const { client, challenge } = await rawWithChallenge(closed.relay.url);
  const event = signEvent(alice, { content: 'needs auth' });
  const refused = await client.publish(event);
  assert.equal(refused[2], false);
  assert.match(refused[3], /^auth-required: /);
  const req = await client.req('r', [{ kinds: [1] }], { allowClosed: true });
  assert.match(req.closed?.[2] ?? '', /^auth-required: /);
  const count = await client.count('c', [{ kinds: [1] }]);
  assert.equal(count[0], 'CLOSED');
  assert.match(count[2], /^auth-required: /);

  const ok = await sendAuth(client, authEvent(mallory, closed.relay.url, challenge));
  assert.equal(ok[2], true);
  assert.deepEqual((await client.publish(event)).slice(2), [true, '']);
  const { events } = await client.req('r', [{ ids: [event.id] }]);
  assert.deepEqual(events.map((e) => e.id), [event.id]);
  assert.deepEqual((await client.count('c', [{ ids: [event.id] }]))[2], { count: 1 });
});

test('--auth-required: nostr-tools authenticates with Relay.auth() and then publishes', async () => {
  const relay = await nostrToolsAuthenticated(closed.relay.url, bob);
  await relay.publish(signEvent(bob, { tags: [['-']], content: 'protected, authenticated' }));
  relay.close();
});

test('environment: the relay URL from NOSTPY_DOMAIN, AUTH_REQUIRED and AUTH_WINDOW_SECONDS', async () => {
  // Given to both roles in the split deployment.
  const relay = await startRelay([], {
    env: { NOSTPY_DOMAIN: 'Relay.Example.com', AUTH_REQUIRED: 'true', AUTH_WINDOW_SECONDS: '60' },
  });
  try {
    const doc = await (await fetch(relay.httpUrl, { headers: { Accept: 'application/nostr+json' } })).json();
    assert.equal(doc.limitation.auth_required, true);
    const { client, challenge } = await rawWithChallenge(relay.url);
    const local = await sendAuth(client, authEvent(alice, relay.url, challenge));
    assert.match(local[3], /^invalid: .*relay tag does not name this relay \(wss:\/\/Relay\.Example\.com\)/);
    const late = await sendAuth(client, authEvent(alice, 'wss://relay.example.com', challenge, { created_at: now() - 90 }));
    assert.match(late[3], /^invalid: .*created_at is more than 60 seconds/);
    const ok = await sendAuth(client, authEvent(alice, 'wss://relay.example.com/', challenge));
    assert.deepEqual(ok.slice(2), [true, '']);
  } finally {
    await relay.stop();
  }
});

test('a --relay-url that is not ws:// or wss:// stops the relay at startup', () => {
  const role = isSplit ? 'websocket-handler' : 'relay';
  for (const url of ['https://relay.example.com', 'relay.example.com']) {
    // No store is opened: the URL is checked first (the data directory would not exist).
    const store = isSplit ? [] : ['--data-dir', '/nonexistent/nostpp-e2e'];
    const run = spawnSync(RELAY_BIN, [role, '--bind', '127.0.0.1', '--port', '0', ...store, '--relay-url', url], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.notEqual(run.status, 0, `--relay-url ${url} was accepted`);
    assert.match(run.stderr + run.stdout, /--relay-url must be a ws:\/\/ or wss:\/\/ URL/);
  }
});
