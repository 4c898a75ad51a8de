// Signs many events at once with the C++ helper built beside the relay binary
// (build*/tests/e2e/tools/nostpp_sign_events; NOSTPP_SIGN_BIN overrides it): nostr-tools signs
// a few hundred events per second, too slow for the load and crash tests.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { now, token } from './nostr.js';
import { RELAY_BIN } from './relay.js';

export const SIGN_BIN = process.env.NOSTPP_SIGN_BIN
  ? path.resolve(process.env.NOSTPP_SIGN_BIN)
  : path.resolve(path.dirname(RELAY_BIN), 'tests/e2e/tools/nostpp_sign_events');

// `items` are { key, fields } as signEvent() takes them; returns plain event objects in the
// same order.
export function signMany(items) {
  const zeros = '0'.repeat(64);
  const input = items
    .map(({ key, fields = {} }) => {
      const template = {
        id: zeros,
        pubkey: key.pk,
        created_at: fields.created_at ?? now(),
        kind: fields.kind ?? 1,
        tags: fields.tags ?? [],
        content: fields.content ?? `e2e ${token()}`,
        sig: zeros + zeros,
      };
      return `${Buffer.from(key.sk).toString('hex')} ${JSON.stringify(template)}`;
    })
    .join('\n');
  const run = spawnSync(SIGN_BIN, [], { input, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 60_000 });
  if (run.status !== 0) {
    throw new Error(`${SIGN_BIN} failed (${run.error?.message ?? `status ${run.status}`}): ${run.stderr}`);
  }
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line));
}
