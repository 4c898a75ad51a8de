// NIP-11 relay information document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchRelayInformation } from 'nostr-tools/nip11';

import { setupRelay } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { newKey, signEvent } from './lib/nostr.js';

const ADMIN = newKey().pk;
const INFO = {
  name: 'e2e relay',
  description: 'A relay started by the end-to-end tests',
  contact: 'mailto:ops@example.com',
  icon: 'https://example.com/icon.png',
};
const LIMITS = {
  max_message_length: 65536,
  max_subscriptions: 7,
  max_filters: 4,
  max_limit: 123,
  max_subid_length: 40,
  max_event_tags: 77,
  max_content_length: 4321,
};

const ctx = setupRelay([
  '--relay-name', INFO.name,
  '--relay-description', INFO.description,
  '--admin-pubkey', ADMIN,
  // An admin turns the Web of Trust on by default (16-web-of-trust.test.js); this file checks
  // the document with writes open to everyone.
  '--wot-enabled', 'false',
  '--contact', INFO.contact,
  '--relay-icon', INFO.icon,
  '--max-message-bytes', String(LIMITS.max_message_length),
  '--max-subscriptions', String(LIMITS.max_subscriptions),
  '--max-filters', String(LIMITS.max_filters),
  '--max-limit', String(LIMITS.max_limit),
  '--max-subid-length', String(LIMITS.max_subid_length),
  '--max-event-tags', String(LIMITS.max_event_tags),
  '--max-content-length', String(LIMITS.max_content_length),
  '--created-at-future', '600',
  '--default-limit', '42',
]);

const fetchInfo = (path = '/', headers = { Accept: 'application/nostr+json' }) =>
  fetch(`http://127.0.0.1:${ctx.relay.port}${path}`, {
    headers,
    signal: AbortSignal.timeout(5000),
  });

test('GET / with Accept: application/nostr+json returns the document with CORS', async () => {
  const res = await fetchInfo();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('content-type') ?? '', /json/, 'content-type should be JSON');
  const doc = await res.json();

  assert.equal(doc.name, INFO.name);
  assert.equal(doc.description, INFO.description);
  assert.equal(doc.pubkey, ADMIN);
  assert.equal(doc.contact, INFO.contact);
  assert.equal(doc.icon, INFO.icon);
  assert.equal(typeof doc.software, 'string');
  assert.ok(doc.software.length > 0, 'software must be non-empty');
  assert.equal(typeof doc.version, 'string');
  assert.ok(doc.version.length > 0, 'version must be non-empty');

  assert.ok(Array.isArray(doc.supported_nips), 'supported_nips must be an array');
  for (const nip of doc.supported_nips) assert.equal(typeof nip, 'number', 'supported_nips must hold integers');
  for (const nip of [1, 9, 11, 40, 45, 70]) {
    assert.ok(doc.supported_nips.includes(nip), `supported_nips lacks ${nip}: ${JSON.stringify(doc.supported_nips)}`);
  }

  assert.equal(typeof doc.limitation, 'object');
  const l = doc.limitation;
  assert.equal(l.max_message_length, LIMITS.max_message_length);
  assert.equal(l.max_subscriptions, LIMITS.max_subscriptions);
  assert.equal(l.max_limit, LIMITS.max_limit);
  assert.equal(l.max_subid_length, LIMITS.max_subid_length);
  assert.equal(l.max_event_tags, LIMITS.max_event_tags);
  assert.equal(l.max_content_length, LIMITS.max_content_length);
  if ('created_at_upper_limit' in l) assert.equal(l.created_at_upper_limit, 600);
  if ('default_limit' in l) assert.equal(l.default_limit, 42);
  if ('auth_required' in l) assert.equal(l.auth_required, false);
  if ('payment_required' in l) assert.equal(l.payment_required, false);
  assert.equal(l.restricted_writes, false); // --wot-enabled false
});

test('nostr-tools fetchRelayInformation reads the document', async () => {
  const doc = await fetchRelayInformation(ctx.relay.url);
  assert.equal(doc.name, INFO.name);
  assert.ok(doc.supported_nips.includes(11));
});

test('CORS preflight (OPTIONS) is answered with Access-Control-Allow-* headers', async () => {
  const res = await fetch(`http://127.0.0.1:${ctx.relay.port}/`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'https://client.example',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'accept',
    },
    signal: AbortSignal.timeout(5000),
  });
  assert.ok(res.status >= 200 && res.status < 300, `preflight status ${res.status}`);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.ok(res.headers.get('access-control-allow-methods'), 'missing Access-Control-Allow-Methods');
  assert.ok(res.headers.get('access-control-allow-headers'), 'missing Access-Control-Allow-Headers');
});

test('the same endpoint still upgrades to WebSocket and serves NIP-01', async () => {
  const client = await connectRaw(ctx.relay.url);
  const event = signEvent(newKey());
  const ok = await client.publish(event);
  assert.equal(ok[2], true, JSON.stringify(ok));
});
