// Web of Trust (WOT_*): who may write, in every deployment. The admin's follow list
// bootstraps the set; follows of follows need --wot-min-followers votes; an unfollow removes
// trust; the set survives a restart; follow lists are fetched from a seed relay; reads are
// never restricted; `nostpp wot` reports what the relay enforces.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { RELAY_BIN, isSplit, setupRelay, sleep, startRelay, storeArgs } from './lib/relay.js';
import { connectNostr, connectRaw } from './lib/ws.js';
import { newKey, signEvent } from './lib/nostr.js';

const BLOCKED = 'blocked: not in web of trust';
// The relay rebuilds the set 2 s after a relevant follow list arrives.
const REBUILD_WAIT_MS = 12_000;

const admin = newKey();
const [alice, bob, carol, dave, stranger] = [newKey(), newKey(), newKey(), newKey(), newKey()];
const wotArgs = (adminKey) => ['--admin-pubkey', adminKey.pk, '--wot-min-followers', '2'];

const ctx = setupRelay(wotArgs(admin));

const followList = (key, follows) =>
  signEvent(key, { kind: 3, tags: follows.map((f) => ['p', f.pk]), content: '' });

// Publishes fresh notes by `key` until one gets OK `accepted` (the set is rebuilt in the
// background).
async function eventually(client, key, accepted, what) {
  const deadline = Date.now() + REBUILD_WAIT_MS;
  let last;
  while (Date.now() < deadline) {
    last = await client.publish(signEvent(key, { content: `${what} ${Date.now()}` }));
    if (last[2] === accepted) return last;
    await sleep(200);
  }
  assert.fail(`${what}: still ${accepted ? 'refused' : 'accepted'} after ${REBUILD_WAIT_MS} ms: ${JSON.stringify(last)}`);
}
const eventuallyAccepted = (client, key, what) => eventually(client, key, true, what);
const eventuallyBlocked = (client, key, what) => eventually(client, key, false, what);

function wotCli(relay, adminKey, ...args) {
  return spawnSync(
    RELAY_BIN,
    ['wot', ...args, ...storeArgs(relay.dataDir), ...wotArgs(adminKey)],
    { encoding: 'utf8', timeout: 20_000 },
  );
}

test('NIP-11 advertises restricted_writes', async () => {
  const res = await fetch(ctx.relay.httpUrl, { headers: { Accept: 'application/nostr+json' } });
  assert.equal((await res.json()).limitation.restricted_writes, true);
});

test('before any follow list only the admin writes; others get "blocked:"; reads are open', async () => {
  const client = await connectRaw(ctx.relay.url);
  const refused = await client.publish(signEvent(stranger, { content: 'spam' }));
  assert.deepEqual(refused.slice(2), [false, BLOCKED]);
  const note = signEvent(admin, { content: 'hello from the admin' });
  assert.equal((await client.publish(note))[2], true);
  // A stranger reads like anyone else.
  const reader = await connectRaw(ctx.relay.url);
  const events = await reader.query([{ ids: [note.id] }]);
  assert.deepEqual(events.map((e) => e.id), [note.id]);
});

test('nostr-tools sees the refusal as a rejected publish with the blocked: reason', async () => {
  const relay = await connectNostr(ctx.relay.url);
  await assert.rejects(relay.publish(signEvent(stranger, { content: 'via nostr-tools' })), /blocked: not in web of trust/);
  relay.close();
});

test('the admin follow list admits follows; two votes admit a follow of follows; an unfollow removes trust', async () => {
  const client = await connectRaw(ctx.relay.url);
  assert.equal((await client.publish(followList(admin, [alice, bob, carol])))[2], true);
  await eventuallyAccepted(client, alice, 'alice after the admin followed her');
  await eventuallyAccepted(client, carol, 'carol after the admin followed her');

  // dave: one vote is below --wot-min-followers 2, two votes reach it.
  assert.equal((await client.publish(followList(alice, [dave])))[2], true);
  await sleep(3000);
  assert.deepEqual((await client.publish(signEvent(dave, { content: 'one vote' }))).slice(2), [false, BLOCKED]);
  assert.equal((await client.publish(followList(bob, [dave])))[2], true);
  await eventuallyAccepted(client, dave, 'dave after two follows followed him');

  // The admin unfollows carol: her trust goes with the next build.
  await sleep(1100); // a newer created_at than the first list
  assert.equal((await client.publish(followList(admin, [alice, bob])))[2], true);
  await eventuallyBlocked(client, carol, 'carol after the unfollow');
  assert.equal((await client.publish(signEvent(alice, { content: 'still trusted' })))[2], true);
});

test('/metrics shows the set size, rebuilds and rejects (where the gate runs)', async () => {
  const where = isSplit ? ctx.relay.eventHandlerUrl : ctx.relay.httpUrl.replace(/\/$/, '');
  const text = await (await fetch(`${where}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const value = (name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) || [])[1]);
  assert.ok(value('nostpp_wot_set_size') >= 3, text); // admin, alice, bob (and dave)
  assert.ok(value('nostpp_wot_rebuilds_total') >= 2, text);
  assert.ok(value('nostpp_wot_rejects_total') >= 3, text);
  assert.equal(value('nostpp_wot_built'), 1);
});

test('`nostpp wot check` and `status` report the set the relay enforces', async () => {
  const trusted = wotCli(ctx.relay, admin, 'check', alice.pk);
  assert.equal(trusted.status, 0, trusted.stdout + trusted.stderr);
  assert.match(trusted.stdout, /^trusted: in the web of trust/m);
  const refused = wotCli(ctx.relay, admin, 'check', stranger.pk);
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /^not trusted: not in the web of trust/m);
  const status = wotCli(ctx.relay, admin, 'status');
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /set: \d+ pubkeys, built /);
});

test('the set survives a restart: trusted authors write at once, strangers stay out', async () => {
  const old = ctx.relay;
  old.ownsDataDir = false; // keep the store for the restart
  await old.stop();
  ctx.relay = await startRelay(wotArgs(admin), { dataDir: old.dataDir });
  ctx.relay.ownsDataDir = true; // removed by the file's after() hook
  const client = await connectRaw(ctx.relay.url);
  // No rebuild has to run first: the persisted set is in force from the first message.
  assert.equal((await client.publish(signEvent(alice, { content: 'after restart' })))[2], true);
  const refused = await client.publish(signEvent(newKey(), { content: 'x' }));
  assert.deepEqual(refused.slice(2), [false, BLOCKED]);
});

test('follow lists are fetched from a seed relay and stored', async () => {
  const seedAdmin = newKey();
  const follower = newKey();
  const seed = await startRelay([]);
  try {
    const seeder = await connectRaw(seed.url);
    const list = followList(seedAdmin, [follower]);
    assert.equal((await seeder.publish(list))[2], true);
    const relay = await startRelay([...wotArgs(seedAdmin), '--wot-seed-relays', seed.url]);
    try {
      const client = await connectRaw(relay.url);
      await eventuallyAccepted(client, follower, 'a follow known only to the seed relay');
      const stored = await client.query([{ kinds: [3], authors: [seedAdmin.pk] }]);
      assert.deepEqual(stored.map((e) => e.id), [list.id]);
    } finally {
      await relay.stop();
    }
  } finally {
    await seed.stop();
  }
});

test('WOT_ENABLED=true without ADMIN_PUBKEY stops the relay at startup with what to set', () => {
  const role = isSplit ? 'event-handler' : 'relay';
  const run = spawnSync(RELAY_BIN, [role, '--port', '0', '--data-dir', '/nonexistent/nostpp-wot'], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, WOT_ENABLED: 'true', ADMIN_PUBKEY: '' },
  });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /ADMIN_PUBKEY/);
});
