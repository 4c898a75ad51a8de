// `nostpp export` / `nostpp import` round trip. (Durability under SIGKILL: 14-crash-safety.)
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { RELAY_BIN, startRelay, storeArgs } from './lib/relay.js';
import { connectRaw } from './lib/ws.js';
import { compareNewestFirst, deepCopy, newKey, now, signEvent } from './lib/nostr.js';

const relays = [];
const dirs = [];
after(async () => {
  for (const relay of relays) await relay.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-io-'));
  dirs.push(dir);
  return dir;
}

// `export` and `import` take the same store flags as the relay (the LMDB data directory, or
// with NOSTPP_E2E_DATABASE_URL the relay's PostgreSQL database): storeArgs(dataDir).
test('export writes stored events as JSONL, import verifies, counts and skips bad lines', async () => {
  const source = await startRelay();
  relays.push(source);
  const client = await connectRaw(source.url);
  const key = newKey();
  const published = [
    signEvent(key, { kind: 1, created_at: now() - 50, content: 'one' }),
    signEvent(key, { kind: 1, created_at: now() - 40, content: 'two "quoted" \n line' }),
    signEvent(key, { kind: 0, created_at: now() - 30, content: '{"name":"x"}' }),
    signEvent(key, { kind: 30023, created_at: now() - 20, tags: [['d', 'post']], content: 'article' }),
    signEvent(key, { kind: 7, created_at: now() - 10, tags: [['e', '0'.repeat(64)]], content: '+' }),
  ];
  for (const event of published) assert.equal((await client.publish(event))[2], true);

  // export reads the store while the relay runs (LMDB readers do not block the writer)
  const exported = execFileSync(RELAY_BIN, ['export', ...storeArgs(source.dataDir)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
  const expected = published.map(deepCopy).sort(compareNewestFirst);
  assert.deepEqual(exported, expected);

  const kind1 = execFileSync(RELAY_BIN, ['export', ...storeArgs(source.dataDir), '--filter', '{"kinds":[1]}'], {
    encoding: 'utf8',
  });
  assert.equal(kind1.trim().split('\n').length, 2);

  const tampered = deepCopy(published[0]);
  tampered.content = 'changed';
  const ephemeral = signEvent(key, { kind: 20001 });
  const input = [
    ...expected.map((e) => JSON.stringify(e)),
    JSON.stringify(expected[0]), // duplicate
    'this is not json', // invalid
    JSON.stringify(tampered), // id mismatch
    '', // blank lines are skipped silently
    JSON.stringify(ephemeral), // never stored
  ].join('\n');
  const target = tempDir();
  const run = spawnSync(RELAY_BIN, ['import', ...storeArgs(target)], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.at(-1), 'imported 5, duplicate 1, rejected 0, invalid 3');
  assert.ok(lines.some((l) => /^line 7: invalid:/.test(l)), run.stderr);
  assert.ok(lines.some((l) => /^line 8: invalid:.*id/.test(l)), run.stderr);
  assert.ok(lines.some((l) => /^line 10: invalid:.*ephemeral/.test(l)), run.stderr);

  // the imported store serves the same events
  const copy = await startRelay([], { dataDir: target });
  relays.push(copy);
  const reader = await connectRaw(copy.url);
  assert.deepEqual(await reader.query([{}]), expected);
});
