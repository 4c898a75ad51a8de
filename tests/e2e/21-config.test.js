// The optional TOML configuration file (--config FILE or NOSTPP_CONFIG), in every deployment:
// flags > environment > file > built-in defaults, a [subcommand] table over the top level,
// unknown keys warned about, unreadable files refused at start, and secrets from the file
// never printed by --help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { RELAY_BIN, startRelay } from './lib/relay.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(name, text) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function nip11(relay) {
  const res = await fetch(relay.httpUrl, { headers: { Accept: 'application/nostr+json' } });
  return res.json();
}

test('flags override the environment, which overrides the file, which overrides defaults', async () => {
  const file = writeConfig(
    'precedence.toml',
    [
      'relay_name = "name from file"',
      'relay_description = "description from file"',
      'max_subscriptions = 7',
      'max_filters = 5',
      'max_limit = 123',
      '',
      '# a table named after a subcommand wins over the top level for that subcommand',
      '[relay]',
      'max_limit = 321',
      '[websocket-handler]',
      'max_limit = 321',
      '',
    ].join('\n'),
  );
  const saved = process.env.RELAY_DESCRIPTION;
  process.env.RELAY_DESCRIPTION = 'description from env';
  let relay;
  try {
    relay = await startRelay(['--config', file, '--max-subscriptions', '9']);
  } finally {
    if (saved === undefined) delete process.env.RELAY_DESCRIPTION;
    else process.env.RELAY_DESCRIPTION = saved;
  }
  try {
    const doc = await nip11(relay);
    assert.equal(doc.name, 'name from file');
    assert.equal(doc.description, 'description from env');
    assert.equal(doc.limitation.max_subscriptions, 9, 'the flag wins over the file');
    assert.equal(doc.limitation.max_filters, 5, 'the file wins over the default');
    assert.equal(doc.limitation.max_limit, 321, 'the [subcommand] table wins over the top level');
  } finally {
    await relay.stop();
  }
});

test('NOSTPP_CONFIG names the file when --config is not given', async () => {
  const file = writeConfig('env.toml', 'relay_name = "named by NOSTPP_CONFIG"\n');
  process.env.NOSTPP_CONFIG = file;
  let relay;
  try {
    relay = await startRelay();
  } finally {
    delete process.env.NOSTPP_CONFIG;
  }
  try {
    assert.equal((await nip11(relay)).name, 'named by NOSTPP_CONFIG');
  } finally {
    await relay.stop();
  }
});

test('--help shows values from the file, but never a password', () => {
  const file = writeConfig(
    'secret.toml',
    [
      'relay_name = "visible name"',
      'database_url = "postgresql://nostr:hunter2-secret@db.example:5432/nostr"',
      'redis_url = "redis://:redis-secret-pw@cache.example:6379/0"',
      '',
    ].join('\n'),
  );
  const help = spawnSync(RELAY_BIN, ['relay', '--help', '--config', file], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /visible name/, 'ordinary values are shown as defaults');
  assert.match(help.stdout, /db\.example/, 'the database URL is shown, redacted');
  assert.doesNotMatch(help.stdout + help.stderr, /hunter2-secret|redis-secret-pw/);
  assert.match(help.stdout, /\*\*\*/);
});

test('an unknown key is warned about; a file that does not parse stops the start', () => {
  const unknown = writeConfig('unknown.toml', 'relay_nmae = "typo"\n');
  const warned = spawnSync(RELAY_BIN, ['relay', '--help', '--config', unknown], { encoding: 'utf8' });
  assert.equal(warned.status, 0);
  assert.match(warned.stderr, /unknown key 'relay_nmae'/);

  const broken = writeConfig('broken.toml', 'relay_name = "unterminated\n');
  const refused = spawnSync(RELAY_BIN, ['relay', '--config', broken], { encoding: 'utf8', timeout: 10_000 });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /broken\.toml/);

  const missing = spawnSync(RELAY_BIN, ['relay', '--config', path.join(dir, 'absent.toml')], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /absent\.toml/);
});
