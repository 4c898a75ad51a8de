// Prints a freshly signed kind-3 follow list as one JSON line (for `nostpp import`), and its
// author's pubkey on stderr: the admin of a Web of Trust whose set is exactly the given
// pubkeys (scripts/bench-wot.sh).
//   node tests/e2e/tools/follow-list.mjs <hex pubkey>,<hex pubkey>,...
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';

const follows = (process.argv[2] || '').split(',').filter(Boolean);
const sk = generateSecretKey();
const event = finalizeEvent(
  { kind: 3, created_at: Math.floor(Date.now() / 1000), content: '', tags: follows.map((p) => ['p', p]) },
  sk,
);
process.stderr.write(`${getPublicKey(sk)}\n`);
process.stdout.write(`${JSON.stringify(event)}\n`);
