// Event fixtures signed with nostr-tools.
import crypto from 'node:crypto';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';

export const now = () => Math.floor(Date.now() / 1000);

export function newKey() {
  const sk = generateSecretKey();
  return { sk, pk: getPublicKey(sk) };
}

// Signs a new event; `fields` may set kind, content, tags, created_at.
export function signEvent(key, fields = {}) {
  const template = {
    kind: fields.kind ?? 1,
    content: fields.content ?? `e2e ${crypto.randomBytes(6).toString('hex')}`,
    tags: fields.tags ?? [],
    created_at: fields.created_at ?? now(),
  };
  return finalizeEvent(template, key.sk);
}

// Deep copy without nostr-tools' cached verification flag (a symbol property).
export const deepCopy = (event) => JSON.parse(JSON.stringify(event));

export const randomHex = (bytes = 32) => crypto.randomBytes(bytes).toString('hex');
export const token = () => crypto.randomBytes(5).toString('hex');

// NIP-01 order: created_at descending, then id ascending.
export function compareNewestFirst(a, b) {
  if (a.created_at !== b.created_at) return b.created_at - a.created_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export const ids = (events) => events.map((e) => e.id);
export const sortedIds = (events) => ids(events).slice().sort();

// Given two events with the same created_at, returns [lower id, higher id].
export function byId(a, b) {
  return a.id < b.id ? [a, b] : [b, a];
}
