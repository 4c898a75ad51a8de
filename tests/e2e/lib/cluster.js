// The scale-out deployment with more than one front end, for tests/e2e/scaleout/: one
// `event-handler` on PostgreSQL + Redis and N `websocket-handler`s pointed at it, sharing
// live events through Redis. Needs NOSTPP_E2E_DATABASE_URL and NOSTPP_E2E_REDIS_URL, plus
// NOSTPP_E2E_PG_DIR / NOSTPP_E2E_REDIS_DIR (the scripts/test-server.sh directories) for the
// fault tests that stop and restart those servers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { E2E_DIR, removeDataDir, spawnOnFreePort, stopAll, storeArgs } from './relay.js';

const START_TIMEOUT_MS = 15_000;
const TEST_SERVER = path.resolve(E2E_DIR, '../../scripts/test-server.sh');

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set: tests/e2e/scaleout runs against real servers (scripts/test.sh starts them)`);
  return value;
}

// scripts/test-server.sh postgres|redis stop|start|restart DIR
export function testServer(kind, action) {
  const dir = requireEnv(kind === 'postgres' ? 'NOSTPP_E2E_PG_DIR' : 'NOSTPP_E2E_REDIS_DIR');
  execFileSync(TEST_SERVER, [kind, action, dir], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 90_000 });
}

export async function startCluster({ websocketHandlers = 2, args = [] } = {}) {
  const redisUrl = requireEnv('NOSTPP_E2E_REDIS_URL');
  requireEnv('NOSTPP_E2E_DATABASE_URL');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nostpp-e2e-cluster-'));
  const cluster = { dataDir, eventHandler: null, handlers: [] };
  cluster.stop = () =>
    stopAll([...cluster.handlers, cluster.eventHandler].filter(Boolean), () => removeDataDir(dataDir));
  try {
    cluster.eventHandler = await spawnOnFreePort(
      (port) => ['event-handler', '--bind', '127.0.0.1', '--port', String(port), ...storeArgs(dataDir),
        '--redis-url', redisUrl, ...args],
      { role: 'event-handler', startTimeoutMs: START_TIMEOUT_MS },
    );
    for (let i = 0; i < websocketHandlers; i++) {
      cluster.handlers.push(
        await spawnOnFreePort(
          (port) => ['websocket-handler', '--bind', '127.0.0.1', '--port', String(port),
            '--event-handler-url', `http://127.0.0.1:${cluster.eventHandler.port}`, '--redis-url', redisUrl, ...args],
          { role: 'websocket-handler', startTimeoutMs: START_TIMEOUT_MS },
        ),
      );
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
