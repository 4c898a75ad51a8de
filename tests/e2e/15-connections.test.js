// Connection-level defences, with short settings to keep it quick:
// - quiet connections (--ping-interval 1, --idle-timeout 3): the relay pings a connection it
//   has not heard from, and closes one that neither sends messages nor answers pings; clients
//   that answer pings, or keep talking, stay connected;
// - slow readers (--max-outbound-bytes 256 KiB): a client that stops reading while it asks for
//   megabytes gets a NOTICE and is disconnected, while another client is served as usual.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';

import { setupRelay, sleep } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { newKey, now, signEvent } from './lib/nostr.js';
import { signMany } from './lib/sign.js';

const PING_INTERVAL_S = 1;
const IDLE_TIMEOUT_S = 3;
const MAX_OUTBOUND_BYTES = 256 * 1024;
const ctx = setupRelay([
  '--ping-interval', String(PING_INTERVAL_S),
  '--idle-timeout', String(IDLE_TIMEOUT_S),
  '--max-outbound-bytes', String(MAX_OUTBOUND_BYTES),
]);

// A raw connection that records the pings it gets and how it ends; `autoPong: false` makes it
// a client that never answers pings.
function watch(url, { autoPong }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { autoPong });
    const state = { ws, pings: 0, opened: 0, closed: null };
    ws.on('ping', () => (state.pings += 1));
    ws.on('error', () => {});
    ws.on('close', (code, reason) => (state.closed = { code, reason: reason.toString(), afterMs: Date.now() - state.opened }));
    ws.once('open', () => {
      state.opened = Date.now();
      resolve(state);
    });
    ws.once('unexpected-response', () => reject(new Error('handshake refused')));
  });
}

test('quiet connections are pinged; those that never answer are closed, the others stay', async () => {
  const url = ctx.relay.url;
  const [deaf, answering, talking] = await Promise.all([
    watch(url, { autoPong: false }),
    watch(url, { autoPong: true }),
    watch(url, { autoPong: false }),
  ]);
  // `talking` never answers pings but sends a message more often than the idle timeout.
  const chatter = setInterval(() => talking.ws.send(JSON.stringify(['CLOSE', 'nothing'])), 700);
  try {
    await sleep((IDLE_TIMEOUT_S + 2.5) * 1000);
  } finally {
    clearInterval(chatter);
  }

  assert.ok(deaf.closed, 'the connection that never answered pings is still open');
  assert.equal(deaf.closed.code, 1001, JSON.stringify(deaf.closed));
  assert.match(deaf.closed.reason, /idle/);
  assert.ok(
    deaf.closed.afterMs >= (IDLE_TIMEOUT_S - 0.5) * 1000,
    `closed after ${deaf.closed.afterMs} ms, before the ${IDLE_TIMEOUT_S} s idle timeout`,
  );
  assert.ok(deaf.pings >= 2, `only ${deaf.pings} pings before the close`);

  assert.equal(answering.closed, null, `a connection answering pings was closed: ${JSON.stringify(answering.closed)}`);
  assert.ok(answering.pings >= IDLE_TIMEOUT_S, `only ${answering.pings} pings to the quiet connection`);
  assert.equal(talking.closed, null, `a connection sending messages was closed: ${JSON.stringify(talking.closed)}`);
  for (const s of [answering, talking]) s.ws.close();

  // The relay keeps serving new connections normally.
  const client = await connectRaw(url);
  assert.deepEqual(await client.query([{ kinds: [1], limit: 1 }]), []);
});

test('a slow reader is cut off with a NOTICE; another client is served meanwhile', async () => {
  const url = ctx.relay.url;
  const writer = await connectRaw(url);
  const key = newKey();
  // 200 events of 10 KB: each REQ for them is answered with about 2 MB.
  const events = signMany(Array.from({ length: 200 }, (_, i) => ({ key, fields: { created_at: now() - 1000 + i, content: `${i} ${'x'.repeat(10_000)}` } })));
  await Promise.all(events.map((e) => writer.publish(e)));

  const slow = await connectRaw(url);
  slow.ws._socket.pause(); // stops reading: the relay's writes pile up behind a full socket
  for (let i = 0; i < 20; i++) slow.send(['REQ', `big${i}`, { authors: [key.pk], limit: 200 }]);

  // Served normally while the slow reader's answers pile up.
  const other = await connectRaw(url);
  for (let i = 0; i < 5; i++) {
    const event = signEvent(newKey());
    assert.equal((await other.publish(event, { timeoutMs: 3000 }))[2], true);
    assert.equal((await other.query([{ ids: [event.id] }], { timeoutMs: 3000 })).length, 1);
  }

  await sleep(1000);
  slow.ws._socket.resume(); // within the relay's 5 s close grace: the farewell can still arrive
  const notice = await slow.next((m) => Array.isArray(m) && m[0] === 'NOTICE', { timeoutMs: 10_000, what: 'the slow-reader NOTICE' });
  assert.match(notice[1], /^error: .*slow reader/);
  const deadline = Date.now() + 10_000;
  while (!slow.closeInfo && Date.now() < deadline) await sleep(50);
  assert.ok(slow.closeInfo, 'the slow reader was not disconnected');
  const eose = slow.log.filter((m) => Array.isArray(m) && m[0] === 'EOSE').length;
  assert.ok(eose < 20, `the slow reader got all ${eose} answers: nothing was cut off`);
  assert.match(ctx.relay.stderr, /slow reader/);
  assert.ok(ctx.relay.alive(), ctx.relay.describe());
});
